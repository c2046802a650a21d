"""Rendered output as a tree, and the tree as XHTML.

Rendering elements return :class:`Node` trees: text leaves (``str``) inside
nodes that carry formatting, quotes, affixes and a display block, as the
element that made them asked.  Only when a whole citation or entry is done is
the tree flattened to a stream of text and marks, and three things that
depend on what surrounds a piece are settled there (:func:`to_xhtml`):

- punctuation where pieces meet: "Title." followed by the suffix "." gives
  one period, ``;`` after ``;`` one semicolon, two spaces one;
- commas and periods after a closing quotation mark move inside it when the
  locale's ``punctuation-in-quote`` says so;
- nested marks flip: italics inside italics are set roman, quotes inside
  quotes use the inner quotation marks (CSL's "flip-flop"); an explicit
  ``font-style="normal"`` only shows where it undoes something.

The output is well-formed XHTML by construction: text is escaped, marks are
balanced because the tree is.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

Child = Any  # "Node | str"

_FMT_ATTRS = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")


class Node:
    """Part of a rendering: children (text or nodes) with what wraps them."""

    __slots__ = ("children", "fmt", "quotes", "prefix", "suffix", "display", "nocase", "tag", "data")

    def __init__(self, children: Iterable[Child] = (), *, fmt: tuple[tuple[str, str], ...] = (),
                 quotes: bool = False, prefix: str = "", suffix: str = "", display: str = "",
                 nocase: bool = False, tag: str = "", data: Any = None) -> None:
        self.children: list[Child] = list(children)
        self.fmt = fmt
        """Formatting, as CSS-like pairs: ``("font-style", "italic")``; ``("nodecor", "")``
        undoes every mark around it."""
        self.quotes = quotes
        self.prefix = prefix
        self.suffix = suffix
        self.display = display
        """A CSL ``display`` value: block, left-margin, right-inline, indent."""
        self.nocase = nocase
        """Text-case transformations leave this text alone (``<span class="nocase">``)."""
        self.tag = tag
        """What the node is, for the processor: ``names`` (a cs:names output), ``date``,
        ``year``, ``year-suffix``, ``citation-number``, ``locator``, ``link``, ``cite``."""
        self.data = data

    def __repr__(self) -> str:  # for debugging
        bits = [repr(c) for c in self.children]
        extra = "".join(f" {k}={getattr(self, k)!r}" for k in ("fmt", "quotes", "prefix", "suffix", "display", "tag")
                        if getattr(self, k))
        return f"Node({', '.join(bits)}{extra})"

    def copy(self) -> Node:
        node = Node(self.children, fmt=self.fmt, quotes=self.quotes, prefix=self.prefix, suffix=self.suffix,
                    display=self.display, nocase=self.nocase, tag=self.tag, data=self.data)
        return node


# --- building ---------------------------------------------------------------------

def has_text(value: Child | None) -> bool:
    """Whether ``value`` holds any text (affixes alone do not count). Asked of every part that is
    joined, at every level of a rendering: a loop, not a generator a level."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            if item:
                return True
        elif item is not None:
            todo.extend(item.children)
    return False


def join(parts: Iterable[Child | None], delimiter: str = "", **kwargs: Any) -> Node | None:
    """The parts that hold text, with ``delimiter`` between them; None if none does."""
    kept = [p for p in parts if has_text(p)]
    if not kept:
        return None
    children: list[Child] = []
    for index, part in enumerate(kept):
        if index and delimiter:
            children.append(Delimiter(delimiter))
        children.append(part)
    return Node(children, **kwargs)


class Delimiter(str):
    """A delimiter or affix string (punctuation rules apply where it meets text)."""

    __slots__ = ()


