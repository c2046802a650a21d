"""The web edition: static HTML pages in ``dist/web/``, readable offline and searchable.

One page per chapter, a title-and-contents page, the references and a
search page. Citations carry ids so that each reference-list entry links
back to every place that cites it; footnotes link both ways. Search works
from the file system with no server and no network: the publisher writes
the text of every section into ``assets/search-index.js`` (a script, not
JSON, because browsers refuse ``fetch`` on ``file:`` URLs) and
``templates/web/search.js`` searches it in the page.

:func:`web_files` is the whole edition as a mapping, path → content; the
publisher writes it, and ``serve`` serves it from memory.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from ..index import view
from ..model import Manuscript, ResolvedChapter, ResolvedPart
from ..render import FONT_CREDITS, TEMPLATES, Document, environment, fonts, is_part, retarget
from ..resolve import REFERENCES_ID
from . import Output, replace_folder, staging_folder

_CITATION = re.compile(r'<a class="citation" href="#([^"]+)"')
_VOID_XHTML = re.compile(r"<(img|br|hr|wbr|col|source)\b([^<>]*?)\s*/>")
"""Resolved fragments are XHTML (the EPUB needs it); in HTML a void element's slash is noise."""

Content = bytes | Path
"""A file of the edition: bytes made by the build, or a file to copy (fonts, images)."""


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


def _with_citation_ids(ch: ResolvedChapter, citers: dict[str, list[Citer]]) -> ResolvedChapter:
    """The chapter with an id on each citation link, recording where each work is cited."""
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
    for anchor, ids in per_anchor.items():
        citers.setdefault(anchor, []).extend(
            Citer(f"{ch.id}.html#{cite_id}", ch.title_text, n, len(ids)) for n, cite_id in enumerate(ids, 1))
    return dataclasses.replace(ch, html=html, footnotes=notes)


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


def render_pages(ms: Manuscript, templates: Path = TEMPLATES) -> tuple[Document, ...]:
    """Every HTML page: index (title and contents), the chapters and references in reading order, search."""
    env = environment(templates)
    env.globals["is_part"] = is_part
    owner = dict(ms.anchor_owner)
    for part in ms.parts:  # a part has no page of its own on the web: link to its first chapter
        owner[part.id] = part.chapters[0].id
    part_titles = {p.id: p.title_html for p in ms.parts}
    citers: dict[str, list[Citer]] = {}
    sequence = [(ident, title, _with_citation_ids(ch, citers) if ch else None)
                for ident, title, ch in reading_order(ms)]

    def page(template: str, ident: str, title: str, kind: str, **kw) -> Document:
        html = env.get_template(f"web/{template}").render(
            ms=ms, meta=ms.meta, font_credits=FONT_CREDITS, doc_title=title, current=ident, **kw)
        return Document(f"{ident}.html", ident, title, retarget(html, ident, owner, ".html"), kind)

    docs = [page("index.html", "index", ms.meta.title, "nav", prev=None,
                 next=sequence[0][:2] if sequence else None)]
    for i, (ident, title, ch) in enumerate(sequence):
        prev = sequence[i - 1][:2] if i > 0 else ("index", "Contents")
        nxt = sequence[i + 1][:2] if i + 1 < len(sequence) else None
        if ch is None:
            docs.append(page("references.html", ident, title, "references", prev=prev, next=nxt,
                             citers={r.anchor: citers.get(r.anchor, []) for r in ms.references}))
        else:
            docs.append(page("chapter.html", ident, title, "chapter", prev=prev, next=nxt, chapter=ch,
                             part_title=part_titles.get(ch.part_id, "")))
    if ms.index is not None and ms.index.groups:
        # Not index.html: that is the contents page. Locators are the marks, numbered in reading order.
        docs.append(page("book-index.html", "book-index", "Index", "index", prev=None, next=None,
                         book_index=view(ms.index, None), titles={ch.id: ch.title_text for ch in ms.chapters}))
    docs.append(page("search.html", "search", "Search", "search", prev=None, next=None))
    return tuple(docs)


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


def search_entries(ms: Manuscript) -> list[dict[str, str]]:
    """One entry per section, note and reference: ``u`` link, ``t`` page title, ``s`` section, ``x`` text."""
    entries: list[dict[str, str]] = []
    for ident, title, ch in reading_order(ms):
        if ch is None:
            for ref in ms.references:
                parser = _Sections(ref.anchor)
                parser.feed(ref.html)
                entries.append({"u": f"{REFERENCES_ID}.html#{ref.anchor}", "t": title, "s": "",
                                "x": _squash(parser.sections[0][2])})
            continue
        parser = _Sections("")
        parser.feed(ch.html)
        for anchor, heading, text in parser.sections:
            if _squash(text) or heading:
                entries.append({"u": f"{ident}.html" + (f"#{anchor}" if anchor else ""), "t": title,
                                "s": _squash(heading), "x": _squash(text)})
        for fn in ch.footnotes:
            notes = _Sections(fn.id)
            notes.feed(fn.html)
            entries.append({"u": f"{ident}.html#{fn.id}", "t": title, "s": f"Note {fn.number}",
                            "x": _squash(notes.sections[0][2])})
    return entries


def search_index_script(ms: Manuscript) -> bytes:
    data = json.dumps(search_entries(ms), ensure_ascii=False, separators=(",", ":"))
    return f"window.BOOK_SEARCH_INDEX = {data};\n".encode()


# ------------------------------------------------------------------- files


def web_files(ms: Manuscript, templates: Path = TEMPLATES) -> dict[str, Content]:
    """The whole web edition: relative path → bytes, or a source file to copy."""
    files: dict[str, Content] = {doc.name: doc.content.encode() for doc in render_pages(ms, templates)}
    env = environment(templates)
    files["assets/book.css"] = env.get_template("web/book.css").render(fonts=fonts()).encode()
    files["assets/search.js"] = (templates / "web" / "search.js").read_bytes()
    files["assets/search-index.js"] = search_index_script(ms)
    for font in fonts():
        files[f"assets/fonts/{font.name}"] = font.path
    for asset in ms.assets:
        files[asset.href] = asset.path
    return files


def write_web(ms: Manuscript, target: Path) -> int:
    """Write the web edition into the folder ``target``; return the number of HTML pages.

    The folder is built beside the old one and replaced as a whole (when the build
    commits, see :mod:`book.lock`), so a failed build leaves the previous edition whole."""
    files = web_files(ms)
    staging = staging_folder(target)
    try:
        for rel, content in sorted(files.items()):
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, dest)
            else:
                dest.write_bytes(content)
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sum(1 for rel in files if rel.endswith(".html"))


class WebPublisher:
    name = "web"
    description = "web edition: static HTML pages to put on any web server, searchable offline"

    def publish(self, ms: Manuscript, out: Path) -> list[Output]:
        target = out / "web"
        pages = write_web(ms, target)
        return [Output(target, self.name, pages, "pages")]
