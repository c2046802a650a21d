"""The resolve stage: a :class:`~book.model.Book` becomes a :class:`~book.model.Manuscript`.

Three passes over the whole book, because ids and citations are book-wide:

1. parse every chapter and give every chapter and heading an id that is
   unique in the book (pandoc's slug, ``-1``, ``-2`` … on a clash), then mark
   the spots the index points at;
2. format every citation at once with the book's CSL style, so that numeric
   styles number in reading order and note styles number notes;
3. render each chapter to an XHTML fragment, checking links, images and raw
   HTML as they go. Every problem of every chapter is reported together.

With a :class:`~book.memo.Memo` (``serve``), each pass keeps its per-chapter
results and computes again only those whose inputs changed: a chapter's
outline (its headings) by its text; its marked tokens by its text, its heading
ids and the index terms (and the ids of the book its marks were checked
against); the citations of the whole book by what they say, the bibliography
and the style; its rendering by all of those plus where each of its links and
images leads. The book-wide steps that connect the chapters (heading ids,
link targets) run on every build: they are cheap, and they are what an edit
elsewhere changes.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from . import index, markup
from .cite.bibliography import Bibliography, check_keys, load_bibliography
from .cite.format import FormattedCitations, Style, format_citations, formatting_inputs, load_style
from .cite.syntax import Citation, with_notes
from .confine import link_scheme_refused, shown
from .errors import BookError, BookErrors
from .memo import Memo, kept_image_problem, kept_inside, real_path, remember
from .model import (Asset, Book, Chapter, Footnote, Heading, Manuscript, Part, ReferenceEntry,
                    ResolvedChapter, ResolvedPart)
from .rawhtml import RawHTMLError, clean, nesting_problem

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}
REFERENCES_ID = "references"
MAX_NESTING = 40
"""Deepest block nesting (lists in quotes in lists …) a chapter may have."""


@dataclass(eq=False)
class _Outline:
    """Pass 1 of one chapter before ids are given: its headings and the problems that are its own."""

    headings: tuple[tuple[str, int, str, str], ...] | None
    """(slug, level, html, text) of each heading in order; None if the chapter could not be parsed."""
    errors: tuple[BookError, ...]
    tokens: list[Token] | None
    """The parse, until :func:`_mark` takes it to mark in place; a kept outline has none left."""

    def take_tokens(self) -> list[Token] | None:
        tokens, self.tokens = self.tokens, None
        return tokens


class _Recording:
    """The book's set of ids, recording what one chapter's marking does with it (tests and adds):
    what :func:`book.index.mark_chapter` is given as ``taken``."""

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
class _Parsed:
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
    marking: index.Marking
    """The chapter's index marks, cross-references and marking problems."""
    ids_used: _IdUse
    parent_of: dict[int, Token]
    """The inline token holding each inline child, by id(child)."""


@dataclass(frozen=True)
class _Image:
    """Where an image leads, as the renderer shows it and what it adds to the book."""

    shown: tuple[str, str, str]
    """(src, alt, caption) for the renderer."""
    errors: tuple[BookError, ...] = ()
    asset: Asset | None = None


@dataclass(frozen=True)
class _Rendered:
    """Pass 3 of one chapter: the chapter, the problems found and the images it uses."""

    chapter: ResolvedChapter
    errors: tuple[BookError, ...]
    assets: tuple[Asset, ...]