def plain(value: Child | None) -> str:
    """The text of a rendering, affixes and delimiters included, without marks."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    inner = "".join(plain(c) for c in value.children)
    return value.prefix + inner + value.suffix if inner else ""


def walk(value: Child, tag: str) -> Iterator[Node]:
    """Nodes with ``tag`` inside ``value``, in order."""
    if isinstance(value, Node):
        if value.tag == tag:
            yield value
        for child in value.children:
            yield from walk(child, tag)


def first(value: Child, tag: str) -> Node | None:
    return next(walk(value, tag), None)


def leaves(value: Child, protected: bool = False) -> Iterator[tuple[list[Child], int, bool]]:
    """Every text leaf as (its parent's children, its index, whether case-protected)."""
    if isinstance(value, Node):
        nocase = protected or value.nocase
        for index, child in enumerate(value.children):
            if isinstance(child, str):
                if child and not isinstance(child, Delimiter):
                    yield value.children, index, nocase
                elif child:
                    yield value.children, index, True
            else:
                yield from leaves(child, nocase)


def map_text(value: Child, function: Any) -> None:
    """Apply ``function`` to every text leaf (not delimiters) of a node, in place."""
    if isinstance(value, Node):
        for index, child in enumerate(value.children):
            if isinstance(child, Delimiter):
                continue
            if isinstance(child, str):
                value.children[index] = function(child)
            else:
                map_text(child, function)


# --- flattening --------------------------------------------------------------------

OPEN, CLOSE, TEXT = 0, 1, 2


def _flatten(value: Child, out: list[tuple[int, Any, Any]]) -> None:
    if isinstance(value, str):
        if value:
            out.append((TEXT, value, isinstance(value, Delimiter)))
        return
    if not has_text(value):
        return
    if value.display:
        out.append((OPEN, "div", value.display))
    if value.tag == "link":
        out.append((OPEN, "a", value.data))
    if value.prefix:
        out.append((TEXT, value.prefix, True))
    for pair in value.fmt:
        out.append((OPEN, "fmt", pair))
    if value.quotes:
        out.append((OPEN, "q", value.data))
    for child in value.children:
        _flatten(child, out)
    if value.quotes:
        out.append((CLOSE, "q", value.data))
    for pair in reversed(value.fmt):
        out.append((CLOSE, "fmt", pair))
    if value.suffix:
        out.append((TEXT, value.suffix, True))
    if value.tag == "link":
        out.append((CLOSE, "a", value.data))
    if value.display:
        out.append((CLOSE, "div", value.display))


# --- punctuation where pieces meet ---------------------------------------------------

_KEEP_FIRST, _KEEP_SECOND = 1, 2
_PUNCT_RULES = {
    **{pair: _KEEP_FIRST for pair in (
        (":", ":"), (";", ":"), ("!", ":"), ("?", ":"),
        (":", "."), (".", "."), (";", "."), ("!", "."), ("?", "."),
        (";", ";"), ("!", "!"), ("?", "?"), (",", ","))},
    **{pair: _KEEP_SECOND for pair in ((":", "!"), (";", "!"), (":", "?"), (";", "?"))},
}
"""What is left where a piece ending in the first mark meets one starting with the
second (every other pair keeps both, "period.: colon"): "Title." + "." → "Title.";
"Why?" + "." → "Why?"; "Note:" + "!" → "Note!" (citeproc-js's table)."""

_SPACE = " \u00a0\u2009\u202f"


def _fix_punctuation(tokens: list[tuple[int, Any, Any]], quote_punct: bool) -> list[tuple[int, Any, Any]]:
    out: list[list[Any]] = []
    last_text = -1  # index in out of the last text token
    for kind, value, affix in tokens:
        if kind != TEXT:
            out.append([kind, value, affix])
            continue
        text = value
        if last_text >= 0:
            before = out[last_text][1]
            if before and text and before[-1] in _SPACE and text[0] == " ":
                text = text[1:]  # two spaces where pieces meet: keep one
            if before and text:
                rule = _PUNCT_RULES.get((before[-1], text[0]))
                if rule == _KEEP_FIRST:
                    text = text[1:]
                elif rule == _KEEP_SECOND:
                    out[last_text][1] = before = before[:-1]
                    if not before:  # the mark was a piece of its own: look at what came before it
                        last_text = next((i for i in range(last_text - 1, -1, -1)
                                          if out[i][0] == TEXT and out[i][1]), last_text)
                        before = out[last_text][1]
            if quote_punct and text and text[0] in ".,!?":
                quote_at = next((i for i in range(last_text + 1, len(out))
                                 if out[i][0] == CLOSE and out[i][1] == "q" and out[i][2] != "affix"), None)
                if quote_at is not None:
                    # punctuation-in-quote: the comma or period goes inside the closing quotation mark
                    mark, text = text[0], text[1:]
                    if not (before and (before[-1], mark) in _PUNCT_RULES):
                        out.insert(quote_at, [TEXT, mark, True])
                        last_text = quote_at
        if text:
            out.append([TEXT, text, affix])
            last_text = len(out) - 1
    return [tuple(t) for t in out]  # type: ignore[misc]


# --- XHTML ---------------------------------------------------------------------------

_OPEN_TAG = {
    ("font-style", "italic"): "<i>", ("font-style", "oblique"): '<span style="font-style:oblique">',
    ("font-style", "normal"): '<span style="font-style:normal">',
    ("font-weight", "bold"): "<b>", ("font-weight", "light"): '<span style="font-weight:lighter">',
    ("font-weight", "normal"): '<span style="font-weight:normal">',
    ("font-variant", "small-caps"): '<span style="font-variant:small-caps">',
    ("font-variant", "normal"): '<span style="font-variant:normal">',
    ("text-decoration", "underline"): '<span style="text-decoration:underline">',
    ("text-decoration", "none"): '<span style="text-decoration:none">',
    ("vertical-align", "sup"): "<sup>", ("vertical-align", "sub"): "<sub>",
    ("vertical-align", "baseline"): '<span style="vertical-align:baseline">',
}
_CLOSE_TAG = {key: ("</" + tag[1:].split(">")[0].split(" ")[0] + ">") for key, tag in _OPEN_TAG.items()}
_DEFAULT = {"font-style": "normal", "font-weight": "normal", "font-variant": "normal",
            "text-decoration": "none", "vertical-align": "baseline"}
_FLIPS = {"font-style": ("italic", "oblique"), "font-weight": ("bold",), "font-variant": ("small-caps",)}


def _superscript_base(char: str) -> str | None:
    decomposition = unicodedata.decomposition(char)
    if decomposition.startswith("<super>"):
        return "".join(chr(int(code, 16)) for code in decomposition.split()[1:])
    return None


_SUPERSCRIPTS = {c: base for c in map(chr, range(0xA0, 0x3300)) if (base := _superscript_base(c))}
# modifier letters that are superscripts without saying so in Unicode
_SUPERSCRIPTS.update({"\u02c0": "\u0294", "\u02c1": "\u0295", "\u06e5": "\u0648", "\u06e6": "\u064a"})
_SUPERSCRIPT_RE = re.compile("[" + "".join(re.escape(c) for c in _SUPERSCRIPTS) + "]")


def _superscripts(text: str) -> str:
    """Superscript characters ("1ᵉʳ", "ª", "™") as <sup> of their letters, as citeproc-js writes them."""
    return _SUPERSCRIPT_RE.sub(lambda m: "<sup>" + html.escape(_SUPERSCRIPTS[m.group()]) + "</sup>", text)


class Typography:
    """What the last step needs to know of the locale."""

    def __init__(self, quotes: tuple[str, str, str, str], punctuation_in_quote: bool) -> None:
        self.quotes = quotes
        self.punctuation_in_quote = punctuation_in_quote


def to_xhtml(value: Child | None, typography: Typography, links: bool = True) -> str:
    """The XHTML fragment for a finished rendering (a citation, a note, an entry)."""
    if value is None:
        return ""
    tokens: list[tuple[int, Any, Any]] = []
    _flatten(value, tokens)
    tokens = _fix_punctuation(tokens, typography.punctuation_in_quote)
    out: list[str] = []
    state = dict(_DEFAULT)
    stack: list[tuple[str, Any]] = []  # what each OPEN did: (closing text, restore)
    quote_depth = 0
    open_q, close_q, open_inner, close_inner = typography.quotes
    for kind, value_, extra in tokens:
        if kind == TEXT:
            out.append(_superscripts(html.escape(value_.replace("'", "\u2019"), quote=False)))
        elif kind == OPEN:
            if value_ == "div":
                out.append(f'<div class="csl-{extra}">')
                stack.append(("</div>", None))
            elif value_ == "a":
                if links and extra:
                    out.append(f'<a href="{html.escape(extra)}">' if not extra.startswith("#")
                               else f'<a class="citation" href="{html.escape(extra)}">')
                    stack.append(("</a>", None))
                else:
                    stack.append(("", None))
            elif value_ == "q":
                out.append(open_q if quote_depth % 2 == 0 else open_inner)
                quote_depth += 1
                stack.append(("", "q"))
            else:
                prop, wanted = extra
                if prop == "nodecor":
                    saved = dict(state)
                    opened = []
                    for name in ("font-style", "font-variant", "font-weight"):
                        if state[name] != "normal":
                            out.append(_OPEN_TAG[(name, "normal")])
                            opened.append(_CLOSE_TAG[(name, "normal")])
                            state[name] = "normal"
                    stack.append(("".join(reversed(opened)), saved))
                    continue
                current = state[prop]
                if wanted == current and prop in _FLIPS and wanted != _DEFAULT[prop]:
                    wanted = "normal"  # flip-flop
                elif wanted == _DEFAULT[prop] and current == _DEFAULT[prop]:
                    stack.append(("", None))
                    continue
                elif wanted == current:
                    stack.append(("", None))
                    continue
                out.append(_OPEN_TAG[(prop, wanted)])
                stack.append((_CLOSE_TAG[(prop, wanted)], (prop, current)))
                state[prop] = wanted
        else:
            closing, restore = stack.pop()
            if restore == "q":
                quote_depth -= 1
                out.append(close_q if quote_depth % 2 == 0 else close_inner)
                continue
            out.append(closing)
            if isinstance(restore, dict):
                state = restore
            elif isinstance(restore, tuple):
                state[restore[0]] = restore[1]
    return "".join(out)


__all__ = ["Delimiter", "Node", "Typography", "first", "has_text", "join", "leaves", "map_text", "plain",
           "to_xhtml", "walk"]
