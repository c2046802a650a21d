"""WeasyPrint as the print editions use it: imported and adjusted in one explicit call.

WeasyPrint 70 is used with changes of our own, each a replacement of one
of its (or pydyf's) functions, and each documented in its module:

* :mod:`.fontsubset` — one font subsetter on every machine (fontTools), and a fast one;
* :mod:`.speedups` — font cleaning and page references that scale with the book, and
  an import that skips sixteen library lookups for other platforms;
* :mod:`.linebreak` — a line that fits once its trailing space hangs is not broken;
* :mod:`.jobhooks` — a chapter laid out apart from the book pauses before its margin
  boxes, keeps its links to other chapters and leaves its fonts to the join.
* :mod:`.formulas` — a formula's SVG is tagged ``Formula``, not ``Figure``.

Nothing is changed when a module is imported: :func:`prepare_weasyprint` makes the
changes, once per process, and every publisher that lays out or writes a PDF
calls it first (``tests/test_perf_means.py`` checks that each change makes the
same bytes as WeasyPrint's own code).
"""

from __future__ import annotations

from types import ModuleType

from . import fontsubset, formulas, jobhooks, linebreak, speedups


def prepare_weasyprint() -> ModuleType:
    """The ``weasyprint`` module, imported, with our changes made (idempotent)."""
    weasyprint = speedups.import_weasyprint()  # about 0.2 s sooner than `import weasyprint` on Linux
    fontsubset.install()
    speedups.install()  # after fontsubset: font cleaning and page references that scale with the book
    linebreak.install()  # a line that fits without its trailing space, before an inline element, fits
    formulas.install()  # formulas are Formula elements in the structure tree
    jobhooks.install()  # inert but for the layout jobs of book/publish/piece.py
    return weasyprint
