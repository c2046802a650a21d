"""The whole pipeline in one function: load → resolve → render → publish.

Everything is loaded and resolved before ``dist/`` is touched (as mkdocs
gathers before it writes); each publisher then writes through temporary
files, so an error leaves the previous outputs as they were.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .load import MAX_CHAPTER_BYTES, load_book
from .model import Manuscript
from .publish import Output, write_atomic
from .resolve import resolve

EDITIONS = ("pdf", "epub", "web")
"""What ``build`` makes when no edition is named, in this order."""


@dataclass(frozen=True)
class Options:
    """One build, as the command line asked for it."""

    book: Path
    out: Path
    editions: tuple[str, ...] = EDITIONS
    max_chapter_bytes: int = MAX_CHAPTER_BYTES


def load_and_resolve(options: Options) -> Manuscript:
    return resolve(load_book(options.book, options.max_chapter_bytes))


def build(options: Options, progress: Callable[[str], None] = lambda _s: None) -> list[Output]:
    """Build the asked-for editions; return what was written."""
    progress("load and resolve")
    ms = load_and_resolve(options)
    out = options.out
    outputs: list[Output] = []
    lay = None
    if "pdf" in options.editions:
        from .publish.pdf import PdfPublisher, layout
        progress("lay out the print edition")
        lay = layout(ms)
        progress("write the print PDF")
        outputs += PdfPublisher().publish(ms, out, lay)
    if "epub" in options.editions:
        from .publish.epub import EpubPublisher
        progress("write the EPUB")
        outputs += EpubPublisher().publish(ms, out)
    if "web" in options.editions:
        from .publish.web import WebPublisher
        progress("write the web edition")
        outputs += WebPublisher().publish(ms, out)
    write_checksums(out)
    return outputs


def write_checksums(out: Path) -> None:
    """``dist/SHA256SUMS``: every file of every edition, sorted, as ``sha256sum -c`` reads it."""
    lines = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if rel == "SHA256SUMS" or any(part.startswith(".") for part in path.relative_to(out).parts):
            continue
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n")
    write_atomic(out / "SHA256SUMS", "".join(lines).encode())
