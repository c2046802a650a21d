"""Markdown → XHTML fragments: the parser setup and the renderer rules.

One :class:`markdown_it.MarkdownIt` per language (smart quotes differ), with
CommonMark, tables, strikethrough, footnotes, smart punctuation and pandoc
citations. Rendering rules that need the book — heading ids, link targets,
footnote numbers, formatted citations — read a :class:`RenderContext` that
the resolve stage builds; nothing here knows about editions.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable, Mapping

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from ..locales import Words, base, french_spacing, quotes
from ..locales import words as locale_words
from . import elements
from .cite.plugin import citation_plugin
from .smartquotes import smartquotes
from .syntax import pandoc_markdown


@functools.lru_cache(maxsize=8)
def parser(lang: str) -> MarkdownIt:
    """The Markdown parser for a book in ``lang`` (cached: building it is not free): the language's
    quotation marks (CLDR), and French spacing before ; : ! ? and inside « » (:mod:`book.locales`)."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": True, "xhtmlOut": True, "quotes": list(quotes(lang))})
    md.enable(["replacements", "smartquotes", "table", "strikethrough"])
    md.core.ruler.at("smartquotes", smartquotes)  # markdown-it's, in linear time
    if base(lang) == "fr":
        md.core.ruler.after("smartquotes", "french_spacing", french_spacing_rule)
    md.use(footnote_plugin)
    md.use(citation_plugin)
    # Math, divs and callouts, figures and tables with attributes, cross-references … (pandoc's
    # Markdown and Quarto's, :mod:`.syntax`).
    pandoc_markdown(md)
    # markdown-it's validateLink would quietly print a javascript:, file: or data: link as
    # plain text; let every target through so that resolve refuses it with file and line.
    md.validateLink = lambda _url: True
    # Deep enough for any real book, shallow enough for Python's stack; resolve.MAX_NESTING,
    # a little lower, turns deeper nesting into an error instead of silently flattened text.
    md.options["maxNesting"] = 64
    return md


def french_spacing_rule(state) -> None:
    """A core rule: French spacing in the text of every inline token (never in code)."""
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "text":
                child.content = french_spacing(child.content)


def slugify(text: str) -> str:
    """Pandoc's identifier rule, closely: "The Rapallo Treaty (1922)" → "the-rapallo-treaty-1922"."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_." or unicodedata.category(c) == "Mn")
    text = re.sub(r"\s+", "-", text.strip())
    # Like pandoc, an id starts at the first letter: any letter, "Łódź" keeps its "Ł".
    first_letter = next((i for i, c in enumerate(text) if c.isalpha()), len(text))
    text = text[first_letter:]
    return text or "section"


def inline_text(token: Token) -> str:
    """The plain text of an inline token (what a reader sees)."""
    out = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            out.append(child.content)
    return "".join(out)


@dataclass(frozen=True)
class OutsideLink:
    """A link to a chapter that is in the book but not in this selection (a handout).

    It has no target to point at; it is rendered ``<a class="xref-out" data-title="…">``
    and the handout template names the chapter in words instead."""

    title: str
    """The chapter's title as plain text."""


@dataclass
class RenderContext:
    """What the renderer rules need to know about the book while rendering one chapter."""

    chapter_id: str
    link_target: Callable[[Token], str | OutsideLink]
    """href for a link token (already checked): ``#id`` in the book, or the external URL;
    an :class:`OutsideLink` for a chapter left out of a handout."""
    image: Callable[[Token], tuple[str, str, str]]
    """(src, alt, caption) for an image token (already checked)."""
    heading_ids: dict[int, str]
    """id of each heading_open token, by id(token)."""
    note_number: Callable[[Token], int]
    """The per-chapter number of a footnote_ref token."""
    citation_html: Callable[[Token], str]
    raw_html: Callable[[Token], str]
    in_note: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    words: Words = field(default_factory=lambda: locale_words("en"))
    """The book's generated words: those of captions, callouts and cross-references (:mod:`.words`)."""
    labels: Mapping[str, Any] = field(default_factory=dict)
    """Every label and heading of the book, numbered (:class:`~.numbering.Label`), by id."""
    linked: Callable[[str], bool] = lambda _chapter_id: True
    """Whether a chapter is in this selection: a cross-reference into one that is not is plain text."""
    problem: Callable[[Token, str, str, str, int], None] = field(default=lambda *_args: None)
    """Records an error of a token: (token, message, hint, rule, offset of the spot in its source)."""


