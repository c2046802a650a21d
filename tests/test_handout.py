"""Handouts and booklets, built by the command line from real books and read back from real PDFs.

One module-scoped set of builds serves every test: the sample book's Rapallo
chapter (which cites one work) and its Nazi takeover chapter (which links to
Rapallo), and the basic fixture with ``print: {handout-paper: letter}`` for
the rest: every chapter, a handout of two chapters, booklets on A4 and letter.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, copy_fixture, normalise, pdf_pages_text, require, run_build
from pypdf import PdfReader

from book.publish.impose import padded, saddle_stitch

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
LETTER = (612.0, 792.0)
PAGE_OF = re.compile(r"Page (\d+) of (\d+)")


def _run(*args: str) -> subprocess.CompletedProcess:
    proc = run_build("handout", *args)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """Handouts of the sample book (content/, whose book.yaml names no handout paper)."""
    out = tmp_path_factory.mktemp("sample-handouts")
    _run("rapallo", "--book", str(ROOT / "content"), "--out", str(out))
    _run("nazi-takeover", "--book", str(ROOT / "content"), "--out", str(out))
    return out / "handouts"


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> Path:
    """The basic fixture with letter as its handout paper: every chapter, two together, booklets."""
    tmp = tmp_path_factory.mktemp("basic-handouts")
    book = copy_fixture("basic", tmp)
    config = book / "book.yaml"
    config.write_text(config.read_text() + "print:\n  handout-paper: letter\n")
    out = tmp / "dist"
    common = ("--book", str(book), "--out", str(out))
    _run("--all", *common)
    _run("gamma", "beta", *common)  # named, and ordered, as the book orders them
    _run("preface", "alpha", "beta", "gamma", "--booklet", "--paper", "A4", *common)
    _run("alpha", "--booklet", *common)
    # On A4, WeasyPrint 70 by itself would push alpha's first note overleaf (book.publish.keepnotes).
    _run("alpha", "--paper", "A4", "--book", str(book), "--out", str(tmp / "a4"))
    return out / "handouts"


def text(pdf: Path) -> str:
    return normalise("\n".join(pdf_pages_text(pdf)))


def references(pdf: Path) -> set[str]:
    """The bibliography keys of the entries in the handout's reference list (each entry is an anchor)."""
    return {name[4:] for name in PdfReader(pdf).named_destinations if name.startswith("ref-")}


def assert_page_x_of_y(pdf: Path) -> None:
    pages = pdf_pages_text(pdf)
    assert pages
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page, (pdf.name, number, page[-300:])


def assert_links_resolve(pdf: Path) -> None:
    """Every link annotation goes to a place inside the handout or to the web, never nowhere."""
    reader = PdfReader(pdf)
    names = set(reader.named_destinations)
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest, action = annot.get("/Dest"), annot.get("/A")
            if dest is not None:
                assert str(dest) in names, (pdf.name, dest)
            else:
                assert action is not None and str(action.get("/URI", "")).startswith(("http", "mailto")), action


def assert_book_fonts(pdf: Path) -> None:
    """Only the book's pinned faces, embedded (pdffonts: name, type, encoding, emb, sub, uni)."""
    require("pdffonts", "poppler-utils")
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert name.split("+")[-1].startswith(("Book-Garamond", "Book-Sans")) and emb == "yes", row


# ------------------------------------------------------------------ the sample book


def test_sample_chapter_handout_stands_alone(sample: Path) -> None:
    pdf = sample / "rapallo.pdf"
    assert pdf.is_file()
    body = text(pdf)
    # The header block: book, chapter, author, edition and date.
    assert "WORLD WAR II DIPLOMACY: THE SOVIET UNION" in body
    assert "Rapallo Treaty (1922)" in body
    assert "Historical Boys’ Clothing".upper() in body.upper()
    assert "First edition · 26 November 2021" in body
    # Its own text, and no other chapter's.
    assert "Three Russian ships docked in Stettin" in body
    assert "German Communist Party" not in body  # nazi-takeover.md
    assert "Popular Front" not in body
    # A4, the default when book.yaml names no handout paper.
    box = PdfReader(pdf).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)
    assert_page_x_of_y(pdf)
    assert_book_fonts(pdf)
    # A loose page says where it comes from: the book, its edition and year (an opaque urn:uuid
    # identifier means nothing to a reader holding one page).
    for page in pdf_pages_text(pdf):
        assert "World War II Diplomacy · First edition, 2021" in normalise(page)
        assert "urn:uuid" not in page


