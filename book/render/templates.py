"""The Jinja environments the editions are rendered with.

One environment per search path, made once and never changed: templates
decide the look, Python hands them plain data. A book's own ``templates/``
folder comes first in the path (like mkdocs' ``custom_dir``): a file there
replaces the builder's template of the same name, and everything else is
the builder's. Templates compiled ahead of time (``make`` runs
:mod:`book.commands.precompile`) are read from ``templates/__pycache__/``; a
build never writes there. Templates from elsewhere — a book's own, or a
deposit that ``verify`` rebuilds — are rendered in Jinja's sandbox, and a
mistake in a book's template is reported at its file and line.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..model import ResolvedPart
from ..resources import TEMPLATES
from .text import print_text, roman, smart

CACHE = "__pycache__"
"""Folder beside the templates holding their compiled code (ignored by git, deposits and verify)."""
RAW = frozenset({"print/book.css", "print/content.css", "handout/handout.css", "web/search.js", "web/live-reload.js"})
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


def _sandboxed(book: Path | None) -> type[jinja2.Environment]:
    """Jinja's sandbox with limits (:mod:`.sandbox`): for a deposit's templates, every error is theirs;
    with a book's own templates before the builder's, a mistake in one of the book's is the author's
    at its line, one in the builder's own is ours and keeps its traceback."""
    from jinja2.sandbox import SecurityError

    from .sandbox import Sandboxed, template_frame  # imported only for templates from elsewhere

    if book is None:
        return Sandboxed

    class BookSandboxed(Sandboxed):
        def handle_exception(self, source: str | None = None):
            import sys

            exc = sys.exc_info()[1]
            theirs = template_frame(exc.__traceback__, [str(book)])[0] is not None or (
                isinstance(exc, jinja2.TemplateSyntaxError) and bool(exc.filename)
                and Path(exc.filename).is_relative_to(book))
            if theirs or isinstance(exc, SecurityError):
                return super().handle_exception(source)
            return jinja2.Environment.handle_exception(self, source)

    return BookSandboxed

    return Sandboxed


@functools.lru_cache(maxsize=8)
def environment(templates: Path = TEMPLATES, book: Path | None = None) -> jinja2.Environment:
    """The Jinja environment of a templates folder, with a book's own ``templates/`` folder before
    it when ``book`` names one; made once and never changed afterwards: autoescaping, undefined
    variables as errors, our filters and globals, compiled templates read from the cache
    :mod:`book.commands.precompile` writes. A book's templates, and a deposit's, are rendered
    sandboxed (a deposit's every template is untrusted: ``UNTRUSTED``)."""
    if os.environ.get(UNTRUSTED) == "1":
        kind = _sandboxed(None)
    else:
        kind = _sandboxed(book) if book is not None else jinja2.Environment
    env = kind(
        loader=jinja2.FileSystemLoader([str(book), str(templates)] if book is not None else str(templates)),
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
    env.filters["css_string"] = css_string
    env.filters["css_content"] = css_content
    env.filters["direction"] = direction
    env.globals["is_part"] = is_part
    return env


BOOK_TEMPLATES = "templates"
"""The folder beside book.yaml whose files replace the builder's templates of the same name."""


def book_templates(root: Path) -> Path | None:
    """A book's own templates folder, if it has one."""
    folder = root / BOOK_TEMPLATES
    return folder if folder.is_dir() else None


def environment_for(ms, templates: Path = TEMPLATES) -> jinja2.Environment:
    """The environment a manuscript's editions are rendered with: its book's templates first."""
    return environment(templates, book_templates(ms.book.root))


def raw(ms, templates: Path, name: str) -> str:
    """A file of the templates read as it is (:data:`RAW`), the book's own copy if it has one."""
    own = book_templates(ms.book.root)
    if own is not None and (own / name).is_file():
        return (own / name).read_text(encoding="utf-8")
    return (templates / name).read_text(encoding="utf-8")


def direction(html: str, default: str = "ltr") -> str:
    """``ltr`` or ``rtl``: the direction of a fragment's first strongly directional letter (what HTML's
    ``dir="auto"`` does, which WeasyPrint does not). A reference in English in a book in Arabic is
    set left to right, its full stops where English puts them."""
    import re
    import unicodedata

    for char in re.sub(r"<[^>]*>|&[^;]*;", "", str(html)):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return default


def css_string(text: str) -> Markup:
    """A CSS string literal of ``text`` (for ``content:``), any character escaped that could end it."""
    out = "".join(c if c.isalnum() or c in " .,;:!?()-'’‘“”«»„" else f"\\{ord(c):x} " for c in str(text))
    return Markup(f'"{out}"')


def css_content(text: str, nowrap: bool = False, **expressions: str) -> Markup:
    """A ``content:`` value from a generated word with placeholders: ``Page {page} of {pages}`` with
    ``page="counter(page)"`` gives ``"Page " counter(page) " of " counter(pages)``. With ``nowrap``
    its spaces do not break ("p. 29" stays on one line)."""
    import string

    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(str(text)):
        if literal:
            out.append(css_string(literal.replace(" ", "\u00a0") if nowrap else literal))
        if name:
            out.append(expressions[name])
    return Markup(" ".join(out))


def is_part(item) -> bool:
    """For templates: whether a body item is a part (else a chapter)."""
    return isinstance(item, ResolvedPart)
