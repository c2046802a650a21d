"""``check --print``: the preflight of the real print layout (book/publish/preflight.py).

The rules are tested on lines made by hand (what each defect looks like to the
walk over WeasyPrint's boxes), and the whole command on a real fixture book laid
out by WeasyPrint, whose report must agree with the PDF a build makes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from book.publish import preflight as pf
from conftest import FIXTURES, ROOT, pdf_pages_text, run_build


class Element:
    """Stands for the block a line belongs to (only its identity matters to the rules)."""


def line(page: int, number: int, element: object, text: str = "some words here", *, hyphenated: bool = False,
         chapter: str = "one", spacing: float = 0.0, overfull: float = 0.0) -> pf._Line:
    return pf._Line(page, number, None, element, chapter, 1, text, hyphenated, spacing, None, overfull)


def kinds(defects) -> list[tuple[str, int, int]]:
    return sorted((d.kind, d.page, d.line) for d in defects)


def test_an_orphan_a_widow_and_a_hyphen_at_a_page_turn(monkeypatch):
    monkeypatch.setattr(pf, "_BLOCK_TAGS", frozenset({"p"}))
    p = Element()
    lines = [line(1, 30, p, hyphenated=True), line(2, 1, p), line(2, 2, p), line(3, 1, p)]
    for item in lines:
        item.box = type("Box", (), {"element_tag": "p"})()
    assert kinds(pf._paragraph_defects(lines)) == [("hyphen-at-page-turn", 1, 30), ("orphan", 1, 30),
                                                   ("widow", 3, 1)]


def test_three_hyphens_in_a_row_and_a_paragraph_ending_in_a_fragment(monkeypatch):
    p = Element()
    lines = [line(1, n, p, hyphenated=n in (2, 3, 4, 6)) for n in range(1, 7)] + [line(1, 7, p, "cies.")]
    for item in lines:
        item.box = type("Box", (), {"element_tag": "p"})()
    assert kinds(pf._paragraph_defects(lines)) == [("hyphen-ladder", 1, 4), ("hyphenated-last-line", 1, 7)]


def test_a_chapter_ending_with_three_lines_on_its_last_page():
    lines = [line(1, n, Element()) for n in range(1, 30)] + [line(2, n, Element()) for n in range(1, 4)]
    assert kinds(pf._chapter_ends(lines)) == [("short-last-page", 2, 1)]
    lines.append(line(2, 4, Element()))
    assert pf._chapter_ends(lines) == []


def test_a_blank_page_unless_blank_on_purpose_and_an_overfull_line():
    blank = pf._Page(3, "iii")
    on_purpose = pf._Page(4, "iv", blank_on_purpose=True)
    full = pf._Page(5, "v", [line(5, 1, Element(), overfull=12.0)])
    assert kinds(pf._page_defects([blank, on_purpose, full])) == [("blank-page", 3, 0), ("overfull-line", 5, 1)]


def test_check_print_reports_the_pages_a_build_makes_and_names_the_source(tmp_path):
    book = FIXTURES / "print-book"
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--print", "--format", "json",
                           "--book", str(book)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr  # warnings only: without --strict they do not fail
    report = json.loads(proc.stdout)
    built = run_build("pdf", "--book", str(book), "--out", str(tmp_path))
    assert built.returncode == 0, built.stderr
    pages = pdf_pages_text(tmp_path / "printers-test-book.pdf")
    assert report["print"]["pages"] == len(pages)
    defects = report["print"]["defects"]
    assert defects, "the fixture has a blank verso before its first chapter"
    for d in defects:
        assert d["kind"] in pf.KINDS
        assert d["file"], d
        if d["page_line"]:  # the defect's text is on that page of the PDF
            words = d["text"].split()[:3]
            assert " ".join(words).replace("\u2010", "-")[:12] in " ".join(pages[d["page"] - 1].split()), d
    blank = [d for d in defects if d["kind"] == "blank-page"]
    assert all(not pages[d["page"] - 1].strip() or pages[d["page"] - 1].strip().isdigit() for d in blank)
    strict = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--print", "--strict", "-q",
                             "--book", str(book)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert strict.returncode == 1 and "[print-blank-page]" in strict.stdout


def test_source_lines_mark_blocks_only_when_asked():
    from book.load import load_book
    from book.resolve import resolve

    book = load_book(FIXTURES / "basic")
    plain = resolve(book)
    marked = resolve(book, source_lines=True)
    assert "data-line" not in "".join(ch.html for ch in plain.chapters)
    first = marked.chapters[0]
    line = int(first.html.split('data-line="', 1)[1].split('"', 1)[0])
    text = Path(first.source.path).read_text().splitlines()[first.source.body_line + line - 2]
    assert text.strip() and not text.startswith(("---", "title:"))


def test_a_book_written_to_provoke_every_defect_gets_each_reported(tmp_path):
    """tests/fixtures/print-defects is a pocket book (A6, ``repair: false``: its proofs as WeasyPrint
    sets them, book/publish/repair.py left out) written as an author writes one: long words
    and compounds with written hyphens on a narrow measure, a chapter with a note, an identifier in
    code, a specimen set wider than the text, a figure, and the book's own stylesheet (widows: 1,
    figures that may break). Laid out by WeasyPrint, it has every kind of defect, each in the chapter
    whose construct makes it and on the page of the PDF a build makes."""
    import re

    book = FIXTURES / "print-defects"
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--print", "--format", "json",
                           "--book", str(book)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr  # warnings only: without --strict they do not fail
    report = json.loads(proc.stdout)
    defects = report["print"]["defects"]
    assert {d["kind"] for d in defects} == set(pf.KINDS), defects

    chapters = {kind: {Path(d["file"]).name for d in defects if d["kind"] == kind} for kind in pf.KINDS}
    setting = {"loose-line", "hyphen-at-page-turn", "hyphen-ladder", "hyphenated-last-line", "widow",
               "short-last-page", "outside-page", "overfull-line"}
    assert all("setting.md" in chapters[kind] for kind in setting), chapters
    assert chapters["orphan"] == {"notes.md"}  # orphans are allowed only where a chapter has notes
    assert chapters["caption-separated"] == {"plates.md"}
    assert "notes.md" in chapters["blank-page"]  # the verso before its recto opening
    assert any("PocketSeriesCompositionConfigurationDefaults" in d["text"] for d in defects
               if d["kind"] == "overfull-line")
    assert any(d["text"] == "<div>" for d in defects if d["kind"] == "outside-page")  # the {.specimen} div

    def source_line(d: dict) -> str:
        return (ROOT / d["file"]).read_text(encoding="utf-8").splitlines()[d["line"] - 1]

    # A box's defect names the box's own source line, not the first line of text on its page; the
    # box inside a box outside is not reported again.
    assert [source_line(d) for d in defects if d["kind"] == "outside-page" and d["text"] == "<div>"] \
        == ["::: {.specimen}"]
    assert [source_line(d) for d in defects if d["kind"] == "caption-separated"] \
        == ["![A composing stick, with a line of type set and justified](../images/plate.png)"]

    built = run_build("pdf", "--book", str(book), "--out", str(tmp_path))
    assert built.returncode == 0, built.stderr
    pages = pdf_pages_text(tmp_path / "pocket-guide-to-proofs.pdf")
    assert report["print"]["pages"] == len(pages)

    def squashed(text: str) -> str:  # pdftotext joins a word hyphenated at a line's end: compare without
        return re.sub(r"[\s\-\u2010\u00ad]", "", text)

    for d in defects:
        source = (ROOT / d["file"]).resolve()
        assert source.is_file() and source.is_relative_to(book.resolve()), d
        if d["page_line"]:  # the whole line is on that page of the PDF
            assert d["text"] and squashed(d["text"]) in squashed(pages[d["page"] - 1]), d
        elif d["kind"] == "caption-separated":
            assert squashed(d["text"]) in squashed(pages[d["page"] - 1]), d
        elif d["kind"] == "blank-page":
            assert not pages[d["page"] - 1].strip(), d

    strict = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--print", "--strict", "-q",
                             "--book", str(book)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert all(f"[print-{kind}]" in strict.stdout for kind in pf.KINDS), strict.stdout
    plain = run_build("check", "--strict", "-q", "--book", str(book))  # the text itself is clean: the layout fails
    assert plain.returncode == 0, plain.stdout + plain.stderr
