"""Pandoc's task lists: ``- [ ] to do`` and ``- [x] done``.

A core rule marks the list item (``meta["task"]``: ``"done"`` or ``"todo"``),
takes the box off the start of its text, and gives the list the class
``task-list``. (mdit-py-plugins' tasklists writes ``<input>`` elements with
random ids; ours are drawn by the stylesheet and the same every build.)
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_BOX = re.compile(r"\[([ xX])\][ \t]+")


def _task_lists(state: StateCore) -> None:
    tokens = state.tokens
    lists: list[int] = []
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(i)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open" and i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open" \
                and tokens[i + 2].type == "inline":
            inline = tokens[i + 2]
            m = _BOX.match(inline.content)
            first = (inline.children or [None])[0]
            if not m or first is None or first.type != "text" or not _BOX.match(first.content):
                continue
            first.content = first.content[_BOX.match(first.content).end():]
            inline.content = inline.content[m.end():]
            token.meta = {**(token.meta or {}), "task": "todo" if m.group(1) == " " else "done"}
            if lists:
                tokens[lists[-1]].attrSet("class", "task-list")


def task_lists_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "task_lists", _task_lists)
