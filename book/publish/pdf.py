"""The print edition: the book's print layout written as a tagged PDF.

The book is laid out once, as pieces (:mod:`.printlayout`), and joined more
than once — the print PDF here, the archival PDF/A-3 from the same pieces
(:mod:`.join`). A handout is written whole, by WeasyPrint (:func:`write_pdf`),
with the finishers every piece gets too (:mod:`.finishers`).
"""

from __future__ import annotations

from pathlib import Path

from ..model import Manuscript
from ..staging import write_atomic
from . import Output, Supplies
from .editions import EDITIONS
from .finishers import bleed_box, pinned_fonts_only
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
    """The print PDF, joined from the build's print layout."""
    from .join import write_joined

    lay = supplies.layout()
    target = EDITIONS["pdf"].path(ms.meta, out)
    write_atomic(target, lambda tmp: write_joined(lay, tmp, "print"))
    return [Output(target, "pdf", lay.page_count)]
