"""What WeasyPrint's PDF of a print layout gets before it is written: every piece of the
book (:mod:`.piece`) and every handout (:mod:`.pdf`)."""

from __future__ import annotations

from ..errors import BookError
from ..fonts import CODE, DISPLAY, TEXT


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
