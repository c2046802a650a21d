"""The e-reader edition: EPUB 3 with an EPUB 2 NCX, for e-readers, libraries and screen readers.

Every file of the package comes from ``templates/ebook/``: the XHTML documents
(rendered by :func:`book.render.render_ebook`), a cover page, the navigation
document (contents, landmarks, print page-list), the package document (OPF:
metadata including accessibility metadata, manifest, spine) and the NCX. We
write the archive ourselves rather than through ebooklib: its OPF and NCX
cannot carry refinements such as a creator's ``file-as`` without a wrong
scheme, a page-list, or the NCX depth, and its zip entries carry the clock.
Here the entries have the book's date and a fixed order, ``mimetype`` first
and stored: same sources, same bytes.

Print page numbers come from a :class:`~book.publish.pagemap.PageMap` of the print
edition; :mod:`.epub_pages` places the markers.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import BookError
from ..model import Manuscript, ResolvedPart
from ..render import render_ebook
from ..render.context import OWN_CSS, book_css
from ..render.context import context as render_context
from ..render.faces import plan
from ..render.templates import environment_for
from ..resources import TEMPLATES
from ..staging import write_atomic
from . import Output, Supplies
from .cover import cover_image
from .editions import EDITIONS
from .epub_fonts import ebook_fonts
from .epub_pages import place_page_breaks
from .pagemap import PageMap
from .stamp import build_time

XHTML = "application/xhtml+xml"
OWN_DOCUMENTS = ("cover", "nav", "title-page", "references")
"""Documents the EPUB adds to the chapters: a chapter cannot have their names."""


@dataclass(frozen=True)
class Item:
    """One manifest item: a file of the publication."""

    id: str
    href: str
    """Path inside ``EPUB/``."""
    media_type: str
    data: bytes
    properties: str = ""


@dataclass(frozen=True)
class NavEntry:
    """One entry of the table of contents, for the nav document and the NCX."""

    title: str
    href: str
    children: tuple["NavEntry", ...] = ()
    kind: str = "chapter"
    """``front``, ``part``, ``chapter``, ``references`` or ``back``."""
    sections: tuple["NavEntry", ...] = ()
    """A chapter's sections, listed in the nav document when ``style: contents-depth: 2``."""


def build_epub(ms: Manuscript, pages: PageMap, cache: Path) -> tuple[bytes, int]:
    """The EPUB's bytes and the number of content documents."""
    meta = ms.meta
    env = environment_for(ms, TEMPLATES)
    _check_names(ms)
    docs = render_ebook(ms)
    cover = cover_image(meta, cache)
    cover_href = f"images/cover{cover.extension}"
    toc = _toc(ms)
    first_body = next((f"{item.id}.xhtml" for item in ms.body), "")
    context = render_context(ms, toc=toc, first_body=first_body, cover=cover, cover_href=cover_href)

    def nav_xhtml(page_list: list[tuple[str, str]]) -> str:
        return env.get_template("ebook/nav.xhtml").render(**context, page_list=page_list)

    cover_xhtml = env.get_template("ebook/cover.xhtml").render(**context, doc_title=meta.title)
    # Reading order: cover, title page, contents, then the book (render_ebook starts with the title page).
    assert docs[0].id == "title-page"
    spine = [("cover.xhtml", cover_xhtml), (docs[0].name, docs[0].content), ("nav.xhtml", nav_xhtml([])),
             *((d.name, d.content) for d in docs[1:])]
    marker = env.get_template("ebook/pagebreak.xhtml")

    def render_marker(label: str) -> str:
        return marker.render(label=label).strip()

    placed, page_list = place_page_breaks(spine, pages, render_marker)
    # The page-list is part of the nav document, which may hold markers itself: place again.
    spine[2] = ("nav.xhtml", nav_xhtml(page_list))
    # So is the index, whose locators show the print page of each mark, read from the markers.
    if ms.has_index:
        from ..render import EBOOK_INDEX, render_ebook_index
        from .index_pages import ebook_index_places
        index_doc = render_ebook_index(ms, ebook_index_places(ms, placed, page_list))
        spine = [(name, index_doc.content if name == EBOOK_INDEX else c) for name, c in spine]
    placed, page_list_again = place_page_breaks(spine, pages, render_marker)
    assert page_list_again == page_list
    content = dict(placed)

    ids = {"cover.xhtml": "cover", "nav.xhtml": "nav", **{d.name: d.id for d in docs}}
    fonts = ebook_fonts([c for _n, c in placed], cache / "fonts", plan(ms))
    css = env.get_template("ebook/book.css").render(fonts=fonts, **{k: v for k, v in context.items() if k != "fonts"})
    manifest: list[Item] = [Item("cover-image", cover_href, cover.media_type, cover.data, "cover-image"),
                            Item("css", "styles/book.css", "text/css", css.encode("utf-8"))]
    own = book_css(ms, "epub", lambda rel: "../" + rel)
    if own:
        manifest.append(Item("css-own", OWN_CSS["epub"], "text/css", own.encode("utf-8")))
    assets = {a.href for a in ms.assets}
    manifest += [Item("own-" + _safe_id(rel), rel, _media_type(rel), (ms.book.root / rel).read_bytes())
                 for rel in sorted({u for sheet in ms.meta.css if "epub" in sheet.editions for u in sheet.urls} - assets)]
    manifest += [Item(f"font-{i + 1}", f"fonts/{f.name}", "font/ttf", f.data) for i, f in enumerate(fonts)]
    manifest += [Item("img-" + _safe_id(a.href), a.href, a.media_type, a.content()) for a in ms.assets]
    manifest += [Item(ids[name], name, XHTML, content[name].encode("utf-8"), _properties(name, content[name]))
                 for name, _c in spine]
    ncx = env.get_template("ebook/toc.ncx").render(**context, page_list=page_list,
                                                   play_order=_play_order(spine, toc, page_list),
                                                   depth=2 if ms.parts else 1,
                                                   max_page=_max_page(page_list))
    manifest.append(Item("ncx", "toc.ncx", "application/x-dtbncx+xml", ncx.encode("utf-8")))
    opf = env.get_template("ebook/package.opf").render(
        **context, manifest=manifest, spine=[ids[name] for name, _c in spine], images=bool(ms.assets),
        mathml=any("mathml" in item.properties for item in manifest),
        modified=build_time(meta.date).strftime("%Y-%m-%dT%H:%M:%SZ"),  # the book's date, never the clock
        print_source=_print_source(ms, len(page_list)))
    return _zip(opf.encode("utf-8"), manifest, meta.date), len(spine)


