"""The EPUB edition: structure, navigation, print page numbers, notes, metadata, cover, fonts.

Real books are built (the sample book once per session, the 'basic' and
'epub-features' fixtures) and their EPUBs read back with lxml, W3C EPUBCheck,
pypdf and poppler. The print page numbers are checked against the print PDF
of the same build: the text after each page-break marker must be the text
that opens that page of the PDF.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, copy_fixture, epubcheck, pdf_pages_text, require, run_build
from epub_helpers import (
    EPUB_TYPE,
    NS,
    Epub,
    print_page_text,
    squeeze,
    text_with_markers,
    toc_tree,
)
from lxml import etree
from pypdf import PdfReader

SAMPLE = "world-war-ii-diplomacy"
FEATURES = "conferences-and-pacts"


@pytest.fixture(scope="module")
def features_build(tmp_path_factory) -> Path:
    """The 'epub-features' fixture (its own cover, notes, lists, tables, figures, back matter): the
    print PDF, whose pages the EPUB's page list follows, and the EPUB."""
    tmp = tmp_path_factory.mktemp("epub-features")
    book = copy_fixture("epub-features", tmp)
    out = tmp / "dist"
    proc = run_build("pdf", "epub", "--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def books(sample_build: Path, basic_build: Path, features_build: Path) -> list[tuple[Path, Path]]:
    return [(sample_build / f"{SAMPLE}.epub", sample_build / f"{SAMPLE}.pdf"),
            (basic_build / "the-test-book.epub", basic_build / "the-test-book.pdf"),
            (features_build / f"{FEATURES}.epub", features_build / f"{FEATURES}.pdf")]


@pytest.fixture(params=["sample", "basic", "features"])
def built(request, sample_build, basic_build, features_build) -> tuple[Path, Path]:
    """(EPUB, print PDF) of each book."""
    index = ["sample", "basic", "features"].index(request.param)
    return books(sample_build, basic_build, features_build)[index]


# ------------------------------------------------------------- validity


def test_epubcheck_reports_nothing(built, tmp_path):
    report = epubcheck(built[0], tmp_path)
    assert report["summary"] == (0, 0, 0, 0), report["output"]


def test_container_order_and_dates(built):
    import zipfile
    with zipfile.ZipFile(built[0]) as z:
        infos = z.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    from book.publish.stamp import build_time
    epub = Epub.open(built[0])
    when = build_time(epub.dc("date")[0].text)  # the book's date, unless SOURCE_DATE_EPOCH says otherwise
    assert {info.date_time for info in infos} == {(when.year, when.month, when.day, when.hour, when.minute,
                                                   when.second)}
    assert epub.meta("dcterms:modified") == [when.strftime("%Y-%m-%dT%H:%M:%SZ")]


# ------------------------------------------------------------- structure


def _book_yaml_toc(book_yaml: Path) -> list[tuple[str, list[str]]]:
    """The table of contents book.yaml asks for: [(title, [chapter titles])], references excluded."""
    data = yaml.safe_load(book_yaml.read_text(encoding="utf-8"))

    def title(rel: str) -> str:
        text = (book_yaml.parent / rel).read_text(encoding="utf-8")
        return yaml.safe_load(text.split("---")[1])["title"]
    out: list[tuple[str, list[str]]] = [(title(rel), []) for rel in data.get("front", [])]
    for item in data["chapters"]:
        if isinstance(item, dict):
            out.append((item["part"], [title(rel) for rel in item["chapters"]]))
        else:
            out.append((title(item), []))
    return out, [(title(rel), []) for rel in data.get("back", [])]


def _plain(title: str) -> str:
    return squeeze(title.replace("'", "’").replace("--", "–"))


@pytest.mark.parametrize("which", ["sample", "features"])
def test_nav_and_ncx_follow_book_yaml(which, sample_build, features_build):
    out, name, src = ((sample_build, SAMPLE, ROOT / "content") if which == "sample"
                      else (features_build, FEATURES, ROOT / "tests/fixtures/epub-features"))
    epub = Epub.open(out / f"{name}.epub")
    body, back = _book_yaml_toc(src / "book.yaml")
    nav = toc_tree(epub.nav("toc").find("x:ol", NS))
    got = [(_plain(t), [_plain(c) for c, _h, _k in kids]) for t, _h, kids in nav]
    want = [(_plain(t), [_plain(c) for c in kids]) for t, kids in body]
    assert got[:len(want)] == want
    assert nav[len(want)][1] == "references.xhtml"  # the bibliography, under the book's own heading
    index = [(_plain("Index"), [])] if yaml.safe_load((src / "book.yaml").read_text()).get("index") else []
    assert got[len(want) + 1:] == [(_plain(t), []) for t, _k in back] + index
    # Every entry leads to a document of the spine, parts before their chapters.
    spine = epub.spine()
    hrefs = [h for _t, h, kids in nav for h in [h, *(k[1] for k in kids)]]
    assert all(h in spine for h in hrefs) and [spine.index(h) for h in hrefs] == sorted(spine.index(h) for h in hrefs)
    # The NCX says the same, nested the same way, for EPUB 2 readers.
    ncx = etree.fromstring(epub.files[epub.href("toc.ncx")])
    points = ncx.findall("ncx:navMap/ncx:navPoint", NS)
    ncx_tree = [(_plain(p.findtext("ncx:navLabel/ncx:text", namespaces=NS)),
                 [_plain(c.findtext("ncx:navLabel/ncx:text", namespaces=NS)) for c in p.findall("ncx:navPoint", NS)])
                for p in points]
    assert ncx_tree == got
    depth = ncx.find("ncx:head/ncx:meta[@name='dtb:depth']", NS).get("content")
    assert depth == "2"


def test_landmarks_and_spine(built):
    epub = Epub.open(built[0])
    spine = epub.spine()
    assert spine[:3] == ["cover.xhtml", "title-page.xhtml", epub.nav_href()]
    marks = {a.get(EPUB_TYPE): a.get("href") for a in epub.nav("landmarks").iter(f"{{{NS['x']}}}a")}
    assert set(marks) - {"index"} == {"cover", "titlepage", "toc", "bodymatter", "bibliography"}
    assert ("index" in marks) == ("book-index.xhtml" in spine)
    for kind, href in marks.items():
        path, fragment = epub.resolve(epub.nav_href(), href)
        assert path in epub.files, href
        if fragment:
            assert etree.fromstring(epub.files[path]).xpath(f"//*[@id='{fragment}']"), href
    body_doc = epub.doc(marks["bodymatter"])
    assert body_doc.find("x:body", NS).get(EPUB_TYPE) == "bodymatter"


def test_semantics_and_lang_on_every_document(built):
    epub = Epub.open(built[0])
    lang = epub.dc("language")[0].text
    kinds: dict[str, set[str]] = {}
    for href in epub.spine():
        root = epub.doc(href)
        assert root.get("lang") == lang and root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang, href
        for section in root.iter(f"{{{NS['x']}}}section"):
            kinds.setdefault(section.get(EPUB_TYPE), set()).add(section.get("role") or "")
        for img in root.iter(f"{{{NS['x']}}}img"):
            assert (img.get("alt") or "").strip(), f"{href}: image without alt text"
    assert kinds["chapter"] == {"doc-chapter"}
    assert kinds["bibliography"] == {"doc-bibliography"}
    assert kinds["cover"] and kinds["titlepage"]
    if "part" in kinds:
        assert kinds["part"] == {"doc-part"}


# ---------------------------------------------------------- print pages


def test_page_list_has_every_print_page(built):
    epub_path, pdf = built
    epub = Epub.open(epub_path)
    labels = PdfReader(pdf).page_labels
    entries = [("".join(a.itertext()), a.get("href")) for a in epub.nav("page-list").iter(f"{{{NS['x']}}}a")]
    assert [label for label, _h in entries] == list(labels)
    assert len(entries) == len(PdfReader(pdf).pages)
    markers = {}
    for href in epub.spine():
        for span in epub.doc(href).iter(f"{{{NS['x']}}}span"):
            if span.get(EPUB_TYPE) == "pagebreak":
                assert span.get("role") == "doc-pagebreak" and span.get("aria-label") and not len(span)
                markers[span.get("id")] = (href, span.get("aria-label"))
    for label, href in entries:
        path, fragment = epub.resolve(epub.nav_href(), href)
        assert markers[fragment] == (path.split("/")[-1], label)
    assert len(markers) == len(entries)
    # Reading order: markers appear in the spine in page order.
    order = [span.get("aria-label") for href in epub.spine() for span in epub.doc(href).iter(f"{{{NS['x']}}}span")
             if span.get(EPUB_TYPE) == "pagebreak"]
    assert order == list(labels)
    # The NCX carries the same page list for EPUB 2 readers.
    ncx = etree.fromstring(epub.files[epub.href("toc.ncx")])
    targets = ncx.findall("ncx:pageList/ncx:pageTarget", NS)
    assert [t.findtext("ncx:navLabel/ncx:text", namespaces=NS) for t in targets] == list(labels)
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:totalPageCount']", NS).get("content") == str(len(labels))


def test_text_after_each_marker_opens_its_print_page(built):
    """For every page of the print edition that has text, in every chapter, part and the references,
    the e-book's text after marker N is the text that opens page N of the PDF."""
    epub_path, pdf = built
    epub = Epub.open(epub_path)
    pages = pdf_pages_text(pdf)
    labels = PdfReader(pdf).page_labels
    index = {label: i for i, label in enumerate(labels)}
    checked = 0
    for href in epub.spine():
        if href in ("cover.xhtml", "title-page.xhtml", epub.nav_href(), "book-index.xhtml"):
            # Their print counterparts differ by design (half-title, copyright, contents), or are set
            # in two columns whose heads pdftotext reads as one line (the index).
            continue
        text = text_with_markers(epub.doc(href))
        for m in re.finditer("\x01([^\x02]+)\x02", text):
            page = print_page_text(pages[index[m.group(1)]])
            if not page:
                continue  # a blank page: its marker goes with the next page's
            rest = re.sub("\x01[^\x02]*\x02", "", text[m.end():])
            after = squeeze(rest)[:40]
            assert after, f"marker {m.group(1)} is at the end of {href}"
            if after not in page[:len(after) + 90]:
                # A page that opens inside a word hyphenated across the turn: the marker is at the
                # start of the word, whose first part ends the page before ("Rus-" / "sians").
                before = re.sub(r"\n\s*[0-9ivxlc]+\s*$", "", pages[index[m.group(1)] - 1].rstrip())  # its folio
                assert before.endswith("\u2010"), (m.group(1), href, after, page[:150])
                first = before[:-1].split()[-1].casefold()
                assert rest.lstrip().casefold().startswith(first), (m.group(1), first, rest[:40])
                after = squeeze(rest)[len(first):40]
                assert after in page[:len(after) + 90], (m.group(1), href, after, page[:150])
            checked += 1
    assert checked >= len([p for p in pages if p.strip()]) * 0.7, checked


def test_print_edition_is_the_page_source(built):
    epub = Epub.open(built[0])
    pages = len(PdfReader(built[1]).pages)
    sources = [s.text for s in epub.dc("source")]
    print_source = epub.meta("pageBreakSource")
    assert len(print_source) == 1 and print_source[0] in sources
    assert "print edition" in print_source[0] and f"{pages} pages" in print_source[0]
    assert "printPageNumbers" in epub.meta("schema:accessibilityFeature")


# ----------------------------------------------------------------- notes


@pytest.mark.parametrize("which", ["basic", "features"])
def test_every_noteref_resolves_to_an_aside_and_back(which, basic_build, features_build):
    path = (basic_build / "the-test-book.epub") if which == "basic" else (features_build / f"{FEATURES}.epub")
    epub = Epub.open(path)
    refs = asides = 0
    for href in epub.spine():
        root = epub.doc(href)
        ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
        for a in root.iter(f"{{{NS['x']}}}a"):
            if a.get(EPUB_TYPE) != "noteref":
                continue
            refs += 1
            assert a.get("role") == "doc-noteref"
            target_path, fragment = epub.resolve(href, a.get("href"))
            assert target_path == epub.href(href)
            aside = ids[fragment]
            assert aside.tag == f"{{{NS['x']}}}aside" and aside.get(EPUB_TYPE) == "footnote"
            assert aside.get("role") == "doc-footnote"
            back = [b for b in aside.iter(f"{{{NS['x']}}}a") if b.get("role") == "doc-backlink"]
            assert len(back) == 1 and back[0].get("href") == f"#{a.get('id')}"
        for aside in root.iter(f"{{{NS['x']}}}aside"):
            asides += 1
            assert root.xpath(f"//*[@href='#{aside.get('id')}']"), f"note {aside.get('id')} is never called"
    assert refs >= 3 and refs == asides


def test_citations_link_to_their_reference(basic_build):
    epub = Epub.open(basic_build / "the-test-book.epub")
    refs = epub.doc("references.xhtml")
    entries = {li.get("id") for li in refs.iter(f"{{{NS['x']}}}li") if "csl-entry" in (li.get("class") or "")}
    links = [a.get("href") for href in epub.spine() for a in epub.doc(href).iter(f"{{{NS['x']}}}a")
             if "citation" in (a.get("class") or "")]
    assert links and all(h.startswith("references.xhtml#") and h.split("#")[1] in entries for h in links)


# -------------------------------------------------------------- metadata


def test_metadata_of_a_book_with_every_role(features_build):
    epub = Epub.open(features_build / f"{FEATURES}.epub")
    assert epub.opf.get("version") == "3.0"
    uid = epub.opf.get("unique-identifier")
    assert epub.opf.find(f"opf:metadata/dc:identifier[@id='{uid}']", NS).text == "urn:isbn:9780306406157"
    titles = {t.get("id"): t.text for t in epub.dc("title")}
    refines = {(m.get("refines"), m.get("property")): m.text for m in epub.opf.findall("opf:metadata/opf:meta", NS)
               if m.get("refines")}
    assert titles == {"title": "Conferences and Pacts", "subtitle": "A Fixture for the E-Book"}
    assert refines[("#title", "title-type")] == "main" and refines[("#subtitle", "title-type")] == "subtitle"
    people = {el.text: el for el in epub.dc("creator") + epub.dc("contributor")}
    expect = {"Ada Writer": ("creator", "aut", "Writer, Ada"), "Boris Scribe": ("creator", "aut", "Scribe, Boris"),
              "Clara Editor": ("contributor", "edt", "Editor, Clara"),
              "Dmitri Perevodchik": ("contributor", "trl", "Perevodchik, Dmitri")}
    for name, (tag, role, file_as) in expect.items():
        el = people[name]
        ref = "#" + el.get("id")
        assert etree.QName(el).localname == tag
        assert refines[(ref, "role")] == role and refines[(ref, "file-as")] == file_as
    roles = [m for m in epub.opf.findall("opf:metadata/opf:meta", NS) if m.get("property") == "role"]
    assert all(m.get("scheme") == "marc:relators" for m in roles)
    assert not [m for m in epub.opf.findall("opf:metadata/opf:meta", NS)
                if m.get("property") == "file-as" and m.get("scheme")]
    assert epub.dc("language")[0].text == "en-GB"
    assert epub.dc("publisher")[0].text == "Fixture Press"
    assert epub.dc("date")[0].text == "2022-03-14"
    assert epub.meta("dcterms:modified") == ["2022-03-14T00:00:00Z"]
    assert epub.dc("rights")[0].text.startswith("©") and epub.dc("description")[0].text
    assert [s.text for s in epub.dc("subject")] == ["Testing", "E-books", "Diplomacy"]
    assert "Lectures given at the Fixture Institute, 2021" in [s.text for s in epub.dc("source")]


def test_accessibility_metadata(built):
    epub = Epub.open(built[0])
    has_images = any(item.get("media-type").startswith("image/") and "cover-image" not in (item.get("properties") or "")
                     for item in epub.manifest().values())
    modes = set(epub.meta("schema:accessMode"))
    assert modes == ({"textual", "visual"} if has_images else {"textual"})
    assert epub.meta("schema:accessModeSufficient") == ["textual"]
    features = set(epub.meta("schema:accessibilityFeature"))
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "printPageNumbers",
            "pageBreakMarkers", "pageNavigation", "alternativeText"} <= features
    assert epub.meta("schema:accessibilityHazard") == ["none"]
    assert len(epub.meta("schema:accessibilitySummary")[0]) > 100
    assert epub.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert epub.meta("a11y:certifiedBy")[0]


