"""Where each job's pages fall in the book, from the jobs' paginations alone.

A job is paginated on its own (:mod:`.piece`); its place in the book follows
from the jobs before it, in order, as WeasyPrint would have set the whole book:

* its first page goes on the book's next page when the sides agree, after the
  blank verso its layout made when they do not (a chapter opening on a recto
  after a chapter that ended on a recto);
* its page counter continues the book's, up to a page whose style resets it
  (the body's first page: arabic folios from 1);
* the named strings (``string-set``) in force where it begins are the last the
  pages before it set (the book's title on the half-title, the running head).

The conditions a finished piece was made under (:func:`conditions`) say when
it is still right: the same HTML, and the same place, strings and printed
page numbers of other jobs' anchors.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .jobdata import Pagination


@dataclass(frozen=True)
class Placed:
    """One job's place in the book."""

    at: int
    """The book's index of the job's first kept page."""
    start: int
    """The job's index of its first kept page (its lead-in and an unwanted blank dropped)."""
    keep_blank: bool
    shift: int
    """Added to the job's page counters before its first reset."""
    side_ok: bool
    """Its first page is on the side the book needs; if not, it is laid out again from the other side."""
    strings: tuple[tuple[str, str], ...]
    """Named strings in force where it begins."""
    first_counter: int
    """The page counter of its first kept page."""
    reset: int
    """The job's index of its first kept page that resets the page counter (``end`` when none)."""
    end: int
    """The job's page count."""

    @property
    def pages(self) -> int:
        """Pages it adds to the book."""
        return self.end - self.start

    def counter(self, pagination: Pagination, index: int) -> int:
        """The page counter the book prints on the job's page ``index``."""
        return pagination.counters[index] + (self.shift if index < self.reset else 0)


def side_of(index: int, rtl: bool = False) -> str:
    """The side of the book's page ``index``: the first page is a recto (right in left-to-right books)."""
    return "right" if (index % 2 == 0) != rtl else "left"


@dataclass(frozen=True)
class Cursor:
    """The book so far: where the next job begins."""

    at: int = 0
    """The book's index of the next page."""
    last: int = 0
    """The page counter of the last page."""
    strings: tuple[tuple[str, str], ...] = ()
    """Named strings in force."""
    rtl: bool = False
    """The book reads from right to left: its first page, a recto, is a left page."""


def place_one(cursor: Cursor, number: int, p: Pagination, rtl: bool = False) -> tuple[Placed, Cursor]:
    """Job ``number``'s place after ``cursor``, and the cursor after it."""
    keep_blank, side_ok = False, True
    start = 0 if number == 0 else p.first
    rtl = rtl or cursor.rtl or (number == 0 and p.side == "left")  # the book's first page is its recto
    if number and side_of(cursor.at, rtl) != p.side:
        if p.blank_before:
            keep_blank, start = True, p.first - 1
        else:
            side_ok = False
    reset = next((i for i in range(start, p.pages) if p.resets[i]), p.pages)
    shift = cursor.last + 1 - p.counters[start] if number and reset > start else 0
    placed = Placed(cursor.at, start, keep_blank, shift, side_ok, cursor.strings,
                    p.counters[start] + (shift if start < reset else 0), reset, p.pages)
    strings = dict(cursor.strings)
    for i in range(start, p.pages):
        strings.update(p.strings[i])
    return placed, Cursor(cursor.at + p.pages - start, placed.counter(p, p.pages - 1),
                          tuple(sorted(strings.items())), rtl)


def place(paginations: list[Pagination | None], rtl: bool = False) -> list[Placed | None]:
    """Each job's place, in order, as far as the jobs are paginated (None from the first that is not)."""
    out: list[Placed | None] = []
    cursor = Cursor()
    for number, p in enumerate(paginations):
        if p is None:
            out.extend([None] * (len(paginations) - number))
            break
        placed, cursor = place_one(cursor, number, p, rtl)
        out.append(placed)
    return out


def conditions(p: Pagination, placed: Placed) -> tuple:
    """What a finished piece's pages depend on besides its HTML: the page numbers it printed of
    other jobs' anchors, its side, whether it keeps its blank, its first folio, the strings it
    carries in. Two layouts of one HTML under equal conditions give the same piece."""
    return (("seeds", p.used), ("side", p.side), ("blank", placed.keep_blank),
            ("counter", placed.first_counter), ("strings", placed.strings))


def condition_hash(cond: tuple) -> str:
    return hashlib.sha256(json.dumps(cond, ensure_ascii=False).encode("utf-8")).hexdigest()[:20]
