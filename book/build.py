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
from .lock import output_folder, planned_files
from .model import Manuscript
from .publish import Output, write_atomic
from .resolve import resolve

EDITIONS = ("pdf", "archive", "epub", "web")
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
    # One build at a time into a folder; every file is renamed into place only when
    # all are written, so a failure or an interrupt leaves the previous editions intact.
    with output_folder(options.out, progress):
        outputs = _publish(ms, options, progress)
        write_checksums(options.out)
    return outputs


def _publish(ms: Manuscript, options: Options, progress: Callable[[str], None]) -> list[Output]:
    out = options.out
    outputs: list[Output] = []
    lay = None
    pages = None
    if "pdf" in options.editions or "archive" in options.editions:
        from .pagemap import print_page_map
        from .publish.pdf import layout
        progress("lay out the print edition")
        lay = layout(ms)  # once: the print and the archival PDF are the same pages
        pages = print_page_map(ms, out, lay)  # where print pages begin, cached for an EPUB-only build
    if "pdf" in options.editions:
        from .publish.pdf import PdfPublisher
        progress("write the print PDF")
        outputs += PdfPublisher().publish(ms, out, lay)
    if "archive" in options.editions:
        from .publish.archive import ArchivePublisher
        progress("write the archival PDF/A-3")
        outputs += ArchivePublisher().publish(ms, out, lay)
    if "epub" in options.editions:
        from .pagemap import print_page_map
        from .publish.epub import EpubPublisher
        # The EPUB's page-list needs the print layout: this build's, the cached map, or a new layout.
        pages = pages or print_page_map(ms, out, None, progress)
        progress("write the EPUB")
        outputs += EpubPublisher().publish(ms, out, pages)
    if "web" in options.editions:
        from .publish.web import WebPublisher
        progress("write the web edition")
        outputs += WebPublisher().publish(ms, out)
    return outputs


def write_checksums(out: Path) -> None:
    """``dist/SHA256SUMS``: every file of every edition, sorted, as ``sha256sum -c`` reads it.

    Inside a build it lists what the folder will hold once the build commits."""
    lines = [f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n"
             for rel, path in planned_files(out).items() if rel != "SHA256SUMS"]
    write_atomic(out / "SHA256SUMS", "".join(lines).encode())
