"""The output folder: one build at a time, and all of a build's files or none.

A build publishes inside :func:`output_folder`. It takes an exclusive
``flock`` on ``<out>/.lock`` (a second build into the same folder waits), removes
what an earlier, killed build left behind, and opens a :class:`Staging`:
while it is open, :func:`write_atomic` and :func:`staging_folder` write
temporary files and folders beside their targets and *register* them instead
of renaming them. Only when every edition is written are they all renamed into
place, with SIGINT and SIGTERM held back for those few renames. An error, a
full disk, Ctrl-C or ``kill -TERM`` therefore leaves the previous editions
byte for byte as they were, and deletes the temporary files.

Temporary names all match ``.<name>.<8 characters>.tmp`` (a folder being
replaced is parked as ``.<name>.old.tmp``), so a stale one is recognisable and
is removed only while the lock is held, when no other build can own it.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import hashlib
import os
import re
import shutil
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .errors import BookError

LOCK_NAME = ".lock"
_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}
"""Failures of the disk, not of the book: reported as an error, never as a traceback."""
_TEMP = re.compile(r"^\..+\.(?:[a-z0-9_]{8}|old)\.tmp$")
_HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the build is so that it unwinds as Ctrl-C does."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Interrupted` for the duration (SIGINT already is one).

    Python's default for SIGTERM is to die on the spot, leaving temporary files;
    an exception instead runs every ``finally`` and ``except`` on the way out.
    """
    def raise_interrupted(signum: int, _frame) -> None:
        raise Interrupted(signum)

    previous = {s: signal.signal(s, raise_interrupted) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back interrupting signals (they are delivered afterwards) while files are renamed."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


@dataclass
class Staging:
    """A build's temporary files and folders, each waiting to replace its target."""

    out: Path
    files: list[tuple[Path, Path]] = field(default_factory=list)
    """(temporary file, target), in the order they were written."""
    folders: list[tuple[Path, Path]] = field(default_factory=list)
    """(temporary folder, target folder)."""
    done: bool = False
    pending: set[Path] = field(default_factory=set)
    """Temporary files and folders made but not yet registered: a signal can arrive between the
    two, and what it interrupts is deleted with the rest."""

    def add_file(self, tmp: Path, target: Path) -> None:
        self.files.append((tmp, target))
        self.pending.discard(tmp)

    def add_folder(self, tmp: Path, target: Path) -> None:
        self.folders.append((tmp, target))
        self.pending.discard(tmp)

    def made(self, make: Callable[[], Path]) -> Path:
        """``make()`` a temporary file or folder, recorded as :attr:`pending` before any signal
        can interrupt the build."""
        with _signals_held():
            tmp = make()
            self.pending.add(tmp)
        return tmp

    def planned(self) -> dict[str, Path]:
        """Every file the output folder will hold once committed (dot-files aside), by relative
        path, each with the file that holds its future content now. SHA256SUMS is made from this."""
        replaced = {target for _tmp, target in self.folders}
        view: dict[str, Path] = {}
        for path in _visible_files(self.out):
            if not any(folder == path or folder in path.parents for folder in replaced):
                view[path.relative_to(self.out).as_posix()] = path
        for tmp, target in self.folders:
            for path in _visible_files(tmp):
                view[(target / path.relative_to(tmp)).relative_to(self.out).as_posix()] = path
        for tmp, target in self.files:
            rel = target.relative_to(self.out)
            if not any(part.startswith(".") for part in rel.parts):  # caches are not editions
                view[rel.as_posix()] = tmp
        return dict(sorted(view.items()))

    def commit(self) -> None:
        """Rename everything into place: folders first, then files, SHA256SUMS last."""
        with _signals_held():
            for tmp, target in self.folders:
                swap_folder(tmp, target)
            for tmp, target in self.files:
                os.replace(tmp, target)
            self.done = True
            self.folders.clear()
            self.files.clear()

    def abort(self) -> None:
        """Delete every temporary file and folder: the previous outputs stay as they were."""
        with _signals_held():
            for tmp, _target in self.files:
                tmp.unlink(missing_ok=True)
            for tmp, _target in self.folders:
                shutil.rmtree(tmp, ignore_errors=True)
            for tmp in self.pending:
                if tmp.is_dir():
                    shutil.rmtree(tmp, ignore_errors=True)
                else:
                    tmp.unlink(missing_ok=True)
            self.files.clear()
            self.folders.clear()
            self.pending.clear()


def _visible_files(folder: Path) -> list[Path]:
    """Files under ``folder``, skipping anything whose name (or a parent's) starts with a dot."""
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in sorted(files) if not f.startswith("."))
    return found


def swap_folder(tmp: Path, target: Path) -> None:
    """Replace the folder ``target`` by ``tmp``: park the old one, rename, delete the old one."""
    old = target.parent / f".{target.name}.old.tmp"
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


_current: contextvars.ContextVar[Staging | None] = contextvars.ContextVar("staging", default=None)


