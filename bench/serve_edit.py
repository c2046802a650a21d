"""How long ``serve`` takes to show an edit: one chapter changed, the web edition and the PDF rebuilt.

Runs in its own process (``python bench/serve_edit.py BOOK OUT RUNS``), with
:mod:`book.commands.serve`'s own ``Builder`` and ``rebuild`` for the web edition
and its print preview (:class:`book.publish.preview.Preview`, whose process
lays the book out with the layout cache in ``OUT``, a copy of the output
folder of the book's first build). It builds both once, then edits one chapter
``RUNS`` times (a sentence added, another each time) and times, from the save,
the web edition rebuilt and the PDF made again. Prints one JSON line:
``{"web": [...], "pdf": [...]}``, or ``{"error": "..."}``.
"""

from __future__ import annotations

import json
import queue
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(book: Path, out: Path, runs: int) -> dict:
    from book.commands import serve
    from book.publish.parallel import cores
    from book.publish.preview import Preview

    done: queue.Queue = queue.Queue()
    preview = Preview(book, out, cores(), done.put)  # forked first, as serve does
    try:
        builder, site, quiet = serve.Builder(book), serve.Site(), (lambda _text: None)
        preview.rebuild()
        serve.rebuild(builder, site, True, quiet)
        first = done.get(timeout=600)
        if site.error or first.pdf is None:
            return {"error": "the first build failed: " + (site.error or first.error)[:500]}
        chapter = _a_chapter(book)
        original = chapter.read_text(encoding="utf-8")
        web, pdf = [], []
        try:
            for i in range(runs):
                chapter.write_text(original + f"\n\nAn edit made while previewing, number {i + 1}.\n", encoding="utf-8")
                start = time.perf_counter()
                preview.rebuild()  # serve asks for the PDF first, then rebuilds the web edition
                serve.rebuild(builder, site, True, quiet)
                web.append(time.perf_counter() - start)
                result = done.get(timeout=600)
                pdf.append(time.perf_counter() - start)
                if site.error or result.pdf is None:
                    return {"error": "a rebuild failed: " + (site.error or result.error)[:500]}
                if not any(p.endswith(".html") for p in site.changed):
                    return {"error": "the edit changed no page: the rebuild did not see it"}
        finally:
            chapter.write_text(original, encoding="utf-8")
        return {"web": web, "pdf": pdf, "chapter": chapter.name, "laid_out": result.laid_out}
    finally:
        preview.close()


def _a_chapter(book: Path) -> Path:
    """A chapter in the middle of the book: an edit there is neither the first nor the last page."""
    chapters = sorted((book / "chapters").glob("*.md"))
    return chapters[len(chapters) // 2]


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))))
