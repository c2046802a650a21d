"""Typographic quotes in linear time: markdown-it's ``smartquotes`` rule, its results unchanged.

markdown-it-py rewrites a text's whole string for every quote it curls and, to close a quote,
searches its whole stack of open ones: a paragraph of a hundred thousand quotes took minutes
(``tests/test_hostile_input.py``). This rule decides exactly as markdown-it's does (a property
test compares the two, ``tests/test_fuzz_readers.py``), but holds each text as a list of
characters, changed in place, and finds the open quote to close in constant time: the stack's
levels never decrease from bottom to top, so the topmost open quote of a kind is the match, or
there is none.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace

QUOTE = re.compile(r"['\"]")
APOSTROPHE = "\u2019"
SPACE = 0x20


def smartquotes(state: Any) -> None:
    """The core rule: curl the quotes of every inline token (with the typographer on)."""
    if not state.md.options.typographer:
        return
    for token in state.tokens:
        if token.type == "inline" and token.children is not None and QUOTE.search(token.content):
            _process(token.children, state.md.options.quotes)


def _last(chars: list[str]) -> int | None:
    """The code of the last character of a text held as a list of pieces (a piece may be a
    two-character quote such as French ``«\\u202f``), or None if it is empty."""
    for piece in reversed(chars):
        if piece:
            return ord(piece[-1])
    return None


def _process(tokens: list, quotes) -> None:
    texts: dict[int, list[str]] = {}
    """Each text token's characters, by index, while they are changed."""
    stack: list[tuple[int, int, bool, int]] = []
    """Open quotes: (token index, position, single, level); levels never fall towards the top."""
    tops: dict[bool, list[int]] = {True: [], False: []}
    """Indexes into ``stack`` of the single (True) and double open quotes, in order."""

    def truncate(length: int) -> None:
        del stack[length:]
        for kind in tops.values():
            while kind and kind[-1] >= length:
                kind.pop()

    def chars(index: int) -> list[str]:
        if index not in texts:
            texts[index] = list(tokens[index].content)
        return texts[index]

    def content_empty(index: int) -> bool:
        return not texts[index] if index in texts else not tokens[index].content

    for i, token in enumerate(tokens):
        level = token.level
        keep = len(stack)
        while keep and stack[keep - 1][3] > level:
            keep -= 1
        truncate(keep)
        if token.type != "text":
            continue
        text = token.content
        for found in QUOTE.finditer(text):
            at = found.start()
            single = found.group() == "'"
            current = chars(i)
            last: int | None = SPACE
            if at > 0:
                last = ord(current[at - 1][-1]) if current[at - 1] else None
            else:
                for j in range(i - 1, -1, -1):
                    if tokens[j].type in ("softbreak", "hardbreak"):
                        break
                    if content_empty(j):
                        continue
                    last = _last(texts[j]) if j in texts else ord(tokens[j].content[-1])
                    break
            following: int | None = SPACE
            if at + 1 < len(text):
                following = ord(text[at + 1])
            else:
                for j in range(i + 1, len(tokens)):
                    if tokens[j].type in ("softbreak", "hardbreak"):
                        break
                    if content_empty(j):
                        continue
                    following = ord((texts[j][0] if j in texts else tokens[j].content)[0])
                    break
            _decide(tokens, i, at, single, level, last, following, current, chars, stack, tops, truncate, quotes)
    for index, pieces in texts.items():
        tokens[index].content = "".join(pieces)


def _decide(tokens, i, at, single, level, last, following, current, chars, stack, tops, truncate, quotes) -> None:
    """markdown-it's decision for the quote at ``at`` of text token ``i``, applied in place."""
    last_punct = last is not None and (isMdAsciiPunct(last) or isPunctChar(chr(last)))
    next_punct = following is not None and (isMdAsciiPunct(following) or isPunctChar(chr(following)))
    last_space = last is not None and isWhiteSpace(last)
    next_space = following is not None and isWhiteSpace(following)
    can_open = can_close = True
    if next_space or (next_punct and not (last_space or last_punct)):
        can_open = False
    if last_space or (last_punct and not (next_space or next_punct)):
        can_close = False
    if following == 0x22 and not single and last is not None and 0x30 <= last <= 0x39:
        can_close = can_open = False  # 1"" : the first is an inch
    if can_open and can_close:
        can_open, can_close = last_punct, next_punct
    if not can_open and not can_close:
        if single:  # in the middle of a word
            current[at] = APOSTROPHE
        return
    if can_close and tops[single]:
        j = tops[single][-1]
        token_index, position, _single, open_level = stack[j]
        if open_level == level:
            open_quote, close_quote = (quotes[2], quotes[3]) if single else (quotes[0], quotes[1])
            current[at] = close_quote
            chars(token_index)[position] = open_quote
            truncate(j)
            return
    if can_open:
        tops[single].append(len(stack))
        stack.append((i, at, single, level))
    elif can_close and single:
        current[at] = APOSTROPHE
