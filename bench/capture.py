"""A real build that also keeps the HTML it handed to WeasyPrint, for the floor.

``python bench/capture.py DUMP_DIR build.py-arguments…`` runs the builder's
command line unchanged, except that every document given to
``weasyprint.HTML(string=…)`` is also written to ``DUMP_DIR/print-N.html``
(N = 1, 2, … in the order laid out: the book, then its index). The benchmark
makes each book's first all-editions build through it (timed like the others:
writing the HTML costs milliseconds); a copy of that build's output folder,
with what it cached, is where the EPUB measured "print layout unchanged" starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(dump: Path, argv: list[str]) -> int:
    from book.cli import main as build
    from book.publish.speedups import import_weasyprint

    weasyprint = import_weasyprint()  # as the build imports it: the capture must not cost the build more

    dump.mkdir(parents=True, exist_ok=True)
    real = weasyprint.HTML
    count = 0

    def recording(*args, **kwargs):
        nonlocal count
        if isinstance(kwargs.get("string"), str):
            count += 1
            (dump / f"print-{count}.html").write_text(kwargs["string"], encoding="utf-8")
        return real(*args, **kwargs)

    weasyprint.HTML = recording
    return build(argv)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
