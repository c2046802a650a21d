"""Where the builder's own files are: its templates and the skeleton of a new book.

In a checkout the templates are the top-level ``templates/`` folder; in an
installed package (a wheel) they are ``book/templates/``, where
``pyproject.toml`` maps that folder as package data. The skeleton of ``new``
is ``book/skeleton/`` in both.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """The builder's templates folder: the installed package's, else the checkout's."""
    packaged = PACKAGE / "templates"
    return packaged if packaged.is_dir() else PACKAGE.parent / "templates"


TEMPLATES = templates_dir()
"""The templates every edition is rendered from (a book's own templates come first, see
:func:`book.render.templates.environment`)."""

SKELETON = PACKAGE / "skeleton"
"""The book ``new`` writes."""
