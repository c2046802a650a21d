"""The index as the editions print it: page numbers from the real layout, links that resolve.

The fixture book (tests/fixtures/index-book, A6 pages so that a term spans
several) is built once; the sample book comes from the session's build. The
printed index is read back from the PDF with poppler (word boxes, so that the
two columns, sub-entries and turnover lines are told apart) and every number
in it is checked against the text of the page it names.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import (
    ROOT,
    copy_fixture,
    epubcheck,
    normalise,
    pdf_pages_text,
    require,
    run_build,
)

from book.load import load_book
from book.publish import index_pages
from book.publish.join import write_joined
from book.publish.layout import layout
from book.publish.printlayout import lay_out_book
from book.render import render_print
from book.render.indexview import Place, locators
from book.resolve import resolve

FIXTURE = ROOT / "tests" / "fixtures" / "index-book"
SLUG = "roads-of-central-europe"
LOCATOR = re.compile(r"^([ivxlc]+|\d+)(?:–([ivxlc]+|\d+))?$")
LETTER = re.compile(r"^([A-ZÀ-ÞĀ-ž]|0–9|#)$")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("index-book")
    book = copy_fixture("index-book", tmp)
    out = tmp / "dist"
    proc = run_build("--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    proc = run_build("handout", "lodz", "--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


# ------------------------------------------------------------------ reading the printed index


def pdf_index(pdf: Path) -> dict[str, list[str]]:
    """Entry (a sub-entry as ``Entry: Sub``) → its locators as printed, read from the PDF's index pages."""
    require("pdftotext", "poppler-utils")
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    pages = ET.fromstring(xml).iter("page")
    entries: list[list[str]] = []  # [level, text]
    started = False
    for page in pages:
        width, height = float(page.get("width")), float(page.get("height"))
        words = [(float(w.get("xMin")), float(w.get("yMin")), w.text or "") for w in page.iter("word")]
        words = [w for w in words if 0.08 * height < w[1] < 0.9 * height]  # not the running head or folio
        if not started:
            if not any(t == "Index" for _x, _y, t in words[:1]):
                continue
            started = True
            words = words[1:]
        lines: dict[tuple[int, int], list[tuple[float, str]]] = {}
        for x, y, t in words:
            lines.setdefault((int(x >= width / 2), round(y)), []).append((x, t))
        for column in (0, 1):
            rows = sorted((y, sorted(ws)) for (c, y), ws in lines.items() if c == column)
            if not rows:
                continue
            base = min(ws[0][0] for _y, ws in rows)
            for _y, ws in rows:
                text = " ".join(t for _x, t in ws)
                indent = ws[0][0] - base
                if indent < 3 and LETTER.match(text):
                    continue
                if indent < 3:
                    entries.append([0, text])
                elif indent < 13:
                    entries.append([1, text])
                else:  # a turnover line of the entry before
                    joiner = "" if entries[-1][1].endswith(("-", "–")) else " "
                    entries[-1][1] += joiner + text
    out: dict[str, list[str]] = {}
    main = ""
    for level, text in entries:
        head = re.split(r"\. See( also)? ", text)[0]
        parts = head.split(", ")
        locs: list[str] = []
        while len(parts) > 1 and LOCATOR.match(parts[-1]):
            locs.insert(0, parts.pop())
        term = ", ".join(parts)
        if level == 0:
            main = term
            out[term] = locs
        else:
            out[f"{main}: {term}"] = locs
    return out


def page_of_label(pdf: Path) -> dict[str, int]:
    from pypdf import PdfReader
    return {label: i for i, label in enumerate(PdfReader(pdf).page_labels)}


def expand(locator: str) -> list[str]:
    m = LOCATOR.match(locator)
    if not m.group(2):
        return [locator]
    if not m.group(1).isdigit():
        raise AssertionError(f"a roman range in the fixture: {locator}")
    return [str(n) for n in range(int(m.group(1)), int(m.group(2)) + 1)]


def forms(book_dir: Path) -> dict[str, list[str]]:
    """Printed entry → the words a page it names must hold (the term or one of its aliases)."""
    out: dict[str, list[str]] = {}
    for term in load_book(book_dir).index_terms:
        key = ": ".join(term.path)
        out[key] = [term.path[-1], *term.aliases]
    return out


