"""A book's hyphenation exceptions (``hyphenation:`` in book.yaml, book/render/hyphenation.py):
the rule on fragments, book.yaml's errors, and a narrow page where the word must break."""

from __future__ import annotations

from book.render.hyphenation import hyphenator
from conftest import copy_fixture, pdf_pages_text, run_build


def test_breaks_are_written_into_running_text_only():
    apply = hyphenator(("Reichs-wehr", "Gulag"))
    assert apply("<p>the REICHSWEHR and the Reichswehr’s, not Reichswehrs</p>") == (
        "<p>the REICHS\u00adWEHR and the Reichs\u00adwehr’s, not Reichswehrs</p>")
    assert apply('<p><a href="#Reichswehr" title="Reichswehr">Gulag</a></p>') == (
        '<p><a href="#Reichswehr" title="Reichswehr"><span class="no-hyphens">Gulag</span></a></p>')
    kept = "<h2>Reichswehr</h2><pre><code>Reichswehr</code></pre>"
    assert apply(kept) == kept
    assert hyphenator(()) is None


def test_a_word_that_is_not_a_word_with_breaks_is_an_error(tmp_path):
    book = copy_fixture("basic", tmp_path)
    config = book / "book.yaml"
    config.write_text(config.read_text() + "hyphenation: [Reichs-wehr, two words]\n")
    result = run_build("pdf", "--book", str(book), "--out", str(tmp_path / "out"))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "book.yaml" in result.stderr and "'two words' is not a word with its breaks" in result.stderr


def test_print_breaks_the_word_where_the_book_says(tmp_path):
    """On a page so narrow that the word must break (laid out once, ``repair: false``, so that no
    word is kept whole), English patterns give "Reich-swehr"; listed
    as "Reichs-wehr", it breaks there, and the text still reads the word whole."""
    book = copy_fixture("basic", tmp_path)
    chapter = sorted((book / "chapters").glob("*.md"))[0]
    words = "one two three four five six seven eight nine ten eleven".split()
    paragraphs = [" ".join(words[:k]) + " Reichswehr and the Reichswehr, a Reichswehr." for k in range(12)]
    chapter.write_text(chapter.read_text() + "\n\n" + "\n\n".join(paragraphs) + "\n")
    config = book / "book.yaml"
    text = config.read_text()
    assert "print:" not in text
    config.write_text(text + "print: {page: 70mmx120mm, repair: false}\n")

    def broken(name: str) -> set[str]:
        out = tmp_path / name
        result = run_build("pdf", "--book", str(book), "--out", str(out), "-q")
        assert result.returncode == 0, result.stderr
        lines = "\n".join(pdf_pages_text(next(out.glob("*.pdf")))).splitlines()
        return {a.rstrip().split()[-1] + "|" + b.split()[0] for a, b in zip(lines, lines[1:])
                if a.rstrip().endswith(("-", "\u2010")) and b.strip() and "wehr" in b.split()[0]}

    patterns = broken("patterns")
    assert any(b.endswith("|swehr") for b in patterns), patterns
    config.write_text(text + "print: {page: 70mmx120mm, repair: false}\nhyphenation: [Reichs-wehr]\n")
    listed = broken("listed")
    assert listed and all(b.split("|")[1].rstrip(",.") == "wehr" for b in listed), listed
