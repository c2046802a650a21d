"""Raw HTML in Markdown: an allow-list, re-serialised as XHTML.

Authors may write a little HTML (``<abbr>``, ``<sup>``, a ``<span lang>``).
Everything else — ``<script>``, ``<iframe>``, ``<object>``, ``<style>``,
event handlers, ``style`` attributes, ``javascript:`` and other non-local
URLs in ``src`` — is refused with the file and line, so it can reach no
edition. What passes is rewritten as well-formed XHTML so that the EPUB's
documents stay valid XML.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    "a abbr b bdi bdo blockquote br caption cite code col colgroup dd del dfn div dl dt em figcaption "
    "figure hr i img ins kbd li mark ol p pre q s samp small span strong sub sup table tbody td tfoot th "
    "thead tr u ul var wbr h2 h3 h4 h5 h6".split())
VOID_TAGS = frozenset({"br", "hr", "img", "wbr", "col"})
ALLOWED_ATTRS = frozenset({"id", "class", "title", "lang", "dir", "href", "src", "alt", "colspan",
                           "rowspan", "width", "height", "cite", "datetime", "abbr", "scope", "start",
                           "reversed", "type", "span"})
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class RawHTMLError(Exception):
    """A refused tag or attribute: the message says which, the caller says where."""


class _Rewriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if tag not in ALLOWED_TAGS:
            raise RawHTMLError(f"the HTML tag <{tag}> is not allowed")
        parts = [tag]
        for name, _ in attrs:
            if name.startswith("on"):
                raise RawHTMLError(f"the event handler attribute '{name}' on <{tag}> is not allowed")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                raise RawHTMLError(f"the event handler attribute '{name}' on <{tag}> is not allowed")
            if name not in ALLOWED_ATTRS and not name.startswith(("aria-", "data-")):
                raise RawHTMLError(f"the attribute '{name}' on <{tag}> is not allowed")
            if name in ("href", "src", "cite"):
                squashed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                scheme = re.match(r"^[a-z][a-z0-9+.-]*:", squashed)
                if scheme and not squashed.startswith(SAFE_SCHEMES):
                    raise RawHTMLError(f"the URL scheme '{scheme.group(0)}' in {name}= is not allowed")
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

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        pass  # comments are the author's notes to themselves: drop them

    def handle_decl(self, decl: str) -> None:
        raise RawHTMLError("declarations such as <!DOCTYPE> are not allowed in a chapter")

    def handle_pi(self, data: str) -> None:
        raise RawHTMLError("processing instructions are not allowed in a chapter")

    def unknown_decl(self, data: str) -> None:
        raise RawHTMLError("CDATA sections are not allowed in a chapter")


def clean(fragment: str) -> str:
    """``fragment`` as allowed XHTML, or :class:`RawHTMLError` saying what is refused."""
    parser = _Rewriter()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)
