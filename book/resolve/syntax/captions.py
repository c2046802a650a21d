"""Pandoc's table captions: a paragraph starting ``: `` (or ``Table:``) just before or after a table.

``: Results of the survey {#tbl-results}`` gives the table its caption and, with
Quarto's label, an id and a number. A caption line next to no table is left
to the other rules (a definition, a paragraph), as in pandoc. The caption
becomes a ``table_caption`` token; a core rule moves its inline content and
attributes into the table's ``table_open`` (``meta["caption"]``, ``meta["attrs"]``).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore

from .attributes import trailing_attributes

_CAPTION = re.compile(r"(?::(?![!-/:-@\[-`{-~])|[Tt]able:)[ \t]*")
TABLE_RULES = ("table", "grid_table", "simple_table")
"""The block rules that make tables (a caption must sit next to one of them)."""


def _line(state: StateBlock, n: int) -> str:
    return state.src[state.bMarks[n] + state.tShift[n]:state.eMarks[n]]


def block_rule(md: MarkdownIt, name: str):
    """The function of the block rule ``name``, or None when ``md`` has no such rule."""
    index = md.block.ruler.__find__(name)
    return md.block.ruler.__rules__[index].fn if index >= 0 else None


def _starts_table(state: StateBlock, line: int, end: int) -> bool:
    for name in TABLE_RULES:
        rule = block_rule(state.md, name)
        if rule is not None and line < end and rule(state, line, end, True):
            return True
    return False


def _caption(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    text = _line(state, start)
    m = _CAPTION.match(text)
    if not m or not text[m.end():].strip():
        return False
    last = start + 1
    while last < end and not state.isEmpty(last):
        last += 1
    after_table = bool(state.tokens) and state.tokens[-1].type == "table_close" and \
        state.tokens[-1].level == state.level
    if not after_table:
        following = last
        while following < end and state.isEmpty(following):
            following += 1
        if not _starts_table(state, following, end):
            return False
    if silent:
        return True
    lines = [text[m.end():]] + [_line(state, n) for n in range(start + 1, last)]
    caption, attrs, _raw = trailing_attributes("\n".join(lines).strip())
    token = state.push("table_caption_open", "caption", 1)
    token.map = [start, last]
    token.meta = {"attrs": attrs, "after": after_table}
    inline = state.push("inline", "", 0)
    inline.content = caption
    inline.map = [start, last]
    inline.children = []
    state.push("table_caption_close", "caption", -1)
    state.line = last
    return True


def _attach(state: StateCore) -> None:
    """Move each caption into the table beside it (the table before it, else the one after), right
    after its ``table_open``, and give the table the caption's attributes."""
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type != "table_caption_open" or token.meta.get("placed"):
            i += 1
            continue
        caption = tokens[i:i + 3]
        del tokens[i:i + 3]
        table = None
        if token.meta["after"]:
            depth = 0
            for j in range(i - 1, -1, -1):
                depth += tokens[j].nesting
                if tokens[j].type == "table_open" and depth == 0:
                    table = j
                    break
        else:
            table = next((j for j in range(i, len(tokens)) if tokens[j].type == "table_open"), None)
        if table is None or tokens[table].meta.get("captioned"):
            tokens[i:i] = caption  # no table for it after all: it stays where it was, as a paragraph
            for t, kind in zip(caption, ("paragraph_open", "inline", "paragraph_close")):
                t.type, t.tag = kind, "p" if kind != "inline" else ""
            i += 3
            continue
        tokens[table].meta = {**(tokens[table].meta or {}), "captioned": True, "attrs": token.meta["attrs"]}
        token.meta["placed"] = True
        for t in caption:
            t.level = tokens[table].level + 1 + (1 if t.type == "inline" else 0)
        tokens[table + 1:table + 1] = caption
        i += 1


def _caption_at(state: StateBlock, line: int, end: int) -> bool:
    """Whether ``line`` is a caption line with a table after its paragraph."""
    if line >= end or not _CAPTION.match(_line(state, line)):
        return False
    following = line + 1
    while following < end and not state.isEmpty(following):
        following += 1
    while following < end and state.isEmpty(following):
        following += 1
    return _starts_table(state, following, end)


def _guard_deflist(md: MarkdownIt) -> None:
    """A one-line paragraph followed by ``: Caption`` and a table is a paragraph and a captioned
    table, not a definition list (pandoc tries tables first)."""
    deflist = block_rule(md, "deflist")
    if deflist is None:
        return

    def guarded(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        marker = start + 1
        while marker < end and state.isEmpty(marker):
            marker += 1
        if not silent and state.sCount[start] >= state.blkIndent and _caption_at(state, marker, end):
            return False
        return deflist(state, start, end, silent)

    md.block.ruler.at("deflist", guarded, {"alt": ["paragraph", "reference", "blockquote"]})


def _end_pipe_tables_at_captions(md: MarkdownIt) -> None:
    """A pipe table ends at a caption line written right under it (markdown-it would read it as a row)."""
    table = block_rule(md, "table")

    def ending(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        line = start + 2
        while line < end and not state.isEmpty(line):
            text = _line(state, line)
            if _CAPTION.match(text) and "|" not in text:
                end = line
                break
            line += 1
        return table(state, start, end, silent)

    md.block.ruler.at("table", ending, {"alt": ["paragraph", "reference"]})


def captions_plugin(md: MarkdownIt) -> None:
    """Add table captions to ``md``: a block rule before the tables and definition lists, and core
    rules that parse the caption's text and move it into its table."""
    anchor = "deflist" if "deflist" in md.block.ruler.get_all_rules() else "table"
    md.block.ruler.before(anchor, "table_caption", _caption)
    _guard_deflist(md)
    _end_pipe_tables_at_captions(md)
    md.core.ruler.after("block", "table_caption_attach", _attach)
