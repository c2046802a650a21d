"""The archival deposit of the fixture book: a BagIt bag that bagit.py accepts, catalogue
records valid against their schemas, byte-identical zips, and ``verify`` naming any
file that was changed, removed or added."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import bagit
import pytest
from conftest import FIXTURES, ROOT, copy_fixture, run_build
from lxml import etree
from pypdf import PdfReader

from book.commands.build import Options, load_and_resolve
from book.commands.verify import verify
from book.publish.records import NS_DC, NS_MODS, mods

XSD = Path(__file__).resolve().parent / "data" / "xsd"
SCHEMA_FILES = {
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.loc.gov/mods/xml.xsd": "xml.xsd",
    "http://www.loc.gov/standards/xlink/xlink.xsd": "xlink.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
}
"""Where the schemas import each other from, and our copy of each (tests/data/xsd/README.txt)."""

SLUG = "the-test-book"
IDENTIFIER = "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016cb9e7a01"


class _Shipped(etree.Resolver):
    """Resolves schema imports to the copies in tests/data/xsd; anything else fails (no network)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def resolve(self, url, pubid, context):
        self.asked.append(url)
        if url in SCHEMA_FILES:
            return self.resolve_filename(str(XSD / SCHEMA_FILES[url]), context)
        return None


def load_schema(name: str) -> etree.XMLSchema:
    """An XSD from tests/data/xsd with every import served from there too, never fetched."""
    resolver = _Shipped()
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(resolver)
    schema = etree.XMLSchema(etree.parse(str(XSD / name), parser))
    remote = [u for u in resolver.asked if "://" in u]
    assert remote and set(remote) <= set(SCHEMA_FILES), resolver.asked
    return schema


def assert_valid(schema_name: str, document: Path) -> etree._ElementTree:
    schema = load_schema(schema_name)
    tree = etree.parse(str(document), etree.XMLParser(no_network=True))
    assert schema.validate(tree), f"{document.name}: {schema.error_log}"
    return tree


def bagit_cli(bag: Path) -> subprocess.CompletedProcess:
    """bagit.py's own command-line validator."""
    return subprocess.run([sys.executable, "-m", "bagit", "--validate", str(bag)],
                          capture_output=True, text=True, timeout=300)


def payload(bag: Path) -> list[str]:
    return sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file())


def flip_byte(path: Path) -> bytes:
    original = path.read_bytes()
    data = bytearray(original)
    middle = len(data) // 2
    data[middle] ^= 0x01
    path.write_bytes(bytes(data))
    return original


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """The fixture book's deposit, made once by the command line; returns the output folder."""
    tmp = tmp_path_factory.mktemp("deposit")
    book = copy_fixture("basic", tmp)
    out = tmp / "dist"
    proc = run_build("deposit", "--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def bag(made: Path) -> Path:
    return made / f"{SLUG}-deposit"


@pytest.fixture
def bag_copy(bag: Path, tmp_path: Path) -> Path:
    """A copy of the bag to damage."""
    return Path(shutil.copytree(bag, tmp_path / bag.name))


# ---------------------------------------------------------------- the package

def test_bag_layout(bag: Path, made: Path):
    assert (made / f"{SLUG}-deposit.zip").is_file()
    for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt",
                 "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        assert (bag / name).is_file(), name
    assert (bag / "bagit.txt").read_text() == "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    files = payload(bag)
    assert {f for f in files if f.startswith("data/editions/")} == {
        f"data/editions/{SLUG}-archival.pdf", f"data/editions/{SLUG}.pdf", f"data/editions/{SLUG}.epub",
        f"data/editions/{SLUG}-web.zip"}
    for source in ("book.yaml", "bibliography.yaml", "front/preface.md", "chapters/alpha.md", "chapters/beta.md",
                   "chapters/gamma.md", "images/square.png", "builder-templates/print/book.html",
                   "builder-templates/print/book.css", "builder-templates/ebook/chapter.xhtml",
                   "builder-templates/web/chapter.html"):
        assert f"data/sources/{source}" in files, source
    for rel in ("book.yaml", "chapters/beta.md", "images/square.png"):
        assert (bag / "data/sources" / rel).read_bytes() == (FIXTURES / "basic" / rel).read_bytes()
    for name in ("dc.xml", "mods.xml", "bibliography.json", "editions.json"):
        assert f"data/metadata/{name}" in files
    assert "data/README.txt" in files


def test_bag_info(bag: Path):
    info = bagit.Bag(str(bag)).info
    assert info["Source-Organization"] == "Fixture Press"
    assert info["Bagging-Date"] == "2021-11-26"
    assert info["External-Identifier"] == IDENTIFIER
    files = [bag / f for f in payload(bag)]
    assert info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in files)}.{len(files)}"
    assert info["Bag-Software-Agent"].startswith("bookbuilder ")


