"""``build.py check``: every problem of a book in one run, at the right file and line."""

from __future__ import annotations

import json
import re

import pytest
from conftest import FIXTURES, copy_fixture, run_build

SEEDED = "tests/fixtures/check-every-rule"

EXPECTED = [
    # (file:line, severity, rule) — one seeded instance of every rule, in the order check prints them.
    ("bibliography.yaml:11", "warning", "unused-reference"),
    ("book.yaml:1", "error", "book-yaml-required"),        # no identifier
    ("book.yaml:2", "error", "book-yaml-unknown-key"),     # tilte:
    ("book.yaml:6", "error", "book-yaml"),                 # subject: {a: b}
    ("book.yaml:11", "error", "missing-file"),             # chapters/missing.md
    ("book.yaml:12", "error", "duplicate-chapter"),        # chapters/first.md again
    ("chapters/broken.md:3", "error", "front-matter"),     # colour: red
    ("chapters/first.md:6", "error", "unknown-citation"),
    ("chapters/first.md:10", "warning", "empty-section"),
    ("chapters/first.md:14", "warning", "heading-skip"),
    ("chapters/first.md:16", "error", "broken-link"),      # #no-such-heading
    ("chapters/first.md:18", "error", "broken-link"),      # notes.md
    ("chapters/first.md:20", "error", "missing-image"),
    ("chapters/first.md:22", "error", "outside-book"),
    ("chapters/first.md:24", "error", "image-alt"),
    ("chapters/first.md:26", "warning", "spelling"),       # misspeled
    ("chapters/first.md:26", "error", "font-coverage"),    # ꦲ (Javanese: no pinned family has it)
    ("chapters/second.md:5", "warning", "repeated-paragraph"),
]

LINE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<sev>error|warning): (?P<msg>.*) \[(?P<rule>[\w-]+)\]$")


def problems(stdout: str) -> list[re.Match]:
    return [m for m in map(LINE.match, stdout.splitlines()) if m]


@pytest.fixture(scope="module")
def seeded():
    return run_build("check", "--book", SEEDED)


def test_every_rule_is_reported_at_its_file_and_line(seeded):
    assert seeded.returncode == 1, seeded.stdout + seeded.stderr
    found = [(f"{m['file'].removeprefix(SEEDED + '/')}:{m['line']}", m["sev"], m["rule"])
             for m in problems(seeded.stdout)]
    assert found == EXPECTED, "\n".join(map(str, found))
    assert "Traceback" not in seeded.stderr
    assert "13 errors, 5 warnings in 2 chapters" in seeded.stderr


def test_messages_say_what_and_hints_say_how(seeded):
    out = seeded.stdout
    assert f"{SEEDED}/chapters/first.md:6:50: error: unknown citation key @smith2010 [unknown-citation]\n" \
           "  hint: did you mean @smith2001?" in out
    assert "unknown key 'tilte' [book-yaml-unknown-key]\n  hint: did you mean 'title'" in out
    assert "unknown word 'misspeled' [spelling]\n  hint: did you mean 'misspelled'?" in out
    assert "'ꦲ' (U+A9B2 JAVANESE LETTER HA, Javanese script)" in out
    assert "repeats, word for word, the one at chapters/first.md:8" in out
    keys = [(m["file"], int(m["line"]), int(m["col"] or 0)) for m in problems(out)]
    assert keys == sorted(keys)  # sorted by file, then line, like a compiler


def test_json_has_the_same_problems(seeded):
    proc = run_build("check", "--book", SEEDED, "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    found = [(f"{p['file'].removeprefix(SEEDED + '/')}:{p['line']}", p["severity"], p["rule"])
             for p in data["problems"]]
    assert found == EXPECTED
    assert (data["errors"], data["warnings"]) == (13, 5)
    first = data["problems"][7]
    assert first == {"file": f"{SEEDED}/chapters/first.md", "line": 6, "column": 50, "severity": "error",
                     "rule": "unknown-citation", "message": "unknown citation key @smith2010",
                     "hint": "did you mean @smith2001?"}


def test_the_sample_book_passes_strict():
    proc = run_build("check", "--strict")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "no problems in 22 chapters" in proc.stderr


def test_warnings_fail_only_with_strict(tmp_path):
    book = copy_fixture("basic", tmp_path)  # two made-up words: spelling warnings, no errors
    proc = run_build("check", "--book", str(book))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 errors, 2 warnings" in proc.stderr and "warnings fail only with --strict" in proc.stderr
    strict = run_build("check", "--strict", "--book", str(book))
    assert strict.returncode == 1
    assert strict.stdout == proc.stdout


def test_word_list_inline_ignores_and_other_languages(tmp_path):
    book = copy_fixture("basic", tmp_path)
    (book / "words.txt").write_text("# names\nBetamax\n")
    beta = book / "chapters" / "beta.md"
    gamma = book / "chapters" / "gamma.md"
    gamma.write_text(gamma.read_text().replace("---\n\n", "---\n\n<!-- spell-ignore: Gammaray -->\n\n", 1)
                     + '\nA German phrase: <span lang="de">Wörterbuchfehlerz</span>. And a real slip: teh.\n')
    proc = run_build("check", "--strict", "--book", str(book))
    found = [(m["file"].rsplit("/", 1)[1], m["rule"], m["msg"]) for m in problems(proc.stdout)]
    assert found == [("gamma.md", "spelling", "unknown word 'teh'")], proc.stdout
    assert beta.read_text()  # untouched


def test_check_keeps_going_past_a_chapter_that_cannot_be_read(tmp_path):
    book = copy_fixture("basic", tmp_path)
    (book / "chapters" / "alpha.md").write_bytes(b"---\ntitle: Alpha\n---\n\nCaf\xe9 in Latin-1.\n")
    (book / "chapters" / "gamma.md").write_text("---\ntitle: Gamma\n---\n\nSee [missing](nowhere.md).\n")
    proc = run_build("check", "--book", str(book))
    rules = {(m["file"].rsplit("/", 1)[1], m["rule"]) for m in problems(proc.stdout)}
    assert ("alpha.md", "encoding") in rules and ("gamma.md", "broken-link") in rules, proc.stdout
    assert ("beta.md", "spelling") in rules  # the other chapters are still linted


def test_check_writes_nothing(tmp_path):
    book = copy_fixture("basic", tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    run_build("check", "--book", str(book), cwd=tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_no_book_and_bad_usage(tmp_path):
    proc = run_build("check", "--book", str(tmp_path / "nothing"))
    assert proc.returncode == 1 and "no book at" in proc.stdout
    assert run_build("check", "--format", "xml").returncode == 2
    help_text = run_build("check", "--help").stdout
    assert "--strict" in help_text and "--format" in help_text


def test_fixture_is_what_the_expectations_say():
    """The seeded book must not drift: each expected line holds what it seeds."""
    first = (FIXTURES / "check-every-rule" / "chapters" / "first.md").read_text().splitlines()
    assert "@smith2010" in first[5] and first[9].startswith("## A Section") and first[13].startswith("####")
    assert "#no-such-heading" in first[15] and "notes.md" in first[17] and "nowhere.png" in first[19]
    assert "../../basic" in first[21] and first[23].startswith("![](") and "misspeled" in first[25]
