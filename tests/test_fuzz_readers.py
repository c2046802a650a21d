"""Property tests of the other readers: whatever a file holds, they read it or say what is wrong.

CSL-JSON and CSL-YAML bibliographies, SVG pictures (refused, or rebuilt into a picture
that holds only what the allow-lists name), the smart-quotes rule (the same results as
markdown-it's, in linear time), ``extract`` on archival PDFs carrying anything at all,
``verify`` on zips and bags made of anything at all, and the cmap reader on fonts whose
tables say anything at all. Any exception but
:class:`~book.errors.BookError` (or the reader's own refusal) is a bug. ``make test``
runs the same examples every time, ``make fuzz`` searches at random (:mod:`fuzzing`).
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from fuzzing import fuzzed
from hypothesis import example, given
from hypothesis import strategies as st
from lxml import etree

from book import svg
from book.errors import BookError
from book.resolve.cite.sources import parse_source

# ------------------------------------------------------------- bibliographies

JSON_PIECES = ["[", "]", "{", "}", ",", ":", '"id"', '"type"', '"book"', '"title"', '"issued"', '"author"',
               '"family"', '"date-parts"', '"x"', '"\\u001b"', '"\\ud83d"', '"\\ud83d\\ude00"', '"&#12;"', "1",
               "-3", "1e400", "null", "true", " ", "\n", '"references"', "[" * 70, "]" * 70, '"\\', '"']


@fuzzed(200)
@example(text='[{"id": "a", "type": "book", "title": "\\u001b"}]')
@example(text="[" * 100_000 + "]" * 100_000)
@given(text=st.lists(st.one_of(st.sampled_from(JSON_PIECES), st.text(max_size=6)), max_size=40).map("".join))
def test_csl_json_reads_or_reports(text: str):
    try:
        parse_source(Path("refs.json"), text)
    except BookError as exc:
        assert exc.file == Path("refs.json") and exc.line >= 1, exc.format()


YAML_PIECES = ["references:", "\n", "  - ", "- ", "id: a", "type: book", "title: ", "issued: ", '"\\e"', '"\\ud83d"',
               '"\\ud83d\\ude00"', "&#12;", "[", "]", "{", "}", "&a ", "*a", ": ", "'", '"', "date-parts: [[2001]]",
               "[" * 70, "]" * 70, "  " * 40 + "- x\n", "!!python/object:os.system", "<<: *a", "\t"]


@fuzzed(200)
@example(text='references:\n  - id: a\n    type: book\n    issued: "\\e"\n')
@example(text="references:\n" + "".join("  " * i + "- \n" for i in range(300)))
@given(text=st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=6)), max_size=40).map("".join))
def test_csl_yaml_reads_or_reports(text: str):
    try:
        parse_source(Path("refs.yaml"), text)
    except BookError as exc:
        assert exc.file == Path("refs.yaml") and exc.line >= 1, exc.format()


# ------------------------------------------------------------- SVG

SVG_PIECES = ["<rect width='1' height='1'/>", "<g>", "</g>", "<text>", "</text>", "hi", "&amp;", "&x;", "&#12;",
              "<script>alert(1)</script>", "<foreignObject/>", "<a href='#x'>", "</a>", "<set to='x'/>",
              "<style>", "</style>", "@import 'x.css';", "@\\69mport 'x';", "a{fill:u\\72l(x.png)}",
              "b{fill:url(#g)}", "/**/", "<image href='x.png'/>", "<image xlink:href='#i'/>", "<use href='#g'/>",
              "<linearGradient id='g'/>", " onload='x'", "<h:script xmlns:h='http://www.w3.org/1999/xhtml'/>",
              "<metadata><x/></metadata>", "<i:x xmlns:i='urn:x' style='fill:url(x)'/>", "<!-- c -->",
              "<?xml-stylesheet href='x.css'?>", "<![CDATA[<script>]]>", "<g style='fill:url(&quot;x&quot;)'>",
              "<g fill='url(#g)'>", "<rect onclick='x'/>", "<g>" * 70, "</g>" * 70]


def _svg_document(body: str, head: str, encoding: str) -> bytes:
    text = f'{head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{body}</svg>'
    return text.encode(encoding)


@fuzzed(300)
@example(body="&x;", head='<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE svg [<!ENTITY x "y">]>',
         encoding="utf-16")
@example(body="<style>@\\69mport 'http://127.0.0.1:9/x.css';</style>", head="", encoding="utf-8")
@given(body=st.lists(st.one_of(st.sampled_from(SVG_PIECES), st.text(max_size=4)), max_size=30).map("".join),
       head=st.sampled_from(["", '<?xml version="1.0"?>', '<!DOCTYPE svg SYSTEM "http://127.0.0.1:9/x.dtd">',
                             '<!DOCTYPE svg [<!ENTITY x "y">]>', '<?xml version="1.0" encoding="UTF-16"?>']),
       encoding=st.sampled_from(["utf-8", "utf-16"]))
def test_svg_is_refused_or_rebuilt_into_a_plain_picture(body: str, head: str, encoding: str):
    try:
        data = _svg_document(body, head, encoding)
    except UnicodeEncodeError:
        return
    try:
        rebuilt = svg.rebuild(data)
    except svg.Refused:
        return
    root = etree.fromstring(rebuilt, etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True))
    assert b"<!DOCTYPE" not in rebuilt and b"<?xml-stylesheet" not in rebuilt and b"<!--" not in rebuilt
    for element in root.iter():
        assert isinstance(element.tag, str), rebuilt  # no entity, comment or instruction is kept
        qname = etree.QName(element)
        assert qname.namespace == svg.SVG_NS and (qname.localname in svg.ELEMENTS or element is root), rebuilt
        for name, value in element.attrib.items():
            assert name in svg.ATTRIBUTES or name in svg.NAMESPACED, (name, rebuilt)
            if etree.QName(name).localname == "href":
                assert value.strip().startswith("#"), rebuilt
            assert not svg.css_problem(value), rebuilt
        if qname.localname == "style":
            assert not svg.css_problem(element.text or ""), rebuilt
    assert svg.rebuild(rebuilt) == rebuilt  # a rebuilt picture is its own rebuild


# ------------------------------------------------------------- smart quotes

QUOTE_PIECES = ["'", '"', " ", "a", "1", "*", "_", "**", "`", "[", "]", "(x)", "\n", "\n\n", "-", ".", "«", "\u00a0",
                "<b>", "</b>", "[@smith2001]", "^[n]", "[^1]", "[^1]: note\n", "é", "''", '""', "'s", " '", "' ",
                "~~", "\\'", '\\"', "&quot;", "&#39;", "`'`", "![a'b](x.png)", "> ", "- "]


@fuzzed(300)
@example(text='"a" \'b\' 1"" it\'s', lang="fr")
@given(text=st.lists(st.sampled_from(QUOTE_PIECES), max_size=40).map("".join), lang=st.sampled_from(["en", "fr", "de"]))
def test_smart_quotes_are_markdown_its(text: str, lang: str):
    """Our linear rule gives markdown-it's own results, for every language's quotes."""
    from markdown_it.rules_core.smartquotes import smartquotes as theirs

    from book.resolve.markdown import parser

    ours = parser(lang)
    reference = copy.copy(ours)
    reference.core = copy.deepcopy(ours.core)
    reference.core.ruler.at("smartquotes", theirs)

    def texts(md) -> list:  # what smart quotes change: the text of every token and its children
        return [(t.type, t.content, [(c.type, c.content) for c in t.children or ()]) for t in md.parse(text, {})]
    assert texts(ours) == texts(reference)


# ------------------------------------------------------------- extract

NAME_PIECES = ["a", "b.md", "..", ".", "/", "zz", "zz/x", "\\", "c:", "\x1b", "é", "x" * 300, "", "manifest.json"]


def _archival_pdf(names: list[str], manifest: bytes) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    for i, name in enumerate(names):
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, f"file {i}".encode())
    pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(pdf, manifest)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _manifest(names: list[str], shape: str) -> bytes:
    import hashlib

    files = [{"path": n, "bytes": len(f"file {i}"), "sha256": hashlib.sha256(f"file {i}".encode()).hexdigest()}
             for i, n in enumerate(names)]
    forms = {"good": {"format": "bookbuilder-sources/1", "files": files},
             "int-path": {"format": "bookbuilder-sources/1", "files": [dict(f, path=5) for f in files]},
             "no-files": {"format": "bookbuilder-sources/1"},
             "list": [files]}
    if shape == "deep":
        return b"[" * 100_000 + b"]" * 100_000
    if shape == "not-utf8":
        return b"\xff\xfe"
    return json.dumps(forms[shape]).encode()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("readers")


@fuzzed(60)
@example(names=["zz", "zz/x"], shape="good")
@example(names=["a"], shape="deep")
@example(names=["a"], shape="int-path")
@given(names=st.lists(st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=3).map("".join),
                      max_size=4, unique=True),
       shape=st.sampled_from(["good", "int-path", "no-files", "list", "deep", "not-utf8"]))
def test_extract_restores_or_reports(scratch: Path, names: list[str], shape: str):
    from book.publish.archive import extract

    names = [n for n in names if n != "manifest.json"]
    try:
        pdf_bytes = _archival_pdf(names, _manifest(names, shape))
    except Exception:  # noqa: BLE001 - pikepdf refuses to make such a PDF: nothing to test
        return
    work = Path(tempfile.mkdtemp(dir=scratch))
    try:
        (work / "in.pdf").write_bytes(pdf_bytes)
        try:
            written = extract(work / "in.pdf", work / "out" / "dest")
        except BookError:
            written = []
        for path in written:
            assert path.resolve().is_relative_to((work / "out" / "dest").resolve())
        for path in (work / "out").rglob("*"):  # nothing beside the destination
            assert path == work / "out" / "dest" or path.is_relative_to(work / "out" / "dest"), path
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------- font cmaps

def _fonts() -> list[bytes]:
    """A book's own font (cmap format 4), and one with code points beyond the BMP (4 and 12)."""
    from test_font_cmap import built_font

    own = (Path(__file__).resolve().parent / "fixtures" / "themed" / "fonts" / "ThemedSans-SemiBold.ttf").read_bytes()
    return [own, built_font({0x41: 1, 0x42: 2, 0x5D0: 3, 0x1F600: 4, 0x1F601: 5, 0x10FFFD: 6}, 7)]


