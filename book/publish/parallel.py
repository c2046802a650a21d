"""Independent editions built side by side, each in a forked process.

Once the manuscript is resolved, the screen editions (EPUB, web) need nothing
from the print edition but its page map, and the archival PDF needs nothing
but the laid-out pages the print PDF is written from. On a machine with a
second core, :mod:`book.publish.orchestrate` therefore forks: a child writes the EPUB
and the web edition while the parent lays out and writes the print PDF, and,
once the book is laid out, another child writes the archival PDF from the
same layout. ``fork`` hands each child the resolved manuscript and the layout
for free (copy-on-write); nothing is resolved or laid out twice.

The build stays one build:

* a child writes through :func:`book.staging.write_atomic` into its copy of
  the build's staging (:mod:`book.staging`); the files it staged are handed back
  to the parent, which commits them with its own — all of the editions or none;
* what a child makes does not depend on which process makes it, so a build
  gives the same bytes in parallel and in series (``tests/test_perf_means.py``);
* an error in a child is raised again in the parent: a :class:`BookError` as
  itself (printed as usual, exit 1), an ``OSError`` (a full disk) as one with the
  same number, file and words, anything else as :class:`ChildError`
  carrying the child's traceback; a child's temporary files are deleted;
* a failing parent stops its children (SIGTERM) and waits for them;
* a child never prints and leaves through ``os._exit``, so that nothing of the
  parent's (the output folder's lock, buffered output, ``atexit``) runs twice.

``BOOK_JOBS=1`` builds in series (for debugging, or to compare).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
import threading
import traceback
from typing import Any, Callable

from .. import staging as lock
from ..errors import BookError, BookErrors
from . import Output

_open_fds: set[int] = set()
"""The parent's ends of every child's pipes: a later child closes its copies of them."""


class ChildError(RuntimeError):
    """A bug (not a mistake in the book) in a forked child; carries its traceback."""


def cores() -> int:
    """How many processes the build may run at once: the cores this process may use, or
    ``BOOK_JOBS`` when set."""
    override = os.environ.get("BOOK_JOBS", "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def forks() -> bool:
    """The platform can fork."""
    return hasattr(os, "fork")


def available() -> bool:
    """Forking pays: a second core, and a platform that forks."""
    return cores() > 1 and forks()


class Forked:
    """``job(receive)`` running in a forked child; ``receive()`` returns what the parent
    :meth:`send`\\ s, in order. :meth:`result` waits for the job's outputs."""

    def __init__(self, job: Callable[[Callable[[], Any]], list[Output]], name: str) -> None:
        self.name = name
        staging = lock.current()
        marks = (len(staging.files), len(staging.folders), frozenset(staging.pending)) if staging is not None \
            else (0, 0, frozenset())
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self.pid = fork()
        if self.pid == 0:  # the child
            for fd in _open_fds | {to_child_w, from_child_r}:
                _close(fd)
            _run_child(job, to_child_r, from_child_w, staging, marks)  # never returns
        _close(to_child_r)
        _close(from_child_w)
        self._to_child = to_child_w
        self._from_child = from_child_r
        _open_fds.update((to_child_w, from_child_r))
        self._senders: list[threading.Thread] = []
        self._done = False

    def send(self, value: Any) -> None:
        """Pass ``value`` to the child's next ``receive()``, without waiting for it to read."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        sender = threading.Thread(target=_write_frame, args=(self._to_child, data), daemon=True)
        sender.start()
        self._senders.append(sender)

    def result(self) -> list[Output]:
        """Wait for the child; commit its staged files with the build's; return its outputs
        or raise its error."""
        payload = _read_all(self._from_child)
        self._finish()
        if not payload:
            raise ChildError(f"the process writing {self.name} ended without a word ({self._status})")
        kind, *rest = pickle.loads(payload)
        if kind == "ok":
            outputs, files, folders = rest
            staging = lock.current()
            if staging is not None:
                staging.files.extend(files)
                staging.folders.extend(folders)
            return outputs
        if kind == "book":
            errors = rest[0]
            raise errors[0] if len(errors) == 1 else BookErrors(errors)
        if kind == "os":  # a full disk, a refused write: the build says so as it does in series
            raise OSError(*rest)
        raise ChildError(f"while writing {self.name}:\n{rest[0]}")

    def cancel(self) -> None:
        """Stop the child (it deletes its temporary files) and wait for it. A child that had
        already finished hands its files over: they are deleted here, since nothing will commit them."""
        if self._done:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        payload = _read_all(self._from_child)
        self._finish()
        try:
            kind, *rest = pickle.loads(payload) if payload else ("none",)
        except Exception:  # noqa: BLE001 - cut short by the signal: nothing was handed over
            return
        if kind == "ok":
            import shutil
            _outputs, files, folders = rest
            for tmp, _target in files:
                tmp.unlink(missing_ok=True)
            for tmp, _target in folders:
                shutil.rmtree(tmp, ignore_errors=True)

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        for fd in (self._to_child, self._from_child):
            _open_fds.discard(fd)
            _close(fd)
        _pid, status = os.waitpid(self.pid, 0)
        self._status = f"exit status {os.waitstatus_to_exitcode(status)}"


def _run_child(job, inbox: int, outbox: int, staging, marks: tuple[int, int, frozenset]) -> None:
    """Run the job, report, and leave without unwinding into the parent's code."""
    code = 0
    try:
        def stop(_signum, _frame):
            raise KeyboardInterrupt("stopped by the parent")
        signal.signal(signal.SIGTERM, stop)
        outputs = job(lambda: _read_frame(inbox))
        files = staging.files[marks[0]:] if staging is not None else []
        folders = staging.folders[marks[1]:] if staging is not None else []
        payload = pickle.dumps(("ok", outputs, files, folders))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        code = 1
        _discard(staging, marks)
        payload = _error_payload(exc)
    try:
        _write_all(outbox, payload)
    finally:
        os._exit(code)