def resolve(book: Book, chapters: tuple[str, ...] | None = None,
            collect: list[BookError] | None = None, memo: Memo | None = None) -> Manuscript:
    """Resolve ``book`` (or only the chapters with the given ids, for a handout).

    With ``collect``, problems are appended to it instead of raised and every pass
    still runs (``check`` reports a bad citation and a broken link in one go); the
    manuscript then lacks the chapters that could not be rendered. With ``memo``,
    each chapter's work is kept for the next build (see the module's docstring)."""
    lang = book.meta.lang
    md = markup.parser(lang)
    markup.install_rules(md)
    selected = [c for c in book.chapters if chapters is None or c.id in chapters]
    errors: list[BookError] = []

    # Pass 1: parse, give ids.
    used_ids: set[str] = {REFERENCES_ID, "contents", "index", "title-page", "copyright", "half-title"}
    used_ids.update(p.id for p in book.parts)
    for ch in book.chapters:  # ids for every chapter, so that links to absent chapters can be named
        used_ids.add(ch.id)
    outlined: list[tuple[Chapter, _Outline, tuple[str, ...]]] = []
    for ch in selected:
        outline = remember(memo, ("outline", ch.path), (lang, ch), lambda: _outline(md, ch))
        errors.extend(outline.errors)
        if outline.headings is not None:
            outlined.append((ch, outline, tuple(_unique(h[0], used_ids) for h in outline.headings)))

    # Pass 1b: index marks, once every heading id of the book is taken (book.index_marks).
    finder = remember(memo, "finder", book.index_terms, lambda: index.Finder(book.index_terms))
    parsed = [_marked(md, ch, outline, ids, finder, book, used_ids, memo) for ch, outline, ids in outlined]
    marking = index.Marking()
    for p in parsed:
        marking.marks.extend(p.marking.marks)
        marking.cross_references.extend(p.marking.cross_references)
        marking.errors.extend(p.marking.errors)
    errors.extend(marking.errors)

    by_path = {real_path(c.path): c for c in book.chapters}
    slug_maps = {p.chapter.id: p.slug_to_id for p in parsed}
    anchor_owner: dict[str, str] = {}
    for p in parsed:
        anchor_owner[p.chapter.id] = p.chapter.id
        for h in p.headings:
            anchor_owner[h.id] = p.chapter.id
    for mark in marking.marks:
        anchor_owner[mark.id] = mark.chapter

    # Pass 2: citations, all at once.
    try:
        bibliography = (load_bibliography(list(book.meta.bibliography), memo) if book.meta.bibliography
                        else Bibliography(()))
        bib_ok = True
    except BookError as exc:
        if collect is None:
            raise
        errors.extend(getattr(exc, "errors", (exc,)))
        bibliography, bib_ok = Bibliography(()), False
    all_citations = [(p, cit) for p in parsed for _t, cit in p.citations]
    located = [(p.chapter.path, p.chapter.body_line - 1, cit) for p, cit in all_citations]
    if bib_ok:  # a bibliography that failed to load would make every key look unknown
        errors.extend(check_keys(located, bibliography))
    if errors and collect is None:
        raise BookErrors(errors)
    try:
        style = load_style(book.meta.csl, book.root)
        # nocite lists works for the whole book's bibliography; a handout lists only what it cites.
        nocite = _nocite(book, bibliography) if chapters is None else ()
    except BookError as exc:
        if collect is None:
            raise
        errors.append(exc)
        style, nocite = load_style("chicago-author-date", book.root), ()
    # each citation with the number of the note it is in (positions: ibid, near-note)
    citations = [c for p in parsed for c in with_notes(p.tokens, p.citations, style.is_note_style)]
    formatted, references = remember(
        memo, "citations", formatting_inputs(bibliography, style, citations, nocite, lang),
        lambda: _format(md, bibliography, style, citations, nocite, lang))
    note_style = formatted.is_note_style
    for r in references:
        anchor_owner[r.anchor] = REFERENCES_ID
    anchor_owner[REFERENCES_ID] = REFERENCES_ID

    # Pass 3: render.
    assets: dict[str, Asset] = {}
    resolved: dict[str, ResolvedChapter] = {}
    part_of = _part_ids(book)
    body_number = 0
    first_citation = 0
    for p in parsed:
        ch = p.chapter
        if ch.matter == "body":
            body_number += 1
        number = body_number if ch.matter == "body" else 0
        cited = slice(first_citation, first_citation + len(p.citations))
        first_citation = cited.stop
        cites, in_text = formatted.citations[cited], formatted.in_text[cited]
        links = tuple(_link_outcome(md, book, ch, t, line, by_path, slug_maps, anchor_owner, memo)
                      for t, line in p.links)
        images = tuple(_image_outcome(book, ch, t, line, memo) for t, line in p.images)
        part_id = part_of.get(ch.id, "")
        try:
            rendered = remember(
                memo, ("render", ch.path), (lang, p, links, images, cites, in_text, note_style, number, part_id),
                lambda: _render_chapter(md, p, links, images, cites, in_text, note_style, number, part_id))
        except BookError as exc:
            errors.append(exc)
            continue
        errors.extend(rendered.errors)
        for asset in rendered.assets:
            assets[asset.href] = asset
        resolved[ch.id] = rendered.chapter
    if errors and collect is None:
        raise BookErrors(errors)
    if collect is not None:
        collect.extend(errors)

    def chapters_of(items):
        return tuple(resolved[c.id] for c in items if c.id in resolved)

    body: list[ResolvedChapter | ResolvedPart] = []
    for item in book.body:
        if isinstance(item, Part):
            inner = chapters_of(item.chapters)
            if inner:
                title_html = remember(memo, ("part", item.id), (lang, item.title),
                                      lambda: md.renderInline(item.title).strip())
                body.append(ResolvedPart(item.id, title_html, item.title, inner))
        elif item.id in resolved:
            body.append(resolved[item.id])
    book_index = remember(memo, "index", (book.meta, book.index_terms, marking.marks, marking.cross_references),
                          lambda: index.build_index(book, marking))
    return Manuscript(
        book=book, front=chapters_of(book.front), body=tuple(body), back=chapters_of(book.back),
        references=references, references_title=book.meta.references_title or ("Bibliography" if note_style else "References"),
        assets=tuple(sorted(assets.values(), key=lambda a: a.href)), anchor_owner=dict(anchor_owner),
        index=book_index,
    )


