"""The deposit of the sample book (content/): made once, accepted by bagit.py, its
catalogue records valid and faithful to book.yaml, and rebuilt byte-identical by verify."""

from __future__ import annotations

import json
from pathlib import Path

import bagit
import pytest
import yaml
from conftest import ROOT, run_build
from lxml import etree
from test_deposit import assert_valid, bagit_cli, payload

from book.publish.records import NS_DC, NS_MODS

SLUG = "world-war-ii-diplomacy"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """The sample book's deposit, made once for this module; returns the output folder."""
    out = tmp_path_factory.mktemp("sample-deposit") / "dist"
    proc = run_build("deposit", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def bag(made: Path) -> Path:
    return made / f"{SLUG}-deposit"


@pytest.fixture(scope="module")
def book_yaml() -> dict:
    return yaml.safe_load((ROOT / "content/book.yaml").read_text(encoding="utf-8"))


def test_bagit_accepts_the_sample_deposit(bag: Path):
    proc = bagit_cli(bag)
    assert proc.returncode == 0 and "is valid" in proc.stderr, proc.stderr
    loaded = bagit.Bag(str(bag))
    assert loaded.validate()
    assert loaded.info["External-Identifier"] == "urn:uuid:3f348c32-c726-4299-aa1c-05c6c76a654c"
    assert loaded.info["Bagging-Date"] == "2021-11-26"
    assert loaded.info["Source-Organization"] == "Historical Boys' Clothing"


def test_every_chapter_and_the_word_list_are_in_the_sources(bag: Path, book_yaml: dict):
    files = set(payload(bag))
    chapters = list(book_yaml["front"])
    for item in book_yaml["chapters"]:
        chapters += item["chapters"] if isinstance(item, dict) else [item]
    for rel in ["book.yaml", "bibliography.yaml", "words.txt", *chapters]:
        assert f"data/sources/{rel}" in files, rel
        assert (bag / "data/sources" / rel).read_bytes() == (ROOT / "content" / rel).read_bytes()
    editions = {f.rsplit("/", 1)[1] for f in files if f.startswith("data/editions/")}
    assert editions == {f"{SLUG}-archival.pdf", f"{SLUG}.pdf", f"{SLUG}.epub", f"{SLUG}-web.zip"}


def test_dublin_core_of_the_sample_book(bag: Path, book_yaml: dict):
    root = assert_valid("oai_dc.xsd", bag / "data/metadata/dc.xml").getroot()

    def dc(name: str) -> list[str]:
        return [el.text for el in root.findall(f"{{{NS_DC}}}{name}")]

    assert dc("title") == ["World War II Diplomacy: The Soviet Union"]
    assert dc("creator") == ["Historical Boys' Clothing"]
    assert dc("subject") == book_yaml["subject"]
    assert dc("source") == [book_yaml["source"]]
    assert dc("rights") == [book_yaml["rights"]]
    assert dc("description") == [book_yaml["description"]]
    assert dc("identifier") == [book_yaml["identifier"]]
    assert root.find(f"{{{NS_DC}}}title").get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_mods_of_the_sample_book(bag: Path, book_yaml: dict):
    root = assert_valid("mods-3-6.xsd", bag / "data/metadata/mods.xml").getroot()
    ns = {"m": NS_MODS}
    assert root.findtext("m:titleInfo/m:subTitle", namespaces=ns) == "The Soviet Union"
    name = root.find("m:name", ns)
    assert name.get("type") is None  # an organisation, not a person: no inverted form in book.yaml
    assert name.findtext("m:namePart", namespaces=ns) == "Historical Boys' Clothing"
    assert name.findtext("m:role/m:roleTerm[@type='text']", namespaces=ns) == "author"
    assert root.findtext("m:relatedItem[@type='original']/m:note", namespaces=ns) == book_yaml["source"]
    assert [t.text for t in root.findall("m:subject/m:topic", ns)] == book_yaml["subject"]
    contents = root.findtext("m:tableOfContents", namespaces=ns)
    titles = len(book_yaml["front"]) + sum(1 + len(i["chapters"]) if isinstance(i, dict) else 1
                                           for i in book_yaml["chapters"])
    assert contents.count(" -- ") == titles - 1 and "Munich" in contents
    editions = json.loads((bag / "data/metadata/editions.json").read_text(encoding="utf-8"))["editions"]
    pdf = next(e for e in editions if e["name"] == "pdf")
    assert root.findtext("m:physicalDescription/m:extent", namespaces=ns) == f"{pdf['pages']} pages"
    assert etree.tostring(root).count(b"internetMediaType") == 2 * len({e["media_type"] for e in editions})


def test_bibliography_json_holds_every_reference(bag: Path):
    items = json.loads((bag / "data/metadata/bibliography.json").read_text(encoding="utf-8"))
    source = yaml.safe_load((ROOT / "content/bibliography.yaml").read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == [r["id"] for r in source["references"]]
    assert all(i["type"] for i in items)


def test_verify_rebuilds_the_sample_book_byte_identical(made: Path):
    proc = run_build("verify", str(made / f"{SLUG}-deposit.zip"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rebuilt from data/sources/, byte-identical: pdf, archive, epub, web" in proc.stdout
