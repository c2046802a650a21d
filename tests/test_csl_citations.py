"""A document's citations as a whole: disambiguation and year suffixes, sorting,
grouping and collapsing, positions from note numbers, the reference list."""

from __future__ import annotations

from pathlib import Path

from csl_helpers import book, cite, entries, items_cite, person, run, style, texts

AUTHOR_DATE = ('<group delimiter=" "><names variable="author"><name form="short" and="text" initialize-with=". "/>'
               '</names><date variable="issued"><date-part name="year"/></date></group>')
BIB = ('<group delimiter=". "><names variable="author"><name name-as-sort-order="all"/></names>'
       '<date variable="issued"><date-part name="year"/></date><text variable="title"/></group>')


def test_year_suffix_without_a_year_suffix_variable(tmp_path: Path) -> None:
    """The issue's everyday case: two works by Smith in 1986."""
    csl = style(AUTHOR_DATE, BIB, citation_attrs='disambiguate-add-year-suffix="true"', layout='delimiter="; "',
                bibliography_sort='<key variable="author"/><key variable="title"/>')
    items = [book("b", author=[person("Smith", "Jo")], issued={"date-parts": [[1986]]}, title="Beta"),
             book("a", author=[person("Smith", "Jo")], issued={"date-parts": [[1986]]}, title="Alpha")]
    result = run(tmp_path, csl, items, [cite("@b; @a")])
    assert texts(result) == ["Smith 1986b; Smith 1986a"]  # letters follow the reference list's order
    assert entries(result) == ["Smith, Jo. 1986a. Alpha", "Smith, Jo. 1986b. Beta"]


def test_uncited_works_take_part(tmp_path: Path) -> None:
    csl = style(AUTHOR_DATE, BIB, citation_attrs='disambiguate-add-year-suffix="true"')
    items = [book("a", author=[person("Smith")], issued={"date-parts": [[1986]]}, title="A"),
             book("b", author=[person("Smith")], issued={"date-parts": [[1986]]}, title="B")]
    result = run(tmp_path, csl, items, [cite("@a")], nocite=("@b",))
    assert texts(result) == ["Smith 1986a"]


def test_more_names_then_given_names(tmp_path: Path) -> None:
    names = ('<names variable="author"><name form="short" and="symbol" delimiter=", " initialize-with=". "/>'
             '</names>')
    csl = style(names, citation_attrs='et-al-min="3" et-al-use-first="1" disambiguate-add-names="true" '
                'disambiguate-add-givenname="true"', layout='delimiter="; "')
    people = {"a": ["Smith", "Brown", ("Jones", "John")], "b": ["Smith", "Brown", ("Jones", "Alan")],
              "c": ["Smith", "Benson", "Cole"]}
    items = [book(k, author=[person(*p) if isinstance(p, tuple) else person(p, "X") for p in v])
             for k, v in people.items()]
    result = run(tmp_path, csl, items, [cite("@a; @b; @c")])
    assert texts(result) == ["Smith, Brown, &amp; J. Jones; Smith, Brown, &amp; A. Jones; Smith, Benson, et al."]


def test_given_names_for_different_people_with_one_family_name(tmp_path: Path) -> None:
    csl = style(AUTHOR_DATE, citation_attrs=
                'disambiguate-add-givenname="true" givenname-disambiguation-rule="primary-name"',
                layout='delimiter="; "')
    items = [book("a", author=[person("Doyle", "Conan")], issued={"date-parts": [[2013]]}),
             book("b", author=[person("Doyle", "James")], issued={"date-parts": [[2012]]}),
             book("c", author=[person("Doyle", "Carl")], issued={"date-parts": [[2011]]})]
    result = run(tmp_path, csl, items, [cite("@a; @b; @c")])
    # initials where they differ, full given names where they do not
    assert texts(result) == ["Conan Doyle 2013; J. Doyle 2012; Carl Doyle 2011"]