def _error_payload(exc: BaseException) -> bytes:
    if isinstance(exc, BookError):
        errors = list(getattr(exc, "errors", None) or [exc])
        try:
            return pickle.dumps(("book", errors))
        except Exception:  # noqa: BLE001 - an unpicklable detail: send the text
            pass
    if isinstance(exc, OSError) and exc.errno is not None:
        return pickle.dumps(("os", exc.errno, exc.strerror, exc.filename))
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return pickle.dumps(("bug", text))


def _discard(staging, marks: tuple[int, int, frozenset]) -> None:
    """Delete the temporary files and folders this child staged, or made and had not staged yet."""
    if staging is None:
        return
    import shutil
    for tmp, _target in staging.files[marks[0]:]:
        tmp.unlink(missing_ok=True)
    for tmp, _target in staging.folders[marks[1]:]:
        shutil.rmtree(tmp, ignore_errors=True)
    for tmp in staging.pending - marks[2]:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def _write_frame(fd: int, data: bytes) -> None:
    try:
        _write_all(fd, struct.pack("!Q", len(data)) + data)
    except OSError:
        pass  # the child is gone; its result says why


def send_frame(fd: int, value: Any) -> None:
    """Write ``value`` to a pipe as one pickled frame (waits until it is written)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(fd, struct.pack("!Q", len(data)) + data)


def receive_frame(fd: int) -> Any:
    """Read one frame :func:`send_frame` wrote (EOFError when the other end closed)."""
    return _read_frame(fd)


def _read_frame(fd: int) -> Any:
    head = _read_exactly(fd, 8)
    (size,) = struct.unpack("!Q", head)
    return pickle.loads(_read_exactly(fd, size))


def fork() -> int:
    """``os.fork()``, with the objects the child inherits frozen for its garbage collector: a
    child whose collector walked them would write to every page of memory it shares with its
    parent (copy-on-write), and a build's processes together would need many times what they
    use. The parent collects its own again at once."""
    gc.freeze()
    # Ctrl-C during the fork would interrupt the hooks that run around it (logging's), which
    # swallow the KeyboardInterrupt: held until the fork is done, it stops the build as usual.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pid = os.fork()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    if pid:
        gc.unfreeze()
    return pid


def give_back_memory() -> None:
    """Return to the system the memory a finished piece of work freed (glibc keeps it for the
    process otherwise): a process that goes on to wait, or to smaller work, holds what it needs."""
    import ctypes

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def close_inherited(keep: set[int] = frozenset()) -> None:
    """In a new child: close the pipes of the parent's other children (but ``keep``)."""
    for fd in _open_fds - set(keep):
        _close(fd)


def track(*fds: int) -> None:
    """Note pipe ends the parent keeps, so that children forked later close their copies."""
    _open_fds.update(fds)


def untrack(*fds: int) -> None:
    for fd in fds:
        _open_fds.discard(fd)
        _close(fd)


def _read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("the parent process went away")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 20)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
