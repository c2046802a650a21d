"""bookbuilder: Markdown chapters and a CSL bibliography become a print PDF, an archival PDF/A-3,
an EPUB 3 and a web edition.

The engine is a pipeline of stages, one package each, importing only downward::

    commands  →  publish | lint  →  render  →  resolve  →  load  →  core

``load`` reads a book folder into a :class:`~book.model.Book`; ``resolve`` turns it into a
:class:`~book.model.Manuscript` (Markdown, citations, cross-references, the index);
``render`` makes HTML for each medium through Jinja; ``publish`` writes the editions
(one table of them, :mod:`book.publish.editions`); ``commands`` are what a user runs.
The core (:mod:`book.model`, :mod:`book.errors`, :mod:`book.confine`, :mod:`book.staging`,
:mod:`book.memo`, :mod:`book.fonts`, :mod:`book.resources`) is used by all of them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bookbuilder")
except PackageNotFoundError:  # a copy of the package that was never installed (verify's rebuild engine)
    __version__ = "0+unknown"
