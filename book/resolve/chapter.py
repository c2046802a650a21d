"""Pass 3 of resolve: one chapter rendered to an XHTML fragment, with its notes numbered."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from markdown_it.token import Token

from ..errors import BookError
from ..locales import Words
from ..locales import words as locale_words
from ..model import Asset, Footnote, ResolvedChapter
from . import markdown
from .outline import Parsed
from .targets import ImageOutcome
from .numbering import Label
from .tokens import line_of, raw_html, split_notes, walk


@dataclass(frozen=True)
class Rendered:
    """Pass 3 of one chapter: the chapter, the problems found and the images it uses."""

    chapter: ResolvedChapter
    errors: tuple[BookError, ...]
    assets: tuple[Asset, ...]


def render_chapter(md, p: Parsed, links: tuple[str | markdown.OutsideLink | BookError, ...],
                    images: tuple[ImageOutcome, ...], citation_html: tuple[str, ...], in_text: tuple[str, ...],
                    note_style: bool, number: int, part_id: str, labels: Mapping[str, Label] | None = None,
                    selected: frozenset[str] = frozenset(), words: Words | None = None,
                   source_lines: bool = False) -> Rendered:
    """Pass 3 of one chapter, from its marked tokens and what is known of the book: where each
    of its links and images leads, its formatted citations (in reading order), its number. With
    ``source_lines``, every paragraph, list item, quote and table says the line of the chapter's
    body it starts on (``data-line``), for ``check --print`` to name it."""
    ch = p.chapter
    errors: list[BookError] = []
    assets: list[Asset] = []
    targets = {id(t): target for (t, _line), target in zip(p.links, links)}
    pictures = {id(t): picture for (t, _line), picture in zip(p.images, images)}
    formatted = {id(t): html for (t, _c), html in zip(p.citations, citation_html)}
    authors = {id(t): html for (t, _c), html in zip(p.citations, in_text)}

    def link_target(token: Token) -> str | markdown.OutsideLink:
        target = targets[id(token)]
        if isinstance(target, BookError):
            errors.append(target)
            return "#"
        return target

    def image(token: Token) -> tuple[str, str, str]:
        picture = pictures[id(token)]
        errors.extend(picture.errors)
        if picture.asset is not None:
            assets.append(picture.asset)
        return picture.shown

    # Notes are numbered per chapter in order of their first call; in a note style,
    # citations are notes too and share the numbering.
    numbers: dict[object, int] = {}
    auto_notes: list[tuple[int, str]] = []
    for token in walk(p.tokens):
        if token.type == "footnote_ref":
            key = ("fn", token.meta["id"])
            if key not in numbers:
                numbers[key] = len(numbers) + 1
        elif token.type == "citation" and note_style and not _in_footnote(p, token):
            numbers[("cite", id(token))] = len(numbers) + 1
            auto_notes.append((numbers[("cite", id(token))], formatted[id(token)]))

    def note_number(token: Token) -> int:
        return numbers[("fn", token.meta["id"])]

    def render_citation(token: Token) -> str:
        html = formatted[id(token)]
        if note_style and ("cite", id(token)) in numbers:
            n = numbers[("cite", id(token))]
            # An author-in-text citation (@key) keeps the author's name in the text.
            author = authors.get(id(token), "")
            return (f'{author}<a class="noteref" id="fnref-{ch.id}-{n}" href="#fn-{ch.id}-{n}" '
                    f'role="doc-noteref">{n}</a>')
        return html

    def problem(token: Token, message: str, hint: str, rule: str, offset: int) -> None:
        errors.append(BookError(message, ch.path, *_place(p, token, offset), hint, rule))

    ctx = markdown.RenderContext(ch.id, link_target, image, p.heading_ids, note_number, render_citation,
                                 lambda t: raw_html(ch, t, p.parent_of.get(id(t))),
                                 words=words or locale_words("en"),
                                 labels=labels or {}, linked=lambda c: c in selected, problem=problem)
    env = {"ctx": ctx}
    main_tokens, note_tokens = split_notes(_with_lines(p.tokens) if source_lines else p.tokens)
    html = markdown.render_blocks(md, main_tokens, env)

    footnotes: list[Footnote] = []
    for note_id, tokens in note_tokens.items():
        key = ("fn", note_id)
        if key not in numbers:
            continue
        body = markdown.render_blocks(md, tokens, env).strip()
        footnotes.append(_footnote(ch.id, numbers[key], body))
    for n, text in auto_notes:
        footnotes.append(_footnote(ch.id, n, f"<p>{text}</p>"))
    footnotes.sort(key=lambda f: f.number)

    title_html = md.renderInline(ch.title).strip()
    cited: list[str] = []
    for _t, cit in p.citations:
        for item in cit.items:
            if item.key not in cited:
                cited.append(item.key)
    chapter = ResolvedChapter(
        source=ch, id=ch.id, title_html=title_html, title_text=plain_text(title_html), short_title=ch.short_title,
        html=html, headings=p.headings, footnotes=tuple(footnotes), cited_keys=tuple(cited),
        matter=ch.matter, part_id=part_id, number=number,
    )
    return Rendered(chapter, tuple(errors), tuple(assets))


def _place(p: Parsed, token: Token, offset: int) -> tuple[int, int]:
    """The line and column of a spot ``offset`` characters into an inline token's source (a formula,
    a cross-reference); the block's line for a block token."""
    parent = p.parent_of.get(id(token))
    if parent is None or not parent.map or "offset" not in (token.meta or {}):
        line = line_of(p.chapter, token, parent)
        return line, 1
    content = parent.content
    at = token.meta["offset"] + offset
    line = p.chapter.body_line + parent.map[0] + content.count("\n", 0, at)
    text_line = content[content.rfind("\n", 0, at) + 1:].split("\n", 1)[0]
    column = at - (content.rfind("\n", 0, at) + 1) + 1
    source_lines = p.chapter.markdown.split("\n")
    index = line - p.chapter.body_line
    if 0 <= index < len(source_lines) and text_line and text_line in source_lines[index]:
        column += source_lines[index].find(text_line)
    return line, column


def _in_footnote(p: Parsed, token: Token) -> bool:
    inside_note = False
    for t in p.tokens:
        if t.type == "footnote_open":
            inside_note = True
        elif t.type == "footnote_close":
            inside_note = False
        elif t.children and any(c is token for c in t.children):
            return inside_note
    return False


def _footnote(chapter_id: str, n: int, body: str) -> Footnote:
    inline = re.sub(r"</p>\s*<p>", " ", body)
    inline = re.sub(r"^<p>|</p>$", "", inline.strip())
    return Footnote(n, f"fn-{chapter_id}-{n}", f"fnref-{chapter_id}-{n}", body, inline)


_MARKED = frozenset({"paragraph_open", "list_item_open", "blockquote_open", "table_open", "dt_open", "dd_open",
                     "div_open", "line_block_open"})


def _with_lines(tokens: list[Token]) -> list[Token]:
    """The tokens, each block that opens at a known line replaced by a copy marked ``data-line``
    (1-based, in the chapter's body): the kept tokens are left as they are."""
    out = []
    for token in tokens:
        if token.type in _MARKED and token.map:
            token = token.copy()
            token.attrSet("data-line", str(token.map[0] + 1))
        out.append(token)
    return out


def plain_text(html: str) -> str:
    """What a reader sees of an inline HTML fragment such as a title: its text with its smart quotes
    and dashes (for the contents of the EPUB and the NCX, a page's <title>, the PDF's outline)."""
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html))
