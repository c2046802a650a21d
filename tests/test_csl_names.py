"""Names (CSL 1.0.2, "Names", "Name"): initials, particles, et-al, delimiters,
substitutes, labels, the editor-translator, people known by one name."""

from __future__ import annotations

from pathlib import Path

import pytest

from book.resolve.cite.initials import initials
from csl_helpers import book, entries, items_cite, person, run, style, texts

NAMES = '<names variable="author"><name {}/></names>'


def names(tmp_path: Path, authors: list[dict], name_attrs: str = "", **kwargs) -> str:
    result = run(tmp_path, style(NAMES.format(name_attrs), **kwargs), [book("a", author=authors)], [items_cite("a")])
    return texts(result)[0]


@pytest.mark.parametrize(("given", "mark", "expected"), [
    ("John Edward", ". ", "J. E."),
    ("John Edward", ".", "J.E."),
    ("John Edward", "", "JE"),
    ("Jean-Luc", ". ", "J.-L."),
    ("Guo-ping", ". ", "G."),  # a lower-case second part is not a name of its own
    ("TSerendorjiin", ".", "Ts."),  # a capital digraph keeps its second letter
    ("Ph.M.E.", ". ", "Ph. M. E."),  # an abbreviation stays
    ("ME", ".", "M."),
    ("John Bertrand de Cusance Morant", ". ", "J. B. de C. M."),
    ("<b>John</b> Quincy", ". ", "<b>J.</b> Q."),
])
def test_initials(given: str, mark: str, expected: str) -> None:
    assert initials(given, mark, True, True) == expected


def test_initials_without_hyphen_and_without_initializing() -> None:
    assert initials("Jean-Luc", ". ", True, False) == "J. L."
    assert initials("James T", ".", False, True) == "James T."
    assert initials("John M.E.", " ", False, True) == "John M E"


def test_particles_parsed_from_family_and_given(tmp_path: Path) -> None:
    authors = [person("van Gogh", "Vincent"), person("Humboldt", "Alexander von"), person('"Van Dyke"', "Dick")]
    assert names(tmp_path, authors, 'name-as-sort-order="all" delimiter="; "') == \
        "Gogh, Vincent van; Humboldt, Alexander von; Van Dyke, Dick"
    assert names(tmp_path, authors, 'form="short" delimiter="; "') == "van Gogh; Humboldt; Van Dyke"


def test_demote_never_keeps_the_particle_in_front(tmp_path: Path) -> None:
    authors = [person("van Gogh", "Vincent")]
    assert names(tmp_path, authors, 'name-as-sort-order="all"', attrs='demote-non-dropping-particle="never"') == \
        "van Gogh, Vincent"


@pytest.mark.parametrize(("attrs", "expected"), [
    ('et-al-min="3" et-al-use-first="1"', "Doe et al."),
    ('et-al-min="3" et-al-use-first="2"', "Doe, Roe, et al."),
    ('et-al-min="3" et-al-use-first="1" delimiter-precedes-et-al="always"', "Doe, et al."),
    ('et-al-min="3" et-al-use-first="1" et-al-use-last="true"', "Doe, … Moe"),
    ('and="text"', "Doe, Roe, Poe, and Moe"),
    ('and="symbol" delimiter-precedes-last="never"', "Doe, Roe, Poe &amp; Moe"),
])
def test_et_al_and_delimiters(tmp_path: Path, attrs: str, expected: str) -> None:
    authors = [person(f) for f in ("Doe", "Roe", "Poe", "Moe")]
    assert names(tmp_path, authors, f'form="short" {attrs}') == expected


def test_after_inverted_name_counts_only_people(tmp_path: Path) -> None:
    attrs = 'name-as-sort-order="all" and="symbol" delimiter-precedes-last="after-inverted-name"'
    assert names(tmp_path, [{"literal": "Acme Corp"}, {"literal": "Widget Ltd"}], attrs) == "Acme Corp &amp; Widget Ltd"
    assert names(tmp_path, [person("Doe", "Jo"), person("Roe", "Al")], attrs) == "Doe, Jo, &amp; Roe, Al"


def test_one_name_people_and_organisations(tmp_path: Path) -> None:
    part = '<name initialize-with=". "><name-part name="family" font-variant="small-caps"/></name>'
    result = run(tmp_path, style(f'<names variable="author">{part}</names>'),
                 [book("a", author=[{"given": "Banksy"}]), book("b", author=[{"literal": "Yale University"}])],
                 [items_cite("a"), items_cite("b")])
    assert texts(result) == ['<span style="font-variant:small-caps">Banksy</span>',
                             '<span style="font-variant:small-caps">Yale University</span>']


