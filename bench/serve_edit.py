"""How long ``serve`` takes to show an edit: one chapter changed, the web edition rebuilt.

Runs in its own process (``python bench/serve_edit.py BOOK RUNS``): builds the
web edition in memory once through :mod:`book.commands.serve`'s own ``Builder`` and
``rebuild``, then edits one chapter ``RUNS`` times (a sentence added, then
removed, …) and times each rebuild as the watcher would run it. Prints one
JSON line: ``{"times": [...]}``, or ``{"error": "..."}`` when the serve
module does not offer a rebuild function to measure.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(book: Path, runs: int) -> dict:
    try:
        from book.commands import serve
        builder = serve.Builder(book)
        site = serve.Site()
        rebuild = serve.rebuild
    except (ImportError, AttributeError, TypeError) as exc:
        return {"error": f"book.commands.serve has no Builder/Site/rebuild to measure ({exc})"}
    quiet = lambda _text: None  # noqa: E731
    rebuild(builder, site, True, quiet)
    if site.error:
        return {"error": "the first build failed: " + site.error[:500]}
    chapter = _a_chapter(book)
    original = chapter.read_text(encoding="utf-8")
    times = []
    try:
        for i in range(runs):
            added = f"\n\nAn edit made while previewing, number {i + 1}.\n"
            chapter.write_text(original + added, encoding="utf-8")
            start = time.perf_counter()
            rebuild(builder, site, True, quiet)
            times.append(time.perf_counter() - start)
            if site.error:
                return {"error": "a rebuild failed: " + site.error[:500]}
            if not any(p.endswith(".html") for p in site.changed):
                return {"error": "the edit changed no page: the rebuild did not see it"}
    finally:
        chapter.write_text(original, encoding="utf-8")
    return {"times": times, "chapter": chapter.name}


def _a_chapter(book: Path) -> Path:
    """A chapter in the middle of the book: an edit there is neither the first nor the last page."""
    chapters = sorted((book / "chapters").glob("*.md"))
    return chapters[len(chapters) // 2]


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]))))
