"""The translations table and what the language decides: words, quotes, dates, lists, direction,
French spacing, slugs and spelling."""

from __future__ import annotations

import pytest

from book.locales import KEYS, LANGUAGES, _file, direction, french_spacing, placeholders, quotes, table, words

REQUIRED = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sv", "ru", "uk", "el", "tr", "ar", "he", "ja", "zh")


def test_every_required_language_has_every_word_with_the_same_placeholders():
    english = _file("en")
    assert {"figure", "table", "equation", "section", "contents", "notes", "index"} <= set(KEYS)
    for lang in REQUIRED:
        own = _file(lang)
        assert set(own) == set(KEYS), (lang, set(KEYS) ^ set(own))
        for key, text in own.items():
            assert placeholders(text) == placeholders(english[key]), (lang, key)
            assert text.strip(), (lang, key)
    assert set(REQUIRED) <= set(LANGUAGES)


def test_a_regional_tag_falls_back_to_its_language_then_english():
    assert table("pt-BR")["section"] == "Seção" and table("pt-BR")["contents"] == table("pt")["contents"]
    assert table("en-GB") == table("en")
    assert table("xx")["contents"] == "Contents"  # a language we have no file for: English, no error
    assert table("de-AT")["contents"] == "Inhalt"


def test_quotes_dates_lists_and_direction_come_from_cldr():
    assert quotes("en") == ("“", "”", "‘", "’")
    assert quotes("de-CH")[:2] == ("„", "“")
    assert quotes("fr")[:2] == ("«\u202f", "\u202f»")
    assert quotes("ja")[:2] == ("「", "」")
    assert words("de").date("2023-09-01") == "1. September 2023"
    assert words("en-US").date("2021-11-26") == "November 26, 2021"
    assert words("en").date("2021-11-26") == "26 November 2021"
    assert words("ja").date("2020-10-14") == "2020年10月14日"
    assert words("fr").names(["A", "B", "C"]) == "A, B et C"
    assert words("en").names(["A", "B", "C"]) == "A, B, and C"
    assert (direction("ar"), direction("he"), direction("fa"), direction("en"), direction("ja")) == \
        ("rtl", "rtl", "rtl", "ltr", "ltr")


def test_a_book_s_strings_override_its_language_s_and_html_is_escaped():
    w = words("de", (("contents", "Inhaltsverzeichnis"),))
    assert w("contents") == "Inhaltsverzeichnis" and w("notes") == "Anmerkungen"
    assert str(w("published-by", publisher="A & B")) == "Erschienen bei A &amp; B."
    assert w.text("published-by", publisher="A & B") == "Erschienen bei A & B."


@pytest.mark.parametrize("typed, set_", [
    ("Bonjour ! Ça va ?", "Bonjour\u202f! Ça va\u202f?"),
    ("Il dit: oui; puis non!", "Il dit\u202f: oui\u202f; puis non\u202f!"),
    ("« Oui »", "«\u202fOui\u202f»"),
    ("à 12:30, voir http://exemple.fr/a?b=c", "à 12:30, voir http://exemple.fr/a?b=c"),
])
def test_french_spacing(typed, set_):
    assert french_spacing(typed) == set_


@pytest.mark.parametrize("title, slug", [
    ("Über die Straßenbahn", "uber-die-strassenbahn"),
    ("Война и мир", "voyna-i-mir"),
    ("World War II: Diplomacy", "world-war-ii-diplomacy"),
    ("Ελληνικά", "ellinika"),
])
def test_file_names_keep_the_title_s_letters(title, slug):
    from book.load.config import slugify
    assert slugify(title) == slug


def test_spelling_knows_sharp_s_compounds_and_elisions():
    from book.lint.spelling import _is_known, dictionary

    german, french = dictionary("de"), dictionary("fr")
    assert _is_known("Straße", german, frozenset(), "de")
    assert _is_known("Pferdebahngesellschaften", german, frozenset(), "de")
    assert not _is_known("Pferdbahnxqzgesellschaft", german, frozenset(), "de")
    assert _is_known("l’horloge", french, frozenset(), "fr") and _is_known("qu'il", french, frozenset(), "fr")
    assert not _is_known("l’hxrloge", french, frozenset(), "fr")