def install_rules(md: MarkdownIt) -> None:
    """Renderer rules that read ``env["ctx"]``; idempotent."""
    if getattr(md, "_book_rules", False):
        return
    md._book_rules = True  # type: ignore[attr-defined]

    def heading_open(self, tokens, idx, options, env):
        token = tokens[idx]
        ctx = env["ctx"]
        ident = ctx.heading_ids.get(id(token), "")
        attrs = (token.meta or {}).get("attrs")
        classes = [c for c in (attrs.classes if attrs is not None else ()) if c not in ("unnumbered", "unlisted")]
        label = ctx.labels.get(ident)
        number = f'<span class="section-number">{escape(label.number)}</span> ' if label and label.number else ""
        cls = f' class="{escape(" ".join(classes))}"' if classes else ""
        return (f'<{token.tag} id="{escape(ident)}"{cls}>' if ident else f"<{token.tag}{cls}>") + number

    def link_open(self, tokens, idx, options, env):
        token = tokens[idx]
        href = env["ctx"].link_target(token)
        if isinstance(href, OutsideLink):
            return f'<a class="xref-out" data-title="{escape(href.title)}">'
        attrs = f' href="{escape(href)}"'
        own = (token.meta or {}).get("attrs")
        extra = " ".join(own.classes) if own is not None else ""
        if own is not None and own.ident:
            attrs = f' id="{escape(own.ident)}"' + attrs
        if href.startswith("#"):
            attrs += f' class="xref{" " + escape(extra) if extra else ""}"'
        else:
            attrs += f' class="external{" " + escape(extra) if extra else ""}"'
        title = token.attrGet("title")
        if title:
            attrs += f' title="{escape(str(title))}"'
        return f"<a{attrs}>"

    def image(self, tokens, idx, options, env):
        token = tokens[idx]
        src, alt, _caption = env["ctx"].image(token)
        own = (token.meta or {}).get("attrs")
        if own is not None and own.get("fig-alt"):
            alt = own.get("fig-alt")
        id_attr = f' id="{escape(own.ident)}"' if own is not None and own.ident else ""
        return f'<img{id_attr} src="{escape(src)}" alt="{escape(alt)}"{elements.image_style(token)} />'

    def paragraph_open(self, tokens, idx, options, env):
        figure = figure_image(tokens, idx)
        if figure is not None:
            env["skip_paragraph_close"] = env.get("skip_paragraph_close", 0) + 1
            return elements.figure_html(md, env["ctx"], figure, env, elements.source_line(tokens[idx]))
        return self.renderToken(tokens, idx, options, env)

    def paragraph_close(self, tokens, idx, options, env):
        if env.get("skip_paragraph_close"):
            env["skip_paragraph_close"] -= 1
            return ""
        return self.renderToken(tokens, idx, options, env)

    def footnote_ref(self, tokens, idx, options, env):
        ctx = env["ctx"]
        token = tokens[idx]
        n = ctx.note_number(token)
        sub = token.meta.get("subId", 0)
        ref_id = f"fnref-{ctx.chapter_id}-{n}" + (f"-{sub + 1}" if sub else "")
        return (f'<a class="noteref" id="{ref_id}" href="#fn-{ctx.chapter_id}-{n}" '
                f'role="doc-noteref">{n}</a>')

    def citation(self, tokens, idx, options, env):
        return env["ctx"].citation_html(tokens[idx])

    def html_raw(self, tokens, idx, options, env):
        return env["ctx"].raw_html(tokens[idx])

    def code_block(self, tokens, idx, options, env):
        return f"<pre><code>{escape(tokens[idx].content)}</code></pre>\n"

    def span_close(self, tokens, idx, options, env):
        stack = env.get("spans") or [False]
        return "" if stack.pop() else "</span>"

    def index_open(self, tokens, idx, options, env):
        ident = tokens[idx].meta.get("id", "")
        return f'<span class="index-mark" id="{escape(ident)}">' if ident else ""

    def index_close(self, tokens, idx, options, env):
        return "</span>" if tokens[idx].meta.get("id") else ""

    rules = {
        "span_close": span_close, "index_open": index_open, "index_close": index_close,
        "heading_open": heading_open, "link_open": link_open, "image": image,
        "paragraph_open": paragraph_open, "paragraph_close": paragraph_close,
        "footnote_ref": footnote_ref, "citation": citation,
        "html_block": html_raw, "html_inline": html_raw, "code_block": code_block,
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)
    elements.install(md)


def figure_image(tokens: list[Token], idx: int) -> Token | None:
    """The image token if the paragraph at ``idx`` holds a lone image, else None."""
    if idx + 2 >= len(tokens) or tokens[idx + 1].type != "inline":
        return None
    children = [c for c in tokens[idx + 1].children or () if not (c.type == "text" and not c.content.strip())]
    if len(children) == 1 and children[0].type == "image":
        return children[0]
    return None


def render_blocks(md: MarkdownIt, tokens: list[Token], env: dict) -> str:
    """Render block tokens, skipping the inline content of figure paragraphs."""
    out: list[str] = []
    rules = md.renderer.rules
    skip_inline: set[int] = set()
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and figure_image(tokens, i) is not None:
            skip_inline.add(i + 1)
    for i, token in enumerate(tokens):
        if i in skip_inline:
            continue
        if token.type == "inline":
            out.append(md.renderer.renderInline(token.children or [], md.options, env))
        elif token.type in rules:
            out.append(rules[token.type](tokens, i, md.options, env))
        else:
            out.append(md.renderer.renderToken(tokens, i, md.options, env))
    return "".join(out)
