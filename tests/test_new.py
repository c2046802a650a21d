"""``build.py new``: a skeleton that builds and passes check; and what a build prints while it works."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys

import pytest
from conftest import ROOT, pdf_pages_text, run_build


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory):
    folder = tmp_path_factory.mktemp("new") / "my-book"
    proc = run_build("new", str(folder), "--title", "A History of “Maps”: Lines & Lands")
    assert proc.returncode == 0, proc.stderr
    return folder


def test_new_writes_the_skeleton(skeleton):
    files = sorted(p.relative_to(skeleton).as_posix() for p in skeleton.rglob("*") if p.is_file())
    assert files == ["bibliography.yaml", "book.yaml", "chapters/beginning.md", "chapters/second-thoughts.md",
                     "words.txt"]
    config = (skeleton / "book.yaml").read_text()
    assert 'title: "A History of “Maps”: Lines & Lands"' in config
    assert re.search(r"^identifier: urn:uuid:[0-9a-f-]{36}$", config, re.M)


def test_the_skeleton_passes_check_strict(skeleton):
    proc = run_build("check", "--strict", "--book", str(skeleton))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no problems in 2 chapters" in proc.stderr


def test_the_skeleton_builds_every_edition(skeleton, tmp_path):
    out = tmp_path / "dist"
    proc = run_build("--book", str(skeleton), "--out", str(out), env={"CI": "true"})
    assert proc.returncode == 0, proc.stderr
    pdf = next(out.glob("*.pdf"))
    text = " ".join(pdf_pages_text(pdf))
    assert "A Beginning" in text and "Second Thoughts" in text and "Bringhurst" in text
    assert (out / "web" / "beginning.html").is_file() and next(out.glob("*.epub")).is_file()
    # One line per output, each ending with path, size and page count; plain text, as in CI.
    lines = [line for line in proc.stderr.splitlines() if line.startswith(("pdf", "epub", "web", "archive"))]
    assert lines and all(re.search(r"\s\S+\s+[\d.]+ (B|KB|MB)\s+\d+ (pages|documents)$", line) for line in lines), \
        proc.stderr
    assert "\x1b[" not in proc.stderr


def test_the_rights_line_names_the_author_without_quotes(skeleton, tmp_path):
    """The rights line is one YAML string: the author's name is printed, never its quotes."""
    folder = tmp_path / "quoted"
    proc = run_build("new", str(folder), "--author", 'Ann "the Scribe" Author')
    assert proc.returncode == 0, proc.stderr
    from book.load import load_book

    rights = load_book(folder).meta.rights
    assert rights.startswith("© ") and rights.endswith(' Ann "the Scribe" Author. All rights reserved.')
    assert "A. N. Author. All rights reserved." in load_book(skeleton).meta.rights


@pytest.mark.parametrize("lang, title, rights", [
    ("fr", "Un commencement", "Tous droits réservés."),
    ("de", "Ein Anfang", "Alle Rechte vorbehalten."),
    ("ja", "はじめに", "無断転載を禁じます。"),
])
def test_new_writes_a_book_in_another_language_that_passes_check_and_builds(tmp_path, lang, title, rights):
    folder = tmp_path / f"livre-{lang}"
    proc = run_build("new", str(folder), "--lang", lang, "--author", "Claire Dubois", "--title", "Mon livre")
    assert proc.returncode == 0, proc.stderr
    from book.load import load_book

    meta = load_book(folder).meta
    assert meta.lang == lang and meta.rights.endswith(f"Claire Dubois. {rights}")
    proc = run_build("check", "--strict", "--book", str(folder))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path / "dist"
    proc = run_build("pdf", "web", "--book", str(folder), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert title in " ".join(pdf_pages_text(next(out.glob("*.pdf")))).replace(" ", "") or title in \
        " ".join(pdf_pages_text(next(out.glob("*.pdf"))))
    assert f'lang="{lang}"' in (out / "web" / "beginning.html").read_text(encoding="utf-8")


def test_new_refuses_a_folder_that_is_not_empty(skeleton, tmp_path):
    before = (skeleton / "book.yaml").read_text()
    proc = run_build("new", str(skeleton))
    assert proc.returncode == 2
    assert "not empty" in proc.stderr and "Traceback" not in proc.stderr
    assert (skeleton / "book.yaml").read_text() == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_build("new", str(empty)).returncode == 0  # an empty folder is fine


def test_quiet_and_verbose(tmp_path):
    book = ROOT / "tests" / "fixtures" / "basic"
    quiet = run_build("web", "--book", str(book), "--out", str(tmp_path / "q"), "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    verbose = run_build("web", "--book", str(book), "--out", str(tmp_path / "v"), "-v")
    assert verbose.returncode == 0
    assert re.search(r"^  load and resolve \(at [\d.]+ s\)$", verbose.stderr, re.M), verbose.stderr
    assert re.search(r"^web\s+\S+/v/web/\s+[\d.]+ MB\s+7 pages$", verbose.stderr, re.M), verbose.stderr


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run a build with its output on a pseudo-terminal, as a person at a terminal sees it."""
    leader, follower = pty.openpty()
    clean_env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "TERM")}
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, env={**clean_env, "TERM": "xterm-256color", **env})
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode(errors="replace")


def test_a_terminal_gets_the_rich_display_and_no_color_is_honoured(tmp_path):
    book = str(ROOT / "tests" / "fixtures" / "basic")
    colour = _on_a_terminal(["epub", "web", "--book", book, "--out", str(tmp_path / "a")], {})
    assert re.search(r"\x1b\[[0-9;]*3[0-9]m", colour)  # coloured
    assert "\x1b[?25l" in colour  # rich hides the cursor while its live display runs
    assert re.search(r"web\S*\s+\S+/a/web/\s+[\d.]+ MB\s+7 pages", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", colour))
    plain = _on_a_terminal(["epub", "web", "--book", book, "--out", str(tmp_path / "b")], {"NO_COLOR": "1"})
    assert not re.search(r"\x1b\[[0-9;]*(3[0-9]|9[0-7])m", plain), repr(plain)
    assert "7 pages" in plain
