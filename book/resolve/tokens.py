"""Small helpers over a chapter's markdown-it tokens that every pass of resolve uses."""

from __future__ import annotations

from markdown_it.token import Token

from ..errors import BookError
from ..model import Chapter
from .rawhtml import RawHTMLError, clean


def walk(tokens: list[Token]):
    """Every token and every inline child, in order."""
    for token in tokens:
        yield token
        if token.children:
            yield from token.children


def line_of(ch: Chapter, token: Token | None, parent: Token | None = None) -> int:
    """The line of the chapter file a token (or, without a map of its own, its parent) starts on."""
    source = token if token is not None and token.map else parent
    if source is not None and source.map:
        return ch.body_line + source.map[0]
    return ch.body_line


def raw_html(ch: Chapter, token: Token, parent: Token | None) -> str:
    """A raw HTML token of the chapter, cleaned by :mod:`.rawhtml`, or an error at its line."""
    try:
        return clean(token.content)
    except RawHTMLError as exc:
        raise BookError(f"raw HTML refused: {exc}", ch.path, line_of(ch, token, parent), 1,
                        "write it in Markdown, or use only the allowed tags (see README, 'Raw HTML')",
                        rule="raw-html") from None


def split_notes(tokens: list[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    """The text's tokens, and each footnote's tokens by its id."""
    main: list[Token] = []
    notes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    for token in tokens:
        if token.type in ("footnote_block_open", "footnote_block_close"):
            continue
        if token.type == "footnote_open":
            current = notes.setdefault(token.meta["id"], [])
            continue
        if token.type == "footnote_close":
            current = None
            continue
        if token.type == "footnote_anchor":
            continue
        (current if current is not None else main).append(token)
    return main, notes