def _outline(md, ch: Chapter) -> _Outline:
    """Parse the chapter; list its headings and the problems of its own (too deep, unbalanced raw
    HTML, a ``#`` heading)."""
    try:
        tokens = md.parse(ch.markdown, {})
    except RecursionError:
        return _Outline(None, (BookError("the chapter is nested too deeply to read", ch.path, ch.body_line, 1,
                                         "simplify deeply nested lists or quotes", rule="too-deep"),), None)
    errors: list[BookError] = []
    _check_depth(ch, tokens, errors)
    unbalanced = nesting_problem(tokens)
    if unbalanced:
        errors.append(BookError(f"raw HTML: {unbalanced[1]}", ch.path, _line(ch, unbalanced[0]), 1,
                                "open and close each HTML tag in the same paragraph, list item or quote",
                                rule="raw-html"))
    headings: list[tuple[str, int, str, str]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            text = markup.inline_text(tokens[i + 1])
            html = markup.render_blocks(md, [tokens[i + 1]], {"ctx": _title_ctx(ch)})
            headings.append((markup.slugify(text), int(token.tag[1]), html, text))
            if token.tag == "h1":
                errors.append(BookError("a '#' heading inside a chapter", ch.path, _line(ch, token), 1,
                                        "the chapter title comes from the front matter; use '##' for sections",
                                        rule="heading-level"))
    return _Outline(tuple(headings), tuple(errors), tokens)


def _marked(md, ch: Chapter, outline: _Outline, ids: tuple[str, ...], finder: index.Finder, book: Book,
            taken: set[str], memo: Memo | None) -> _Parsed:
    """The chapter's tokens with its heading ids and its index marks, the marks' ids added to ``taken``.

    Kept by the chapter, its heading ids and the index terms, while the ids its marks were
    checked against in ``taken`` are still taken (or still free) as they were."""
    inputs = (book.meta.lang, ch, ids, book.index_terms)
    p = remember(memo, ("marked", ch.path), inputs, lambda: _mark(md, ch, outline, ids, finder, taken),
                 valid=lambda kept: kept.ids_used.hold(taken))
    taken.update(p.ids_used.added())
    return p


def _mark(md, ch: Chapter, outline: _Outline, ids: tuple[str, ...], finder: index.Finder,
          taken: set[str]) -> _Parsed:
    """Pass 1 of one chapter after ids are given: its tokens (the outline's parse, or a new one),
    their heading ids, citations, links and images, and its index marks (:func:`book.index.mark_chapter`)."""
    tokens = outline.take_tokens() or md.parse(ch.markdown, {})
    heading_ids = {id(t): ident for t, ident in zip((t for t in tokens if t.type == "heading_open"), ids)}
    headings = tuple(Heading(ident, level, html, text) for ident, (_slug, level, html, text) in zip(ids, outline.headings))
    slug_to_id: dict[str, str] = {}
    for (slug, *_rest), ident in zip(outline.headings, ids):
        slug_to_id.setdefault(slug, ident)
    citations = tuple((t, t.meta["citation"]) for t in _reading_order_citations(tokens))
    marking = index.Marking()
    recording = _Recording(taken)
    index.mark_chapter(ch, tokens, finder, heading_ids, recording, marking)  # type: ignore[arg-type]
    parent_of: dict[int, Token] = {}
    placed: dict[str, list[tuple[Token, int]]] = {"link_open": [], "image": []}
    for token in tokens:
        for child in token.children or ():  # links and images are inline: children, never blocks
            parent_of[id(child)] = token
            if child.type in placed:
                placed[child.type].append((child, _line(ch, child, token)))
    return _Parsed(ch, tokens, heading_ids, headings, slug_to_id, citations, tuple(placed["link_open"]),
                   tuple(placed["image"]), marking, _IdUse(tuple(recording.log)), parent_of)


def _format(md, bibliography: Bibliography, style: Style, citations: list[Citation], nocite: tuple[str, ...],
            lang: str) -> tuple[FormattedCitations, tuple[ReferenceEntry, ...]]:
    """The book's citations formatted at once, and its reference list with each work's annotation."""
    formatted = format_citations(bibliography, style, citations, nocite, lang=lang)
    references = tuple(ReferenceEntry(r.key, r.anchor, r.html, _annotation(md, bibliography, r.key))
                       for r in formatted.references)
    return formatted, references


def _nocite(book: Book, bib: Bibliography) -> tuple[str, ...]:
    keys = book.meta.nocite
    if "*" in keys:
        return bib.keys()
    missing = [k for k in keys if bib.get(k) is None]
    if missing:
        line = 1
        raise BookError(f"nocite names unknown key '{missing[0]}'", book.config_file, line, 1,
                        "use keys from the bibliography, or '@*' for all of them", rule="unknown-citation")
    return keys


def _reading_order_citations(tokens: list[Token]) -> list[Token]:
    """Citation tokens in the order a reader meets them: a note's citations come where
    the note is first called, not at the end where markdown-it keeps the notes
    (so that "Ibid." and numeric styles follow the reading)."""
    main, notes = _split_notes(tokens)
    seen: set[int] = set()
    out: list[Token] = []

    def visit(block: list[Token]) -> None:
        for token in block:
            for child in token.children or ():
                if child.type == "citation":
                    out.append(child)
                elif child.type == "footnote_ref":
                    note = child.meta["id"]
                    if note not in seen:
                        seen.add(note)
                        visit(notes.get(note, []))
    visit(main)
    for note, block in notes.items():  # a note only its own text calls ("[^1]: … [^1]") is still rendered
        if note not in seen:
            seen.add(note)
            visit(block)
    return out


def _annotation(md, bib: Bibliography, key: str) -> str:
    """A work's ``annote`` field (an annotated bibliography's comment) as inline HTML."""
    entry = bib.get(key)
    text = entry.data.get("annote") if entry is not None else None
    return md.renderInline(str(text)).strip() if text else ""


def _walk(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from token.children


def _unique(slug: str, used: set[str]) -> str:
    ident, n = slug, 1
    while ident in used:
        ident = f"{slug}-{n}"
        n += 1
    used.add(ident)
    return ident


def _line(ch: Chapter, token: Token | None, parent: Token | None = None) -> int:
    source = token if token is not None and token.map else parent
    if source is not None and source.map:
        return ch.body_line + source.map[0]
    return ch.body_line


def _check_depth(ch: Chapter, tokens: list[Token], errors: list[BookError]) -> None:
    deep = next((t for t in tokens if t.level > MAX_NESTING), None)
    if deep is not None:
        deepest = max(t.level for t in tokens)
        errors.append(BookError(f"lists and quotes nest {deepest} levels deep here", ch.path,
                                _line(ch, deep), 1,
                                f"blocks may nest at most {MAX_NESTING} levels deep; flatten the structure",
                                rule="too-deep"))


def _title_ctx(ch: Chapter) -> markup.RenderContext:
    def refuse(token):
        raise BookError("links, notes, images and citations do not belong in a heading", ch.path,
                        ch.body_line, 1, "move them into the text", rule="heading-content")
    return markup.RenderContext(ch.id, refuse, refuse, {}, refuse, refuse,
                                lambda t: _raw(ch, t, None))


def _raw(ch: Chapter, token: Token, parent: Token | None) -> str:
    try:
        return clean(token.content)
    except RawHTMLError as exc:
        raise BookError(f"raw HTML refused: {exc}", ch.path, _line(ch, token, parent), 1,
                        "write it in Markdown, or use only the allowed tags (see README, 'Raw HTML')",
                        rule="raw-html") from None


def _link_outcome(md, book: Book, ch: Chapter, token: Token, line: int, by_path: dict[Path, Chapter],
                  slug_maps: dict[str, dict[str, str]], anchor_owner: dict[str, str],
                  memo: Memo | None) -> str | markup.OutsideLink | BookError:
    """Where a link of chapter ``ch`` leads: its href (``#id`` in the book, or an address outside
    it), an :class:`~book.markup.OutsideLink` to a chapter a handout leaves out, or what is wrong."""
    href = str(token.attrGet("href") or "")
    parts = urlsplit(href)

    def fail(message: str, hint: str, rule: str) -> BookError:
        return BookError(message, ch.path, line, 1, hint, rule)

    if link_scheme_refused(href):
        return fail(f"link to '{shown(href)}': the scheme '{link_scheme_refused(href)}' is not allowed",
                    "link to another chapter or to an http(s) or mailto: address", "unsafe-link")
    if parts.scheme or href.startswith("//"):
        return href
    if not parts.path:
        frag = unquote(parts.fragment)
        target = slug_maps.get(ch.id, {}).get(frag) or (frag if frag in anchor_owner else None)
        if target is None:
            return fail(f"link to '#{frag}': no such heading in this chapter",
                        "link to a heading's id: its title in lower case with '-' for spaces", "broken-link")
        return "#" + target
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(ch.rel), unquote(parts.path)))
    try:
        _path, path = kept_inside(memo, book.root, rel, ch.path, line, 1, "link target")
    except BookError as exc:
        return exc
    target_ch = by_path.get(path)
    if target_ch is None:
        if path.suffix == ".md":
            return fail(f"link to '{parts.path}': that file is not a chapter of the book",
                        "add it to book.yaml, or link to a chapter that is listed there", "broken-link")
        return fail(f"link to '{parts.path}': only chapters and web addresses can be linked",
                    "link to another chapter (its .md file) or to an http(s) address", "broken-link")
    if target_ch.id not in slug_maps:
        # The chapter is in the book but not in this selection (a handout): nothing to
        # link to, so the handout names the chapter in words.
        return markup.OutsideLink(_plain_title(md, target_ch.title))
    if parts.fragment:
        frag = unquote(parts.fragment)
        target = slug_maps[target_ch.id].get(frag)
        if target is None:
            return fail(f"link to '{href}': {target_ch.rel} has no heading '{frag}'",
                        "use the id of one of its '##' headings", "broken-link")
        return "#" + target
    return "#" + target_ch.id


