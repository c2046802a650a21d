"""Pass 1 of resolve: parse each chapter, list its headings, give them ids, mark the index's spots.

A chapter's outline (its headings, and the problems that are its own) depends
on its text alone; its heading ids on the whole book's (pandoc's slug, ``-1``,
``-2`` … on a clash, :func:`unique_id`); its index marks
(:mod:`.index_marks`) on the ids already taken. :class:`Parsed` is what the
other passes need of a chapter: its marked tokens, where its citations, links
and images are.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it.token import Token

from ..confine import CONTROL, character_name
from ..errors import BookError
from ..memo import Memo, remember
from ..model import Book, Chapter, Heading
from . import markdown
from .cite.syntax import Citation
from .index_marks import Finder, Marking, mark_chapter
from .numbering import Spot, spots
from .rawhtml import nesting_problem
from .tokens import line_of, raw_html, split_notes

MAX_NESTING = 40
"""Deepest block nesting (lists in quotes in lists …) a chapter may have."""


@dataclass(eq=False)
class Outline:
    """Pass 1 of one chapter before ids are given: its headings and the problems that are its own."""

    headings: tuple[tuple[str, int, str, str, bool, int], ...] | None
    """(slug, level, html, text, explicit, line) of each heading in order: its slug is the id written
    in its attributes when ``explicit``; None if the chapter could not be parsed."""
    errors: tuple[BookError, ...]
    tokens: list[Token] | None
    """The parse, until :func:`_mark` takes it to mark in place; a kept outline has none left."""

    def take_tokens(self) -> list[Token] | None:
        tokens, self.tokens = self.tokens, None
        return tokens


class _Recording:
    """The book's set of ids, recording what one chapter's marking does with it (tests and adds):
    what :func:`.index_marks.mark_chapter` is given as ``taken``."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.log: list[tuple[str, bool | None]] = []

    def __contains__(self, ident: object) -> bool:
        answer = ident in self.taken
        self.log.append((str(ident), answer))
        return answer

    def add(self, ident: str) -> None:
        self.taken.add(ident)
        self.log.append((ident, None))


@dataclass(frozen=True)
class _IdUse:
    """How one chapter's marking used the book's ids, in order: (id, whether it was taken) for
    each test, (id, None) for each id it added."""

    log: tuple[tuple[str, bool | None], ...]

    def hold(self, taken: set[str]) -> bool:
        """Whether every test would answer the same against ``taken`` (the ids before the chapter's)."""
        own: set[str] = set()
        for ident, answer in self.log:
            if answer is None:
                own.add(ident)
            elif (ident in taken or ident in own) != answer:
                return False
        return True

    def added(self) -> list[str]:
        return [ident for ident, answer in self.log if answer is None]


@dataclass(eq=False)
class Parsed:
    """One chapter after pass 1: its marked tokens and what the other passes need of them."""

    chapter: Chapter
    tokens: list[Token]
    heading_ids: dict[int, str]
    headings: tuple[Heading, ...]
    slug_to_id: dict[str, str]
    """Each heading's slug → its id (the first heading with that slug), for links to the chapter."""
    citations: tuple[tuple[Token, Citation], ...]
    """Citation tokens in reading order, with what they say."""
    links: tuple[tuple[Token, int], ...]
    """Every link token and its line."""
    images: tuple[tuple[Token, int], ...]
    """Every image token and its line."""
    marking: Marking
    """The chapter's index marks, cross-references and marking problems."""
    ids_used: _IdUse
    parent_of: dict[int, Token]
    """The inline token holding each inline child, by id(child)."""
    spots: tuple[Spot, ...] = ()
    """The chapter's headings and labelled figures, tables and equations in order, to be numbered."""


