"""The commands, side by side: one module each, with one way of setting up their options.

``book.cli`` reads the first word of the command line: a name of :data:`COMMANDS`
runs that module's ``main(argv)``; anything else is a build of editions
(:mod:`.build`). No command imports another: what two share lives in the
stages below them (``publish``, ``render``, ``resolve``, ``load``) or here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

COMMANDS = {
    "check": "validate and lint, writing nothing",
    "serve": "the web edition on 127.0.0.1, rebuilt and reloaded on every edit",
    "new": "start a new book from a skeleton that builds and passes check",
    "deposit": "every edition, the sources and catalogue records as a BagIt package",
    "verify": "check a deposit (folder or zip) or an archival PDF; rebuild and compare",
    "extract": "restore the sources an archival PDF carries; check them against its manifest",
    "handout": "chapters as stand-alone print handouts or booklets",
}
"""Every command but the build itself, by the word that runs it: its module is ``book.commands.<word>``."""

DEFAULT_BOOK = Path("content")
DEFAULT_OUT = Path("dist")


def program() -> str:
    """How the user runs us: ``python build.py`` from a checkout, else the console script."""
    return "python build.py" if Path(sys.argv[0]).name == "build.py" else "bookbuilder"


def parser(command: str, description: str, epilog: str = "") -> argparse.ArgumentParser:
    """The argument parser of ``command`` ("" for the build), its examples naming the program as
    the user runs it."""
    me = program()
    return argparse.ArgumentParser(prog=f"{me} {command}".strip(), description=description,
                                   epilog=epilog.replace("python build.py", me),
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def book_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--book", type=Path, default=DEFAULT_BOOK,
                   help="book.yaml or the folder holding it (default: content/)")


def out_option(p: argparse.ArgumentParser, what: str = "") -> None:
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: dist/)" + what)


def jobs_option(p: argparse.ArgumentParser) -> None:
    """``--jobs N``: how many processes lay the print edition out (chapters side by side)."""
    p.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                   help="processes that lay out the print edition's chapters side by side and write "
                        "editions in parallel (default: one per core; 1: one after another, same bytes)")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of processes") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least one process (--jobs 1 lays the chapters out one after another)")
    return value


def talk_options(p: argparse.ArgumentParser) -> None:
    """``-q``, ``-v`` and ``--debug``, as every command that builds has them."""
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("-v", "--verbose", action="store_true", help="also print each stage and when it started")
    p.add_argument("--debug", action="store_true", help="show a traceback for errors (for bug reports)")
