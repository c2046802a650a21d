"""The back-of-book index as data: the spots marked in the text, the entries, their cross-references.

Resolve marks the spots (:mod:`book.resolve.index_marks`) and builds the
:class:`BookIndex` (:mod:`book.resolve.index`); each edition prints it its own way
(:mod:`book.render.indexview`). Part of the manuscript (:class:`book.model.Manuscript`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IndexTerm:
    """One term of the ``index:`` list in book.yaml (a sub-entry is a term of its own)."""

    path: tuple[str, ...]
    """The entry as printed, then its sub-entries: ``("Treaties", "Rapallo")``."""
    aliases: tuple[str, ...] = ()
    """Other forms of the term that the builder finds in the text ("Litvinov" for "Litvinov, Maxim")."""
    see: str = ""
    """A cross-reference instead of page numbers: the entry the reader should look up."""
    see_also: tuple[str, ...] = ()
    sort: str = ""
    """How the entry sorts, when not as printed ("Stalin" for "Stalin, Joseph")."""
    find: bool = True
    """Whether the builder looks for the term in the text (false: only spans mark it)."""
    line: int = 0
    """Line of the term in book.yaml."""


@dataclass(frozen=True)
class IndexMark:
    """One spot of the text that an index entry points at."""

    id: str
    """The anchor: ``ix-<chapter>-<n>``, or a heading's id for a mark in a heading."""
    chapter: str
    path: tuple[str, ...]
    """The entry, then its sub-entries, as the mark names them."""
    file: Path
    line: int


@dataclass(frozen=True)
class CrossReference:
    """A ``see`` or ``see also`` from an entry to another, from a span or from book.yaml."""

    path: tuple[str, ...]
    target: tuple[str, ...]
    also: bool
    file: Path
    line: int


@dataclass(frozen=True)
class IndexReference:
    """A ``see`` or ``see also`` target as printed, and the entry it leads to."""

    text: str
    """The target's term; a sub-entry as ``Treaties: Rapallo``."""
    target: str
    """The id of the target entry, or empty when the index has no such entry."""


@dataclass(frozen=True)
class IndexEntry:
    """One entry of the index, with its sub-entries."""

    id: str
    """The entry's own anchor in the index (``ixe-…``), for ``see`` links."""
    term: str
    """As printed (book.yaml's spelling; ``*…*`` for italics)."""
    path: tuple[str, ...]
    marks: tuple[str, ...]
    """Anchor ids of the marked spots, in reading order, each once."""
    see: tuple[IndexReference, ...]
    see_also: tuple[IndexReference, ...]
    sub: tuple["IndexEntry", ...]


@dataclass(frozen=True)
class IndexGroup:
    """The entries filed under one letter."""

    letter: str
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True)
class BookIndex:
    """The index of a book, for every edition."""

    groups: tuple[IndexGroup, ...]
    marks: tuple[IndexMark, ...]
    """Every marked spot in reading order (a spot that names two entries is here twice)."""
    terms: tuple[IndexTerm, ...]
    """book.yaml's terms, for ``check``."""
    cross_references: tuple[CrossReference, ...]

    def entries(self) -> list[IndexEntry]:
        """Every entry and sub-entry, in index order."""
        out: list[IndexEntry] = []

        def walk(entries) -> None:
            for entry in entries:
                out.append(entry)
                walk(entry.sub)
        walk(e for g in self.groups for e in g.entries)
        return out
