"""Formatting marks inside citeproc-py, and the XHTML they become.

citeproc-py's HTML formatter inserts tags into text it never escaped: a
``Privacy & Terms`` title comes out as invalid XHTML, and a title that
contains ``<`` breaks the page.  We instead hand citeproc-py text in which
every formatting mark is a private-use character (a *sentinel*), let it do its
string work, and only at the end escape the text and turn sentinels into
tags.  That last step also does what citeproc-py leaves undone: quotes and
punctuation (``“Title.”`` with punctuation inside the quotes where the locale
says so), nested italics set roman, doubled punctuation (``?.``) removed, and
links to entries and URLs.
"""

from __future__ import annotations

import html
import re
from typing import Any

from citeproc.string import MixedString, NoCase, String

I_OPEN, I_CLOSE = "\ue000", "\ue001"
B_OPEN, B_CLOSE = "\ue002", "\ue003"
SC_OPEN, SC_CLOSE = "\ue004", "\ue005"
SUP_OPEN, SUP_CLOSE = "\ue006", "\ue007"
SUB_OPEN, SUB_CLOSE = "\ue008", "\ue009"
U_OPEN, U_CLOSE = "\ue00a", "\ue00b"
LIGHT_OPEN, LIGHT_CLOSE = "\ue00c", "\ue00d"
Q_OPEN, Q_CLOSE = "\ue010", "\ue011"
URL_OPEN, URL_CLOSE = "\ue012", "\ue013"
DOI_OPEN, DOI_CLOSE = "\ue014", "\ue015"
REF_OPEN, REF_MID, REF_CLOSE = "\ue016", "\ue017", "\ue018"

SENTINELS = re.compile("[\ue000-\ue01f]")
_CLOSERS = I_CLOSE + B_CLOSE + SC_CLOSE + SUP_CLOSE + SUB_CLOSE + U_CLOSE + LIGHT_CLOSE + URL_CLOSE + DOI_CLOSE


class Text(String):
    """citeproc-py's String, made to look past formatting marks and opening
    quotes when capitalising (``capitalize-first`` of ``“the``)."""

    def capitalize_first(self) -> "Text":
        for index, char in enumerate(self):
            if char.isalpha():
                return self.__class__(self[:index] + char.upper() + self[index + 1 :])
            if char.isdigit():
                break
        return self


class Protected(NoCase):
    """Text whose case a style must not change (``<span class="nocase">``)."""


def _wrapper(opening: str, closing: str) -> Any:
    def wrap(text: Any) -> Text:
        return Text(opening + str(text) + closing)
    return wrap


class SentinelFormatter:
    """The formatter handed to citeproc-py (it looks these names up)."""

    Italic = staticmethod(_wrapper(I_OPEN, I_CLOSE))
    Oblique = Italic
    Bold = staticmethod(_wrapper(B_OPEN, B_CLOSE))
    Light = staticmethod(_wrapper(LIGHT_OPEN, LIGHT_CLOSE))
    Underline = staticmethod(_wrapper(U_OPEN, U_CLOSE))
    Superscript = staticmethod(_wrapper(SUP_OPEN, SUP_CLOSE))
    Subscript = staticmethod(_wrapper(SUB_OPEN, SUB_CLOSE))
    SmallCaps = staticmethod(_wrapper(SC_OPEN, SC_CLOSE))

    @staticmethod
    def preformat(text: Any) -> str:
        return str(text)


# --- input: CSL rich text to sentinel strings ------------------------------------

_TAG = re.compile(r'<(/?)(i|b|sup|sub|span)((?:\s+[a-z-]+="[^"]*")*)\s*>')
_TAG_MARKS = {
    "i": (I_OPEN, I_CLOSE), "b": (B_OPEN, B_CLOSE),
    "sup": (SUP_OPEN, SUP_CLOSE), "sub": (SUB_OPEN, SUB_CLOSE),
}


def _span_kind(attributes: str) -> str | None:
    if 'class="nocase"' in attributes:
        return "nocase"
    if "small-caps" in attributes:
        return "smallcaps"
    return None


_OPENS_QUOTE = re.compile(r"[\s(\[{\u2014\u2013/-]")


