"""Pandoc's subscripts and superscripts: ``H~2~O``, ``2^10^``.

As in pandoc, the text between the marks may hold inline markup but no
unescaped space or line break (``P~a\\ b~``), and ``~~`` stays strikeout.
The rules come after inline notes (``^[a note]``), which take a ``^`` first.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline


def _rule(mark: str, name: str):
    def rule(state: StateInline, silent: bool) -> bool:
        src, start, end = state.src, state.pos, state.posMax
        if src[start] != mark or start + 2 >= end + 1 or src.startswith(mark * 2, start):
            return False
        at = start + 1
        while at < end:
            char = src[at]
            if char == "\\" and at + 1 < end:
                at += 2
                continue
            if char in " \t\n":
                return False
            if char == mark:
                break
            at += 1
        else:
            return False
        if at == start + 1:
            return False
        if not silent:
            state.push(f"{name}_open", name, 1).markup = mark
            old_max = state.posMax
            state.pos, state.posMax = start + 1, at
            state.md.inline.tokenize(state)
            state.posMax = old_max
            state.push(f"{name}_close", name, -1).markup = mark
        state.pos = at + 1
        return True
    return rule


def subsup_plugin(md: MarkdownIt) -> None:
    """Add ``~sub~`` and ``^sup^`` to ``md`` (after the footnote plugin, whose ``^[…]`` wins)."""
    anchor = "footnote_ref" if "footnote_ref" in md.inline.ruler.get_all_rules() else "image"
    md.inline.ruler.after(anchor, "sup", _rule("^", "sup"))
    md.inline.ruler.before("strikethrough", "sub", _rule("~", "sub"))