def test_bagit_validates_the_folder_and_the_zip(bag: Path, made: Path, tmp_path: Path):
    proc = bagit_cli(bag)
    assert proc.returncode == 0 and "is valid" in proc.stderr, proc.stderr
    assert bagit.Bag(str(bag)).validate(processes=1)
    with zipfile.ZipFile(made / f"{SLUG}-deposit.zip") as zf:
        names = zf.namelist()
        assert names == sorted(names) and all(n.startswith(f"{SLUG}-deposit/") for n in names)
        assert {i.date_time for i in zf.infolist()} == {(2021, 11, 26, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in zf.infolist() if not i.is_dir()} == {0o100644}
        zf.extractall(tmp_path)
    unzipped = tmp_path / f"{SLUG}-deposit"
    assert bagit_cli(unzipped).returncode == 0
    assert bagit.Bag(str(unzipped)).is_valid()


def test_manifests_cover_every_payload_file_with_both_algorithms(bag: Path):
    for alg in ("sha256", "sha512"):
        lines = (bag / f"manifest-{alg}.txt").read_text().splitlines()
        listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}
        assert sorted(listed) == payload(bag)
        for rel, digest in listed.items():
            assert hashlib.new(alg, (bag / rel).read_bytes()).hexdigest() == digest
        tags = {line.split(" ", 1)[1] for line in (bag / f"tagmanifest-{alg}.txt").read_text().splitlines()}
        assert tags == {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"}


def test_readme_names_every_file(bag: Path):
    readme = (bag / "data/README.txt").read_text(encoding="utf-8")
    for rel in payload(bag):
        assert rel.removeprefix("data/") in readme, rel
    assert "The Test Book: A Fixture in Two Parts" in readme and IDENTIFIER in readme
    assert all(len(line) <= 78 for line in readme.splitlines())


def test_editions_json(bag: Path):
    doc = json.loads((bag / "data/metadata/editions.json").read_text(encoding="utf-8"))
    assert doc["book"]["identifier"] == IDENTIFIER and doc["book"]["edition"] == "First edition"
    by_name = {e["name"]: e for e in doc["editions"]}
    assert [e["name"] for e in doc["editions"]] == ["archive", "pdf", "epub", "web"]
    for e in doc["editions"]:
        data = (bag / e["path"]).read_bytes()
        assert e["sha256"] == hashlib.sha256(data).hexdigest() and e["bytes"] == len(data)
    pdf = by_name["pdf"]
    assert (pdf["media_type"], pdf["format"], pdf["format_version"]) == ("application/pdf", "PDF", "1.7")
    assert pdf["pages"] == len(PdfReader(bag / pdf["path"]).pages)
    assert (by_name["epub"]["media_type"], by_name["epub"]["format_version"]) == ("application/epub+zip", "3.0")
    assert by_name["epub"]["documents"] > 4
    assert by_name["web"]["media_type"] == "application/zip" and by_name["web"]["documents"] >= 5
    assert by_name["archive"]["format"] == "PDF/A-3u"
    assert by_name["archive"]["pages"] == pdf["pages"]
    assert doc["built_with"]["weasyprint"].startswith("70.")
    # Every run-time dependency pyproject.toml declares, installed, and nothing the build does not use.
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.match(r"[\w.-]+", d).group(0).lower() for d in declared}
    assert set(doc["built_with"]) == names | {"bookbuilder", "python"}
    assert "not installed" not in doc["built_with"].values()


def test_web_edition_zip_opens_offline(bag: Path):
    with zipfile.ZipFile(bag / f"data/editions/{SLUG}-web.zip") as zf:
        names = zf.namelist()
        index = zf.read(f"{SLUG}-web/index.html").decode()
    assert f"{SLUG}-web/images/square.png" in names
    assert not any(n.rsplit("/", 1)[-1].startswith(".") for n in names)
    assert "The Test Book" in index
    assert not re.search(r'(?:src|href)="(?:https?:)?//', index)  # nothing fetched from elsewhere


