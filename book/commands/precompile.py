"""Compile ahead of time what every build would otherwise compile again.

A build is a fresh process: it compiles the engine's own modules unless their
bytecode is on disk, and Jinja compiles every template it renders. pip writes
bytecode for the packages it installs (WeasyPrint's among them) but not for an
editable install, and where ``PYTHONDONTWRITEBYTECODE`` is set (CI machines,
containers) nothing writes it later: each build paid a few tenths of a second
that WeasyPrint itself never pays.

``python -m book.commands.precompile`` (``make`` runs it after installing) writes the
engine's bytecode (``compileall``) and the templates' into Jinja's bytecode
cache (``templates/__pycache__/``). A build only reads that cache
(:class:`~book.render.templates.TemplateCache`); Python and Jinja check each entry
against its source, so an edited module or template is compiled afresh, as before.
Deposits never carry the cache, and ``verify`` does not copy one into its engine.
"""

from __future__ import annotations

import sys

from ..render.templates import CACHE, RAW, environment
from ..resources import PACKAGE, TEMPLATES


def main() -> int:
    import compileall

    ok = compileall.compile_dir(str(PACKAGE), quiet=1)
    checkout_script = PACKAGE.parent / "build.py"
    if checkout_script.is_file():
        ok &= compileall.compile_file(str(checkout_script), quiet=1)
    env = environment(TEMPLATES)
    cache = env.bytecode_cache
    cache.writing = True
    try:
        for name in env.list_templates(filter_func=lambda n: n not in RAW and CACHE not in n):
            env.get_template(name)
    finally:
        cache.writing = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