def _image_outcome(book: Book, ch: Chapter, token: Token, line: int, memo: Memo | None) -> _Image:
    """What an image of chapter ``ch`` shows and adds to the book, checked (the file's own check
    kept in ``memo`` while the file is unchanged)."""
    src = str(token.attrGet("src") or "")
    alt = markup.inline_text(token) if token.children else token.content
    title = str(token.attrGet("title") or "")
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(ch.rel), unquote(src)))

    def failed(message: str, hint: str, rule: str) -> _Image:
        return _Image(("", alt, ""), (BookError(message, ch.path, line, 1, hint, rule),))

    try:
        path, real = kept_inside(memo, book.root, rel if not urlsplit(src).scheme else src, ch.path, line, 1, "image")
    except BookError as exc:
        return _Image(("", alt, ""), (exc,))
    if not path.is_file():
        problem = ("is a folder, not an image" if path.is_dir() else
                   "is a link to a file that does not exist" if path.is_symlink() else "does not exist")
        return failed(f"image '{shown(src)}' {problem}", "check the path; it is relative to this chapter file",
                      "missing-image")
    media = IMAGE_TYPES.get(path.suffix.lower())
    if media is None:
        return failed(f"image '{src}' is not a PNG, JPEG, GIF, SVG or WebP file", "convert it to PNG or JPEG",
                      "bad-image")
    problem = kept_image_problem(memo, path, media)
    if problem:
        return failed(f"image '{shown(src)}' {problem}", "replace it by a plain PNG, JPEG or SVG picture",
                      "bad-image")
    errors = () if alt.strip() else (
        BookError(f"image '{src}' has no alternative text", ch.path, line, 1,
                  "describe the image between the brackets: ![what it shows](path)", "image-alt"),)
    root = real_path(book.root)
    href = path.relative_to(root).as_posix() if real.is_relative_to(root) else rel
    caption = escape(title) if title else escape(alt)
    return _Image((href, alt, caption), errors, Asset(path, href, media))


