"""A fix for a line-breaking fault of WeasyPrint 70 before inline elements.

A text box that ends just before an inline element (an index mark, a link,
``<em>``, a small-caps acronym) ends with the space between them. When the
text fits on the line only without that space, ``split_first_line`` measures
the line with the space, finds it too wide, and — since Pango found no break —
falls back to the *first* break opportunity: the line ends after its first word
("empire / fell / apart, lost the markets …"). CSS says a collapsible space at
the end of a line hangs (it is removed, css-text-3 §4.1.3), so a text that fits
without its trailing spaces fits. :func:`install` makes ``split_first_line``
say so, and leaves every other case to WeasyPrint.

Index marks made this fault frequent (every marked term is an inline element),
but it is WeasyPrint's, and any inline element triggers it. The paragraph of the
index fixture that broke "empire / fell / apart" is checked in
``tests/test_index_pages.py``.
"""

from __future__ import annotations

from math import inf

_installed = False

NARROWEST_ADVANCE = 0.15
"""A lower bound, in ems, on the mean advance of a run of text (EB Garamond's narrowest glyphs,
"i", "l" and the space, are about 0.22 em): a text longer than the measure's width over this
cannot fit on one line, so it cannot meet the fault and is not measured again."""


def install() -> None:
    """Patch the layout's ``split_first_line`` (idempotent)."""
    global _installed
    if _installed:
        return
    from weasyprint.layout import inline

    original = inline.split_first_line

    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                         minimum=False):
        first = original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        if first[2] is None or not _may_hang(text, style, max_width, minimum):
            return first  # it fits (the usual case), or it is too long to fit on one line anyway
        stripped = text.rstrip(" ")
        _layout, _length, resume, width, _h, _b = original(
            stripped, style, context, max_width, justification_spacing, is_line_start, minimum)
        if resume is None and width <= max_width:
            # It fits once its trailing space hangs: lay the whole text out on one line.
            return original(text, style, context, None, justification_spacing, is_line_start, minimum)
        return first

    inline.split_first_line = split_first_line
    _installed = True


def _may_hang(text: str, style, max_width, minimum: bool) -> bool:
    """Whether a text that did not fit might fit without its trailing spaces: it ends with a
    collapsible space and is short enough to fit on one line of ``max_width``."""
    if max_width is None or max_width == inf or minimum or not text.endswith(" "):
        return False
    if style["white_space"] not in ("normal", "pre-line"):
        return False
    stripped = len(text.rstrip(" "))
    if not stripped:
        return False
    if any(style[name] != "normal" and style[name] < 0 for name in ("letter_spacing", "word_spacing")):
        return True  # negatively tracked or spaced text: no bound on how much fits
    return stripped * NARROWEST_ADVANCE * style["font_size"] <= max_width
