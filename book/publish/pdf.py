"""The print edition: the whole book laid out by WeasyPrint.

The layout is computed once (:func:`layout`) and can be written more than
once — the print PDF here, the archival PDF/A-3 from the same pages.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..confine import shown
from ..errors import BookError
from ..model import Manuscript, Metadata
from ..render import TEMPLATES, fonts, render_print
from . import Output, build_time, write_atomic


BOOK_ROOT = "__book__"
"""The book folder's name in the URLs WeasyPrint sees (``file:///__book__/images/map.png``).
WeasyPrint names each image in the PDF after a hash of its URL: with the real path, the
same book gave different bytes in every checkout."""


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
    meta: Metadata | None = None
    """The book's metadata, for the PDF's Info and XMP."""
    stamp: dt.datetime | None = None
    """The build's one timestamp (:func:`book.publish.build_time`)."""

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


MAX_DATA_URL = 64 * 1024
"""Longest ``data:`` URL the fetcher decodes: the stylesheet's ornaments, not smuggled images."""


def layout(ms: Manuscript, html: str | None = None) -> Layout:
    """Lay the print edition out once."""
    stamp = build_time(ms.meta.date)
    # fontTools stamps the clock into the fonts it writes unless SOURCE_DATE_EPOCH is set.
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    from . import speedups
    weasyprint = speedups.import_weasyprint()  # about 0.2 s sooner than `import weasyprint` on Linux
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from .fontsubset import install
    install()
    speedups.install()  # after fontsubset: font cleaning and page references that scale with the book
    from . import linebreak
    linebreak.install()  # a line that fits without its trailing space, before an inline element, fits

    roots = _allowed_roots(ms)
    refused: list[str] = []

    class ConfinedFetcher(URLFetcher):
        """Reads files of the book, the templates and the pinned fonts, and ``data:`` URLs
        (the stylesheet's small SVG ornaments); nothing else, never the network."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data" and len(url) <= MAX_DATA_URL:
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(url2pathname(unquote(parts.path)))
                if path.parts[:2] == ("/", BOOK_ROOT):
                    path = ms.book.root.joinpath(*path.parts[2:])
                from ..confine import allowed_file
                if allowed_file(path, roots) and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})
            refused.append(url)
            raise ValueError(f"refused: {url}")

    if html is None:
        html = render_print(ms)
    from ..fontcheck import check_printed
    check_printed(html, _text_sources(ms), ms.book.config_file)

    collector = _Collector()

    def render(text: str):
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        previous, logger.propagate = logger.propagate, False
        try:
            with speedups.collector_paused():
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
            check_printed(text, _text_sources(ms), ms.book.config_file)
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


def bleed_box(bleed_mm: float):
    """A finisher that sets each page's /BleedBox to the book's real bleed around the trim box
    (WeasyPrint makes it the whole CSS bleed, capped at 10 pt, and our CSS bleed also holds
    the slug where the crop marks are drawn). Never beyond the MediaBox: a layout without
    bleed (a handout of a book that has one) keeps BleedBox = TrimBox."""
    def finisher(_document, pdf) -> None:
        import pydyf
        pad = bleed_mm * 72 / 25.4
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/Page" and "TrimBox" in obj:
                left, top, right, bottom = obj["TrimBox"]
                m_left, m_top, m_right, m_bottom = obj["MediaBox"]
                obj["BleedBox"] = pydyf.Array([max(left - pad, m_left), max(top - pad, m_top),
                                               min(right + pad, m_right), min(bottom + pad, m_bottom)])
    return finisher


PINNED_FAMILIES = frozenset(f.family for f in fonts())


def pinned_fonts_only(document, _pdf) -> None:
    """A finisher that refuses a PDF using any font but the pinned ones: a glyph the pinned
    fonts lack would come from the machine's fontconfig (and differ from machine to machine).
    :mod:`book.fontcheck` finds such characters in the author's text first, with their line."""
    strays = sorted({font.family for font in document.fonts.values()} - PINNED_FAMILIES)
    if strays:
        raise BookError(f"the print edition needed the system font {strays[0]!r} for a character the "
                        "book's fonts lack", hint="run `build.py check` to find the character",
                        rule="font-coverage")


def write_pdf(lay: Layout, target: Path, edition: str = "print", finish=None, **options) -> None:
    """Write one PDF of a layout, atomically: page labels, Info and XMP from book.yaml,
    only the pinned fonts; ``finish`` is a further WeasyPrint finisher (the archive's)."""
    from .pdfmeta import finisher as metadata

    steps = [page_labels(lay.front_pages), pinned_fonts_only]
    if lay.meta is not None:
        steps.append(bleed_box(lay.meta.print.bleed_mm))
        variant = options.get("pdf_variant") or ""
        part = int(variant[6]) if variant.startswith("pdf/a-") else 0
        steps.append(metadata(lay.meta, lay.stamp or build_time(lay.meta.date), edition, part,
                              variant[7:].upper() if part else ""))
    if finish is not None:
        steps.append(finish)

    def finisher(document, pdf) -> None:
        for step in steps:
            step(document, pdf)

    from .speedups import collector_paused
    with collector_paused():
        write_atomic(target, lambda tmp: lay.document.write_pdf(  # type: ignore[attr-defined]
            tmp, pdf_tags=True, pdf_identifier=True, finisher=finisher, **options))


class PdfPublisher:
    name = "pdf"
    description = "print PDF: the book as printed and bound"

    def publish(self, ms: Manuscript, out: Path, lay: Layout | None = None) -> list[Output]:
        lay = lay or layout(ms)
        target = out / f"{ms.meta.slug}.pdf"
        write_pdf(lay, target)
        return [Output(target, self.name, lay.page_count)]
