"""The print edition: the whole book laid out by WeasyPrint.

The layout is computed once (:func:`layout`) and can be written more than
once — the print PDF here, the archival PDF/A-3 from the same pages.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..errors import BookError
from ..model import Manuscript
from ..render import TEMPLATES, fonts, render_print
from . import Output, write_atomic


def _allowed_roots(ms: Manuscript) -> tuple[Path, ...]:
    return (ms.book.root, TEMPLATES, *{f.path.parent for f in fonts()})


@dataclass
class Layout:
    """A laid-out print edition: WeasyPrint's document and what we learnt from it."""

    document: object
    """``weasyprint.Document``."""
    front_pages: int
    """Pages before the body's page 1 (numbered in roman)."""
    warnings: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.document.pages)  # type: ignore[attr-defined]

    def label(self, index: int) -> str:
        """The printed folio of page ``index`` (0-based): "iii" or "57"."""
        from ..render import roman
        return roman(index + 1) if index < self.front_pages else str(index - self.front_pages + 1)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def layout(ms: Manuscript, html: str | None = None) -> Layout:
    """Lay the print edition out once."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(_epoch(ms.meta.date)))
    if not os.environ.get("SOURCE_DATE_EPOCH"):
        os.environ["SOURCE_DATE_EPOCH"] = str(_epoch(ms.meta.date))
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from .fontsubset import install
    install()

    roots = _allowed_roots(ms)
    refused: list[str] = []

    class ConfinedFetcher(URLFetcher):
        """Reads files of the book, the templates and the pinned fonts; nothing else, never the network."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(url2pathname(unquote(parts.path)))
                from ..confine import allowed_file
                if allowed_file(path, roots) and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})
            refused.append(url)
            raise ValueError(f"refused: {url}")

    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    previous, logger.propagate = logger.propagate, False
    try:
        doc = weasyprint.HTML(string=html if html is not None else render_print(ms),
                              base_url=ms.book.root.as_uri() + "/",
                              url_fetcher=ConfinedFetcher()).render()
    finally:
        logger.removeHandler(collector)
        logger.propagate = previous
    if refused:
        raise BookError(f"the print edition asked for '{refused[0]}', which is outside the book",
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
    return Layout(doc, front, collector.messages)


def _first_body_id(ms: Manuscript) -> str:
    for item in ms.body:
        return item.id
    return ""


def _epoch(date: str) -> int:
    import datetime as dt
    d = dt.date.fromisoformat(date)
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp())


def _mime(path: Path) -> str:
    return {".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2", ".css": "text/css",
            ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
            ".svg": "image/svg+xml", ".webp": "image/webp"}.get(path.suffix.lower(), "application/octet-stream")


def page_labels(front_pages: int):
    """A WeasyPrint finisher that writes /PageLabels: roman for the front matter, then 1, 2, 3 …"""
    def finisher(_document, pdf) -> None:
        import pydyf
        nums = pydyf.Array()
        if front_pages:
            nums.extend([0, pydyf.Dictionary({"S": "/r"})])
        nums.extend([front_pages, pydyf.Dictionary({"S": "/D", "St": 1})])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})
    return finisher


def write_pdf(lay: Layout, target: Path, **options) -> None:
    """Write one PDF of a layout, atomically."""
    write_atomic(target, lambda tmp: lay.document.write_pdf(  # type: ignore[attr-defined]
        tmp, pdf_tags=True, pdf_identifier=True, finisher=page_labels(lay.front_pages), **options))


class PdfPublisher:
    name = "pdf"
    description = "print PDF: the book as printed and bound"

    def publish(self, ms: Manuscript, out: Path, lay: Layout | None = None) -> list[Output]:
        lay = lay or layout(ms)
        target = out / f"{ms.meta.slug}.pdf"
        write_pdf(lay, target)
        return [Output(target, self.name, lay.page_count)]