def test_name_part_affixes_enclose_particles(tmp_path: Path) -> None:
    parts = '<name-part name="family" prefix="(" suffix=")"/><name-part name="given" prefix="[" suffix="]"/>'
    author = [{"given": "Jean", "dropping-particle": "de", "non-dropping-particle": "La", "family": "Fontaine",
               "suffix": "III"}]
    result = run(tmp_path, style(f'<names variable="author"><name>{parts}</name></names>'),
                 [book("a", author=author)], [items_cite("a")])
    assert texts(result) == ["[Jean] (de La Fontaine III)"]


def test_names_in_family_first_scripts(tmp_path: Path) -> None:
    assert names(tmp_path, [person("毛", "泽东")], 'name-as-sort-order="all"') == "毛泽东"


def test_editor_and_translator_alike_print_once(tmp_path: Path) -> None:
    same = [person("Doe", "John")]
    layout = ('<names variable="editor translator" delimiter=", "><name/>'
              '<label form="short" prefix=" (" suffix=")"/></names>')
    result = run(tmp_path, style(layout), [book("a", editor=same, translator=same)], [items_cite("a")])
    assert texts(result) == ["John Doe (ed. &amp; trans.)"]
    empty = '<locale><terms><term name="editortranslator" form="short"></term></terms></locale>'
    result = run(tmp_path, style(layout, locale=empty), [book("a", editor=same, translator=same)], [items_cite("a")])
    assert texts(result) == ["John Doe (ed.), John Doe (trans.)"]


def test_substitute_is_not_printed_twice(tmp_path: Path) -> None:
    layout = ('<group delimiter=". "><names variable="author"><name/><substitute><names variable="editor"/>'
              '<text variable="title"/></substitute></names><names variable="editor"><name/></names>'
              '<text variable="title" font-style="italic"/></group>')
    result = run(tmp_path, style(layout), [book("a", editor=[person("Roe", "Jane")], title="T"),
                                           book("b", title="Only a Title")],
                 [items_cite("a"), items_cite("b")])
    assert texts(result) == ["Jane Roe. <i>T</i>", "Only a Title"]


def test_count_form(tmp_path: Path) -> None:
    authors = [person(f) for f in ("Doe", "Roe", "Poe")]
    assert names(tmp_path, authors, 'form="count"') == "3"
    assert names(tmp_path, authors, 'form="count" et-al-min="3" et-al-use-first="1"') == "1"


def test_subsequent_author_substitute_compares_names_not_labels(tmp_path: Path) -> None:
    bibliography = ('<group delimiter=". "><names variable="author editor"><name name-as-sort-order="all"/>'
                    '<label form="short" prefix=" "/></names><text variable="title"/></group>')
    csl = style(bibliography=bibliography, bibliography_attrs='subsequent-author-substitute="———"',
                bibliography_sort='<key variable="title"/>')
    doe = [person("Doe", "John")]
    result = run(tmp_path, csl, [book("a", editor=doe, title="A"), book("b", author=doe, title="B"),
                                 book("c", author=[person("Roe", "Jane")], title="C")], nocite=("@*",))
    assert entries(result) == ["Doe, John ed. A", "———. B", "Roe, Jane. C"]


def test_names_that_stood_in_are_not_repeated_within_the_substitute(tmp_path: Path) -> None:
    macros = ('<macro name="editor"><names variable="editor"><name/><label form="short" prefix=" "/></names>'
              '<names variable="editor"><name/><label prefix=" "/></names></macro>')
    layout = ('<group delimiter=". "><names variable="author"><name/><substitute><text macro="editor"/>'
              '</substitute></names><text variable="title"/></group>')
    result = run(tmp_path, style(layout, macros=macros), [book("a", editor=[person("Doe", "Jo")], title="T")],
                 [items_cite("a")])
    assert texts(result) == ["Jo Doe ed. T"]


def test_et_al_subsequent_applies_to_later_cites(tmp_path: Path) -> None:
    csl = style(NAMES.format(""), citation_attrs='et-al-min="5" et-al-use-first="1" et-al-subsequent-min="3" '
                'et-al-subsequent-use-first="1"', cls="note")
    authors = [person(f, "A") for f in ("Doe", "Roe", "Poe", "Moe")]
    result = run(tmp_path, csl, [book("a", author=authors)], [items_cite("a", note=1), items_cite("a", note=2)])
    assert texts(result) == ["A Doe, A Roe, A Poe, A Moe", "A Doe et al."]


def test_names_in_a_zotero_extra_field(tmp_path: Path) -> None:
    note = "reviewed-author: Hall || W. C."
    result = run(tmp_path, style('<names variable="reviewed-author"><name/></names>'), [book("a", note=note)],
                 [items_cite("a")])
    assert texts(result) == ["W. C. Hall"]


def test_a_particle_that_is_a_word_of_its_own_keeps_its_space(tmp_path: Path) -> None:
    attrs = 'name-as-sort-order="all" delimiter="; "'
    assert names(tmp_path, [person("de' Frinkle", "B"), person("d'Wander", "W")], attrs,
                 attrs='demote-non-dropping-particle="never"') == "de’ Frinkle, B; d’Wander, W"
