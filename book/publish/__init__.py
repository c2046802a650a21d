"""The publish stage: a resolved :class:`~book.model.Manuscript` becomes the edition files.

* :mod:`.editions` is the one table of editions: what each is called, the file
  it makes, what it needs from the others, its publisher, its place in a deposit;
* every publisher is a module with one function of the same shape,
  :class:`Publisher`: ``publish(ms, out, supplies) -> list[Output]``;
* :mod:`.orchestrate` runs the publishers a build asks for, side by side where a
  second core is free, and hands each what it needs (:class:`Supplies`).

Every file is written through :func:`book.staging.write_atomic` or a staging
folder, so a failed build never destroys the last good edition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..model import Manuscript

if TYPE_CHECKING:  # for the annotations only: importing them would import WeasyPrint
    from .pagemap import PageMap


@dataclass(frozen=True)
class Output:
    """One file (or folder) a build wrote."""

    path: Path
    kind: str
    """Edition name: ``pdf``, ``archive``, ``epub``, ``web`` …"""
    pages: int = 0
    """Pages for a PDF, documents for an EPUB or web edition; 0 if not meaningful."""
    unit: str = "pages"

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path.is_file() else _tree_size(self.path)


def _tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


class Supplies(Protocol):
    """What one edition may ask of the others, made once per build by the orchestrator."""

    def layout(self):
        """The print edition laid out, a :class:`book.publish.printlayout.BookLayout`
        (:func:`~book.publish.printlayout.lay_out_book`): the pieces the print and archival PDFs
        are joined from. (Not annotated: importing it here would make the package import itself.)"""

    def page_map(self) -> "PageMap":
        """Where each print page begins (:mod:`book.publish.pagemap`): this build's layout's, a
        cached one, or one from a new layout."""


class Publisher(Protocol):
    """The one interface of every edition: the manuscript and the output folder in, what was
    written out. An edition's record in :mod:`.editions` names its publisher function."""

    def __call__(self, ms: Manuscript, out: Path, supplies: Supplies) -> list[Output]: ...
