"""Keep every footnote on the page of its call, which WeasyPrint 70 sometimes does not.

When the second line of a paragraph overflows a page that already holds
footnotes, and breaking before that line would leave a single orphan line,
WeasyPrint moves the page's footnotes to the next page to make room for the
line (``weasyprint/layout/block.py``, ``_linebox_layout``: "first try to report
footnotes"). The page then ends with two lines of a new paragraph and its
notes sit overleaf, away from their calls, which CSS GCPM forbids and a
reader notices at once.

We lay out, find the first page whose notes went to a later page, and lay out
again with the paragraph that ends that page starting a new page — what the
orphans rule does on a page without notes. Pages before it are unchanged, so
each round settles one page; it stops when nothing is displaced, or when the
same paragraph comes back. A book with no displaced note is laid out once.

The templates number paragraphs (``data-keep``, :func:`number_blocks`) and
set ``break-before: page`` on the numbers they are given; Python only finds
which ones.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence, TypeVar

L = TypeVar("L")

_BLOCK = re.compile(r"<(p|li)(?=[\s>])")
MAX_ROUNDS = 12
"""A bound on the layouts for one document; each round fixes one page."""


def number_blocks(html: str, prefix: str, attribute: str = "data-keep") -> str:
    """Give every ``<p>`` and ``<li>`` of a chapter's HTML a ``data-keep`` name
    (``<prefix>-1``, ``<prefix>-2`` …; ``1``, ``2`` … without a prefix), so that a laid-out line
    can be traced back to its paragraph. The prefix (the chapter's id) keeps names unique in a
    document; :mod:`.repair` numbers a whole document in an ``attribute`` of its own."""
    counter = iter(range(1, 1 << 30))
    name = (lambda n: f"{prefix}-{n}") if prefix else str
    return _BLOCK.sub(lambda m: f'<{m.group(1)} {attribute}="{name(next(counter))}"', html)


def keep_notes_with_calls(lay_out: Callable[[Sequence[str]], L], pages_of: Callable[[L], list]) -> L:
    """Lay out with ``lay_out(breaks)`` (``breaks``: the ``data-keep`` values of paragraphs
    that must start a page) until no footnote is on a later page than its call."""
    breaks: list[str] = []
    lay = lay_out(tuple(breaks))
    for _round in range(MAX_ROUNDS):
        culprit = first_displaced(pages_of(lay))
        if culprit is None or culprit in breaks:
            break
        breaks.append(culprit)
        lay = lay_out(tuple(breaks))
    return lay


def first_displaced(pages: list) -> str | None:
    """The ``data-keep`` of the paragraph ending the first page whose notes went overleaf,
    or None when every note is on the page of its call (or the paragraph cannot be moved)."""
    for page in pages:
        calls: list[str] = []
        lines: list = []
        _walk(page._page_box, calls, lines)
        away = [ident for ident in calls if ident not in page.anchors]
        if not away or not lines:
            continue
        last, first = lines[-1].element, lines[0].element
        if last is None or not last.get("data-keep") or last is first:
            return None  # not a paragraph we can move, or the page is all one paragraph
        return last.get("data-keep")
    return None


def _walk(box, calls: list[str], lines: list) -> None:
    """Footnote calls and line boxes of the page's main flow, in order."""
    kind = type(box).__name__
    if kind in ("FootnoteAreaBox", "MarginBox"):
        return
    footnote = getattr(box, "footnote", None)
    if footnote is not None and footnote.element is not None and footnote.element.get("id"):
        calls.append(footnote.element.get("id"))
    if kind == "LineBox":
        lines.append(box)
    for child in getattr(box, "children", None) or ():
        _walk(child, calls, lines)
