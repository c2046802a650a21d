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
    third = repair.apply(html, repair.Repairs(keep=(("1", "Germany", 2),)))
    assert 'and <span class="no-hyphens">Germany</span>.</p>' in third  # its soft hyphen dropped
    second = repair.apply(html, repair.Repairs(keep=(("1", "Germany", 1),)))
    assert '<em><span class="no-hyphens">Germany</span></em> and Ger\u00admany.' in second
    # Only text is touched, and a paragraph that is not there changes nothing.
    assert repair.apply(html, repair.Repairs(keep=(("9", "Germany", 0),))) == html
    tagged = repair.number_blocks('<p title="Germany">Germany</p>')
    assert repair.apply(tagged, repair.Repairs(keep=(("1", "Germany", 0),))).startswith('<p data-fix="1" title="Germany"><span')
    spaced = repair.apply(repair.number_blocks('<p style="color:red">a b</p><p>c</p>'),
                          repair.Repairs(spacing=(("1", 1), ("2", 2))))
    assert spaced == ('<p data-fix="1" style="word-spacing:-0.04em;color:red">a b</p>'
                      '<p data-fix="2" style="word-spacing:0.04em">c</p>')


PROSE = ("Stalin had to notice that when it came to opposing the Nazis militarily, the Western Powers "
         "left the fighting to the Soviet Union. This was magnified at Munich. The Soviet Union was not "
         "invited, and one interpretation of the accord is that Britain and France were making a deal "
         "with Hitler and essentially unleashing him east. This was undoubtedly a factor when the "
         "British and French went searching for allies after Hitler tore up the agreement and invaded "
         "what was left of Czechoslovakia in the spring.").split()


def make_book(root: Path, words: list[str], count: int, repair_: bool = True) -> Path:
    """A small-format book whose paragraphs meet many page turns."""
    shutil.copytree(FIXTURES / "basic", root)
    config = root / "book.yaml"
    config.write_text(config.read_text() + ("print: {page: A6}\n" if repair_ else "print: {page: A6, repair: false}\n"))
    chapter = sorted((root / "chapters").glob("*.md"))[0]
    step = len(words) // 7 or 1
    paragraphs = [" ".join(words[k * step % len(words):] + words[:k * step % len(words)]) for k in range(count)]
    chapter.write_text(chapter.read_text() + "\n\n" + "\n\n".join(paragraphs) + "\n")
    return root


def laid_out(book: Path):
    """The defects, the loosest line and the page count of the book laid out."""
    from book.load import load_book
    from book.publish.layout import layout
    from book.publish.preflight import read_page, preflight, space_ratio
    from book.resolve import resolve

    ms = resolve(load_book(book), source_lines=True)
    lay = layout(ms)
    cache: dict = {}
    ratios = [space_ratio(line, cache) for i, page in enumerate(lay.document.pages)
              for line in read_page(i, "", page._page_box, {}).lines]
    return preflight(ms, lay.document, lay.label), max(ratios), len(lay.document.pages)


def test_prose_keeps_whole_the_words_whose_hyphen_fell_badly(tmp_path):
    greedy, greedy_loosest, greedy_pages = laid_out(make_book(tmp_path / "greedy", PROSE, 14, repair_=False))
    bad = [d for d in greedy if d.kind in BAD]
    assert bad, greedy
    repaired, loosest, pages = laid_out(make_book(tmp_path / "book", PROSE, 14))
    left = [d for d in repaired if d.kind in BAD]
    # One word stays broken at a page turn: kept whole, it left its paragraph looser than at first.
    assert len(left) <= 1 < len(bad), (left, bad)
    assert loosest <= greedy_loosest + 0.01 and pages == greedy_pages


def test_a_word_is_not_kept_whole_at_the_price_of_a_loose_line(tmp_path):
    """Long words on a narrow measure: keeping one whole would open its line wide, so most keep
    their hyphen; nothing the repair does makes a line looser than the greedy layout's loosest."""
    greedy, greedy_loosest, _pages = laid_out(make_book(tmp_path / "greedy", WORDS, 14, repair_=False))
    repaired, loosest, _pages = laid_out(make_book(tmp_path / "book", WORDS, 14))
    assert loosest <= greedy_loosest + 0.01
    assert len([d for d in repaired if d.kind in BAD]) <= len([d for d in greedy if d.kind in BAD])


def test_repair_must_be_true_or_false(tmp_path):
    book = make_book(tmp_path / "book", PROSE, 1)
    config = book / "book.yaml"
    config.write_text(config.read_text().replace("{page: A6}", "{page: A6, repair: sometimes}"))
    result = run_build("check", "--book", str(book))
    assert result.returncode != 0 and "'repair' must be true or false" in result.stdout + result.stderr


def test_the_built_pdf_turns_its_pages_between_words(tmp_path):
    book = make_book(tmp_path / "book", PROSE, 14)
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


def test_a_chapter_ending_with_a_few_lines_carries_more_over(tmp_path):
    """The pocket book's first chapter spills three lines onto its last page when laid out once;
    repaired, its last paragraph carries lines over from the page before, and no chapter ends on a
    page of three lines or fewer."""
    import json

    def kinds(book: Path) -> dict[str, list]:
        proc = run_build("check", "--print", "--format", "json", "--book", str(book))
        assert proc.returncode == 0, proc.stderr
        out: dict[str, list] = {}
        for d in json.loads(proc.stdout)["print"]["defects"]:
            out.setdefault(d["kind"], []).append(d)
        return out

    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "print-defects", book)
    assert "short-last-page" in kinds(book)
    config = book / "book.yaml"
    config.write_text(config.read_text().replace("  repair: false", "  repair: true"))
    assert "short-last-page" not in kinds(book)


def test_the_sample_book_passes_its_print_preflight(sample_build: Path):
    """`check --print --strict` on the sample edition: no defect left in its print layout, every
    page of which is checked, its index's too (the report counts the pages of the PDF a build makes)."""
    import json

    from conftest import ROOT
    from pypdf import PdfReader

    proc = run_build("check", "--print", "--strict", "--format", "json", "--book", str(ROOT / "content"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)["print"]
    assert report["defects"] == []
    assert report["pages"] == len(PdfReader(sample_build / "world-war-ii-diplomacy.pdf").pages)