def page_text(text: str) -> str:
    """A page's text as one line: words broken by the layout's hyphenation joined again (WeasyPrint
    hyphenates with U+2010), an author's hyphen kept ("Brest-" + "Litovsk")."""
    text = text.replace("\u2010\n", "")
    return normalise(re.sub(r"-\n(?=[A-Z])", "-", text))


def assert_pages_hold_their_terms(pdf: Path, index: dict[str, list[str]], words: dict[str, list[str]]) -> int:
    texts = [page_text(t).casefold() for t in pdf_pages_text(pdf)]
    where = page_of_label(pdf)
    checked = 0
    for entry, locs in index.items():
        wanted = [w.casefold() for w in words.get(entry, [entry.split(": ")[-1]])]
        for loc in locs:
            for label in expand(loc):
                text = texts[where[label]]
                assert any(w in text for w in wanted), f"{entry}: page {label} holds none of {wanted}"
                checked += 1
    return checked


# ------------------------------------------------------------------ the fixture: print


FIXTURE_WORDS = {"Treaties: Rapallo": ["Rapallo", "agreement of 1922"], "Zollverein": ["Zollverein"],
                 "Lyon": ["Lyon"], "USSR": ["USSR"]}


def test_every_page_number_is_a_page_that_names_the_term(built):
    pdf = built / f"{SLUG}.pdf"
    index = pdf_index(pdf)
    assert set(index) >= {"Łódź", "Lyon", "Manchester", "Ødegaard, Ole", "Oslo", "Österreich", "Railways",
                          "Soviet Union", "Treaties", "Treaties: Rapallo", "Treaties: Versailles", "USSR",
                          "Vienna", "Weber, Anna", "Wien", "Zollverein", "Zürich"}
    assert assert_pages_hold_their_terms(pdf, index, {**forms(FIXTURE), **FIXTURE_WORDS}) >= 25


def test_ranges_and_merges_match_the_pages_that_name_the_term(built):
    """For terms the builder finds by itself (never in a heading, note or code in the fixture), the
    printed locators are exactly the pages whose text names them: each page once, consecutive
    pages as one range, and no two locators that should have been one."""
    pdf = built / f"{SLUG}.pdf"
    index = pdf_index(pdf)
    texts = [page_text(t) for t in pdf_pages_text(pdf)]
    labels = {i: label for label, i in page_of_label(pdf).items()}
    body = [i for i in labels if labels[i].isdigit() and "Index" not in texts[i][:40]]
    for entry, words in {"Weber, Anna": ["Weber"], "Manchester": ["Manchester"], "Vienna": ["Vienna", "Wien"],
                         "Österreich": ["Österreich"], "Zürich": ["Zürich"]}.items():
        expected = [labels[i] for i in body if any(w in texts[i] for w in words)]
        printed = [label for loc in index[entry] for label in expand(loc)]
        assert printed == expected, entry
        numbers = [int(p) for p in printed]
        assert len(numbers) == len(set(numbers)), f"{entry}: a page twice"
        for a, b in zip(index[entry], index[entry][1:]):
            assert int(expand(b)[0]) > int(expand(a)[-1]) + 1, f"{entry}: {a} and {b} should be one range"
    assert any("–" in loc for locs in index.values() for loc in locs)
    # Łódź runs through the first pages of its chapter, mentioned several times on each.
    assert index["Łódź"][0].startswith("1–")


def test_see_entries_and_cross_references_are_printed(built):
    text = normalise("\n".join(pdf_pages_text(built / f"{SLUG}.pdf")[-3:]))
    assert "USSR. See Soviet Union" in text
    assert "Wien. See Vienna" in text
    assert re.search(r"Railways, [\d, –]+\. See also Łódź; Vienna", text)


def test_the_index_is_two_columns_in_small_type_with_italic_see(built):
    pdf = built / f"{SLUG}.pdf"
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    page = next(p for p in xml.split("<page ") if ">Łódź,</word>" in p and ">Zürich,</word>" in p)
    xs = [float(x) for x in re.findall(r'<word xMin="([\d.]+)"[^>]*>(?:Zürich|Łódź),</word>', page)]
    assert len(xs) == 2 and abs(xs[0] - xs[1]) > 80, "Łódź (left column) and Zürich (right column)"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "Italic" in fonts


