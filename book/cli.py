"""The command line: ``python build.py [command] [options]``.

Exit codes: 0 success, 1 the book has errors (reported as file:line:col),
2 bad usage. A mistake in the book never shows a Python traceback unless
``--debug`` asks for one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .build import EDITIONS, Options, build
from .errors import BookError

DESCRIPTION = """\
Build a book written in Markdown and YAML into a print PDF, an EPUB 3 and a web edition.

commands:
  (none)                 build every edition of the book into the output folder
  pdf | epub | web       build only the named editions, e.g. `build.py pdf epub`
"""

EPILOG = """\
examples:
  python build.py                         every edition of content/ into dist/
  python build.py pdf                     only dist/<slug>.pdf
  python build.py epub web --book my-book --out /tmp/out

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
    p.add_argument("--debug", action="store_true", help="show a traceback for errors (for bug reports)")
    return p


def _human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    unknown = [e for e in args.editions if e not in EDITIONS]
    if unknown:
        parser().error(f"unknown edition '{unknown[0]}' (choose from {', '.join(EDITIONS)})")
    editions = tuple(e for e in EDITIONS if e in args.editions) or EDITIONS
    options = Options(book=args.book, out=args.out, editions=editions,
                      **({"max_chapter_bytes": args.max_chapter_bytes} if args.max_chapter_bytes else {}))
    start = time.perf_counter()
    say = (lambda _s: None) if args.quiet else (lambda s: print(s, file=sys.stderr))
    try:
        outputs = build(options)
    except BookError as exc:
        if args.debug:
            raise
        print(exc.format(Path.cwd()), file=sys.stderr)
        count = len(getattr(exc, "errors", (exc,)))
        print(f"{count} error{'s' if count != 1 else ''}; nothing was written.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous outputs are unchanged.", file=sys.stderr)
        return 130
    for o in outputs:
        rel = os.path.relpath(o.path)
        detail = f", {o.pages} {o.unit}" if o.pages else ""
        say(f"{o.kind:5} {rel} ({_human(o.size)}{detail})")
    say(f"built {len(outputs)} edition{'s' if len(outputs) != 1 else ''} in {time.perf_counter() - start:.1f} s")
    return 0
