"""Same sources, same bytes: the editions do not depend on the machine, the clock or the shell.

Two builds of the 'basic' book differ in everything that should not matter —
the clock (``faketime``), time zone, locale, working directory, umask,
``PYTHONHASHSEED``, the book's absolute path and the order in which the file
system lists its files (tmpfs lists newest first, so the two copies are made
in opposite orders) — and an empty ``SOURCE_DATE_EPOCH``, which must count as
unset. Every output must be byte-identical. A third build sets
``SOURCE_DATE_EPOCH`` and must carry that timestamp instead of the book's date.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, require
from lxml import etree
from hostile import tree_hashes

SLUG = "the-test-book"
EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC
CLEAN = ("SOURCE_DATE_EPOCH", "TZ", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_TIME", "PYTHONHASHSEED")


def copy_in_order(src: Path, dest: Path, reverse: bool) -> Path:
    """Copy a book creating its folders and files in sorted (or reverse) order."""
    paths = sorted(src.rglob("*"), key=lambda p: p.relative_to(src).as_posix(), reverse=reverse)
    for path in sorted((p for p in paths if p.is_dir()), key=lambda p: len(p.parts)):
        (dest / path.relative_to(src)).mkdir(parents=True, exist_ok=True)
    dest.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.is_file():
            shutil.copyfile(path, dest / path.relative_to(src))
    return dest


def start(book: Path, out: Path, cwd: Path, env: dict[str, str], *args: str, clock: str | None = None,
          umask: int = 0o022) -> subprocess.Popen:
    base = {k: v for k, v in os.environ.items() if k not in CLEAN}
    command = [sys.executable, str(ROOT / "build.py"), "--book", str(book), "--out", str(out), "-q", *args]
    if clock:
        command = [require("faketime", "faketime"), "-f", clock, *command]
    return subprocess.Popen(command, cwd=cwd, env={**base, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.umask(umask))


def finish(proc: subprocess.Popen) -> None:
    _out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """(first, second, stamped) output folders."""
    tmp = tmp_path_factory.mktemp("reproducible")
    fast = Path("/dev/shm") if Path("/dev/shm").is_dir() else tmp
    shm = Path(tempfile.mkdtemp(prefix="repro-", dir=fast))
    try:
        book_a = copy_in_order(FIXTURES / "basic", shm / "a" / "basic", reverse=False)
        book_b = copy_in_order(FIXTURES / "basic", shm / "somewhere" / "much" / "deeper" / "basic", reverse=True)
        assert os.listdir(book_a / "chapters") != os.listdir(book_b / "chapters") or fast == tmp
        for name in ("cwd-a", "cwd-b"):
            (tmp / name).mkdir()
        a = start(book_a, tmp / "out-a", tmp / "cwd-a",
                  {"TZ": "UTC", "LC_ALL": "C", "PYTHONHASHSEED": "0"})
        b = start(book_b, tmp / "out-b", tmp / "cwd-b",
                  {"TZ": "Pacific/Chatham", "LANG": "tr_TR.UTF-8", "PYTHONHASHSEED": "987654",
                   "SOURCE_DATE_EPOCH": ""}, clock="+3650d", umask=0o077)
        finish(a)
        finish(b)
        c = start(book_a, tmp / "out-c", tmp / "cwd-a", {"SOURCE_DATE_EPOCH": str(EPOCH)}, "pdf", "archive", "epub")
        finish(c)
        yield tmp / "out-a", tmp / "out-b", tmp / "out-c"
    finally:
        shutil.rmtree(shm, ignore_errors=True)


def test_two_builds_in_different_environments_are_byte_identical(builds):
    first, second, _stamped = builds
    a, b = tree_hashes(first), tree_hashes(second)
    assert {f"{SLUG}.pdf", f"{SLUG}-archival.pdf", f"{SLUG}.epub", "web/index.html", "SHA256SUMS"} <= set(a)
    assert sorted(a) == sorted(b), "the two builds wrote different files"
    differ = [rel for rel in a if a[rel] != b[rel]]
    assert differ == [], f"these outputs differ between the two builds: {differ}"


def test_sha256sums_lists_every_output(builds):
    first, _second, _stamped = builds
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0]
              for line in (first / "SHA256SUMS").read_text().splitlines()}
    hashes = tree_hashes(first)
    assert set(listed) == set(hashes) - {"SHA256SUMS"}
    assert all(hashes[rel] == digest for rel, digest in listed.items())


def _pdf_dates(pdf: Path) -> tuple[str, str]:
    require("pdfinfo", "poppler-utils")
    info = subprocess.run(["pdfinfo", "-isodates", str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return fields["CreationDate"].strip(), fields["ModDate"].strip()


def _epub_dates(epub: Path) -> tuple[str, str, set]:
    with zipfile.ZipFile(epub) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        stamps = {info.date_time for info in z.infolist()}
    ns = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
    modified = opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=ns)[0]
    issued = opf.xpath("//dc:date/text()", namespaces=ns)[0]
    return modified, issued, stamps


def test_without_source_date_epoch_the_book_date_is_the_only_timestamp(builds):
    first, _second, _stamped = builds
    for pdf in (f"{SLUG}.pdf", f"{SLUG}-archival.pdf"):
        assert _pdf_dates(first / pdf) == ("2021-11-26T00:00:00Z", "2021-11-26T00:00:00Z"), pdf
    modified, issued, stamps = _epub_dates(first / f"{SLUG}.epub")
    assert modified == "2021-11-26T00:00:00Z" and issued.startswith("2021-11-26")
    assert stamps == {(2021, 11, 26, 0, 0, 0)}


def test_source_date_epoch_overrides_the_book_date(builds):
    first, _second, stamped = builds
    when = dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc)
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _pdf_dates(stamped / f"{SLUG}.pdf") == (iso, iso)
    assert _pdf_dates(stamped / f"{SLUG}-archival.pdf") == (iso, iso)
    modified, issued, stamps = _epub_dates(stamped / f"{SLUG}.epub")
    assert modified == iso
    assert issued.startswith("2021-11-26"), "the publication date is the book's, not the build's"
    assert stamps == {(when.year, when.month, when.day, when.hour, when.minute, when.second)}
    assert (stamped / f"{SLUG}.pdf").read_bytes() != (first / f"{SLUG}.pdf").read_bytes()


def test_a_malformed_source_date_epoch_is_an_error_not_a_traceback(tmp_path: Path):
    proc = start(FIXTURES / "basic", tmp_path / "out", tmp_path, {"SOURCE_DATE_EPOCH": "yesterday"}, "pdf")
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    assert "SOURCE_DATE_EPOCH is 'yesterday'" in err and "Traceback" not in err
