"""What every template of a medium is given about the book."""

from __future__ import annotations

from ..fonts import font_credits
from ..model import Manuscript


def uses(ms: Manuscript) -> tuple[bool, bool]:
    """Whether the book has code, and whether it has mathematics (which fonts it needs beyond the text's)."""
    fragments = [ch.html for ch in ms.chapters] + [fn.html for ch in ms.chapters for fn in ch.footnotes]
    return any("<code" in f for f in fragments), any("<math" in f or "<svg" in f for f in fragments)


def context(ms: Manuscript, **extra) -> dict:
    """The manuscript, its metadata and the font credits, with the page's own variables."""
    return {"ms": ms, "meta": ms.meta, "font_credits": font_credits(*uses(ms)), **extra}
