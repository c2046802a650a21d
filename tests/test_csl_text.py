"""Text: text-case, flip-flop of nested marks, quotes, punctuation where pieces
meet, typographic apostrophes, superscript characters, and groups left out
when their variables are empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from csl_helpers import book, items_cite, run, style, texts


def title(tmp_path: Path, text: str, layout: str = '<text variable="title" text-case="title"/>', **fields) -> str:
    result = run(tmp_path, style(layout), [book("a", title=text, **fields)], [items_cite("a")])
    return texts(result)[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("the mirror and the window of the world", "The Mirror and the Window of the World"),
    ("out-of-fashion initiatives: a second story", "Out-of-Fashion Initiatives: A Second Story"),
    ("employee pro-environmental behavior", "Employee Pro-Environmental Behavior"),
    ("writings on UK people and iPad places", "Writings on UK People and iPad Places"),
    ('from "distance" to "friction": research for', "From “Distance” to “Friction”: Research For"),
    ("relationship of core traits—self-esteem—with job satisfaction",
     "Relationship of Core Traits—Self-Esteem—with Job Satisfaction"),
    ('my <span class="nocase">smith</span> pencil', "My smith Pencil"),
    ("saline solution of β-carotine", "Saline Solution of β-Carotine"),
    ("the physical\u00a0volcanology of it", "The Physical\u00a0Volcanology of It"),
])
def test_title_case(tmp_path: Path, text: str, expected: str) -> None:
    assert title(tmp_path, text) == expected


def test_title_case_is_for_english_items_only(tmp_path: Path) -> None:
    assert title(tmp_path, "review of book", language="de") == "review of book"
    assert title(tmp_path, "review of book", language="en-GB") == "Review of Book"


@pytest.mark.parametrize(("case", "expected"), [
    ("sentence", "This is a pen that is a Smith pencil"),
    ("capitalize-first", "This is a Pen that is a Smith Pencil"),
    ("capitalize-all", "This Is A Pen That Is A Smith Pencil"),
    ("uppercase", "THIS IS A PEN THAT IS A Smith PENCIL"),
    ("lowercase", "this is a pen that is a Smith pencil"),
])
def test_other_cases_keep_nocase(tmp_path: Path, case: str, expected: str) -> None:
    text = 'this is a Pen that is a <span class="nocase">Smith</span> Pencil'
    assert title(tmp_path, text, f'<text variable="title" text-case="{case}"/>') == expected


def test_flip_flop(tmp_path: Path) -> None:
    italic = '<text variable="title" font-style="italic"/>'
    assert title(tmp_path, "One <i>Two</i> Three", italic) == \
        '<i>One <span style="font-style:normal">Two</span> Three</i>'
    assert title(tmp_path, 'Lessard <span class="nodecor">v.</span> Schmidt', italic) == \
        '<i>Lessard <span style="font-style:normal">v.</span> Schmidt</i>'
    assert title(tmp_path, "Speak, <b>friend</b>", '<text variable="title" font-weight="bold"/>') == \
        '<b>Speak, <span style="font-weight:normal">friend</span></b>'
    # "normal" shows only where it undoes something
    assert title(tmp_path, "Plain", '<text variable="title" font-style="normal"/>') == "Plain"
    # bold outside italics, as citeproc-js writes them
    assert title(tmp_path, "Both", '<text variable="title" font-style="italic" font-weight="bold"/>') == \
        "<b><i>Both</i></b>"


def test_quotes_alternate_and_apostrophes_curl(tmp_path: Path) -> None:
    quoted = '<text variable="title" quotes="true"/>'
    assert title(tmp_path, 'My "Amazing" Title', quoted) == "“My ‘Amazing’ Title”"
    assert title(tmp_path, "‘Parmenides’ and Plato's thought", quoted) == "“‘Parmenides’ and Plato’s thought”"
    assert title(tmp_path, "'Nobody Knows You're a Dog': A Cartoon") == "“Nobody Knows You’re a Dog”: A Cartoon"
    assert title(tmp_path, 'Nation of "Positive Obligations " of State', '<text variable="title"/>') == \
        'Nation of "Positive Obligations " of State'  # quotes that do not pair stay
    assert title(tmp_path, "ETFA '09", '<text variable="title"/>') == "ETFA ’09"


@pytest.mark.parametrize(("ending", "suffix", "expected"), [
    ("Why?", ".", "Why?"),
    ("Done.", ".", "Done."),
    ("Note:", "!", "Note!"),
    ("etc.", ",", "etc.,"),
    ("List,", ":", "List,:"),
])
def test_punctuation_where_pieces_meet(tmp_path: Path, ending: str, suffix: str, expected: str) -> None:
    assert title(tmp_path, ending, f'<text variable="title" suffix="{suffix}"/>') == expected


def test_punctuation_in_quote_follows_the_locale(tmp_path: Path) -> None:
    layout = '<group delimiter=", "><text variable="title" quotes="true"/><text value="next"/></group>'
    items = [book("a", title="Walking")]
    us = run(tmp_path, style(layout), items, [items_cite("a")], lang="en-US")
    gb = run(tmp_path, style(layout), items, [items_cite("a")], lang="en-GB")
    assert texts(us) == ["“Walking,” next"]
    assert texts(gb) == ["‘Walking’, next"]


def test_superscript_characters_and_strip_periods(tmp_path: Path) -> None:
    assert title(tmp_path, "1ᵉʳ ™", '<text variable="title"/>') == "1<sup>e</sup><sup>r</sup> <sup>TM</sup>"
    assert title(tmp_path, "U.S.A.", '<text variable="title" strip-periods="true"/>') == "USA"


def test_group_and_macro_left_out_when_their_variables_are_empty(tmp_path: Path) -> None:
    macros = ('<macro name="in-container"><text term="in" suffix=" "/><text variable="container-title"/></macro>'
              '<macro name="no-date"><text term="no date" form="short"/></macro>')
    layout = ('<group delimiter=", "><text variable="title"/><text macro="in-container"/></group>'
              '<group prefix=" (" suffix=")" delimiter=" "><text term="edition" form="short"/>'
              '<text variable="edition"/></group>'
              '<group prefix=" [" suffix="]"><text macro="no-date"/><text variable="volume"/></group>')
    result = run(tmp_path, style(layout, macros=macros), [book("a", title="T"),
                                                          book("b", title="T", **{"container-title": "C"})],
                 [items_cite("a"), items_cite("b")])
    # a macro that renders counts as a variable that renders: "[n.d.]" stays
    assert texts(result) == ["T [n.d.]", "T, in C [n.d.]"]


def test_punctuation_in_quote_takes_question_and_exclamation_marks(tmp_path: Path) -> None:
    layout = ('<group><text variable="title" quotes="true" suffix=":"/><text value="next" prefix="! "/></group>')
    result = run(tmp_path, style(layout), [book("a", title="Wow")], [items_cite("a")], lang="en-US")
    assert texts(result) == ["“Wow!” next"]


def test_a_number_field_keeps_its_markup(tmp_path: Path) -> None:
    assert title(tmp_path, "x", '<number variable="number"/>', number="1<sup>er</sup>") == "1<sup>er</sup>"


def test_the_layout_suffix_goes_into_the_last_block(tmp_path: Path) -> None:
    bibliography = ('<text variable="title" display="left-margin"/><text variable="publisher" '
                    'display="right-inline"/>')
    csl = style(bibliography=bibliography, bibliography_layout='suffix="."')
    result = run(tmp_path, csl, [book("a", title="T", publisher="P")], nocite=("@a",))
    assert [r.html for r in result.references] == [
        '<div class="csl-left-margin">T</div><div class="csl-right-inline">P.</div>']
