"""The index as one edition prints it: page numbers merged into ranges, or marks numbered.

Resolve builds the :class:`~book.model.BookIndex`; nothing in it knows pages. An
edition says where each mark is (:class:`Place`: the print page, or nothing) and
:func:`view` turns the entries into what its template prints — page numbers with
consecutive pages merged into ranges (57–59) and a page named once however often
the term is on it, or, without pages, the marks numbered in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..indexdata import BookIndex, IndexEntry, IndexReference


@dataclass(frozen=True)
class Place:
    """Where a mark is in one edition: its print page."""

    order: int
    """The page's position in the edition (0-based), which says which pages follow each other."""
    label: str
    """The printed folio: ``57`` or ``iv``."""


@dataclass(frozen=True)
class Locator:
    """One page (or range of pages, or numbered mark) after an entry, linked to the marked spot."""

    label: str
    href: str
    """The id of the first mark it stands for."""
    end_label: str = ""
    """The last page of a range (57–59), else empty."""
    end_href: str = ""
    chapter: str = ""
    """The id of the chapter holding the mark (for a title on the link where there are no pages)."""


@dataclass(frozen=True)
class EntryView:
    """An entry as one edition prints it."""

    id: str
    term: str
    locators: tuple[Locator, ...]
    see: tuple[IndexReference, ...]
    see_also: tuple[IndexReference, ...]
    sub: tuple["EntryView", ...]


@dataclass(frozen=True)
class GroupView:
    letter: str
    entries: tuple[EntryView, ...]


def view(index: BookIndex | None, places: Mapping[str, Place] | None) -> tuple[GroupView, ...]:
    """The index as an edition prints it: with ``places``, page numbers (marks on one page named once,
    consecutive pages merged into a range); without, the marks numbered in reading order."""
    if index is None:
        return ()
    chapter_of = {m.id: m.chapter for m in index.marks}

    def one(entry: IndexEntry) -> EntryView:
        if places is None:
            locs = tuple(Locator(str(n), m, chapter=chapter_of.get(m, "")) for n, m in enumerate(entry.marks, 1))
        else:
            locs = locators(entry.marks, places)
        return EntryView(entry.id, entry.term, locs, entry.see, entry.see_also, tuple(one(s) for s in entry.sub))

    return tuple(GroupView(g.letter, tuple(one(e) for e in g.entries)) for g in index.groups)


def locators(marks: tuple[str, ...], places: Mapping[str, Place]) -> tuple[Locator, ...]:
    """Page locators for marks: one per page, linked to the first mark on it; runs of consecutive
    pages of the same numbering (arabic or roman) become one range."""
    first: dict[int, tuple[str, str]] = {}
    for mark in marks:
        place = places.get(mark)
        if place is not None and place.order not in first:
            first[place.order] = (place.label, mark)
    out: list[Locator] = []
    run: list[int] = []

    def flush() -> None:
        if not run:
            return
        label, href = first[run[0]]
        if len(run) == 1:
            out.append(Locator(label, href))
        else:
            end_label, end_href = first[run[-1]]
            out.append(Locator(label, href, end_label, end_href))
        run.clear()

    for order in sorted(first):
        if run and (order != run[-1] + 1 or first[order][0].isdigit() != first[run[-1]][0].isdigit()):
            flush()
        run.append(order)
    flush()
    return tuple(out)
