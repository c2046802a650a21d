"""The archival edition: PDF/A-3 with the book's sources inside, and ``extract`` to get them back.

Judged with independent tools on the real files: qpdf's structural check,
pypdf for the XMP, output intent, encryption and associated files, poppler for
the pages, Apache PDFBox Preflight for the PDF/A rules it knows.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, require, run_build
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject
from test_print import FIXTURE, SLUGS, _pdftotext

PREFLIGHT_JARS = ("preflight.jar", "pdfbox2.jar", "fontbox2.jar", "xmpbox.jar", "commons-logging.jar",
                  "javax.activation.jar", "jaxb-api.jar")
PDFA1_ONLY = {"1.4", "1.4.7", "1.2.9", "3.1.11", "1.2.7", "2.2.1", "7.11.1", "7.11.2"}
"""Preflight validates PDF/A-1b only. These rules are PDF/A-1's and do not hold for PDF/A-3:
xref streams (1.4), embedded files (1.4.7, 1.2.9), the CIDSet (3.1.11), compressed metadata
(1.2.7), transparency groups (2.2.1; PDF/A-2 and -3 allow transparency) and the
identification as part 1, conformance A or B (7.11.1, 7.11.2)."""


@pytest.fixture(scope="module", params=[FIXTURE, "sample"])
def archived(request, print_fixture_build) -> tuple[Path, Path, Path]:
    """(book folder, archival PDF, print PDF) of the fixture and of the sample book."""
    if request.param == FIXTURE:
        root, out = print_fixture_build
    else:
        root, out = ROOT / "content", request.getfixturevalue("sample_build")
    slug = SLUGS[request.param]
    return root, out / f"{slug}-archival.pdf", out / f"{slug}.pdf"


def expected_sources(root: Path) -> list[str]:
    """The book's files as the engine reads them: book.yaml, chapters, bibliography, images, cover, word list."""
    from book.commands.build import Options, load_and_resolve
    ms = load_and_resolve(Options(root, root / "dist"))
    files = {root / "book.yaml", *(ch.source.path for ch in ms.chapters), *ms.meta.bibliography,
             *(a.path for a in ms.assets)}
    if ms.meta.cover:
        files.add(ms.meta.cover)
    if (root / "words.txt").is_file():
        files.add(root / "words.txt")
    return sorted(p.relative_to(root).as_posix() for p in files)


def test_pdfa3_identification_output_intent_and_no_encryption(archived):
    _root, pdf, _print = archived
    reader = PdfReader(pdf)
    assert not reader.is_encrypted and "/Encrypt" not in reader.trailer
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", raw), raw[:400]
    assert re.search(r"<pdfaid:conformance>U</pdfaid:conformance>", raw)
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 3  # sRGB
    assert reader.pdf_header == "%PDF-1.7"


def test_qpdf_finds_no_structural_error(archived):
    _root, pdf, print_pdf = archived
    qpdf = require("qpdf", "qpdf")
    for path in (pdf, print_pdf):
        proc = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "No syntax or stream encoding errors found" in proc.stdout


def test_same_pages_as_the_print_edition(archived):
    _root, pdf, print_pdf = archived
    assert _pdftotext(pdf, layout=True) == _pdftotext(print_pdf, layout=True)
    assert list(PdfReader(pdf).page_labels) == list(PdfReader(print_pdf).page_labels)


def test_every_source_is_an_associated_file(archived):
    root, pdf, _print = archived
    reader = PdfReader(pdf)
    catalog = reader.trailer["/Root"]
    names = catalog["/Names"]["/EmbeddedFiles"]["/Names"]
    specs = {str(names[i]): names[i + 1].get_object() for i in range(0, len(names), 2)}
    assert list(specs) == sorted(specs, key=lambda n: n.encode())  # a name tree is sorted
    assert sorted(n for n in specs if n != "manifest.json") == expected_sources(root)
    af = [ref.get_object() for ref in catalog["/AF"]]
    assert len(af) == len(specs)
    for name, spec in specs.items():
        assert spec in af, name
        assert spec["/AFRelationship"] == ("/Supplement" if name == "manifest.json" else "/Source"), name
        assert spec["/UF"] == name
        stream = spec["/EF"]["/F"].get_object()
        assert stream["/Params"]["/ModDate"].startswith("D:"), name
        assert "octet-stream" not in str(stream["/Subtype"]), (name, stream["/Subtype"])


def test_manifest_lists_each_source_with_its_sha256(archived):
    root, pdf, _print = archived
    attachments = PdfReader(pdf).attachments
    manifest = json.loads(attachments["manifest.json"][0])
    assert manifest["format"] == "bookbuilder-sources/1"
    listed = {f["path"]: f for f in manifest["files"]}
    assert sorted(listed) == expected_sources(root)
    for rel, entry in listed.items():
        data = (root / rel).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data), rel


