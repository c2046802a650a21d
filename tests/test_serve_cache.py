"""``serve`` rebuilds only what an edit changed, and still gives the files a fresh build gives.

The Builder keeps every stage's results between builds (:mod:`book.memo`). After
each edit here, every file of its incremental rebuild is compared, byte for
byte, with the files of a fresh Builder that builds the edited book from
nothing. The edits are the ones that reach beyond their own chapter: a heading
that another chapter links to, a citation that renumbers the others (or makes
"Ibid." of the next one), a note, the bibliography, book.yaml's title, order,
parts and index; and bad edits, which must report what a fresh build reports
and leave the last good pages served.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from conftest import copy_fixture

from book import memo as memo_module
from book.commands.serve import Builder, Site, describe, rebuild
from book.errors import BookError
from book.load import load_book
from book.memo import Memo, real_path
from book.model import Part
from book.resolve import resolve
from book.resources import TEMPLATES

STYLES = ("chicago-author-date", "chicago-notes-bibliography", "ieee")
"""An author-date, a note (ibid, note numbers) and a numeric (numbers in citing order) style."""

INDEX = """index:
  - term: Rapallo
  - term: Genoa
  - term: Smith, John
    aliases: [Smith]
"""


def contents(files: dict) -> dict[str, bytes]:
    """Each file's bytes (a file to copy is read)."""
    return {rel: content.read_bytes() if isinstance(content, Path) else content for rel, content in files.items()}


def assert_as_fresh(builder: Builder, content_changed: bool = True) -> dict[str, bytes]:
    """Rebuild incrementally; every file must be what a fresh Builder makes of the book now, and
    the manuscript too (what no page shows, such as chapter numbers, must not go stale either)."""
    got = contents(builder.build(content_changed))
    fresh = Builder(builder.book, builder.templates)
    want = contents(fresh.build())
    assert sorted(got) == sorted(want)
    assert [rel for rel in want if got[rel] != want[rel]] == []
    assert builder.ms == fresh.ms
    return got


def errors_of(builder: Builder) -> str:
    """The problems a build reports, as serve prints them."""
    with pytest.raises(BookError) as caught:
        builder.build()
    return describe(caught.value, Path.cwd())


