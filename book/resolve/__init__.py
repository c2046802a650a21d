"""The resolve stage: a :class:`~book.model.Book` becomes a :class:`~book.model.Manuscript`.

Three passes over the whole book, because ids and citations are book-wide:

1. parse every chapter and give every chapter and heading an id that is
   unique in the book (pandoc's slug, ``-1``, ``-2`` … on a clash), then mark
   the spots the index points at (:mod:`.outline`);
2. format every citation at once with the book's CSL style, so that numeric
   styles number in reading order and note styles number notes (:mod:`.citations`);
3. render each chapter to an XHTML fragment, checking links, images and raw
   HTML as they go (:mod:`.chapter`, :mod:`.targets`). Every problem of every
   chapter is reported together.

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

from dataclasses import dataclass

from ..errors import BookError, BookErrors
from ..memo import Memo, real_path, remember
from ..model import (
    INDEX_ID,
    REFERENCES_ID,
    Asset,
    Book,
    Chapter,
    Manuscript,
    Part,
    ReferenceEntry,
    ResolvedChapter,
    ResolvedPart,
)
from . import markdown
from .chapter import plain_text, render_chapter
from .citations import format_book_citations, nocite_keys
from .cite.bibliography import Bibliography, check_keys, load_bibliography
from .cite.format import DEFAULT_STYLE, FormattedCitations, formatting_inputs, load_style
from .cite.syntax import with_notes
from .index import build_index
from .index_marks import Finder, Marking
from .numbering import Label, number_labels, spots
from .outline import Parsed, marked_chapter, outline_of, unique_id
from .targets import image_outcome, link_outcome

RESERVED_IDS = frozenset({REFERENCES_ID, INDEX_ID, "contents", "title-page", "copyright", "half-title"})
"""Ids the editions give their own sections: no chapter or heading gets one of them."""


def resolve(book: Book, chapters: tuple[str, ...] | None = None,
            collect: list[BookError] | None = None, memo: Memo | None = None,
            source_lines: bool = False) -> Manuscript:
    """Resolve ``book`` (or only the chapters with the given ids, for a handout).

    With ``collect``, problems are appended to it instead of raised and every pass
    still runs (``check`` reports a bad citation and a broken link in one go); the
    manuscript then lacks the chapters that could not be rendered. With ``memo``,
    each chapter's work is kept for the next build (see the module's docstring). With
    ``source_lines``, each block of the chapters' HTML says the source line it starts on
    (``check --print``; an edition is never built so)."""
    md = markdown.parser(book.meta.lang)
    markdown.install_rules(md)
    errors: list[BookError] = []
    selected = tuple(c for c in book.chapters if chapters is None or c.id in chapters)
    parsed, marking, anchor_owner = _outline(md, book, selected, errors, memo)
    labels = _labels(md, book, parsed, errors, memo)
    for label in labels.values():
        if label.chapter in anchor_owner:
            anchor_owner.setdefault(label.id, label.chapter)
    cited = _cite(md, book, parsed, errors, collect, memo, whole_book=chapters is None)
    for r in cited.references:
        anchor_owner[r.anchor] = REFERENCES_ID
    anchor_owner[REFERENCES_ID] = REFERENCES_ID
    resolved, assets = _render(md, book, parsed, cited.formatted, anchor_owner, labels, errors, memo, source_lines)
    if errors and collect is None:
        raise BookErrors(errors)
    if collect is not None:
        collect.extend(errors)
    book_index = remember(memo, "index", (book.meta, book.index_terms, marking.marks, marking.cross_references),
                          lambda: build_index(book, marking))
    note_style = cited.formatted.is_note_style
    return Manuscript(
        book=book, front=_resolved(book.front, resolved), body=_body(md, book, resolved, memo),
        back=_resolved(book.back, resolved), references=cited.references,
        references_title=book.meta.references_title or book.meta.words.text("bibliography" if note_style else "references"),
        assets=tuple(sorted(assets.values(), key=lambda a: a.href)), anchor_owner=dict(anchor_owner),
        index=book_index,
    )


# ------------------------------------------------------------------ pass 1


def _outline(md, book: Book, selected: tuple[Chapter, ...], errors: list[BookError],
             memo: Memo | None) -> tuple[list[Parsed], Marking, dict[str, str]]:
    """Pass 1: every selected chapter parsed, its headings given ids unique in the book, the index's
    spots marked; and which chapter holds each id."""
    lang = book.meta.lang
    used_ids: set[str] = set(RESERVED_IDS)
    used_ids.update(p.id for p in book.parts)
    used_ids.update(ch.id for ch in book.chapters)  # every chapter's, so that links to absent ones can be named
    outlined = []
    for ch in selected:
        outline = remember(memo, ("outline", ch.path), (lang, ch), lambda: outline_of(md, ch))
        errors.extend(outline.errors)
        if outline.headings is not None:
            outlined.append((ch, outline, tuple(_heading_id(ch, h, used_ids, errors) for h in outline.headings)))

    # Index marks, once every heading id of the book is taken (:mod:`.index_marks`).
    finder = remember(memo, "finder", book.index_terms, lambda: Finder(book.index_terms))
    parsed = [marked_chapter(md, ch, outline, ids, finder, book, used_ids, memo) for ch, outline, ids in outlined]
    marking = Marking()
    for p in parsed:
        marking.marks.extend(p.marking.marks)
        marking.cross_references.extend(p.marking.cross_references)
        marking.errors.extend(p.marking.errors)
    errors.extend(marking.errors)

    anchor_owner: dict[str, str] = {}
    for p in parsed:
        anchor_owner[p.chapter.id] = p.chapter.id
        for h in p.headings:
            anchor_owner[h.id] = p.chapter.id
    for mark in marking.marks:
        anchor_owner[mark.id] = mark.chapter
    return parsed, marking, anchor_owner


def _heading_id(ch: Chapter, heading: tuple, used_ids: set[str], errors: list[BookError]) -> str:
    """A heading's id, unique in the book: the one its attributes give (``{#sec-methods}``), else its slug
    (``-1``, ``-2`` … on a clash). An id written twice is an error at the second."""
    slug, _level, _html, _text, explicit, line = heading
    if explicit and slug in used_ids:
        errors.append(BookError(f"the id '#{slug}' is used twice in the book", ch.path, line, 1,
                                "give each heading its own id", rule="duplicate-id"))
    return unique_id(slug, used_ids)


def _labels(md, book: Book, parsed: list[Parsed], errors: list[BookError],
            memo: Memo | None) -> dict[str, Label]:
    """Every label of the book numbered, and the headings' numbers (:mod:`.numbering`). A handout
    reads the spots of the chapters it leaves out too, so that its numbers are the book's."""
    by_path = {p.chapter.path: p.spots for p in parsed}
    numbers = _chapter_numbers(book)
    chapters = []
    for ch in book.chapters:
        found = by_path.get(ch.path)
        if found is None:
            found = remember(memo, ("spots", ch.path), (book.meta.lang, ch), lambda: _spots_alone(md, ch))
        chapters.append((ch, numbers.get(ch.id, 0), found))
    labels, problems = number_labels(chapters, book.meta.numbering, book.meta.number_sections)
    errors.extend(problems)
    return labels