def _render_chapter(md, p: _Parsed, links: tuple[str | markup.OutsideLink | BookError, ...],
                    images: tuple[_Image, ...], citation_html: tuple[str, ...], in_text: tuple[str, ...],
                    note_style: bool, number: int, part_id: str) -> _Rendered:
    """Pass 3 of one chapter, from its marked tokens and what is known of the book: where each
    of its links and images leads, its formatted citations (in reading order), its number."""
    ch = p.chapter
    errors: list[BookError] = []
    assets: list[Asset] = []
    targets = {id(t): target for (t, _line), target in zip(p.links, links)}
    pictures = {id(t): picture for (t, _line), picture in zip(p.images, images)}
    formatted = {id(t): html for (t, _c), html in zip(p.citations, citation_html)}
    authors = {id(t): html for (t, _c), html in zip(p.citations, in_text)}

    def link_target(token: Token) -> str | markup.OutsideLink:
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
    for token in _walk(p.tokens):
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

    ctx = markup.RenderContext(ch.id, link_target, image, p.heading_ids, note_number, render_citation,
                               lambda t: _raw(ch, t, p.parent_of.get(id(t))))
    env = {"ctx": ctx}
    main_tokens, note_tokens = _split_notes(p.tokens)
    html = markup.render_blocks(md, main_tokens, env)

    footnotes: list[Footnote] = []
    for note_id, tokens in note_tokens.items():
        key = ("fn", note_id)
        if key not in numbers:
            continue
        body = markup.render_blocks(md, tokens, env).strip()
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
        source=ch, id=ch.id, title_html=title_html, title_text=ch.title, short_title=ch.short_title,
        html=html, headings=p.headings, footnotes=tuple(footnotes), cited_keys=tuple(cited),
        matter=ch.matter, part_id=part_id, number=number,
    )
    return _Rendered(chapter, tuple(errors), tuple(assets))


