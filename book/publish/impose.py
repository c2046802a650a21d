"""Saddle-stitch imposition: pages of half the sheet, two-up, in folding order.

A booklet of ``4k`` pages is ``k`` sheets printed on both sides, nested and
folded once down the middle. Each sheet carries four pages, two on its front
and two on its back, in an order that looks scrambled flat and reads 1, 2, 3 …
once folded. The sheets are printed duplex with the *short-edge* flip: the
back of a landscape sheet is turned over like a book page, so the half behind
the front's right half is the back's left half, and no side is rotated.

Each half page is placed on the sheet as a form XObject (pikepdf, that is
qpdf): the page stays a self-contained drawing with its own resources, so
nothing is renamed or spliced into the sheet's content stream, and the page's
links and tags are left behind with it. qpdf also gives the file an
identifier derived from its content, so that the same booklet has the same
bytes. No PDF syntax is written by hand.
"""

from __future__ import annotations

import io
from pathlib import Path

Slot = int | None
"""A 0-based page index of the laid-out document, or None for a blank half page."""


def padded(pages: int) -> int:
    """How many half pages a booklet of ``pages`` pages has: the next multiple of four."""
    return pages + (-pages) % 4


def saddle_stitch(pages: int) -> list[tuple[Slot, Slot]]:
    """The (left, right) half pages of every sheet side, in the order they are printed:
    sheet 1 front, sheet 1 back, sheet 2 front …

    Sheet ``s`` (0-based, outermost first) of an ``n``-page booklet holds, on its front,
    page ``n - 2s`` on the left and ``2s + 1`` on the right (1-based): the first sheet's
    front is the back cover and the front cover. Its back holds ``2s + 2`` on the left
    and ``n - 2s - 1`` on the right. Pages past the last real one are blank (None)."""
    n = padded(pages)
    sides: list[tuple[int, int]] = []
    for s in range(n // 4):
        sides.append((n - 1 - 2 * s, 2 * s))
        sides.append((2 * s + 1, n - 2 - 2 * s))
    return [(_real(left, pages), _real(right, pages)) for left, right in sides]


def _real(index: int, pages: int) -> Slot:
    return index if index < pages else None


def impose(pdf: bytes, target: Path) -> int:
    """Write the booklet of the PDF ``pdf`` (pages of one size) to ``target``; return its
    page count (sheet sides). The document information and XMP metadata are kept; links,
    outlines and tags are not, since a folded sheet has nowhere to jump to."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as source, pikepdf.new() as booklet:
        box = source.pages[0].mediabox
        width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
        forms = [booklet.copy_foreign(page.as_form_xobject()) for page in source.pages]
        for left, right in saddle_stitch(len(source.pages)):
            sheet = booklet.add_blank_page(page_size=(2 * width, height))
            for slot, index in ((0, left), (1, right)):
                if index is None:
                    continue
                # What Page.add_overlay does, but with a stable resource name (it picks a random one).
                name = sheet.add_resource(forms[index], pikepdf.Name.XObject, pikepdf.Name(f"/Page{index + 1}"))
                rect = pikepdf.Rectangle(slot * width, 0, (slot + 1) * width, height)
                sheet.contents_add(sheet.calc_form_xobject_placement(forms[index], name, rect))
            sheet.contents_coalesce()
        booklet.docinfo = booklet.copy_foreign(source.docinfo)
        if "/Metadata" in source.Root:  # the XMP packet
            booklet.Root.Metadata = booklet.copy_foreign(source.Root.Metadata)
        # A viewer's window shows the title, as the flat handout's does.
        booklet.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        # The file identifier is a hash of the content: the same booklet, the same bytes.
        booklet.save(target, deterministic_id=True, min_version=source.pdf_version)
        return len(booklet.pages)