def _spots_alone(md, ch: Chapter) -> tuple:
    """The numbered things of a chapter a handout leaves out (its headings without ids)."""
    try:
        tokens = md.parse(ch.markdown, {})
    except RecursionError:
        return ()
    figures = {id(markdown.figure_image(tokens, i)) for i, t in enumerate(tokens)
               if t.type == "paragraph_open" and markdown.figure_image(tokens, i) is not None}
    return spots(ch, tokens, {}, figures)


def _chapter_numbers(book: Book) -> dict[str, int]:
    """Each body chapter's number (1, 2 …) in the book, by id."""
    body = [ch for ch in book.chapters if ch.matter == "body"]
    return {ch.id: n for n, ch in enumerate(body, 1)}


# ------------------------------------------------------------------ pass 2


@dataclass(frozen=True)
class _Cited:
    formatted: FormattedCitations
    references: tuple[ReferenceEntry, ...]


def _cite(md, book: Book, parsed: list[Parsed], errors: list[BookError], collect: list[BookError] | None,
          memo: Memo | None, whole_book: bool) -> _Cited:
    """Pass 2: the bibliography read, every cited key checked, every citation formatted at once."""
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
    if bib_ok:  # a bibliography that failed to load would make every key look unknown
        errors.extend(check_keys([(p.chapter.path, p.chapter.body_line - 1, cit) for p, cit in all_citations],
                                 bibliography))
    if errors and collect is None:
        raise BookErrors(errors)
    try:
        style = _style(book)
        # nocite lists works for the whole book's bibliography; a handout lists only what it cites.
        nocite = nocite_keys(book, bibliography) if whole_book else ()
    except BookError as exc:
        if collect is None:
            raise
        errors.append(exc)
        style, nocite = load_style(DEFAULT_STYLE, book.root), ()
    # each citation with the number of the note it is in (positions: ibid, near-note)
    citations = [c for p in parsed for c in with_notes(p.tokens, p.citations, style.is_note_style)]
    lang = book.meta.lang
    formatted, references = remember(
        memo, "citations", formatting_inputs(bibliography, style, citations, nocite, lang),
        lambda: format_book_citations(md, bibliography, style, citations, nocite, lang))
    return _Cited(formatted, references)


