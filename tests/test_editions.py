"""The table of editions is the one place an edition is declared: a new edition is one
publisher function and one entry, and the build, the command line and progress take it up."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from conftest import FIXTURES

from book.commands.build import Options, build, build_parser
from book.commands.progress import stage_count
from book.model import Manuscript
from book.publish import Output, Supplies
from book.publish.editions import EDITIONS, LAYOUT, PAGE_MAP, Edition, deposited, named
from book.staging import write_atomic

TEXT = Edition("text", "Plain-text edition", "plain text: every chapter's words, nothing else", "the plain text",
               "{slug}.txt", "test_editions:publish_text", frozenset({PAGE_MAP}))
"""An edition the builder does not have: the chapters as plain text, each headed by its title and
the print page it starts on (so that it needs the print page map, as the EPUB does)."""


def publish_text(ms: Manuscript, out: Path, supplies: Supplies) -> list[Output]:
    starts = {}
    for start in supplies.page_map().pages:
        starts.setdefault(start.unit, start.label)
    lines = []
    for ch in ms.chapters:
        lines += [f"{ch.title_text} (p. {starts.get(ch.id, '?')})", ""]
        lines += [unescape(re.sub(r"<[^>]+>", "", ch.html)).strip(), ""]
    target = TEXT.path(ms.meta, out)
    write_atomic(target, "\n".join(lines).encode())
    return [Output(target, "text", len(ms.chapters), "chapters")]


@pytest.fixture
def with_text_edition(monkeypatch):
    monkeypatch.setitem(EDITIONS, "text", TEXT)


def test_a_registered_edition_is_built_beside_the_others(with_text_edition, tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_JOBS", "2")  # the text is written in the process beside the print edition
    out = tmp_path / "out"
    said: list[str] = []
    outputs = build(Options(FIXTURES / "basic", out, ("pdf", "text")), said.append)
    assert [o.kind for o in outputs] == ["pdf", "text"]
    text = (out / "the-test-book.txt").read_text()
    assert re.search(r"\(p\. \d+\)", text), text[:200]
    sums = (out / "SHA256SUMS").read_text()
    assert "the-test-book.txt" in sums and "the-test-book.pdf" in sums
    assert any("the plain text, beside the print edition" in s for s in said), said

    alone = tmp_path / "alone"
    build(Options(FIXTURES / "basic", alone, ("pdf",)))
    assert (alone / "the-test-book.pdf").read_bytes() == (out / "the-test-book.pdf").read_bytes()


def test_the_command_line_and_progress_read_the_table(with_text_edition):
    p = build_parser()
    assert "text: plain text: every chapter's words" in p.format_help()
    assert p.parse_args(["text"]).editions == ["text"]
    assert [e.name for e in named(["text", "pdf"])] == ["pdf", "text"]
    assert stage_count(named(["text"])) == 2
    assert TEXT not in deposited()  # a deposit carries only what the table says it does


def test_every_edition_of_the_table_has_its_publisher_and_a_distinct_file():
    files = set()
    for e in EDITIONS.values():
        assert callable(e.publish())
        assert e.needs <= {LAYOUT, PAGE_MAP}
        files.add(e.file)
    assert len(files) == len(EDITIONS)
    assert [e.name for e in deposited()] == ["archive", "pdf", "epub", "web"]
