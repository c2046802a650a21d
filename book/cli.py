"""The command line: ``bookbuilder [command] [options]`` (``python build.py`` in a checkout).

The first word picks the command (:data:`book.commands.COMMANDS`); without
one, the words are editions to build (:mod:`book.commands.build`). Exit codes:
0 success, 1 the book has errors (reported as file:line:col), 2 bad usage. A
mistake in the book never shows a Python traceback unless ``--debug`` asks for one.
"""

from __future__ import annotations

import importlib
import sys

from .commands import COMMANDS, program

SUPPORTED = ("linux", "darwin")
"""Where the builder runs: it locks its output folder with ``fcntl`` and forks. ``check`` and
``new`` write no editions and run anywhere."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv and argv[0] in COMMANDS else ""
    if not sys.platform.startswith(SUPPORTED) and command not in ("check", "new"):
        print(f"{program()}: this command runs on Linux and macOS only (this is {sys.platform}); "
              "on Windows, run it in WSL", file=sys.stderr)
        return 2
    if command:
        return importlib.import_module(f"book.commands.{command}").main(argv[1:])
    from .commands.build import main as build
    return build(argv)