FONTS = _fonts()


@fuzzed(200)
@given(st.sampled_from(FONTS),
       st.lists(st.tuples(st.integers(0, 1 << 20), st.binary(min_size=1, max_size=8)), max_size=12),
       st.sampled_from(["cmap", "directory", "header"]))
def test_the_cmap_reader_reads_any_font_or_refuses_it(font, patches, where):
    """A book's font with its cmap table, its table directory or its header overwritten anywhere:
    the reader gives code points (Unicode's), leaves the font to fontTools (None), or refuses it
    (ValueError, struct.error), without reading past the file or allocating what it claims."""
    import struct

    from test_font_cmap import cmap_table

    from book.fonts import sfnt_cmap

    data = bytearray(font)
    start, length = {"cmap": cmap_table(font), "directory": (0, 12 + 16 * 20), "header": (0, 12)}[where]
    for at, piece in patches:
        at = start + at % length
        data[at:at + len(piece)] = piece
    try:
        found = sfnt_cmap(io.BytesIO(bytes(data)))
    except (ValueError, struct.error):
        return
    assert found is None or all(0 <= code <= 0x10FFFF for code in found)


# ------------------------------------------------------------- verify

ENTRY_PIECES = ["bag/", "bag/bagit.txt", "bag/data/", "bag/data/a", "bag/data/a/b", "../x", "/abs", "bag/../x",
                "bag\\x", "bag/data/\x1b", "other/", "bag/" + "y" * 300, "bag/manifest-sha256.txt"]


