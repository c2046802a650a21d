"""The file system says no: an error naming the output folder, never a traceback, nothing lost.

An output folder nobody may write, a path through a file, a name longer than a file system
takes, a disk that fills up in the process that writes the EPUB and the web edition while
the print edition is laid out (the default on two cores), a book given as ``../book``, and a
new book started inside a file.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_fixture, require, run_build
from hostile import temp_leftovers, tree_hashes


def _unprivileged() -> list[str]:
    """The command prefix that runs the build bound by file permissions: root, who may write
    anywhere, runs it without the capabilities that override them (it stays root, so it still
    reaches a checkout in a folder only root may enter, such as one from `mktemp -d`)."""
    if os.geteuid() != 0:
        return []
    overrides = "-dac_override,-dac_read_search"
    return [require("setpriv", "util-linux"), "--bounding-set", overrides, "--inh-caps", overrides, "--"]


def test_an_output_folder_nobody_may_write(basic_build: Path, tmp_path: Path):
    book = copy_fixture("basic", tmp_path)
    out = tmp_path / "dist"
    shutil.copytree(basic_build, out)
    before = tree_hashes(out)
    out.chmod(0o555)
    try:
        proc = subprocess.run([*_unprivileged(), sys.executable, str(ROOT / "build.py"), "--book", str(book),
                               "--out", str(out)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    finally:
        out.chmod(0o755)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "dist: error: cannot write the editions: Permission denied" in proc.stderr, proc.stderr
    assert "make the output folder writable" in proc.stderr
    assert tree_hashes(out) == before


def test_an_output_folder_inside_a_file(tmp_path: Path):
    book = copy_fixture("basic", tmp_path)
    (tmp_path / "afile").write_text("a file")
    proc = run_build("--book", str(book), "--out", str(tmp_path / "afile" / "dist"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "afile/dist: error: cannot write the editions: Not a directory" in proc.stderr, proc.stderr
    assert (tmp_path / "afile").read_text() == "a file"


def test_an_output_folder_whose_name_is_too_long(tmp_path: Path):
    book = copy_fixture("basic", tmp_path)
    out = tmp_path / ("d" * 300)
    proc = run_build("--book", str(book), "--out", str(out), "web")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "cannot write the editions: File name too long" in proc.stderr, proc.stderr


def _small_files_only() -> None:
    # No file may grow past 300 kB: the print PDFs fit, the web edition's fonts do not. Python
    # ignores SIGXFSZ, so the write fails with EFBIG, as it would with ENOSPC on a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))


def test_a_full_disk_in_the_forked_process_is_an_error(basic_build: Path, tmp_path: Path):
    """On two cores the EPUB and the web edition are written in a forked process: its failure to
    write is said as the build's own, not as the child's traceback."""
    book = copy_fixture("basic", tmp_path)
    (book / "chapters/alpha.md").write_text((book / "chapters/alpha.md").read_text() + "\nOne sentence more.\n")
    out = tmp_path / "dist"
    shutil.copytree(basic_build, out)
    before = tree_hashes(out)
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--book", str(book), "--out", str(out), "-v"],
                          capture_output=True, text=True, timeout=300, preexec_fn=_small_files_only,
                          env={**os.environ, "BOOK_JOBS": "2"})
    assert proc.returncode == 1, proc.stderr
    assert "beside the print edition" in proc.stderr, proc.stderr  # it did fork
    assert "Traceback" not in proc.stderr and "ChildError" not in proc.stderr, proc.stderr
    assert "cannot write the editions: File too large" in proc.stderr, proc.stderr
    assert tree_hashes(out) == before
    assert temp_leftovers(out) == []


def test_a_deposit_of_a_book_given_as_a_relative_path_upwards(tmp_path: Path):
    """``deposit --book ../book`` from a sibling folder: the book's root is its real folder."""
    book = copy_fixture("basic", tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    proc = run_build("deposit", "--book", f"../{book.name}", "--out", "../dist", cwd=work, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "dist" / "the-test-book-deposit" / "data/sources/bibliography.yaml").is_file()


def test_new_into_a_path_through_a_file(tmp_path: Path):
    (tmp_path / "afile").write_text("a file")
    proc = run_build("new", str(tmp_path / "afile" / "book"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "new: error: cannot write" in proc.stderr and "Not a directory" in proc.stderr, proc.stderr
