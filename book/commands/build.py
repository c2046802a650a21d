"""The build: load → resolve → publish the asked-for editions, in one function.

Everything is loaded and resolved before the output folder is touched (as
mkdocs gathers before it writes); each publisher then writes through
temporary files that are renamed into place only when every edition is
written (:func:`book.staging.output_folder`), so an error leaves the previous
outputs as they were.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..load import MAX_CHAPTER_BYTES, load_book
from ..model import Manuscript
from ..publish import Output
from ..publish.editions import EDITIONS, named
from ..publish.orchestrate import publish_editions
from ..resolve import resolve
from ..staging import output_folder, write_checksums
from . import COMMANDS, book_option, jobs_option, out_option, parser, talk_options
from .progress import reporter, run_reported, stage_count


@dataclass(frozen=True)
class Options:
    """One build, as the command line asked for it."""

    book: Path
    out: Path
    editions: tuple[str, ...] = ()
    """Edition names (:data:`~book.publish.editions.EDITIONS`); none: every edition."""
    max_chapter_bytes: int = MAX_CHAPTER_BYTES
    jobs: int | None = None
    """Processes laying the print edition out and writing editions side by side; None: one per core."""


def load_and_resolve(options: Options) -> Manuscript:
    return resolve(load_book(options.book, options.max_chapter_bytes))


def build(options: Options, progress: Callable[[str], None] = lambda _s: None) -> list[Output]:
    """Build the asked-for editions; return what was written."""
    progress("load and resolve")
    ms = load_and_resolve(options)
    # One build at a time into a folder; every file is renamed into place only when
    # all are written, so a failure or an interrupt leaves the previous editions intact.
    with output_folder(options.out, progress):
        outputs = publish_editions(ms, options.out, named(options.editions), progress, options.jobs)
        write_checksums(options.out)
    return outputs


def _description() -> str:
    width = max(len(" | ".join(EDITIONS)), max(map(len, COMMANDS))) + 2
    lines = ["Build a book written in Markdown and YAML into a print PDF, an EPUB 3 and a web edition.",
             "", "commands:", f"  {'(none)':<{width}} build every edition of the book into the output folder",
             f"  {' | '.join(EDITIONS):<{width}} build only the named editions:"]
    lines += [f"  {'':<{width}}   {e.name}: {e.summary}" for e in EDITIONS.values()]
    lines += [f"  {name:<{width}} {what}" for name, what in COMMANDS.items()]
    return "\n".join(lines) + "\n"


EPILOG = """\
examples:
  python build.py                         every edition of content/ into dist/
  python build.py pdf                     only dist/<slug>.pdf
  python build.py epub web --book my-book --out /tmp/out
  python build.py pdf --jobs 4            lay the print edition out in four processes
  python build.py check --strict          every problem as file:line:col; warnings fail too
  python build.py serve --port 8000       live preview at http://127.0.0.1:8000/
  python build.py new my-book --title "A History of Maps"
  python build.py deposit                 dist/<slug>-deposit/ and dist/<slug>-deposit.zip
  python build.py verify dist/<slug>-deposit.zip
  python build.py handout rapallo --booklet   dist/handouts/rapallo-booklet.pdf
  python build.py COMMAND --help          a command's own options

exit codes: 0 success, 1 the book has errors (file:line:col: message), 2 bad usage
"""


def build_parser():
    from .. import __version__

    p = parser("", _description(), EPILOG)
    p.add_argument("editions", nargs="*", metavar="EDITION",
                   help="editions to build: " + ", ".join(EDITIONS) + " (default: all)")
    book_option(p)
    out_option(p)
    jobs_option(p)
    p.add_argument("--max-chapter-bytes", type=int, default=None, help=__import__("argparse").SUPPRESS)
    talk_options(p)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def main(argv: list[str]) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    unknown = [e for e in args.editions if e not in EDITIONS]
    if unknown:
        p.error(f"unknown edition '{unknown[0]}' (choose from {', '.join(EDITIONS)})")
    chosen = named(args.editions)
    options = Options(book=args.book, out=args.out, editions=tuple(e.name for e in chosen), jobs=args.jobs,
                      **({"max_chapter_bytes": args.max_chapter_bytes} if args.max_chapter_bytes else {}))
    start = time.perf_counter()
    show = reporter(args.quiet, args.verbose)
    show.begin(stage_count(chosen))
    code, outputs = run_reported(show, args.debug, lambda: build(options, show.stage))
    if code:
        return code
    for o in outputs:
        show.output(o)
    show.message(f"built {len(outputs)} edition{'s' if len(outputs) != 1 else ''} in {time.perf_counter() - start:.1f} s")
    return 0
