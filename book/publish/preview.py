"""The print PDF as ``serve`` previews it: rebuilt in a process of its own after every edit.

:class:`Preview` forks one long-lived process when ``serve`` starts (before
its server and watcher threads exist: a process with threads is not safe to
fork). That process keeps the book's resolved chapters from one rebuild to
the next (:class:`book.memo.Memo`, as ``serve``'s web edition does) and lays
the print edition out with the build's own layout cache (:mod:`.printlayout`,
``<out>/.cache/layout``), so an edit of one chapter lays out that chapter (and
what its page numbers move), then joins the book (:mod:`.join`): seconds for a
book of hundreds of pages, while the web edition is served at once.

Edits made while a PDF is being made are gathered into the next rebuild. The
PDF goes to ``<out>/.cache/preview/``: a preview is not a published edition,
and the output folder's editions are left as they are. While it lays out, the
process holds the output folder's lock, so a ``build`` into the same folder
waits for it rather than pruning pieces it is joining.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import parallel


@dataclass(frozen=True)
class Result:
    """One rebuild of the preview."""

    pdf: Path | None
    """The PDF, or None when the book has errors (the last good PDF stays)."""
    seconds: float
    pages: int = 0
    laid_out: int = 0
    """Jobs laid out (the others came from the cache)."""
    error: str = ""


class Preview:
    """The print PDF of the book at ``book``, rebuilt on :meth:`rebuild`; ``done`` hears each result
    (in a thread of this process)."""

    def __init__(self, book: Path, out: Path, jobs: int, done: Callable[[Result], None]) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self.pid = parallel.fork()
        if self.pid == 0:
            parallel.close_inherited()
            os.close(to_child_w)
            os.close(from_child_r)
            _serve(book, out, jobs, to_child_r, from_child_w)  # never returns
        os.close(to_child_r)
        os.close(from_child_w)
        self._inbox, self._outbox = to_child_w, from_child_r
        parallel.track(self._inbox, self._outbox)
        self._done = done
        self._reader = threading.Thread(target=self._read, name="pdf-preview", daemon=True)
        self._reader.start()

    def rebuild(self) -> None:
        """Make the PDF again (after the edits so far)."""
        try:
            parallel.send_frame(self._inbox, ("build",))
        except OSError:
            pass

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        parallel.untrack(self._inbox, self._outbox)

    def _read(self) -> None:
        while True:
            try:
                result = parallel.receive_frame(self._outbox)
            except (EOFError, OSError):
                return
            self._done(result)


def _serve(book: Path, out: Path, jobs: int, inbox: int, outbox: int) -> None:
    """The preview process: rebuild when asked, until the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is serve's; it stops this process
    signal.signal(signal.SIGTERM, _stop)  # its layout workers are stopped on the way out
    from ..memo import Memo

    memo = Memo()
    try:
        while True:
            parallel.receive_frame(inbox)
            while select.select([inbox], [], [], 0)[0]:  # edits saved meanwhile: one rebuild for all
                parallel.receive_frame(inbox)
            parallel.send_frame(outbox, _rebuild(book, out, jobs, memo))
    except (EOFError, OSError):
        pass
    finally:
        os._exit(0)


def _stop(_signum, _frame) -> None:
    raise SystemExit(0)


def _rebuild(book: Path, out: Path, jobs: int, memo) -> Result:
    from ..errors import BookError, BookErrors
    from ..load import load_book
    from ..resolve import resolve
    from .join import write_joined
    from .printlayout import lay_out_book

    start = time.perf_counter()
    try:
        problems: list[BookError] = []
        ms = resolve(load_book(book, collect=problems, memo=memo), collect=problems, memo=memo)
        if problems:
            raise BookErrors(problems)
        target = out / ".cache" / "preview" / f"{ms.meta.slug}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out):
            lay = lay_out_book(ms, out, jobs)
            tmp = target.with_name(f".{target.name}.tmp")
            write_joined(lay, tmp)
            tmp.replace(target)
            lay.cache.prune()
        memo.sweep()
        return Result(target, time.perf_counter() - start, lay.page_count, len(lay.laid_out))
    except BookError as exc:
        return Result(None, time.perf_counter() - start, error=exc.format(Path.cwd()))
    except Exception as exc:  # noqa: BLE001 - the preview reports and goes on; serve keeps serving
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-4))
        return Result(None, time.perf_counter() - start, error=f"internal error (please report it):\n{text}")


class _locked:
    """The output folder's lock (:func:`book.staging.output_folder` takes the same one)."""

    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.path = out / ".lock"

    def __enter__(self):
        self.fh = open(self.path, "a")
        fcntl.flock(self.fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()
