"""Pandoc's citation syntax: parsing, the markdown-it rules, positions."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from book.resolve.cite.plugin import citation_plugin, find_citations
from book.resolve.cite.syntax import Citation, CiteItem, parse_citation


def items(text: str) -> tuple[CiteItem, ...]:
    citation = parse_citation(text)
    assert citation is not None, text
    return citation.items


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@key", CiteItem("key")),
        ("@key, p. 12", CiteItem("key", locator="12", label="page")),
        ("@key, pp. 3–5, 9", CiteItem("key", locator="3–5, 9", label="page")),
        ("@key, 99-100", CiteItem("key", locator="99-100", label="page")),
        ("see @key, p. 4", CiteItem("key", prefix="see", locator="4", label="page")),
        ("see @key, p. 4, emphasis added",
         CiteItem("key", prefix="see", suffix=", emphasis added", locator="4", label="page")),
        ("-@key", CiteItem("key", suppress_author=True)),
        ("-@key, p. 3", CiteItem("key", locator="3", label="page", suppress_author=True)),
        ("@key and elsewhere", CiteItem("key", suffix=" and elsewhere")),
        ("@key, and elsewhere", CiteItem("key", suffix=", and elsewhere")),
        ("@key, p. 33, 35-37, and nowhere else",
         CiteItem("key", suffix=", and nowhere else", locator="33, 35-37", label="page")),
        ("@key, chap. 2", CiteItem("key", locator="2", label="chapter")),
        ("@key, ch. 2", CiteItem("key", locator="2", label="chapter")),
        ("@key, chapter 2", CiteItem("key", locator="2", label="chapter")),
        ("@key, sec. 4", CiteItem("key", locator="4", label="section")),
        ("@key, § 4", CiteItem("key", locator="4", label="section")),
        ("@key, §§ 4–6", CiteItem("key", locator="4–6", label="section")),
        ("@key, ¶ 7", CiteItem("key", locator="7", label="paragraph")),
        ("@key, para. 7", CiteItem("key", locator="7", label="paragraph")),
        ("@key, vol. 2", CiteItem("key", locator="2", label="volume")),
        ("@key, n. 14", CiteItem("key", locator="14", label="note")),
        ("@key, nn. 14-15", CiteItem("key", locator="14-15", label="note")),
        ("@key, fig. 3", CiteItem("key", locator="3", label="figure")),
        ("@key, l. 10", CiteItem("key", locator="10", label="line")),
        ("@key, col. 2", CiteItem("key", locator="2", label="column")),
        ("@key, bk. 1", CiteItem("key", locator="1", label="book")),
        ("@key, s.v. 3", CiteItem("key", locator="3", label="sub-verbo")),
        ("@key, Pages 3-4", CiteItem("key", locator="3-4", label="page")),
        ("@key, p. xiv", CiteItem("key", locator="xiv", label="page")),
        ("@key, p.3", CiteItem("key", locator="3", label="page")),
        ("@key, 33(1)", CiteItem("key", locator="33(1)", label="page")),
        ("@key, {iv, 3} and more", CiteItem("key", suffix=" and more", locator="iv, 3", label="page")),
        # an unlabelled locator needs digits: a roman numeral alone stays suffix (pandoc)
        ("@key, xiv", CiteItem("key", suffix=", xiv")),
        ("@key.", CiteItem("key", suffix=".")),
    ],
)
def test_one_item(text: str, expected: CiteItem) -> None:
    assert items(text) == (expected,)


def test_several_items_with_prefixes_and_suppression() -> None:
    assert items("see @a, p. 4; also -@b, chap. 2; @c") == (
        CiteItem("a", prefix="see", locator="4", label="page"),
        CiteItem("b", prefix="also", locator="2", label="chapter", suppress_author=True),
        CiteItem("c"),
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("@smith04", "smith04"),
        ("@_private", "_private"),
        ("@1999report", "1999report"),
        ("@doe:1999.a#b$c%d&e-f+g?h<i>j~k/l", "doe:1999.a#b$c%d&e-f+g?h<i>j~k/l"),
        ("@пункт3", "пункт3"),
        ("@{https://example.org/bib?name=x&date=2000}", "https://example.org/bib?name=x&date=2000"),
        ("@key:", "key"),  # trailing punctuation is not part of the key
        ("@key--x", "key"),
    ],
)
def test_keys_follow_pandoc_rules(text: str, key: str) -> None:
    assert items(text)[0].key == key


@pytest.mark.parametrize("text", ["no key here", "mail me@example.org", "see @a; and more", "@", "\\@key"])
def test_not_a_citation_list(text: str) -> None:
    assert parse_citation(text) is None


@pytest.fixture
def md() -> MarkdownIt:
    return MarkdownIt("commonmark").use(citation_plugin)


def citations_of(md: MarkdownIt, text: str) -> list[Citation]:
    return find_citations(md.parse(text))


def test_bracketed_citation_is_not_a_link(md: MarkdownIt) -> None:
    html = md.render("As shown [see @pollan2006, p. 4].")
    assert html == ('<p>As shown <span class="citation" data-cites="pollan2006">'
                    "[see @pollan2006, p. 4]</span>.</p>\n")


def test_author_in_text_forms(md: MarkdownIt) -> None:
    found = citations_of(md, "@pollan2006 [p. 12] says, as does @ward2007, and @doe [p. 3; see also @roe].")
    assert [c.items for c in found] == [
        (CiteItem("pollan2006", locator="12", label="page", author_in_text=True),),
        (CiteItem("ward2007", author_in_text=True),),
        (CiteItem("doe", locator="3", label="page", author_in_text=True), CiteItem("roe", prefix="see also")),
    ]


def test_author_in_text_suffix_without_locator_gets_a_comma(md: MarkdownIt) -> None:
    (citation,) = citations_of(md, "@key [with suffix] says")
    assert citation.items == (CiteItem("key", suffix=", with suffix", author_in_text=True),)


def test_email_escape_and_code_are_not_citations(md: MarkdownIt) -> None:
    text = "Write to me@example.org or \\@pollan2006, `[@pollan2006]`, and\n\n    @indented code"
    assert citations_of(md, text) == []
    assert "@pollan2006," in md.render(text)


def test_link_with_citation_text_stays_a_link(md: MarkdownIt) -> None:
    html = md.render("[see](https://example.org) and [@key](https://example.org)")
    assert '<a href="https://example.org">see</a>' in html
    assert '<a href="https://example.org"><span class="citation" data-cites="key">@key</span></a>' in html


def test_line_and_column_in_a_multi_line_paragraph(md: MarkdownIt) -> None:
    text = "# Title\n\nFirst line of the paragraph,\nsecond line,\nand the third [see @pollan2006, p. 4] line.\n"
    (citation,) = citations_of(md, text)
    assert (citation.line, citation.column) == (5, 15)
    assert citation.source == "[see @pollan2006, p. 4]"
    assert citation.key_column(0) == 20


def test_positions_inside_containers(md: MarkdownIt) -> None:
    text = "> quoted [@a]\n\n- item @b [p. 2]\n  continued [@c]\n\n| col |\n|-----|\n| x [@d] |\n"
    md.enable("table")
    found = citations_of(md, text)
    assert [(c.keys, c.line, c.column) for c in found] == [
        (("a",), 1, 10), (("b",), 3, 8), (("c",), 4, 13), (("d",), 8, 5)]


def test_positions_inside_inline_footnotes() -> None:
    md = MarkdownIt("commonmark").use(citation_plugin).use(footnote_plugin)
    text = "Intro.\n\nText^[A note citing [@a, p. 2].] and [@b].\n"
    found = citations_of(md, text)
    assert sorted((c.keys[0], c.line, c.column) for c in found) == [("a", 3, 21), ("b", 3, 38)]


def test_citation_across_lines(md: MarkdownIt) -> None:
    (citation,) = citations_of(md, "Text [see\n@a, pp. 3-5,\nemphasis added].")
    assert citation.items == (CiteItem("a", prefix="see", suffix=", emphasis added", locator="3-5", label="page"),)
    assert (citation.line, citation.column) == (1, 6)


def test_default_render_escapes(md: MarkdownIt) -> None:
    html = md.render("See [@{a&b}].")
    assert '<span class="citation" data-cites="a&amp;b">[@{a&amp;b}]</span>' in html


def test_locator_words_of_another_locale() -> None:
    md = MarkdownIt("commonmark").use(citation_plugin, locale="de-DE")
    (citation,) = citations_of(md, "Siehe [@key, S. 12] und mehr.")
    assert citation.items == (CiteItem("key", locator="12", label="page"),)
