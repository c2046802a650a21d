"""The Jinja environments the editions are rendered with.

One environment per templates folder, made once and never changed: templates
decide the look, Python hands them plain data. Templates compiled ahead of
time (``make`` runs :mod:`book.commands.precompile`) are read from
``templates/__pycache__/``; a build never writes there. Templates from
elsewhere (a deposit that ``verify`` rebuilds) are rendered in Jinja's sandbox.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import jinja2

from ..model import ResolvedPart
from ..resources import TEMPLATES
from .text import print_text, roman, smart

CACHE = "__pycache__"
"""Folder beside the templates holding their compiled code (ignored by git, deposits and verify)."""
RAW = frozenset({"print/book.css", "handout/handout.css", "web/search.js", "web/live-reload.js"})
"""Files of the templates folder that are read as they are, never rendered by Jinja."""


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, read-only unless :mod:`book.commands.precompile` writes it."""

    writing = False

    def __init__(self, templates: Path) -> None:
        super().__init__(str(templates / CACHE))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.writing:
            Path(self.directory).mkdir(exist_ok=True)
            super().dump_bytecode(bucket)


UNTRUSTED = "BOOK_UNTRUSTED_TEMPLATES"
"""Set (to 1) in the environment of a build whose templates came from elsewhere — a deposit
``verify`` rebuilds — so that Jinja renders them sandboxed: a template may read the variables
it is given, never reach Python's internals through them, nor run anything."""


def _sandboxed() -> type[jinja2.Environment]:
    from .sandbox import Sandboxed  # imported only for a deposit's templates

    return Sandboxed


@functools.lru_cache(maxsize=4)
def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """The Jinja environment of a templates folder, made once and never changed afterwards:
    autoescaping, undefined variables as errors, our filters and globals, compiled templates
    read from the cache :mod:`book.commands.precompile` writes."""
    kind = _sandboxed() if os.environ.get(UNTRUSTED) == "1" else jinja2.Environment
    env = kind(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=TemplateCache(templates),
    )
    env.filters["roman"] = roman
    env.filters["smart"] = smart
    env.filters["print_text"] = print_text
    env.globals["is_part"] = is_part
    return env


def is_part(item) -> bool:
    """For templates: whether a body item is a part (else a chapter)."""
    return isinstance(item, ResolvedPart)
