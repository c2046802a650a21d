"""What every template of a medium is given about the book."""

from __future__ import annotations

from ..fonts import FONT_CREDITS
from ..model import Manuscript


def context(ms: Manuscript, **extra) -> dict:
    """The manuscript, its metadata and the font credits, with the page's own variables."""
    return {"ms": ms, "meta": ms.meta, "font_credits": FONT_CREDITS, **extra}
