"""Pandoc's line blocks: verse and addresses, each line kept as written.

::

    | The limerick packs laughs anatomical
    |    Into space that is quite economical.

Every line starts with ``|`` and a space; a line starting with a space
continues the one before. Leading spaces are kept (as no-break spaces), line
breaks are kept, and the text is Markdown inline. The block becomes
``line_block_open`` / ``inline`` / ``line_block_close``; the inline text holds
hard breaks between lines.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

_LINE = re.compile(r"\|(?: (?P<text>.*)|$)")
_DELIMITER_ROW = re.compile(r"\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")


def _line(state: StateBlock, n: int) -> str:
    return state.src[state.bMarks[n] + state.tShift[n]:state.eMarks[n]]


def _line_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4 or not _LINE.fullmatch(_line(state, start)):
        return False
    lines: list[str] = []
    n = start
    while n < end and not state.isEmpty(n):
        m = _LINE.fullmatch(_line(state, n))
        if m:
            lines.append(m.group("text") or "")
        elif lines and state.sCount[n] > state.blkIndent:
            lines[-1] += " " + _line(state, n).strip()
        else:
            break
        n += 1
    if start + 1 < end and _DELIMITER_ROW.fullmatch(_line(state, start + 1)):
        return False  # a pipe table's header, not verse
    if silent:
        return True
    token = state.push("line_block_open", "div", 1)
    token.attrs = {"class": "line-block"}
    token.map = [start, n]
    inline = state.push("inline", "", 0)
    # A hard break is a backslash at a line's end; leading spaces become no-break spaces.
    inline.content = "\\\n".join("\u00a0" * (len(line) - len(line.lstrip(" "))) + line.lstrip(" ")
                                 for line in lines)
    inline.map = [start, n]
    inline.children = []
    state.push("line_block_close", "div", -1)
    state.line = n
    return True


def line_blocks_plugin(md: MarkdownIt) -> None:
    """Add pandoc's line blocks to ``md`` (before the pipe tables, which also start with ``|``)."""
    md.block.ruler.before("table", "line_block", _line_block)
