"""The resolve stage: a :class:`~book.model.Book` becomes a :class:`~book.model.Manuscript`.

Three passes over the whole book, because ids and citations are book-wide:

1. parse every chapter and give every chapter and heading an id that is
   unique in the book (pandoc's slug, ``-1``, ``-2`` … on a clash);
2. format every citation at once with the book's CSL style, so that numeric
   styles number in reading order and note styles number notes;
3. render each chapter to an XHTML fragment, checking links, images and raw
   HTML as they go. Every problem of every chapter is reported together.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from . import index, markup
from .cite.bibliography import Bibliography, check_keys, load_bibliography
from .cite.format import format_citations, load_style
from .cite.syntax import Citation
from .confine import image_problem, inside, link_scheme_refused, shown
from .errors import BookError, BookErrors
from .model import (Asset, Book, Chapter, Footnote, Heading, Manuscript, Part, ReferenceEntry,
                    ResolvedChapter, ResolvedPart)
from .rawhtml import RawHTMLError, clean, nesting_problem

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}
REFERENCES_ID = "references"
MAX_NESTING = 40
"""Deepest block nesting (lists in quotes in lists …) a chapter may have."""


@dataclass
class _Parsed:
    chapter: Chapter
    tokens: list[Token]
    env: dict
    heading_ids: dict[int, str] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    slug_to_id: dict[str, str] = field(default_factory=dict)
    citations: list[tuple[Token, Citation]] = field(default_factory=list)


def resolve(book: Book, chapters: tuple[str, ...] | None = None,
            collect: list[BookError] | None = None) -> Manuscript:
    """Resolve ``book`` (or only the chapters with the given ids, for a handout).

    With ``collect``, problems are appended to it instead of raised and every pass
    still runs (``check`` reports a bad citation and a broken link in one go); the
    manuscript then lacks the chapters that could not be rendered."""
    md = markup.parser(book.meta.lang)
    markup.install_rules(md)
    selected = [c for c in book.chapters if chapters is None or c.id in chapters]
    errors: list[BookError] = []

    # Pass 1: parse, give ids.
    used_ids: set[str] = {REFERENCES_ID, "contents", "index", "title-page", "copyright", "half-title"}
    used_ids.update(p.id for p in book.parts)
    parsed: list[_Parsed] = []
    for ch in book.chapters:  # ids for every chapter, so that links to absent chapters can be named
        used_ids.add(ch.id)
    for ch in selected:
        env: dict = {}
        try:
            tokens = md.parse(ch.markdown, env)
        except RecursionError:
            errors.append(BookError("the chapter is nested too deeply to read", ch.path, ch.body_line, 1,
                                    "simplify deeply nested lists or quotes", rule="too-deep"))
            continue
        p = _Parsed(ch, tokens, env)
        _check_depth(p, errors)
        unbalanced = nesting_problem(tokens)
        if unbalanced:
            errors.append(BookError(f"raw HTML: {unbalanced[1]}", ch.path, _line(ch, unbalanced[0]), 1,
                                    "open and close each HTML tag in the same paragraph, list item or quote",
                                    rule="raw-html"))
        for i, token in enumerate(tokens):
            if token.type == "heading_open":
                text = markup.inline_text(tokens[i + 1])
                slug = markup.slugify(text)
                ident = _unique(slug, used_ids)
                p.heading_ids[id(token)] = ident
                p.slug_to_id.setdefault(slug, ident)
                html = markup.render_blocks(md, [tokens[i + 1]], {"ctx": _title_ctx(ch)})
                p.headings.append(Heading(ident, int(token.tag[1]), html, text))
                if token.tag == "h1":
                    errors.append(BookError("a '#' heading inside a chapter", ch.path, _line(ch, token), 1,
                                            "the chapter title comes from the front matter; use '##' for sections",
                                            rule="heading-level"))
        p.citations.extend((t, t.meta["citation"]) for t in _reading_order_citations(tokens))
        parsed.append(p)

    # Pass 1b: index marks, once every heading id of the book is taken (book.index_marks).
    finder = index.Finder(book.index_terms)
    marking = index.Marking()
    for p in parsed:
        index.mark_chapter(p.chapter, p.tokens, finder, p.heading_ids, used_ids, marking)
    errors.extend(marking.errors)

    by_path = {c.path.resolve(): c for c in book.chapters}
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
        bibliography = load_bibliography(list(book.meta.bibliography)) if book.meta.bibliography else Bibliography(())
        bib_ok = True
    except BookError as exc:
        if collect is None:
            raise
        errors.extend(getattr(exc, "errors", (exc,)))
        bibliography, bib_ok = Bibliography(()), False
    all_citations = [(p, token, cit) for p in parsed for token, cit in p.citations]
    located = [(p.chapter.path, p.chapter.body_line - 1, cit) for p, _t, cit in all_citations]
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
    formatted = format_citations(bibliography, style, [c for _p, _t, c in all_citations], nocite,
                                 lang=book.meta.lang)
    citation_html = {id(t): html for (_p, t, _c), html in zip(all_citations, formatted.citations)}
    in_text = {id(t): html for (_p, t, _c), html in zip(all_citations, formatted.in_text) if html}
    note_style = formatted.is_note_style
    references = tuple(ReferenceEntry(r.key, r.anchor, r.html, _annotation(md, bibliography, r.key))
                       for r in formatted.references)
    for r in references:
        anchor_owner[r.anchor] = REFERENCES_ID
    anchor_owner[REFERENCES_ID] = REFERENCES_ID

    # Pass 3: render.
    assets: dict[str, Asset] = {}
    resolved: dict[str, ResolvedChapter] = {}
    body_number = 0
    for p in parsed:
        if p.chapter.matter == "body":
            body_number += 1
        try:
            resolved[p.chapter.id] = _render_chapter(
                md, book, p, by_path, slug_maps, anchor_owner, citation_html, in_text, note_style, assets,
                body_number if p.chapter.matter == "body" else 0, errors)
        except BookError as exc:
            errors.append(exc)
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
                title_html = md.renderInline(item.title).strip()
                body.append(ResolvedPart(item.id, title_html, item.title, inner))
        elif item.id in resolved:
            body.append(resolved[item.id])
    return Manuscript(
        book=book, front=chapters_of(book.front), body=tuple(body), back=chapters_of(book.back),
        references=references, references_title=book.meta.references_title or ("Bibliography" if note_style else "References"),
        assets=tuple(sorted(assets.values(), key=lambda a: a.href)), anchor_owner=dict(anchor_owner),
        index=index.build_index(book, marking),
    )


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


def _check_depth(p: _Parsed, errors: list[BookError]) -> None:
    deep = next((t for t in p.tokens if t.level > MAX_NESTING), None)
    if deep is not None:
        deepest = max(t.level for t in p.tokens)
        errors.append(BookError(f"lists and quotes nest {deepest} levels deep here", p.chapter.path,
                                _line(p.chapter, deep), 1,
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


def _render_chapter(md, book: Book, p: _Parsed, by_path, slug_maps, anchor_owner, citation_html,
                    in_text: dict[int, str], note_style: bool, assets: dict[str, Asset], number: int,
                    errors: list[BookError]) -> ResolvedChapter:
    ch = p.chapter
    chapter_dir = posixpath.dirname(ch.rel)
    parent_of: dict[int, Token] = {}
    for token in p.tokens:
        for child in token.children or ():
            parent_of[id(child)] = token

    def where(token: Token) -> int:
        return _line(ch, token, parent_of.get(id(token)))

    def fail(token: Token, message: str, hint: str, rule: str) -> str:
        errors.append(BookError(message, ch.path, where(token), 1, hint, rule))
        return "#"

    def link_target(token: Token) -> str | markup.OutsideLink:
        href = str(token.attrGet("href") or "")
        parts = urlsplit(href)
        if link_scheme_refused(href):
            return fail(token, f"link to '{shown(href)}': the scheme '{link_scheme_refused(href)}' is not allowed",
                        "link to another chapter or to an http(s) or mailto: address", "unsafe-link")
        if parts.scheme or href.startswith("//"):
            return href
        if not parts.path:
            frag = unquote(parts.fragment)
            target = slug_maps.get(ch.id, {}).get(frag) or (frag if frag in anchor_owner else None)
            if target is None:
                return fail(token, f"link to '#{frag}': no such heading in this chapter",
                            "link to a heading's id: its title in lower case with '-' for spaces", "broken-link")
            return "#" + target
        rel = posixpath.normpath(posixpath.join(chapter_dir, unquote(parts.path)))
        try:
            path = inside(book.root, rel, ch.path, where(token), 1, "link target").resolve()
        except BookError as exc:
            errors.append(exc)
            return "#"
        target_ch = by_path.get(path)
        if target_ch is None:
            if path.suffix == ".md":
                return fail(token, f"link to '{parts.path}': that file is not a chapter of the book",
                            "add it to book.yaml, or link to a chapter that is listed there", "broken-link")
            return fail(token, f"link to '{parts.path}': only chapters and web addresses can be linked",
                        "link to another chapter (its .md file) or to an http(s) address", "broken-link")
        if target_ch.id not in slug_maps:
            # The chapter is in the book but not in this selection (a handout): nothing to
            # link to, so the handout names the chapter in words.
            return markup.OutsideLink(_plain_title(md, target_ch.title))
        if parts.fragment:
            frag = unquote(parts.fragment)
            target = slug_maps[target_ch.id].get(frag)
            if target is None:
                return fail(token, f"link to '{href}': {target_ch.rel} has no heading '{frag}'",
                            "use the id of one of its '##' headings", "broken-link")
            return "#" + target
        return "#" + target_ch.id

    def image(token: Token) -> tuple[str, str, str]:
        src = str(token.attrGet("src") or "")
        alt = markup.inline_text(token) if token.children else token.content
        title = str(token.attrGet("title") or "")
        rel = posixpath.normpath(posixpath.join(chapter_dir, unquote(src)))
        try:
            path = inside(book.root, rel if not urlsplit(src).scheme else src, ch.path, where(token), 1, "image")
        except BookError as exc:
            errors.append(exc)
            return ("", alt, "")
        if not path.is_file():
            problem = ("is a folder, not an image" if path.is_dir() else
                       "is a link to a file that does not exist" if path.is_symlink() else "does not exist")
            errors.append(BookError(f"image '{shown(src)}' {problem}", ch.path, where(token), 1,
                                    "check the path; it is relative to this chapter file", "missing-image"))
            return ("", alt, "")
        media = IMAGE_TYPES.get(path.suffix.lower())
        if media is None:
            errors.append(BookError(f"image '{src}' is not a PNG, JPEG, GIF, SVG or WebP file", ch.path,
                                    where(token), 1, "convert it to PNG or JPEG", "bad-image"))
            return ("", alt, "")
        problem = image_problem(path, media)
        if problem:
            errors.append(BookError(f"image '{shown(src)}' {problem}", ch.path, where(token), 1,
                                    "replace it by a plain PNG, JPEG or SVG picture", "bad-image"))
            return ("", alt, "")
        if not alt.strip():
            errors.append(BookError(f"image '{src}' has no alternative text", ch.path, where(token), 1,
                                    "describe the image between the brackets: ![what it shows](path)",
                                    "image-alt"))
        href = path.relative_to(book.root.resolve()).as_posix() if path.resolve().is_relative_to(book.root.resolve()) \
            else rel
        assets[href] = Asset(path, href, media)
        caption = escape(title) if title else escape(alt)
        return (href, alt, caption)

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
            auto_notes.append((numbers[("cite", id(token))], citation_html[id(token)]))

    def note_number(token: Token) -> int:
        return numbers[("fn", token.meta["id"])]

    def render_citation(token: Token) -> str:
        html = citation_html[id(token)]
        if note_style and ("cite", id(token)) in numbers:
            n = numbers[("cite", id(token))]
            # An author-in-text citation (@key) keeps the author's name in the text.
            author = in_text.get(id(token), "")
            return (f'{author}<a class="noteref" id="fnref-{ch.id}-{n}" href="#fn-{ch.id}-{n}" '
                    f'role="doc-noteref">{n}</a>')
        return html

    ctx = markup.RenderContext(ch.id, link_target, image, p.heading_ids, note_number, render_citation,
                               lambda t: _raw(ch, t, parent_of.get(id(t))))
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
    return ResolvedChapter(
        source=ch, id=ch.id, title_html=title_html, title_text=ch.title, short_title=ch.short_title,
        html=html, headings=tuple(p.headings), footnotes=tuple(footnotes), cited_keys=tuple(cited),
        matter=ch.matter, part_id=_part_id(book, ch), number=number,
    )


def _plain_title(md, title: str) -> str:
    """A chapter title as a reader sees it (smart quotes, no markup), for running text."""
    tokens = md.parseInline(title, {})
    return markup.inline_text(tokens[0]) if tokens else title


def _part_id(book: Book, ch: Chapter) -> str:
    for part in book.parts:
        if any(c.id == ch.id for c in part.chapters):
            return part.id
    return ""


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
