"""Pandoc's example lists: ``(@)`` items numbered straight through the chapter.

::

    (@)  My first example.
    (@good)  A labelled one, which the text can cite as (@good).

Lists of examples may be interrupted by other text; the numbering goes on.
``@good`` in the text (citation syntax, as in pandoc) becomes the example's
number. The items are ``ordered_list`` tokens with ``meta["example"]``; their
content is parsed as blocks, so an item may hold several paragraphs.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore

_MARKER = re.compile(r"\(@(?P<label>[\w-]*)\)(?=[ \t]|$)[ \t]*")


def _line(state: StateBlock, n: int) -> str:
    return state.src[state.bMarks[n] + state.tShift[n]:state.eMarks[n]]


def _example_list(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4 or not _MARKER.match(_line(state, start)):
        return False
    if silent:
        return True
    items: list[tuple[str, list[str], int]] = []
    loose = False
    n = start
    while n < end:
        text = _line(state, n)
        m = _MARKER.match(text) if state.sCount[n] - state.blkIndent < 4 else None
        if m:
            items.append((m.group("label"), [text[m.end():]], n))
        elif not state.isEmpty(n) and (state.sCount[n] > state.blkIndent or not state.isEmpty(n - 1)):
            items[-1][1].append(" " * max(0, state.sCount[n] - state.blkIndent - 4) + text)
        elif state.isEmpty(n):
            following = n
            while following < end and state.isEmpty(following):
                following += 1
            if following >= end:
                break
            nxt = _line(state, following)
            if _MARKER.match(nxt) or state.sCount[following] > state.blkIndent:
                loose = True
                items[-1][1].extend([""] * (following - n))
                n = following
                continue
            break
        else:
            break
        n += 1
    token = state.push("ordered_list_open", "ol", 1)
    token.map = [start, n]
    token.markup = "(@)"
    token.meta = {"example": True}
    for label, lines, line in items:
        item = state.push("list_item_open", "li", 1)
        item.map = [line, line + len(lines)]
        item.meta = {"example_label": label}
        first = len(state.tokens)
        state.md.block.parse("\n".join(lines).rstrip("\n") + "\n", state.md, state.env, state.tokens)
        for t in state.tokens[first:]:
            t.level += state.level
            if t.map:
                t.map = [t.map[0] + line, t.map[1] + line]
            if not loose and t.type in ("paragraph_open", "paragraph_close") and t.level == state.level:
                t.hidden = True
        state.push("list_item_close", "li", -1)
    state.push("ordered_list_close", "ol", -1)
    state.line = n
    return True


def _number(state: StateCore) -> None:
    """Number the examples through the chapter, and put each ``@label`` citation's number in its place."""
    labels: dict[str, int] = {}
    count = 0
    for token in state.tokens:
        if token.type == "ordered_list_open" and token.meta.get("example"):
            token.attrs = {"class": "example", "start": str(count + 1)}
        elif token.type == "list_item_open" and "example_label" in token.meta:
            count += 1
            if token.meta["example_label"]:
                labels.setdefault(token.meta["example_label"], count)
    if not labels:
        return
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "citation":
                keys = child.meta["citation"].keys
                if len(keys) == 1 and keys[0] in labels:
                    child.type, child.tag, child.content = "text", "", str(labels[keys[0]])
                    child.meta = {}


def example_lists_plugin(md: MarkdownIt) -> None:
    """Add pandoc's example lists to ``md`` (before the other lists)."""
    md.block.ruler.before("list", "example_list", _example_list,
                          {"alt": ["paragraph", "reference", "blockquote"]})
    rules = md.core.ruler.get_all_rules()
    md.core.ruler.after("footnote_tail" if "footnote_tail" in rules else "inline", "example_numbers", _number)
