"""Tokens of a table as markdown-it's own pipe tables make them, for the grid and simple tables."""

from __future__ import annotations

from markdown_it.rules_block import StateBlock


def push_cell(state: StateBlock, tag: str, align: str, content: str, line: int, blocks: bool) -> None:
    """One ``th``/``td`` holding ``content``: inline text, or (``blocks``) Markdown blocks, a lone
    paragraph of which is shown without its ``<p>`` as pandoc shows a table cell's plain text."""
    token = state.push(f"{tag}_open", tag, 1)
    token.map = [line, line + 1]
    if align:
        token.attrs = {"style": f"text-align:{align}"}
    if not blocks:
        inline = state.push("inline", "", 0)
        inline.content = content.strip()
        inline.map = [line, line + 1]
        inline.children = []
    elif content.strip():
        first = len(state.tokens)
        state.md.block.parse(content, state.md, state.env, state.tokens)
        nested = state.tokens[first:]
        for t in nested:
            t.level += state.level
            if t.map:
                t.map = [t.map[0] + line, t.map[1] + line]
        paragraphs = [t for t in nested if t.type == "paragraph_open" and t.level == state.level]
        if len(paragraphs) == 1 and nested[0].type == "paragraph_open" and nested[-1].type == "paragraph_close":
            nested[0].hidden = nested[-1].hidden = True
    state.push(f"{tag}_close", tag, -1)


def push_table(state: StateBlock, start: int, end: int, aligns: list[str],
               head: list[tuple[list[str], int]], body: list[tuple[list[str], int]], blocks: bool) -> None:
    """A whole table: ``head`` and ``body`` are rows of cell texts with the line each starts on."""
    table = state.push("table_open", "table", 1)
    table.map = [start, end]
    for section, rows, tag in (("thead", head, "th"), ("tbody", body, "td")):
        if not rows:
            continue
        state.push(f"{section}_open", section, 1).map = [rows[0][1], rows[-1][1] + 1]
        for cells, line in rows:
            state.push("tr_open", "tr", 1).map = [line, line + 1]
            for i, align in enumerate(aligns):
                push_cell(state, tag, align, cells[i] if i < len(cells) else "", line, blocks)
            state.push("tr_close", "tr", -1)
        state.push(f"{section}_close", section, -1)
    state.push("table_close", "table", -1)
