"""Pandoc's simple tables: columns lined up under a row of dashes.

::

      Right     Left     Center     Default
    -------     ------ ----------   -------
         12     12        12            12
        123     123       123          123

A header row over a line of two or more dash groups (one group under a line
is a ``---`` heading), rows up to a blank line. Without a header the table
starts and ends with a dashed line. A column is right-aligned when its
dashes stick out left of the header text only, left-aligned when only right,
centred when on both sides, default when on neither (pandoc's rule; a
headerless table reads its first row). Each row is one line of inline text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from .table_tokens import push_table

_DASHES = re.compile(r"-+")


def _line(state: StateBlock, n: int) -> str:
    """Line ``n`` with its indentation beyond the block's (columns are measured from the margin)."""
    return state.src[state.bMarks[n] + min(state.tShift[n], state.blkIndent):state.eMarks[n]].rstrip()


def _groups(text: str) -> list[tuple[int, int]] | None:
    if not text.strip() or set(text) - {"-", " "}:
        return None
    groups = [(m.start(), m.end()) for m in _DASHES.finditer(text)]
    return groups if len(groups) >= 2 else None


def _split(text: str, groups: list[tuple[int, int]]) -> list[str]:
    starts = [0] + [g[0] for g in groups[1:]] + [max(len(text), groups[-1][1])]
    return [text[a:b].strip() for a, b in zip(starts, starts[1:])]


def _align(text: str, group: tuple[int, int]) -> str:
    stripped = text.strip()
    if not stripped:
        return ""
    left = len(text) - len(text.lstrip())
    right = left + len(stripped)
    flush_left, flush_right = left <= group[0], right >= group[1]
    if flush_left and flush_right:
        return ""
    if flush_right:
        return "right"
    if flush_left:
        return "left"
    return "center"


def _aligns(text: str, groups: list[tuple[int, int]]) -> list[str]:
    starts = [0] + [g[0] for g in groups[1:]] + [max(len(text), groups[-1][1])]
    return [_align(text[a:b].ljust(b - a), (g[0] - a, g[1] - a)) for a, b, g in zip(starts, starts[1:], groups)]


def _simple_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4 or start + 2 > end:
        return False
    first = _line(state, start)
    headerless = _groups(first)
    if headerless:
        groups, header, row_line = headerless, None, start + 1
    else:
        groups = _groups(_line(state, start + 1)) if start + 1 < end else None
        if not groups or not first.strip():
            return False
        header, row_line = first, start + 2
    last = row_line
    while last < end and not state.isEmpty(last):
        if headerless and _groups(_line(state, last)):
            break
        last += 1
    if headerless:
        if last >= end or not _groups(_line(state, last)) or last == row_line:
            return False
    elif last == row_line:
        return False
    if silent:
        return True
    rows = [(_split(_line(state, n), groups), n) for n in range(row_line, last)]
    aligns = _aligns(header if header is not None else _line(state, row_line), groups)
    head = [(_split(header, groups), start)] if header is not None else []
    push_table(state, start, last + (1 if headerless else 0), aligns, head, rows, blocks=False)
    state.line = last + (1 if headerless else 0)
    return True


def simple_tables_plugin(md: MarkdownIt) -> None:
    """Add pandoc's simple tables to ``md`` (before the other tables and ``---`` rules)."""
    md.block.ruler.before("table", "simple_table", _simple_table)
