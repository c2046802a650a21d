"""The print HTML of a built book as one document, for the WeasyPrint floor (:mod:`bench.floor`).

``python bench/floor_html.py BOOK OUT DEST.html`` resolves the book, reads the
page of every index mark from the pieces the build left in ``OUT/.cache``
(nothing is laid out again), and writes the book's print HTML with its index
filled in: what WeasyPrint alone would lay out to make the same pages in one
document, in one process (``tests/test_print_jobs.py`` checks that those pages
are the build's).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(book: Path, out: Path, dest: Path) -> int:
    from book.load import load_book
    from book.publish.printlayout import lay_out_book
    from book.render import render_print, render_print_index
    from book.resolve import resolve

    ms = resolve(load_book(book))
    html = render_print(ms)
    if ms.index is not None and ms.index.groups:
        lay = lay_out_book(ms, out, 1)
        if lay.laid_out:
            sys.exit(f"{out} holds no complete layout of {book}: build it first")
        section = re.compile(r"<!--book-index-->.*<!--/book-index-->", re.S)
        html = section.sub(lambda _m: render_print_index(ms, lay.places()), html)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(html, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
