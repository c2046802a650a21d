"""Words kept whole where their hyphen would fall badly (book/publish/repair.py): the rules on
fragments, then a book whose pages turn inside hyphenated words, laid out with and without the
repair, and built as a user builds it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from book.publish import repair
from conftest import FIXTURES, pdf_pages_text, run_build

WORDS = ("The commissariat negotiated extraordinarily complicated agreements with representatives "
         "of governments whose intelligence services distrusted the revolutionary leadership; "
         "nevertheless the diplomats persevered, understanding that international recognition "
         "mattered considerably more than ideological consistency or propaganda.").split()
BAD = {"hyphen-at-page-turn", "hyphen-ladder", "hyphenated-last-line"}


def test_blocks_are_numbered_and_the_word_is_kept_whole_at_its_own_place():
    html = repair.number_blocks('<body><p class="a">Germany, <em>Germany</em> and Ger\u00admany.</p>'
                                "<ul><li>x</li></ul><p>Z</p></body>")
    assert html.count('data-fix="') == 3 and '<p data-fix="1" class="a">' in html and '<li data-fix="2">' in html
    third = repair.apply(html, [("1", "Germany", 2)])
    assert 'and <span class="no-hyphens">Germany</span>.</p>' in third  # its soft hyphen dropped
    second = repair.apply(html, [("1", "Germany", 1)])
    assert '<em><span class="no-hyphens">Germany</span></em> and Ger\u00admany.' in second
    # Only text is touched, and a paragraph that is not there changes nothing.
    assert repair.apply(html, [("9", "Germany", 0)]) == html
    tagged = repair.number_blocks('<p title="Germany">Germany</p>')
    assert repair.apply(tagged, [("1", "Germany", 0)]).startswith('<p data-fix="1" title="Germany"><span')


def make_book(root: Path) -> Path:
    """A small-format book whose long words meet many page turns."""
    shutil.copytree(FIXTURES / "basic", root)
    config = root / "book.yaml"
    config.write_text(config.read_text() + "print: {page: A6}\n")
    chapter = sorted((root / "chapters").glob("*.md"))[0]
    paragraphs = [" ".join((WORDS[k % 7:] + WORDS[:k % 7]) * 2) for k in range(14)]
    chapter.write_text(chapter.read_text() + "\n\n" + "\n\n".join(paragraphs) + "\n")
    return root


def test_a_layout_keeps_whole_the_words_whose_hyphen_fell_badly(tmp_path, monkeypatch):
    from book.load import load_book
    from book.publish.layout import layout
    from book.publish.preflight import preflight
    from book.resolve import resolve

    ms = resolve(load_book(make_book(tmp_path / "book")), source_lines=True)
    monkeypatch.setattr(repair, "ROUNDS", 0)
    greedy = layout(ms)
    before = [d for d in preflight(ms, greedy.document, greedy.label) if d.kind in BAD]
    assert {d.kind for d in before} == BAD, before  # each kind the repair is for occurs
    monkeypatch.undo()
    repaired = layout(ms)
    assert [d for d in preflight(ms, repaired.document, repaired.label) if d.kind in BAD] == []
    assert abs(len(repaired.document.pages) - len(greedy.document.pages)) <= 1


def test_the_built_pdf_turns_its_pages_between_words(tmp_path):
    book = make_book(tmp_path / "book")
    for jobs in ("1", "2"):
        result = run_build("pdf", "--book", str(book), "--out", str(tmp_path / jobs), "--jobs", jobs, "-q")
        assert result.returncode == 0, result.stderr
    one, two = (next((tmp_path / jobs).glob("*.pdf")) for jobs in ("1", "2"))
    assert one.read_bytes() == two.read_bytes()
    pages = pdf_pages_text(one)
    for number, page in enumerate(pages[:-1], 1):
        text = [line for line in page.rstrip().splitlines() if line.strip()]
        if text and re.fullmatch(r"\s*[0-9ivxlc]+\s*", text[-1]):
            text = text[:-1]  # the folio
        assert not (text and text[-1].rstrip().endswith("\u2010")), (number, text[-1])
