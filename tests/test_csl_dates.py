"""Dates (CSL 1.0.2, "Date", "Date-part", "Date Ranges", "AD and BC", "Seasons",
"Approximate Dates"), and what a bibliography may say of a date."""

from __future__ import annotations

from pathlib import Path

import pytest

from csl_helpers import book, items_cite, run, style, texts

TEXT_DATE = '<date variable="issued" form="text"/>'
PARTS = ('<date variable="issued"><date-part name="day" suffix=" " range-delimiter="-"/>'
         '<date-part name="month" suffix=" "/><date-part name="year" range-delimiter="/"/></date>')


def date(tmp_path: Path, layout: str, issued: dict, lang: str = "en-US") -> str:
    result = run(tmp_path, style(layout), [book("a", issued=issued)], [items_cite("a")], lang=lang)
    return texts(result)[0]


@pytest.mark.parametrize(("issued", "expected"), [
    ({"date-parts": [[1999, 1, 2], [1999, 1, 4]]}, "2-4 January 1999"),
    ({"date-parts": [[1999, 1, 2], [1999, 3, 4]]}, "2 January–4 March 1999"),
    ({"date-parts": [[1999, 1, 2], [2000, 1, 4]]}, "2 January 1999/4 January 2000"),
    ({"date-parts": [[1999], [2001]]}, "1999/2001"),
    ({"date-parts": [[1999, 5], [1999, 5]]}, "May 1999"),
])
def test_ranges_repeat_only_what_differs(tmp_path: Path, issued: dict, expected: str) -> None:
    assert date(tmp_path, PARTS, issued) == expected


def test_localized_formats_and_date_parts(tmp_path: Path) -> None:
    issued = {"date-parts": [[1998, 4, 10]]}
    assert date(tmp_path, TEXT_DATE, issued) == "April 10, 1998"
    assert date(tmp_path, '<date variable="issued" form="text" date-parts="year-month"/>', issued) == "April 1998"
    assert date(tmp_path, '<date variable="issued" form="numeric"/>', issued) == "04/10/1998"
    assert date(tmp_path, TEXT_DATE, issued, lang="de-DE") == "10. April 1998"
    # a style's date-part overrides the locale's form, not its order
    short = '<date variable="issued" form="text"><date-part name="month" form="short"/></date>'
    assert date(tmp_path, short, issued) == "Apr. 10, 1998"


@pytest.mark.parametrize(("issued", "expected"), [
    ({"date-parts": [[2000]], "season": 3}, "Autumn 2000"),
    ({"date-parts": [[2000]], "season": "Summer"}, "Summer 2000"),
    ({"date-parts": [[1999, 21]]}, "Spring 1999"),  # EDTF's months 21–24
    ({"date-parts": [[1999, 21], [2001, 22]]}, "Spring 1999–Summer 2001"),
    ({"date-parts": [[1999, 21], [1999, 22]]}, "Spring–Summer 1999"),
])
def test_seasons_stand_in_for_months(tmp_path: Path, issued: dict, expected: str) -> None:
    assert date(tmp_path, TEXT_DATE, issued) == expected


def test_literal_dates_eras_and_open_ranges(tmp_path: Path) -> None:
    year = '<date variable="issued"><date-part name="year"/></date>'
    assert date(tmp_path, year, {"literal": "in press"}) == "in press"
    assert date(tmp_path, year, {"date-parts": [], "literal": "(forthcoming)"}) == "(forthcoming)"
    assert date(tmp_path, year, {"date-parts": [[-250]]}) == "250 BC"
    assert date(tmp_path, year, {"date-parts": [[79]]}) == "79 AD"
    assert date(tmp_path, year, {"date-parts": [[2000], [0]]}) == "2000–"


def test_uncertain_dates_test_true(tmp_path: Path) -> None:
    layout = ('<group delimiter=" "><choose><if is-uncertain-date="issued"><text term="circa" form="short"/>'
              '</if></choose><date variable="issued"><date-part name="year"/></date></group>')
    assert date(tmp_path, layout, {"date-parts": [[1700]], "circa": True}) == "c. 1700"
    assert date(tmp_path, layout, "1700~") == "c. 1700"  # EDTF's approximate date
    assert date(tmp_path, layout, {"date-parts": [[1700]]}) == "1700"


def test_impossible_months_and_empty_parts(tmp_path: Path) -> None:
    layout = '<date variable="issued"><date-part name="month" suffix=" "/><date-part name="year"/></date>'
    assert date(tmp_path, layout, {"date-parts": [[1965, 60, 1]]}) == "1965"  # dropped, with its day
    assert date(tmp_path, layout, {"date-parts": [[1965, 13]]}) == "Spring 1965"  # CSL's 13–16
    assert date(tmp_path, layout, {"date-parts": [["2000", "", ""]]}) == "2000"  # as Zotero writes it


def test_ordinal_days_follow_the_locale(tmp_path: Path) -> None:
    layout = ('<date variable="issued" delimiter=" "><date-part name="day" form="ordinal"/>'
              '<date-part name="month"/><date-part name="year"/></date>')
    assert date(tmp_path, layout, {"date-parts": [[2004, 10, 2]]}) == "2nd October 2004"
    # French: only the first is an ordinal (limit-day-ordinals-to-day-1), in superscript
    assert date(tmp_path, layout, {"date-parts": [[2004, 10, 1]]}, lang="fr-FR") == "1<sup>e</sup><sup>r</sup> octobre 2004"
    assert date(tmp_path, layout, {"date-parts": [[2004, 10, 2]]}, lang="fr-FR") == "2 octobre 2004"


def test_a_date_without_the_parts_shown_is_empty(tmp_path: Path) -> None:
    layout = ('<text value="Only this"/><group><text value=" (and not this)"/><date variable="issued">'
              '<date-part name="month"/></date></group>')
    assert date(tmp_path, layout, {"date-parts": [[1965]]}) == "Only this"
