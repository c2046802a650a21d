"""CSL rich text: the markup a bibliography field may carry, as output nodes.

CSL-JSON fields may hold ``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small
caps (``<span style="font-variant:small-caps;">`` or ``<sc>``), text whose
case a style must not change (``<span class="nocase">``) and text set
plain whatever surrounds it (``<span class="nodecor">``).  Quotation marks
in a field, straight or curly, double or single, are quotations when they
pair up: they become quote nodes, so that they print as the locale's marks
and alternate with the marks a style adds ("flip-flop").  A straight
apostrophe prints as ’.  Unbalanced or unknown tags stay literal text (and
are escaped at the end), as citeproc-js does.
"""

from __future__ import annotations

import re
from typing import Any

from book.resolve.cite.output import Node

_TAG = re.compile(r'<(/?)(i|b|sup|sub|sc|span)((?:\s+[a-z-]+="[^"]*")*)\s*>')
_QUOTE_CHARS = "\"'\u201c\u201d\u2018\u2019"
_OPENERS = "([{\u2014\u2013-/\u00ab\u201e"
_CLOSERS = ".,;:!?)]}\u2014\u2013-/\u00bb"


def _span_fmt(attributes: str) -> tuple[tuple[str, str], ...] | str | None:
    if re.search(r'class="nocase"', attributes):
        return "nocase"
    if re.search(r'class="nodecor"', attributes):
        return "nodecor"
    style = re.search(r'style="([^"]*)"', attributes)
    if style:
        pairs = []
        for declaration in style.group(1).split(";"):
            name, _, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name in ("font-variant", "font-style", "font-weight", "text-decoration", "vertical-align") and value:
                pairs.append((name, value))
        if pairs:
            return tuple(pairs)
    return None


_TAG_FMT = {"i": (("font-style", "italic"),), "b": (("font-weight", "bold"),),
            "sup": (("vertical-align", "sup"),), "sub": (("vertical-align", "sub"),),
            "sc": (("font-variant", "small-caps"),)}


def _visible_neighbours(value: str, spans: list[tuple[int, int]]) -> tuple[list[str | None], list[str | None]]:
    """For each position, the nearest character before and after it that is
    not inside a tag (tags are transparent for deciding what a quote mark is)."""
    hidden = [False] * len(value)
    for start, end in spans:
        for i in range(start, end):
            hidden[i] = True
    before: list[str | None] = [None] * len(value)
    after: list[str | None] = [None] * len(value)
    last = None
    for i, char in enumerate(value):
        before[i] = last
        if not hidden[i]:
            last = char
    last = None
    for i in range(len(value) - 1, -1, -1):
        after[i] = last
        if not hidden[i]:
            last = value[i]
    return before, after


def _can_open(char: str, prev: str | None, nxt: str | None) -> bool:
    if char in "\u201c\u2018":
        return True
    if char in "\u201d\u2019":
        return False
    if nxt is None or nxt.isspace() or (char == "'" and nxt == "'"):
        return False
    return prev is None or prev.isspace() or prev in _OPENERS or prev in _QUOTE_CHARS


def _can_close(char: str, prev: str | None, nxt: str | None) -> bool:
    if char in "\u201c\u2018":
        return False
    if prev is None or prev.isspace():
        return False
    return nxt is None or nxt.isspace() or nxt in _CLOSERS or nxt in _QUOTE_CHARS


def _pairs_with(opening: str, closing: str) -> bool:
    double = "\"\u201c\u201d"
    return (opening in double) == (closing in double)


def parse(value: str, affix: bool = False) -> Node:
    """CSL rich text as a node (a plain string becomes a node with one leaf).
    In a cite's prefix or suffix (``affix``), as in citeproc-js, only straight
    quotation marks pair up, and punctuation does not move into them."""
    marks = "\"'" if affix else _QUOTE_CHARS
    if not any(c in value for c in "<" + marks):
        return Node([value])
    tags = list(_TAG.finditer(value))
    spans = [(m.start(), m.end()) for m in tags]
    before, after = _visible_neighbours(value, spans)
    # events: (position, end, kind, data)
    events: list[tuple[int, int, str, Any]] = []
    for m in tags:
        events.append((m.start(), m.end(), "close" if m.group(1) else "open", m))
    tag_at = {m.start() for m in tags}
    inside_tag = set()
    for start, end in spans:
        inside_tag.update(range(start, end))
    for i, char in enumerate(value):
        if char in marks and i not in inside_tag:
            events.append((i, i + 1, "quote", char))
    events.sort(key=lambda e: e[0])
    # pair them up
    stack: list[int] = []  # indices into events
    partner: dict[int, int] = {}
    for index, (pos, _end, kind, data) in enumerate(events):
        if kind == "open":
            stack.append(index)
        elif kind == "close":
            name = data.group(2)
            for depth in range(len(stack) - 1, -1, -1):
                opened = events[stack[depth]]
                if opened[2] == "open" and opened[3].group(2) == name:
                    if depth == len(stack) - 1:
                        partner[stack[depth]] = index
                        partner[index] = stack[depth]
                        stack.pop()
                    break
                if opened[2] == "open":
                    break
        else:
            prev, nxt = before[pos], after[pos]
            top = events[stack[-1]] if stack else None
            if top is not None and top[2] == "quote" and _can_close(data, prev, nxt) and _pairs_with(top[3], data):
                partner[stack[-1]] = index
                partner[index] = stack.pop()
            elif _can_open(data, prev, nxt):
                stack.append(index)
    del tag_at
    # build the tree
    root = Node()
    nodes = [root]
    position = 0

    def text(upto: int) -> None:
        if upto > position:
            nodes[-1].children.append(value[position:upto])

    for index, (pos, end, kind, data) in enumerate(events):
        if index not in partner:
            continue
        text(pos)
        position = end
        if partner[index] > index:
            if kind == "quote":
                node = Node(quotes=True, data="affix" if affix else None)
            else:
                name = data.group(2)
                fmt: Any = _TAG_FMT.get(name) if name != "span" else _span_fmt(data.group(3) or "")
                if fmt == "nocase":
                    node = Node(nocase=True)
                elif fmt == "nodecor":
                    node = Node(fmt=(("nodecor", ""),), nocase=True)
                else:
                    # a field's own small caps, superscript and subscript keep their case
                    keep = any(k in ("font-variant", "vertical-align") for k, _ in (fmt or ()))
                    node = Node(fmt=fmt or (), nocase=keep)
            nodes[-1].children.append(node)
            nodes.append(node)
        else:
            nodes.pop()
    text(len(value))
    return root


def plain_text(value: str) -> str:
    """Rich text without its tags (for sorting and comparing)."""
    return _TAG.sub("", value)


__all__ = ["parse", "plain_text"]