def test_disambiguate_conditions_one_at_a_time(tmp_path: Path) -> None:
    layout = ('<group delimiter=", "><names variable="author"><name/></names>'
              '<choose><if disambiguate="true"><text variable="title"/></if></choose>'
              '<choose><if disambiguate="true"><text variable="edition" prefix="ed. "/></if></choose></group>')
    doe = [person("Smith", "John")]
    items = [book("a", author=doe, title="One", edition="3"), book("b", author=doe, title="Two", edition="4"),
             book("c", author=doe, title="Works", edition="5"), book("d", author=doe, title="Works", edition="6")]
    result = run(tmp_path, style(layout), items, [items_cite(k) for k in "abcd"])
    assert texts(result) == ["John Smith, One", "John Smith, Two", "John Smith, Works, ed. 5",
                             "John Smith, Works, ed. 6"]


def test_sorting(tmp_path: Path) -> None:
    csl = style('<text variable="title"/>', '<text variable="title"/>',
                bibliography_sort='<key variable="issued" sort="descending"/><key macro="author"/>',
                macros='<macro name="author"><names variable="author"><name/></names></macro>')
    items = [book("z", title="Zola", author=[person("Zola", "Émile")], issued={"date-parts": [[1900]]}),
             book("e", title="Émile", author=[person("Émile", "Zed")], issued={"date-parts": [[1900]]}),
             book("n", title="Undated", author=[person("Aa")]),
             book("o", title="Old", author=[person("Old")], issued={"date-parts": [[-50]]})]
    result = run(tmp_path, csl, items, nocite=("@*",))
    # newest first; accents and case do not count; an empty key goes last both ways
    assert entries(result) == ["Émile", "Zola", "Old", "Undated"]


def test_cite_grouping_and_collapsing(tmp_path: Path) -> None:
    csl = style(AUTHOR_DATE, citation_attrs='collapse="year-suffix" disambiguate-add-year-suffix="true" '
                'year-suffix-delimiter=", "',
                citation_sort='<key variable="issued"/>', layout='prefix="(" suffix=")" delimiter="; "')
    items = [book(k, author=[person(a)], issued={"date-parts": [[y]]}, title=k)
             for k, a, y in (("a", "Doe", 1999), ("b", "Roe", 2000), ("c", "Doe", 2001), ("d", "Doe", 2001))]
    result = run(tmp_path, csl, items, [cite("@b; @a; @d; @c")])
    assert texts(result) == ["(Doe 1999, 2001a, b; Roe 2000)"]


def test_citation_numbers_collapse(tmp_path: Path) -> None:
    csl = style('<text variable="citation-number"/>', '<text variable="title"/>',
                citation_attrs='collapse="citation-number"', citation_sort='<key variable="citation-number"/>',
                layout='prefix="[" suffix="]" delimiter=", "')
    items = [book(k, title=k) for k in "abcde"]
    result = run(tmp_path, csl, items, [cite("@a; @b; @c; @d"), cite("@e; @c; @a"), cite("@b; @d, p. 4")])
    assert texts(result) == ["[1–4]", "[1, 3, 5]", "[2, 4]"]


NOTE = ('<choose><if position="ibid-with-locator"><group delimiter=", "><text term="ibid"/>'
        '<text variable="locator"/></group></if><else-if position="ibid"><text term="ibid"/></else-if>'
        '<else-if position="near-note"><group delimiter=", "><text variable="title" form="short"/>'
        '<text variable="first-reference-note-number" prefix="n. "/></group></else-if>'
        '<else-if position="subsequent"><text variable="title" form="short"/></else-if>'
        '<else><text variable="title"/></else></choose>')


def test_positions_from_note_numbers(tmp_path: Path) -> None:
    csl = style(NOTE, cls="note", citation_attrs='near-note-distance="2"', layout='suffix="."')
    items = [book("a", title="A Long Title", **{"title-short": "A"}), book("b", title="B")]
    citations = [cite("@a, p. 4", 1), cite("@a, p. 4", 2), cite("@a, p. 5", 3), cite("@b", 4), cite("@a", 5),
                 cite("@a", 9), cite("@b", 11)]
    assert texts(run(tmp_path, csl, items, citations)) == [
        "A Long Title.", "Ibid.", "Ibid., 5.", "B.", "A, n. 1.", "A.", "B."]


