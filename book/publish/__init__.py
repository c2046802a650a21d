"""The publish stage: one publisher per edition, in one registry.

A publisher states what it makes (``name``, ``suffix``, what it needs) and has
one method, ``publish(manuscript, out_dir) -> list[Output]``. Every file is
written to a temporary name in the output folder and renamed into place, so
a failed build never destroys the last good edition.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

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
    """Write ``target`` through a temporary file in its folder, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        if isinstance(write, bytes):
            with os.fdopen(fd, "wb") as fh:
                fh.write(write)
                fh.flush()
                os.fsync(fh.fileno())
        else:
            os.close(fd)
            write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def registry() -> dict[str, Publisher]:
    """Every edition, by name, in build order. Imports are lazy: a PDF-free build
    never imports WeasyPrint."""
    from .epub import EpubPublisher
    from .pdf import PdfPublisher
    from .web import WebPublisher

    return {"pdf": PdfPublisher(), "epub": EpubPublisher(), "web": WebPublisher()}