class Book:
    """A copy of the basic fixture to edit, with its index terms and the style under test."""

    def __init__(self, tmp_path: Path, style: str) -> None:
        self.root = copy_fixture("basic", tmp_path)
        self.edit("book.yaml", "bibliography: bibliography.yaml\n", f"bibliography: bibliography.yaml\ncsl: {style}\n")
        config = self.root / "book.yaml"
        config.write_text(config.read_text() + INDEX)  # last: a term added moves no chapter's line

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("style", STYLES)
def test_every_edit_rebuilds_to_the_files_of_a_fresh_build(tmp_path, style):
    book = Book(tmp_path, style)
    builder = Builder(book.root)
    first = assert_as_fresh(builder)
    assert contents(builder.build()) == first  # nothing changed: the same files

    # Text only: one chapter's page and the search index change, nothing else.
    book.edit("chapters/gamma.md", "[^1]: Gamma's only note.", "A new closing sentence.\n\n[^1]: Gamma's only note.")
    files = assert_as_fresh(builder)
    assert sorted(rel for rel in files if files[rel] != first[rel]) == ["assets/search-index.js", "gamma.html"]

    # A heading another chapter links to moves: the preface takes its id, so alpha's heading gets
    # "-1" and beta's unchanged link must follow it.
    book.edit("front/preface.md", "no more, no less.", "no more, no less.\n\n## A Section in Alpha\n\nEarly.")
    files = assert_as_fresh(builder)
    assert 'href="alpha.html#a-section-in-alpha-1"' in files["beta.html"].decode()
    # ... and is renamed: the link breaks (an error), then is mended.
    book.edit("chapters/alpha.md", "## A Section in Alpha", "## A Renamed Section")
    assert "beta.md:" in errors_of(builder) and "has no heading 'a-section-in-alpha'" in errors_of(builder)
    book.edit("chapters/beta.md", "alpha.md#a-section-in-alpha", "alpha.md#a-renamed-section")
    assert_as_fresh(builder)

    # Citations: one added before the others renumbers them (numeric), makes the next one a
    # subsequent cite or "Ibid." (notes); one removed; one added inside a note.
    book.edit("chapters/alpha.md", "Alphabetic opening", "As Jones shows [@jones1999, 101], alphabetic opening")
    assert_as_fresh(builder)
    book.edit("chapters/beta.md", "refers to @smith2001 [p. 3] and", "refers to")
    assert_as_fresh(builder)
    book.edit("chapters/gamma.md", "[^1]: Gamma's only note.", "[^1]: Gamma's only note, after [@smith2001, 7].")
    assert_as_fresh(builder)
    book.edit("chapters/alpha.md", "[@smith2001, p. 12]", "[@smith2001, p. 14]")  # as many citations as before
    assert_as_fresh(builder)

    # A footnote added in front of the others renumbers them.
    book.edit("chapters/alpha.md", "As Jones shows", "As Jones shows[^0]")
    book.edit("chapters/alpha.md", "[^1]: The first", "[^0]: A note before the first.\n[^1]: The first")
    assert_as_fresh(builder)

    # The bibliography: an entry's title changed, an entry added (and cited).
    book.edit("bibliography.yaml", "title: A History of Treaties", "title: A Short History of Treaties")
    assert_as_fresh(builder)
    book.edit("bibliography.yaml", "references:\n", "references:\n  - id: adams1990\n    type: book\n"
              "    author:\n      - family: Adams\n        given: Anne\n    title: Before Rapallo\n"
              "    issued:\n      date-parts: [[1990]]\n")
    book.edit("chapters/gamma.md", "Gammaray text", "Gammaray [@adams1990] text")
    assert_as_fresh(builder)

    # The index: a mention typed in a chapter adds a mark; a term added to book.yaml; a heading
    # whose id is the one beta's first mark would take.
    book.edit("chapters/beta.md", "Betamax begins", "Genoa and Rapallo: Betamax begins")
    assert_as_fresh(builder)
    book.edit("book.yaml", "  - term: Genoa\n", "  - term: Genoa\n  - term: Pact\n")
    assert_as_fresh(builder)
    book.edit("chapters/alpha.md", "## A Renamed Section", "## ix-beta-1\n\nA clash.\n\n## A Renamed Section")
    files = assert_as_fresh(builder)
    assert 'id="ix-beta-1-1"' in files["beta.html"].decode()

    # book.yaml: the title (on every page), the chapter order, a chapter's own title (in every
    # sidebar), a part's title. Alpha and beta both end with a "Conclusion", and gamma links to
    # "#conclusion", the first of them: when the order changes, so does the page it leads to,
    # though gamma itself did not change.
    book.edit("book.yaml", "title: The Test Book", "title: The Edited Book")
    assert_as_fresh(builder)
    for rel in ("chapters/alpha.md", "chapters/beta.md"):
        (book.root / rel).write_text((book.root / rel).read_text() + "\n## Conclusion\n\nIn short.\n")
    book.edit("chapters/gamma.md", "in the third chapter", "in the third chapter ([a conclusion](#conclusion))")
    files = assert_as_fresh(builder)
    assert 'href="alpha.html#conclusion"' in files["gamma.html"].decode()
    book.edit("chapters/alpha.md", "## Conclusion", "## Summary")
    files = assert_as_fresh(builder)
    assert 'href="beta.html#conclusion"' in files["gamma.html"].decode()
    book.edit("chapters/alpha.md", "## Summary", "## Conclusion")
    book.edit("book.yaml", "      - chapters/alpha.md\n      - chapters/beta.md\n",
              "      - chapters/beta.md\n      - chapters/alpha.md\n")
    files = assert_as_fresh(builder)
    assert 'href="beta.html#conclusion"' in files["gamma.html"].decode()
    book.edit("chapters/gamma.md", "title: Gamma", "title: Gamma, Retitled")
    assert_as_fresh(builder)
    book.edit("book.yaml", "part: The Second Part", "part: The *Second* Part")  # the same id
    assert_as_fresh(builder)
    book.edit("book.yaml", "part: The *Second* Part", "part: The Last Part")
    assert_as_fresh(builder)

    # A chapter moved to another file: its old slot is swept, its new one built.
    (book.root / "chapters" / "gamma.md").rename(book.root / "chapters" / "omega.md")
    book.edit("book.yaml", "chapters/gamma.md", "chapters/omega.md")
    book.edit("chapters/alpha.md", "(gamma.md)", "(omega.md)")
    assert_as_fresh(builder)

    # The image replaced by another picture (a different size: the page must not change, the copy must).
    shutil.copyfile(book.root / "images" / "square.png", tmp_path / "square-before.png")
    from PIL import Image
    Image.new("RGB", (9, 9), "blue").save(book.root / "images" / "square.png")
    files = assert_as_fresh(builder)
    assert files["images/square.png"] != (tmp_path / "square-before.png").read_bytes()


def test_a_template_edit_rerenders_with_the_kept_manuscript(tmp_path):
    book = Book(tmp_path, "chicago-author-date")
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    builder = Builder(book.root, templates)
    assert_as_fresh(builder)
    layout = templates / "web" / "_layout.html"
    layout.write_text(layout.read_text().replace('<footer class="site-footer">', '<footer class="site-footer edited">'))
    files = assert_as_fresh(builder, content_changed=False)
    assert all(b'class="site-footer edited"' in data for rel, data in files.items() if rel.endswith(".html"))
    contents_list = templates / "web" / "_contents.html"
    contents_list.write_text(contents_list.read_text().replace('<ol class="toc-list">', '<ol class="toc-list edited">'))
    files = assert_as_fresh(builder, content_changed=False)
    assert b'<ol class="toc-list edited">' in files["beta.html"]