def test_index_pages_have_the_book_furniture(built):
    """Laid out on its own, the index still continues the folios and running heads of the book."""
    pdf = built / f"{SLUG}.pdf"
    from pypdf import PdfReader
    reader = PdfReader(pdf)
    texts = pdf_pages_text(pdf)
    first = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Index"))
    assert first % 2 == 0, "the index opens on a recto"
    assert reader.page_labels[first] == str(int(reader.page_labels[first - 1]) + 1)
    following = texts[first + 1] if first + 1 < len(texts) else ""
    if following.strip():  # a second page of the index, with its running head
        assert "Roads of Central Europe" in following or "Index" in following
    else:  # the end of the book, or the blank verso that makes its page count even
        assert first + 2 >= len(texts) and len(texts) % 2 == 0
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[-1] == "Index"
    contents = normalise(texts[next(i for i, t in enumerate(texts) if t.lstrip().startswith("Contents"))])
    assert re.search(rf"Index\W*{reader.page_labels[first]}\b", contents), contents


def test_locators_link_to_the_marked_spot(built):
    """Each printed number is a link to a mark on the page it names."""
    from pypdf import PdfReader
    pdf = built / f"{SLUG}.pdf"
    reader = PdfReader(pdf)
    texts = pdf_pages_text(pdf)
    first = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Index"))
    printed = {label for locs in pdf_index(pdf).values() for loc in locs for label in LOCATOR.match(loc).groups()}
    named = reader.named_destinations
    targets = []
    for page in reader.pages[first:]:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            dest = str(annot.get("/Dest", ""))
            if dest.startswith("ix-"):
                targets.append(reader.page_labels[reader.get_destination_page_number(named[dest])])
    assert len(targets) >= 20
    assert set(targets) == printed - {None}


def test_the_line_before_a_mark_is_not_broken_early(built):
    """WeasyPrint 70 ended a line after its first word when the text before an inline element fit
    only without its trailing space (book/publish/linebreak.py)."""
    text = "\n".join(pdf_pages_text(built / f"{SLUG}.pdf"))
    assert "fell apart, lost the markets" in text.replace("\n", " ")
    assert not re.search(r"\nfell\napart", text)


def test_the_handout_has_no_index(built):
    texts = pdf_pages_text(built / "handouts" / "lodz.pdf")
    assert texts and not any(line.strip() == "Index" for t in texts for line in t.splitlines())
    assert not re.search(r"Łódź, \d", "\n".join(texts))


# ------------------------------------------------------------------ the cheap numbers are target-counter's


def test_page_numbers_from_anchors_equal_target_counter(tmp_path):
    """The index reads the page of each mark from ``Document.pages[i].anchors`` in one layout; CSS
    ``target-counter()`` on a link to every mark, in the same book, prints the same numbers, and the
    locators made from them are the printed index's."""
    ms = resolve(load_book(FIXTURE))
    marks = sorted({m.id for m in ms.index.marks})
    html = render_print(ms)
    probe = ('<section class="chapter back-matter" id="tc-probe"><style>.tc a::after { content: '
             'target-counter(attr(href), page); }</style>'
             + "".join(f'<p class="tc">{m} <a href="#{m}"></a></p>' for m in marks) + "</section>\n")
    # The probe goes after the last chapter, before the index: nothing before it moves.
    lay = layout(ms, html.replace("<!--book-index-->", probe + "<!--book-index-->"))
    start = next(i for i, p in enumerate(lay.document.pages) if "tc-probe" in p.anchors)
    ours = index_pages.print_places([p.anchors for p in lay.document.pages[:start]], lay.label)
    pdf = tmp_path / "probe.pdf"
    lay.document.write_pdf(pdf)
    counted = dict(re.findall(r"([a-z][\w-]*) (\d+)", normalise("\n".join(pdf_pages_text(pdf)))))
    counted = {m: n for m, n in counted.items() if m in marks}
    assert set(counted) == set(marks)
    assert {m: ours[m].label for m in marks} == counted

    # The production layout (the book laid out job by job, the index last) saw the same pages for
    # every mark.
    production = lay_out_book(ms, tmp_path / "out", 1)
    places = production.places()
    assert {m: places[m].label for m in marks} == counted

    # And the locators the index prints are the ones target-counter's numbers give.
    tc_places = {m: Place(int(n), n) for m, n in counted.items()}
    write_joined(production, tmp_path / "book.pdf")
    printed = pdf_index(tmp_path / "book.pdf")
    for entry in ms.index.entries():
        if entry.marks:
            want = [loc.label + (f"–{loc.end_label}" if loc.end_label else "")
                    for loc in locators(entry.marks, tc_places)]
            assert printed[": ".join(entry.path)] == want, entry.term


