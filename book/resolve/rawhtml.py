"""Raw HTML in Markdown: an allow-list, re-serialised as XHTML.

Authors may write a little HTML (``<abbr>``, ``<sup>``, a ``<span lang>``).
Everything else — ``<script>``, ``<iframe>``, ``<object>``, ``<style>``,
event handlers, ``style`` attributes, ``javascript:`` and other non-local
URLs in ``src`` — is refused with the file and line, so it can reach no
edition. What passes is rewritten, tag by tag, as well-formed XHTML so that
the EPUB's documents stay valid XML: nothing of the author's markup is copied
through as written, so no difference between this parser and a browser's can
smuggle anything in (``tests/test_fuzz.py`` checks the result with libxml2 and
with nh3). :func:`nesting_problem` makes sure the tags also nest: markdown-it
hands over one tag at a time, and an ``<abbr>`` left open would break the XML.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from typing import Any

from ..confine import CONTROL, character_name, link_scheme_refused

ALLOWED_TAGS = frozenset(
    "a abbr b bdi bdo blockquote br caption cite code col colgroup dd del dfn div dl dt em figcaption "
    "figure hr i img ins kbd li mark ol p pre q s samp small span strong sub sup table tbody td tfoot th "
    "thead tr u ul var wbr h2 h3 h4 h5 h6".split())
VOID_TAGS = frozenset({"br", "hr", "img", "wbr", "col"})
ALLOWED_ATTRS = frozenset({"id", "class", "title", "lang", "dir", "href", "src", "alt", "colspan",
                           "rowspan", "width", "height", "cite", "datetime", "abbr", "scope", "start",
                           "reversed", "type", "span"})


_DATA_ATTR = re.compile(r"(aria|data)-[a-z0-9][a-z0-9-]*")

MAX_DEPTH = 40
"""Raw HTML tags open inside one another at most this deep: WeasyPrint lays nested boxes out
recursively, and 400 ``<span>`` in one another exhaust its stack."""


class RawHTMLError(Exception):
    """A refused tag or attribute: the message says which, the caller says where."""


class _Rewriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.events: list[tuple[str, str]] = []
        """("start" | "end", tag) for every non-void tag, for :func:`nesting_problem`."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if tag not in ALLOWED_TAGS:
            raise RawHTMLError(f"the HTML tag <{tag}> is not allowed")
        parts = [tag]
        if tag not in VOID_TAGS and not closed:  # first, so that a refused attribute keeps the nesting known
            self.events.append(("start", tag))
        for name, _ in attrs:
            if name.startswith("on"):
                raise RawHTMLError(f"the event handler attribute '{name}' on <{tag}> is not allowed")
        seen: set[str] = set()
        for name, value in attrs:
            value = value or ""
            _refuse_characters(value)
            if name not in ALLOWED_ATTRS and not _DATA_ATTR.fullmatch(name):
                raise RawHTMLError(f"the attribute '{name}' on <{tag}> is not allowed")
            if name in seen:
                raise RawHTMLError(f"the attribute '{name}' appears twice on <{tag}>")
            seen.add(name)
            if name in ("href", "src", "cite"):
                scheme = link_scheme_refused(value)
                if scheme:
                    raise RawHTMLError(f"the URL scheme '{scheme}' in {name}= is not allowed")
                if name == "src":
                    raise RawHTMLError("images are written in Markdown, ![alt](path), so the builder can check them")
            parts.append(f'{name}="{escape(value, quote=True)}"')
        if tag in VOID_TAGS:
            self.out.append("<" + " ".join(parts) + " />")
        else:
            self.out.append("<" + " ".join(parts) + ">" + ("</" + tag + ">" if closed else ""))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            raise RawHTMLError(f"the HTML tag </{tag}> is not allowed")
        if tag not in VOID_TAGS:
            self.out.append(f"</{tag}>")
            self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        _refuse_characters(data)
        self.out.append(escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        pass  # comments are the author's notes to themselves: drop them

    def handle_decl(self, decl: str) -> None:
        raise RawHTMLError("declarations such as <!DOCTYPE> are not allowed in a chapter")

    def handle_pi(self, data: str) -> None:
        raise RawHTMLError("processing instructions are not allowed in a chapter")

    def unknown_decl(self, data: str) -> None:
        raise RawHTMLError("CDATA sections are not allowed in a chapter")


def _refuse_characters(text: str) -> None:
    """A character reference (``&#12;``) may name a character no XML document can hold."""
    bad = CONTROL.search(text)
    if bad:
        raise RawHTMLError(f"a character reference makes {character_name(bad.group())}, which no edition can hold")


def clean(fragment: str) -> str:
    """``fragment`` as allowed XHTML, or :class:`RawHTMLError` saying what is refused."""
    parser = _Rewriter()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


def _events(fragment: str) -> list[tuple[str, str]]:
    parser = _Rewriter()
    try:
        parser.feed(fragment)
        parser.close()
    except RawHTMLError:
        pass  # refused anyway, with its own message, when the chapter is rendered
    return parser.events


def nesting_problem(tokens: list[Any]) -> tuple[Any, str] | None:
    """The first raw HTML tag that does not nest with what surrounds it, as (block token, message).

    Each raw tag is cleaned on its own, so ``<abbr>`` left open, or a ``<div>`` opened
    in one list item and closed in the next, would make the chapter ill-formed XHTML
    and break the EPUB. The Markdown's own blocks and spans count as elements here:
    a raw tag must close inside the paragraph, item or quote that opened it.
    """
    stack: list[tuple[str, str, Any]] = []  # (kind "html" | "md", name, block token)

    def step(token: Any, block: Any) -> str:
        if token.type in ("html_block", "html_inline"):
            for kind, tag in _events(token.content):
                if kind == "start":
                    stack.append(("html", tag, block))
                    if sum(1 for entry in stack if entry[0] == "html") > MAX_DEPTH:
                        return f"raw HTML tags nest more than {MAX_DEPTH} deep here"
                elif stack and stack[-1][:2] == ("html", tag):
                    stack.pop()
                elif stack and stack[-1][0] == "html":
                    return f"</{tag}> closes <{stack[-1][1]}>; close the inner tag first"
                else:
                    return f"</{tag}> closes no open <{tag}> here"
        elif token.nesting == 1:
            stack.append(("md", token.type.removesuffix("_open"), block))
        elif token.nesting == -1:
            if stack and stack[-1][0] == "html":
                what = token.type.removesuffix("_close").replace("_", " ")
                return f"<{stack[-1][1]}> is not closed before the end of the {what}"
            if stack:
                stack.pop()
        return ""

    for token in tokens:
        for part in (token, *(token.children or ())):
            problem = step(part, token)
            if problem:
                opened = stack[-1][2] if stack and stack[-1][0] == "html" and "not closed" in problem else token
                return opened, problem
    if stack and stack[-1][0] == "html":
        return stack[-1][2], f"<{stack[-1][1]}> is never closed"
    return None
