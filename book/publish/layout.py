"""The print layout: the whole book laid out by WeasyPrint, once per build.

:func:`layout` renders the print HTML (:func:`book.render.render_print`), lays it
out with WeasyPrint behind a URL fetcher that reads only the book's folder, the
templates and the pinned fonts, and returns a :class:`Layout`. The print PDF and
the archival PDF/A-3 are both written from it (:mod:`.pdf`, :mod:`.archive`):
the same pages, laid out once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..confine import allowed_file, shown
from ..errors import BookError
from ..fonts import roots as font_roots
from ..model import Manuscript, Metadata
from ..render import render_print, roman
from ..render.faces import SUBSET, plan, subset_face
from ..render.print import BOOK_ROOT
from ..render.fontcheck import check_printed
from ..resources import templates_dir
from .speedups import collector_paused
from .stamp import build_time
from .weasy import prepare_weasyprint

def _allowed_roots(ms: Manuscript) -> tuple[Path, ...]:
    return (ms.book.root, templates_dir(), *font_roots())


@dataclass
class Layout:
    """A laid-out print edition: WeasyPrint's document and what we learnt from it."""

    document: object
    """``weasyprint.Document``."""
    front_pages: int
    """Pages before the body's page 1 (numbered in roman)."""
    warnings: list[str] = field(default_factory=list)
    meta: Metadata | None = None
    """The book's metadata, for the PDF's Info and XMP."""
    stamp: dt.datetime | None = None
    """The build's one timestamp (:func:`book.publish.build_time`)."""

    @property
    def page_count(self) -> int:
        return len(self.document.pages)  # type: ignore[attr-defined]

    def label(self, index: int) -> str:
        """The printed folio of page ``index`` (0-based): "iii" or "57"."""
        return roman(index + 1) if index < self.front_pages else str(index - self.front_pages + 1)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


MAX_DATA_URL = 64 * 1024
"""Longest ``data:`` URL the fetcher decodes: the stylesheet's ornaments, not smuggled images."""


def layout(ms: Manuscript, html: str | None = None) -> Layout:
    """Lay the print edition out once."""
    stamp = build_time(ms.meta.date)
    weasyprint = prepare_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = _allowed_roots(ms)
    faces = plan(ms)
    refused: list[str] = []
    # An SVG is laid out as rebuilt from its allow-list (book.svg), never as the author's file.
    shipped = {a.path.resolve(): a.data for a in ms.assets if a.data is not None}

    class ConfinedFetcher(URLFetcher):
        """Reads files of the book, the templates and the pinned fonts, and ``data:`` URLs
        (the stylesheet's small SVG ornaments); nothing else, never the network."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data" and len(url) <= MAX_DATA_URL:
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(url2pathname(unquote(parts.path)))
                if path.parts[:2] == ("/", SUBSET):
                    face = next((f for f in faces.faces if f.name == path.name), None)
                    if face is not None and faces.serves(face.name) is not None:
                        return URLFetcherResponse(url, subset_face(face.path, faces.serves(face.name)),
                                                  {"Content-Type": _mime(face.path)})
                if path.parts[:2] == ("/", BOOK_ROOT):
                    path = ms.book.root.joinpath(*path.parts[2:])
                if allowed_file(path, roots) and path.is_file():
                    data = shipped.get(path.resolve())
                    return URLFetcherResponse(url, path.read_bytes() if data is None else data,
                                              {"Content-Type": _mime(path)})
            refused.append(url)
            raise ValueError(f"refused: {url}")

    if html is None:
        html = render_print(ms)
    check_printed(html, _text_sources(ms), ms.book.config_file, ms.meta)

    collector = _Collector()

    def render(text: str):
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        previous, logger.propagate = logger.propagate, False
        try:
            with collector_paused():
                return weasyprint.HTML(string=text, base_url=f"file:///{BOOK_ROOT}/",
                                       url_fetcher=ConfinedFetcher()).render()
        finally:
            logger.removeHandler(collector)
            logger.propagate = previous

    doc = render(html)
    doc.metadata.created = doc.metadata.modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    if refused:
        raise BookError(f"the print edition asked for '{shown(refused[0])}', which is outside the book",
                        ms.book.config_file, 0, 0,
                        "a book may use only files inside its folder; nothing is fetched from the network",
                        rule="outside-book")
    first_body = _first_body_id(ms)
    front = 0
    if first_body:
        for i, page in enumerate(doc.pages):
            if first_body in page.anchors:
                front = i
                break
    lay = Layout(doc, front, collector.messages, ms.meta, stamp)
    if ms.index is not None:
        # The index's page numbers come from this layout; only the index is laid out again.
        from .index_pages import with_index

        def render_index(text: str):
            check_printed(text, _text_sources(ms), ms.book.config_file, ms.meta)
            return render(text)
        lay.document = with_index(ms, doc, lay.label, html, render_index)
    return lay


def _text_sources(ms: Manuscript) -> list[Path]:
    """The files whose text the print edition shows, in the order a reader meets it."""
    return [ms.book.config_file, *(ch.source.path for ch in ms.chapters), *ms.meta.bibliography]


def _first_body_id(ms: Manuscript) -> str:
    for item in ms.body:
        return item.id
    return ""


def _mime(path: Path) -> str:
    return {".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2", ".css": "text/css",
            ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
            ".svg": "image/svg+xml", ".webp": "image/webp"}.get(path.suffix.lower(), "application/octet-stream")
