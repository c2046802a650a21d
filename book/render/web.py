"""The web edition's HTML pages and its search index, from the manuscript.

One page per chapter, a title-and-contents page, the references, the index and
a search page. Citations carry ids so that each reference-list entry links
back to every place that cites it; footnotes link both ways. Every page's
sidebar lists the contents: the list is rendered once and put into each page.
``serve`` passes a :class:`~book.memo.Memo`, which keeps each page (and its
part of the search index) until what it shows changes. The search index is
the text of every section, which ``templates/web/search.js`` searches in the
page, with no server and no network.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

from markupsafe import Markup

from ..memo import Memo, remember
from ..model import (
    REFERENCES_ID,
    Manuscript,
    ReferenceEntry,
    ResolvedChapter,
    ResolvedPart,
)
from ..resources import TEMPLATES
from .ebook import Document, retarget
from .context import context
from .indexview import view
from .templates import environment_for

_CITATION = re.compile(r'<a class="citation" href="#([^"]+)"')
_VOID_XHTML = re.compile(r"<(img|br|hr|wbr|col|source)\b([^<>]*?)\s*/>")
"""Resolved fragments are XHTML (the EPUB needs it); in HTML a void element's slash is noise."""

@dataclasses.dataclass(frozen=True)
class Citer:
    """One place that cites a reference, for the entry's back-links."""

    href: str
    title: str
    """The citing chapter's title."""
    index: int
    """1 for the chapter's first citation of this work, 2 for the second …"""
    count: int
    """How often the chapter cites the work."""


@dataclasses.dataclass(frozen=True)
class _Cited:
    """A chapter with an id on each citation link, and the places it cites each work from."""

    chapter: ResolvedChapter
    citers: tuple[tuple[str, tuple[Citer, ...]], ...]
    """(reference anchor, the chapter's citations of it), in order of first citation."""


def _with_citation_ids(ch: ResolvedChapter) -> _Cited:
    """The chapter with an id on each citation link, and where it cites each work."""
    places: list[tuple[str, str]] = []  # (anchor, citation id) in reading order

    def tag(m: re.Match) -> str:
        cite_id = f"cite-{ch.id}-{len(places) + 1}"
        places.append((m.group(1), cite_id))
        return f'<a class="citation" id="{cite_id}" href="#{m.group(1)}"'

    html = _VOID_XHTML.sub(r"<\1\2>", _CITATION.sub(tag, ch.html))
    notes = tuple(dataclasses.replace(fn, html=_VOID_XHTML.sub(r"<\1\2>", _CITATION.sub(tag, fn.html)))
                  for fn in ch.footnotes)
    per_anchor: dict[str, list[str]] = {}
    for anchor, cite_id in places:
        per_anchor.setdefault(anchor, []).append(cite_id)
    citers = tuple((anchor, tuple(Citer(f"{ch.id}.html#{cite_id}", ch.title_text, n, len(ids))
                                  for n, cite_id in enumerate(ids, 1)))
                   for anchor, ids in per_anchor.items())
    return _Cited(dataclasses.replace(ch, html=html, footnotes=notes), citers)


def reading_order(ms: Manuscript) -> list[tuple[str, str, ResolvedChapter | None]]:
    """(page id, title, chapter or None for the references) for every page after the contents."""
    sequence: list[tuple[str, str, ResolvedChapter | None]] = [(ch.id, ch.title_text, ch) for ch in ms.front]
    for item in ms.body:
        for ch in (item.chapters if isinstance(item, ResolvedPart) else (item,)):
            sequence.append((ch.id, ch.title_text, ch))
    if ms.references:
        sequence.append((REFERENCES_ID, ms.references_title, None))
    sequence += [(ch.id, ch.title_text, ch) for ch in ms.back]
    return sequence


# ------------------------------------------------------------------ contents


@dataclasses.dataclass(frozen=True)
class TocEntry:
    """One line of a contents list: a page, or a part with its chapters' lines."""

    id: str
    """The page's id (a part's own id: on the web a part has no page)."""
    title_html: str
    chapters: tuple["TocEntry", ...] = ()
    """A part's chapters; none for a page."""


@dataclasses.dataclass(frozen=True)
class Contents:
    """What the contents lists show (the title page's and every page's sidebar), and nothing else:
    a page is rendered again only when these change, not whenever any chapter does."""

    front: tuple[TocEntry, ...]
    body: tuple[TocEntry, ...]
    references: str
    """The title of the references page; empty when the book has none."""
    back: tuple[TocEntry, ...]
    index: bool
    """Whether the book has an index page."""


def contents(ms: Manuscript) -> Contents:
    """What the contents lists of ``ms`` show."""
    def entries(chapters) -> tuple[TocEntry, ...]:
        return tuple(TocEntry(ch.id, ch.title_html) for ch in chapters)

    body = tuple(TocEntry(item.id, item.title_html, entries(item.chapters)) if isinstance(item, ResolvedPart)
                 else TocEntry(item.id, item.title_html) for item in ms.body)
    return Contents(entries(ms.front), body, ms.references_title if ms.references else "", entries(ms.back),
                    ms.has_index)


