"""The render stage: a :class:`~book.model.Manuscript` becomes HTML for one medium.

Jinja renders ``templates/<medium>/``; templates decide the look. Python only
does what a template cannot: move footnotes into the text flow for print,
point ``#id`` links at the document that holds the id for multi-file
editions, and hand over font files.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import jinja2
from markupsafe import Markup

from .errors import BookError
from .index import INDEX_ID, Place, view
from .model import Manuscript, ResolvedChapter, ResolvedPart
from .precompile import TemplateCache
from .resolve import REFERENCES_ID

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Font:
    """A pinned font file, as the templates' @font-face rules need it."""

    family: str
    """Our unique family name (never a fontconfig alias such as "Serif")."""
    style: str
    weight: str
    """A weight range for a variable font, e.g. ``400 800``."""
    path: Path
    name: str
    """File name inside an edition (``fonts/<name>``)."""


@functools.lru_cache(maxsize=1)
def fonts() -> tuple[Font, ...]:
    """The pinned faces: EB Garamond for text, Source Sans 3 for display; from their PyPI packages."""
    import fontpkg_eb_garamond
    import fontpkg_source_sans_3

    serif = Path(fontpkg_eb_garamond.__file__).parent / "files"
    sans = Path(fontpkg_source_sans_3.__file__).parent / "files"
    return (
        Font("Book Garamond", "normal", "400 800", serif / "EBGaramond[wght].ttf", "EBGaramond.ttf"),
        Font("Book Garamond", "italic", "400 800", serif / "EBGaramond-Italic[wght].ttf", "EBGaramond-Italic.ttf"),
        Font("Book Sans", "normal", "200 900", sans / "SourceSans3[wght].ttf", "SourceSans3.ttf"),
        Font("Book Sans", "italic", "200 900", sans / "SourceSans3-Italic[wght].ttf", "SourceSans3-Italic.ttf"),
    )


FONT_CREDITS = "EB Garamond (Georg Duffner and Octavio Pardo) and Source Sans 3 (Paul D. Hunt, Adobe)"


UNTRUSTED = "BOOK_UNTRUSTED_TEMPLATES"
"""Set (to 1) in the environment of a build whose templates came from elsewhere — a deposit
``verify`` rebuilds — so that Jinja renders them sandboxed: a template may read the variables
it is given, never reach Python's internals through them, nor run anything."""


def _sandboxed() -> type[jinja2.Environment]:
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

    class Sandboxed(ImmutableSandboxedEnvironment):
        """Jinja's sandbox, whose refusal is the author's error at the template's line."""

        def handle_exception(self, source: str | None = None):
            try:
                super().handle_exception(source)  # raises, its traceback rewritten to template lines
            except SecurityError as exc:
                file, line = _template_frame(exc.__traceback__, self.loader.searchpath)
                raise BookError(f"the template does what a template may not: {exc}", file, line, 0,
                                "templates may only read the variables they are given",
                                rule="unsafe-template") from None

    return Sandboxed


def _template_frame(tb, folders: list[str]) -> tuple[Path | None, int]:
    """The innermost template file (one in ``folders``) and line of a traceback Jinja rewrote."""
    found: tuple[Path | None, int] = (None, 0)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if any(Path(name).is_relative_to(folder) for folder in folders):
            found = (Path(name), tb.tb_lineno)
        tb = tb.tb_next
    return found


@functools.lru_cache(maxsize=4)
def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    kind = _sandboxed() if os.environ.get(UNTRUSTED) == "1" else jinja2.Environment
    env = kind(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=TemplateCache(templates),
    )
    env.filters["roman"] = roman
    env.filters["smart"] = smart
    env.filters["print_text"] = print_text
    return env


@functools.lru_cache(maxsize=4096)
def smart(text: str, lang: str = "en") -> Markup:
    """Metadata from book.yaml (rights, names) with the chapters' smart quotes and dashes, as HTML.

    Only punctuation is typeset: metadata is plain text, so any markup or raw HTML in
    it is shown as written (escaped), never interpreted. Cached: every web page's footer
    and every locator of the web index ask again for the same few texts."""
    return Markup(_metadata_parser(lang).renderInline(text))