# ------------------------------------------------------------------ cover


def test_generated_cover(sample_build):
    import io

    from PIL import Image
    epub = Epub.open(sample_build / f"{SAMPLE}.epub")
    covers = [i for i in epub.manifest().values() if "cover-image" in (i.get("properties") or "")]
    assert len(covers) == 1 and covers[0].get("media-type") == "image/png"
    assert epub.opf.find("opf:metadata/opf:meta[@name='cover']", NS).get("content") == covers[0].get("id")
    image = Image.open(io.BytesIO(epub.files[epub.href(covers[0].get("href"))]))
    assert image.size == (1600, 2400)
    # Two fields of colour with type on them: not a blank image.
    assert len(image.convert("L").getcolors(maxcolors=4096) or ()) > 20
    cover_doc = epub.doc("cover.xhtml")
    img = cover_doc.find(".//x:img", NS)
    assert img.get("src") == covers[0].get("href") and "World War II Diplomacy" in img.get("alt")


def test_cover_from_book_yaml(features_build):
    epub = Epub.open(features_build / f"{FEATURES}.epub")
    covers = [i for i in epub.manifest().values() if "cover-image" in (i.get("properties") or "")]
    assert len(covers) == 1 and covers[0].get("media-type") == "image/jpeg"
    given = (ROOT / "tests/fixtures/epub-features/images/cover.jpg").read_bytes()
    assert epub.files[epub.href(covers[0].get("href"))] == given