def outline_of(md, ch: Chapter) -> Outline:
    """Parse the chapter; list its headings and the problems of its own (too deep, unbalanced raw
    HTML, a ``#`` heading)."""
    try:
        tokens = md.parse(ch.markdown, {})
    except RecursionError:
        return Outline(None, (BookError("the chapter is nested too deeply to read", ch.path, ch.body_line, 1,
                                         "simplify deeply nested lists or quotes", rule="too-deep"),), None)
    errors: list[BookError] = []
    _check_depth(ch, tokens, errors)
    _check_characters(ch, tokens, errors)
    unbalanced = nesting_problem(tokens)
    if unbalanced:
        errors.append(BookError(f"raw HTML: {unbalanced[1]}", ch.path, line_of(ch, unbalanced[0]), 1,
                                "open and close each HTML tag in the same paragraph, list item or quote",
                                rule="raw-html"))
    headings: list[tuple[str, int, str, str, bool, int]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            text = markdown.inline_text(tokens[i + 1])
            html = markdown.render_blocks(md, [tokens[i + 1]], {"ctx": _title_ctx(ch)})
            attrs = (token.meta or {}).get("attrs")
            explicit = attrs.ident if attrs is not None else ""
            headings.append((explicit or markdown.slugify(text), int(token.tag[1]), html, text, bool(explicit),
                             line_of(ch, token)))
            if token.tag == "h1":
                errors.append(BookError("a '#' heading inside a chapter", ch.path, line_of(ch, token), 1,
                                        "the chapter title comes from the front matter; use '##' for sections",
                                        rule="heading-level"))
    return Outline(tuple(headings), tuple(errors), tokens)


def marked_chapter(md, ch: Chapter, outline: Outline, ids: tuple[str, ...], finder: Finder, book: Book,
            taken: set[str], memo: Memo | None) -> Parsed:
    """The chapter's tokens with its heading ids and its index marks, the marks' ids added to ``taken``.

    Kept by the chapter, its heading ids and the index terms, while the ids its marks were
    checked against in ``taken`` are still taken (or still free) as they were."""
    inputs = (book.meta.lang, ch, ids, book.index_terms)
    p = remember(memo, ("marked", ch.path), inputs, lambda: _mark(md, ch, outline, ids, finder, taken),
                 valid=lambda kept: kept.ids_used.hold(taken))
    taken.update(p.ids_used.added())
    return p


def _mark(md, ch: Chapter, outline: Outline, ids: tuple[str, ...], finder: Finder,
          taken: set[str]) -> Parsed:
    """Pass 1 of one chapter after ids are given: its tokens (the outline's parse, or a new one),
    their heading ids, citations, links and images, and its index marks (:func:`.index_marks.mark_chapter`)."""
    tokens = outline.take_tokens() or md.parse(ch.markdown, {})
    heading_ids = {id(t): ident for t, ident in zip((t for t in tokens if t.type == "heading_open"), ids)}
    headings = tuple(Heading(ident, level, html, text)
                     for ident, (_slug, level, html, text, *_where) in zip(ids, outline.headings))
    slug_to_id: dict[str, str] = {}
    for (slug, *_rest), ident in zip(outline.headings, ids):
        slug_to_id.setdefault(slug, ident)
    citations = tuple((t, t.meta["citation"]) for t in _reading_order_citations(tokens))
    marking = Marking()
    recording = _Recording(taken)
    mark_chapter(ch, tokens, finder, heading_ids, recording, marking)  # type: ignore[arg-type]
    parent_of: dict[int, Token] = {}
    placed: dict[str, list[tuple[Token, int]]] = {"link_open": [], "image": []}
    for token in tokens:
        for child in token.children or ():  # links and images are inline: children, never blocks
            parent_of[id(child)] = token
            for grandchild in child.children or ():  # a figure's caption
                parent_of[id(grandchild)] = token
            if child.type in placed:
                placed[child.type].append((child, line_of(ch, child, token)))
    figures = {id(markdown.figure_image(tokens, i)) for i, t in enumerate(tokens)
               if t.type == "paragraph_open" and markdown.figure_image(tokens, i) is not None}
    return Parsed(ch, tokens, heading_ids, headings, slug_to_id, citations, tuple(placed["link_open"]),
                   tuple(placed["image"]), marking, _IdUse(tuple(recording.log)), parent_of,
                   spots(ch, tokens, heading_ids, figures))


def _reading_order_citations(tokens: list[Token]) -> list[Token]:
    """Citation tokens in the order a reader meets them: a note's citations come where
    the note is first called, not at the end where markdown-it keeps the notes
    (so that "Ibid." and numeric styles follow the reading)."""
    main, notes = split_notes(tokens)
    seen: set[int] = set()
    out: list[Token] = []

    def visit(block: list[Token]) -> None:
        for token in block:
            for child in _with_captions(token.children or ()):
                if child.type == "citation":
                    out.append(child)
                elif child.type == "footnote_ref":
                    note = child.meta["id"]
                    if note not in seen:
                        seen.add(note)
                        visit(notes.get(note, []))
    visit(main)
    # A note called only from notes the text never calls (or from itself) is still numbered and
    # printed, as every called note is (chapter.py): its citations come after the text's.
    for token in tokens:
        for child in token.children or ():
            if child.type == "footnote_ref" and child.meta["id"] not in seen:
                seen.add(child.meta["id"])
                visit(notes.get(child.meta["id"], []))
    return out


def _with_captions(children):
    """Inline children, and inside an image the children of its caption, in reading order."""
    for child in children:
        yield child
        if child.type == "image":
            yield from child.children or ()


def unique_id(slug: str, used: set[str]) -> str:
    ident, n = slug, 1
    while ident in used:
        ident = f"{slug}-{n}"
        n += 1
    used.add(ident)
    return ident


def _check_depth(ch: Chapter, tokens: list[Token], errors: list[BookError]) -> None:
    deep = next((t for t in tokens if t.level > MAX_NESTING), None)
    if deep is not None:
        deepest = max(t.level for t in tokens)
        errors.append(BookError(f"lists and quotes nest {deepest} levels deep here", ch.path,
                                line_of(ch, deep), 1,
                                f"blocks may nest at most {MAX_NESTING} levels deep; flatten the structure",
                                rule="too-deep"))


def _check_characters(ch: Chapter, tokens: list[Token], errors: list[BookError]) -> None:
    """A character reference (``&#12;``) that Markdown turns into a character no edition can hold:
    the file itself cannot hold one (:func:`book.confine.read_text`), so it can only come from there."""
    for token in tokens:
        for part in (token, *(token.children or ())):
            texts = [] if part.type in ("inline", "html_block", "html_inline") else [part.content]
            for text in texts + [str(value) for value in (part.attrs or {}).values()]:
                bad = CONTROL.search(text)
                if bad:
                    errors.append(BookError(f"a character reference makes {character_name(bad.group())}, which "
                                            "no edition can hold", ch.path, line_of(ch, part, token), 1,
                                            "leave the character out", rule="encoding"))
                    return


def _title_ctx(ch: Chapter) -> markdown.RenderContext:
    def refuse(token):
        raise BookError("links, notes, images and citations do not belong in a heading", ch.path,
                        ch.body_line, 1, "move them into the text", rule="heading-content")
    return markdown.RenderContext(ch.id, refuse, refuse, {}, refuse, refuse,
                                lambda t: raw_html(ch, t, None))