@functools.lru_cache(maxsize=8)
def _metadata_parser(lang: str):
    from markdown_it import MarkdownIt

    from .markup import QUOTES
    quotes = QUOTES.get(lang.split("-")[0].lower(), QUOTES["en"])
    md = MarkdownIt("zero", {"typographer": True, "html": False, "quotes": quotes})
    md.enable(["replacements", "smartquotes"])
    return md


_TAG = re.compile(r"(<[^>]*>)")
# Not after an opening quote: a word quoted in capitals ("NAZI", in capitals) is shown as written.
_ACRONYM = re.compile(r"(?<![\w&.\-“‘\"'«„‚])([A-Z][A-Z0-9]*[A-Z])(?=s?(?![\w&-]))")
_ROMAN = re.compile(r"[IVXLCDM]+")
_RANGE = re.compile(r"\b\d+[–—]\d+\b")
_VERBATIM = {"code", "pre", "kbd", "samp", "abbr", "script", "style"}


def print_text(html: str, caps: bool = True) -> Markup:
    """HTML marked up for print typesetting: acronyms (NKVD, USSR; not roman numerals, nor
    a word quoted in capitals) in ``<span class="caps">`` for small capitals (unless ``caps``
    is false, as for titles), number ranges (1917–1924) in ``<span class="nowrap">`` so that
    a line never breaks at their dash, and URLs given a break opportunity after each ``/``
    so that a long address does not stretch its line."""
    out: list[str] = []
    verbatim = 0
    in_url = False
    for chunk in _TAG.split(html):
        if chunk.startswith("<"):
            name = re.match(r"</?([a-zA-Z0-9]+)", chunk)
            tag = name.group(1).lower() if name else ""
            if tag in _VERBATIM:
                verbatim += -1 if chunk.startswith("</") else (0 if chunk.endswith("/>") else 1)
            if tag == "a":
                in_url = not chunk.startswith("</") and 'class="external"' in chunk
            out.append(chunk)
        elif verbatim > 0:
            out.append(chunk)
        elif in_url or "://" in chunk:
            out.append(re.sub(r"(?<=[/])(?=[^/\s])", "<wbr>", chunk))
        else:
            chunk = _RANGE.sub(r'<span class="nowrap">\g<0></span>', chunk)
            if caps:
                chunk = _ACRONYM.sub(lambda m: m.group(1) if _ROMAN.fullmatch(m.group(1))
                                     else f'<span class="caps">{m.group(1)}</span>', chunk)
            out.append(chunk)
    return Markup("".join(out))


def roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


def _context(ms: Manuscript, **extra) -> dict:
    return {"ms": ms, "meta": ms.meta, "ResolvedPart": ResolvedPart, "font_credits": FONT_CREDITS, **extra}


def is_part(item) -> bool:
    return isinstance(item, ResolvedPart)


# ------------------------------------------------------------------ print


def notes_in_flow(chapter: ResolvedChapter) -> str:
    """The chapter's HTML with each note's text set where it is called (CSS ``float: footnote``)."""
    html = chapter.html
    for fn in chapter.footnotes:
        call = re.compile(rf'<a class="noteref" id="{re.escape(fn.ref_id)}" href="#{re.escape(fn.id)}"'
                          rf' role="doc-noteref">{fn.number}</a>')
        html = call.sub(lambda _m, fn=fn: f'<span class="footnote" id="{fn.id}">{fn.inline_html}</span>', html, 1)
    return html


def render_print(ms: Manuscript, templates: Path = TEMPLATES, css_extra: str = "") -> str:
    """The whole book as one HTML document for WeasyPrint.

    The index section holds only its heading: its page numbers come from this layout
    (:func:`render_print_index` makes the index itself)."""
    env = environment(templates)
    env.globals["is_part"] = is_part
    template = env.get_template("print/book.html")
    return template.render(_context(ms, fonts=fonts(), notes_in_flow=notes_in_flow,
                                    css=(templates / "print" / "book.css").read_text(encoding="utf-8"),
                                    css_extra=css_extra, book_index=()))


def render_print_index(ms: Manuscript, book_html: str, places: Mapping[str, Place], first_folio: int,
                       templates: Path = TEMPLATES) -> str:
    """The print edition's index as an HTML document of its own, with the book's ``<head>`` (page
    geometry, fonts, stylesheet), page numbers from ``places``, and folios from ``first_folio``."""
    env = environment(templates)
    section = env.get_template("print/_index.html").render(_context(ms, book_index=view(ms.index, places)))
    head = book_html[: book_html.index("<body>")]
    # The index's first page carries the folio it has in the book.
    folio = f"<style>@page :first {{ counter-reset: page {first_folio}; }}</style>\n"
    return head.replace("</head>", folio + "</head>") + "<body>\n" + section + "</body>\n</html>\n"