def _properties(name: str, content: str) -> str:
    """A content document's manifest properties: ``nav`` for the contents, ``mathml`` where it holds MathML."""
    found = ["nav"] if name == "nav.xhtml" else []
    if "<math" in content:
        found.append("mathml")
    return " ".join(found)


def _check_names(ms: Manuscript) -> None:
    for ch in ms.chapters:
        if ch.id in OWN_DOCUMENTS:
            raise BookError(f"the chapter id '{ch.id}' is the name of a page the EPUB adds", ch.source.path, 1, 1,
                            "give the chapter another 'id:' in its front matter", rule="duplicate-id")


def _toc(ms: Manuscript) -> tuple[NavEntry, ...]:
    """The table of contents as book.yaml orders it: front matter, parts with their chapters,
    references, back matter; each chapter's sections too with ``contents-depth: 2``."""
    deep = ms.meta.style.contents_depth > 1

    def chapter(ch, kind: str = "chapter") -> NavEntry:
        sections = tuple(NavEntry(h.text, f"{ch.id}.xhtml#{h.id}", kind="section")
                         for h in ch.headings if h.level == 2) if deep else ()
        return NavEntry(ch.title_text, f"{ch.id}.xhtml", kind=kind, sections=sections)

    entries = [chapter(ch, "front") for ch in ms.front]
    for item in ms.body:
        if isinstance(item, ResolvedPart):
            entries.append(NavEntry(item.title_text, f"{item.id}.xhtml", tuple(chapter(ch) for ch in item.chapters),
                                    kind="part"))
        else:
            entries.append(chapter(item))
    if ms.references:
        entries.append(NavEntry(ms.references_title, "references.xhtml", kind="references"))
    entries += [chapter(ch, "back") for ch in ms.back]
    if ms.has_index:
        entries.append(NavEntry(ms.meta.words.text("index"), "book-index.xhtml", kind="back"))
    return tuple(entries)


def _media_type(rel: str) -> str:
    import mimetypes

    known = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
    return known.get(Path(rel).suffix.lower()) or mimetypes.guess_type(rel)[0] or "application/octet-stream"


def _play_order(spine: list[tuple[str, str]], toc: tuple[NavEntry, ...],
                page_list: list[tuple[str, str]]) -> dict[str, int]:
    """NCX playOrder for every target of the navMap and pageList, in reading order: a document's
    start, then its page markers. One target, one number, as EPUBCheck requires."""
    starts: set[str] = set()

    def collect(entries) -> None:
        for entry in entries:
            starts.add(entry.href)
            collect(entry.children)
    collect(toc)
    order: dict[str, int] = {}
    for name, _content in spine:
        if name in starts:
            order[name] = len(order) + 1
        for _label, href in page_list:
            if href.split("#")[0] == name:
                order[href] = len(order) + 1
    return order


def _max_page(page_list: list[tuple[str, str]]) -> int:
    numbers = [int(label) for label, _href in page_list if label.isdigit()]
    return max(numbers, default=0)


def _print_source(ms: Manuscript, pages: int) -> str:
    """How the print edition the page numbers come from is named (``dc:source``, ``pageBreakSource``)."""
    meta = ms.meta
    title = meta.title + (f": {meta.subtitle}" if meta.subtitle else "")
    details = ", ".join(x for x in (meta.edition, meta.publisher, meta.date[:4], meta.print.page) if x)
    return meta.words.text("print-edition", title=title, details=details, pages=pages, identifier=meta.identifier)


def _safe_id(href: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in href)


def _zip(opf: bytes, manifest: list[Item], date: str) -> bytes:
    """The OCF container with fixed dates and order: mimetype first and stored."""
    when = build_time(date)  # the book's date, or SOURCE_DATE_EPOCH: never the clock
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    container = (TEMPLATES / "ebook" / "container.xml").read_bytes()
    entries = [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", container),
               ("EPUB/content.opf", opf), *((f"EPUB/{item.href}", item.data) for item in manifest)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, data)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data, compresslevel=9)
    return out.getvalue()


def publish(ms: Manuscript, out: Path, supplies: Supplies) -> list[Output]:
    """The EPUB, its page-list from the print edition's page map."""
    data, count = build_epub(ms, supplies.page_map(), out / ".cache")
    target = EDITIONS["epub"].path(ms.meta, out)
    write_atomic(target, data)
    return [Output(target, "epub", count, "documents")]
