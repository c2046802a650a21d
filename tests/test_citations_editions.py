"""Issue 4 end to end: every citation form, in two CSL styles, in all three editions.

The fixture book tests/fixtures/citations holds each pandoc form once; the
formatted text must be the same in the PDF, the EPUB and the web edition, and
every cited work must link to its entry in the reference list.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, epub_files, normalise, pdf_pages_text, run_build
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader

# What each line of chapters/forms.md must read in each style (checked against pandoc 2.17).
EXPECTED = {
    "chicago-author-date": [
        "Plain: (Smith 2001).",
        "Page: (Smith 2001, 12).",
        "Pages: (Smith 2001, 3–5, 9).",
        "Two works: (Smith 2001; Jones 1999, chap. 2).",
        "Prefix and suffix: (see Smith 2001, 4, emphasis added).",
        "In text: Smith (2001, 12) says so.",
        "Suppressed: Smith says so (2001).",
        "Not citations: write to me@example.org or to @smith2001.",
        "Only the chapter in a book: (Brown 2010, 45).",
    ],
    "ieee": [
        "Plain: [1].",
        "Page: [1, p. 12].",
        "Pages: [1, pp. 3–5, 9].",
        "Two works: [1], [2, Ch. 2].",
        "Prefix and suffix: see [1, p. 4], emphasis added.",
        "Suppressed: Smith says so [1].",
        "Not citations: write to me@example.org or to @smith2001.",
        "Only the chapter in a book: [3, p. 45].",
    ],
}
# The reference list, in the style's order (the nocite work included).
REFERENCES = {
    "chicago-author-date": [
        "Brown, Ann. 2010. “Treaties in Context.” In Essays on Diplomacy, edited by Tom White. Penguin.",
        "Green, Lee. 2020. “Archives Online.” The Archive Site, May 6. https://example.org/archives.",
        "Jones, Mary. 1999. “Diplomacy Between the Wars.” Journal of Modern History 12 (3): 100–120.",
        "Smith, John. 2001. A History of Treaties. Oxford University Press.",
    ],
    "ieee": [
        "[1] J. Smith, A History of Treaties. Oxford: Oxford University Press, 2001.",
        "[2] M. Jones, “Diplomacy Between the Wars,” Journal of Modern History, vol. 12, no. 3, pp. 100–120, 1999.",
        "[3] A. Brown, “Treaties in Context,” in Essays on Diplomacy, T. White, Ed., London: Penguin, 2010, pp. 40–60.",
        "[4] L. Green, “Archives Online,” The Archive Site. Accessed: Jan. 02, 2021. [Online]. Available: https://example.org/archives",
    ],
}
KEYS = ["smith2001", "jones1999", "brown2010"]


@pytest.fixture(scope="module", params=["chicago-author-date", "ieee"])
def built(request, tmp_path_factory) -> tuple[str, Path]:
    style = request.param
    tmp = tmp_path_factory.mktemp(style)
    book = tmp / "book"
    shutil.copytree(FIXTURES / "citations", book)
    yaml = (book / "book.yaml").read_text().replace("csl: chicago-author-date", f"csl: {style}")
    (book / "book.yaml").write_text(yaml)
    proc = run_build("pdf", "epub", "web", "--book", str(book), "--out", str(tmp / "dist"))
    assert proc.returncode == 0, proc.stderr
    return style, tmp / "dist"


def _text_of(path_or_bytes, xml: bool) -> str:
    if xml:
        root = etree.fromstring(path_or_bytes)
    else:
        root = lxml_html.fromstring(path_or_bytes)
    for bad in root.xpath("//*[local-name()='nav' or local-name()='header' or local-name()='footer' or @class='cited-in']"):
        bad.getparent().remove(bad)
    return normalise("".join(root.itertext()))


def test_pdf_text(built):
    style, dist = built
    text = normalise(" ".join(pdf_pages_text(dist / "citation-forms.pdf")))
    for line in EXPECTED[style]:
        assert line in text, line
    for entry in REFERENCES[style]:
        assert normalise(entry) in text.replace("/ ", "/"), entry


def test_epub_text_and_links(built):
    style, dist = built
    files = epub_files(dist / "citation-forms.epub")
    text = _text_of(files["EPUB/forms.xhtml"], True) + " " + _text_of(files["EPUB/second.xhtml"], True)
    for line in EXPECTED[style]:
        assert line in text, line
    refs = _text_of(files["EPUB/references.xhtml"], True)
    positions = [refs.find(normalise(e)) for e in REFERENCES[style]]
    assert -1 not in positions and positions == sorted(positions), refs
    forms = files["EPUB/forms.xhtml"].decode()
    for key in KEYS[:2]:
        assert f'href="references.xhtml#ref-{key}"' in forms
    assert 'id="ref-smith2001"' in files["EPUB/references.xhtml"].decode()


def test_web_text_and_links(built):
    style, dist = built
    web = dist / "web"
    text = _text_of((web / "forms.html").read_bytes(), False) + " " + _text_of((web / "second.html").read_bytes(), False)
    for line in EXPECTED[style]:
        assert line in text, line
    refs = _text_of((web / "references.html").read_bytes(), False)
    positions = [refs.find(normalise(e)) for e in REFERENCES[style]]
    assert -1 not in positions and positions == sorted(positions), refs
    assert 'href="references.html#ref-smith2001"' in (web / "forms.html").read_text()
    assert 'href="references.html#ref-brown2010"' in (web / "second.html").read_text()


def test_pdf_citations_link_to_their_entries(built):
    _style, dist = built
    reader = PdfReader(dist / "citation-forms.pdf")
    destinations = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    pages = pdf_pages_text(dist / "citation-forms.pdf")
    forms_page = next(i for i, p in enumerate(pages) if "Plain:" in p)
    targets = set()
    for annot in reader.pages[forms_page].get("/Annots", []):
        annot = annot.get_object()
        dest = annot.get("/Dest") or (annot.get("/A") or {}).get("/D")
        if dest is not None:
            targets.add(str(dest))
    for key in ("smith2001", "jones1999"):
        assert f"ref-{key}" in targets, targets
        refs_page = next(i for i, p in enumerate(pages) if normalise(p).startswith("References"))
        assert destinations[f"ref-{key}"] == refs_page
