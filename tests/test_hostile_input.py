"""Bad input, round two: sizes, characters, nesting, dates and names, refused cleanly.

The same pattern as ``test_hostile.py`` (:func:`hostile.refused`): each case breaks a copy
of the 'basic' book one way; the build exits 1 naming the file and line, shows no
traceback, requests nothing, and leaves the previous outputs as they were. One case per
way in, for each class:

* sizes checked with ``stat()`` before reading: a 30 GB (sparse) chapter, bibliography,
  book.yaml, image, word list or citation style;
* lone surrogates (``"\\ud83d"``) in book.yaml, front matter, CSL-YAML and CSL-JSON, and
  ``check`` reporting them;
* characters XML cannot hold, escaped (``"\\x1b"``, ``\\u001b``) or as character references
  (``&#12;``) in text, raw HTML, a title, or an image's name;
* nesting: 500 levels of YAML flow lists, 300 of block lists, JSON 100,000 deep, 400 ``<span>``;
* a date a ZIP cannot store (2150-01-01), and names too long for a file system;
* parsers that were quadratic: a line of a million ``[`` is refused at once, and
  ``check`` reads 8,000 ``[@key `` and a 1.2 MB paragraph of prose or quotes in seconds.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Callable

import pytest
from conftest import copy_fixture, run_build
from hostile import Ctx, Listener, append, lines, refused, replace_line

GB30 = 30 * 1024 ** 3


def sparse(path: Path) -> None:
    """Make ``path`` 30 GB long without writing it: a sparse file costs nothing on disk."""
    with open(path, "r+b" if path.exists() else "wb") as fh:
        fh.truncate(GB30)


# ------------------------------------------------------------------ sizes

def chapter_30_gb(c: Ctx):
    sparse(c.book / "chapters/alpha.md")
    c.expect.append("over the limit")
    return "chapters/alpha.md", 1


def bibliography_30_gb(c: Ctx):
    sparse(c.book / "bibliography.yaml")
    c.expect.append("over the limit")
    return "bibliography.yaml", 1


def book_yaml_30_gb(c: Ctx):
    sparse(c.book / "book.yaml")
    c.expect.append("over the limit")
    return "book.yaml", 1


def image_30_gb(c: Ctx):
    sparse(c.book / "images/huge.png")
    c.expect.append("over the limit")
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Huge](../images/huge.png)")


def word_list_30_gb(c: Ctx):
    sparse(c.book / "words.txt")
    c.expect.append("over the limit")
    return "words.txt", 1


def style_30_gb(c: Ctx):
    sparse(c.book / "huge.csl")
    c.expect.append("over the limit")
    return "book.yaml", replace_line(c.book / "book.yaml", "bibliography: bibliography.yaml",
                                     "bibliography: bibliography.yaml\ncsl: huge.csl") + 1


# ------------------------------------------------------------------ lone surrogates

def book_yaml_surrogate(c: Ctx):
    c.expect.append("lone surrogate U+D83D")
    return "book.yaml", replace_line(c.book / "book.yaml", "publisher: Fixture Press", 'publisher: "Fix\\ud83dture"')


def front_matter_surrogate(c: Ctx):
    c.expect.append("lone surrogate U+D83D")
    return "chapters/alpha.md", replace_line(c.book / "chapters/alpha.md", "short-title: Alpha",
                                             'short-title: "Al\\ud83dpha"')


def bibliography_surrogate(c: Ctx):
    c.expect.append("lone surrogate U+D83D")
    return "bibliography.yaml", replace_line(c.book / "bibliography.yaml", "publisher-place: Oxford",
                                             'publisher-place: "Ox\\ud83dford"')


def _json_bibliography(c: Ctx, title_json: str) -> int:
    entries = [{"id": "smith2001", "type": "book", "author": [{"family": "Smith", "given": "John"}],
                "title": "@TITLE@", "issued": {"date-parts": [[2001]]}},
               {"id": "jones1999", "type": "article-journal", "author": [{"family": "Jones", "given": "Mary"}],
                "title": "Diplomacy Between the Wars", "issued": {"date-parts": [[1999]]}}]
    text = json.dumps(entries, indent=2).replace('"@TITLE@"', title_json)
    (c.book / "refs.json").write_text(text, encoding="utf-8")
    replace_line(c.book / "book.yaml", "bibliography: bibliography.yaml", "bibliography: refs.json")
    return text.split("\n").index(f'    "title": {title_json},') + 1


def bibliography_json_surrogate(c: Ctx):
    c.expect.append("lone surrogate U+D83D")
    return "refs.json", _json_bibliography(c, '"A History\\ud83d"')


def check_reports_a_surrogate(c: Ctx):
    c.command = ["check"]
    c.expect.append("lone surrogate")
    return "chapters/alpha.md", replace_line(c.book / "chapters/alpha.md", "short-title: Alpha",
                                             'short-title: "Al\\ud83dpha"')


# ------------------------------------------------------------------ characters XML cannot hold

def bibliography_escape_in_a_date(c: Ctx):
    """What hypothesis once found in CI: an ESC in a date field made the EPUB invalid XHTML."""
    c.expect.append("U+001B")
    return "bibliography.yaml", replace_line(c.book / "bibliography.yaml", "publisher-place: Oxford",
                                             'publisher-place: Oxford\n    accessed: "\\x1b"') + 1


def bibliography_json_escape(c: Ctx):
    c.expect.append("U+001B")
    return "refs.json", _json_bibliography(c, '"A History\\u001b"')


def chapter_form_feed_reference(c: Ctx):
    c.expect.append("U+000C")
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", "A form &#12; feed.")


def raw_html_form_feed_reference(c: Ctx):
    c.expect.append("U+000C")
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", 'An <abbr title="&#x0c;">abbr</abbr>.')


def title_form_feed_reference(c: Ctx):
    c.expect.append("U+000C")
    return "chapters/alpha.md", replace_line(c.book / "chapters/alpha.md", "short-title: Alpha",
                                             'short-title: "Al&#12;pha"')


def image_name_with_escape(c: Ctx):
    c.expect.append("U+001B")
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Escaped](../images/a%1Bb.png)")


# ------------------------------------------------------------------ nesting

def book_yaml_500_deep(c: Ctx):
    c.expect.append("levels deep")
    return "book.yaml", replace_line(c.book / "book.yaml", "subject: [Testing, Typography]",
                                     "subject: " + "[" * 500 + "]" * 500)


def front_matter_300_deep_block_lists(c: Ctx):
    nested = "\n".join("  " * (i + 1) + "- " for i in range(300))
    c.expect.append("levels deep")
    return "chapters/alpha.md", replace_line(c.book / "chapters/alpha.md", "short-title: Alpha",
                                             "short-title:\n" + nested) + 65


def bibliography_yaml_deep(c: Ctx):
    c.expect.append("levels deep")
    return "bibliography.yaml", replace_line(c.book / "bibliography.yaml", "publisher-place: Oxford",
                                             "publisher-place: Oxford\n    note: " + "[" * 500 + "]" * 500) + 1


def bibliography_json_100k_deep(c: Ctx):
    (c.book / "refs.json").write_text("[" + "[" * 100_000 + "]" * 100_000 + "]")
    replace_line(c.book / "book.yaml", "bibliography: bibliography.yaml", "bibliography: refs.json")
    c.expect.append("levels deep")
    return "refs.json", 1


def raw_html_400_spans(c: Ctx):
    c.expect.append("nest more than 40 deep")
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", "<span>" * 400 + "deep" + "</span>" * 400)


# ------------------------------------------------------------------ dates and names

def date_after_2107(c: Ctx):
    c.expect.append("2107-12-31")
    return "book.yaml", replace_line(c.book / "book.yaml", "date: 2021-11-26", "date: 2150-01-01")


def slug_250_characters(c: Ctx):
    c.expect.append("250 characters")
    return "book.yaml", replace_line(c.book / "book.yaml", "edition: First edition",
                                     "edition: First edition\nslug: " + "s" * 250) + 1


def chapter_id_251_characters(c: Ctx):
    c.expect.append("251 characters")
    return "chapters/alpha.md", replace_line(c.book / "chapters/alpha.md", "short-title: Alpha",
                                             "short-title: Alpha\nid: " + "a" * 251) + 1


# ------------------------------------------------------------------ slow input

def a_line_of_a_million_brackets(c: Ctx):
    c.expect.append("more than the 10,000 a chapter may open")
    c.seconds = 30
    path = c.book / "chapters/alpha.md"
    text = path.read_text()
    path.write_text(text + "\n" + "[" * 1_000_000 + "\n")
    return "chapters/alpha.md", len(lines(path)) - 1


CASES: dict[str, Callable[[Ctx], tuple[str, int]]] = {f.__name__: f for f in (
    chapter_30_gb, bibliography_30_gb, book_yaml_30_gb, image_30_gb, word_list_30_gb, style_30_gb,
    book_yaml_surrogate, front_matter_surrogate,
    bibliography_surrogate, bibliography_json_surrogate, check_reports_a_surrogate, bibliography_escape_in_a_date,
    bibliography_json_escape, chapter_form_feed_reference, raw_html_form_feed_reference, title_form_feed_reference,
    image_name_with_escape, book_yaml_500_deep, front_matter_300_deep_block_lists, bibliography_yaml_deep,
    bibliography_json_100k_deep, raw_html_400_spans, date_after_2107, slug_250_characters, chapter_id_251_characters,
    a_line_of_a_million_brackets,
)}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_cleanly(case: str, basic_build: Path, listener: Listener, tmp_path: Path):
    book = copy_fixture("basic", tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    ctx = Ctx(book, listener.port, outside)
    rel, line = CASES[case](ctx)
    refused(ctx, rel, line, basic_build, listener, tmp_path)


def test_a_source_date_epoch_after_2107_is_refused(basic_build: Path, listener: Listener, tmp_path: Path):
    """No file and line to name: the environment's variable is named instead."""
    ctx = Ctx(copy_fixture("basic", tmp_path), listener.port, tmp_path)
    out = tmp_path / "dist"
    proc = run_build("--book", str(ctx.book), "--out", str(out), env={"SOURCE_DATE_EPOCH": "5680000000"})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "SOURCE_DATE_EPOCH is '5680000000', a time in 2149" in proc.stderr


