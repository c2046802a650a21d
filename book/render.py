"""The render stage: a :class:`~book.model.Manuscript` becomes HTML for one medium.

Jinja renders ``templates/<medium>/``; templates decide the look. Python only
does what a template cannot: move footnotes into the text flow for print,
point ``#id`` links at the document that holds the id for multi-file
editions, and hand over font files.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .model import Manuscript, ResolvedChapter, ResolvedPart
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


@functools.lru_cache(maxsize=4)
def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["roman"] = roman
    return env


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
    """The whole book as one HTML document for WeasyPrint."""
    env = environment(templates)
    env.globals["is_part"] = is_part
    template = env.get_template("print/book.html")
    return template.render(_context(ms, fonts=fonts(), notes_in_flow=notes_in_flow,
                                    css=(templates / "print" / "book.css").read_text(encoding="utf-8"),
                                    css_extra=css_extra))


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


def render_ebook(ms: Manuscript, page_breaks: dict[str, list[tuple[str, str]]] | None = None,
                 templates: Path = TEMPLATES) -> tuple[Document, ...]:
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
    return tuple(docs)


def render_web(ms: Manuscript, templates: Path = TEMPLATES) -> tuple[Document, ...]:
    """HTML pages of the web edition: index (contents), one per chapter, references."""
    env = environment(templates)
    env.globals["is_part"] = is_part
    owner = _owner_map(ms)
    for part in ms.parts:  # a part has no page of its own on the web: link to its first chapter
        owner[part.id] = part.chapters[0].id
    sequence: list[tuple[str, str, object]] = []
    for ch in ms.front:
        sequence.append((ch.id, ch.title_text, ch))
    for item in ms.body:
        for ch in (item.chapters if isinstance(item, ResolvedPart) else (item,)):
            sequence.append((ch.id, ch.title_text, ch))
    if ms.references:
        sequence.append((REFERENCES_ID, ms.references_title, None))
    for ch in ms.back:
        sequence.append((ch.id, ch.title_text, ch))

    docs = [Document("index.html", "index", ms.meta.title,
                     retarget(env.get_template("web/index.html").render(
                         _context(ms, doc_title=ms.meta.title, prev=None,
                                  next=sequence[0] if sequence else None)), "index", owner, ".html"), "nav")]
    for i, (ident, title, ch) in enumerate(sequence):
        prev = sequence[i - 1] if i > 0 else ("index", "Contents", None)
        nxt = sequence[i + 1] if i + 1 < len(sequence) else None
        template = "web/references.html" if ch is None else "web/chapter.html"
        html = env.get_template(template).render(_context(ms, doc_title=title, chapter=ch, prev=prev, next=nxt,
                                                          current=ident))
        docs.append(Document(f"{ident}.html", ident, title, retarget(html, ident, owner, ".html"),
                             "references" if ch is None else "chapter"))
    return tuple(docs)
