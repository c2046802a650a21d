"""The print edition, judged on the real PDFs of a fixture book and of the sample book.

Every assertion reads the PDF as a reader or a librarian would: poppler's text
of each page, pypdf's outline, page labels and metadata, ``pdffonts``. What the
book should contain comes from its sources (book.yaml and the chapters, through
the engine's own load and resolve), never from the PDF itself.
"""

from __future__ import annotations

import functools
import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, copy_fixture, normalise, require, run_build
from pypdf import PdfReader

FIXTURE = "print-book"
SLUGS = {FIXTURE: "printers-test-book", "sample": "world-war-ii-diplomacy"}


# ------------------------------------------------------------------ the books


def _pdftotext(pdf: Path, layout: bool) -> list[str]:
    require("pdftotext", "poppler-utils")
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(pdf), "-"]
    pages = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@dataclass
class Entry:
    """An outline entry: title, depth (0 = top level) and 0-based page index."""

    title: str
    depth: int
    page: int


@dataclass
class PrintedBook:
    """A built book: its sources (as the engine reads them) and its print PDF (as poppler and pypdf read it)."""

    name: str
    root: Path
    pdf: Path

    @functools.cached_property
    def ms(self):
        from book.commands.build import Options, load_and_resolve
        return load_and_resolve(Options(self.root, self.pdf.parent))

    @functools.cached_property
    def reader(self) -> PdfReader:
        return PdfReader(self.pdf)

    @functools.cached_property
    def text(self) -> list[str]:
        return _pdftotext(self.pdf, layout=False)

    @functools.cached_property
    def lines(self) -> list[list[str]]:
        """Each page's non-empty lines, laid out as printed (running heads keep their line)."""
        return [[ln.strip() for ln in page.splitlines() if ln.strip()] for page in _pdftotext(self.pdf, True)]

    @functools.cached_property
    def words(self) -> list[list[tuple[str, float, float, float, float]]]:
        """Each page's words with their boxes (text, x0, y0, x1, y1), from ``pdftotext -bbox``."""
        out = subprocess.run(["pdftotext", "-bbox", str(self.pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
        word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
        return [[(html.unescape(m[4]), float(m[0]), float(m[1]), float(m[2]), float(m[3]))
                 for m in word.findall(page)] for page in out.split("<page ")[1:]]

    @functools.cached_property
    def labels(self) -> list[str]:
        return list(self.reader.page_labels)

    @functools.cached_property
    def outline(self) -> list[Entry]:
        out: list[Entry] = []

        def walk(items, depth):
            for item in items:
                if isinstance(item, list):
                    walk(item, depth + 1)
                else:
                    out.append(Entry(normalise(item.title), depth, self.reader.get_destination_page_number(item)))
        walk(self.reader.outline, 0)
        return out

    def starts(self) -> list[tuple[Entry, int]]:
        """Each outline entry with the index of the page after its last page."""
        entries = self.outline
        return [(e, entries[i + 1].page if i + 1 < len(entries) else len(self.text)) for i, e in enumerate(entries)]


def _plain(text: str) -> str:
    """For comparing printed text with its source: case, spacing and curly quotes aside."""
    return normalise(text).lower().translate(str.maketrans("‘’“”", "''\"\""))


def _title_text(title_html: str) -> str:
    return normalise(html.unescape(re.sub(r"<[^>]+>", "", title_html)))


@pytest.fixture(scope="module", params=[FIXTURE, "sample"])
def book(request) -> PrintedBook:
    if request.param == FIXTURE:
        root, out = request.getfixturevalue("print_fixture_build")
    else:
        root, out = ROOT / "content", request.getfixturevalue("sample_build")
    return PrintedBook(request.param, root, out / f"{SLUGS[request.param]}.pdf")


def expected_outline(ms) -> list[tuple[str, int]]:
    """(title, depth) of every bookmark the print edition must have, in order."""
    from book.model import ResolvedPart
    out = [("Contents", 0)]
    out += [(_title_text(ch.title_html), 0) for ch in ms.front]
    for item in ms.body:
        out.append((_title_text(item.title_html), 0))
        if isinstance(item, ResolvedPart):
            out += [(_title_text(ch.title_html), 1) for ch in item.chapters]
    if ms.references:
        out.append((ms.references_title, 0))
    out += [(_title_text(ch.title_html), 0) for ch in ms.back]
    index = getattr(ms, "index", None)
    if index is not None and index.groups:  # the back-of-book index (book/resolve/index.py), when the book has one
        out.append(("Index", 0))
    return out


# ------------------------------------------------------------------ structure


def test_outline_lists_every_part_and_chapter(book: PrintedBook):
    assert [(e.title, e.depth) for e in book.outline] == expected_outline(book.ms)


def test_every_chapter_and_part_opens_a_page_with_its_title(book: PrintedBook):
    """On a recto, as a book opens them by default; the sample book opens chapters on any page and
    sets each part's title at the head of its first chapter's page (``print:`` in its book.yaml)."""
    options = book.ms.meta.print
    parts = {_title_text(p.title_html) for p in book.ms.parts}
    part_of_page = {e.page: e.title for e in book.outline if e.title in parts}
    for entry in book.outline:
        opening = options.part_opening if entry.title in parts else options.chapter_opening
        if opening == "recto" or entry.title == "Contents":
            assert entry.page % 2 == 0, f"{entry.title} starts on page {entry.page + 1}, a verso"
        text = normalise(book.text[entry.page])
        if entry.title not in parts and entry.page in part_of_page and options.part_opening == "continue":
            text = text.removeprefix(part_of_page[entry.page]).strip()  # the part's title comes first
        assert text.startswith(entry.title), (entry.title, book.text[entry.page][:80])


def test_page_labels_are_roman_then_arabic_from_the_first_body_page(book: PrintedBook):
    labels = book.labels
    first_body = next(e for e in book.outline if e.title == expected_outline(book.ms)[len(book.ms.front) + 1][0])
    assert labels[: first_body.page] == [_roman(i + 1) for i in range(first_body.page)]
    assert labels[first_body.page:] == [str(i) for i in range(1, len(labels) - first_body.page + 1)]


def test_printed_folios_match_the_page_labels(book: PrintedBook):
    """The folio in each running head, and at the foot of each opening page, is the page's label."""
    parts = {_title_text(p.title_html) for p in book.ms.parts}
    openings = {e.page for e in book.outline if e.title not in parts}
    part_pages = {e.page for e in book.outline if e.title in parts} - openings
    checked = 0
    for index, lines in enumerate(book.lines):
        if not lines or index < 4 or index in part_pages:  # title pages and part pages carry no folio
            continue
        label = book.labels[index]
        if index in openings:
            assert lines[-1] == label, (index, lines[-1])
        else:
            head = lines[0].split()
            folio = head[0] if index % 2 else head[-1]  # versos: folio left; rectos: folio right
            assert folio == label, (index, lines[0])
        checked += 1
    assert checked > 10


def _roman(n: int) -> str:
    from book.render import roman
    return roman(n)


def _toc(book: PrintedBook) -> dict[str, str]:
    """The contents as printed: title → page number, leaders dropped, wrapped titles joined."""
    contents = next(i for i, e in enumerate(book.outline) if e.title == "Contents")
    first, end = book.outline[contents].page, book.outline[contents + 1].page
    entries: dict[str, str] = {}
    pending = ""
    for index in range(first, end):
        lines = book.lines[index]
        if not lines:
            continue
        # Drop the title "Contents" on the first page, the running head on the others, and
        # the folio at the foot of the first.
        lines = [ln for ln in lines[1:] if not re.fullmatch(r"[ivxlc]+", ln)]
        for line in lines:
            m = re.fullmatch(r"(.*?)[\s.]*\s([ivxlc]+|\d+)", line)
            if m and m.group(1).strip(" ."):
                entries[normalise(f"{pending} {m.group(1)}".strip(" ."))] = m.group(2)
                pending = ""
            else:
                pending = f"{pending} {line}".strip()
    assert not pending, f"a contents line without a page number: {pending!r}"
    return entries


def test_contents_page_numbers_are_the_pages_chapters_start_on(book: PrintedBook):
    toc = _toc(book)
    expected = [title for title, _d in expected_outline(book.ms)[1:]]
    assert list(toc) == expected
    for entry in book.outline[1:]:
        assert toc[entry.title] == book.labels[entry.page], (entry.title, toc[entry.title], book.labels[entry.page])


# ------------------------------------------------------------------ page furniture


def _short_titles(book: PrintedBook) -> dict[str, str]:
    """Outline title → the running head its pages carry."""
    heads = {_title_text(ch.title_html): normalise(ch.short_title) for ch in book.ms.chapters}
    heads[book.ms.references_title] = book.ms.references_title
    heads["Contents"] = "Contents"
    heads["Index"] = "Index"
    return heads


def test_running_heads(book: PrintedBook):
    """Versos carry the book's title, rectos the chapter's short title; opening pages, part
    pages and blank pages carry none (and blank pages nothing at all)."""
    title = normalise(book.ms.meta.title)
    heads = _short_titles(book)
    parts = {_title_text(p.title_html) for p in book.ms.parts}
    blank = 0
    for entry, end in book.starts():
        for index in range(entry.page, end):
            lines = book.lines[index]
            if not lines:
                blank += 1
                continue
            if index == entry.page:  # the title comes first (after its part's): no running head above it
                assert _plain(entry.title).startswith(_plain(lines[0])) or \
                    any(_plain(p).startswith(_plain(lines[0])) for p in parts), (index + 1, lines[0])
                continue
            assert entry.title not in parts, f"the part page of {entry.title} runs on to page {index + 1}"
            words = lines[0].split()
            head = " ".join(words[1:] if index % 2 else words[:-1])  # without the folio, outside
            expected = title if index % 2 else heads[entry.title]
            assert _plain(head) == _plain(expected), (index + 1, lines[0], expected)
    if book.ms.meta.print.chapter_opening == "recto":
        assert blank > 0  # short chapters followed by a blank verso


def test_footnotes_sit_on_the_page_of_their_call(book: PrintedBook):
    count = notes_on_their_call_pages(book)
    if book.name == FIXTURE:
        assert count >= 10  # the fixture is made of notes; the sample book has none (yet)


def _raised_after(words, before: str, number: str) -> bool:
    """Whether a smaller ``number`` is set right after the word ending in ``before`` (a note
    call that poppler's reading order put on a line of its own)."""
    for text, _x0, y0, x1, y1 in words:
        if not text.endswith(before):
            continue
        for other, ox0, oy0, _ox1, oy1 in words:
            if other == number and abs(ox0 - x1) < 3 and oy1 - oy0 < (y1 - y0) * 0.9 and oy0 < y0 + (y1 - y0) / 2:
                return True
    return False


def notes_on_their_call_pages(book: PrintedBook) -> int:
    """Assert for every note that its text (after its number) is on exactly one page, the page
    where the word before its call is followed by the call's number; return how many."""
    pages = [normalise(t) for t in book.text]
    bounds = {e.title: (e.page, end) for e, end in book.starts()}
    count = 0
    for ch in book.ms.chapters:
        first, end = bounds[_title_text(ch.title_html)]
        for fn in ch.footnotes:
            before = re.sub(r"<[^>]+>", "", ch.html.split(f'id="{fn.ref_id}"')[0].rsplit("<a", 1)[0])
            word = html.unescape(before).split()[-1]
            call = re.compile(re.escape(word) + r"\W{0,3}" + str(fn.number) + r"(?!\d)")
            note_words = " ".join(normalise(html.unescape(re.sub(r"<[^>]+>", "", fn.inline_html))).split()[:5])
            note = f"{fn.number}. {note_words}"
            call_pages = [i for i in range(first, end) if call.search(pages[i]) or
                          _raised_after(book.words[i], word, str(fn.number))]
            note_pages = [i for i in range(first, end) if note in pages[i]]
            assert len(note_pages) == 1, (ch.id, fn.number, note, note_pages)
            assert note_pages[0] in call_pages, (ch.id, fn.number, word, call_pages, note_pages)
            count += 1
    return count


def test_footnotes_are_numbered_per_chapter(print_fixture_build):
    root, out = print_fixture_build
    text = normalise(" ".join(_pdftotext(out / f"{SLUGS[FIXTURE]}.pdf", layout=False)))
    assert "1. The opening chapter’s only note" in text
    assert "1. The first note of this chapter, Nt-lists, numbered one again" in text
    assert "9. Note Nt09" in text


def test_links_between_chapters_print_their_page_at_the_end_of_the_clause(print_fixture_build):
    root, out = print_fixture_build
    book = PrintedBook(FIXTURE, root, out / f"{SLUGS[FIXTURE]}.pdf")
    notes = next(e for e in book.outline if e.title == "A Chapter Full of Footnotes")
    section = next(i for i in range(notes.page, len(book.text)) if "Notes Near the Foot of the Page" in book.text[i])
    text = normalise(" ".join(book.text))
    # Both links are in one clause: their pages share one bracket at its end (book/render/pagerefs.py).
    assert (f"notes near the foot (p. {book.labels[notes.page]}; p. {book.labels[section]})." in text), text


# ------------------------------------------------------------------ fonts and metadata


def pdffonts(pdf: Path) -> list[dict[str, str]]:
    require("pdffonts", "poppler-utils")
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        cols = line.split()
        # name, type (1–3 words), encoding, emb, sub, uni, object id, generation
        fonts.append({"name": cols[0], "emb": cols[-5], "sub": cols[-4], "uni": cols[-3]})
    return fonts


def test_only_the_pinned_fonts_embedded_and_subset(book: PrintedBook):
    fonts = pdffonts(book.pdf)
    assert fonts
    for font in fonts:
        assert re.fullmatch(r"[A-Z]{6}\+Book-(Garamond|Sans)(-[A-Za-z-]+)?", font["name"]), font
        assert (font["emb"], font["sub"], font["uni"]) == ("yes", "yes", "yes"), font
    assert any(f["name"].split("+")[1] == "Book-Garamond" for f in fonts)


def test_metadata_comes_from_book_yaml(book: PrintedBook):
    meta = book.ms.meta
    info = book.reader.metadata
    title = f"{meta.title}: {meta.subtitle}" if meta.subtitle else meta.title
    assert info["/Title"] == title
    assert info["/Author"] == ", ".join(p.name for p in meta.authors)
    assert info["/Subject"] == meta.description
    assert info["/Keywords"] == "; ".join(meta.subjects)
    stamp = "D:" + meta.date.replace("-", "") + "000000Z"
    assert info["/CreationDate"] == stamp and info["/ModDate"] == stamp
    root = book.reader.trailer["/Root"]
    assert root["/Lang"] == meta.lang
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject): tagged PDF
    xmp = book.reader.xmp_metadata
    assert xmp.dc_title["x-default"] == title
    assert xmp.dc_identifier == meta.identifier
    assert xmp.dc_language == [meta.lang]
    assert xmp.dc_date and str(xmp.dc_date[0])[:10] == meta.date
    assert xmp.dc_subject == list(meta.subjects)


def test_fixture_metadata_has_every_author_and_the_leap_day(print_fixture_build):
    root, out = print_fixture_build
    info = PdfReader(out / f"{SLUGS[FIXTURE]}.pdf").metadata
    assert info["/Author"] == "Ada Writer, Ben Setter"
    assert info["/CreationDate"] == "D:20200229000000Z"


# ------------------------------------------------------------------ glyphs the fonts lack


def test_uncovered_lists_characters_no_font_of_the_book_has():
    from book.load import load_book
    from book.render.fontcheck import uncovered

    meta = load_book(FIXTURES / FIXTURE).meta
    assert uncovered("Всеросси́йская “quotes” — café ₽ €\u00ad\u200d\n", meta) == []
    # Chinese, Arabic and Hebrew have pinned fallbacks (book.fonts); Javanese and emoji have none.
    assert uncovered("ok ✓ 中文 ✓ ꦲ 🙂 عربي עברית", meta) == ["ꦲ", "🙂"]


def test_a_character_the_fonts_lack_fails_the_pdf_with_its_line(tmp_path: Path):
    book = copy_fixture(FIXTURE, tmp_path)
    chapter = book / "chapters" / "lists.md"
    lines = chapter.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(8, "A letter ꦲ and a face 🙂 in the text.\n\n")
    chapter.write_text("".join(lines), encoding="utf-8")
    proc = run_build("pdf", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 1, proc.stderr
    assert re.search(r"chapters/lists\.md:9:10: error: .*U\+A9B2 JAVANESE LETTER HA, Javanese script", proc.stderr), \
        proc.stderr
    assert "U+1F642" in proc.stderr and "Traceback" not in proc.stderr
    assert "list it under 'fonts:' in book.yaml" in proc.stderr
    assert not (tmp_path / "dist" / f"{SLUGS[FIXTURE]}.pdf").exists()


# ------------------------------------------------------------------ print options


def test_page_size_bleed_crop_marks_and_citations_as_notes(tmp_path: Path):
    """One build of the fixture on 6 × 9 in paper with a 3 mm bleed, in a notes citation style."""
    book = copy_fixture(FIXTURE, tmp_path)
    config = book / "book.yaml"
    config.write_text(config.read_text().replace("  page: A5", "  page: 6inx9in\n  bleed: 3mm")
                      .replace("bibliography: bibliography.yaml", "bibliography: bibliography.yaml\n"
                               "csl: chicago-notes-bibliography"))
    proc = run_build("pdf", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 0, proc.stderr
    printed = PrintedBook(FIXTURE, book, tmp_path / "dist" / f"{SLUGS[FIXTURE]}.pdf")
    figures = next(ch for ch in printed.ms.chapters if ch.id == "figures")
    assert len(figures.footnotes) == 2  # the two citations, made notes by the style
    assert notes_on_their_call_pages(printed) >= 12
    page = printed.reader.pages[8]
    trim = [float(v) for v in page.trimbox]
    bleed = [float(v) for v in page.bleedbox]
    media = [float(v) for v in page.mediabox]
    assert trim[2] - trim[0] == pytest.approx(432, abs=0.1) and trim[3] - trim[1] == pytest.approx(648, abs=0.1)
    three_mm = 3 * 72 / 25.4
    assert bleed[0] == pytest.approx(trim[0] - three_mm, abs=0.05)
    assert bleed[3] == pytest.approx(trim[3] + three_mm, abs=0.05)
    assert media[0] < bleed[0] - 10  # room beyond the bleed for the crop marks (crop-marks default on with bleed)


def test_an_odd_page_count_ends_with_a_blank_verso(tmp_path: Path):
    """A book is printed on sheets of two pages: a book laid out on an odd number of pages gets a
    blank verso after its last page, the size of the others, drawn as the layout draws its own
    blank pages (here: crop marks only), without a folio, labelled as the page after; the archival
    copy and the EPUB's page list have that page too. A book laid out on an even number gets none."""
    from epub_helpers import NS, Epub

    book = copy_fixture(FIXTURE, tmp_path)
    config = book / "book.yaml"
    config.write_text(config.read_text().replace("  page: A5", "  page: A5\n  bleed: 3mm"))
    proc = run_build("pdf", "archive", "epub", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "dist" / f"{SLUGS[FIXTURE]}.pdf"
    reader, text = PdfReader(pdf), _pdftotext(pdf, layout=False)
    count = len(reader.pages)
    assert count % 2 == 0 and len(text) == count
    assert not text[-1].strip() and text[-2].strip(), "the layout ended on a recto; the verso after it is blank"
    labels = list(reader.page_labels)
    assert labels[-1] == str(int(labels[-2]) + 1)
    last, before = reader.pages[-1], reader.pages[-2]
    for box in ("mediabox", "bleedbox", "trimbox"):
        assert list(getattr(last, box)) == list(getattr(before, box))
    drawn = last.get_contents().get_data()
    assert b"/Artifact" in drawn and b" Do" in drawn, "the crop marks are drawn (an artifact)"
    assert any(i < count - 1 and not text[i].strip() and page.get_contents().get_data() == drawn
               for i, page in enumerate(reader.pages)), "drawn as the layout's own blank pages"
    archival = PdfReader(tmp_path / "dist" / f"{SLUGS[FIXTURE]}-archival.pdf")
    assert len(archival.pages) == count and list(archival.page_labels) == labels
    epub = Epub.open(tmp_path / "dist" / f"{SLUGS[FIXTURE]}.epub")
    listed = ["".join(a.itertext()) for a in epub.nav("page-list").iter(f"{{{NS['x']}}}a")]
    assert listed == labels

    even = copy_fixture("print-defects", tmp_path)
    proc = run_build("pdf", "--book", str(even), "--out", str(tmp_path / "even"))
    assert proc.returncode == 0, proc.stderr
    text = _pdftotext(next((tmp_path / "even").glob("*.pdf")), layout=False)
    assert len(text) % 2 == 0 and text[-1].strip(), "an even count is left as laid out"
