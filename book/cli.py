"""The command line: ``python build.py [command] [options]``.

Exit codes: 0 success, 1 the book has errors (reported as file:line:col),
2 bad usage. A mistake in the book never shows a Python traceback unless
``--debug`` asks for one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import EDITIONS, Options, build
from .progress import reporter, run_reported, stage_count

DESCRIPTION = """\
Build a book written in Markdown and YAML into a print PDF, an EPUB 3 and a web edition.

commands:
  (none)                 build every edition of the book into the output folder
  pdf | archive | epub | web
                         build only the named editions, e.g. `build.py pdf epub`;
                         archive is <slug>-archival.pdf, PDF/A-3 carrying the book's sources
  check                  validate and lint, writing nothing (`build.py check --help`)
  serve                  the web edition on 127.0.0.1, rebuilt and reloaded on every edit
  new DIR                start a new book from a skeleton that builds and passes check
  deposit                every edition, the sources and catalogue records as a BagIt package
  verify PATH            check a deposit (folder or zip) or an archival PDF; rebuild and compare
  extract FILE.pdf DIR   restore the sources an archival PDF carries; check them against its manifest
  handout ID [ID ...]    chapters as stand-alone print handouts or booklets (`build.py handout --help`)
"""

EPILOG = """\
examples:
  python build.py                         every edition of content/ into dist/
  python build.py pdf                     only dist/<slug>.pdf
  python build.py epub web --book my-book --out /tmp/out
  python build.py check --strict          every problem as file:line:col; warnings fail too
  python build.py serve --port 8000       live preview at http://127.0.0.1:8000/
  python build.py new my-book --title "A History of Maps"
  python build.py deposit                 dist/<slug>-deposit/ and dist/<slug>-deposit.zip
  python build.py verify dist/<slug>-deposit.zip
  python build.py handout rapallo --booklet   dist/handouts/rapallo-booklet.pdf

exit codes: 0 success, 1 the book has errors (file:line:col: message), 2 bad usage
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("editions", nargs="*", metavar="EDITION",
                   help="editions to build: " + ", ".join(EDITIONS) + " (default: all)")
    p.add_argument("--book", type=Path, default=Path("content"),
                   help="book.yaml or the folder holding it (default: content/)")
    p.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist/)")
    p.add_argument("--max-chapter-bytes", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("-v", "--verbose", action="store_true", help="also print each stage and when it started")
    p.add_argument("--debug", action="store_true", help="show a traceback for errors (for bug reports)")
    return p


def _command(name: str):
    """The ``main(argv)`` of a command that has options of its own."""
    if name == "check":
        from .check import main
    elif name == "serve":
        from .serve import main
    elif name == "deposit":
        from .deposit import main
    elif name == "verify":
        from .verify import main
    elif name == "extract":
        from .publish.archive import main
    elif name == "handout":
        from .publish.handout import main
    else:
        from .new import main
    return main


COMMANDS = ("check", "serve", "new", "deposit", "verify", "handout", "extract")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        return _command(argv[0])(argv[1:])
    args = parser().parse_args(argv)
    unknown = [e for e in args.editions if e not in EDITIONS]
    if unknown:
        parser().error(f"unknown edition '{unknown[0]}' (choose from {', '.join(EDITIONS)})")
    editions = tuple(e for e in EDITIONS if e in args.editions) or EDITIONS
    options = Options(book=args.book, out=args.out, editions=editions,
                      **({"max_chapter_bytes": args.max_chapter_bytes} if args.max_chapter_bytes else {}))
    start = time.perf_counter()
    show = reporter(args.quiet, args.verbose)
    show.begin(stage_count(editions))
    code, outputs = run_reported(show, args.debug, lambda: build(options, show.stage))
    if code:
        return code
    for o in outputs:
        show.output(o)
    show.message(f"built {len(outputs)} edition{'s' if len(outputs) != 1 else ''} in {time.perf_counter() - start:.1f} s")
    return 0
