"""``build.py handout ID [ID ...]``: chapters as stand-alone print handouts, or booklets to fold.

Every handout is resolved before the output folder is touched, then each is
laid out and written by :func:`book.publish.handout.publish_handout` into
``OUT/handouts/``, all of them committed together with the folder's SHA256SUMS.
"""

from __future__ import annotations

import argparse
import sys
import time

from ..load import load_book
from ..model import Book
from ..publish import Output
from ..publish.handout import (
    HANDOUTS,
    JOIN,
    Paper,
    paper_named,
    publish_handout,
    select,
    stem,
)
from ..resolve import resolve
from ..staging import output_folder, write_checksums
from . import book_option, out_option, parser, talk_options
from .progress import reporter, run_reported

EPILOG = """\
examples:
  python build.py handout --list                 every chapter's id and title
  python build.py handout rapallo                dist/handouts/rapallo.pdf
  python build.py handout rapallo munich         dist/handouts/rapallo+munich.pdf
  python build.py handout rapallo --paper letter
  python build.py handout rapallo --booklet      dist/handouts/rapallo-booklet.pdf:
      print duplex, flip on the short edge, fold, staple on the fold
  python build.py handout --all                  one handout per chapter

exit codes: 0 success, 1 the book has errors or an id is unknown, 2 bad usage"""


def handout_parser() -> argparse.ArgumentParser:
    p = parser("handout",
               "Chapters as stand-alone print handouts (A4 or letter), or as booklets to fold: "
               "OUT/handouts/<id>.pdf, or OUT/handouts/<id>-booklet.pdf with --booklet. "
               f"Several ids make one handout, named by joining them with '{JOIN}'.", EPILOG)
    p.add_argument("ids", nargs="*", metavar="ID",
                   help="chapter ids: the chapter's 'id' front matter, or its file name without .md")
    p.add_argument("--all", action="store_true", help="one handout per chapter of the book")
    p.add_argument("--list", action="store_true", help="list the chapters' ids and titles, and stop")
    p.add_argument("--paper", type=_paper_arg, default=None, metavar="A4|letter",
                   help="the sheet (default: print: handout-paper in book.yaml, else A4)")
    p.add_argument("--booklet", action="store_true",
                   help="half-sheet pages imposed two-up for saddle stitching, instead of flat sheets")
    book_option(p)
    out_option(p, f"; handouts go into OUT/{HANDOUTS}/")
    talk_options(p)
    return p


def _paper_arg(text: str) -> Paper:
    try:
        return paper_named(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def list_chapters(book: Book) -> str:
    """``id  title`` a line, in reading order, for ``--list``."""
    width = max((len(c.id) for c in book.chapters), default=0)
    return "".join(f"{c.id:<{width}}  {c.title}\n" for c in book.chapters)


def main(argv: list[str]) -> int:
    p = handout_parser()
    args = p.parse_args(argv)
    if args.all and args.ids:
        p.error("give chapter ids or --all, not both")
    if not (args.ids or args.all or args.list):
        p.error("name the chapters to print (see --list), or give --all")
    start = time.perf_counter()
    show = reporter(args.quiet, args.verbose)

    def work():
        book = load_book(args.book)
        if args.list:
            return book, None, None
        paper = args.paper or paper_named(book.meta.print.handout_paper)
        selections = [(c,) for c in book.chapters] if args.all else [select(book, args.ids)]
        show.begin(1 + len(selections))
        show.stage("resolve")
        # Gather, then write: every handout is resolved before the output folder is touched.
        manuscripts = [resolve(book, chapters=tuple(c.id for c in chapters)) for chapters in selections]
        outputs: list[Output] = []
        with output_folder(args.out, show.stage):
            for ms in manuscripts:
                show.stage(f"lay out {stem([c.source for c in ms.chapters])}")
                outputs += publish_handout(ms, args.out, paper, args.booklet)
            write_checksums(args.out)
        return book, paper, outputs

    code, result = run_reported(show, args.debug, work, kept="the previous handouts are unchanged")
    if code:
        return code
    book, paper, outputs = result
    if outputs is None:
        sys.stdout.write(list_chapters(book))
        return 0
    for o in outputs:
        show.output(o)
    what = "booklet" if args.booklet else "handout"
    sheet = f"{paper.name} sheets folded in half" if args.booklet else paper.name
    show.message(f"made {len(outputs)} {what}{'s' if len(outputs) != 1 else ''} on {sheet} "
                 f"in {time.perf_counter() - start:.1f} s")
    return 0
