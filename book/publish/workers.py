"""Layout jobs run one after another in this process, or side by side in worker processes.

The build (:class:`~book.publish.paginate.Scheduler`) says which job to lay out
next and answers each job once it is paginated; the runners only carry the
messages:

* :func:`run_here` (``--jobs 1``) lays the jobs out one after another in this
  process: every job before the one paused is paginated, so the answer is
  always ready;
* :func:`run_forked` (``--jobs N``) forks N workers once WeasyPrint is
  imported (they share its modules, copy-on-write). Each lays out one job at a
  time and waits, paused, for its answer; the parent answers a paused job as
  soon as every job before it is paginated, and hands an idle worker the next
  job. A worker holds one job's layout at most: memory is bounded by the
  largest job, not by the book.

A worker's error comes back as what it was: a mistake in the book as its
:class:`~book.errors.BookError`, a bug as :class:`~book.publish.parallel.ChildError`
with the worker's traceback. The parent stops its workers (SIGTERM) when it
fails or is interrupted.
"""

from __future__ import annotations

import os
import select
import signal
import traceback
from typing import Any, Protocol

from ..errors import BookError, BookErrors
from . import parallel
from .jobdata import Finish, JobSpec, Pagination, PieceInfo

WAIT = "wait"
"""The scheduler's answer to a paused job whose place is not known yet."""


class Scheduler(Protocol):
    def next_spec(self) -> JobSpec | None:
        """The next job to lay out, or None when none is waiting now."""

    def paused(self, pagination: Pagination) -> "Finish | JobSpec | None | str":
        """How a paginated job goes on: finish it, lay it out again from another spec, drop it
        (None), or :data:`WAIT`."""

    def done(self, info: PieceInfo) -> None:
        """A job is finished."""

    def dropped(self, number: int) -> None:
        """A job was dropped (answered None)."""

    def settle(self) -> bool:
        """Nothing is running: queue what has to be laid out again; True when the book is done."""

    def refused(self, url: str) -> BaseException:
        """The error for a job that asked for ``url``, outside the book."""


class Dropped(Exception):
    """The scheduler dropped the job (its first element does not open a page of its own)."""


def run_here(scheduler: Scheduler) -> None:
    """Lay every job out in this process, in the order the scheduler gives."""
    from .piece import Refused, lay_out

    def decide(pagination: Pagination):
        answer = scheduler.paused(pagination)
        if answer == WAIT:
            raise RuntimeError(f"job {pagination.number} was laid out before a job it follows")
        if answer is None:
            raise Dropped()
        return answer

    while True:
        spec = scheduler.next_spec()
        if spec is None:
            if scheduler.settle():
                return
            continue
        try:
            scheduler.done(lay_out(spec, decide))
        except Dropped:
            scheduler.dropped(spec.number)
        except Refused as exc:
            raise scheduler.refused(exc.url) from None


class _Worker:
    def __init__(self) -> None:
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        self.pid = parallel.fork()
        if self.pid == 0:
            parallel.close_inherited()
            os.close(to_worker_w)
            os.close(from_worker_r)
            _serve(to_worker_r, from_worker_w)  # never returns
        os.close(to_worker_r)
        os.close(from_worker_w)
        self.inbox, self.outbox = to_worker_w, from_worker_r
        parallel.track(self.inbox, self.outbox)
        self.job: int | None = None

    def send(self, message: Any) -> None:
        parallel.send_frame(self.inbox, message)

    def stop(self, kill: bool) -> None:
        if kill:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        else:
            try:
                self.send(("stop",))
            except OSError:
                pass
        parallel.untrack(self.inbox, self.outbox)
        os.waitpid(self.pid, 0)


def run_forked(scheduler: Scheduler, count: int) -> None:
    """Lay every job out in ``count`` worker processes."""
    workers = [_Worker() for _ in range(count)]
    waiting: dict[int, tuple[_Worker, Pagination]] = {}
    failed = True
    try:
        while True:
            for worker in workers:
                if worker.job is None:
                    spec = scheduler.next_spec()
                    if spec is None:
                        break
                    worker.job = spec.number
                    worker.send(("job", spec))
            busy = [w for w in workers if w.job is not None]
            if not busy:
                if scheduler.settle():
                    failed = False
                    return
                continue
            ready, _, _ = select.select([w.outbox for w in busy], [], [])
            for worker in busy:
                if worker.outbox not in ready:
                    continue
                try:
                    message = parallel.receive_frame(worker.outbox)
                except EOFError:
                    raise parallel.ChildError("a layout worker ended without a word") from None
                _handle(scheduler, worker, message, waiting)
            for number in sorted(waiting):  # a job paginated may be what paused ones waited for
                worker, pagination = waiting[number]
                answer = scheduler.paused(pagination)
                if answer != WAIT:
                    del waiting[number]
                    worker.send(("answer", answer))
    finally:
        for worker in workers:
            worker.stop(kill=failed)


def _handle(scheduler: Scheduler, worker: _Worker, message: tuple, waiting: dict) -> None:
    kind = message[0]
    if kind == "paused":
        pagination = message[1]
        answer = scheduler.paused(pagination)
        if answer == WAIT:
            waiting[pagination.number] = (worker, pagination)
        else:
            worker.send(("answer", answer))
    elif kind == "done":
        worker.job = None
        scheduler.done(message[1])
    elif kind == "dropped":
        worker.job = None
        scheduler.dropped(message[1])
    elif kind == "refused":
        raise scheduler.refused(message[1])
    elif kind == "book":
        errors = message[1]
        raise errors[0] if len(errors) == 1 else BookErrors(errors)
    elif kind == "os":
        raise OSError(*message[1:])
    else:
        raise parallel.ChildError(f"while laying out the print edition:\n{message[1]}")


def _serve(inbox: int, outbox: int) -> None:
    """A worker's life: lay out the jobs it is sent until told to stop; leave through ``os._exit``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    code = 0
    try:
        from .piece import Refused, lay_out

        def decide(pagination: Pagination):
            parallel.send_frame(outbox, ("paused", pagination))
            _kind, answer = parallel.receive_frame(inbox)
            if answer is None:
                raise Dropped()
            return answer

        while True:
            message = parallel.receive_frame(inbox)
            if message[0] != "job":
                break
            spec: JobSpec = message[1]
            try:
                reply: tuple = ("done", lay_out(spec, decide))
            except Dropped:
                reply = ("dropped", spec.number)
            except Refused as exc:
                reply = ("refused", exc.url)
            except BookError as exc:
                reply = ("book", list(getattr(exc, "errors", None) or [exc]))
            except OSError as exc:  # a full disk: the build says so as it does for its own writes
                reply = ("os", exc.errno, exc.strerror, exc.filename)
            parallel.send_frame(outbox, reply)
            parallel.give_back_memory()
    except EOFError:
        pass  # the parent went away
    except BaseException as exc:  # noqa: BLE001 - a bug: its traceback goes to the parent
        code = 1
        try:
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            parallel.send_frame(outbox, ("bug", text))
        except OSError:
            pass
    finally:
        try:
            from .piece import drop_own_fonts
            drop_own_fonts()
        finally:
            os._exit(code)
