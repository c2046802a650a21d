"""The table of editions: every fact about an edition, in one record.

The command line (which editions exist, its help), the build (what to make,
in which order, what runs beside what), progress (how many stages), the
deposit (which files it carries, in which order, under which names) and the
catalogue records (labels, notes) all read :data:`EDITIONS`. Adding an
edition is one module with a :class:`~book.publish.Publisher` function and one
entry here (``tests/test_editions.py`` registers one and builds it).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ..model import Metadata
from . import Publisher

LAYOUT = "layout"
"""The edition is written from the print layout (:meth:`~book.publish.Supplies.layout`)."""
PAGE_MAP = "page-map"
"""The edition places the print page numbers (:meth:`~book.publish.Supplies.page_map`)."""


@dataclass(frozen=True)
class Edition:
    """One edition: what it is called, what it makes, what it needs, who makes it."""

    name: str
    """The word on the command line: ``python build.py pdf``."""
    label: str
    """What a reader or a catalogue calls it: "Print edition"."""
    summary: str
    """One line for ``--help``."""
    noun: str
    """What the build's progress lines say it writes: "the print PDF"."""
    file: str
    """The file (or folder) it makes in the output folder, ``{slug}`` standing for the book's slug."""
    publisher: str
    """``module:function`` of its :class:`~book.publish.Publisher`, imported only when the edition
    is built (a build without PDFs never imports WeasyPrint)."""
    needs: frozenset[str] = frozenset()
    """What it needs from the others: :data:`LAYOUT`, :data:`PAGE_MAP`."""
    stages: int = 1
    """How many progress stages building it reports (sizes the progress bar)."""
    deposit: int | None = None
    """Its place among the editions of a deposit (``data/editions/``), or None if deposits leave it out."""
    note: str = ""
    """What it is for, in the deposit's README."""

    @property
    def folder(self) -> bool:
        """Whether it is a folder of files (a deposit carries it zipped)."""
        return "." not in Path(self.file).name

    def path(self, meta: Metadata, out: Path) -> Path:
        """Where it is written in the output folder ``out``."""
        return out / self.file.format(slug=meta.slug)

    def deposit_name(self, meta: Metadata) -> str:
        """Its file name in a deposit: as built, a folder as ``<slug>-<name>.zip``."""
        return f"{meta.slug}-{self.name}.zip" if self.folder else Path(self.file.format(slug=meta.slug)).name

    def publish(self) -> Publisher:
        """Its publisher function, imported now."""
        module, _, function = self.publisher.partition(":")
        return getattr(importlib.import_module(module), function)


EDITIONS: dict[str, Edition] = {edition.name: edition for edition in (
    Edition("pdf", "Print edition", "print PDF: the book as printed and bound", "the print PDF",
            "{slug}.pdf", "book.publish.pdf:publish", frozenset({LAYOUT}), stages=2, deposit=1,
            note="The book as printed and bound."),
    Edition("archive", "Archival edition", "archival PDF/A-3: the print edition carrying the book's sources",
            "the archival PDF/A-3", "{slug}-archival.pdf", "book.publish.archive:publish", frozenset({LAYOUT}),
            deposit=0, note="For preservation: the book as printed, in the PDF/A-3 archival format, with the "
                            "sources embedded in it as attachments."),
    Edition("epub", "E-book edition", "EPUB 3: the book for e-readers and screen readers", "the EPUB",
            "{slug}.epub", "book.publish.epub:publish", frozenset({PAGE_MAP}), deposit=2,
            note="For e-readers and screen readers."),
    Edition("web", "Web edition", "web edition: static HTML pages, searchable offline", "the web edition",
            "web", "book.publish.web:publish", deposit=3,
            note="Static HTML pages: unzip and open index.html in any web browser, no server needed."),
)}
"""Every edition, by name, in the order a build makes them. A registry is a dict: an edition of
another package is one more entry."""


def named(names: tuple[str, ...] | list[str]) -> tuple[Edition, ...]:
    """The editions with these names, in table order (every one when ``names`` is empty)."""
    return tuple(e for e in EDITIONS.values() if not names or e.name in names)


def deposited() -> tuple[Edition, ...]:
    """The editions a deposit carries, in its order."""
    return tuple(sorted((e for e in EDITIONS.values() if e.deposit is not None), key=lambda e: e.deposit))