def _style(book: Book):
    """The book's CSL style; a problem with it is placed on the ``csl:`` line of book.yaml, unless it
    is a mistake inside the book's own .csl file (which names its own line)."""
    try:
        return load_style(book.meta.csl, book.root)
    except BookError as exc:
        if exc.file is not None and exc.line:
            raise
        line, column = book.where.get("csl", (0, 0))
        raise BookError(exc.message, book.config_file, line, column, exc.hint, exc.rule or "unknown-style") from None


# ------------------------------------------------------------------ pass 3


def _render(md, book: Book, parsed: list[Parsed], formatted: FormattedCitations, anchor_owner: dict[str, str],
            labels: dict[str, Label], errors: list[BookError], memo: Memo | None,
            source_lines: bool = False) -> tuple[dict[str, ResolvedChapter], dict[str, Asset]]:
    """Pass 3: every chapter rendered, its links and images checked, its notes numbered."""
    by_path = {real_path(c.path): c for c in book.chapters}
    slug_maps = {p.chapter.id: p.slug_to_id for p in parsed}
    part_of = _part_ids(book)
    note_style = formatted.is_note_style
    assets: dict[str, Asset] = {}
    resolved: dict[str, ResolvedChapter] = {}
    body_number = 0
    first_citation = 0
    label_table = tuple(sorted(labels.items()))  # what a chapter's cross-references and captions show
    selected = frozenset(p.chapter.id for p in parsed)
    for p in parsed:
        ch = p.chapter
        if ch.matter == "body":
            body_number += 1
        number = body_number if ch.matter == "body" else 0
        cited = slice(first_citation, first_citation + len(p.citations))
        first_citation = cited.stop
        cites, in_text = formatted.citations[cited], formatted.in_text[cited]
        links = tuple(link_outcome(md, book, ch, t, line, by_path, slug_maps, anchor_owner, memo)
                      for t, line in p.links)
        images = tuple(image_outcome(book, ch, t, line, memo) for t, line in p.images)
        part_id = part_of.get(ch.id, "")
        try:
            rendered = remember(
                memo, ("render", ch.path),
                (book.meta.words, p, links, images, cites, in_text, note_style, number, part_id, label_table, selected,
                 source_lines),
                lambda: render_chapter(md, p, links, images, cites, in_text, note_style, number, part_id,
                                       labels, selected, book.meta.words, source_lines))
        except BookError as exc:
            errors.append(exc)
            continue
        errors.extend(rendered.errors)
        for asset in rendered.assets:
            assets[asset.href] = asset
        resolved[ch.id] = rendered.chapter
    return resolved, assets


def _part_ids(book: Book) -> dict[str, str]:
    """Each chapter's part id, by chapter id (the first part that lists it)."""
    out: dict[str, str] = {}
    for part in book.parts:
        for c in part.chapters:
            out.setdefault(c.id, part.id)
    return out


# ------------------------------------------------------------------ assembly


def _resolved(chapters: tuple[Chapter, ...], resolved: dict[str, ResolvedChapter]) -> tuple[ResolvedChapter, ...]:
    return tuple(resolved[c.id] for c in chapters if c.id in resolved)


def _body(md, book: Book, resolved: dict[str, ResolvedChapter],
          memo: Memo | None) -> tuple[ResolvedChapter | ResolvedPart, ...]:
    """The body in reading order: chapters, and parts holding the chapters that were resolved."""
    body: list[ResolvedChapter | ResolvedPart] = []
    for item in book.body:
        if isinstance(item, Part):
            inner = _resolved(item.chapters, resolved)
            if inner:
                title_html = remember(memo, ("part", item.id), (book.meta.lang, item.title),
                                      lambda: md.renderInline(item.title).strip())
                body.append(ResolvedPart(item.id, title_html, plain_text(title_html), inner))
        elif item.id in resolved:
            body.append(resolved[item.id])
    return tuple(body)
