"""Raw HTML and awkward metadata: what is allowed works in every edition, what is text stays text.

One build of the 'basic' book whose title, author and description are full
of ``<``, ``&`` and quotes (and a ``<script>`` that must stay words), and
whose first chapter uses the raw HTML an author may write — ``<abbr title>``,
``<sup>``, ``<span lang>``. The PDF's metadata (pdfinfo), the EPUB's package
document and chapter (parsed as XML) and the web pages (parsed as HTML) must
all show exactly those characters, and the allowed tags must arrive intact.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import (
    copy_fixture,
    epubcheck,
    normalise,
    pdf_pages_text,
    require,
    run_build,
)
from lxml import etree
from lxml import html as lxml_html

TITLE = """Cats & <Dogs>: "Quoted" and 'Single'"""
AUTHOR = """Ann O'Brien & "Sons" <Ltd>"""
DESCRIPTION = "A book about <script>alert(1)</script> & other &amp; entities."
SLUG = "escaping"
RAW = ('The <abbr title="North Atlantic Treaty Organization">NATO</abbr> council met on the '
       '3<sup>rd</sup> and said <span lang="de">Guten Tag</span> to everyone.')
DC = "{http://purl.org/dc/elements/1.1/}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _yaml_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("escaping")
    book = copy_fixture("basic", tmp)
    config = book / "book.yaml"
    text = config.read_text()
    text = text.replace("title: The Test Book", f"title: {_yaml_quoted(TITLE)}\nslug: {SLUG}")
    text = text.replace("  - name: Ada Writer\n    file-as: Writer, Ada", f"  - name: {_yaml_quoted(AUTHOR)}")
    text = text.replace("description: A small book that exercises every feature of the builder.",
                        f"description: {_yaml_quoted(DESCRIPTION)}")
    config.write_text(text)
    alpha = book / "chapters" / "alpha.md"
    alpha.write_text(alpha.read_text().rstrip("\n").replace("\n[^1]:", f"\n{RAW}\n\n[^1]:", 1) + "\n")
    out = tmp / "dist"
    proc = run_build("--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def test_pdf_metadata_keeps_the_characters(edition: Path):
    require("pdfinfo", "poppler-utils")
    info = subprocess.run(["pdfinfo", "-enc", "UTF-8", str(edition / f"{SLUG}.pdf")], capture_output=True,
                          text=True, check=True).stdout
    fields = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in info.splitlines() if ":" in line)}
    assert fields["Title"].startswith(TITLE), fields["Title"]
    assert fields["Author"] == AUTHOR
    assert fields["Subject"] == DESCRIPTION


def test_pdf_shows_the_allowed_raw_html(edition: Path):
    text = normalise(" ".join(pdf_pages_text(edition / f"{SLUG}.pdf")))
    assert "The NATO council met on the 3rd and said Guten Tag to everyone." in text.replace("3 rd", "3rd")
    assert "Cats & <Dogs>: “Quoted” and ‘Single’" in text  # typeset with curly quotes, on the title page


def test_epub_package_document_holds_the_exact_metadata(edition: Path, tmp_path: Path):
    with zipfile.ZipFile(edition / f"{SLUG}.epub") as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
    assert TITLE in [t.text for t in opf.iter(f"{DC}title")]
    assert [c.text for c in opf.iter(f"{DC}creator")] == [AUTHOR]
    assert [d.text for d in opf.iter(f"{DC}description")] == [DESCRIPTION]
    report = epubcheck(edition / f"{SLUG}.epub", tmp_path)
    assert report["summary"] == (0, 0, 0, 0), report["output"]


def test_epub_chapter_keeps_the_allowed_tags(edition: Path):
    with zipfile.ZipFile(edition / f"{SLUG}.epub") as epub:
        names = epub.namelist()
        chapter = etree.fromstring(epub.read("EPUB/alpha.xhtml"))
        documents = [etree.fromstring(epub.read(n)) for n in names if n.endswith(".xhtml")]
    ns = {"x": XHTML[1:-1]}
    abbr = chapter.xpath("//x:abbr", namespaces=ns)
    assert [(a.text, a.get("title")) for a in abbr] == [("NATO", "North Atlantic Treaty Organization")]
    assert [s.text for s in chapter.xpath("//x:sup", namespaces=ns)] == ["rd"]
    assert [s.text for s in chapter.xpath("//x:span[@lang='de']", namespaces=ns)] == ["Guten Tag"]
    for doc in documents:
        assert not doc.xpath("//x:script", namespaces=ns)


def test_web_pages_keep_the_tags_and_escape_the_metadata(edition: Path):
    alpha = lxml_html.parse(str(edition / "web" / "alpha.html")).getroot()
    assert [(a.text, a.get("title")) for a in alpha.iter("abbr")] == [("NATO", "North Atlantic Treaty Organization")]
    assert [s.text for s in alpha.iter("sup")] == ["rd"]
    assert [s.text for s in alpha.xpath("//span[@lang='de']")] == ["Guten Tag"]
    index = lxml_html.parse(str(edition / "web" / "index.html")).getroot()
    assert TITLE in index.findtext(".//title")
    assert not index.xpath("//dogs | //ltd"), "metadata was written as markup"
    page = (edition / "web" / "index.html").read_text()
    for doc in (edition / "web").glob("*.html"):
        root = lxml_html.parse(str(doc)).getroot()
        assert all("alert(1)" not in (s.text or "") for s in root.iter("script")), doc.name
        assert "<script>alert" not in doc.read_text(), doc.name
    assert "&lt;Dogs&gt;" in page or "&lt;Dogs>" in page
