"""WeasyPrint as the print machinery uses it: confined to the book, its warnings collected.

:func:`confined_fetcher` is the URL fetcher every layout uses: it reads only the
book's folder, the templates and the pinned fonts. :func:`layout` lays a whole
document out at once and returns a :class:`Layout`: what a handout is made
from (:mod:`.handout`), and what the tests compare the book's joined pages
with. The book's print edition is laid out job by job (:mod:`.printlayout`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..confine import allowed_file, shown
from ..errors import BookError
from ..fonts import roots as font_roots
from ..model import Manuscript, Metadata
from ..render import render_print, render_print_index, roman
from ..render.faces import SUBSET, plan, subset_face
from ..render.print import BOOK_ROOT
from ..render.fontcheck import check_printed
from ..resources import templates_dir
from . import repair
from .index_pages import print_places
from .speedups import collector_paused
from .stamp import build_time
from .weasy import prepare_weasyprint


def allowed_roots(ms: Manuscript) -> tuple[Path, ...]:
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


def confined_fetcher(root: Path, roots: tuple[Path, ...], faces, refused: list[str],
                     shipped: tuple[tuple[str, bytes], ...] = ()):
    """A WeasyPrint URL fetcher that reads files of the book (``root``, named ``__book__`` in
    URLs), the templates and the fonts (``roots``; the stand-ins of ``faces``,
    :func:`book.render.faces.plan`, subset to what they serve), and ``data:`` URLs (the stylesheet's
    small SVG ornaments); nothing else, never the network. A file in ``shipped`` (:func:`shipped`)
    is given as the edition ships it. What it refuses is added to ``refused``."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    # An SVG is laid out as rebuilt from its allow-list (book.svg), never as the author's file.
    rebuilt = {Path(path): data for path, data in shipped}

    class ConfinedFetcher(URLFetcher):
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
                    path = root.joinpath(*path.parts[2:])
                if allowed_file(path, roots) and path.is_file():
                    data = rebuilt.get(path.resolve())
                    return URLFetcherResponse(url, path.read_bytes() if data is None else data,
                                              {"Content-Type": _mime(path)})
            refused.append(url)
            raise ValueError(f"refused: {url}")

    return ConfinedFetcher()


def shipped(ms: Manuscript) -> tuple[tuple[str, bytes], ...]:
    """(resolved path, bytes) of the book's files that editions ship rebuilt (its SVGs)."""
    return tuple(sorted((str(a.path.resolve()), a.data) for a in ms.assets if a.data is not None))


def outside_book(ms: Manuscript, refused: list[str]) -> BookError:
    """The error of a print edition that asked for a file outside the book."""
    return BookError(f"the print edition asked for '{shown(refused[0])}', which is outside the book",
                     ms.book.config_file, 0, 0,
                     "a book may use only files inside its folder; nothing is fetched from the network",
                     rule="outside-book")


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """WeasyPrint's warnings while the block runs, collected instead of printed."""
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    previous, logger.propagate = logger.propagate, False
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        logger.propagate = previous


def layout(ms: Manuscript, html: str | None = None) -> Layout:
    """Lay a document of the print machinery (a handout) out at once, as one WeasyPrint document,
    again while a word's hyphen falls badly or a line is loose (:mod:`.repair`)."""
    stamp = build_time(ms.meta.date)
    weasyprint = prepare_weasyprint()
    refused: list[str] = []
    if html is None:
        html = render_print(ms)
    check_printed(html, text_sources(ms), ms.book.config_file, ms.meta)

    fetcher = confined_fetcher(ms.book.root, allowed_roots(ms), plan(ms), refused, shipped(ms))
    source, done = repair.number_blocks(html), repair.Repairs()
    with weasyprint_warnings() as messages, collector_paused():
        for round_ in range((repair.ROUNDS if ms.meta.print.repair else 0) + 1):
            doc = weasyprint.HTML(string=repair.apply(source, done), base_url=f"file:///{BOOK_ROOT}/",
                                  url_fetcher=fetcher).render()
            if round_ == repair.ROUNDS or not ms.meta.print.repair or refused:
                break
            done = repair.next_round([page._page_box for page in doc.pages], done, round_)
            if done is None:
                break
    doc.metadata.created = doc.metadata.modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    if refused:
        raise outside_book(ms, refused)
    return Layout(doc, _front_pages(ms, doc), messages, ms.meta, stamp)


INDEX_SECTION = re.compile(r"<!--book-index-->.*<!--/book-index-->", re.S)
"""The print HTML's index section (:func:`book.render.render_print` gives its heading only)."""


def with_index(ms: Manuscript, lay: Layout) -> str:
    """The print HTML with its index's page numbers read from ``lay``, the same HTML laid out with
    the index's heading only: the index is the book's last section, so nothing before it moves
    when it is filled. Laid out, it is the book a build prints (a build lays the index out as a
    job of its own, from the jobs before it: :mod:`.paginate`)."""
    html = render_print(ms)
    if not ms.has_index:
        return html
    places = print_places((page.anchors for page in lay.document.pages), lay.label)  # type: ignore[attr-defined]
    return INDEX_SECTION.sub(lambda _m: render_print_index(ms, places), html, count=1)


def _front_pages(ms: Manuscript, doc) -> int:
    first_body = first_body_id(ms)
    if first_body:
        for i, page in enumerate(doc.pages):
            if first_body in page.anchors:
                return i
    return 0


def text_sources(ms: Manuscript) -> list[Path]:
    """The files whose text the print edition shows, in the order a reader meets it."""
    return [ms.book.config_file, *(ch.source.path for ch in ms.chapters), *ms.meta.bibliography]


def first_body_id(ms: Manuscript) -> str:
    for item in ms.body:
        return item.id
    return ""


def _mime(path: Path) -> str:
    return {".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2", ".css": "text/css",
            ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
            ".svg": "image/svg+xml", ".webp": "image/webp"}.get(path.suffix.lower(), "application/octet-stream")
