"""Pass 2 of resolve: every citation of the book formatted at once, and the reference list."""

from __future__ import annotations

from ..errors import BookError
from ..model import Book, ReferenceEntry
from .cite.bibliography import Bibliography
from .cite.format import FormattedCitations, Style, format_citations
from .cite.syntax import Citation


def format_book_citations(md, bibliography: Bibliography, style: Style, citations: list[Citation], nocite: tuple[str, ...],
            lang: str) -> tuple[FormattedCitations, tuple[ReferenceEntry, ...]]:
    """The book's citations formatted at once, and its reference list with each work's annotation."""
    formatted = format_citations(bibliography, style, citations, nocite, lang=lang)
    references = tuple(ReferenceEntry(r.key, r.anchor, r.html, _annotation(md, bibliography, r.key))
                       for r in formatted.references)
    return formatted, references


def nocite_keys(book: Book, bib: Bibliography) -> tuple[str, ...]:
    keys = book.meta.nocite
    if "*" in keys:
        return bib.keys()
    missing = [k for k in keys if bib.get(k) is None]
    if missing:
        line = 1
        raise BookError(f"nocite names unknown key '{missing[0]}'", book.config_file, line, 1,
                        "use keys from the bibliography, or '@*' for all of them", rule="unknown-citation")
    return keys


def _annotation(md, bib: Bibliography, key: str) -> str:
    """A work's ``annote`` field (an annotated bibliography's comment) as inline HTML."""
    entry = bib.get(key)
    text = entry.data.get("annote") if entry is not None else None
    return md.renderInline(str(text)).strip() if text else ""