def _quote_marks(value: str) -> str:
    """Double quotes in a field ("Frogs and "Toads"") as quote marks, so
    that inside a quoted title they become inner quotes and punctuation can
    move inside them, as citeproc-js and pandoc do.  Left alone unless they
    pair up."""
    if '"' not in value and "\u201c" not in value:
        return value
    out = []
    depth = 0
    previous = ""
    for part in re.split(r"(<[^<>]*>)", value):
        if part.startswith("<") and part.endswith(">"):
            out.append(part)
            continue
        for char in part:
            opening = char == "\u201c" or (char == '"' and (not previous or _OPENS_QUOTE.match(previous)))
            if char in '"\u201c\u201d' and opening:
                depth += 1
                out.append(Q_OPEN)
            elif char in '"\u201d' and depth:
                depth -= 1
                out.append(Q_CLOSE)
            else:
                out.append(char)
            previous = char
    return "".join(out) if depth == 0 else value


def rich_text(value: str) -> MixedString | Text:
    """CSL-JSON rich text (``<i>``, ``<b>``, ``<sup>``, ``<sub>``,
    ``<span class="nocase">``, small-caps spans) as citeproc strings: marks
    become sentinels, nocase parts :class:`Protected`.  Unbalanced or unknown
    tags stay literal text."""
    value = _quote_marks(SENTINELS.sub("", value))
    if "<" not in value:
        return Text(value)
    roles: dict[int, tuple[str, str | None]] = {}
    stack: list[tuple[str, re.Match[str]]] = []
    for match in _TAG.finditer(value):
        closing, tag = match.group(1), match.group(2)
        if not closing:
            stack.append((tag, match))
            continue
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == tag:
                opening = stack[depth][1]
                del stack[depth:]
                kind = tag if tag != "span" else _span_kind(opening.group(3) or "")
                roles[opening.start()] = ("open", kind)
                roles[match.start()] = ("close", kind)
                break
    segments: list[String] = []
    parts = {"text": "", "protected": ""}
    nocase = 0

    def add(text: str) -> None:
        parts["protected" if nocase else "text"] += text

    position = 0
    for match in _TAG.finditer(value):
        role = roles.get(match.start())
        if role is None:
            continue
        add(value[position : match.start()])
        position = match.end()
        which, kind = role
        if kind == "nocase":
            if which == "open":
                nocase += 1
                if nocase == 1 and parts["text"]:
                    segments.append(Text(parts["text"]))
                    parts["text"] = ""
            else:
                nocase -= 1
                if nocase == 0:
                    segments.append(Protected(parts["protected"]))
                    parts["protected"] = ""
            continue
        marks = (SC_OPEN, SC_CLOSE) if kind == "smallcaps" else _TAG_MARKS.get(kind or "")
        if marks:
            add(marks[0] if which == "open" else marks[1])
    add(value[position:])
    if parts["text"]:
        segments.append(Text(parts["text"]))
    if len(segments) == 1 and type(segments[0]) is Text:
        return segments[0]
    return MixedString(segments)


def plain(text: Any) -> str:
    """Text without any marks (for sort keys and comparisons)."""
    return SENTINELS.sub("", str(text))


def link_ref(anchor: str, text: Any) -> str:
    """Mark ``text`` as a link to the entry with id ``anchor``."""
    return REF_OPEN + anchor + REF_MID + str(text) + REF_CLOSE


# --- output: sentinel strings to XHTML ---------------------------------------------

class Typography:
    """What the final step needs to know of the locale."""

    def __init__(self, quotes: tuple[str, str, str, str], punctuation_in_quote: bool) -> None:
        self.open_quote, self.close_quote, self.open_inner, self.close_inner = quotes
        self.punctuation_in_quote = punctuation_in_quote


_PIQ = re.compile(Q_CLOSE + "([" + re.escape(_CLOSERS + REF_CLOSE) + "]*)([.,])")
_TERMINAL_DOUBLE = re.compile(r"([.?!…])([" + re.escape(_CLOSERS + Q_CLOSE + REF_CLOSE) + r"]*)\.")
_SPACES = re.compile(r"[ \t\n]{2,}")


