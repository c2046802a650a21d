"""The engine end to end: a fixture book becomes a PDF, an EPUB and a web edition."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import (
    copy_fixture,
    epub_files,
    epubcheck,
    normalise,
    pdf_pages_text,
    run_build,
)
from lxml import etree
from pypdf import PdfReader

CHAPTERS = ["Preface", "Alpha Chapter Opens the Story of the Book", "Beta", "Gamma"]
PARTS = ["The First Part", "The Second Part"]


def test_outputs_exist(basic_build: Path):
    assert (basic_build / "the-test-book.pdf").is_file()
    assert (basic_build / "the-test-book.epub").is_file()
    assert (basic_build / "web" / "index.html").is_file()
    sums = (basic_build / "SHA256SUMS").read_text()
    assert "the-test-book.pdf" in sums and "web/index.html" in sums


def test_pdf_holds_every_chapter_title(basic_build: Path):
    text = normalise(" ".join(pdf_pages_text(basic_build / "the-test-book.pdf")))
    for title in CHAPTERS + PARTS:
        assert title in text


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    out = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item)))
    walk(reader.outline, 0)
    return out


def test_outline_lists_parts_and_chapters(basic_build: Path):
    reader = PdfReader(basic_build / "the-test-book.pdf")
    outline = _outline(reader)
    titles = [t for _d, t, _p in outline]
    for title in CHAPTERS + PARTS:
        assert title in titles
    depth = {t: d for d, t, _p in outline}
    assert depth["The First Part"] == 0 and depth["Beta"] == 1 and depth["Preface"] == 0


def _opening_pages(pages: list[str], titles: list[str]) -> dict[str, int]:
    found = {}
    for title in titles:
        for i, page in enumerate(pages):
            if normalise(page).startswith(title) or re.match(rf"^([ivx\d]+ )?{re.escape(title)}", normalise(page)):
                if i > 4:  # past the title pages and contents
                    found[title] = i
                    break
    return found


def test_toc_page_numbers_match_chapter_pages(basic_build: Path):
    pdf = basic_build / "the-test-book.pdf"
    pages = pdf_pages_text(pdf)
    labels = PdfReader(pdf).page_labels
    toc_index = next(i for i, p in enumerate(pages) if normalise(p).startswith("Contents"))
    toc = normalise(pages[toc_index])
    toc = re.sub(r"(\s?\.){2,}", " ", toc)
    openings = _opening_pages(pages, CHAPTERS)
    assert set(openings) == set(CHAPTERS)
    for title, index in openings.items():
        m = re.search(re.escape(title) + r"\s+([ivxlc]+|\d+)\b", toc)
        assert m, f"{title} not in contents: {toc}"
        assert m.group(1) == labels[index], (title, m.group(1), labels[index])


def test_page_labels_roman_then_arabic(basic_build: Path):
    labels = PdfReader(basic_build / "the-test-book.pdf").page_labels
    assert labels[0] == "i"
    first_arabic = labels.index("1")
    assert all(re.fullmatch(r"[ivxlc]+", l) for l in labels[:first_arabic])
    assert labels[first_arabic:] == [str(n) for n in range(1, len(labels) - first_arabic + 1)]


def test_epub_passes_epubcheck(basic_build: Path, tmp_path: Path):
    report = epubcheck(basic_build / "the-test-book.epub", tmp_path)
    assert report["summary"] == (0, 0, 0, 0), report["output"]


def test_epub_nav_follows_book_order(basic_build: Path):
    files = epub_files(basic_build / "the-test-book.epub")
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=ns)[0]
    titles = [normalise("".join(a.itertext())) for a in toc.iter("{http://www.w3.org/1999/xhtml}a")]
    assert titles == ["Preface", "The First Part", "Alpha Chapter Opens the Story of the Book", "Beta",
                      "The Second Part", "Gamma", "References"]
    assert files["mimetype"] == b"application/epub+zip"
    for name in ("EPUB/alpha.xhtml", "EPUB/beta.xhtml", "EPUB/gamma.xhtml", "EPUB/preface.xhtml", "EPUB/toc.ncx"):
        assert name in files


def test_web_edition_has_a_page_per_chapter(basic_build: Path):
    web = basic_build / "web"
    for name in ("index.html", "preface.html", "alpha.html", "beta.html", "gamma.html", "references.html"):
        assert (web / name).is_file(), name
    alpha = (web / "alpha.html").read_text()
    assert 'href="gamma.html"' in alpha
    assert 'href="references.html#ref-smith2001"' in alpha


def test_yaml_error_names_file_and_line(tmp_path: Path):
    book = copy_fixture("basic", tmp_path)
    text = (book / "book.yaml").read_text().replace("lang: en", "lang: [en")
    (book / "book.yaml").write_text(text)
    proc = run_build("--book", str(book), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 1
    line = text.splitlines().index("lang: [en") + 1
    assert re.search(rf"book\.yaml:({line}|{line + 1}):\d+: error: YAML syntax error", proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_key_is_reported(tmp_path: Path):
    book = copy_fixture("basic", tmp_path)
    text = (book / "book.yaml").read_text().replace("title: The Test Book", "tilte: The Test Book")
    (book / "book.yaml").write_text(text)
    proc = run_build("--book", str(book), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 1
    assert "book.yaml:1:1: error: unknown key 'tilte'" in proc.stderr
    assert "did you mean 'title'" in proc.stderr


def test_bad_usage_exits_2():
    proc = run_build("nonsense")
    assert proc.returncode == 2
    assert "unknown edition" in proc.stderr