def _plain_title(md, title: str) -> str:
    """A chapter title as a reader sees it (smart quotes, no markup), for running text."""
    tokens = md.parseInline(title, {})
    return markup.inline_text(tokens[0]) if tokens else title


def _part_ids(book: Book) -> dict[str, str]:
    """Each chapter's part id, by chapter id (the first part that lists it)."""
    out: dict[str, str] = {}
    for part in book.parts:
        for c in part.chapters:
            out.setdefault(c.id, part.id)
    return out


def _in_footnote(p: _Parsed, token: Token) -> bool:
    inside_note = False
    for t in p.tokens:
        if t.type == "footnote_open":
            inside_note = True
        elif t.type == "footnote_close":
            inside_note = False
        elif t.children and any(c is token for c in t.children):
            return inside_note
    return False


def _split_notes(tokens: list[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    main: list[Token] = []
    notes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    for token in tokens:
        if token.type in ("footnote_block_open", "footnote_block_close"):
            continue
        if token.type == "footnote_open":
            current = notes.setdefault(token.meta["id"], [])
            continue
        if token.type == "footnote_close":
            current = None
            continue
        if token.type == "footnote_anchor":
            continue
        (current if current is not None else main).append(token)
    return main, notes


def _footnote(chapter_id: str, n: int, body: str) -> Footnote:
    inline = re.sub(r"</p>\s*<p>", " ", body)
    inline = re.sub(r"^<p>|</p>$", "", inline.strip())
    return Footnote(n, f"fn-{chapter_id}-{n}", f"fnref-{chapter_id}-{n}", body, inline)
