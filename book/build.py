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

from . import parallel
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
    """The print edition here; the EPUB and the web edition beside it in a forked process when a
    second core is free (:mod:`book.parallel`), else after it. Same files either way."""
    editions = options.editions
    printed = "pdf" in editions or "archive" in editions
    if not (printed and ("epub" in editions or "web" in editions) and parallel.available()):
        outputs, pages = _publish_print(ms, options, progress)
        return outputs + _publish_screen(ms, options, progress, lambda: pages)
    progress("write the EPUB and the web edition, beside the print edition")
    side = parallel.Forked(lambda receive: _publish_screen(ms, options, lambda _s: None, receive),
                           "the EPUB and the web edition")
    try:
        outputs, _pages = _publish_print(ms, options, progress, side.send)
        progress("finish the EPUB and the web edition")
        return outputs + side.result()
    except BaseException:
        side.cancel()
        raise


def _publish_print(ms: Manuscript, options: Options, progress: Callable[[str], None],
                   share: Callable[[object], None] | None = None) -> tuple[list[Output], object]:
    """The print and archival PDFs from one layout; returns them and the print page map (also
    handed to ``share`` as soon as it is known, for an EPUB being written beside)."""
    out, editions = options.out, options.editions
    if "pdf" not in editions and "archive" not in editions:
        return [], None
    from .pagemap import print_page_map
    from .publish.archive import ArchivePublisher
    from .publish.pdf import PdfPublisher, layout
    progress("lay out the print edition")
    lay = layout(ms)  # once: the print and the archival PDF are the same pages
    pages = print_page_map(ms, out, lay)  # where print pages begin, cached for an EPUB-only build
    if share is not None:
        share(pages)
    outputs: list[Output] = []
    archive = None
    if "pdf" in editions and "archive" in editions and parallel.available():
        progress("write the archival PDF/A-3, beside the print PDF")
        archive = parallel.Forked(lambda _receive: ArchivePublisher().publish(ms, out, lay), "the archival PDF")
    try:
        if "pdf" in editions:
            progress("write the print PDF")
            outputs += PdfPublisher().publish(ms, out, lay)
        if archive is not None:
            outputs += archive.result()
        elif "archive" in editions:
            progress("write the archival PDF/A-3")
            outputs += ArchivePublisher().publish(ms, out, lay)
    except BaseException:
        if archive is not None:
            archive.cancel()
        raise
    return outputs, pages


def _publish_screen(ms: Manuscript, options: Options, progress: Callable[[str], None],
                    print_pages: Callable[[], object]) -> list[Output]:
    """The EPUB and the web edition. The web edition comes first: it does not need the print
    page map, which ``print_pages`` may still be waiting for."""
    out, editions = options.out, options.editions
    web: list[Output] = []
    if "web" in editions:
        from .publish.web import WebPublisher
        progress("write the web edition")
        web = WebPublisher().publish(ms, out)
    epub: list[Output] = []
    if "epub" in editions:
        from .pagemap import print_page_map
        from .publish.epub import EpubPublisher
        # The EPUB's page-list needs the print layout: this build's, the cached map, or a new layout.
        pages = print_pages() or print_page_map(ms, out, None, progress)
        progress("write the EPUB")
        epub = EpubPublisher().publish(ms, out, pages)
    return epub + web


def write_checksums(out: Path) -> None:
    """``dist/SHA256SUMS``: every file of every edition, sorted, as ``sha256sum -c`` reads it.

    Inside a build it lists what the folder will hold once the build commits."""
    lines = [f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n"
             for rel, path in planned_files(out).items() if rel != "SHA256SUMS"]
    write_atomic(out / "SHA256SUMS", "".join(lines).encode())