def current() -> Staging | None:
    """The open staging of the build running in this context, if any (publishers consult it)."""
    staging = _current.get()
    return staging if staging is not None and not staging.done else None


def planned_files(out: Path) -> dict[str, Path]:
    """What ``out`` will hold when the running build commits (or holds now, outside a build)."""
    staging = current()
    if staging is not None and staging.out == out:
        return staging.planned()
    return {p.relative_to(out).as_posix(): p for p in _visible_files(out)}


def recover(out: Path, depth: int = 3) -> list[Path]:
    """Remove what a killed build left in ``out`` (and its sub-folders, ``depth`` deep); put
    back a folder it had parked. Call only while holding the lock. Returns what was removed."""
    removed = []
    for path in sorted(out.iterdir()):
        if path.is_symlink():
            continue
        if not _TEMP.match(path.name):
            if path.is_dir() and depth > 1:
                removed += recover(path, depth - 1)
            continue
        if path.name.endswith(".old.tmp") and path.is_dir():
            original = out / path.name[1:-len(".old.tmp")]
            if not original.exists():
                path.rename(original)  # killed between the two renames of a swap
                continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


@contextlib.contextmanager
def output_folder(out: Path, say: Callable[[str], None] = lambda _s: None) -> Iterator[Staging]:
    """Lock ``out`` for this build, clean it of stale temporaries, and stage every write.

    On normal exit the staged files are committed; on any exception (including
    Ctrl-C and SIGTERM, see :func:`interruptible`) they are deleted.
    """
    try:
        with _locked(out, say) as staging:
            yield staging
    except OSError as exc:  # the disk, the folder's permissions, a name: never the book's text
        raise write_error(exc, out) from exc


def write_error(exc: OSError, out: Path) -> BookError:
    """A failure to write into the output folder ``out``, said as the author can act on it."""
    where = ""
    if exc.filename and Path(exc.filename) != out:
        name = Path(exc.filename)
        where = f" ({name.relative_to(out) if name.is_relative_to(out) else name})"
    if exc.errno in _DISK_ERRORS:
        hint = "free some space (or raise the file size limit) and build again"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        hint = "make the output folder writable, or choose another with --out"
    elif exc.errno == errno.ENAMETOOLONG:
        hint = "choose a shorter slug, chapter id or output folder"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        hint = "the output folder's path leads through a file: choose another with --out"
    else:
        hint = "check the output folder, or choose another with --out"
    return BookError(f"cannot write the editions: {exc.strerror or exc}{where}", out, 0, 0,
                     f"{hint}; the previous editions are unchanged", rule="write-failed")


@contextlib.contextmanager
def _locked(out: Path, say: Callable[[str], None]) -> Iterator[Staging]:
    import fcntl  # Unix only, and needed only to write: check and new run anywhere

    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK_NAME, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another build into {out} to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            recover(out)
            staging = Staging(out)
            token = _current.set(staging)
            try:
                yield staging
                if not staging.done:
                    staging.commit()
            except BaseException:
                staging.abort()
                raise
            finally:
                _current.reset(token)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# ------------------------------------------------------------- writing files


def write_atomic(target: Path, write: Callable[[Path], None] | bytes) -> None:
    """Write ``target`` through a temporary file in its folder, then rename it into place.

    ``write`` is the content, or a function that writes the temporary path it is given
    (post-process it there too: never read ``target`` back during a build). Inside a
    build (:func:`output_folder`) the rename waits until every edition is written, so
    that a build that fails half-way changes nothing.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = current()
    fd = -1

    def make() -> Path:
        nonlocal fd
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        return Path(name)
    tmp = staging.made(make) if staging is not None else make()
    try:
        if isinstance(write, bytes):
            with os.fdopen(fd, "wb") as fh:
                fh.write(write)
        else:
            os.close(fd)
            write(tmp)
        os.chmod(tmp, 0o644)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())  # the bytes are on disk before the name points at them
        if staging is not None:
            staging.add_file(tmp, target)
        else:
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        if staging is not None:
            staging.pending.discard(tmp)
        raise


def staging_folder(target: Path) -> Path:
    """A new, empty temporary folder beside the folder ``target`` (``.web.x1y2z3w4.tmp``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = current()

    def make() -> Path:
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    return staging.made(make) if staging is not None else make()


def replace_folder(tmp: Path, target: Path) -> None:
    """Put the finished folder ``tmp`` in place of ``target``: when the build commits, or now."""
    for path in tmp.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    tmp.chmod(0o755)
    staging = current()
    if staging is not None:
        staging.add_folder(tmp, target)
    else:
        swap_folder(tmp, target)


def write_checksums(out: Path) -> None:
    """``<out>/SHA256SUMS``: every file of every edition, sorted, as ``sha256sum -c`` reads it.

    Inside a build it lists what the folder will hold once the build commits."""
    lines = [f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n"
             for rel, path in planned_files(out).items() if rel != "SHA256SUMS"]
    write_atomic(out / "SHA256SUMS", "".join(lines).encode())