def _quotes(text: str, typo: Typography) -> str:
    if typo.punctuation_in_quote:
        text = _PIQ.sub(lambda m: m.group(2) + Q_CLOSE + m.group(1), text)
    text = _TERMINAL_DOUBLE.sub(r"\1\2", text)
    out = []
    depth = 0
    for char in text:
        if char == Q_OPEN:
            out.append(typo.open_quote if depth % 2 == 0 else typo.open_inner)
            depth += 1
        elif char == Q_CLOSE:
            depth = max(depth - 1, 0)
            out.append(typo.close_quote if depth % 2 == 0 else typo.close_inner)
        elif depth % 2 == 1 and char == typo.open_quote and typo.open_quote != typo.open_inner:
            out.append(typo.open_inner)
        elif depth % 2 == 1 and char == typo.close_quote and typo.close_quote != typo.close_inner:
            out.append(typo.close_inner)
        else:
            out.append(char)
    return "".join(out)


_SIMPLE_TAGS = {
    SC_OPEN: ('<span style="font-variant:small-caps">', "</span>"),
    SUP_OPEN: ("<sup>", "</sup>"),
    SUB_OPEN: ("<sub>", "</sub>"),
    U_OPEN: ('<span style="text-decoration:underline">', "</span>"),
    LIGHT_OPEN: ('<span style="font-weight:lighter">', "</span>"),
}
_CLOSE_OF = {
    I_OPEN: I_CLOSE, B_OPEN: B_CLOSE, SC_OPEN: SC_CLOSE, SUP_OPEN: SUP_CLOSE,
    SUB_OPEN: SUB_CLOSE, U_OPEN: U_CLOSE, LIGHT_OPEN: LIGHT_CLOSE,
    URL_OPEN: URL_CLOSE, DOI_OPEN: DOI_CLOSE, REF_OPEN: REF_CLOSE,
}


class _Unbalanced(Exception):
    pass


def to_xhtml(value: Any, typo: Typography, link_urls: bool = True) -> str:
    """The final XHTML fragment for a sentinel string: text escaped, marks
    as tags, well-formed by construction (or, should citeproc-py have crossed
    two marks, the plain text)."""
    text = _quotes(str(value), typo)
    text = _SPACES.sub(" ", text).strip()
    try:
        return _tags(text, link_urls)
    except _Unbalanced:
        return html.escape(plain(text), quote=False)


def _tags(text: str, link_urls: bool) -> str:
    out: list[str] = []
    stack: list[tuple[str, str, str]] = []  # (closing sentinel, closing tag, kind)
    italic = bold = linked = 0
    pieces = re.split("([\ue000-\ue01f])", text)
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        index += 1
        if not piece:
            continue
        if not SENTINELS.fullmatch(piece):
            out.append(html.escape(piece, quote=False))
            continue
        if piece in (REF_OPEN, URL_OPEN, DOI_OPEN):
            target = pieces[index] if index < len(pieces) else ""
            if piece == REF_OPEN:
                if index + 1 >= len(pieces) or pieces[index + 1] != REF_MID:
                    raise _Unbalanced
                pieces[index] = pieces[index + 1] = ""
                opening = f'<a class="citation" href="#{html.escape(target)}">'
                active = not linked
            else:
                if piece == DOI_OPEN:
                    prefix = "https://doi.org/"
                    if not target.lower().startswith(("http://", "https://")):
                        target = prefix + target
                    if out and out[-1].endswith(prefix) and link_urls and not linked:
                        out[-1] = out[-1][: -len(prefix)]
                        pieces[index] = prefix + pieces[index]
                opening = f'<a href="{html.escape(target)}">'
                active = link_urls and not linked
            linked += active
            out.append(opening if active else "")
            stack.append((_CLOSE_OF[piece], "</a>" if active else "", "link" if active else ""))
            continue
        if piece in _CLOSE_OF:
            kind = ""
            if piece == I_OPEN:
                italic += 1
                kind = "i"
                tags = ("<i>", "</i>") if italic % 2 else ('<span style="font-style:normal">', "</span>")
            elif piece == B_OPEN:
                bold += 1
                kind = "b"
                tags = ("<b>", "</b>") if bold % 2 else ('<span style="font-weight:normal">', "</span>")
            else:
                tags = _SIMPLE_TAGS[piece]
            out.append(tags[0])
            stack.append((_CLOSE_OF[piece], tags[1], kind))
            continue
        if not stack or stack[-1][0] != piece:
            raise _Unbalanced
        _, tag, kind = stack.pop()
        italic -= kind == "i"
        bold -= kind == "b"
        linked -= kind == "link"
        out.append(tag)
    if stack:
        raise _Unbalanced
    return "".join(out)
