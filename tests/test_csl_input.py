"""What a bibliography may hold: CSL accepts it, so do we (CSL-JSON as the CSL
test suite writes it); what is really broken is still refused with its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from book.resolve.cite.bibliography import load_bibliography
from book.errors import BookError
from csl_helpers import book, items_cite, run, style, texts

ERRORS = Path(__file__).parent / "fixtures" / "cite" / "errors"


def test_an_entry_without_type_author_or_title_is_accepted(tmp_path: Path) -> None:
    bib = load_bibliography([ERRORS / "no-title.yaml"])
    assert bib.get("nameless").data["publisher"] == "Somebody"
    layout = '<group delimiter=", "><text variable="title"/><text variable="publisher"/></group>'
    result = run(tmp_path, style(layout), [{"id": "x", "publisher": "Somebody"}], [items_cite("x")])
    assert texts(result) == ["Somebody"]


def test_dates_csl_leaves_to_the_processor_are_accepted() -> None:
    bib = load_bibliography([ERRORS / "bad-date.yaml"])  # [[1997, 13, 40]]: spring 1997
    assert bib.get("a").data["issued"] == {"date-parts": ((1997, 13, 40),)}


@pytest.mark.parametrize("issued", [
    {"literal": "in press"},
    {"date-parts": [], "literal": "(in press)"},
    {"date-parts": [["2000", "", ""]]},
    {"date-parts": [[2000], []]},
    {"date-parts": [[2000]], "season": "22:56:08"},  # Zotero once kept times there
    {"raw": "Bogus Date"},
    "1997-05~",
    "1997/2001",
])
def test_date_forms_load(tmp_path: Path, issued: object) -> None:
    path = tmp_path / "refs.json"
    path.write_text(json.dumps([{"id": "a", "type": "book", "title": "T", "issued": issued}]), encoding="utf-8")
    assert load_bibliography([path]).get("a") is not None


def test_broken_dates_are_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text(json.dumps([{"id": "a", "type": "book", "issued": {"date-parts": [["May"]]}}]), encoding="utf-8")
    with pytest.raises(BookError, match="malformed date-parts") as caught:
        load_bibliography([path])
    assert caught.value.line == 1


def test_no_break_spaces_survive(tmp_path: Path) -> None:
    result = run(tmp_path, style('<text variable="title"/>'), [book("a", title="A\u00a0B  C")], [items_cite("a")])
    assert texts(result) == ["A\u00a0B C"]
