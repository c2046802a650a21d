"""The manuscript as print lays it out: what paper needs that a screen does not.

Each chapter's formulas drawn as vector outlines (:mod:`.mathsvg`) and each
cross-reference given its page number at the end of its clause
(:mod:`.pagerefs`). The print edition and the handouts lay out this
manuscript; the screen editions, the one :mod:`book.resolve` made.
"""

from __future__ import annotations

import dataclasses

from ..model import Manuscript, ResolvedChapter, ResolvedPart
from .mathsvg import svg_math
from .pagerefs import clause_references


def print_manuscript(ms: Manuscript) -> Manuscript:
    """The manuscript for print (the same value when print needs nothing of its own)."""
    def body(item):
        if isinstance(item, ResolvedPart):
            return dataclasses.replace(item, chapters=tuple(_chapter(c) for c in item.chapters))
        return _chapter(item)

    front = tuple(_chapter(c) for c in ms.front)
    main = tuple(body(item) for item in ms.body)
    back = tuple(_chapter(c) for c in ms.back)
    if front == ms.front and main == ms.body and back == ms.back:
        return ms
    return dataclasses.replace(ms, front=front, body=main, back=back)


def _for_print(fragment: str) -> str:
    return clause_references(svg_math(fragment))


def _chapter(ch: ResolvedChapter) -> ResolvedChapter:
    texts = (ch.html, *(fn.html for fn in ch.footnotes))
    if not any("<math" in text or 'class="xref' in text for text in texts):
        return ch
    notes = tuple(dataclasses.replace(fn, html=_for_print(fn.html), inline_html=_for_print(fn.inline_html))
                  for fn in ch.footnotes)
    return dataclasses.replace(ch, html=_for_print(ch.html), footnotes=notes)