def test_bibliography_as_csl_json(bag: Path):
    items = json.loads((bag / "data/metadata/bibliography.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in items][:2] == ["smith2001", "jones1999"]
    smith = items[0]
    assert smith["type"] == "book" and smith["author"] == [{"family": "Smith", "given": "John"}]
    assert smith["issued"] == {"date-parts": [[2001]]}


# ---------------------------------------------------------------- catalogue records

def test_dublin_core_is_valid_and_describes_the_book(bag: Path):
    tree = assert_valid("oai_dc.xsd", bag / "data/metadata/dc.xml")

    def dc(name: str) -> list[str]:
        return [el.text for el in tree.getroot().findall(f"{{{NS_DC}}}{name}")]

    assert dc("title") == ["The Test Book: A Fixture in Two Parts"]
    assert dc("creator") == ["Writer, Ada"]
    assert dc("publisher") == ["Fixture Press"]
    assert dc("date") == ["2021-11-26"]
    assert dc("language") == ["en"]
    assert dc("identifier") == [IDENTIFIER]
    assert dc("rights") == ["© 2021 Ada Writer. All rights reserved."]
    assert dc("subject") == ["Testing", "Typography"]
    assert dc("description") == ["A small book that exercises every feature of the builder."]
    assert dc("type") == ["Text"]
    assert "application/pdf" in dc("format") and "application/epub+zip" in dc("format")


def test_mods_is_valid_and_describes_the_book(bag: Path):
    tree = assert_valid("mods-3-6.xsd", bag / "data/metadata/mods.xml")
    ns = {"m": NS_MODS}
    root = tree.getroot()
    assert root.findtext("m:titleInfo/m:title", namespaces=ns) == "The Test Book"
    assert root.findtext("m:titleInfo/m:subTitle", namespaces=ns) == "A Fixture in Two Parts"
    name = root.find("m:name", ns)
    assert name.get("type") == "personal"
    assert [p.text for p in name.findall("m:namePart", ns)] == ["Writer", "Ada"]
    assert name.findtext("m:role/m:roleTerm[@type='code']", namespaces=ns) == "aut"
    assert root.findtext("m:originInfo/m:publisher", namespaces=ns) == "Fixture Press"
    assert root.findtext("m:originInfo/m:dateIssued", namespaces=ns) == "2021-11-26"
    assert root.findtext("m:originInfo/m:edition", namespaces=ns) == "First edition"
    assert root.findtext("m:language/m:languageTerm", namespaces=ns) == "en"
    assert root.findtext("m:identifier", namespaces=ns) == IDENTIFIER
    assert root.findtext("m:accessCondition", namespaces=ns) == "© 2021 Ada Writer. All rights reserved."
    assert [t.text for t in root.findall("m:subject/m:topic", ns)] == ["Testing", "Typography"]
    assert root.findtext("m:abstract", namespaces=ns).startswith("A small book")
    assert "Alpha Chapter Opens the Story of the Book -- Beta" in root.findtext("m:tableOfContents", namespaces=ns)
    pages = len(PdfReader(bag / f"data/editions/{SLUG}.pdf").pages)
    assert root.findtext("m:physicalDescription/m:extent", namespaces=ns) == f"{pages} pages"


def test_mods_roles_and_source_of_an_edited_book(tmp_path: Path):
    """Editors and translators keep their MARC relator roles; ``source:`` becomes the
    original the edition was made from. (The record alone: no editions need building.)"""
    book = copy_fixture("basic", tmp_path)
    yaml_text = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(yaml_text.replace(
        "publisher: Fixture Press",
        "editor: [Eve Editor]\ntranslator:\n  - name: Historical Society\n    file-as: Historical Society\n"
        "source: The Original Essay, 1999\npublisher: Fixture Press"), encoding="utf-8")
    ms = load_and_resolve(Options(book=book, out=tmp_path / "out"))
    record = tmp_path / "mods.xml"
    record.write_bytes(mods(ms, [], "bookbuilder test"))
    root = assert_valid("mods-3-6.xsd", record).getroot()
    ns = {"m": NS_MODS}
    roles = {n.findtext("m:displayForm", namespaces=ns): (n.get("type"), n.findtext("m:role/m:roleTerm[@type='code']", namespaces=ns))
             for n in root.findall("m:name", ns)}
    assert roles == {"Ada Writer": ("personal", "aut"), "Eve Editor": ("personal", "edt"),
                     "Historical Society": (None, "trl")}
    assert root.findtext("m:relatedItem[@type='original']/m:note", namespaces=ns) == "The Original Essay, 1999"


# ---------------------------------------------------------------- reproducible

def test_two_deposits_of_the_same_sources_are_byte_identical(made: Path, tmp_path: Path):
    """Another copy of the book, in another folder, another day: the same zip, byte for byte."""
    book = copy_fixture("basic", tmp_path / "elsewhere")
    out = tmp_path / "again"
    proc = run_build("deposit", "--book", str(book), "--out", str(out), env={"TZ": "Pacific/Kiritimati"})
    assert proc.returncode == 0, proc.stderr
    first = (made / f"{SLUG}-deposit.zip").read_bytes()
    second = (out / f"{SLUG}-deposit.zip").read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


# ---------------------------------------------------------------- verify

def test_verify_passes_and_rebuilds_byte_identical_editions(bag: Path, made: Path):
    proc = run_build("verify", str(bag))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "byte-identical" in proc.stdout
    assert "byte-identical: pdf, archive, epub, web" in proc.stdout
    proc = run_build("verify", str(made / f"{SLUG}-deposit.zip"), "--no-rebuild")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_verify_names_every_corrupted_payload_file(bag_copy: Path):
    """One flipped bit in any file of data/ is found, and the message names that file."""
    files = payload(bag_copy)
    assert len(files) > 20
    for rel in files:
        original = flip_byte(bag_copy / rel)
        report = verify(bag_copy, rebuild=False)
        (bag_copy / rel).write_bytes(original)
        assert [p.file for p in report.problems] == [rel], (rel, report.problems)
        assert "has changed" in report.problems[0].message
    assert verify(bag_copy, rebuild=False).ok


def test_verify_command_fails_naming_a_corrupted_file(bag_copy: Path):
    flip_byte(bag_copy / "data/sources/chapters/beta.md")
    proc = run_build("verify", str(bag_copy))
    assert proc.returncode == 1
    assert f"{bag_copy}/data/sources/chapters/beta.md: has changed" in proc.stdout
    assert "not as it was deposited" in proc.stderr


@pytest.mark.parametrize("rel", ["data/sources/chapters/gamma.md", f"data/editions/{SLUG}.epub",
                                 "data/metadata/mods.xml", "data/README.txt"])
def test_verify_names_a_deleted_file(bag_copy: Path, rel: str):
    (bag_copy / rel).unlink()
    proc = run_build("verify", str(bag_copy))
    assert proc.returncode == 1
    assert f"{bag_copy}/{rel}: is missing" in proc.stdout, proc.stdout


@pytest.mark.parametrize("rel", ["data/sources/chapters/delta.md", "data/editions/extra.pdf", "notes.txt"])
def test_verify_names_an_added_file(bag_copy: Path, rel: str):
    (bag_copy / rel).write_text("---\ntitle: Delta\n---\nAn added chapter.\n", encoding="utf-8")
    proc = run_build("verify", str(bag_copy))
    assert proc.returncode == 1
    assert f"{bag_copy}/{rel}: is not in the" in proc.stdout, proc.stdout


def test_verify_names_a_damaged_tag_file(bag_copy: Path):
    info = bag_copy / "bag-info.txt"
    info.write_text(info.read_text().replace("Fixture Press", "Fixture Pres"))
    report = verify(bag_copy, rebuild=False)
    assert [p.file for p in report.problems] == ["bag-info.txt"]


def test_verify_names_a_changed_file_inside_the_zip(made: Path, tmp_path: Path):
    """A zip whose member was replaced (with a valid CRC): the manifests catch it."""
    source = made / f"{SLUG}-deposit.zip"
    changed = tmp_path / source.name
    target = f"{SLUG}-deposit/data/sources/front/preface.md"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(changed, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(b"Preface", b"Prefact") if info.filename == target else data)
    proc = run_build("verify", str(changed))
    assert proc.returncode == 1
    assert f"{changed}: data/sources/front/preface.md: has changed" in proc.stdout, proc.stdout
    damaged = tmp_path / "damaged.zip"
    raw = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo(f"{SLUG}-deposit/data/metadata/editions.json")
    raw[info.header_offset + 30 + len(info.filename) + 10] ^= 0x01  # a byte of its compressed data
    damaged.write_bytes(bytes(raw))
    report = verify(damaged, rebuild=False)
    assert "data/metadata/editions.json" in [p.file for p in report.problems], report.problems


def test_verify_rebuild_catches_sources_that_no_longer_make_the_editions(bag_copy: Path):
    """Sources changed and the manifests made again to match: the checksums pass, the rebuild
    does not, and every edition that comes out different is named."""
    chapter = bag_copy / "data/sources/chapters/gamma.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA sentence the editions never had.\n",
                       encoding="utf-8")
    bagit.Bag(str(bag_copy)).save(manifests=True)
    assert bagit.Bag(str(bag_copy)).is_valid()
    proc = run_build("verify", str(bag_copy))
    assert proc.returncode == 1, proc.stdout
    for edition in (f"{SLUG}.pdf", f"{SLUG}-archival.pdf", f"{SLUG}.epub", f"{SLUG}-web.zip"):
        assert f"{bag_copy}/data/editions/{edition}: differs from the edition rebuilt" in proc.stdout, proc.stdout


def test_verify_renders_a_deposits_templates_sandboxed(bag_copy: Path, tmp_path: Path):
    """A deposit may come from anywhere, and its manifests are only checksums: templates that
    reach for Python's internals are refused at their line, and what they asked for never runs."""
    marker = tmp_path / "the-template-ran-a-command"
    template = bag_copy / "data/sources/builder-templates/print/book.html"
    template.write_text(template.read_text(encoding="utf-8") + "{{ cycler.__init__.__globals__.os.system("
                        f"'touch {marker}') }}}}\n", encoding="utf-8")
    bagit.Bag(str(bag_copy)).save(manifests=True)
    assert bagit.Bag(str(bag_copy)).is_valid()
    proc = run_build("verify", str(bag_copy))
    assert proc.returncode == 1, proc.stdout
    assert not marker.exists()
    assert re.search(r"data/sources/builder-templates/print/book\.html:\d+: error: the template does what a template "
                     r"may not: access to attribute '__init__' of 'type' object is unsafe", proc.stdout), proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_verify_refuses_what_is_not_a_deposit(tmp_path: Path):
    (tmp_path / "loose.txt").write_text("hello")
    assert run_build("verify", str(tmp_path / "loose.txt")).returncode == 1
    assert run_build("verify", str(tmp_path / "missing.zip")).returncode == 1
    proc = run_build("verify", str(tmp_path))
    assert proc.returncode == 1 and "bagit.txt: is missing" in proc.stdout


# ---------------------------------------------------------------- archival PDF

def test_verify_an_archival_pdf_rebuilds_it_from_its_embedded_sources(bag: Path):
    proc = run_build("verify", str(bag / f"data/editions/{SLUG}-archival.pdf"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "embedded source files extracted" in proc.stdout
    assert "rebuilt from its embedded sources, byte-identical" in proc.stdout


def test_verify_refuses_a_pdf_without_sources(bag: Path):
    proc = run_build("verify", str(bag / f"data/editions/{SLUG}.pdf"))
    assert proc.returncode == 1
    assert "carries no source manifest" in proc.stdout


def test_a_deposit_built_with_source_date_epoch_records_it_and_verifies(made: Path, tmp_path: Path):
    """SOURCE_DATE_EPOCH (reproducible-builds.org) overrides the book's date in the editions;
    the deposit says so in editions.json and verify rebuilds with it."""
    book = copy_fixture("basic", tmp_path)
    out = tmp_path / "dist"
    proc = run_build("deposit", "--book", str(book), "--out", str(out), env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert proc.returncode == 0, proc.stderr
    bag = out / f"{SLUG}-deposit"
    assert json.loads((bag / "data/metadata/editions.json").read_text())["source_date_epoch"] == "1700000000"
    assert (bag / f"data/editions/{SLUG}.epub").read_bytes() != (made / f"{SLUG}-deposit/data/editions/{SLUG}.epub").read_bytes()
    proc = run_build("verify", str(bag))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_book_with_errors_makes_no_deposit(tmp_path: Path):
    book = copy_fixture("basic", tmp_path)
    (book / "chapters/beta.md").unlink()
    out = tmp_path / "dist"
    proc = run_build("deposit", "--book", str(book), "--out", str(out))
    assert proc.returncode == 1
    assert "chapters/beta.md" in proc.stderr and "no deposit was written" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (out / f"{SLUG}-deposit").exists() and not (out / f"{SLUG}-deposit.zip").exists()
