"""The print edition laid out: its jobs laid out in parallel and cached, placed, ready to join.

:func:`lay_out_book` is what the build's supplies call (:mod:`.orchestrate`):
render the print HTML once, check that the pinned fonts cover it, cut it into
jobs (:mod:`.jobs`), and lay them out (:mod:`.paginate`) in this process
(``--jobs 1``) or in worker processes (:mod:`.workers`). The result, a
:class:`BookLayout`, is plain data: the pieces' PDFs, where each sits in the
book and what the page map and the join need. Both PDFs are joined from it
(:mod:`.join`): the print edition and the archival PDF/A-3 share every piece.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..model import INDEX_ID, Manuscript, Metadata
from ..render import render_print, render_print_index, roman
from ..render.fontcheck import check_printed
from ..render.indexview import Place
from .index_pages import print_places
from .jobdata import PieceInfo
from .joinfonts import merged_fonts
from .jobs import continued, plan, without_styles
from .layout_cache import LayoutCache
from .paginate import Replan, Scheduler, deps_key
from .placement import Placed
from .stamp import build_time


def even_pages(count: int) -> int:
    """The pages of a printed book of ``count`` laid-out pages: an even number. A book is printed on
    sheets, two pages each; a book whose last page is a recto gets a blank verso after it, from
    the builder rather than from the printer's guess."""
    return count + count % 2


@dataclass(frozen=True)
class BookLayout:
    """The print edition as pieces, each at its place."""

    pieces: tuple[PieceInfo, ...]
    placed: tuple[Placed, ...]
    front_pages: int
    """Pages before the body's page 1 (numbered in roman)."""
    meta: Metadata
    stamp: dt.datetime
    cache: LayoutCache
    laid_out: tuple[str, ...] = ()
    """The anchors of the jobs laid out by this build (a job laid out twice is named twice);
    the others came from the cache."""

    @property
    def laid_out_pages(self) -> int:
        """The pages the pieces hold."""
        return sum(info.pages for info in self.pieces)

    @property
    def page_count(self) -> int:
        """The printed book's pages: the pieces' and, after an odd count, the blank verso the join
        adds (:func:`even_pages`)."""
        return even_pages(self.laid_out_pages)

    def label(self, index: int) -> str:
        """The printed folio of page ``index`` (0-based): "iii" or "57"."""
        return roman(index + 1) if index < self.front_pages else str(index - self.front_pages + 1)

    @property
    def starts(self) -> list[tuple[str, int]]:
        """Where each page begins (:mod:`.pagemap`): the section and the items before; the blank
        verso at the end, if any, has no text ("", 0)."""
        starts = [start for info in self.pieces for start in info.starts]
        return starts + [("", 0)] * (self.page_count - len(starts))

    @property
    def digests(self) -> dict[str, str]:
        return {unit: digest for info in self.pieces for unit, digest in info.digests}

    def places(self) -> dict[str, Place]:
        """Every anchor of the book → its page (the first page it is on)."""
        pages = []
        for info, placed in zip(self.pieces, self.placed):
            pages.extend(info.pagination.anchors[placed.start:placed.end])
        return print_places(pages, self.label)

    @property
    def warnings(self) -> list[str]:
        return [w for info in self.pieces for w in info.warnings]


def lay_out_book(ms: Manuscript, out: Path, jobs: int = 1,
                 progress: Callable[[str], None] = lambda _s: None) -> BookLayout:
    """Lay the print edition out in ``jobs`` processes (1: this one), with the pieces of earlier
    builds kept in ``<out>/.cache/layout``."""
    from .layout import text_sources
    from .weasy import prepare_weasyprint
    from .workers import run_forked, run_here

    html = render_print(ms)
    check_printed(html, text_sources(ms), ms.book.config_file, ms.meta)
    cache = LayoutCache(out)
    deps = deps_key(ms)
    has_index = ms.has_index
    make_index = (lambda places: without_styles(render_print_index(ms, places))) if has_index else None
    prepare_weasyprint()  # once, before any fork: the workers share its modules
    import pikepdf  # noqa: F401  (the join's: imported now, not while a signal may stop a half-done import)
    from .piece import shared_fonts
    shared_fonts()  # and the system's font configuration, loaded once for all of them
    laid_out: list[str] = []
    while True:
        cut = plan(html, cache.joined() | continued(ms, html), frozenset({INDEX_ID}) if has_index else frozenset())
        scheduler = Scheduler(ms, cut, cache, deps, make_index)
        workers = min(jobs, len(cut.jobs))
        progress(f"lay out the print edition: {len(cut.jobs)} jobs"
                 + (f" in {workers} processes" if workers > 1 and hasattr(os, "fork") else ""))
        try:
            if workers > 1 and hasattr(os, "fork"):
                run_forked(scheduler, workers)
            else:
                run_here(scheduler)
        except Replan:
            cache.add_joined(scheduler.dropped_anchors)
            laid_out += scheduler.laid_out_anchors
            continue
        break
    laid_out += scheduler.laid_out_anchors
    states = scheduler.states
    cache.remember({st.job.anchor: st.record.pagination for st in states})
    for st in states:
        cache.use(st.record)
    for face in merged_fonts(tuple(st.record for st in states)).values():
        face.program(cache)  # made once, here: the print and archival joins run side by side
    return BookLayout(tuple(st.record for st in states), tuple(placed for placed, _ in scheduler.fold),
                      scheduler.front(), ms.meta, build_time(ms.meta.date), cache, tuple(laid_out))
