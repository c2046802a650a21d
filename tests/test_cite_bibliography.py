"""Loading and checking bibliographies: CSL-YAML, CSL-JSON, errors with their lines."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from book.errors import BookError, BookErrors
from book.resolve.cite.bibliography import (
    Bibliography,
    check_keys,
    load_bibliography,
    parse_nocite,
    unused_entries,
)
from book.resolve.cite.syntax import Citation, CiteItem, parse_citation

FIXTURES = Path(__file__).parent / "fixtures" / "cite"
ERRORS = FIXTURES / "errors"


def load_error(name: str) -> BookError:
    with pytest.raises(BookError) as caught:
        load_bibliography([ERRORS / name])
    return caught.value


def test_yaml_references_list() -> None:
    bib = load_bibliography([FIXTURES / "cmos.yaml"])
    assert bib.keys() == ("pollan2006", "ward2007", "grazer2015", "kelly2010", "thoreau2016", "keng2017", "yale")
    pollan = bib.get("pollan2006")
    assert pollan is not None
    assert (pollan.file, pollan.line) == (FIXTURES / "cmos.yaml", 4)
    assert pollan.data["author"] == ({"family": "Pollan", "given": "Michael"},)
    assert pollan.data["issued"] == {"date-parts": ((2006,),)}
    # pandoc reads CSL-YAML fields as Markdown, with smart punctuation
    assert pollan.data["title"] == "The Omnivore’s Dilemma: A Natural History of Four Meals"
    assert bib.get("ward2007").data["title"] == "The War: An Intimate History, 1941–1945"
    # "Family, Given" strings, numbers as text, seasons, YAML dates
    assert bib.get("kelly2010").data["author"] == ({"family": "Kelly", "given": "John D."},)
    keng = bib.get("keng2017").data
    assert (keng["volume"], keng["issued"]) == ("11", {"date-parts": ((2017,),), "season": 1})
    assert bib.get("yale").data["accessed"] == {"date-parts": ((2017, 5, 1),)}
    assert bib.get("yale").data["author"] == ({"literal": "Yale University"},)


def test_entries_are_read_only() -> None:
    entry = load_bibliography([FIXTURES / "cmos.yaml"]).entries[0]
    with pytest.raises(TypeError):
        entry.data["title"] = "changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        entry.data["author"][0]["family"] = "changed"  # type: ignore[index]


def test_bare_yaml_list_and_pandoc_dates() -> None:
    bib = load_bibliography([FIXTURES / "bare.yaml"])
    assert bib.get("anon").data["issued"] == {"date-parts": ((1997, 5, 2),)}
    edited = bib.get("edited").data
    assert edited["editor"] == ({"family": "Greenberg", "given": "Joel"},)  # editor counts as creator
    assert edited["issued"] == {"literal": "ca. 1900"}


def test_json_and_several_files() -> None:
    bib = load_bibliography([FIXTURES / "cmos.yaml", FIXTURES / "extra.json", FIXTURES / "ieee.json"])
    assert len(bib) == 7 + 2 + 4
    doe = bib.get("doe2005")
    assert (doe.file, doe.line) == (FIXTURES / "extra.json", 2)
    assert bib.get("who").line == 8
    assert doe.data["issued"] == {"date-parts": ((2005, 3),)}
    assert doe.data["volume"] == "44"
    # CSL-JSON keeps its rich text as is; no Markdown
    assert doe.data["title"] == 'Frogs & <i>Rana</i> <span class="nocase">pH</span>'
    # Zotero's "cheater syntax" in note becomes fields, the rest stays the note
    assert doe.data["note"] == "Translated from the French."
    assert doe.data["original-date"] == {"date-parts": ((1999,),)}
    assert bib.get("who").data["issued"] == {"date-parts": ((2019, 11),)}


@pytest.mark.parametrize(
    ("name", "line", "column", "message", "hint"),
    [
        ("duplicate.yaml", 8, 3, "duplicate bibliography id 'same'", "duplicate.yaml:2"),
        ("bad-author.yaml", 8, 3, "'author' must be a list of names", "{family: …, given: …}"),
        ("bad-type.json", 4, 4, "unknown CSL type 'journal-article'", "did you mean 'article-journal'?"),
        ("syntax.yaml", 4, 10, "invalid YAML: found unexpected end of stream", "quoting"),
        ("not-mapping.yaml", 5, 3, "a bibliography entry must be a mapping of fields", "- id:"),
        ("bad-parts.yaml", 5, 3, "'issued' has malformed date-parts", "[[1997, 5, 2]]"),
        ("syntax.json", 3, 14, "invalid JSON: Expecting ',' delimiter", "commas"),
    ],
)
def test_errors_name_file_and_line(name: str, line: int, column: int, message: str, hint: str) -> None:
    error = load_error(name)
    assert (error.file, error.line, error.column) == (ERRORS / name, line, column)
    assert error.message.startswith(message)
    assert hint in error.hint


def test_alias_bomb_is_refused_quickly() -> None:
    start = time.monotonic()
    error = load_error("bomb.yaml")
    # Not a speed test: expanding the bomb would take hours and gigabytes; this only catches a hang.
    assert time.monotonic() - start < 30
    assert "aliases" in error.message and error.rule == "yaml-too-large"
    assert error.file == ERRORS / "bomb.yaml" and error.line > 0


def test_all_errors_of_all_files_together() -> None:
    with pytest.raises(BookErrors) as caught:
        load_bibliography([ERRORS / "duplicate.yaml", ERRORS / "bad-author.yaml", ERRORS / "bad-type.json"])
    assert [(e.file.name, e.line) for e in caught.value.errors] == [
        ("bad-author.yaml", 8), ("bad-type.json", 4), ("duplicate.yaml", 8)]


def test_duplicate_across_files() -> None:
    with pytest.raises(BookError) as caught:
        load_bibliography([FIXTURES / "cmos.yaml", FIXTURES / "cmos.yaml"])
    assert caught.value.message == "duplicate bibliography id 'pollan2006'"


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(BookError, match="not found"):
        load_bibliography([tmp_path / "nope.yaml"])
    bib = tmp_path / "refs.bib"
    bib.write_text("@book{x, title={X}}", encoding="utf-8")
    with pytest.raises(BookError) as caught:
        load_bibliography([bib])
    assert "unsupported bibliography format '.bib'" in caught.value.message
    assert "csljson" in caught.value.hint


def test_yaml_without_references_key(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text("title: not a bibliography\n", encoding="utf-8")
    with pytest.raises(BookError, match="references:"):
        load_bibliography([path])


def test_only_safe_yaml(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text("- id: x\n  type: book\n  title: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(BookError, match="YAML tag") as caught:
        load_bibliography([path])
    assert (caught.value.line, caught.value.column) == (3, 10)
    path.write_text("- id: x\n  type: book\n  title: !!python/name:os.system\n", encoding="utf-8")
    with pytest.raises(BookError, match="invalid YAML"):
        load_bibliography([path])


def citation(text: str, line: int, column: int) -> Citation:
    parsed = parse_citation(text[1:-1])
    assert parsed is not None
    return Citation(parsed.items, line, column, text)


def test_unknown_key_names_place_and_suggests() -> None:
    bib = load_bibliography([FIXTURES / "cmos.yaml"])
    chapter = Path("chapters/one.md")
    errors = check_keys([
        (chapter, 4, citation("[@pollan2006; see @polan2006, p. 3]", 3, 7)),
        (chapter, 4, Citation((CiteItem("Ward2007", author_in_text=True),), 9, 1, "@Ward2007")),
        (chapter, 4, citation("[@zzz]", 10, 2)),
    ], bib)
    assert [(e.file, e.line, e.column, e.message, e.hint) for e in errors] == [
        (chapter, 7, 25, "unknown citation key @polan2006", "did you mean @pollan2006?"),
        (chapter, 13, 1, "unknown citation key @Ward2007", "did you mean @ward2007?"),
        (chapter, 14, 3, "unknown citation key @zzz",
         "add an entry with 'id: zzz' to the bibliography, or write \\@ for a literal @"),
    ]
    assert all(e.rule == "unknown-citation" for e in errors)


def test_unknown_key_without_bibliography() -> None:
    (error,) = check_keys([(Path("a.md"), 0, citation("[@x]", 1, 1))], Bibliography(()))
    assert "bibliography" in error.hint


def test_unused_entries_are_warnings() -> None:
    bib = load_bibliography([FIXTURES / "cmos.yaml"])
    warnings = unused_entries(bib, ["pollan2006", "ward2007", "kelly2010"], ["@yale"])
    assert [(w.message, w.line, w.rule) for w in warnings] == [
        ("bibliography entry 'grazer2015' is never cited", 23, "unused-reference"),
        ("bibliography entry 'thoreau2016' is never cited", 51, "unused-reference"),
        ("bibliography entry 'keng2017' is never cited", 64, "unused-reference"),
    ]
    assert unused_entries(bib, [], ["@*"]) == []


@pytest.mark.parametrize(
    ("value", "keys"),
    [("@*", ("*",)), ("@a, @b", ("a", "b")), ("[@a; @b]", ("a", "b")), (["@a", "b"], ("a", "b")), (None, ())],
)
def test_parse_nocite(value: object, keys: tuple[str, ...]) -> None:
    assert parse_nocite(value) == keys  # type: ignore[arg-type]