def test_sample_references_hold_only_the_chapter_citations(sample: Path) -> None:
    pdf = sample / "rapallo.pdf"
    assert references(pdf) == {"gumbel"}
    # The list has the book's heading (book.yaml's references-title) and one entry.
    heading = re.compile(r"\b(References|Bibliography)\b")
    after = heading.split(text(pdf), 1)[-1]
    assert after.strip().startswith("Gumbel")
    assert "Nekrich" not in after and "Shirer" not in after and "Roberts" not in after
    # A chapter that cites nothing has no reference list at all.
    assert references(sample / "nazi-takeover.pdf") == set()
    assert not heading.search(text(sample / "nazi-takeover.pdf"))


def test_sample_link_to_an_absent_chapter_names_it(sample: Path) -> None:
    pdf = sample / "nazi-takeover.pdf"
    body = text(pdf)
    assert "the secret Rapallo (see chapter “Rapallo Treaty (1922)”) military cooperation" in body
    assert "(p. " not in body
    assert_links_resolve(pdf)


def test_sample_pdf_metadata_names_the_handout(sample: Path) -> None:
    reader = PdfReader(sample / "rapallo.pdf")
    assert reader.metadata.title == "Rapallo Treaty (1922) — World War II Diplomacy: The Soviet Union"
    assert "handout" in reader.metadata.subject
    assert reader.page_labels == [str(n) for n in range(1, len(reader.pages) + 1)]


# ------------------------------------------------------------------ the basic fixture


def test_all_writes_one_handout_per_chapter(basic: Path) -> None:
    for ident in ("preface", "alpha", "beta", "gamma"):
        pdf = basic / f"{ident}.pdf"
        assert pdf.is_file(), ident
        box = PdfReader(pdf).pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(LETTER, abs=0.5)  # from book.yaml
        assert_page_x_of_y(pdf)
        assert_links_resolve(pdf)


def test_handout_holds_its_chapter_notes_and_citations_only(basic: Path) -> None:
    body = text(basic / "alpha.pdf")
    assert "Alpha Chapter Opens the Story of the Book" in body
    assert "Alphabetic opening paragraph" in body
    assert "Betamax" not in body and "Gammaray" not in body and "This preface stands" not in body
    assert "1. The first note of alpha" in body and "2. The second note of alpha." in body
    assert "Gamma’s only note" not in body
    assert references(basic / "alpha.pdf") == {"smith2001"}
    assert references(basic / "gamma.pdf") == {"jones1999"}
    assert references(basic / "preface.pdf") == set()
    assert "Jones" not in body


NOTES = {"with a note.": "The first note of alpha", "Another note here.": "The second note of alpha",
         "Gammaray text": "Gamma’s only note"}
"""Text next to each footnote call in the basic fixture, and the note's text."""


@pytest.mark.parametrize("name", ["alpha.pdf", "../../a4/handouts/alpha.pdf", "beta+gamma.pdf", "gamma.pdf"])
def test_every_note_is_on_the_page_of_its_call(basic: Path, name: str) -> None:
    pages = [normalise(page) for page in pdf_pages_text(basic / name)]
    found = 0
    for call, note in NOTES.items():
        for number, page in enumerate(pages, 1):
            if call in page:
                assert note in page, f"{name}: the note '{note}' is not on page {number}, which calls it"
                found += 1
    assert found