def test_ibid_needs_the_note_just_before(tmp_path: Path) -> None:
    csl = style(NOTE, cls="note", layout='delimiter="; " suffix="."')
    items = [book("a", title="A"), book("b", title="B")]
    # a note without citations between them, or a note citing two works, makes it subsequent
    # (here near-note: within five notes)
    citations = [cite("@a", 1), cite("@a", 3), cite("@a; @b", 4), cite("@b", 5), cite("@b", 6)]
    assert texts(run(tmp_path, csl, items, citations)) == ["A.", "A, n. 1.", "Ibid.; B.", "B, n. 4.", "Ibid."]


def test_ibid_capitalised_only_where_a_sentence_starts(tmp_path: Path) -> None:
    csl = style(NOTE, cls="note", layout='suffix="."')
    citations = [cite("@a", 1), cite("see @a", 2), cite("As said before. @a", 3), cite("cf. @a", 4)]
    assert texts(run(tmp_path, csl, [book("a", title="A")], citations)) == [
        "A.", "see ibid.", "As said before. Ibid.", "cf. ibid."]


def test_prefix_with_punctuation_replaces_the_delimiter(tmp_path: Path) -> None:
    csl = style('<text variable="title"/>', layout='delimiter="; "')
    result = run(tmp_path, csl, [book("a", title="A"), book("b", title="B")], [cite("@a; , cited in @b")])
    assert texts(result) == ["A, cited in B"]


def test_an_entry_that_renders_nothing_is_left_out(tmp_path: Path) -> None:
    csl = style('<text variable="title"/>', '<text variable="title"/>')
    result = run(tmp_path, csl, [book("a", title="A"), book("b")], [cite("@a; @b")])
    assert entries(result) == ["A"]
    assert [r.key for r in result.references] == ["a"]


def test_note_numbers_of_a_chapter() -> None:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    from book.resolve.cite.plugin import citation_plugin
    from book.resolve.cite.syntax import with_notes

    md = MarkdownIt("commonmark").use(footnote_plugin).use(citation_plugin)
    tokens = md.parse("Text [@a].[^1] More [@b] and [^2].\n\n[^1]: See [@c].\n[^2]: Also [@a] and [@b].\n")
    found = [(t, t.meta["citation"]) for t in tokens for t in (t.children or ()) if t.type == "citation"]
    # in a note style a citation in the text is a note of its own, numbered with the footnotes
    notes = [(c.keys[0], c.note) for c in with_notes(tokens, found, note_style=True)]
    assert notes == [("a", 1), ("b", 3), ("c", 2), ("a", 4), ("b", 4)]
    notes = [(c.keys[0], c.note) for c in with_notes(tokens, found, note_style=False)]
    assert notes == [("a", 0), ("b", 0), ("c", 1), ("a", 2), ("b", 2)]


def test_positions_start_again_with_the_notes_of_a_new_chapter(tmp_path: Path) -> None:
    csl = style(NOTE, cls="note", layout='suffix="."')
    items = [book("a", title="A Long Title", **{"title-short": "A"})]
    citations = [cite("@a", 1), cite("@a", 2), cite("@a", 1), cite("@a", 2)]
    assert texts(run(tmp_path, csl, items, citations)) == ["A Long Title.", "Ibid.", "A Long Title.", "Ibid."]


def test_sorting_ignores_punctuation(tmp_path: Path) -> None:
    csl = style('<text variable="title"/>', '<text variable="title"/>', bibliography_sort='<key variable="title"/>')
    items = [book("c", title='Simple "title" here C'), book("b", title='"Simple title here B"'),
             book("a", title="Simple title, here A")]
    assert entries(run(tmp_path, csl, items, nocite=("@*",))) == [
        "Simple title, here A", "“Simple title here B”", "Simple “title” here C"]
