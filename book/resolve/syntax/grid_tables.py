"""Pandoc's grid tables: cells drawn with ``+``, ``-``, ``=`` and ``|``, holding any blocks.

::

    +---------+------------------+
    | Fruit   | Advantages       |
    +=========+==================+
    | Bananas | - built-in wrap  |
    |         | - bright colour  |
    +---------+------------------+

The ``=`` line ends the header; colons in it (or in the top line of a table
without a header) set each column's alignment, as ``:---:`` does in a pipe
table. Cells spanning columns or rows are not read (pandoc 2 does not either).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from .table_tokens import push_table

_SEPARATOR = re.compile(r"\+(?:[-=:]+\+)+\s*$")


def _line(state: StateBlock, n: int) -> str:
    return state.src[state.bMarks[n] + state.tShift[n]:state.eMarks[n]]


def _aligns(separator: str, bounds: list[int]) -> list[str]:
    out = []
    for a, b in zip(bounds, bounds[1:]):
        cell = separator[a + 1:b]
        left, right = cell.startswith(":"), cell.endswith(":")
        out.append("center" if left and right else "right" if right else "left" if left else "")
    return out


def _cells(lines: list[str], bounds: list[int]) -> list[str]:
    cells = []
    for a, b in zip(bounds, bounds[1:]):
        parts = [line[a + 1:b] for line in lines]
        indent = min((len(p) - len(p.lstrip(" ")) for p in parts if p.strip()), default=0)
        cells.append("\n".join(p[indent:].rstrip() for p in parts).strip("\n"))
    return cells


def _grid_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    top = _line(state, start)
    if not top.startswith("+") or not _SEPARATOR.match(top) or "=" in top:
        return False
    bounds = [i for i, c in enumerate(top.rstrip()) if c == "+"]
    last = start + 1
    while last < end and _line(state, last)[:1] in ("+", "|"):
        last += 1
    lines = [_line(state, n).rstrip() for n in range(start, last)]
    if len(lines) < 3 or not _SEPARATOR.match(lines[-1]):
        return False
    for text in lines:
        if len(text) != bounds[-1] + 1 or any(text[b] not in "+|" for b in bounds):
            return False  # a ragged or spanning table: not one we read
    if silent:
        return True
    head: list[tuple[list[str], int]] = []
    body: list[tuple[list[str], int]] = []
    aligns = _aligns(top, bounds)
    row: list[str] = []
    row_start = start + 1
    for offset, text in enumerate(lines[1:], 1):
        if text.startswith("+"):
            if row:
                (head if "=" in text else body).append((_cells(row, bounds), row_start))
            if "=" in text:
                head, body = body + head, []
                aligns = _aligns(text, bounds)
            row, row_start = [], start + offset + 1
        else:
            row.append(text)
    push_table(state, start, last, aligns, head, body, blocks=True)
    state.line = last
    return True


def grid_tables_plugin(md: MarkdownIt) -> None:
    """Add pandoc's grid tables to ``md``."""
    md.block.ruler.before("table", "grid_table", _grid_table)