# ------------------------------------------------------------------ what builds safely

def test_long_titles_and_file_names_build_with_short_names(tmp_path: Path):
    """A 239-character title gives a slug cut at a word; a chapter file of 240 characters keeps
    its name in the sources and gets a short id in the editions."""
    book = copy_fixture("basic", tmp_path)
    title = ("Word " * 48)[:239]
    replace_line(book / "book.yaml", "title: The Test Book", f"title: {title}")
    long_name = "a" + "b" * 236 + ".md"
    (book / "chapters/alpha.md").rename(book / "chapters" / long_name)
    for path in (book / "book.yaml", *(book / "chapters").glob("*.md")):
        path.write_text(path.read_text().replace("alpha.md", long_name))
    out = tmp_path / "dist"
    proc = run_build("--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert all(len(name.encode()) < 255 for name in names)
    assert any(name.startswith("word-word") and name.endswith("-archival.pdf") and len(name) < 120 for name in names)
    assert all(len(p.name) <= 100 + len(".xhtml") for p in (out / "web").iterdir())


@pytest.mark.parametrize("paragraph", ["citations", "prose", "quotes"])
def test_check_reads_long_paragraphs_in_linear_time(paragraph: str, tmp_path: Path):
    """Once quadratic: 8,000 unclosed citations took 36 s, one 1.2 MB paragraph 79 s, and a
    paragraph of quotes grew with its square. A hang guard, not a speed test: seconds, not minutes."""
    book = copy_fixture("basic", tmp_path)
    words = (book / "chapters/beta.md").read_text().split()
    text = {"citations": "[@smith2001 " * 8000,
            "prose": " ".join(words[i % len(words)] for i in range(200_000))[:1_200_000],
            "quotes": "\"a\" 'b' " * 150_000}[paragraph]
    append(book / "chapters/beta.md", text)
    start = time.monotonic()
    proc = run_build("check", "--book", str(book), timeout=600)
    elapsed = time.monotonic() - start
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    assert elapsed < 90, f"check took {elapsed:.0f} s"


def test_sparse_files_were_never_read(tmp_path: Path):
    """The 30 GB cases above are refused by their size: a 30 GB file that was read would fill
    memory long before the hang guard. Here: the refusal does not depend on the bytes."""
    book = copy_fixture("basic", tmp_path)
    sparse(book / "chapters/alpha.md")
    proc = run_build("check", "--book", str(book), timeout=120)
    assert proc.returncode == 1 and "over the limit" in proc.stdout, proc.stdout + proc.stderr
    assert os.stat(book / "chapters/alpha.md").st_blocks * 512 < 1024 ** 2  # still nothing on disk