_HERE = re.compile("\x00([^\x00]*)\x00")


def _here(ident: str) -> Markup:
    """Where the sidebar's line for page ``ident`` marks the current page, until :func:`_sidebar`."""
    return Markup(f"\x00{ident}\x00")


def _sidebar(listed: str, current: str) -> Markup:
    """The sidebar's contents list rendered once (``web/_contents.html``), for the page ``current``."""
    return Markup(_HERE.sub(lambda m: ' aria-current="page"' if m.group(1) == current else "", listed))


# ------------------------------------------------------------------- pages

_SIDEBAR = Markup("\x00sidebar\x00")
"""What a page is rendered with in place of its sidebar (``{{ sidebar }}``, between two tags of
the layout); the page's own sidebar goes there afterwards."""


class _Lookups:
    """The owner map as :func:`~book.render.retarget` is given it, noting every id it looks up."""

    def __init__(self, owner: dict[str, str]) -> None:
        self.owner = owner
        self.seen: dict[str, str | None] = {}

    def get(self, ident: str) -> str | None:
        doc = self.seen[ident] = self.owner.get(ident)
        return doc


@dataclasses.dataclass(frozen=True)
class _Linked:
    """HTML, in pieces, whose ``#id`` links point at the pages that hold the ids
    (:func:`~book.render.retarget`), and which page held each id then."""

    pieces: tuple[str, ...]
    linked: tuple[str, ...]
    """Every ``#id`` the pieces link to ..."""
    owners: list[str | None]
    """... and the page that held each."""

    def still_leads(self, owner: dict[str, str]) -> bool:
        """Whether every ``#id`` linked to is still where it was (else the links must change)."""
        return list(map(owner.get, self.linked)) == self.owners


def _linked(pieces: list[str], current: str, owner: dict[str, str]) -> _Linked:
    lookups = _Lookups(owner)
    out = tuple(retarget(piece, current, lookups, ".html") for piece in pieces)  # type: ignore[arg-type]
    return _Linked(out, tuple(lookups.seen), list(lookups.seen.values()))


@dataclasses.dataclass(frozen=True)
class _Page:
    """One page: the document, and the bytes of its file."""

    document: Document
    data: bytes


def _page(ident: str, title: str, kind: str, main: _Linked, sidebar: _Linked) -> _Page:
    """The page ``ident``: its own HTML with its sidebar put in."""
    content = sidebar.pieces[0].join(main.pieces)
    return _Page(Document(f"{ident}.html", ident, title, content, kind), content.encode())


def templates_look(templates: Path) -> str:
    """A hash of every template's text (a web template may include any of them): kept pages are
    rendered again when a template changes."""
    digest = hashlib.sha256()
    for folder, _subfolders, names in sorted(os.walk(templates)):
        if "__pycache__" in Path(folder).relative_to(templates).parts:
            continue  # the templates compiled (book.commands.precompile): derived from what is hashed here
        for name in sorted(names):
            with open(os.path.join(folder, name), "rb") as file:
                digest.update(f"{os.path.relpath(folder, templates)}/{name}".encode() + b"\0" + file.read() + b"\0")
    return digest.hexdigest()


def render_pages(ms: Manuscript, templates: Path = TEMPLATES) -> tuple[Document, ...]:
    """Every HTML page: index (title and contents), the chapters and references in reading order, search."""
    return tuple(page.document for page in web_pages(ms, templates, None, ""))


