"""What every template of a medium is given about the book."""

from __future__ import annotations

from ..load.looks import rewrite_urls
from ..model import Manuscript
from .faces import credits_line, has_formulas, plan


def context(ms: Manuscript, **extra) -> dict:
    """The manuscript, its metadata, its words (``t``: the generated words in the book's language,
    :mod:`book.locales`), the direction of its script, its style and the faces it is set in, with
    the page's own variables."""
    faces = plan(ms)
    return {"ms": ms, "meta": ms.meta, "t": ms.meta.words, "dir": ms.meta.words.dir, "style": ms.meta.style,
            "faces": faces, "font_credits": credits_line(ms.meta, faces, has_formulas(ms)),
            "own_css": frozenset(e for sheet in ms.meta.css for e in sheet.editions), **extra}


def book_css(ms: Manuscript, edition: str, to=lambda rel: rel) -> str:
    """The book's own stylesheets for ``edition`` (``print``, ``epub``, ``web``, ``handout``), one
    after the other, each ``url()`` pointing where ``to`` says the book's file is in the edition."""
    return "\n".join(f"/* {sheet.rel} */\n" + rewrite_urls(sheet, to)
                     for sheet in ms.meta.css if edition in sheet.editions)


OWN_CSS = {"epub": "styles/book-own.css", "web": "assets/book-own.css"}
"""Where the book's own stylesheets go, as one file, in the editions made of many files."""
