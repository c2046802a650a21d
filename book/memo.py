"""Results that ``serve`` keeps from one build to the next, so that an edit rebuilds only what it changed.

A :class:`Memo` lives in ``serve``'s Builder, in memory only (nothing is written
to disk). The stages take one as an optional argument; without it (the normal
``build.py``) they compute everything, as a one-shot build must.

Each result is kept in a *slot*, a name for what it is (``("outline", path)``,
``("page", "index")``), together with the *inputs* it was computed from: every
value the result depends on, compared with ``==`` (texts, frozen dataclasses,
tuples of them; a text itself rather than a hash of it, so that two texts are
never taken for one). A later build that asks for the slot with equal inputs
gets the kept result back; one result is kept per slot, the latest. Stages return the kept objects themselves, so that the
next stage's inputs are often the very same objects and compare at once.

What depends on the file system rather than on a text is kept only while a
cheap check shows it cannot have changed: an image's check while its file's
:func:`file_signature` is the same, a path's place in the book while no folder
on the way to it is a symbolic link (:func:`plain_path`).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from .confine import checked_image, inside

T = TypeVar("T")


class Memo:
    """One kept result per slot, with the inputs it was computed from."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[Any, Any]] = {}
        self._used: set[Hashable] = set()

    def get(self, slot: Hashable, inputs: Any, compute: Callable[[], T],
            valid: Callable[[T], bool] | None = None) -> T:
        """The result kept in ``slot`` if it was computed from inputs equal to ``inputs`` (and
        ``valid`` accepts it, for what only the result can tell); else ``compute()``, kept."""
        self._used.add(slot)
        kept = self._kept.get(slot)
        if kept is not None and kept[0] == inputs and (valid is None or valid(kept[1])):
            return kept[1]
        value = compute()
        self._kept[slot] = (inputs, value)
        return value

    def sweep(self) -> None:
        """Forget the slots that no request has used since the last sweep (a chapter taken out
        of the book, a page that is gone). ``serve`` sweeps after each build that succeeds."""
        if not self._kept.keys() <= self._used:
            self._kept = {slot: kept for slot, kept in self._kept.items() if slot in self._used}
        self._used = set()

    def __len__(self) -> int:
        return len(self._kept)


def remember(memo: Memo | None, slot: Hashable, inputs: Any, compute: Callable[[], T],
             valid: Callable[[T], bool] | None = None) -> T:
    """``compute()``, or without computing the result ``memo`` keeps for these inputs (see :meth:`Memo.get`)."""
    if memo is None:
        return compute()
    return memo.get(slot, inputs, compute, valid)


RECENT_NS = 2_000_000_000
"""A file changed less than this long ago (ns) may change again without its times changing: the
kernel stamps files with a coarse clock. Its :func:`file_signature` is not trusted yet."""


def file_signature(path: Path) -> tuple[int, ...] | None:
    """What changes whenever a file's bytes do, read without reading them: its inode, size,
    modification and change times (the change time cannot be set back by hand). None if the file
    is absent or changed too recently for its times to tell (:data:`RECENT_NS`)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RECENT_NS:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def kept_image_problem(memo: Memo | None, path: Path, media_type: str, what: str = "image") -> str:
    """:func:`book.confine.image_problem`, kept while the file is unchanged (:func:`kept_image`)."""
    return kept_image(memo, path, media_type, what)[0]


def kept_image(memo: Memo | None, path: Path, media_type: str, what: str = "image") -> tuple[str, bytes | None]:
    """:func:`book.confine.checked_image`, kept while the image file's :func:`file_signature` is
    the same: decoding every picture of the book again on each save would cost more than the save."""
    signature = file_signature(path)
    if memo is None or signature is None:
        return checked_image(path, media_type, what)
    return memo.get(("image", path), (media_type, what, signature), lambda: checked_image(path, media_type, what))


def plain_path(path: Path) -> bool:
    """Whether ``path`` is absolute, has no ``..`` and no folder or file on the way to it is a
    symbolic link: then it is its own real path, and what was decided by resolving it still holds."""
    text = str(path)
    if not text.startswith("/") or "/../" in text + "/":
        return False
    end = 0
    while end >= 0:
        end = text.find("/", end + 1)
        try:
            if stat.S_ISLNK(os.lstat(text[:end] if end >= 0 else text).st_mode):
                return False
        except OSError:
            return True  # nothing further down exists, so nothing further down is a link
    return True


def real_path(path: Path) -> Path:
    """``path.resolve()``, without resolving a :func:`plain_path` (it is its own real path)."""
    return path if plain_path(path) else path.resolve()


def kept_inside(memo: Memo | None, root: Path, rel: str, file: Path | None = None, line: int = 0, column: int = 0,
                what: str = "file") -> tuple[Path, Path]:
    """:func:`book.confine.inside`, and the real path of the file it names. Kept while the way
    to the file is a :func:`plain_path`: then whether ``rel`` stays inside the book is decided by
    the text of ``rel`` and ``root`` alone, and the path is its own real path."""
    if memo is None or not plain_path(root / rel):
        path = inside(root, rel, file, line, column, what)
        return path, path.resolve()
    path = memo.get(("inside", what, file, rel), (root, line, column), lambda: inside(root, rel, file, line, column, what))
    return path, path
