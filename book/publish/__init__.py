"""The publish stage: one publisher per edition, in one registry.

A publisher states what it makes (``name``, ``suffix``, what it needs) and has
one method, ``publish(manuscript, out_dir) -> list[Output]``. Every file is
written to a temporary name in the output folder and renamed into place, so
a failed build never destroys the last good edition.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from .. import lock
from ..errors import BookError
from ..model import Manuscript


@dataclass(frozen=True)
class Output:
    """One file a build wrote."""

    path: Path
    kind: str
    """Edition name: ``pdf``, ``archive``, ``epub``, ``web``."""
    pages: int = 0
    """Pages for a PDF, documents for an EPUB or web edition; 0 if not meaningful."""
    unit: str = "pages"

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path.is_file() else _tree_size(self.path)


def _tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


class Publisher(Protocol):
    name: str
    description: str

    def publish(self, ms: Manuscript, out: Path) -> list[Output]: ...


def write_atomic(target: Path, write: Callable[[Path], None] | bytes) -> None:
    """Write ``target`` through a temporary file in its folder, then rename it into place.

    ``write`` is the content, or a function that writes the temporary path it is given
    (post-process it there too: never read ``target`` back during a build). Inside a
    build (:func:`book.lock.output_folder`) the rename waits until every edition is
    written, so that a build that fails half-way changes nothing.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
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
        staging = lock.current()
        if staging is not None:
            staging.add_file(tmp, target)
        else:
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def staging_folder(target: Path) -> Path:
    """A new, empty temporary folder beside the folder ``target`` (``.web.x1y2z3w4.tmp``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))


def replace_folder(tmp: Path, target: Path) -> None:
    """Put the finished folder ``tmp`` in place of ``target``: when the build commits, or now."""
    for path in tmp.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    tmp.chmod(0o755)
    staging = lock.current()
    if staging is not None:
        staging.add_folder(tmp, target)
    else:
        lock.swap_folder(tmp, target)


def build_time(date: str) -> dt.datetime:
    """The one timestamp every output carries, in UTC.

    ``SOURCE_DATE_EPOCH`` when it is set and not empty (reproducible-builds.org),
    otherwise the book's date at midnight: never the clock, so the same sources
    give the same bytes on any machine, in any time zone.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BookError(f"SOURCE_DATE_EPOCH is '{epoch}', not a number of seconds since 1970",
                            hint="unset it, or set it to a time such as $(git log -1 --format=%ct)",
                            rule="environment") from None
    day = dt.date.fromisoformat(date)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def registry() -> dict[str, Publisher]:
    """Every edition, by name, in build order. Imports are lazy: a PDF-free build
    never imports WeasyPrint."""
    from .epub import EpubPublisher
    from .pdf import PdfPublisher
    from .web import WebPublisher

    return {"pdf": PdfPublisher(), "epub": EpubPublisher(), "web": WebPublisher()}
