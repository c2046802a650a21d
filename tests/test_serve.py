"""``build.py serve``: a real server, a real browser, real edits to a chapter file."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT, copy_fixture


@pytest.fixture()
def served(tmp_path):
    """The basic fixture book served on a free port; yields (book folder, base URL, process)."""
    book = copy_fixture("basic", tmp_path)
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--book", str(book), "--port", "0"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    deadline = time.monotonic() + 30
    url = None
    while time.monotonic() < deadline and url is None:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m:
            url = m.group(0)
    assert url, "serve did not start:\n" + "".join(lines)
    yield book, url, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    return out


def test_serve_listens_on_loopback_only_and_injects_the_client(served):
    _book, url, proc = served
    page = urllib.request.urlopen(url + "alpha.html", timeout=5).read().decode()
    assert '<script src="/__serve/live-reload.js"' in page
    assert urllib.request.urlopen(url + "__serve/live-reload.js", timeout=5).status == 200
    # Bound to 127.0.0.1 alone: 127.0.0.2 reaches this machine too (all of 127/8 is loopback on
    # Linux), and would connect if the server listened on every address.
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", port), timeout=2).close()
    out = stop(proc)
    assert proc.returncode == 0, out
    assert "stopped" in out and "Traceback" not in out


def test_an_edit_shows_in_the_open_page_by_itself(served, browser):
    book, url, proc = served
    page = browser.new_page()
    page.goto(url + "beta.html")
    page.wait_for_function("() => typeof EventSource !== 'undefined'")
    page.wait_for_timeout(300)  # the event stream is open
    chapter = book / "chapters" / "beta.md"
    text = chapter.read_text()

    chapter.write_text(text.replace("---\n\n", "---\n\nA freshly written opening sentence.\n\n", 1))
    # How fast is `make bench`'s business (serve's rebuild, median of edits); here the timeouts
    # only say the page came by itself, with no reload by hand, on however busy a machine.
    page.wait_for_selector("text=A freshly written opening sentence.", timeout=10000)

    # A bad edit: the error as `check` prints it, in the page and in the terminal.
    chapter.write_text(text + "\nSee [nowhere](missing-chapter.md).\n")
    overlay = page.wait_for_selector("#serve-errors", timeout=10000)
    assert re.search(r"chapters/beta\.md:\d+:\d+: error: link to 'missing-chapter\.md'", overlay.inner_text())
    assert page.is_visible("text=A freshly written opening sentence.")  # the last good page stays

    # Fixing it recovers without a restart.
    chapter.write_text(text.replace("---\n\n", "---\n\nThe mended opening sentence.\n\n", 1))
    page.wait_for_selector("text=The mended opening sentence.", timeout=10000)
    assert page.query_selector("#serve-errors") is None

    out = stop(proc)
    assert proc.returncode == 0, out
    assert re.search(r"chapters/beta\.md:\d+:\d+: error: link to 'missing-chapter\.md'", out), out
    assert "Traceback" not in out


def test_an_edit_reloads_only_the_pages_it_changed(served, browser):
    book, url, proc = served
    page = browser.new_page()
    page.goto(url + "alpha.html")
    page.wait_for_timeout(300)
    page.evaluate("window.__marker = 'still here'")
    other = book / "chapters" / "gamma.md"
    other.write_text(other.read_text() + "\nA sentence added to gamma only.\n")
    deadline = time.monotonic() + 30  # until the rebuild is served, however busy the machine
    while "A sentence added to gamma only." not in urllib.request.urlopen(url + "gamma.html", timeout=5).read().decode():
        assert time.monotonic() < deadline, "serve did not rebuild gamma.html"
        time.sleep(0.05)
    page.wait_for_timeout(500)  # the event reached the open page by now; a reload would have run
    assert page.evaluate("window.__marker") == "still here"  # alpha did not change: no reload
    out = stop(proc)
    assert re.search(r"rebuilt in [\d.]+ s: 1 page changed", out), out  # gamma.html alone


def test_book_pdf_is_the_print_edition_laid_out_again_after_an_edit(served):
    """``/book.pdf`` serves the print edition, made in the background with the output folder's
    layout cache; an edit shows in it once the chapter is laid out again, the other chapters
    coming from the cache."""
    from conftest import pdf_pages_text

    book, url, proc = served

    def pdf() -> bytes:
        try:
            with urllib.request.urlopen(url + "book.pdf", timeout=10) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            assert exc.code == 503, exc  # still being laid out
            return b""

    deadline = time.monotonic() + 180  # a first layout of the whole book, however busy the machine
    first = pdf()
    while not first.startswith(b"%PDF"):
        assert time.monotonic() < deadline, "serve made no PDF"
        time.sleep(0.2)
        first = pdf()
    chapter = book / "chapters" / "beta.md"
    chapter.write_text(chapter.read_text() + "\nA sentence only the preview has seen.\n")
    deadline = time.monotonic() + 120
    second = first
    while second == first or not second.startswith(b"%PDF"):
        assert time.monotonic() < deadline, "serve did not lay the edit out"
        time.sleep(0.2)
        second = pdf()
    target = book.parent / "preview.pdf"
    target.write_bytes(second)
    assert "A sentence only the preview has seen." in " ".join(" ".join(pdf_pages_text(target)).split())
    out = stop(proc)
    assert re.search(r"the print PDF \(\d+ pages\) in [\d.]+ s, 1 job laid out", out), out
    dist = book.parent / "dist"
    assert (dist / ".cache" / "layout").is_dir() and not list(dist.glob("*.pdf")), "serve publishes no edition"
