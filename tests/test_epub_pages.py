"""Page-break markers placed into EPUB documents: the rules, on small hand-made documents.

The end-to-end check against the print PDF is in test_epub.py; these pin down
where a marker goes when a print page opens at an awkward spot (a heading, a
list item, a table, an image, inside a word, in the contents) and what
happens when the EPUB's copy of a section reads differently from print's.
"""

from __future__ import annotations

from lxml import etree

from book.publish.epub_pages import place_page_breaks
from book.publish.pagemap import PageMap, PageStart, _align, digest, items

HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>t</title></head><body>')
TAIL = "</body></html>"


def marker(label: str) -> str:
    return (f'<span xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
            f'epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" aria-label="{label}"></span>')


def section_items(body: str, ident: str = "s") -> str:
    root = etree.fromstring((HEAD + body + TAIL).encode())
    return items(root.xpath(f"//*[@id='{ident}']")[0])


def place(body: str, pages: list[tuple[str, str, int]], trusted: bool = True, units=("s",)):
    digests = {u: digest(section_items(body, u)) if trusted else "other" for u in units}
    pm = PageMap("k", tuple(PageStart(*p) for p in pages), digests)
    docs, page_list = place_page_breaks([("a.xhtml", HEAD + body + TAIL)], pm, marker)
    html = docs[0][1]
    return html[html.index("<body>") + 6: html.index("</body>")], page_list


def offset_of(body: str, words: str) -> int:
    text = section_items(body)
    found = text.find(words.replace(" ", "").casefold())
    assert found >= 0
    return found


def test_a_page_opening_a_section_puts_its_marker_before_the_heading():
    body = '<section id="s"><h1>Title</h1><p>Text.</p></section>'
    html, page_list = place(body, [("7", "s", 0)])
    assert html.startswith('<section id="s"><span epub:type="pagebreak"') and 'aria-label="7"/><h1>Title' in html
    assert page_list == [("7", "a.xhtml#page-7")]


def test_a_page_opening_inside_a_word_marks_the_start_of_the_word():
    """Print hyphenated "every-/thing" across the page turn: the marker goes before the word, never
    inside it, so that a screen reader does not announce the page in the middle of a word."""
    body = '<section id="s"><p>Diplomacy was <em>everything</em> then, in Rus\u00adsians.</p></section>'
    html, _ = place(body, [("1", "s", 0), ("2", "s", offset_of(body, "thing then")),
                           ("3", "s", offset_of(body, "sians"))])
    assert 'was <span epub:type="pagebreak" role="doc-pagebreak" id="page-2" aria-label="2"/><em>everything</em>' in html
    assert 'in <span epub:type="pagebreak" role="doc-pagebreak" id="page-3" aria-label="3"/>Rus' in html


def test_a_page_opening_in_a_list_or_table_keeps_the_structure_valid():
    body = ('<section id="s"><p>Intro.</p><ol><li>First item.</li><li><p>Second item.</p></li></ol>'
            '<table><tbody><tr><td>Cell one</td></tr></tbody></table></section>')
    html, _ = place(body, [("1", "s", 0), ("2", "s", offset_of(body, "Second")), ("3", "s", offset_of(body, "Cell"))])
    assert '<li><span epub:type="pagebreak" role="doc-pagebreak" id="page-2" aria-label="2"/><p>Second' in html
    assert '<td><span epub:type="pagebreak" role="doc-pagebreak" id="page-3" aria-label="3"/>Cell one' in html


def test_a_page_opening_with_a_figure_puts_the_marker_before_it():
    body = '<section id="s"><p>Before.</p><figure><img src="x.png" alt="x"/><figcaption>Cap</figcaption></figure></section>'
    image_at = section_items(body).index("\0")
    html, _ = place(body, [("1", "s", 0), ("2", "s", image_at)])
    assert '<p>Before.</p><span epub:type="pagebreak" role="doc-pagebreak" id="page-2" aria-label="2"/><figure>' in html


def test_notes_and_calls_are_not_counted():
    body = ('<section id="s"><p>Call<a class="noteref" href="#n">1</a> after.</p>'
            '<section class="footnotes"><aside class="footnote" id="n"><p>Note text.</p></aside></section></section>')
    assert section_items(body) == "callafter."


def test_case_folding_that_grows_a_character_keeps_offsets():
    body = '<section id="s"><p>Wilhelmstraße liegt hier.</p></section>'
    html, _ = place(body, [("1", "s", 0), ("2", "s", offset_of(body, "liegt"))])
    assert 'straße <span epub:type="pagebreak" role="doc-pagebreak" id="page-2" aria-label="2"/>liegt' in html


def test_blank_pages_go_with_the_next_page_and_at_the_end_with_the_last():
    body = '<section id="s"><p>One.</p><p>Two.</p></section>'
    html, page_list = place(body, [("1", "s", 0), ("2", "", 0), ("3", "s", offset_of(body, "Two")), ("4", "", 0)])
    assert html.index('id="page-2"') < html.index('id="page-3"') < html.index("Two")
    assert html.index('id="page-4"') > html.index("Two.")
    assert [label for label, _h in page_list] == ["1", "2", "3", "4"]


def test_a_section_that_reads_differently_gets_its_markers_at_its_start():
    body = '<section id="s"><p>One.</p><p>Two.</p></section>'
    html, _ = place(body, [("1", "s", 0), ("2", "s", 4)], trusted=False)
    assert html.startswith('<section id="s"><span epub:type="pagebreak" role="doc-pagebreak" id="page-1" '
                           'aria-label="1"/><span epub:type="pagebreak" role="doc-pagebreak" id="page-2"')


def test_markers_never_enter_the_contents_list():
    body = '<nav id="s"><h1>Contents</h1><ol><li><a href="x">Chapter</a></li></ol></nav>'
    html, _ = place(body, [("v", "s", 0), ("vi", "s", offset_of(body, "Chapter"))])
    assert html.startswith('<span epub:type="pagebreak" role="doc-pagebreak" id="page-v" aria-label="v"/>'
                           '<span epub:type="pagebreak" role="doc-pagebreak" id="page-vi" aria-label="vi"/><nav')


def test_alignment_skips_the_hyphen_a_line_break_added():
    source = "diplomacywaseverything"
    cursor = {"s": 0}
    assert _align(source, cursor, "s", "diplomacywasevery\u2010", "\u2010") == 0
    assert _align(source, cursor, "s", "thing", "\u2010") == len("diplomacywasevery")
    # Source text the print edition does not lay out is looked past; text it never had is not counted.
    cursor = {"s": 0}
    assert _align("munichhiddenandthen", cursor, "s", "munich", "") == 0
    assert _align("munichhiddenandthen", cursor, "s", "andthen", "") == len("munichhidden")
    assert cursor["s"] == len("munichhiddenandthen")
    assert _align("munichhiddenandthen", {"s": 6}, "s", "xyz", "") is None
