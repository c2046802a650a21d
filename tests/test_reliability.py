"""Nothing lost: an interrupted, failing or concurrent build never damages the last good editions.

Every test starts from a good edition of the 'basic' book in an output folder,
then runs a build of a changed copy of it (so that every output would change)
and interferes: SIGTERM while the PDF is being written, Ctrl-C during layout,
a disk that fills up half-way, a second build into the same folder at the
same time. Afterwards the folder holds either the old editions, byte for
byte, or a complete set of new ones — never a mix, never a temporary file.
"""

from __future__ import annotations

import hashlib
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, copy_fixture, require
from lxml import etree
from pypdf import PdfReader
from hostile import temp_leftovers, tree_hashes

from book import staging as lock

SLUG = "the-test-book"


def fresh_copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return copy_fixture("basic", folder)


def changed_book(tmp_path: Path, title: str = "The Changed Book", name: str = "changed") -> Path:
    """The basic book with another title and opening (same file names): every output differs."""
    book = fresh_copy(tmp_path, name)
    config = book / "book.yaml"
    config.write_text(config.read_text().replace("title: The Test Book", f"title: {title}\nslug: {SLUG}"))
    alpha = book / "chapters" / "alpha.md"
    alpha.write_text(alpha.read_text().replace("Alphabetic opening", f"Altered opening of {title}"))
    return book


