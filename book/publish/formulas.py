"""Formulas tagged as ``Formula`` in the PDF's structure tree, with the TeX as alternate text.

WeasyPrint 70 tags every image and inline SVG as a ``Figure`` (``_get_pdf_tag``
in ``weasyprint/pdf/tags.py``), taking an SVG's alternate text from its
``<title>``. Our formulas are inline SVGs of class ``math`` or ``math-display``
(:mod:`book.render.mathsvg`) whose title is their TeX. PDF/UA (ISO 14289-1,
7.7) wants mathematics tagged ``Formula`` with alternate text: :func:`install`
wraps WeasyPrint's ``_build_box_tree`` so that the structure element made for
such an SVG is a ``Formula`` — with the alternate text and layout box
WeasyPrint gave it as a figure. Every other element is tagged as before.
"""

from __future__ import annotations

_installed = False

MATH_CLASSES = frozenset({"math", "math-display"})


def _is_formula(box) -> bool:
    element = getattr(box, "element", None)
    if element is None or element.tag != "{http://www.w3.org/2000/svg}svg":
        return False
    return bool(MATH_CLASSES & set((element.get("class") or "").split()))


def install() -> None:
    """Patch WeasyPrint's structure-tree builder (idempotent)."""
    global _installed
    if _installed:
        return
    from weasyprint.pdf import tags

    original = tags._build_box_tree

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, tags_):
        formula = _is_formula(getattr(box, "_box", box))
        for element in original(box, parent, pdf, page_number, nums, annotations, tags_):
            if formula and element.get("S") == "/Figure":
                element["S"] = "/Formula"
            yield element

    tags._build_box_tree = build_box_tree
    _installed = True