def test_links_out_of_the_handout_become_text(basic: Path) -> None:
    assert "links to the third chapter (see chapter “Gamma”)" in text(basic / "alpha.pdf")
    # A link to a heading of an absent chapter names the chapter too.
    assert "see above (see chapter “Alpha Chapter Opens the Story of the Book”)" in text(basic / "beta.pdf")


def test_several_chapters_make_one_handout(basic: Path) -> None:
    pdf = basic / "beta+gamma.pdf"
    assert pdf.is_file() and not (basic / "gamma+beta.pdf").exists()
    body = text(pdf)
    assert "Betamax" in body and "Gammaray" in body and "Alphabetic" not in body
    assert body.index("Betamax") < body.index("Gammaray")
    assert references(pdf) == {"smith2001", "jones1999"}
    assert "1. Gamma’s only note." in body  # notes are numbered per chapter
    assert_page_x_of_y(pdf)


def test_unknown_id_names_the_closest(tmp_path: Path) -> None:
    proc = run_build("handout", "alpah", "--book", str(ROOT / "tests/fixtures/basic"), "--out", str(tmp_path))
    assert proc.returncode == 1
    assert "no chapter has the id 'alpah'" in proc.stderr
    assert "did you mean 'alpha'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "handouts").exists()


def test_list_and_usage(tmp_path: Path) -> None:
    proc = run_build("handout", "--list", "--book", str(ROOT / "tests/fixtures/basic"))
    assert proc.returncode == 0, proc.stderr
    lines = [line.split(None, 1) for line in proc.stdout.splitlines()]
    assert lines == [["preface", "Preface"], ["alpha", "Alpha Chapter Opens the Story of the Book"],
                     ["beta", "Beta"], ["gamma", "Gamma"]]
    assert run_build("handout", "--book", str(ROOT / "tests/fixtures/basic")).returncode == 2
    assert run_build("handout", "alpha", "--all", "--book", str(ROOT / "tests/fixtures/basic")).returncode == 2
    assert run_build("handout", "alpha", "--paper", "A3").returncode == 2


# ------------------------------------------------------------------ booklets


def test_saddle_stitch_order() -> None:
    assert [padded(n) for n in (1, 4, 5, 8, 9)] == [4, 4, 8, 8, 12]
    assert saddle_stitch(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]
    assert saddle_stitch(5) == [(None, 0), (1, None), (None, 2), (3, 4)]
    for n in range(1, 30):
        assert fold(saddle_stitch(n)) == list(range(n)) + [None] * (padded(n) - n)


def fold(sides: list[tuple]) -> list:
    """The pages of printed sheet sides in the order a reader meets them once the sheets are
    nested (first sheet outside) and folded: a physical model, independent of impose.py.

    Printed duplex with the short-edge flip, a sheet's front-right half is backed by its
    back-left half (that leaf is turned first) and its front-left by its back-right."""
    sheets = [(sides[i], sides[i + 1]) for i in range(0, len(sides), 2)]
    order = []
    for front, back in sheets:  # the first half of the booklet: right-hand leaves, outside in
        order += [front[1], back[0]]
    for front, back in reversed(sheets):  # the second half: left-hand leaves, inside out
        order += [back[1], front[0]]
    return order