# ------------------------------------------------------- multi-file editions

_HREF = re.compile(r'href="#([^"]+)"')


def retarget(html: str, current: str, owner: dict[str, str], suffix: str) -> str:
    """Point ``#id`` links at ``<doc><suffix>#id`` when the id lives in another document."""
    def repl(m: re.Match) -> str:
        ident = m.group(1)
        doc = owner.get(ident)
        if doc is None or doc == current:
            return m.group(0)
        if ident == doc:
            return f'href="{doc}{suffix}"'
        return f'href="{doc}{suffix}#{ident}"'
    return _HREF.sub(repl, html)


@dataclass(frozen=True)
class Document:
    """One file of a multi-file edition."""

    name: str
    """File name, e.g. ``rapallo.xhtml``."""
    id: str
    title: str
    content: str
    kind: str
    """``cover``, ``title``, ``nav``, ``front``, ``part``, ``chapter``, ``references``, ``back``."""


def _owner_map(ms: Manuscript) -> dict[str, str]:
    owner = dict(ms.anchor_owner)
    for part in ms.parts:
        owner[part.id] = part.id
    return owner


def render_ebook(ms: Manuscript, templates: Path = TEMPLATES) -> tuple[Document, ...]:
    """XHTML documents of the EPUB, in spine order (the nav document is built by the publisher)."""
    env = environment(templates)
    env.globals["is_part"] = is_part
    owner = _owner_map(ms)
    docs: list[Document] = []

    def page(template: str, name: str, ident: str, title: str, kind: str, **kw) -> None:
        html = env.get_template(f"ebook/{template}").render(_context(ms, doc_title=title, **kw))
        docs.append(Document(name, ident, title, retarget(html, ident, owner, ".xhtml"), kind))

    page("title.xhtml", "title-page.xhtml", "title-page", ms.meta.title, "title")
    for ch in ms.front:
        page("chapter.xhtml", f"{ch.id}.xhtml", ch.id, ch.title_text, "front", chapter=ch)
    for item in ms.body:
        if isinstance(item, ResolvedPart):
            page("part.xhtml", f"{item.id}.xhtml", item.id, item.title_text, "part", part=item)
            for ch in item.chapters:
                page("chapter.xhtml", f"{ch.id}.xhtml", ch.id, ch.title_text, "chapter", chapter=ch)
        else:
            page("chapter.xhtml", f"{item.id}.xhtml", item.id, item.title_text, "chapter", chapter=item)
    if ms.references:
        page("references.xhtml", f"{REFERENCES_ID}.xhtml", REFERENCES_ID, ms.references_title, "references")
    for ch in ms.back:
        page("chapter.xhtml", f"{ch.id}.xhtml", ch.id, ch.title_text, "back", chapter=ch)
    if ms.index and ms.index.groups:
        docs.append(render_ebook_index(ms, None, templates))
    return tuple(docs)


EBOOK_INDEX = "book-index.xhtml"
"""The index's file in the EPUB (``index`` is the id of its section, as in print)."""


def render_ebook_index(ms: Manuscript, places: Mapping[str, Place] | None,
                       templates: Path = TEMPLATES) -> Document:
    """The EPUB's index document: print folios from ``places`` (the page-break markers of the EPUB
    say where each mark is), or, without them, each entry's marks numbered in reading order."""
    env = environment(templates)
    html = env.get_template("ebook/index.xhtml").render(
        _context(ms, doc_title="Index", book_index=view(ms.index, places), titles=_titles(ms)))
    return Document(EBOOK_INDEX, INDEX_ID, "Index", retarget(html, INDEX_ID, _owner_map(ms), ".xhtml"), "index")


def _titles(ms: Manuscript) -> dict[str, str]:
    """Chapter id → title as plain text, for the title of a link to a spot in the chapter."""
    return {ch.id: ch.title_text for ch in ms.chapters}


def render_web(ms: Manuscript, templates: Path = TEMPLATES) -> tuple[Document, ...]:
    """HTML pages of the web edition (the web publisher owns them: citation back-links, search)."""
    from .publish.web import render_pages
    return render_pages(ms, templates)
