"""Run the publishers of the editions a build asks for, side by side where a core is free.

What the editions need of each other decides where each runs (:mod:`.editions`):

* the editions written from the print layout (``LAYOUT``: the print and archival
  PDFs) share one layout, made once (:mod:`.printlayout`: its jobs laid out by
  ``jobs`` worker processes, or in this one); the first is joined here, each
  other one in a process forked once the layout exists;
* the others (the EPUB, the web edition) are written in one process forked at
  the start, beside the layout; those that need the print page map (``PAGE_MAP``)
  come last there and receive it from this process as soon as the layout gives it.

With ``--jobs 1`` (or ``BOOK_JOBS=1``, or a platform that cannot fork) the
same publishers and the same layout jobs run one after another in this
process, with the same results: what a publisher makes never depends on the
process that makes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..model import Manuscript
from . import Output, parallel
from .editions import LAYOUT, PAGE_MAP, Edition

Progress = Callable[[str], None]


class BuildSupplies:
    """The :class:`~book.publish.Supplies` of one build: each made at most once, when first asked for.

    ``receive`` (in a forked process) waits for the page map the parent process sends; ``share``
    (in the parent) sends it there as soon as the layout has given it."""

    def __init__(self, ms: Manuscript, out: Path, progress: Progress,
                 receive: Callable[[], Any] | None = None, share: Callable[[Any], None] | None = None,
                 jobs: int = 1) -> None:
        self.ms, self.out, self.progress, self.jobs = ms, out, progress, jobs
        self._receive, self._share = receive, share
        self._layout = None
        self._page_map = None

    def layout(self):
        if self._layout is None:
            from .pagemap import print_page_map
            from .printlayout import lay_out_book
            self._layout = lay_out_book(self.ms, self.out, self.jobs, self.progress)
            # Where the print pages begin, cached for an EPUB-only build and sent to the EPUB's process.
            self._page_map = print_page_map(self.ms, self.out, self._layout)
            if self._share is not None:
                self._share(self._page_map)
        return self._layout

    def finish(self) -> None:
        """After the last edition: forget the layout pieces this build did not use."""
        if self._layout is not None:
            self._layout.cache.prune()

    def page_map(self):
        if self._page_map is None and self._receive is not None:
            self._page_map = self._receive()
        if self._page_map is None:
            from .pagemap import cached_page_map, print_page_map
            self._page_map = cached_page_map(self.ms, self.out)
            if self._page_map is None:  # the print layout changed: lay it out (its pieces are kept), not join it
                from .printlayout import lay_out_book
                self.progress("lay out the print edition for the EPUB's page numbers")
                lay = lay_out_book(self.ms, self.out, self.jobs, self.progress)
                self._page_map = print_page_map(self.ms, self.out, lay)
                lay.cache.prune()
        return self._page_map


def publish_editions(ms: Manuscript, out: Path, editions: tuple[Edition, ...],
                     progress: Progress = lambda _s: None, jobs: int | None = None) -> list[Output]:
    """Write ``editions`` of ``ms`` into ``out`` (inside the build's :func:`~book.staging.output_folder`)
    with ``jobs`` processes at most (default: :func:`~.parallel.cores`); return what was written,
    in the table's order."""
    jobs = parallel.cores() if jobs is None else max(1, jobs)
    forks = jobs > 1 and parallel.forks()
    laid = [e for e in editions if LAYOUT in e.needs]
    # Those that wait for the page map last, so that the others are written while it is made.
    rest = sorted((e for e in editions if LAYOUT not in e.needs), key=lambda e: PAGE_MAP in e.needs)
    written: dict[str, list[Output]] = {}
    side = None
    if laid and rest and forks:
        progress(f"write {_and(rest)}, beside the print edition")
        side = parallel.Forked(lambda receive: _one_by_one(
            rest, BuildSupplies(ms, out, lambda _s: None, receive=receive, jobs=jobs), ms, out, lambda _s: None,
            trim=True), _and(rest))
    supplies = BuildSupplies(ms, out, progress, share=side.send if side is not None else None, jobs=jobs)
    beside: list[parallel.Forked] = []
    try:
        if laid:
            supplies.layout()
            first, *others = laid
            if others and forks:
                for e in others:
                    progress(f"write {e.noun}, beside {first.noun}")
                    beside.append(parallel.Forked(
                        lambda _receive, e=e: e.publish()(ms, out, supplies), e.noun))
                    written[e.name] = []
                progress(f"write {first.noun}")
                written[first.name] = first.publish()(ms, out, supplies)
                for e, child in zip(others, beside):
                    written[e.name] = child.result()
            else:
                for o in _one_by_one(laid, supplies, ms, out, progress):
                    written.setdefault(o.kind, []).append(o)
        if side is not None:
            progress(f"finish {_and(rest)}")
            outputs = side.result()
        else:
            outputs = _one_by_one(rest, supplies, ms, out, progress)
        for o in outputs:
            written.setdefault(o.kind, []).append(o)
        supplies.finish()
    except BaseException:
        for child in [*beside, *([side] if side is not None else [])]:
            child.cancel()
        raise
    return [o for e in editions for o in written.get(e.name, [])]


def _one_by_one(editions, supplies: BuildSupplies, ms: Manuscript, out: Path, progress: Progress,
                trim: bool = False) -> list[Output]:
    """``trim``: in a process of its own, give the memory of each edition back once it is written
    (the next may wait for the page map while the print edition is laid out beside it)."""
    outputs: list[Output] = []
    for e in editions:
        progress(f"write {e.noun}")
        outputs += e.publish()(ms, out, supplies)
        if trim:
            parallel.give_back_memory()
    return outputs


def _and(editions) -> str:
    nouns = [e.noun for e in editions]
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " and " + nouns[-1]