def halves(pdf: Path) -> list[tuple[str, str]]:
    """The text of the left and right half of every sheet side."""
    require("pdftotext", "poppler-utils")
    reader = PdfReader(pdf)
    out = []
    for number, page in enumerate(reader.pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        pair = []
        for x in (0, width / 2):
            pair.append(subprocess.run(
                ["pdftotext", "-enc", "UTF-8", "-r", "72", "-f", str(number), "-l", str(number),
                 "-x", str(int(x)), "-y", "0", "-W", str(int(width / 2)), "-H", str(int(height)), str(pdf), "-"],
                capture_output=True, text=True, check=True).stdout)
        out.append((pair[0], pair[1]))
    return out


def page_number(half: str) -> tuple[int, int] | None:
    found = PAGE_OF.findall(half)
    assert len(found) <= 1, half
    return (int(found[0][0]), int(found[0][1])) if found else None


@pytest.mark.parametrize("name, sheet", [("preface+alpha+beta+gamma-booklet.pdf", (297 * MM, 210 * MM)),
                                         ("alpha-booklet.pdf", (792.0, 612.0))])
def test_booklet_is_imposed_for_saddle_stitching(basic: Path, name: str, sheet: tuple[float, float]) -> None:
    pdf = basic / name
    reader = PdfReader(pdf)
    # Landscape sheets of the paper, each twice as wide as the half-sheet page.
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(sheet, abs=0.5)
    sides = halves(pdf)
    numbers = [(page_number(left), page_number(right)) for left, right in sides]
    total = next(n for pair in numbers for n in pair if n)[1]
    assert total >= 2
    # 4k half pages are k sheets, 2k sheet sides (PDF pages).
    assert len(reader.pages) == padded(total) // 2
    # Sheet one's front: the last page (blank here) on the left, page 1 on the right.
    assert numbers[0][1] == (1, total)
    assert numbers[0][0] == ((padded(total), total) if padded(total) == total else None)
    # Every half page stands where the saddle-stitch order puts it …
    expected = saddle_stitch(total)
    got = [tuple(None if n is None else n[0] - 1 for n in pair) for pair in numbers]
    assert got == expected
    # … blank halves are really blank, and folded, the booklet reads 1, 2, 3 …
    for (left, right), (lnum, rnum) in zip(sides, numbers):
        assert (lnum is None) == (not left.strip()) and (rnum is None) == (not right.strip())
    assert fold(got) == list(range(total)) + [None] * (padded(total) - total)
    first = normalise(sides[0][1])
    assert "THE TEST BOOK" in first and ("Preface" in first or "Alpha Chapter" in first)


def test_booklet_text_follows_page_to_page(basic: Path) -> None:
    """Read in folded order, the booklet's halves hold the whole handout in order."""
    sides = halves(basic / "preface+alpha+beta+gamma-booklet.pdf")
    by_number = {}
    for left, right in sides:
        for half in (left, right):
            found = page_number(half)
            if found:
                by_number[found[0]] = normalise(PAGE_OF.sub("", half))
    joined = " ".join(by_number[n] for n in sorted(by_number))
    for earlier, later in (("This preface stands", "Alphabetic opening"), ("Alphabetic opening", "Betamax"),
                           ("Betamax", "Gammaray"), ("Gammaray", "References")):
        assert joined.index(earlier) < joined.index(later)


def test_booklet_keeps_the_handout_metadata(basic: Path) -> None:
    reader = PdfReader(basic / "alpha-booklet.pdf")
    assert reader.metadata.title == "Alpha Chapter Opens the Story of the Book — The Test Book: A Fixture in Two Parts"
    assert "A handout of the chapter".encode() in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert_book_fonts(basic / "alpha-booklet.pdf")
    require("qpdf", "qpdf")
    check = subprocess.run(["qpdf", "--check", str(basic / "alpha-booklet.pdf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_handouts_are_reproducible(basic: Path, tmp_path: Path) -> None:
    """The same handout and booklet from another copy of the book, in another folder: the same bytes."""
    book = copy_fixture("basic", tmp_path)
    config = book / "book.yaml"
    config.write_text(config.read_text() + "print:\n  handout-paper: letter\n")
    _run("alpha", "--book", str(book), "--out", str(tmp_path / "a"))
    _run("alpha", "--booklet", "--book", str(book), "--out", str(tmp_path / "a"))
    for name in ("alpha.pdf", "alpha-booklet.pdf"):
        assert (tmp_path / "a" / "handouts" / name).read_bytes() == (basic / name).read_bytes(), name
    sums = (tmp_path / "a" / "SHA256SUMS").read_text()
    assert "handouts/alpha.pdf" in sums and "handouts/alpha-booklet.pdf" in sums