@pytest.mark.filterwarnings("ignore:Duplicate name")
@fuzzed(100)
@example(entries=[("bag/bagit.txt", 0, False), ("bag/data/a", 0, False), ("bag/data/a/b", 0, False)])
@given(entries=st.lists(st.tuples(st.sampled_from(ENTRY_PIECES), st.integers(0, 3), st.booleans()), max_size=8))
def test_verify_unpacks_a_zip_or_reports(scratch: Path, entries):
    """Any zip: verify reports, and nothing is written outside the folder it unpacks into."""
    from book.commands.verify import verify
    from book.publish.deposit import unpack_zip

    work = Path(tempfile.mkdtemp(dir=scratch))
    try:
        archive = work / "in.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for name, size, link in entries:
                info = zipfile.ZipInfo(name)
                if link:
                    info.external_attr = 0o120777 << 16
                zf.writestr(info, b"x" * size)
        unpack_zip(archive, work / "dest")
        for path in work.rglob("*"):
            assert path in (archive, work / "dest") or path.is_relative_to(work / "dest"), path
        report = verify(archive, rebuild=False)
        assert not report.ok or report.checked
    finally:
        shutil.rmtree(work, ignore_errors=True)


BAG_CHANGES = ["manifest-line", "manifest-garbage", "editions-deep", "editions-escape", "editions-types",
               "extra-file", "missing-file", "tag-not-utf8", "link"]


