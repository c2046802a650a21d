"""Pandoc's attribute syntax: ``{#id .class key=value key="quoted value" -}``.

Pandoc's own rules (its Markdown reader, ``attributes``), not djot's as in
mdit-py-plugins: an identifier starts with a letter and goes on with letters,
digits and ``-_:.``; a bare value runs to the next space or ``}`` (so
``width=60%`` is a value, where djot reads ``%`` as a comment); ``-`` is
``.unnumbered``; ``{=html}`` names a raw format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT = r"[^\W\d_][\w\-:.]*"
_ITEM = re.compile(
    rf"""\s*(?:
        \#(?P<id>{_IDENT})
      | \.(?P<cls>{_IDENT})
      | (?P<key>{_IDENT})=(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^'\\]|\\.)*)'|(?P<bare>[^\s}}"']+))
      | (?P<dash>-)(?=[\s}}])
    )""", re.VERBOSE)
_RAW = re.compile(r"\{\s*=(?P<format>[A-Za-z][\w-]*)\s*\}")


@dataclass(frozen=True)
class Attr:
    """What one ``{…}`` says, in pandoc's order: an identifier, classes, key-value pairs."""

    ident: str = ""
    classes: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    """Key-value pairs in the order written (a key written twice keeps its last value)."""

    def get(self, key: str, default: str = "") -> str:
        for k, v in reversed(self.pairs):
            if k == key:
                return v
        return default

    def merged(self, other: "Attr") -> "Attr":
        """Attributes of two blocks ``{…}{…}`` as one (the second's identifier wins)."""
        return Attr(other.ident or self.ident, self.classes + other.classes, self.pairs + other.pairs)


def parse_attributes(src: str, pos: int = 0) -> tuple[Attr, int] | None:
    """The attributes written at ``src[pos]`` (which must be ``{``) and the index after the ``}``;
    None when the braces do not hold pandoc attributes."""
    if pos >= len(src) or src[pos] != "{":
        return None
    ident, classes, pairs = "", [], []
    at = pos + 1
    while True:
        end = _skip_space(src, at)
        if end < len(src) and src[end] == "}":
            if end == pos + 1 or not src[pos + 1:end].strip():
                return None  # "{}" is text in pandoc
            return Attr(ident, tuple(classes), tuple(pairs)), end + 1
        m = _ITEM.match(src, at)
        if m is None or m.end() == at:
            return None
        if m.group("id"):
            ident = m.group("id")
        elif m.group("cls"):
            classes.append(m.group("cls"))
        elif m.group("dash"):
            classes.append("unnumbered")
        else:
            key = m.group("key")
            raw = m.group("dq") if m.group("dq") is not None else m.group("sq") if m.group("sq") is not None \
                else m.group("bare")
            value = re.sub(r"\\(.)", r"\1", raw) if m.group("bare") is None else raw
            if key == "id":
                ident = value
            elif key == "class":
                classes.extend(value.split())
            else:
                pairs.append((key, value))
        at = m.end()


def parse_raw_format(src: str, pos: int = 0) -> tuple[str, int] | None:
    """``{=html}`` at ``src[pos]``: the raw format named and the index after the ``}``."""
    m = _RAW.match(src, pos)
    return (m.group("format").lower(), m.end()) if m else None


def trailing_attributes(text: str) -> tuple[str, Attr | None, str]:
    """A heading's or caption's text without the ``{…}`` that ends it: (text, attributes, raw
    attribute text). Pandoc reads the last brace group of the line, after a space or not."""
    stripped = text.rstrip()
    if not stripped.endswith("}"):
        return text, None, ""
    start = stripped.rfind("{")
    while start >= 0:
        found = parse_attributes(stripped, start)
        if found is not None and found[1] == len(stripped):
            return stripped[:start].rstrip(), found[0], stripped[start:]
        start = stripped.rfind("{", 0, start)
    return text, None, ""


def _skip_space(src: str, at: int) -> int:
    while at < len(src) and src[at] in " \t\n":
        at += 1
    return at
