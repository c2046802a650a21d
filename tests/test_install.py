"""The package installs anywhere: a wheel, a new virtual environment outside the repository,
``bookbuilder new`` and a build of every edition with the installed command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from conftest import ROOT


def run(*args, cwd: Path, timeout: int = 900, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_a_wheel_installed_outside_the_repository_builds_a_new_book(tmp_path):
    # Built from a copy of the sources, so that setuptools' build folders stay out of the checkout.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "dist", "build", "*.egg-info",
                                                                "__pycache__", ".pytest_cache", ".hypothesis"))
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "build", "--wheel", "--outdir", wheels, source, cwd=tmp_path)
    (wheel,) = wheels.glob("bookbuilder-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "book/templates/print/book.html" in names and "book/skeleton/book.yaml" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "content/"))]

    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # pip resolves the declared dependencies from the registries this machine reaches
    # (the same ones `make` installs from); nothing of the repository is on the path.
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel, cwd=tmp_path)

    work = tmp_path / "work"
    work.mkdir()
    clean = {"PYTHONPATH": "", "PYTHONSAFEPATH": "1"}
    bookbuilder = env_dir / "bin" / "bookbuilder"
    assert run(bookbuilder, "--version", cwd=work, env=clean).stdout.startswith("bookbuilder ")
    assert run(bookbuilder, "--help", cwd=work, env=clean).stdout.startswith("usage: bookbuilder ")
    run(bookbuilder, "new", "my-book", "--title", "A History of Maps", cwd=work, env=clean)
    built = run(bookbuilder, "--book", "my-book", "--out", "out", cwd=work, env=clean)
    for name in ("a-history-of-maps.pdf", "a-history-of-maps-archival.pdf", "a-history-of-maps.epub",
                 "web/index.html", "SHA256SUMS"):
        assert (work / "out" / name).is_file(), built.stderr
    where = run(python, "-c", "import book, book.resources as r; print(book.__file__); print(r.TEMPLATES)",
                cwd=work, env=clean).stdout.split()
    assert all(str(env_dir) in line and str(ROOT) not in line for line in where), where
    run(bookbuilder, "check", "--strict", "--book", "my-book", cwd=work, env=clean)


def test_a_build_on_windows_says_at_once_that_it_needs_wsl(monkeypatch, capsys, tmp_path):
    """The output folder is locked with fcntl and editions are built in forked processes: on a
    platform without them a build says so before it starts; check and new still run."""
    from book import cli

    monkeypatch.setattr(sys, "platform", "win32")
    assert cli.main(["--book", str(ROOT / "tests/fixtures/basic"), "--out", str(tmp_path / "out")]) == 2
    assert "Linux and macOS only" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert cli.main(["check", "-q", "--book", str(ROOT / "tests/fixtures/basic")]) == 0
