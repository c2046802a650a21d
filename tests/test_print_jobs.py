"""The print edition laid out job by job (a chapter or part each), in parallel, cached, and joined.

What a reader and a validator see must not depend on that: the joined PDF has
the pages one WeasyPrint layout of the whole book gives (compared as images),
one structure tree, links that lead where they should, and the same bytes
whatever ``--jobs`` says. An edit lays out again only what it changed: these
tests count the layouts, they never time them (``make bench`` does).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, copy_fixture, require, run_build

PROBE = """
import json, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from book.commands.build import Options, build
from book.publish import piece
laid = []
lay_out = piece.lay_out
def counted(spec, decide):
    laid.append(spec.anchor)
    return lay_out(spec, decide)
piece.lay_out = counted
build(Options(book=Path({book!r}), out=Path({out!r}), editions={editions!r}, jobs={jobs}))
print(json.dumps(laid))
"""


def laid_out(book: Path, out: Path, editions: tuple[str, ...] = ("pdf",), jobs: int = 1) -> list[str]:
    """Build ``editions`` in a fresh process; the anchors of the jobs it laid out (none from the cache)."""
    code = PROBE.format(root=str(ROOT), book=str(book), out=str(out), editions=editions, jobs=jobs)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pdf_of(out: Path) -> Path:
    return next(p for p in out.glob("*.pdf") if not p.name.endswith("-archival.pdf"))


def images(pdf: Path, folder: Path, name: str) -> list[Path]:
    require("pdftoppm", "poppler-utils")
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(folder / name)], check=True)
    return sorted(folder.glob(f"{name}-*.png"))


def same_pages(joined_pdf: Path, whole_pdf: Path, folder: Path, count: int) -> None:
    """The joined book's pages are the whole-book layout's, image for image, and then, after an odd
    count, one blank verso (the printed book has an even number of pages)."""
    from PIL import Image, ImageChops

    joined, single = images(joined_pdf, folder, "joined"), images(whole_pdf, folder, "whole")
    assert len(joined) == count == len(single) + len(single) % 2
    for a, b in zip(joined, single):
        assert ImageChops.difference(Image.open(a).convert("RGB"), Image.open(b).convert("RGB")).getbbox() is None, a.name
    if len(joined) > len(single):
        assert Image.open(joined[-1]).convert("L").getextrema() == (255, 255), "the added verso is blank"


# ------------------------------------------------------------------ the same pages, the same bytes


OPENINGS = {
    "chapters continue": ("print-book", "  chapter-opening: continue\n"),
    "parts continue": ("print-book", "  part-opening: continue\n"),
    "chapters on any page": ("print-book", "  chapter-opening: any\n  part-opening: any\n"),
}


@pytest.mark.parametrize("case", ["print-book", "index-book", "lang-ar", *OPENINGS])
def test_the_joined_pages_are_those_of_one_layout_of_the_whole_book(case, tmp_path):
    """Folios, running heads, blank versos, contents and index page numbers, cross-references:
    every page of the joined PDF is, as an image, the page WeasyPrint gives laying the whole book
    out at once (with the same index) — also for a right-to-left book, and for chapters and parts
    set to open on any page or to continue on the page before (those are laid out with the element
    before them from the start: the settings tell, no layout has to find it out)."""

    from book.commands.build import Options, load_and_resolve
    from book.publish.jobs import continued
    from book.publish.layout_cache import LayoutCache
    from book.publish.join import write_joined
    from book.publish.layout import INDEX_SECTION, layout
    from book.publish.printlayout import lay_out_book
    from book.render import render_print, render_print_index

    fixture, opening = OPENINGS.get(case, (case, ""))
    book = copy_fixture(fixture, tmp_path)
    if opening:
        config = book / "book.yaml"
        config.write_text(config.read_text().replace("print:\n  page: A5\n", "print:\n  page: A5\n" + opening))
    ms = load_and_resolve(Options(book, tmp_path / "out"))
    lay = lay_out_book(ms, tmp_path / "out", jobs=2)
    assert len(lay.pieces) > (1 if fixture == "lang-ar" else 3)
    html = render_print(ms)
    assert LayoutCache(tmp_path / "out").joined() <= continued(ms, html)
    write_joined(lay, tmp_path / "joined.pdf")
    if ms.index is not None and ms.index.groups:
        html = INDEX_SECTION.sub(lambda _m: render_print_index(ms, lay.places()), html)
    whole = layout(ms, html)
    whole.document.write_pdf(tmp_path / "whole.pdf")
    same_pages(tmp_path / "joined.pdf", tmp_path / "whole.pdf", tmp_path, lay.page_count)


def test_one_two_and_three_jobs_write_the_same_bytes(tmp_path):
    book = copy_fixture("print-book", tmp_path)
    sums = {}
    for jobs in ("1", "2", "3"):
        out = tmp_path / f"out-{jobs}"
        proc = run_build("pdf", "archive", "--book", str(book), "--out", str(out), "--jobs", jobs)
        assert proc.returncode == 0, proc.stderr
        sums[jobs] = (out / "SHA256SUMS").read_text()
    assert sums["1"] == sums["2"] == sums["3"]
    assert {line.split()[1] for line in sums["1"].splitlines()} == {"printers-test-book.pdf",
                                                                     "printers-test-book-archival.pdf"}


# ------------------------------------------------------------------ one document


def test_one_structure_tree_with_its_parent_tree_renumbered(print_fixture_build):
    """One StructTreeRoot, one Document element; page i is ParentTree key i and every marked
    content of it leads to an element on that page; every link annotation has a key of its own
    that leads to the element holding it (as WeasyPrint tags a whole book)."""
    import pikepdf

    _root, out = print_fixture_build
    with pikepdf.open(pdf_of(out)) as pdf:
        tree = pdf.Root.StructTreeRoot
        assert len(tree.K) == 1 and tree.K[0].S == "/Document"
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys)) and int(tree.ParentTreeNextKey) == keys[-1] + 1
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        annotations = 0
        for index, page in enumerate(pdf.pages):
            assert int(page.obj.StructParents) == index
            mcids = sorted({int(m) for m in re.findall(rb"/MCID (\d+)", page.obj.Contents.read_bytes())})
            elements = parents[index]
            assert len(elements) == len(mcids) and mcids == list(range(len(mcids)))
            for element in elements:
                assert element.Pg.objgen == page.obj.objgen
            for annotation in page.obj.get("/Annots", ()):
                link = parents[int(annotation.StructParent)]
                assert any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Obj") is not None
                           and kid.Obj.objgen == annotation.objgen for kid in link.K)
                annotations += 1
        assert annotations > 10 and len(parents) == len(pdf.pages) + annotations
        # Every object written is part of the document (the pieces' catalogs, outlines and fonts
        # stayed behind).
        reached: set = set()
        todo = [pdf.trailer]
        while todo:
            obj = todo.pop()
            if isinstance(obj, pikepdf.Stream):
                todo.append(obj.stream_dict)
                continue
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
                for value in (obj.values() if isinstance(obj, pikepdf.Dictionary) else obj):
                    if isinstance(value, pikepdf.Object) and value.is_indirect:
                        if value.objgen in reached:
                            continue
                        reached.add(value.objgen)
                    todo.append(value)
        written = {obj.objgen for obj in pdf.objects
                   if not (isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Type") in ("/XRef", "/ObjStm"))}
        assert written <= reached, sorted(written - reached)[:5]


def _pdfua(pdf: Path) -> dict:
    pdfua = Path(sys.executable).parent / "pdfua"
    if not pdfua.exists():
        pytest.fail("'pdfua' is missing: install it with `pip install pdfua` (make test does this)")
    proc = subprocess.run([str(pdfua), "check", "--format", "json", str(pdf)], capture_output=True, text=True)
    return json.loads(proc.stdout)


def test_qpdf_and_pdfua_judge_the_joined_pdf_as_one_layout(print_fixture_build, tmp_path):
    """qpdf finds no structural error in either PDF; pdfua (a PDF/UA-1 subset) finds no error in
    the joined PDF, and no finding that the same book laid out and tagged at once does not have."""
    from book.commands.build import Options, load_and_resolve
    from book.publish.layout import layout

    require("qpdf", "qpdf")
    root, out = print_fixture_build
    for pdf in out.glob("*.pdf"):
        check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout
    joined = _pdfua(pdf_of(out))
    assert joined["summary"]["errors"] == 0, joined["findings"]
    whole = layout(load_and_resolve(Options(root, tmp_path)))
    whole.document.write_pdf(tmp_path / "whole.pdf", pdf_tags=True)
    single = _pdfua(tmp_path / "whole.pdf")
    assert {f["rule_id"] for f in joined["findings"]} <= {f["rule_id"] for f in single["findings"]}


def test_every_link_between_chapters_leads_to_its_page(print_fixture_build):
    """Each piece keeps its links to chapters laid out in other pieces; the joined name tree
    resolves every one of them, to the page where the anchor is."""
    from pypdf import PdfReader

    _root, out = print_fixture_build
    reader = PdfReader(pdf_of(out))
    dests = reader.named_destinations
    links = 0
    for page in reader.pages:
        for annotation in page.get("/Annots") or ():
            target = annotation.get_object().get("/Dest")
            if target is not None:
                assert str(target) in dests, target
                links += 1
    assert links > 10
    # The contents page's entries lead to the pages that open the chapters they name.
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline
               if not isinstance(item, list)}
    for name, page in outline.items():
        if name != "Contents":
            assert page >= outline["Contents"]


# ------------------------------------------------------------------ an edit lays out what it changed


def test_a_one_chapter_edit_lays_out_that_chapter_only(tmp_path):
    book = copy_fixture("print-book", tmp_path)
    out = tmp_path / "out"
    first = laid_out(book, out)
    assert len(set(first)) > 4, "every job laid out on a first build"
    assert laid_out(book, out) == [], "an unchanged book lays nothing out"
    chapter = book / "chapters" / "lists.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("the", "teh", 1), encoding="utf-8")
    assert laid_out(book, out) == ["lists"]
    chapter.write_text(text, encoding="utf-8")
    assert laid_out(book, out) == ["lists"], "its earlier piece was forgotten with the build that replaced it"


def test_a_chapter_that_grows_a_page_moves_the_folios_after_it(tmp_path):
    """A longer chapter moves every page after it: the jobs after it are laid out again (their
    folios changed), the jobs before it are not, and the contents learns the new page numbers."""
    book = copy_fixture("print-book", tmp_path)
    out = tmp_path / "out"
    laid_out(book, out)
    chapter = book / "chapters" / "notes.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\n" + "A paragraph added to the chapter. " * 150
                       + "\n", encoding="utf-8")
    again = laid_out(book, out)
    # The part's title page is laid out with its first chapter, notes; the references with the
    # afterword (both small): one job each.
    assert sorted(again) == sorted(["part-the-part-of-notes", "lists", "part-the-part-of-the-1920s", "references",
                                    "half-title"])  # the contents (with the half-title) prints new numbers


def test_an_epub_that_lays_the_book_out_leaves_its_pieces_to_the_pdf(tmp_path):
    """An EPUB-only build without a cached page map lays the print edition out (and keeps its
    pieces); the PDF built next lays nothing out again."""
    book = copy_fixture("print-book", tmp_path)
    out = tmp_path / "out"
    assert laid_out(book, out, ("epub",))
    assert laid_out(book, out, ("pdf",)) == []


def test_a_damaged_cache_is_laid_out_again_not_trusted(tmp_path):
    book = copy_fixture("print-book", tmp_path)
    out = tmp_path / "out"
    laid_out(book, out)
    folder = out / ".cache" / "layout"
    for record in folder.glob("*.json"):
        record.write_text("{not json", encoding="utf-8")
    for piece in list(folder.glob("*.pdf"))[:2]:
        piece.unlink()
    again = laid_out(book, out)
    assert len(set(again)) > 4
    proc = subprocess.run(["qpdf", "--check", str(pdf_of(out))], capture_output=True, text=True)
    assert proc.returncode == 0


# ------------------------------------------------------------------ chapters that do not open a page


def test_a_chapter_that_continues_on_the_page_before_is_laid_out_with_it(tmp_path, monkeypatch):
    """A chapter that does not open a new page (a theme setting chapters to continue) cannot be
    laid out alone: the layout finds it out and lays it out with the chapter before it; the pages
    are those of one layout of the whole book."""
    from book.commands.build import Options, load_and_resolve
    from book.publish import printlayout
    from book.publish.join import write_joined
    from book.publish.layout import layout
    from book.render import render_print

    css = "section.chapter.in-part + section.chapter.in-part { break-before: auto; page: auto; }"
    monkeypatch.setattr(printlayout, "render_print", lambda ms: render_print(ms, css_extra=css))
    book = copy_fixture("print-book", tmp_path)
    ms = load_and_resolve(Options(book, tmp_path / "out"))
    lay = printlayout.lay_out_book(ms, tmp_path / "out", jobs=1)
    joined_file = tmp_path / "out" / ".cache" / "layout" / "joined.json"
    assert json.loads(joined_file.read_text())["data"] == ["lists"]
    assert lay.laid_out.count("lists") == 1, "laid out alone once, found to continue the page before"
    write_joined(lay, tmp_path / "joined.pdf")
    whole = layout(ms, render_print(ms, css_extra=css))
    whole.document.write_pdf(tmp_path / "whole.pdf")
    same_pages(tmp_path / "joined.pdf", tmp_path / "whole.pdf", tmp_path, lay.page_count)
    # A build that knows it lays it out with the chapter before from the start.
    (tmp_path / "out2" / ".cache" / "layout").mkdir(parents=True)
    (tmp_path / "out2" / ".cache" / "layout" / "joined.json").write_bytes(joined_file.read_bytes())
    again = printlayout.lay_out_book(ms, tmp_path / "out2", jobs=1)
    assert "lists" not in again.laid_out and len(again.laid_out) == len(set(again.laid_out)) + 1  # the contents
