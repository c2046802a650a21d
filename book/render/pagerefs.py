"""Page references in print: where a reader expects them, at the end of the clause.

A link to a place in the book (``[the Rapallo treaty](#rapallo)``) is a link on
screen; on paper it also needs the page it points to. Set right after the
linked words, the page number lands in the middle of a phrase ("the secret
Rapallo (p. 9) military cooperation"). Here each such link gets its page
reference at the end of its clause instead: before the next comma, semicolon,
colon, full stop, question or exclamation mark, dash or bracket, before a note
call, or at the end of the paragraph: "the secret Rapallo military cooperation
(p. 9),". Several references in one clause share one bracket: "(p. 9; p. 15)".

The author can ask for another form with a class on the link:

- ``{.see}``: "(see p. 9)", at the end of the clause;
- ``{.page-here}``: the page reference right after the linked words;
- ``{.no-page}``: no page reference (the words already say where).

Screen editions keep the link alone: this runs on the print manuscript only
(:func:`printed`), and the bracket is made by the print stylesheet from the
``<a class="page-ref">`` elements placed here, each a link to the same target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_HREF = re.compile(r'\bhref="(#[^"]*)"')
_CLASS = re.compile(r'\bclass="([^"]*)"')
_BLOCK_END = re.compile(r"</(p|li|td|th|h[1-6]|figcaption|caption|dd|dt|blockquote|div|section|aside)>")
_NOTE_CALL = re.compile(r'<(sup|a)\b[^>]*class="[^"]*\bnoteref\b')
_CLAUSE = re.compile(r"[,;:!?()\[\]\u2013\u2014]|\.(?=\s|$)")
_OPTIONS = ("see", "page-here", "no-page")


@dataclass
class _Pending:
    """References waiting for the end of their clause."""

    refs: list[tuple[str, bool]] = field(default_factory=list)
    depth: int = 0
    """Brackets opened since the first of them."""

    def add(self, href: str, see: bool) -> None:
        if (href, see) not in self.refs:
            self.refs.append((href, see))

    def flush(self) -> str:
        if not self.refs:
            return ""
        out = group(self.refs)
        self.refs = []
        self.depth = 0
        return out


def group(refs: list[tuple[str, bool]]) -> str:
    """The bracket of page references, for the print stylesheet to fill in."""
    links = "".join(f'<a class="page-ref{" see" if see else ""}" href="{href}"></a>' for href, see in refs)
    return f'<span class="page-refs">{links}</span>'


def clause_references(fragment: str) -> str:
    """An XHTML fragment with a page reference at the end of each cross-reference's clause."""
    if 'class="xref' not in fragment:
        return fragment
    out: list[str] = []
    pending = _Pending()
    in_link: tuple[str, str] | None = None  # (href, option) of the cross-reference being copied
    for m in _TOKEN.finditer(fragment):
        token = m.group(0)
        if token.startswith("<"):
            if in_link is not None and token == "</a>":
                out.append(token)
                href, option = in_link
                in_link = None
                if option == "page-here":
                    out.append(group([(href, False)]))
                elif option != "no-page":
                    pending.add(href, option == "see")
                continue
            if _BLOCK_END.match(token) or _NOTE_CALL.match(token):
                out.append(pending.flush())
            elif token.startswith("<a ") and in_link is None:
                in_link = _cross_reference(token)
            out.append(token)
            continue
        if in_link is not None or not pending.refs:
            out.append(token)
            continue
        end = _clause_end(token, pending)
        if end is None:
            out.append(token)
            continue
        out.append(token[:end].rstrip(" ") + pending.flush() + token[end:])
    out.append(pending.flush())
    return "".join(out)


def _cross_reference(tag: str) -> tuple[str, str] | None:
    """(href, option) of a cross-reference's opening tag, or None for any other link."""
    classes = _CLASS.search(tag)
    names = classes.group(1).split() if classes else []
    if "xref" not in names:
        return None
    href = _HREF.search(tag)
    if href is None:
        return None
    option = next((name for name in _OPTIONS if name in names), "")
    return href.group(1), option


def _clause_end(text: str, pending: _Pending) -> int | None:
    """Where the clause ends in a run of text: at its punctuation. A bracket opened after the link
    is passed over whole; a full stop ends it only after a word of two letters or more with no full
    stop of its own (not "p." nor "U.S."), or right after the link."""
    for m in _CLAUSE.finditer(text):
        mark = m.group(0)
        if mark in "([":
            pending.depth += 1
        elif mark in ")]" and pending.depth:
            pending.depth -= 1
        elif pending.depth:
            continue
        elif mark != ".":
            return m.start()
        else:
            before = text[: m.start()]
            word = before.rsplit(None, 1)[-1] if before.strip() else ""
            if not before or (len(word) > 1 and "." not in word):
                return m.start()
    return None
