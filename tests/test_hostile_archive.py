"""Hostile archival PDFs and deposits: ``extract`` and ``verify`` say what is wrong, and stop there.

A PDF or a deposit can come from anywhere, and its manifests are checksums, not signatures.
Each case here makes one from a good one and breaks it as an attacker would: attachment
names that clash (``zz`` and ``zz/x``), a manifest nested 100,000 deep or naming a file by
a number, a 1 GiB Flate bomb, a destination that is a file; a zip where a file and a folder
share a name, or that unpacks to terabytes; a deposit with a link, or whose edition list
points outside it; templates that include ``../../etc/passwd``, ask for forty billion
characters or loop for ever. Every one exits 1 with the file (and for a template, its line),
no traceback, nothing written outside the destination, nothing requested.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
import zlib
from pathlib import Path

import bagit
import pikepdf
import pytest
from conftest import copy_fixture, run_build
from hostile import Listener

SLUG = "the-test-book"


def _manifest(pdf: pikepdf.Pdf) -> dict:
    return json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())


def _set_manifest(pdf: pikepdf.Pdf, data: bytes) -> None:
    pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(pdf, data)


def clashing_names(pdf: pikepdf.Pdf) -> str:
    listing = _manifest(pdf)
    for name, data in (("zz", b"a file"), ("zz/x", b"a file in a folder of the same name")):
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data)
        listing["files"].append({"path": name, "role": "x", "media_type": "text/plain", "bytes": len(data),
                                 "sha256": hashlib.sha256(data).hexdigest()})
    _set_manifest(pdf, json.dumps(listing).encode())
    return "zz: refused, it is a file and also the folder of other files"


def manifest_100k_deep(pdf: pikepdf.Pdf) -> str:
    _set_manifest(pdf, b"[" * 100_000 + b"]" * 100_000)
    return "values nest more than 64 levels deep"


def integer_path(pdf: pikepdf.Pdf) -> str:
    listing = _manifest(pdf)
    listing["files"][0]["path"] = 5
    _set_manifest(pdf, json.dumps(listing).encode())
    return "file 1 is not a path with its bytes and sha256"


def flate_bomb(pdf: pikepdf.Pdf) -> str:
    spec = pikepdf.AttachedFileSpec(pdf, b"x")
    pdf.attachments["chapters/bomb.md"] = spec
    packer = zlib.compressobj(9)
    raw = b"".join(packer.compress(bytes(1 << 20)) for _ in range(1024)) + packer.flush()  # 1 GiB of zeros
    spec.obj.EF.F.write(raw, filter=pikepdf.Name.FlateDecode)
    return "'chapters/bomb.md' decompresses to more than a book's file may hold"


PDF_CASES = {f.__name__: f for f in (clashing_names, manifest_100k_deep, integer_path, flate_bomb)}


@pytest.fixture(scope="module")
def hostile_pdfs(basic_build: Path, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("pdfs")
    made = {}
    for name, change in PDF_CASES.items():
        with pikepdf.open(basic_build / f"{SLUG}-archival.pdf") as pdf:
            expected = change(pdf)
            pdf.save(folder / f"{name}.pdf")
        made[name] = (folder / f"{name}.pdf", expected)
    return made


def _outside_unchanged(tmp_path: Path, dest: Path) -> list[str]:
    """What exists under ``tmp_path`` but outside ``dest`` (the test's own files aside)."""
    return sorted(p.name for p in tmp_path.iterdir() if p != dest)


@pytest.mark.parametrize("case", list(PDF_CASES))
def test_extract_refuses_a_hostile_pdf(case: str, hostile_pdfs, listener: Listener, tmp_path: Path):
    pdf, expected = hostile_pdfs[case]
    seen = len(listener.requests)
    dest = tmp_path / "restored"
    proc = run_build("extract", str(pdf), str(dest), timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert re.search(rf"{re.escape(pdf.name)}: error: .*{re.escape(expected)}", proc.stderr), proc.stderr
    assert _outside_unchanged(tmp_path, dest) == []
    assert not (tmp_path / "zz").exists()
    assert listener.requests[seen:] == []


@pytest.mark.parametrize("case", list(PDF_CASES))
def test_verify_refuses_a_hostile_pdf(case: str, hostile_pdfs):
    pdf, expected = hostile_pdfs[case]
    proc = run_build("verify", str(pdf), timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert expected in proc.stdout, proc.stdout


def test_extract_into_a_file_is_refused(basic_build: Path, tmp_path: Path):
    (tmp_path / "afile").write_text("mine")
    proc = run_build("extract", str(basic_build / f"{SLUG}-archival.pdf"), str(tmp_path / "afile"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "afile: error: 'afile' is a file, not a folder" in proc.stderr.replace(str(tmp_path) + "/", ""), proc.stderr
    assert (tmp_path / "afile").read_text() == "mine"


# ------------------------------------------------------------------ deposits

@pytest.fixture(scope="module")
def deposit(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("deposit")
    book = copy_fixture("basic", tmp)
    proc = run_build("deposit", "--book", str(book), "--out", str(tmp / "dist"), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return tmp / "dist" / f"{SLUG}-deposit"


def _zip_of(bag: Path, target: Path, extra: list[tuple[str, bytes]] = ()) -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(bag.rglob("*")):
            if path.is_file():
                zf.write(path, f"{bag.name}/{path.relative_to(bag).as_posix()}")
        for name, data in extra:
            zf.writestr(name, data)
    return target


def test_verify_a_zip_where_a_file_and_a_folder_share_a_name(deposit: Path, tmp_path: Path):
    archive = _zip_of(deposit, tmp_path / "clash.zip", [(f"{deposit.name}/data/sources/zz", b"a file"),
                                                        (f"{deposit.name}/data/sources/zz/x", b"inside")])
    proc = run_build("verify", str(archive), timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "data/sources/zz: is a file, and the folder of other entries too" in proc.stdout, proc.stdout


def test_verify_refuses_a_zip_bomb_before_unpacking(tmp_path: Path):
    """Entries whose directory says 4 GB each: refused by what they declare, before a byte is written."""
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bag/bagit.txt", b"BagIt-Version: 1.0\n")
        for i in range(3):
            zf.writestr(f"bag/data/zero{i}", bytes(1000))
    data = bytearray(archive.read_bytes())
    for header in re.finditer(rb"PK\x01\x02", bytes(data)):  # the central directory's uncompressed sizes
        data[header.start() + 24:header.start() + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    proc = run_build("verify", str(archive), timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "the zip holds more than a deposit" in proc.stdout, proc.stdout


def test_verify_refuses_a_deposit_holding_a_link(deposit: Path, tmp_path: Path):
    bag = tmp_path / "bag"
    shutil.copytree(deposit, bag)
    (bag / "data/sources/builder-templates/print/secret.html").symlink_to("/etc/passwd")
    proc = run_build("verify", str(bag), timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout
    assert "data/sources/builder-templates/print/secret.html: is a symbolic link" in proc.stdout, proc.stdout


def test_verify_refuses_an_edition_list_pointing_outside(deposit: Path, tmp_path: Path):
    bag = tmp_path / "bag"
    shutil.copytree(deposit, bag)
    listing = bag / "data/metadata/editions.json"
    data = json.loads(listing.read_text())
    data["editions"][0]["path"] = "data/editions/../../../../etc/passwd"
    listing.write_text(json.dumps(data))
    bagit.Bag(str(bag)).save(manifests=True)
    proc = run_build("verify", str(bag), timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout
    assert "data/metadata/editions.json: cannot be read (the edition path" in proc.stdout, proc.stdout


TEMPLATE_CASES = {
    "include-outside": ("{% include '../../etc/passwd' %}",
                        "the template includes '../../etc/passwd', which is not a template of this folder"),
    "memory": ('{{ "x" * 40000000000 }}', "multiplies a text or list to more than"),
    "time": ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
             "the templates render for more than 60 s"),
}


@pytest.mark.parametrize("case", list(TEMPLATE_CASES))
def test_verify_stops_a_deposit_template_at_its_line(case: str, deposit: Path, tmp_path: Path):
    text, expected = TEMPLATE_CASES[case]
    bag = tmp_path / "bag"
    shutil.copytree(deposit, bag)
    template = bag / "data/sources/builder-templates/print/book.html"
    line = template.read_text(encoding="utf-8").count("\n") + 1
    template.write_text(template.read_text(encoding="utf-8") + text + "\n", encoding="utf-8")
    bagit.Bag(str(bag)).save(manifests=True)
    proc = run_build("verify", str(bag), timeout=600)
    printed = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Traceback" not in printed, printed
    assert re.search(rf"data/sources/builder-templates/print/book\.html:{line}: error: [^|]*{re.escape(expected)}",
                     proc.stdout), proc.stdout
