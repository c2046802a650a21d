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
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .cite.syntax import citation_plugin
from .smartquotes import smartquotes

SPAN_ATTRIBUTES = ("class", "lang", "term", "see", "see-also")
"""What a ``[text]{...}`` span may say: classes and a language for any span, the rest for index marks."""

QUOTES = {
    "en": "“”‘’", "de": "„“‚‘", "fr": ["«\u202f", "\u202f»", "“", "”"], "ru": "«»„“", "es": "«»“”",
    "it": "«»“”", "pl": "„”‚’", "nl": "‘’‚’", "sv": "””’’", "cs": "„“‚‘", "da": "»«›‹",
}


@functools.lru_cache(maxsize=8)
def parser(lang: str) -> MarkdownIt:
    """The Markdown parser for a book in ``lang`` (cached: building it is not free)."""
    quotes = QUOTES.get(lang.split("-")[0].lower(), QUOTES["en"])
    md = MarkdownIt("commonmark", {"typographer": True, "html": True, "xhtmlOut": True, "quotes": quotes})
    md.enable(["replacements", "smartquotes", "table", "strikethrough"])
    md.core.ruler.at("smartquotes", smartquotes)  # markdown-it's, in linear time
    md.use(footnote_plugin)
    md.use(citation_plugin)
    # Pandoc's bracketed spans, for index marks: [Litvinov]{.index term="Litvinov, Maxim"}. Only spans
    # (attributes after links, images or code stay plain text), and only these attributes.
    md.use(attrs_plugin, spans=True, after=(), allowed=SPAN_ATTRIBUTES)
    # markdown-it's validateLink would quietly print a javascript:, file: or data: link as
    # plain text; let every target through so that resolve refuses it with file and line.
    md.validateLink = lambda _url: True
    # Deep enough for any real book, shallow enough for Python's stack; resolve.MAX_NESTING,
    # a little lower, turns deeper nesting into an error instead of silently flattened text.
    md.options["maxNesting"] = 64
    return md


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


def install_rules(md: MarkdownIt) -> None:
    """Renderer rules that read ``env["ctx"]``; idempotent."""
    if getattr(md, "_book_rules", False):
        return
    md._book_rules = True  # type: ignore[attr-defined]

    def heading_open(self, tokens, idx, options, env):
        token = tokens[idx]
        ident = env["ctx"].heading_ids.get(id(token), "")
        return f'<{token.tag} id="{escape(ident)}">' if ident else f"<{token.tag}>"

    def link_open(self, tokens, idx, options, env):
        token = tokens[idx]
        href = env["ctx"].link_target(token)
        if isinstance(href, OutsideLink):
            return f'<a class="xref-out" data-title="{escape(href.title)}">'
        attrs = f' href="{escape(href)}"'
        if href.startswith("#"):
            attrs += ' class="xref"'
        else:
            attrs += ' class="external"'
        title = token.attrGet("title")
        if title:
            attrs += f' title="{escape(str(title))}"'
        return f"<a{attrs}>"

    def image(self, tokens, idx, options, env):
        src, alt, _caption = env["ctx"].image(tokens[idx])
        return f'<img src="{escape(src)}" alt="{escape(alt)}" />'

    def paragraph_open(self, tokens, idx, options, env):
        figure = _figure_image(tokens, idx)
        if figure is not None:
            src, alt, caption = env["ctx"].image(figure)
            cap = f"<figcaption>{caption}</figcaption>" if caption else ""
            env["skip_paragraph_close"] = env.get("skip_paragraph_close", 0) + 1
            return f'<figure><img src="{escape(src)}" alt="{escape(alt)}" />{cap}</figure>\n'
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

    def fence(self, tokens, idx, options, env):
        info = tokens[idx].info.strip().split()
        cls = f' class="language-{escape(info[0])}"' if info else ""
        return f"<pre><code{cls}>{escape(tokens[idx].content)}</code></pre>\n"

    def span_open(self, tokens, idx, options, env):
        # An index span that resolve did not turn into a mark (in a title) is plain text.
        classes = str(tokens[idx].attrGet("class") or "").split()
        plain = "index" in classes
        env.setdefault("spans", []).append(plain)
        if plain:
            return ""
        attrs = "".join(f' {name}="{escape(str(tokens[idx].attrGet(name)))}"' for name in ("class", "lang")
                        if tokens[idx].attrGet(name))
        return f"<span{attrs}>"

    def span_close(self, tokens, idx, options, env):
        stack = env.get("spans") or [False]
        return "" if stack.pop() else "</span>"

    def index_open(self, tokens, idx, options, env):
        ident = tokens[idx].meta.get("id", "")
        return f'<span class="index-mark" id="{escape(ident)}">' if ident else ""

    def index_close(self, tokens, idx, options, env):
        return "</span>" if tokens[idx].meta.get("id") else ""

    rules = {
        "span_open": span_open, "span_close": span_close, "index_open": index_open, "index_close": index_close,
        "heading_open": heading_open, "link_open": link_open, "image": image,
        "paragraph_open": paragraph_open, "paragraph_close": paragraph_close,
        "footnote_ref": footnote_ref, "citation": citation,
        "html_block": html_raw, "html_inline": html_raw, "code_block": code_block, "fence": fence,
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)


def _figure_image(tokens: list[Token], idx: int) -> Token | None:
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
        if token.type == "paragraph_open" and _figure_image(tokens, i) is not None:
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
