"""Compile ahead of time what every build would otherwise compile again.

A build is a fresh process: it compiles the engine's own modules unless their
bytecode is on disk, and Jinja compiles every template it renders. pip writes
bytecode for the packages it installs (WeasyPrint's among them) but not for an
editable install, and where ``PYTHONDONTWRITEBYTECODE`` is set (CI machines,
containers) nothing writes it later: each build paid a few tenths of a second
that WeasyPrint itself never pays.

``python -m book.precompile`` (``make`` runs it after installing) writes the
engine's bytecode (``compileall``) and the templates' into Jinja's bytecode
cache (``templates/__pycache__/``). A build only reads that cache
(:class:`TemplateCache`); Python and Jinja check each entry against its source,
so an edited module or template is compiled afresh, as before. Deposits never
carry the cache, and ``verify`` does not copy one into its engine.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2

ENGINE = Path(__file__).resolve().parent
CACHE = "__pycache__"
"""Folder beside the templates holding their compiled code (ignored by git, deposits and verify)."""
RAW = frozenset({"print/book.css", "handout/handout.css", "web/search.js", "web/live-reload.js"})
"""Files of the templates folder that are read as they are, never rendered by Jinja."""


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, read-only unless :func:`main` writes it."""

    writing = False

    def __init__(self, templates: Path) -> None:
        super().__init__(str(templates / CACHE))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.writing:
            Path(self.directory).mkdir(exist_ok=True)
            super().dump_bytecode(bucket)


def main() -> int:
    import compileall

    from .render import TEMPLATES, environment

    ok = compileall.compile_dir(str(ENGINE), quiet=1)
    ok &= compileall.compile_file(str(ENGINE.parent / "build.py"), quiet=1)
    env = environment(TEMPLATES)
    cache = env.bytecode_cache  # this module's TemplateCache as book.precompile, not as __main__
    cache.writing = True
    try:
        for name in env.list_templates(filter_func=lambda n: n not in RAW and CACHE not in n):
            env.get_template(name)
    finally:
        cache.writing = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
