"""A book's own look: its font, style options, words, stylesheets and templates, in every edition;
and what it may not do with them, refused at the file and line.

The ``themed`` fixture brings a heading face of its own (``fonts:``), chooses a size, leading,
accent colour, page size, margins, chapter openings and numbering (``style:``, ``print:``), words
two generated strings its own way (``strings:``), loads a stylesheet into every edition and one
into print (``css:``), and replaces one template, the colophon every edition prints
(``templates/common/_colophon.html``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_fixture, pdf_pages_text, run_build

SLUG = "a-themed-book"


@pytest.fixture(scope="module")
def themed(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("themed")
    book = copy_fixture("themed", tmp)
    out = tmp / "dist"
    proc = run_build("--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    proc = run_build("handout", "first", "--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return book, out


def _epub(out: Path) -> dict[str, str]:
    with zipfile.ZipFile(out / f"{SLUG}.epub") as z:
        return {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}


def test_the_overridden_template_shows_in_every_edition(themed):
    _book, out = themed
    colophon = "Set by hand at the Themed Press in"
    assert colophon in " ".join(pdf_pages_text(out / f"{SLUG}.pdf"))
    assert colophon in " ".join(pdf_pages_text(out / f"{SLUG}-archival.pdf"))
    assert colophon in " ".join(pdf_pages_text(out / "handouts" / "first.pdf"))
    assert colophon in _epub(out)["EPUB/title-page.xhtml"]
    assert all(colophon in page.read_text(encoding="utf-8") for page in (out / "web").glob("*.html"))


def test_the_stylesheets_load_after_the_builder_s_in_every_edition(themed):
    book, out = themed
    epub = _epub(out)
    own = epub["EPUB/styles/book-own.css"]
    assert "h1.chapter-title { color: #5b2a86; }" in own and ".toc-title" not in own  # print.css is print's
    assert 'url("../images/ornament.png")' in own and "EPUB/images/ornament.png" in epub
    chapter = epub["EPUB/first.xhtml"]
    assert chapter.index('href="styles/book.css"') < chapter.index('href="styles/book-own.css"')
    web = out / "web"
    assert 'url("../images/ornament.png")' in (web / "assets/book-own.css").read_text(encoding="utf-8")
    assert (web / "images/ornament.png").is_file()
    page = (web / "first.html").read_text(encoding="utf-8")
    assert page.index("assets/book.css") < page.index("assets/book-own.css")
    # Print: both stylesheets, after the builder's, their url() pointing into the book.
    from book.load import load_book
    from book.render import render_print
    from book.resolve import resolve

    html = render_print(resolve(load_book(book)))
    head = html[: html.index("</head>")]
    assert head.index("@page") < head.index("/* styles/book.css */") < head.index("/* styles/print.css */")
    assert 'url("images/ornament.png")' in head


def test_style_strings_and_the_book_s_font(themed):
    _book, out = themed
    pages = pdf_pages_text(out / f"{SLUG}.pdf")
    text = " ".join(pages)
    assert "Table of Contents" in text and "Contents" not in text.replace("Table of Contents", "")
    assert "CHAPTER 1" in text and "1.1 Margins" in text and "2.1 Headings" in text  # numbered, sections listed
    contents = next(p for p in pages if "Table of Contents" in p)
    assert "Margins" in contents and "Headings" in contents  # contents-depth: 2
    listing = subprocess.run(["pdffonts", str(out / f"{SLUG}.pdf")], capture_output=True, text=True).stdout
    assert "Book-Sans" in listing  # the heading role, drawn from the book's own file
    size = subprocess.run(["pdfinfo", str(out / f"{SLUG}.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+432 x 648 pts", size)  # 6 × 9 in
    assert not any(re.match(r"\s*A Themed Book\s*$", line) for p in pages[5:] for line in p.splitlines()[:1])
    epub = _epub(out)
    assert "Endnotes" in epub["EPUB/first.xhtml"] and "Table of Contents" in epub["EPUB/nav.xhtml"]
    assert 'href="first.xhtml#margins"' in epub["EPUB/nav.xhtml"]  # contents-depth: 2
    assert any(n.startswith("EPUB/fonts/") and "BookSans" in n for n in epub)
    web = (out / "web" / "index.html").read_text(encoding="utf-8")
    assert "Table of Contents" in web
    assert "--accent: #5b2a86" in (out / "web" / "assets" / "book.css").read_text(encoding="utf-8")


def _broken(tmp_path: Path, edit) -> subprocess.CompletedProcess:
    book = copy_fixture("themed", tmp_path)
    edit(book)
    return run_build("--book", str(book), "--out", str(tmp_path / "dist"))


@pytest.mark.parametrize("css, message", [
    ('h1 { background: url(http://example.com/x.png); }', "url 'http://example.com/x.png' is a URL"),
    ("h1 { background: url('../../etc/passwd'); }", "url '../../etc/passwd' leads outside the book folder"),
    ('@import "other.css";', "the stylesheet uses @import"),
    ('@font-face { font-family: X; src: local("Arial"); }', "the stylesheet uses local"),
])
def test_a_stylesheet_reaching_outside_the_book_is_refused_at_its_line(tmp_path, css, message):
    def edit(book: Path) -> None:
        sheet = book / "styles" / "book.css"
        sheet.write_text(sheet.read_text(encoding="utf-8") + "\n/* a comment: url(http://ignored) */\n" + css + "\n",
                         encoding="utf-8")
    proc = _broken(tmp_path, edit)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line = len((FIXTURES / "themed/styles/book.css").read_text(encoding="utf-8").splitlines()) + 3
    assert re.search(rf"styles/book\.css:{line}:\d+: error: {re.escape(message)}", proc.stderr), proc.stderr
    assert not (tmp_path / "dist").exists()


def test_a_mistake_in_the_book_s_template_is_reported_at_its_line(tmp_path):
    def edit(book: Path) -> None:
        (book / "templates/common/_colophon.html").write_text("Set in\n{{ no_such_thing.at_all }}.\n", encoding="utf-8")
    proc = _broken(tmp_path, edit)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert re.search(r"templates/common/_colophon\.html:2: error: the template has a mistake: .*no_such_thing",
                     proc.stderr), proc.stderr

    def syntax(book: Path) -> None:
        (book / "templates/common/_colophon.html").write_text("Set in {% if %}\n", encoding="utf-8")
    shutil.rmtree(tmp_path / "themed")
    proc = _broken(tmp_path, syntax)
    assert proc.returncode == 1 and re.search(r"_colophon\.html:1: error: the template has a mistake", proc.stderr)


def test_a_book_s_template_is_sandboxed(tmp_path):
    def edit(book: Path) -> None:
        (book / "templates/common/_colophon.html").write_text(
            "{{ t.__class__.__init__.__globals__ }}\n", encoding="utf-8")
    proc = _broken(tmp_path, edit)
    assert proc.returncode == 1 and "unsafe-template" in proc.stderr and "_colophon.html:1" in proc.stderr


@pytest.mark.parametrize("yaml, message", [
    ("strings:\n  contnets: Inhalt\n", "unknown string 'contnets' [book-yaml-unknown-key]\n  hint: did you mean 'contents'"),
    ("strings:\n  page-of: Seite {pge}\n", "'page-of' has no '{pge}' to fill in"),
    ("style:\n  accent-color: purple\n", "'purple' is not a colour"),
    ("style:\n  text-font: Comic Sans\n", "no font family 'Comic Sans'"),
    ("print:\n  chapter-opening: verso\n", "'chapter-opening' cannot be 'verso'"),
])
def test_bad_style_settings_are_errors_at_their_line(tmp_path, yaml, message):
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "basic", book)
    config = book / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8") + yaml, encoding="utf-8")
    proc = run_build("check", "--book", str(book))
    assert proc.returncode == 1 and message in proc.stdout, proc.stdout
    line = len(config.read_text(encoding="utf-8").splitlines())
    assert re.search(rf"book\.yaml:{line}:\d+: error: ", proc.stdout), proc.stdout
