"""The sample book's EPUB in the hands of real reading software: calibre and DAISY Ace.

calibre's ``ebook-meta`` is how libraries and many e-reader stacks read an
EPUB's metadata, and ``ebook-convert`` to AZW3 is the road to a Kindle. DAISY
Ace runs axe-core in Chromium over every document plus the EPUB-specific
accessibility checks; a distributor's accessibility audit starts there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from conftest import ROOT, require

SAMPLE = "world-war-ii-diplomacy"
ACE = ROOT / ".venv" / "tools" / "node_modules" / ".bin" / "ace-puppeteer"


def test_calibre_reads_the_metadata(sample_build, tmp_path):
    require("ebook-meta", "calibre")
    epub = sample_build / f"{SAMPLE}.epub"
    opf = tmp_path / "calibre.opf"
    proc = subprocess.run(["ebook-meta", str(epub), "--to-opf", str(opf)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    fields = dict(re.findall(r"(?m)^(\w[\w ()]*?)\s*: (.*)$", proc.stdout))
    assert fields["Title"].startswith("World War II Diplomacy")
    assert fields["Author(s)"].startswith("Historical Boys' Clothing")
    assert fields["Languages"] == "eng"
    assert fields["Published"].startswith("2021-11-26")
    assert "<dc:language>eng</dc:language>" in opf.read_text(encoding="utf-8")
    # calibre takes a urn:uuid identifier as the book's uuid, which ebook-meta does not print
    # (an ISBN it prints as "Identifiers: isbn:…"): ask calibre's own metadata reader.
    code = ("from calibre.ebooks.metadata.meta import get_metadata; import sys; "
            "mi = get_metadata(open(sys.argv[-1], 'rb'), 'epub'); print('uuid=' + mi.uuid)")
    proc = subprocess.run(["calibre-debug", "-c", code, str(epub)], capture_output=True, text=True, timeout=300)
    assert "uuid=3f348c32-c726-4299-aa1c-05c6c76a654c" in proc.stdout, proc.stdout + proc.stderr


def test_calibre_converts_to_azw3(sample_build, tmp_path):
    require("ebook-convert", "calibre")
    target = tmp_path / f"{SAMPLE}.azw3"
    proc = subprocess.run(["ebook-convert", str(sample_build / f"{SAMPLE}.epub"), str(target)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert target.is_file() and target.stat().st_size > 50_000
    assert target.read_bytes()[60:68] == b"BOOKMOBI"
    meta = subprocess.run(["ebook-meta", str(target)], capture_output=True, text=True, timeout=300)
    assert "World War II Diplomacy" in meta.stdout


def test_ace_finds_no_violations(sample_build, tmp_path):
    chromium = require("chromium", "chromium")
    if not ACE.is_file():
        pytest.fail(f"{ACE} is missing: run `bash tests/install-tools.sh` (make test does this)")
    report = tmp_path / "ace"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    proc = subprocess.run([str(ACE), "--force", "-o", str(report), str(sample_build / f"{SAMPLE}.epub")],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    failures = [(a["earl:testSubject"]["url"], b["earl:test"]["dct:title"], b["earl:test"]["earl:impact"])
                for a in data["assertions"] for b in a.get("assertions", [])
                if b["earl:result"]["earl:outcome"] == "fail"]
    assert failures == []
    assert data["earl:result"]["earl:outcome"] == "pass"
    # Ace saw what we declare: page breaks, and every accessibility property we promise.
    assert data["properties"]["hasPageBreaks"] is True
    assert not data["a11y-metadata"]["empty"]
    assert {"schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
            "schema:accessibilitySummary", "schema:accessModeSufficient", "dcterms:conformsTo",
            "a11y:certifiedBy"} <= set(data["a11y-metadata"]["present"])
