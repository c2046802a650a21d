"""The print edition: the book's print layout written as a tagged PDF.

The layout is computed once (:mod:`.layout`) and can be written more than
once — the print PDF here, the archival PDF/A-3 from the same pages.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BookError
from ..fonts import CODE, DISPLAY, TEXT
from ..model import Manuscript
from ..staging import write_atomic
from . import Output, Supplies
from .editions import EDITIONS
from .layout import Layout
from .speedups import collector_paused
from .stamp import build_time


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


PINNED_FAMILIES = (TEXT, DISPLAY, CODE)
"""The roles' family names: every face of a book — pinned, the book's own, or a script fallback
(``Book Garamond Amiri``) — is declared under one of them or a name that begins with one
(:mod:`book.render.faces`)."""


def pinned_fonts_only(document, _pdf) -> None:
    """A finisher that refuses a PDF using any font but the book's: a glyph its fonts lack would
    come from the machine's fontconfig (and differ from machine to machine).
    :mod:`book.render.fontcheck` finds such characters in the author's text first, with their line."""
    strays = sorted(family for family in {font.family for font in document.fonts.values()}
                    if not family.startswith(PINNED_FAMILIES))
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

    with collector_paused():
        write_atomic(target, lambda tmp: lay.document.write_pdf(  # type: ignore[attr-defined]
            tmp, pdf_tags=True, pdf_identifier=True, finisher=finisher, **options))


def publish(ms: Manuscript, out: Path, supplies: Supplies) -> list[Output]:
    """The print PDF, from the build's print layout."""
    lay = supplies.layout()
    target = EDITIONS["pdf"].path(ms.meta, out)
    write_pdf(lay, target)
    return [Output(target, "pdf", lay.page_count)]