def test_extract_restores_the_sources_byte_for_byte(archived, tmp_path: Path):
    root, pdf, _print = archived
    dest = tmp_path / "restored"
    proc = run_build("extract", str(pdf), str(dest))
    assert proc.returncode == 0, proc.stderr
    restored = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert restored == expected_sources(root)
    for rel in restored:
        assert (dest / rel).read_bytes() == (root / rel).read_bytes(), rel
    again = run_build("extract", str(pdf), str(dest))
    assert again.returncode == 1 and "already holds" in again.stderr


def test_preflight_finds_nothing_but_pdfa1_only_rules(archived):
    _root, pdf, _print = archived
    java = require("java", "default-jre-headless")
    jars = Path("/usr/share/java")
    if not (jars / "preflight.jar").is_file():
        pytest.fail("Apache PDFBox Preflight is missing: install it with "
                    "`apt-get install libpdfbox2-java libactivation-java libjaxb-api-java` (make test does this)")
    proc = subprocess.run([java, "-cp", ":".join(str(jars / j) for j in PREFLIGHT_JARS),
                           "org.apache.pdfbox.preflight.Validator_A1b", str(pdf)],
                          capture_output=True, text=True, timeout=300)
    codes = re.findall(r"^(\d+(?:\.\d+)*) : (.*)$", proc.stdout + proc.stderr, re.M)
    assert codes, proc.stdout + proc.stderr  # it ran, and said something about the file
    real = [f"{code}: {text}" for code, text in codes if code not in PDFA1_ONLY]
    assert not real, "\n".join(real)


# ------------------------------------------------------------------ tampering and reproducibility


def _rewrite(pdf: Path, target: Path, change) -> None:
    """A copy of ``pdf`` with its embedded-files name tree changed by ``change(names_array, writer)``."""
    writer = PdfWriter(clone_from=PdfReader(pdf))
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    change(names, writer)
    with open(target, "wb") as fh:
        writer.write(fh)


def test_extract_names_a_file_that_differs(print_fixture_build, tmp_path: Path):
    _root, out = print_fixture_build
    bad = tmp_path / "tampered.pdf"

    def tamper(names, _writer):
        for i in range(0, len(names), 2):
            if names[i] == "chapters/notes.md":
                names[i + 1].get_object()["/EF"]["/F"].get_object().set_data(b"not the chapter\n")
    _rewrite(out / f"{SLUGS[FIXTURE]}-archival.pdf", bad, tamper)
    proc = run_build("extract", str(bad), str(tmp_path / "restored"))
    assert proc.returncode == 1
    assert re.search(r"error: chapters/notes\.md: differs from the manifest", proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr
    assert sum("error:" in line for line in proc.stderr.splitlines()) == 1  # only that file


def test_extract_refuses_a_name_that_leaves_the_folder(print_fixture_build, tmp_path: Path):
    _root, out = print_fixture_build
    bad = tmp_path / "escape.pdf"

    def escape(names, writer):
        for i in range(0, len(names), 2):
            if names[i] == "front/preface.md":
                names[i] = type(names[i])("../../escaped.md")
                spec = names[i + 1].get_object()
                spec[NameObject("/F")] = spec[NameObject("/UF")] = type(spec["/UF"])("../../escaped.md")
    _rewrite(out / f"{SLUGS[FIXTURE]}-archival.pdf", bad, escape)
    dest = tmp_path / "a" / "b" / "restored"
    proc = run_build("extract", str(bad), str(dest))
    assert proc.returncode == 1, proc.stderr
    assert "../../escaped.md: refused" in proc.stderr
    assert "front/preface.md: listed in the manifest but not embedded" in proc.stderr
    assert not list(tmp_path.rglob("escaped.md"))


def test_extract_refuses_a_pdf_without_sources(print_fixture_build, tmp_path: Path):
    _root, out = print_fixture_build
    proc = run_build("extract", str(out / f"{SLUGS[FIXTURE]}.pdf"), str(tmp_path / "x"))
    assert proc.returncode == 1 and "no source manifest" in proc.stderr


def test_archive_is_byte_reproducible_and_rebuilds_from_its_own_sources(print_fixture_build, tmp_path: Path):
    """Another clone (other folder, other file times) and the extracted sources give the same bytes."""
    _root, out = print_fixture_build
    original = (out / f"{SLUGS[FIXTURE]}-archival.pdf").read_bytes()
    restored = tmp_path / "restored"
    assert run_build("extract", str(out / f"{SLUGS[FIXTURE]}-archival.pdf"), str(restored)).returncode == 0
    for path in restored.rglob("*"):
        path.touch()
    proc = run_build("archive", "--book", str(restored), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "dist" / f"{SLUGS[FIXTURE]}-archival.pdf").read_bytes() == original
    assert not (tmp_path / "dist" / f"{SLUGS[FIXTURE]}.pdf").exists()  # `archive` alone writes only the archive
