"""The index model: collation, page ranges, marking, book.yaml validation and ``check`` (no layout).

The laid-out index (print pages, EPUB, web) is tested in tests/test_index_pages.py.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, copy_fixture, run_build

from book.load import load_book
from book.model import IndexTerm
from book.render.indexview import Locator, Place, locators
from book.resolve import resolve
from book.resolve.collation import Collation
from book.resolve.index_marks import Finder

FIXTURE = ROOT / "tests" / "fixtures" / "index-book"


@pytest.fixture(scope="module")
def ms():
    return resolve(load_book(FIXTURE))


def _groups(ms) -> dict[str, list[str]]:
    return {g.letter: [e.term for e in g.entries] for g in ms.index.groups}


# ------------------------------------------------------------------ collation


def test_letters_with_strokes_and_accents_file_under_their_base_letter():
    words = ["Oslo", "Zürich", "Łódź", "Lyon", "Österreich", "Ødegaard", "Ludwig", "Manchester", "Aachen"]
    c = Collation("en", words)
    assert sorted(words, key=c.key) == ["Aachen", "Łódź", "Ludwig", "Lyon", "Manchester", "Ødegaard", "Oslo",
                                        "Österreich", "Zürich"]
    assert [c.group(w) for w in ("Łódź", "Österreich", "Ødegaard", "Zürich")] == ["L", "O", "O", "Z"]
    # Code-point order, for contrast, files them after Z.
    assert sorted(words)[-3:] == ["Österreich", "Ødegaard", "Łódź"]


def test_alphabets_with_letters_of_their_own_are_tailored():
    words = ["Örebro", "Oslo", "Zürich", "Åre", "Ängelholm"]
    sv = Collation("sv", words)
    assert sorted(words, key=sv.key) == ["Oslo", "Zürich", "Åre", "Ängelholm", "Örebro"]
    assert sv.group("Örebro") == "Ö"
    pl = Collation("pl", ["Łódź", "Lyon", "Mława"])
    assert sorted(["Łódź", "Lyon", "Mława"], key=pl.key) == ["Lyon", "Łódź", "Mława"]
    assert pl.group("Łódź") == "Ł"


def test_numbers_and_symbols_have_groups_of_their_own():
    c = Collation("en", ["1940 campaign", "“Gröfaz”", "Axis"])
    assert c.group("1940 campaign") == "0–9"
    assert c.group("“Gröfaz”") == "G"


def test_the_fixture_index_is_sorted_word_by_word_in_english(ms):
    groups = _groups(ms)
    assert list(groups) == ["L", "M", "O", "R", "S", "T", "U", "V", "W", "Z"]
    assert groups["L"] == ["Łódź", "Lyon"]
    assert groups["O"] == ["Ødegaard, Ole", "Oslo", "Österreich"]
    assert groups["W"] == ["Weber, Anna", "Wien"]  # sort: "Weber Anna" (its `sort:`), before "Wien"


def test_word_by_word_order():
    from book.resolve.index import _sort_key
    names = ["Franco-Soviet treaty", "Franco, Francisco", "Stalingrad", "Stalin, Joseph", "Stalin", "Newark",
             "New York"]
    c = Collation("en", names)
    assert sorted(names, key=lambda n: _sort_key(c, n)) == [
        "Franco, Francisco", "Franco-Soviet treaty", "New York", "Newark", "Stalin", "Stalin, Joseph", "Stalingrad"]


# ------------------------------------------------------------------ page ranges


def _pages(**marks: int) -> dict[str, Place]:
    return {m: Place(p - 1 + 10, str(p)) for m, p in marks.items()}


def test_marks_on_one_page_are_one_locator_linked_to_the_first():
    places = _pages(a=5, b=5, c=5, d=9)
    assert locators(("a", "b", "c", "d"), places) == (Locator("5", "a"), Locator("9", "d"))


def test_consecutive_pages_become_a_range():
    places = _pages(a=57, b=58, c=58, d=59, e=61, f=62, g=64)
    assert locators(tuple("abcdefg"), places) == (
        Locator("57", "a", "59", "d"), Locator("61", "e", "62", "f"), Locator("64", "g"))


def test_pages_are_ordered_by_place_not_by_mark():
    places = _pages(a=12, b=3, c=4)
    assert locators(("a", "b", "c"), places) == (Locator("3", "b", "4", "c"), Locator("12", "a"))


def test_roman_and_arabic_pages_are_never_one_range():
    places = {"a": Place(9, "x"), "b": Place(10, "xi"), "c": Place(11, "1"), "d": Place(12, "2")}
    assert locators(("a", "b", "c", "d"), places) == (Locator("x", "a", "xi", "b"), Locator("1", "c", "2", "d"))


# ------------------------------------------------------------------ marking


def test_whole_words_only_hyphen_joins_dash_does_not():
    finder = Finder((IndexTerm(("Franco, Francisco",), ("Franco",)), IndexTerm(("Nazi",))))
    hits = finder.find("the Franco-British embargo, Francoist Spain, and Franco; Nazi–Soviet, Nazism")
    found = [(s, e) for s, e, _p in hits]
    text = "the Franco-British embargo, Francoist Spain, and Franco; Nazi–Soviet, Nazism"
    assert [text[s:e] for s, e in found] == ["Franco", "Nazi"]
    assert found[0][0] == text.index("and Franco") + 4


def test_longest_form_wins_and_spaces_and_apostrophes_match_loosely():
    finder = Finder((IndexTerm(("Munich Agreement",), ("Munich",)), IndexTerm(("Munich (city)",), find=False),
                     IndexTerm(("People's Commissariat",))))
    text = "the Munich\nAgreement and Munich; the People’s Commissariat"
    assert [text[s:e] for s, e, _p in finder.find(text)] == ["Munich\nAgreement", "Munich", "People’s Commissariat"]


def test_marks_are_anchors_in_the_text_never_in_headings_code_or_notes(ms):
    html = {ch.id: ch for ch in ms.chapters}
    lodz = html["lodz"]
    heading = next(h for h in lodz.headings if "at night" in h.text)
    assert "index-mark" not in heading.html
    assert re.search(r'<h2 id="[^"]+">Łódź at night</h2>', lodz.html)
    assert "<code>Łódź</code>" in lodz.html
    assert 'class="index-mark"' not in "".join(fn.html for fn in lodz.footnotes)  # Oslo in a note: not found
    assert "index-mark" not in html["preface"].html  # `index: false` in its front matter
    ids = re.findall(r'<span class="index-mark" id="([^"]+)">', "".join(ch.html for ch in ms.chapters))
    assert ids and len(ids) == len(set(ids))
    assert all(re.fullmatch(r"ix-(lodz|treaties)-\d+", i) for i in ids)


def test_span_marks_terms_sub_entries_headings_notes_and_cross_references(ms):
    treaties = next(ch for ch in ms.chapters if ch.id == "treaties")
    by_term = {e.term: e for e in ms.index.entries()}
    rapallo = next(s for s in by_term["Treaties"].sub if s.term == "Rapallo")
    assert len(rapallo.marks) == 2  # "The agreement of 1922" (a span) and "Treaty of Rapallo" (an alias)
    assert '<span class="index-mark" id="%s">The agreement of 1922</span>' % rapallo.marks[0] in treaties.html
    zollverein = by_term["Zollverein"]
    assert zollverein.marks == (next(h.id for h in treaties.headings if "Zollverein" in h.text),)
    lyon = by_term["Lyon"]  # `find: false`: only the span in the note marks it
    assert len(lyon.marks) == 1 and lyon.marks[0] in treaties.footnotes[0].html
    assert [r.text for r in by_term["USSR"].see] == ["Soviet Union"]
    assert by_term["USSR"].see[0].target == by_term["Soviet Union"].id
    assert [r.text for r in by_term["Wien"].see] == ["Vienna"] and not by_term["Wien"].marks
    assert [r.text for r in by_term["Railways"].see_also] == ["Łódź", "Vienna"]
    assert by_term["Railways"].marks  # "railway", "railways": lower-case aliases
    assert not [m for m in ms.index.marks if m.chapter == "preface"]


def test_every_mark_has_an_owner_for_multi_file_editions(ms):
    assert all(ms.anchor_owner[m.id] == m.chapter for m in ms.index.marks)


def test_a_book_without_an_index_has_none():
    ms = resolve(load_book(ROOT / "tests" / "fixtures" / "basic"))
    assert ms.index is None


# ------------------------------------------------------------------ book.yaml and check


def _check(book: Path) -> subprocess.CompletedProcess:
    return run_build("check", "--book", str(book))


def test_check_warns_about_unfound_terms_and_dangling_see(tmp_path):
    book = copy_fixture("index-book", tmp_path)
    config = book / "book.yaml"
    config.write_text(config.read_text() + "  - term: Prague\n    aliases: [Praha]\n"
                      "  - term: Bohemia\n    see: Moravia\n")
    chapter = book / "chapters" / "treaties.md"
    chapter.write_text(chapter.read_text() + "\nThe [Czechs]{.index see-also=\"Slovaks\"} too.\n")
    proc = _check(book)
    out = proc.stdout + proc.stderr
    lines = config.read_text().splitlines()
    prague = lines.index("  - term: Prague") + 1
    bohemia = lines.index("  - term: Bohemia") + 1
    assert re.search(rf"book\.yaml:{prague}:1: warning: the index term 'Prague' is never found in the text "
                     r"\[index-unused\]", out), out
    assert "'Prague', 'Praha'" in out
    assert re.search(rf"book\.yaml:{bohemia}:1: warning: the index entry 'Bohemia' says see 'Moravia', which is "
                     r"not an entry of the index \[index-see\]", out), out
    last = len(chapter.read_text().splitlines())
    assert re.search(rf"treaties\.md:{last}:1: warning: the index entry 'Czechs' says see also 'Slovaks'", out), out
    assert out.count("[index-unused]") == 1  # every other term is found
    assert proc.returncode == 0  # warnings only; --strict would fail
    assert _check_strict(book).returncode == 1


def _check_strict(book: Path) -> subprocess.CompletedProcess:
    return run_build("check", "--strict", "--book", str(book))


def test_the_sample_book_index_is_curated_and_clean():
    book = load_book(ROOT / "content")
    assert len(book.index_terms) >= 60
    proc = _check(ROOT / "content")
    assert "index-" not in proc.stdout + proc.stderr, proc.stdout


@pytest.mark.parametrize("entry, message", [
    ("  - term: ''\n", "an index term needs a 'term'"),
    ("  - term: Prague\n    alias: [Praha]\n", "unknown key 'alias' in an index term"),
    ("  - Łódź\n", "the index term 'Łódź' is listed twice"),
    ("  - term: Treaties!!Rapallo\n", "has an empty level"),
    ("  - term: Prague\n    find: sometimes\n", "'find' must be true or false"),
    ("  - term: Prague\n    see: [A, B]\n", "'see' names one entry"),
])
def test_bad_index_terms_are_errors_with_their_line(tmp_path, entry, message):
    book = copy_fixture("index-book", tmp_path)
    config = book / "book.yaml"
    text = config.read_text()
    config.write_text(text + entry)
    proc = run_build("pdf", "--book", str(book), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    line = len(text.splitlines()) + 1
    assert re.search(rf"book\.yaml:{line}(:\d+)?: error: .*{re.escape(message)}", proc.stderr) or \
        re.search(rf"book\.yaml:{line + 1}(:\d+)?: error: .*{re.escape(message)}", proc.stderr), proc.stderr


def test_an_empty_index_span_is_an_error_with_its_line(tmp_path):
    book = copy_fixture("index-book", tmp_path)
    chapter = book / "chapters" / "treaties.md"
    chapter.write_text(chapter.read_text() + "\nAn empty []{.index} mark.\n")
    proc = run_build("pdf", "--book", str(book), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    line = len(chapter.read_text().splitlines())
    assert re.search(rf"treaties\.md:{line}:1: error: an empty index span names no term \[index-mark\]",
                     proc.stderr), proc.stderr


def test_front_matter_index_must_be_true_or_false(tmp_path):
    book = copy_fixture("index-book", tmp_path)
    preface = book / "front" / "preface.md"
    preface.write_text(preface.read_text().replace("index: false", "index: never"))
    proc = run_build("pdf", "--book", str(book), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1 and "'index' must be true or false" in proc.stderr, proc.stderr
