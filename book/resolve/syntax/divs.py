"""Pandoc's fenced divs: ``::: {.callout-note #id title="…"}`` … ``:::``.

An opening fence is three or more colons and attributes (``{…}``, or one bare
class name as in ``::: warning``), optionally followed by more colons; a
closing fence is a line of three or more colons alone. Divs nest: a closing
fence closes the innermost open div, and fences inside a code block inside
the div do not count. Each div becomes ``div_open`` / ``div_close`` tokens
around its blocks, with its :class:`~.attributes.Attr` in ``meta["attrs"]``.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore

from .attributes import Attr, parse_attributes

_OPEN = re.compile(r":{3,}\s*(?P<rest>\S.*?)\s*$")
_CLOSE = re.compile(r":{3,}\s*$")
_BARE = re.compile(r"(?P<cls>[^\s{}:]+)\s*(?::+\s*)?$")
_FENCE = re.compile(r"(`{3,}|~{3,})")


def opening_fence(line: str) -> Attr | None:
    """The attributes of an opening fence line, or None if it is not one."""
    m = _OPEN.match(line)
    if not m:
        return None
    rest = m.group("rest")
    if rest.startswith("{"):
        found = parse_attributes(rest)
        if found is None or rest[found[1]:].strip(": \t"):
            return None
        return found[0]
    bare = _BARE.match(rest)
    return Attr(classes=(bare.group("cls"),)) if bare else None


def is_closing_fence(line: str) -> bool:
    return bool(_CLOSE.match(line))


def _line(state: StateBlock, n: int) -> str:
    return state.src[state.bMarks[n] + state.tShift[n]:state.eMarks[n]]


def _closing_line(state: StateBlock, start: int, end: int) -> int:
    """The line of the fence that closes the div opened on ``start``, or -1."""
    depth, code = 0, ""
    for n in range(start + 1, end):
        if state.sCount[n] < state.blkIndent and not state.isEmpty(n):
            return -1  # the div's container (a list item, a quote) ends before its fence
        text = _line(state, n)
        fence = _FENCE.match(text)
        if code:
            closes = fence and fence.group(1)[0] == code[0] and len(fence.group(1)) >= len(code)
            if closes and not text[len(fence.group(1)):].strip():
                code = ""
            continue
        if fence:
            code = fence.group(1)
            continue
        if state.sCount[n] - state.blkIndent >= 4:
            continue
        if is_closing_fence(text):
            if depth == 0:
                return n
            depth -= 1
        elif opening_fence(text) is not None:
            depth += 1
    return -1


def _div(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    text = _line(state, start)
    if not text.startswith(":::"):
        return False
    attrs = opening_fence(text)
    if attrs is None:
        return False
    close = _closing_line(state, start, end)
    if close < 0:
        return False
    if silent:
        return True
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType = "div"
    state.lineMax = close
    token = state.push("div_open", "div", 1)
    token.map = [start, close + 1]
    token.markup = text
    token.meta = {"attrs": attrs}
    state.md.block.tokenize(state, start + 1, close)
    token = state.push("div_close", "div", -1)
    token.markup = _line(state, close)
    state.parentType, state.lineMax = old_parent, old_max
    state.line = close + 1
    return True


def _callout_titles(state: StateCore) -> None:
    """A callout whose first block is a heading takes it as its title (Quarto): the heading leaves
    the text (and the chapter's outline) for ``meta["title_inline"]`` of the ``div_open``."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "div_open" and any(c.startswith("callout-") for c in token.meta["attrs"].classes) \
                and i + 3 < len(tokens) and tokens[i + 1].type == "heading_open":
            token.meta["title_inline"] = tokens[i + 2]
            del tokens[i + 1:i + 4]


def divs_plugin(md: MarkdownIt) -> None:
    """Add fenced divs to ``md`` (before fenced code, and able to interrupt a paragraph, as pandoc's)."""
    md.block.ruler.before("fence", "div", _div, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.after("inline", "callout_titles", _callout_titles)