@pytest.fixture(scope="module")
def small_bag(scratch: Path) -> Path:
    """A tiny bag shaped like a deposit (no editions to rebuild: verify runs without --rebuild)."""
    import bagit

    bag = scratch / "small-bag"
    (bag / "metadata").mkdir(parents=True)
    (bag / "editions").mkdir()
    (bag / "sources").mkdir()
    (bag / "sources/book.yaml").write_text("title: x\n")
    (bag / "sources/builder-templates").mkdir()
    (bag / "editions/x.pdf").write_bytes(b"%PDF-1.7\n")
    import hashlib
    (bag / "metadata/editions.json").write_text(json.dumps({"editions": [
        {"name": "pdf", "path": "data/editions/x.pdf", "sha256": hashlib.sha256(b"%PDF-1.7\n").hexdigest()}]}))
    bagit.make_bag(str(bag), bag_info={"External-Identifier": "x", "Bagging-Date": "2021-11-26"},
                   checksums=["sha256", "sha512"])
    return bag


@fuzzed(60)
@given(changes=st.lists(st.sampled_from(BAG_CHANGES), max_size=3, unique=True))
def test_verify_a_changed_bag_reports(scratch: Path, small_bag: Path, changes: list[str]):
    from book.commands.verify import verify

    work = Path(tempfile.mkdtemp(dir=scratch))
    try:
        bag = work / "bag"
        shutil.copytree(small_bag, bag, symlinks=True)
        editions = bag / "data/metadata/editions.json"
        for change in changes:
            if change == "manifest-line":
                with (bag / "manifest-sha256.txt").open("a") as fh:
                    fh.write("0" * 64 + "  data/../../../etc/passwd\n")
            elif change == "manifest-garbage":
                (bag / "manifest-sha512.txt").write_bytes(b"\xff\xfe garbage\n")
            elif change == "editions-deep":
                editions.write_text("[" * 100_000 + "]" * 100_000)
            elif change == "editions-escape":
                editions.write_text(json.dumps({"editions": [{"name": "pdf", "path": "data/../../x", "sha256": "0"}]}))
            elif change == "editions-types":
                editions.write_text(json.dumps({"editions": [{"name": 1, "path": 2}]}))
            elif change == "extra-file":
                (bag / "data/sources/extra.md").write_text("x")
            elif change == "missing-file":
                (bag / "data/sources/book.yaml").unlink(missing_ok=True)
            elif change == "tag-not-utf8":
                (bag / "bag-info.txt").write_bytes(b"Bagging-Date: \xff\n")
            elif change == "link":
                (bag / "data/sources/link.md").symlink_to("/etc/passwd")
        report = verify(bag, rebuild=False)
        assert report.ok == (not changes), report.problems
    finally:
        shutil.rmtree(work, ignore_errors=True)