def previous_editions(basic_build: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    out = tmp_path / "dist"
    shutil.copytree(basic_build, out)
    return out, tree_hashes(out)


def start(book: Path, out: Path, *args: str, preexec=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--book", str(book), "--out", str(out), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=preexec)


def wait_for(condition, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the build ended first (exit {proc.returncode}): {proc.communicate()[1]}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def assert_unchanged(out: Path, before: dict[str, str]) -> None:
    assert tree_hashes(out) == before, "the previous editions changed"
    assert temp_leftovers(out) == [], "temporary files were left behind"


def test_sigterm_while_the_pdf_is_written_keeps_the_old_pdf(basic_build: Path, tmp_path: Path):
    out, before = previous_editions(basic_build, tmp_path)
    proc = start(changed_book(tmp_path), out)
    wait_for(lambda: any(out.glob(f".{SLUG}.pdf.*.tmp")), proc)
    proc.send_signal(signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert_unchanged(out, before)
    assert PdfReader(out / f"{SLUG}.pdf").metadata.title.startswith("The Test Book")


def test_ctrl_c_during_layout_changes_nothing(basic_build: Path, tmp_path: Path):
    out, before = previous_editions(basic_build, tmp_path)
    proc = start(changed_book(tmp_path), out, "-v")
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    wait_for(lambda: any("lay out" in line for line in lines), proc)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    reader.join(timeout=10)
    stderr = "".join(lines)
    assert proc.returncode == 128 + signal.SIGINT, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert_unchanged(out, before)


def _small_files_only() -> None:
    # No file may grow past 200 kB: the PDF fits, the EPUB and its fonts do not. Python
    # ignores SIGXFSZ, so the write fails with EFBIG, as it would with ENOSPC on a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_a_full_disk_half_way_changes_nothing(basic_build: Path, tmp_path: Path):
    out, before = previous_editions(basic_build, tmp_path)
    proc = start(changed_book(tmp_path), out, preexec=_small_files_only)
    _stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr, stderr
    assert "cannot write the editions: File too large" in stderr, stderr
    assert "previous editions are unchanged" in stderr
    assert_unchanged(out, before)


def _title_of_every_edition(out: Path) -> set[str]:
    """The book title as the PDF, the EPUB and the web edition each state it."""
    titles = {PdfReader(out / f"{SLUG}.pdf").metadata.title.split(":")[0]}
    with zipfile.ZipFile(out / f"{SLUG}.epub") as epub:
        assert epub.testzip() is None
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
    titles.add(opf.findtext(".//{http://purl.org/dc/elements/1.1/}title"))
    index = etree.parse(str(out / "web" / "index.html"), etree.HTMLParser())
    titles.add(index.findtext(".//h1").strip())
    return titles


def test_two_builds_into_one_folder_are_serialised(tmp_path: Path):
    """Both succeed, one waits for the other, and the folder ends up as one whole edition."""
    out = tmp_path / "dist"
    first = start(changed_book(tmp_path, "Book One", "one"), out, "-v")
    second = start(changed_book(tmp_path, "Book Two", "two"), out, "-v")
    results = [(p.communicate(timeout=600), p.returncode) for p in (first, second)]
    for (_stdout, stderr), code in results:
        assert code == 0, stderr
    waited = [stderr for (_o, stderr), _c in results if "waiting for another build" in stderr]
    assert len(waited) == 1, [stderr for (_o, stderr), _c in results]

    sums = (out / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in sums}
    assert set(listed) == set(tree_hashes(out)) - {"SHA256SUMS"}, "SHA256SUMS does not list every output"
    for rel, digest in listed.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest, rel
    titles = _title_of_every_edition(out)
    assert titles in ({"Book One"}, {"Book Two"}), f"editions from different builds: {titles}"
    require("qpdf", "qpdf")
    check = subprocess.run(["qpdf", "--check", str(out / f"{SLUG}.pdf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert temp_leftovers(out) == []


def test_a_build_removes_stale_temporary_files_and_nothing_else(basic_build: Path, tmp_path: Path):
    out, _before = previous_editions(basic_build, tmp_path)
    stale = [out / f".{SLUG}.pdf.k3j4h5g6.tmp", out / "web" / ".index.html.a1b2c3d4.tmp",
             out / ".cache" / ".pagemap-x.json.zz99yy88.tmp"]
    for path in stale:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half a file")
    (out / ".web.q1w2e3r4.tmp").mkdir()
    (out / ".web.q1w2e3r4.tmp" / "index.html").write_text("half a site")
    kept = [out / "notes.tmp", out / ".keep", out / f".{SLUG}.pdf.tmp", out / "README.txt"]
    for path in kept:
        path.write_text("the user's own file")
    proc = start(fresh_copy(tmp_path, "src"), out)
    _stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert temp_leftovers(out) == []
    assert all(path.read_text() == "the user's own file" for path in kept)
    listed = (out / "SHA256SUMS").read_text()
    assert "notes.tmp" in listed and "README.txt" in listed and ".keep" not in listed


def test_recover_puts_back_a_folder_parked_by_a_killed_swap(tmp_path: Path):
    """Killed between the two renames that swap the web edition: the old one comes back."""
    out = tmp_path / "dist"
    parked = out / ".web.old.tmp"
    parked.mkdir(parents=True)
    (parked / "index.html").write_text("the previous web edition")
    (out / ".web.abcdefgh.tmp").mkdir()
    removed = lock.recover(out)
    assert (out / "web" / "index.html").read_text() == "the previous web edition"
    assert removed == [out / ".web.abcdefgh.tmp"] and not parked.exists()


def test_the_lock_blocks_a_second_holder(tmp_path: Path):
    """flock on <out>/.lock: a second holder waits until the first lets go."""
    out = tmp_path / "dist"
    order: list[str] = []
    with lock.output_folder(out):
        def second() -> None:
            with lock.output_folder(out, lambda message: order.append(message)):
                order.append("second holds the lock")
        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 30  # until the second says it waits, however busy the machine
        while not order and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # and a moment more, in which it must not get the lock
        order.append("first lets go")
    thread.join(timeout=10)
    assert order[0].startswith("waiting for another build")
    assert order[1:] == ["first lets go", "second holds the lock"]


def test_staged_files_appear_together_or_not_at_all(tmp_path: Path):
    from book.staging import write_atomic

    out = tmp_path / "dist"
    out.mkdir()
    (out / "a.txt").write_text("old a")
    with pytest.raises(RuntimeError):
        with lock.output_folder(out):
            write_atomic(out / "a.txt", b"new a")
            write_atomic(out / "b.txt", b"new b")
            assert (out / "a.txt").read_text() == "old a" and not (out / "b.txt").exists()
            raise RuntimeError("the EPUB failed")
    assert (out / "a.txt").read_text() == "old a" and not (out / "b.txt").exists()
    assert temp_leftovers(out) == []
    with lock.output_folder(out):
        write_atomic(out / "a.txt", b"new a")
        write_atomic(out / "b.txt", b"new b")
    assert (out / "a.txt").read_text() == "new a" and (out / "b.txt").read_text() == "new b"
