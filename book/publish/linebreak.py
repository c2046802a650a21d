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


def install() -> None:
    """Patch the layout's ``split_first_line`` (idempotent)."""
    global _installed
    if _installed:
        return
    from weasyprint.layout import inline

    original = inline.split_first_line

    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                         minimum=False):
        if (max_width is not None and max_width != inf and not minimum and text.endswith(" ")
                and style["white_space"] in ("normal", "pre-line")):
            stripped = text.rstrip(" ")
            if stripped:
                _layout, _length, resume, width, _h, _b = original(
                    stripped, style, context, max_width, justification_spacing, is_line_start, minimum)
                if resume is None and width <= max_width:
                    # It fits once its trailing space hangs: lay the whole text out on one line.
                    return original(text, style, context, None, justification_spacing, is_line_start, minimum)
        return original(text, style, context, max_width, justification_spacing, is_line_start, minimum)

    inline.split_first_line = split_first_line
    _installed = True
