"""The print edition laid out job by job, in parallel and cached, until every page number is right.

:func:`lay_out_book` cuts the print HTML into jobs (:mod:`.jobs`) and keeps a
:class:`Scheduler` that the runners (:mod:`.workers`) ask what to lay out next
and how a paginated job goes on:

* a job whose HTML and conditions (:func:`~.placement.conditions`) match a piece
  in the cache (:mod:`.layout_cache`) is not laid out at all;
* the others are laid out in the book's order, with the page numbers of other
  jobs' anchors as far as they are known (a guess otherwise); once paginated,
  a job waits until every job before it is paginated, which places it in the
  book (:mod:`.placement`), and finishes there;
* when every job is finished, the page numbers each printed are checked against
  where the anchors landed: the jobs that printed a wrong one (the contents, a
  cross-reference to a later chapter, on a first build) are laid out again, and
  so on until nothing changes; the index is laid out once the pages before it
  are known.

What the build makes does not depend on the order the jobs ran in: a piece is
the same for the same HTML and conditions, and the book is finished only when
every piece's conditions are the book's. ``--jobs 1`` and ``--jobs 2`` write the
same bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Callable

from ..model import INDEX_ID, Manuscript
from ..render import roman
from ..render.indexview import Place
from .index_pages import print_places
from .jobdata import Finish, JobSpec, Pagination, PieceInfo
from .jobs import Job, Plan
from .layout_cache import LayoutCache
from .placement import Cursor, Placed, condition_hash, conditions, place_one
from .workers import WAIT

MAX_ROUNDS = 6
"""Rounds of laying out again after which the page numbers are taken as they are."""

_HREF = re.compile(r'href="#([^"]+)"')
_IDS = re.compile(r'\bid="([^"]+)"')


class Replan(Exception):
    """Elements turned out not to open a new page: the book is cut into jobs again."""


@dataclass
class _State:
    job: Job
    body: str
    key: str
    refs: frozenset[str]
    records: list[PieceInfo]
    record: PieceInfo | None = None
    pagination: Pagination | None = None
    status: str = "pending"
    """``pending`` (to lay out), ``running``, ``done`` (its record is right), ``blocked`` (the index
    before the pages it numbers are known)."""
    finishing: tuple = ()
    lead_left: bool = False
    tried: bool = False
    """Laid out by this build already."""


class Scheduler:
    """The jobs of one book and what is known about them (:class:`book.publish.workers.Scheduler`)."""

    def __init__(self, ms: Manuscript, the_plan: Plan, cache: LayoutCache, deps: str,
                 make_index: Callable[[dict[str, Place]], str] | None) -> None:
        from ..render.faces import plan as face_plan
        from .layout import allowed_roots, shipped
        from .pagemap import unit_ids

        self.ms, self.plan, self.cache, self.deps = ms, the_plan, cache, deps
        self.make_index = make_index
        self.units = frozenset(unit_ids(ms))
        self.roots = tuple(str(r) for r in allowed_roots(ms))
        self.faces = face_plan(ms)
        self.shipped = shipped(ms)
        last = cache.last_paginations()
        self.states: list[_State] = []
        self.defined: dict[str, int] = {}
        for job in the_plan.jobs:
            body = job.body
            st = _State(job, body, "", frozenset(), [])
            self._set_body(st, body)
            tentative = last.get(job.anchor)
            if tentative is not None:
                st.pagination = dataclasses.replace(tentative, number=job.number)
                st.lead_left = tentative.lead_left
            if make_index is not None and job.anchor == INDEX_ID:
                st.status = "blocked"
            self.states.append(st)
            for ident in _IDS.findall(body):
                self.defined.setdefault(ident, job.number)
        self.owner: dict[str, tuple[int, int]] = {}
        self._owned: dict[int, Pagination] = {}
        self.fold: list[tuple[Placed, Cursor]] = []
        self.valid = 0
        self.dirty = True
        self.rounds = 0
        self.laid_out_anchors: list[str] = []
        """The anchor of every job handed out to be laid out (again), in order."""
        self.dropped_anchors: set[str] = set()
        self.index_marks = tuple(sorted({m.id for m in ms.index.marks})) if ms.index is not None else ()
        self.index_fingerprint: tuple | None = None
        self._estimates: list[int] | None = None
        for number, st in enumerate(self.states):
            if st.pagination is not None:
                self._own(number, st.pagination)

    # ------------------------------------------------------------ what the runners ask

    def next_spec(self) -> JobSpec | None:
        """The first job to lay out: one not laid out by this build yet, else one to lay out again
        whose printed page numbers are all known now (laid out sooner, it would be laid out twice)."""
        self._refresh()
        again = None
        for number, st in enumerate(self.states):
            if st.status != "pending":
                continue
            if not st.tried:
                break
            if again is None and all(self._known(a) for a, _v in st.pagination.used):
                again = number
        else:
            number = again
            if number is None:
                return None
        st = self.states[number]
        st.status, st.tried = "running", True
        self.laid_out_anchors.append(st.job.anchor)
        return self._spec(number)

    def paused(self, p: Pagination):
        st = self.states[p.number]
        if p.key != st.key:
            return None  # the index, laid out from numbers that have changed since
        self._set_pagination(p.number, p)
        self._refresh()
        if len(self.fold) <= p.number:
            return WAIT
        placed = self.fold[p.number][0]
        if p.number and p.first == 0 and st.job.anchor != INDEX_ID:
            # Its first element continues the page before: laid out with the element before it.
            # (The index is laid out on its own all the same, from the top of a page.)
            self.dropped_anchors.add(st.job.anchor)
            return None
        again = None
        if not placed.side_ok:
            st.lead_left = not p.lead_left
            again = self._spec(p.number, p.lead_counter, st.lead_left)
        elif p.inside and placed.shift:
            again = self._spec(p.number, p.lead_counter + placed.shift, p.lead_left)
        elif not all(self._known(a) for a, _v in p.used):
            # It prints page numbers of jobs not paginated yet: drawn now, it would be drawn again.
            # It is laid out again once they are known (next_spec).
            return None
        elif any(self._value(a) not in (None, v) for a, v in p.used):
            again = self._spec(p.number, p.lead_counter, p.lead_left)
        if again is not None:
            self.laid_out_anchors.append(st.job.anchor)
            return again
        st.finishing = conditions(p, placed)
        path = self.cache.piece_path(st.key, condition_hash(st.finishing))
        return Finish(placed.keep_blank, placed.shift, placed.strings, str(path))

    def done(self, info: PieceInfo) -> None:
        st = self.states[info.number]
        info = dataclasses.replace(info, conditions=st.finishing)
        self.cache.add(info)
        if info.key != st.key:
            return
        st.records.insert(0, info)
        st.record, st.status = info, "done"
        self._set_pagination(info.number, info.pagination)
        self.dirty = True

    def dropped(self, number: int) -> None:
        st = self.states[number]
        if st.status == "running":
            st.status = "dropped" if st.job.anchor in self.dropped_anchors else "pending"
        self.dirty = True

    def settle(self) -> bool:
        if self.dropped_anchors:
            raise Replan()
        self._refresh()
        if all(st.status == "done" for st in self.states):
            return True
        self.rounds += 1
        if self.rounds > MAX_ROUNDS:
            for st in self.states:  # the numbers do not settle: take the last pieces as they are
                if st.status != "done" and st.records:
                    st.record, st.status = st.records[0], "done"
            if all(st.status == "done" for st in self.states):
                return True
            raise RuntimeError("the print edition's page numbers do not settle")
        return False

    def refused(self, url: str) -> BaseException:
        from .layout import outside_book
        return outside_book(self.ms, [url])

    # ------------------------------------------------------------ what is known

    def _set_body(self, st: _State, body: str) -> None:
        st.body = body
        st.key = hashlib.sha256((self.deps + self.plan.html(st.job, body)).encode("utf-8")).hexdigest()
        ids = set(_IDS.findall(body))
        st.refs = frozenset(a for a in _HREF.findall(body) if a not in ids)
        st.records = self.cache.records(st.key)
        st.record = None

    def _own(self, number: int, p: Pagination) -> None:
        """Index where ``p``'s anchors are (the first page each is on)."""
        old = self._owned.get(number)
        if old is p:
            return
        if old is not None:
            for here in old.anchors:
                for a in here:
                    if self.owner.get(a, (None,))[0] == number:
                        del self.owner[a]
        for i, here in enumerate(p.anchors):
            for a in here:
                self.owner.setdefault(a, (number, i))
        self._owned[number] = p

    def _set_pagination(self, number: int, p: Pagination) -> None:
        st = self.states[number]
        if st.pagination != p:
            st.pagination = p
            self.valid = min(self.valid, number)
        self._own(number, p)
        self.dirty = True

    def _refresh(self) -> None:
        """Place the jobs as far as they are paginated; find which cached or finished pieces are
        still right and which jobs must be laid out (again)."""
        if not self.dirty:
            return
        del self.fold[self.valid:]
        cursor = self.fold[-1][1] if self.fold else Cursor()
        for number in range(len(self.fold), len(self.states)):
            st = self.states[number]
            if st.status in ("pending", "done"):
                chosen = None
                for record in st.records:
                    placed, _after = place_one(cursor, number, record.pagination)
                    if placed.side_ok and record.conditions == conditions(record.pagination, placed):
                        chosen = record
                        break
                if chosen is not None:
                    st.record, st.status = chosen, "done"
                    if st.pagination != chosen.pagination:
                        st.pagination = chosen.pagination
                        self._own(number, chosen.pagination)
                elif st.status == "done":
                    st.record, st.status = None, "pending"
            elif st.status == "blocked":
                break
            if st.pagination is None:
                break
            placed, cursor = place_one(cursor, number, st.pagination)
            self.fold.append((placed, cursor))
        self.valid = len(self.fold)
        self.dirty = False
        self._estimates = None
        for st in self.states:  # printed page numbers of anchors that have moved since
            if st.status == "done" and any(self._value(a) not in (None, v) for a, v in st.record.pagination.used):
                st.record, st.status = None, "pending"
        self._index()

    def _index(self) -> None:
        """Once the pages before the index are placed, its HTML (with their numbers) is known."""
        st = self.states[-1]
        if self.make_index is None or st.job.anchor != INDEX_ID or len(self.fold) < len(self.states) - 1:
            return
        places = self.places(upto=len(self.states) - 1)
        fingerprint = tuple(places.get(m) for m in self.index_marks)
        if fingerprint == self.index_fingerprint:
            return
        self.index_fingerprint = fingerprint
        self._set_body(st, self.make_index(places))
        st.status = "pending" if st.status != "running" else "running"
        self.valid = min(self.valid, len(self.states) - 1)
        self.dirty = True
        self._refresh()

    def _value(self, anchor: str) -> int | None:
        """The page counter the book prints for ``anchor``'s page, if its job is placed."""
        found = self.owner.get(anchor)
        if found is None or found[0] >= len(self.fold):
            return None
        number, index = found
        placed = self.fold[number][0]
        if index < placed.start:
            return None
        return placed.counter(self.states[number].pagination, index)

    def _known(self, anchor: str) -> bool:
        """Whether the page ``anchor`` is on is known (or never will be: its job is placed and
        does not show it)."""
        return self._value(anchor) is not None or self.defined.get(anchor, len(self.states)) < len(self.fold)

    def _estimate(self, anchor: str) -> int:
        """A guess at ``anchor``'s page counter, from the pages of the jobs paginated so far."""
        if self._estimates is None:
            known = [(len(st.body), st.pagination.pages) for st in self.states if st.pagination is not None]
            per_page = sum(c for c, _ in known) / max(1, sum(n for _, n in known)) if known else 1800
            counter = self.fold[-1][1].last if self.fold else 0
            first_body = _first_body(self.ms)
            self._estimates = []
            for number, st in enumerate(self.states):
                if number < len(self.fold):
                    self._estimates.append(0)
                    continue
                if first_body and st.job.anchor == first_body:
                    counter = 0
                self._estimates.append(counter + 1)
                counter += max(1, round(len(st.body) / per_page))
        return self._estimates[self.defined[anchor]]

    def _spec(self, number: int, lead_counter: int | None = None, lead_left: bool | None = None) -> JobSpec:
        st = self.states[number]
        seeds = []
        for a in sorted(st.refs):
            value = self._value(a)
            if value is None and a in self.defined:
                value = self._estimate(a)
            if value is not None:
                seeds.append((a, value))
        if lead_counter is None:
            lead_counter = self._lead_guess(number)
        return JobSpec(number, st.key, self.plan.html(st.job, st.body), st.job.anchor, tuple(seeds),
                       lead_counter, st.lead_left if lead_left is None else lead_left, self.units,
                       self.ms.meta.print.bleed_mm, str(self.ms.book.root), self.roots, self.faces,
                       str(self.cache.folder), self.ms.meta.print.repair, self.shipped)

    def _lead_guess(self, number: int) -> int:
        """The lead-in's page counter that gives the job's first page the folio it will likely
        have (it matters only to a job that prints page numbers of its own pages)."""
        if number == 0 or len(self.fold) < number:
            return 1
        cursor = self.fold[number - 1][1]
        return cursor.last + 1 - 2 + (1 if cursor.at % 2 else 0)

    # ------------------------------------------------------------ the result

    def places(self, upto: int) -> dict[str, Place]:
        """Every anchor of the jobs before ``upto`` → its page (:func:`.index_pages.print_places`)."""
        front = self.front()
        pages = []
        for number in range(upto):
            placed = self.fold[number][0]
            pages.extend(self.states[number].pagination.anchors[placed.start:placed.end])
        return print_places(pages, lambda at: roman(at + 1) if at < front else str(at - front + 1))

    def front(self) -> int:
        """Pages before the body's first page (numbered in roman)."""
        found = self.owner.get(_first_body(self.ms))
        if found is None or found[0] >= len(self.fold):
            return 0
        placed = self.fold[found[0]][0]
        return placed.at + found[1] - placed.start


def _first_body(ms: Manuscript) -> str:
    for item in ms.body:
        return item.id
    return ""


def deps_key(ms: Manuscript) -> str:
    """A hash of what a job's layout reads besides its HTML: the font files, the book's images,
    the layout engine and our own code that changes WeasyPrint's."""
    from ..fonts import fonts
    from .pagemap import _file_hash

    h = hashlib.sha256(f"repair {ms.meta.print.repair}\n".encode())
    for name in ("weasyprint", "pydyf", "pyphen", "fonttools"):
        h.update(f"{name} {version(name)}\n".encode())
    here = Path(__file__).parent
    for module in ("jobs", "piece", "jobhooks", "speedups", "linebreak", "fontsubset", "layout", "pdf",
                   "pagemap", "weasy", "repair", "preflight"):
        h.update(module.encode() + b"\0" + _file_hash(here / f"{module}.py").encode())
    for font in fonts():
        h.update(font.name.encode() + b"\0" + _file_hash(font.path).encode())
    for asset in ms.assets:
        h.update(asset.href.encode() + b"\0" + hashlib.sha256(asset.path.read_bytes()).hexdigest().encode())
    return h.hexdigest()