def test_a_bad_edit_reports_what_a_fresh_build_reports_and_keeps_the_last_good_pages(tmp_path):
    book = Book(tmp_path, "chicago-author-date")
    builder, site, said = Builder(book.root), Site(), []
    rebuild(builder, site, True, said.append)
    good = dict(site.files)
    assert not site.error

    # Broken YAML in book.yaml, then an unknown citation key: each reported (file:line) as a fresh
    # build reports it, while the last good pages stay.
    book.edit("book.yaml", "title: The Test Book", "title: [The Test Book")
    fresh = errors_of(Builder(book.root))
    rebuild(builder, site, True, said.append)
    assert site.error == errors_of(builder) == fresh and site.files == good
    assert "book.yaml:2:9: error: YAML syntax error" in fresh
    book.edit("book.yaml", "title: [The Test Book", "title: The Test Book")
    book.edit("chapters/beta.md", "refers to @smith2001", "refers to @smyth2001")
    fresh = errors_of(Builder(book.root))
    rebuild(builder, site, True, said.append)
    assert site.error == errors_of(builder) == fresh and site.files == good
    assert "chapters/beta.md:5:" in fresh and "unknown citation key @smyth2001" in fresh

    # A broken front matter: the same again.
    book.edit("chapters/gamma.md", "title: Gamma", "title: [Gamma")
    assert errors_of(builder) == errors_of(Builder(book.root))
    book.edit("chapters/gamma.md", "title: [Gamma", "title: Gamma")

    # Files changed behind the chapters' backs: the image is no picture any more; the chapter
    # file is a link to a file outside the book.
    book.edit("chapters/beta.md", "refers to @smyth2001", "refers to @jones1999")
    assert_as_fresh(builder)
    image = book.root / "images" / "square.png"
    picture = image.read_bytes()
    image.write_bytes(b"not a picture at all")
    assert errors_of(builder) == errors_of(Builder(book.root)) and "[bad-image]" in errors_of(builder)
    image.write_bytes(picture)
    assert_as_fresh(builder)
    gamma = book.root / "chapters" / "gamma.md"
    outside = tmp_path / "gamma-outside.md"
    gamma.rename(outside)
    gamma.symlink_to(outside)
    assert errors_of(builder) == errors_of(Builder(book.root)) and "leads outside the book folder" in errors_of(builder)
    gamma.unlink()
    outside.rename(gamma)

    # The next good edit recovers.
    book.edit("chapters/beta.md", "Betamax begins", "Betamax opens")
    rebuild(builder, site, True, said.append)
    assert not site.error
    assert contents(site.files) == contents(Builder(book.root).build())


def test_a_rebuild_of_an_unchanged_book_reuses_every_result(tmp_path):
    """What makes an edit cheap: with nothing changed, no stage computes anything again."""
    book = Book(tmp_path, "chicago-author-date")
    builder = Builder(book.root)
    builder.build()
    kept = len(builder.memo)
    calls: list[object] = []
    original = Memo.get

    def counting(self, slot, inputs, compute, valid=None):
        return original(self, slot, inputs, lambda: calls.append(slot) or compute(), valid)

    Memo.get = counting  # type: ignore[method-assign]
    try:
        builder.build()
    finally:
        Memo.get = original  # type: ignore[method-assign]
    assert calls == [] and len(builder.memo) == kept


def test_a_kept_chapter_follows_its_place_in_the_book(tmp_path):
    """A chapter's number and part come from its place, not from its file: the same chapters in
    another order, or in another part, are resolved as a fresh build resolves them."""
    book = load_book(Book(tmp_path, "chicago-author-date").root)
    first, second = book.body
    swapped = dataclasses.replace(book, body=(second, first))
    merged = dataclasses.replace(book, body=(Part(first.id, first.title, first.chapters + second.chapters),))
    for moved in (swapped, merged):
        memo = Memo()
        assert resolve(book, memo=memo) == resolve(book)
        assert resolve(moved, memo=memo) == resolve(moved)


def test_an_image_is_checked_again_when_its_file_changes(tmp_path, monkeypatch):
    """A kept image check is keyed by the file's signature (its times and size), trusted at once here."""
    monkeypatch.setattr(memo_module, "RECENT_NS", 0)
    book = Book(tmp_path, "chicago-author-date")
    builder = Builder(book.root)
    assert_as_fresh(builder)
    (book.root / "images" / "square.png").write_bytes(b"not a picture at all")
    assert errors_of(builder) == errors_of(Builder(book.root)) and "[bad-image]" in errors_of(builder)


def test_real_path_is_what_resolving_gives(tmp_path):
    """The shortcut that spares resolving every chapter's path on each save gives what resolving gives."""
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "file.md").write_text("x")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "alias.md").symlink_to(tmp_path / "real" / "file.md")
    for rel in ("real/file.md", "linked/file.md", "real/alias.md", "real/missing/deeper.md", "real/../real/file.md",
                "linked/../real/file.md", "linked"):
        path = tmp_path / rel
        assert real_path(path) == path.resolve(), rel
        assert memo_module.plain_path(path) == (rel in ("real/file.md", "real/missing/deeper.md")), rel
