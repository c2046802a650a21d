"""The manuscript as print lays it out: what paper needs that a screen does not.

Each chapter's formulas drawn as vector outlines (:mod:`.mathsvg`), each
cross-reference given its page number at the end of its clause
(:mod:`.pagerefs`), and the book's hyphenation exceptions written into its words
(:mod:`.hyphenation`). The print edition and the handouts lay out this
manuscript; the screen editions, the one :mod:`book.resolve` made.
"""

from __future__ import annotations

import dataclasses

from ..model import Manuscript, ResolvedChapter, ResolvedPart
from .hyphenation import hyphenator
from .mathsvg import svg_math
from .pagerefs import clause_references


def print_manuscript(ms: Manuscript) -> Manuscript:
    """The manuscript for print (the same value when print needs nothing of its own)."""
    hyphenate = hyphenator(ms.meta.hyphenation)

    def chapter(ch: ResolvedChapter) -> ResolvedChapter:
        return _chapter(ch, hyphenate)

    def body(item):
        if isinstance(item, ResolvedPart):
            return dataclasses.replace(item, chapters=tuple(chapter(c) for c in item.chapters))
        return chapter(item)

    front = tuple(chapter(c) for c in ms.front)
    main = tuple(body(item) for item in ms.body)
    back = tuple(chapter(c) for c in ms.back)
    if front == ms.front and main == ms.body and back == ms.back:
        return ms
    return dataclasses.replace(ms, front=front, body=main, back=back)


def _chapter(ch: ResolvedChapter, hyphenate) -> ResolvedChapter:
    texts = (ch.html, *(fn.html for fn in ch.footnotes))
    if hyphenate is None and not any("<math" in text or 'class="xref' in text for text in texts):
        return ch

    def for_print(fragment: str) -> str:
        fragment = clause_references(svg_math(fragment))
        return hyphenate(fragment) if hyphenate is not None else fragment

    notes = tuple(dataclasses.replace(fn, html=for_print(fn.html), inline_html=for_print(fn.inline_html))
                  for fn in ch.footnotes)
    return dataclasses.replace(ch, html=for_print(ch.html), footnotes=notes)