# ------------------------------------------------------------------ EPUB and web


def _epub(built) -> dict[str, bytes]:
    with zipfile.ZipFile(built / f"{SLUG}.epub") as z:
        return {n: z.read(n) for n in z.namelist()}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.types: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if a.get("epub:type"):
            self.types.append(a["epub:type"])


def _parse(data: bytes) -> _Links:
    p = _Links()
    p.feed(data.decode())
    return p


def test_epub_passes_epubcheck_with_its_index(built, tmp_path):
    report = epubcheck(built / f"{SLUG}.epub", tmp_path)
    assert report["summary"] == (0, 0, 0, 0), report["output"]


def test_epub_index_links_resolve_and_show_print_pages(built):
    files = _epub(built)
    index = _parse(files["EPUB/book-index.xhtml"])
    assert {"index", "index-group", "index-entry-list", "index-entry", "index-term", "index-locator",
            "index-locator-range", "index-xref-preferred", "index-xref-related"} <= set(index.types)
    parsed = {name: _parse(data) for name, data in files.items() if name.endswith(".xhtml")}
    links = [h for h in index.hrefs]
    assert len(links) >= 25
    for href in links:
        name, _, frag = href.partition("#")
        doc = parsed[f"EPUB/{name}"] if name else index
        assert frag in doc.ids, href
    nav = files["EPUB/nav.xhtml"].decode()
    assert 'epub:type="index" href="book-index.xhtml"' in nav
    # The print index's pages are in the page-list, and lead into the EPUB's index.
    from pypdf import PdfReader
    pdf = built / f"{SLUG}.pdf"
    texts = pdf_pages_text(pdf)
    first = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Index"))
    for label in PdfReader(pdf).page_labels[first:]:
        assert f'<a href="book-index.xhtml#page-{label}">{label}</a>' in nav, label
    assert "book-index.xhtml" in files["EPUB/content.opf"].decode()
    # The locators are the print folios: the EPUB's index reads as the PDF's does.
    printed = pdf_index(built / f"{SLUG}.pdf")
    text = re.sub(r"<[^>]+>", "", files["EPUB/book-index.xhtml"].decode())
    for entry, locs in printed.items():
        if locs and ": " not in entry:
            assert re.search(re.escape(entry) + r", " + re.escape(", ".join(locs)) + r"\b", text), entry


def test_web_index_page_links_resolve(built):
    web = built / "web"
    page = (web / "book-index.html").read_text()
    index = _parse(page.encode())
    assert len(index.hrefs) >= 25
    for href in index.hrefs:
        name, _, frag = href.partition("#")
        if name.startswith(("http", "assets/")) or not frag:
            continue
        target = index if not name else _parse((web / name).read_bytes())
        assert frag in target.ids, href
    assert 'href="book-index.html"' in (web / "lodz.html").read_text()
    assert 'href="book-index.html"' in (web / "index.html").read_text()
    assert re.search(r'title="The Mills and the Merchants"[^>]*>1</a>', page)


# ------------------------------------------------------------------ the sample book


def test_sample_index_every_page_number_names_the_term(sample_build):
    pdf = sample_build / "world-war-ii-diplomacy.pdf"
    index = pdf_index(pdf)
    assert len(index) >= 60
    assert index["Rapallo, Treaty of (1922)"][0].startswith("6")
    assert assert_pages_hold_their_terms(pdf, index, forms(ROOT / "content")) >= 200