def test_cover_must_be_a_png_or_jpeg(tmp_path):
    book = copy_fixture("basic", tmp_path)
    (book / "cover.gif").write_bytes(b"GIF89a")
    text = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(text + "cover: cover.gif\n", encoding="utf-8")
    proc = run_build("epub", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"book\.yaml:\d+:\d+: error: .*cover", proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr


def test_image_without_alt_text_fails_with_its_line(tmp_path):
    book = copy_fixture("basic", tmp_path)
    chapter = book / "chapters/beta.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("![A red square]", "![]"), encoding="utf-8")
    proc = run_build("epub", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 1
    assert re.search(r"beta\.md:8:\d+: error: .*alternative text", proc.stderr), proc.stderr


# ---------------------------------------------------------------- the look


def test_stylesheet_leaves_size_spacing_and_colour_to_the_reader(built):
    epub = Epub.open(built[0])
    css = epub.files[epub.href("styles/book.css")].decode("utf-8")
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert not re.search(r"\d(px|pt|pc|cm|mm|in)\b", rules), "absolute lengths"
    assert not re.search(r"line-height:\s*[\d.]+(em|rem|%)", rules), "fixed line heights"
    colours = re.findall(r"(?<![-\w])(?:color|background(?:-color)?):\s*([^;}]*)", rules)
    assert all(value.strip() == "inherit" for value in colours), colours
    assert "!important" not in rules
    assert not re.search(r"position:\s*(fixed|absolute)", rules)
    body = re.search(r"(?m)^body\s*\{([^}]*)\}", rules).group(1)
    assert "font-size" not in body and "line-height" not in body
    assert "hyphens: auto" in rules and "-webkit-hyphens: auto" in rules


def test_fonts_are_static_subsets_covering_the_text(built):
    import io

    from fontTools.ttLib import TTFont
    epub = Epub.open(built[0])
    fonts = {i.get("href"): epub.files[epub.href(i.get("href"))] for i in epub.manifest().values()
             if i.get("media-type") == "font/ttf"}
    assert fonts and sum(len(d) for d in fonts.values()) < 300_000
    text = "".join("".join(epub.doc(h).find("x:body", NS).itertext()) for h in epub.spine())
    css = epub.files[epub.href("styles/book.css")].decode("utf-8")
    # A script fallback (a stand-in) declares the characters it serves; the faces cover the rest.
    ranges = {m.group(1): m.group(2) for m in re.finditer(r'url\("\.\./([^"]+)"\);\s*unicode-range: ([^;]+);', css)}

    def points(declared: str) -> set[int]:
        out: set[int] = set()
        for part in declared.split(","):
            low, _, high = part.strip()[2:].partition("-")
            out.update(range(int(low, 16), int(high or low, 16) + 1))
        return out
    served = set().union(*(points(r) for r in ranges.values()))
    for href, data in fonts.items():
        font = TTFont(io.BytesIO(data))
        assert "fvar" not in font and "gvar" not in font, f"{href} is still variable"
        cmap = font.getBestCmap()
        wanted = points(ranges[href]) if href in ranges else {ord(c) for c in text} - served
        missing = {chr(c) for c in wanted if not chr(c).isspace() and c not in cmap}
        assert not missing, (href, sorted(missing))
    for href in fonts:
        assert f'url("../{href}")' in css


# ------------------------------------------------------------ reproducible


def test_same_sources_same_bytes_with_or_without_the_page_cache(tmp_path, features_build):
    """An EPUB-only build lays the print edition out (no cache yet), then reuses its cached page
    map; both give the bytes of the full build, and so does a build in another folder."""
    book = copy_fixture("epub-features", tmp_path)
    first = tmp_path / "first"
    proc = run_build("epub", "--book", str(book), "--out", str(first))
    assert proc.returncode == 0, proc.stderr
    cached = list((first / ".cache").glob("pagemap-*.json"))
    assert len(cached) == 1
    epub = (first / f"{FEATURES}.epub").read_bytes()
    assert epub == (features_build / f"{FEATURES}.epub").read_bytes()
    proc = run_build("epub", "--book", str(book), "--out", str(first))
    assert proc.returncode == 0, proc.stderr
    assert (first / f"{FEATURES}.epub").read_bytes() == epub
    assert list((first / ".cache").glob("pagemap-*.json")) == cached


def test_page_map_key_follows_the_print_sources(tmp_path):
    from book.load import load_book
    from book.publish.pagemap import source_key
    from book.resolve import resolve
    book = copy_fixture("basic", tmp_path)
    before = source_key(resolve(load_book(book)))
    assert source_key(resolve(load_book(book))) == before
    chapter = book / "chapters/beta.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert source_key(resolve(load_book(book))) != before


def test_calibre_reads_every_field_of_the_fixture(features_build):
    require("ebook-meta", "calibre")
    proc = subprocess.run(["ebook-meta", str(features_build / f"{FEATURES}.epub")], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    fields = dict(re.findall(r"(?m)^(\w[\w ()]*?)\s*: (.*)$", proc.stdout))
    assert fields["Title"] == "Conferences and Pacts: A Fixture for the E-Book"
    assert fields["Author(s)"] == "Ada Writer & Boris Scribe [Writer, Ada & Scribe, Boris]"
    assert fields["Languages"] == "eng"
    assert fields["Identifiers"] == "isbn:9780306406157"
    assert fields["Publisher"] == "Fixture Press"
