"""``build.py check``: every problem of a book in one run, like a compiler, writing nothing.

Load and resolve run in their collecting mode, so that a bad field in
book.yaml, a chapter that cannot be read and an unknown citation are all
reported together and the chapters that could be read are still linted;
then the lints of :mod:`book.lint` run. With ``--print``, a book without errors is
then laid out as the print edition and the layout itself is checked
(:mod:`book.publish.preflight`: loose lines, bad breaks, widows and orphans,
short chapter endings, blank pages, boxes outside the page, separated captions),
each defect named by its page and line and by the source file and line of its
text. Problems are printed as ``file:line:col: error|warning: message [rule]``
sorted by file and line, or as JSON for editors and CI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import BookError
from ..lint import WARNINGS, lint_book
from ..load import MAX_CHAPTER_BYTES, load_book
from ..resolve import resolve
from ..resolve.index import index_problems
from . import book_option, parser


@dataclass(frozen=True)
class Report:
    """What ``check`` found."""

    problems: tuple[BookError, ...]
    """Sorted by file, line and column; each with a severity."""
    chapters: int
    """Chapters that could be read (0 if book.yaml could not)."""
    pages: int = 0
    """Pages of the print edition, when ``--print`` laid it out."""
    defects: tuple = ()
    """The print layout's :class:`~book.publish.preflight.Defect`\\ s, when ``--print`` laid it out
    (each is also one of ``problems``)."""

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    def failed(self, strict: bool) -> bool:
        return bool(self.errors or (strict and self.warnings))


def check(path: Path, max_chapter_bytes: int = MAX_CHAPTER_BYTES, print_layout: bool = False) -> Report:
    """Validate and lint the book at ``path`` (book.yaml or its folder); with ``print_layout``,
    check its print layout too, when it has no errors."""
    problems: list[BookError] = []
    try:
        book = load_book(path, max_chapter_bytes, collect=problems)
    except BookError as exc:  # no book.yaml, or one that is not YAML: nothing else can be read
        return Report(_tidy([*getattr(exc, "errors", (exc,))]), 0)
    try:
        ms = resolve(book, collect=problems)
        problems += index_problems(book, ms.index)
    except BookError as exc:
        problems.extend(getattr(exc, "errors", (exc,)))
    problems += lint_book(book)
    if any(p.rule == "missing-file" and p.message.startswith("bibliography ") for p in problems):
        # Without its bibliography file every citation looks unknown: the missing file says it all.
        problems = [p for p in problems if p.rule != "unknown-citation"]
    bib_files = set(book.meta.bibliography)
    # The bibliography reader names no rules: its problems are all about the file.
    problems = [p if p.rule else p.replace(rule="bibliography" if p.file in bib_files else "book")
                for p in _flat(problems)]
    report = Report(_tidy(problems), len(book.chapters))
    if print_layout and not report.errors:
        pages, defects = print_preflight(book)
        return Report(_tidy(problems + [defect_problem(d) for d in defects]), len(book.chapters), pages, defects)
    return report


def print_preflight(book) -> tuple[int, tuple]:
    """The print edition of ``book`` laid out as a build lays it out (its index too), its printed
    pages (with the blank verso a build adds after an odd count) and its defects."""
    from ..publish.layout import layout, with_index
    from ..publish.preflight import preflight
    from ..publish.printlayout import even_pages

    ms = resolve(book, source_lines=True)
    lay = layout(ms)
    if ms.has_index:  # and again with the index's page numbers
        lay = layout(ms, with_index(ms, lay))
    return even_pages(lay.page_count), tuple(preflight(ms, lay.document, lay.label))


def defect_problem(d) -> BookError:
    """A print defect as ``check`` reports every problem: at the source line of its text."""
    from ..publish.preflight import KINDS

    where = f"p. {d.folio} (PDF page {d.page})" + (f", line {d.line}" if d.line else "")
    text = f": \u201c{d.text}\u201d" if d.text else ""
    what = KINDS[d.kind].split(":")[0]
    return BookError(f"{where}: {d.kind.replace('-', ' ')}, {d.detail or what}{text}", d.file, d.source_line,
                     0, _PRINT_HINTS.get(d.kind, ""), d.rule, severity="warning")


_PRINT_HINTS = {
    "loose-line": "reword the sentence, or allow a break in a long word (a soft hyphen, &shy;)",
    "blank-page": "set chapter-opening: any in book.yaml, or end the previous chapter a page earlier",
    "short-last-page": "tighten the chapter by a few lines, or let it run a page longer",
    "outside-page": "make the image or table narrower than the text, or let it break",
}


def _flat(problems: list[BookError]) -> list[BookError]:
    """Each problem on its own: a :class:`~book.errors.BookErrors` gives up the errors it holds."""
    flat: list[BookError] = []
    for p in problems:
        flat.extend(getattr(p, "errors", None) or (p,))
    return flat


def _tidy(problems: list[BookError]) -> tuple[BookError, ...]:
    """Flattened, with rule severities applied, without duplicates, in file and line order."""
    flat = _flat(problems)
    located = {(p.message, p.rule) for p in flat if p.file is not None}
    flat = [p for p in flat if p.file is not None or (p.message, p.rule) not in located]
    seen: set[tuple] = set()
    out: list[BookError] = []
    for p in flat:
        if p.rule in WARNINGS and p.severity != "warning":
            p = p.replace(severity="warning")
        key = (str(p.file), p.line, p.column, p.message, p.rule)
        if key not in seen:
            seen.add(key)
            out.append(p)
    out.sort(key=lambda p: (str(p.file or ""), p.line, p.column, p.rule))
    return tuple(out)


def _shown(file: Path | None, cwd: Path) -> str:
    if file is None:
        return ""
    try:
        return file.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return str(file)


def as_text(report: Report, cwd: Path) -> str:
    """One problem a line, its hint indented below it."""
    return "".join(p.format(cwd) + "\n" for p in report.problems)


def as_json(report: Report, cwd: Path) -> str:
    """``{"problems": [...], "errors": n, "warnings": n}``; paths relative to ``cwd`` where they can be.
    With ``--print``, also ``"print": {"pages": n, "defects": [...]}``, each defect with its page,
    folio, line on the page, text and source place."""
    items = [{"file": _shown(p.file, cwd), "line": p.line, "column": p.column, "severity": p.severity,
              "rule": p.rule, "message": p.message, "hint": p.hint} for p in report.problems]
    doc = {"problems": items, "errors": report.errors, "warnings": report.warnings, "chapters": report.chapters}
    if report.pages:
        doc["print"] = {"pages": report.pages, "defects": [
            {"kind": d.kind, "page": d.page, "folio": d.folio, "page_line": d.line, "text": d.text,
             "detail": d.detail, "file": _shown(d.file, cwd), "line": d.source_line} for d in report.defects]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def summary(report: Report, strict: bool) -> str:
    """The last line: counts, and what they mean for the exit status."""
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n != 1 else ''}"
    if not report.problems:
        pages = f" and {count(report.pages, 'printed page')}" if report.pages else ""
        return f"no problems in {count(report.chapters, 'chapter')}{pages}"
    text = f"{count(report.errors, 'error')}, {count(report.warnings, 'warning')} in {count(report.chapters, 'chapter')}"
    if report.pages:
        text += f"; {count(len(report.defects), 'print defect')} in {count(report.pages, 'page')}"
    if not report.errors and report.warnings and not strict:
        text += " (warnings fail only with --strict)"
    return text


def check_parser():
    p = parser("check", "Validate and lint a book without writing anything: every problem, sorted by file and line.",
               "examples:\n  python build.py check\n  python build.py check --strict --book my-book\n"
               "  python build.py check --format json > problems.json\n"
               "  python build.py check --print --strict   also lay out the print edition and check the pages\n\n"
               "exit codes: 0 no errors (with --strict: no warnings either), 1 problems found, 2 bad usage")
    book_option(p)
    p.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: file:line:col: severity: message [rule] (default); json: for editors and CI")
    p.add_argument("--print", dest="print_layout", action="store_true",
                   help="also lay out the print edition and check its pages: loose lines, bad breaks, widows "
                        "and orphans, short chapter endings, blank pages, boxes outside the page")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    return p


def main(argv: list[str]) -> int:
    import sys

    args = check_parser().parse_args(argv)
    try:
        report = check(args.book, print_layout=args.print_layout)
    except BookError as exc:  # laying the print edition out found what the checks cannot (a font)
        print(exc.format(Path.cwd()), file=sys.stderr)
        return 1
    cwd = Path.cwd()
    sys.stdout.write(as_json(report, cwd) if args.format == "json" else as_text(report, cwd))
    if not args.quiet:
        print(summary(report, args.strict), file=sys.stderr)
    return 1 if report.failed(args.strict) else 0
