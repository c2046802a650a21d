"""Numbers, labels and page ranges (CSL 1.0.2, "Number", "Label", ``is-numeric``,
"Page Ranges", Appendix V)."""

from __future__ import annotations

from pathlib import Path

import pytest

from book.resolve.cite.numbers import format_pages, is_numeric, is_plural
from csl_helpers import book, cite, items_cite, run, style, texts


@pytest.mark.parametrize(("value", "numeric"), [
    ("2", True), ("2nd", True), ("L2d", True), ("2-4", True), ("2, 3", True), ("2 & 4", True),
    ("second", False), ("2nd edition", False), ("annotated edition", False), ("3\\-B", False),
])
def test_is_numeric(value: str, numeric: bool) -> None:
    assert is_numeric(value) is numeric


@pytest.mark.parametrize(("value", "plural"), [
    ("1-2", True), ("i-ix", True), ("4–6", True), ("213 & 235", True), ("3", False),
    ("Michaelson-Morely", False), ("3\\-B", False),
])
def test_label_plurals(value: str, plural: bool) -> None:
    assert is_plural(value) is plural


@pytest.mark.parametrize(("style_name", "pages", "expected"), [
    ("chicago-16", "101-108", "101–8"),
    ("chicago-16", "71-72", "71–72"),
    ("chicago-16", "1496-1504", "1496–504"),
    ("chicago-15", "1496-1504", "1496–1504"),
    ("chicago-16", "321-328", "321–28"),
    ("chicago-16", "1100-1123", "1100–1123"),
    ("expanded", "42-5", "42–45"),
    ("minimal", "321-328", "321–8"),
    ("minimal-two", "321-328", "321–28"),
    ("expanded", "N110 - N5", "N110–N115"),  # the same prefix on both
    ("expanded", "N110 - 5", "N110-5"),  # not the same: left as it is
    ("", "110-5", "110–5"),  # no format: only the dash
    ("chicago-16", "142-145 & 235", "142–45 & 235"),
])
def test_page_range_formats(style_name: str, pages: str, expected: str) -> None:
    assert format_pages(pages, style_name) == expected


def test_page_ranges_use_the_locale_delimiter(tmp_path: Path) -> None:
    result = run(tmp_path, style('<text variable="page"/>'), [book("a", page="1-3")], [items_cite("a")],
                 lang="fr-FR")
    assert texts(result) == ["1\u20113"]


def test_locators_follow_page_range_format(tmp_path: Path) -> None:
    layout = '<text variable="locator"/>'
    result = run(tmp_path, style(layout, attrs='page-range-format="chicago-16"'), [book("a")],
                 [cite("@a, pp. 1804-08"), cite("@a, chap. 3-4")])
    assert texts(result) == ["1804–8", "3–4"]


def test_number_forms(tmp_path: Path) -> None:
    forms = ('<group delimiter="; "><number variable="volume"/><number variable="volume" form="ordinal"/>'
             '<number variable="volume" form="long-ordinal"/><number variable="volume" form="roman"/>'
             '<number variable="edition"/></group>')
    result = run(tmp_path, style(forms), [book("a", volume="2", edition="5 ed."),
                                          book("b", volume="42", edition="2-4")], [items_cite("a"), items_cite("b")])
    assert texts(result) == ["2; 2nd; second; ii; 5 ed.", "42; 42nd; 42nd; xlii; 2–4"]


def test_ordinals_agree_with_the_noun(tmp_path: Path) -> None:
    layout = ('<group delimiter=" "><number variable="edition" form="ordinal"/>'
              '<label variable="edition" form="short"/></group>')
    result = run(tmp_path, style(layout), [book("a", edition="1")], [items_cite("a")], lang="fr-FR")
    assert texts(result) == ["1<sup>r</sup><sup>e</sup> éd."]  # édition is feminine


def test_labels(tmp_path: Path) -> None:
    layout = ('<group delimiter=" "><label variable="page" form="short"/><text variable="page"/></group>'
              '<group delimiter=" " prefix=", "><label variable="number-of-pages"/>'
              '<text variable="number-of-pages"/></group>'
              '<group delimiter=" " prefix="; "><label variable="locator" form="short"/>'
              '<text variable="locator"/></group>')
    result = run(tmp_path, style(layout), [book("a", page="5-7", **{"number-of-pages": "1"}),
                                           book("b", page="5", **{"number-of-pages": "300"})],
                 [cite("@a, chap. 2"), cite("@b, pp. 3, 5")])
    assert texts(result) == ["pp. 5–7, page 1; chap. 2", "p. 5, pages 300; pp. 3, 5"]


def test_plurals_in_other_languages_and_old_locator_names(tmp_path: Path) -> None:
    assert is_plural("213 et 235", and_term="et")
    layout = '<group delimiter=" "><label variable="locator" form="short"/><text variable="locator"/></group>'
    result = run(tmp_path, style(layout), [book("a")], [items_cite("a", locator="gargoyle", label="sub verbo")])
    assert texts(result) == ["s.v. gargoyle"]


def test_a_numeric_range_in_a_number_variable_gets_an_en_dash(tmp_path: Path) -> None:
    result = run(tmp_path, style('<text variable="issue" prefix="n. "/>'), [book("a", issue="3-4"),
                                                                            book("b", issue="Suppl. 2-A")],
                 [items_cite("a"), items_cite("b")])
    assert texts(result) == ["n. 3–4", "n. Suppl. 2-A"]


@pytest.mark.parametrize("typed", ["72--75", "72–75", "72-75", "72 -- 75"])
def test_a_range_typed_with_two_hyphens_is_one_range(typed: str) -> None:
    """pandoc reads "72--75" in a locator as an en dash; so do we (not "72––75")."""
    from book.resolve.cite.numbers import render_number

    assert render_number(typed, "numeric", None) == "72–75"
    assert is_plural(typed)