def web_pages(ms: Manuscript, templates: Path, memo: Memo | None, look: str) -> list[_Page]:
    """Every HTML page (see :func:`render_pages`). The sidebar's contents list is rendered once,
    each page marking its own line, and put into the page rendered without it. With ``memo``, a
    page is rendered again only when its template variables or the templates (``look``) change,
    or an ``#id`` it links to moves to another page; its sidebar only when the contents do."""
    env = environment_for(ms, templates)
    words = ms.meta.words
    shared = {k: v for k, v in context(ms).items() if k in ("t", "dir", "style", "font_credits", "own_css")}
    owner = dict(ms.anchor_owner)
    for part in ms.parts:  # a part has no page of its own on the web: link to its first chapter
        owner[part.id] = part.chapters[0].id
    part_titles = {p.id: p.title_html for p in ms.parts}
    listing = contents(ms)
    listed = remember(memo, "contents", (look, listing, words),  # without its last newline: the layout's line ends it
                      lambda: env.get_template("web/_contents.html").render(
                          contents=listing, here=_here, index_title=words.text("index")).removesuffix("\n"))
    citers: dict[str, list[Citer]] = {}
    sequence: list[tuple[str, str, ResolvedChapter | None]] = []
    for ident, title, ch in reading_order(ms):
        if ch is not None:
            cited = remember(memo, ("citation-ids", ident), ch, lambda: _with_citation_ids(ch))
            for anchor, places in cited.citers:
                citers.setdefault(anchor, []).extend(places)
            ch = cited.chapter
        sequence.append((ident, title, ch))

    def still_leads(kept: _Linked) -> bool:
        return kept.still_leads(owner)

    def page(template: str, ident: str, title: str, kind: str, **kw) -> _Page:
        variables = dict(meta=ms.meta, doc_title=title, current=ident, **shared, **kw)
        main = remember(memo, ("page", ident), (look, template, sorted(variables.items())), lambda: _linked(
            env.get_template(f"web/{template}").render(sidebar=_SIDEBAR, **variables).split(_SIDEBAR), ident, owner),
            still_leads)
        sidebar = remember(memo, ("sidebar", ident), listed, lambda: _linked([_sidebar(listed, ident)], ident, owner),
                           still_leads)
        return remember(memo, ("page-file", ident), (title, kind, main, sidebar),
                        lambda: _page(ident, title, kind, main, sidebar))

    pages = [page("index.html", "index", ms.meta.title, "nav", prev=None,
                  next=sequence[0][:2] if sequence else None, contents=listing)]
    for i, (ident, title, ch) in enumerate(sequence):
        prev = sequence[i - 1][:2] if i > 0 else ("index", words.text("contents"))
        nxt = sequence[i + 1][:2] if i + 1 < len(sequence) else None
        if ch is None:
            pages.append(page("references.html", ident, title, "references", prev=prev, next=nxt,
                              references=ms.references, references_title=ms.references_title,
                              citers={r.anchor: citers.get(r.anchor, []) for r in ms.references}))
        else:
            pages.append(page("chapter.html", ident, title, "chapter", prev=prev, next=nxt, chapter=ch,
                              part_title=part_titles.get(ch.part_id, "")))
    if ms.has_index:
        # Not index.html: that is the contents page. Locators are the marks, numbered in reading order.
        book_index = remember(memo, "index-view", ms.index, lambda: view(ms.index, None))
        pages.append(page("book-index.html", "book-index", words.text("index"), "index", prev=None, next=None,
                          book_index=book_index, titles={ch.id: ch.title_text for ch in ms.chapters}))
    pages.append(page("search.html", "search", words.text("search"), "search", prev=None, next=None))
    return pages


# ------------------------------------------------------------------- search

_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "figure", "figcaption", "td", "th", "blockquote",
           "div", "section", "pre", "dd", "dt"}


class _Sections(HTMLParser):
    """Splits a page's main text into (anchor, heading, text) at each headed section."""

    def __init__(self, first_anchor: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[list[str]] = [[first_anchor, "", ""]]
        self.skip = 0  # inside a note call: its number is not text
        self.heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self.skip:
            self.skip += 1
            return
        if tag == "a" and "noteref" in (a.get("class") or ""):
            self.skip = 1
            return
        if re.fullmatch(r"h[2-6]", tag) and a.get("id"):
            self.sections.append([a["id"] or "", "", ""])
            self.heading = self.sections[-1]
        if tag in _BLOCKS:
            self.sections[-1][2] += " "

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        if re.fullmatch(r"h[2-6]", tag):
            self.heading = None
        if tag in _BLOCKS:
            self.sections[-1][2] += " "

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.heading is not None:
            self.heading[1] += data
        else:
            self.sections[-1][2] += data


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def search_entries(ident: str, title: str, ch: ResolvedChapter | None,
                   references: tuple[ReferenceEntry, ...], note: str = "Note {number}") -> list[dict[str, str]]:
    """The entries of one page (a chapter, or the references for ``ch`` None): one per section,
    note and reference, ``u`` link, ``t`` page title, ``s`` section, ``x`` text."""
    entries: list[dict[str, str]] = []
    if ch is None:
        for ref in references:
            parser = _Sections(ref.anchor)
            parser.feed(ref.html)
            entries.append({"u": f"{REFERENCES_ID}.html#{ref.anchor}", "t": title, "s": "",
                            "x": _squash(parser.sections[0][2])})
        return entries
    parser = _Sections("")
    parser.feed(ch.html)
    for anchor, heading, text in parser.sections:
        if _squash(text) or heading:
            entries.append({"u": f"{ident}.html" + (f"#{anchor}" if anchor else ""), "t": title,
                            "s": _squash(heading), "x": _squash(text)})
    for fn in ch.footnotes:
        notes = _Sections(fn.id)
        notes.feed(fn.html)
        entries.append({"u": f"{ident}.html#{fn.id}", "t": title, "s": note.format(number=fn.number),
                        "x": _squash(notes.sections[0][2])})
    return entries


def search_index_script(ms: Manuscript, memo: Memo | None = None) -> bytes:
    """``assets/search-index.js``: every page's entries in reading order, as one JSON array. With
    ``memo``, each page's part of the array is kept while its chapter (or the references) is."""
    def page_json(ident: str, title: str, ch: ResolvedChapter | None) -> str:
        entries = search_entries(ident, title, ch, ms.references, ms.meta.words.text("note-number"))
        return json.dumps(entries, ensure_ascii=False, separators=(",", ":"))[1:-1]  # the items, without [ ]

    parts = [remember(memo, ("search", ident), (title, ch if ch is not None else ms.references, ms.meta.words),
                      lambda: page_json(ident, title, ch))
             for ident, title, ch in reading_order(ms)]
    data = ",".join(part for part in parts if part)
    return f"window.BOOK_SEARCH_INDEX = [{data}];\n".encode()
