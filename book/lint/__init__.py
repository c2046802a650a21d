"""Lints: problems that do not stop a build but that a reader or an editor would catch.

The load and resolve stages already find what makes a book unpublishable
(schema, missing files, unknown citations, broken links, images). The
lints here look at what is left — the shape of chapters, repeated text,
spelling, font coverage, unused references — over the markdown-it tokens of
every chapter that could be read.
"""

from __future__ import annotations

from markdown_it.token import Token

from ..errors import BookError
from ..model import Book, Chapter
from ..resolve import markdown
from ..resolve.cite.bibliography import Bibliography, load_bibliography, unused_entries
from . import fonts, spelling, structure, syntax

WARNINGS = frozenset({"unused-reference", "empty-section", "heading-skip", "repeated-paragraph", "spelling",
                      "word-list", *syntax.RULES})
"""Rules whose problems are warnings: ``check`` exits 1 on them only with ``--strict``."""


def parse(book: Book) -> list[tuple[Chapter, list[Token]]]:
    """Every chapter's markdown-it tokens (without the book's renderer rules: nothing is rendered)."""
    md = markdown.parser(book.meta.lang)
    out = []
    for chapter in book.chapters:
        try:
            out.append((chapter, md.parse(chapter.markdown, {})))
        except RecursionError:
            continue  # resolve reports it as too-deep
    return out


def lint_book(book: Book) -> list[BookError]:
    """Every lint problem of ``book``, unsorted."""
    problems: list[BookError] = []
    chapters = parse(book)
    known, word_list_problems = spelling.read_word_list(book.root)
    problems += word_list_problems
    for chapter, tokens in chapters:
        problems += structure.headings(chapter, tokens)
        problems += syntax.markup_warnings(chapter, tokens)
        if book.meta.spelling:
            problems += spelling.misspellings(chapter, tokens, book.meta.lang, known)
    problems += structure.repeated_paragraphs(chapters)
    problems += _unused_references(book, chapters)
    problems += fonts.uncovered_in_files(
        [book.config_file, *(c.path for c in book.chapters), *book.meta.bibliography], book.meta)
    return problems


def _unused_references(book: Book, chapters: list[tuple[Chapter, list[Token]]]) -> list[BookError]:
    try:
        bib = load_bibliography(list(book.meta.bibliography)) if book.meta.bibliography else Bibliography(())
    except BookError:
        return []  # resolve reports a broken bibliography
    cited: list[str] = []
    for _chapter, tokens in chapters:
        for token in tokens:
            for child in token.children or ():
                if child.type == "citation":
                    cited.extend(child.meta["citation"].keys)
    return [BookError(e.message, e.file, e.line, e.column, e.hint, e.rule, severity="warning")
            for e in unused_entries(bib, cited, book.meta.nocite)]
