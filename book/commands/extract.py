"""``build.py extract FILE.pdf DIR``: the sources an archival PDF carries, restored and checked.

:func:`book.publish.archive.extract` does the work; exit 0 when every file
matches the PDF's SHA-256 manifest, 1 if not.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import BookError
from ..publish.archive import extract
from . import parser, program


def main(argv: list[str]) -> int:
    p = parser("extract", "Restore the sources embedded in an archival PDF (book.yaml, chapters, bibliography, "
                          "images) into DIR and check each against the PDF's SHA-256 manifest.",
               "example:\n  python build.py extract dist/<slug>-archival.pdf restored/\n\n"
               "exit codes: 0 every file matches the manifest, 1 not (or not an archival PDF), 2 bad usage")
    p.add_argument("pdf", type=Path, metavar="FILE.pdf")
    p.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    args = p.parse_args(argv)
    try:
        written = extract(args.pdf, args.dir)
    except BookError as exc:
        print(exc.format(Path.cwd()), file=sys.stderr)
        return 1
    print(f"restored {len(written)} files into {args.dir}, each matching the manifest; rebuild with "
          f"`{program()} --book {args.dir}`", file=sys.stderr)
    return 0
