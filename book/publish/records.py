"""Descriptive metadata for libraries, generated from book.yaml.

A preservation system catalogues what it ingests from records it can read
without our tool: a Dublin Core record in the OAI-PMH ``oai_dc`` container
(what every repository harvests), a MODS 3.6 record (the Library of
Congress schema, which says who did what with MARC relator codes), the
bibliography as CSL-JSON (what Zotero and citeproc read) and a JSON list of
the editions with their formats and checksums. Every value comes from the
:class:`~book.model.Manuscript`; nothing is dated by the clock, so the same
book gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lxml import etree

from ..model import Manuscript, Metadata, Person, ResolvedPart
from .editions import EDITIONS

NS_OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_MODS = "http://www.loc.gov/mods/v3"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
MODS_VERSION = "3.6"
MODS_SCHEMA = "http://www.loc.gov/standards/mods/v3/mods-3-6.xsd"

RELATORS = {"aut": "author", "edt": "editor", "trl": "translator", "ill": "illustrator"}
"""MARC relator codes the builder knows (book.yaml's author, editor, translator, illustrator) and their terms."""


@dataclass(frozen=True)
class EditionFile:
    """One file of ``data/editions/``, as a catalogue describes it."""

    name: str
    """The builder's edition name: ``archive``, ``pdf``, ``epub`` or ``web``."""
    label: str
    """What a reader calls it: "Print edition"."""
    path: str
    """Its path in the deposit, from the bag's top: ``data/editions/…``."""
    media_type: str
    format: str
    """The format by name: ``PDF/A-3u``, ``PDF``, ``EPUB``, ``HTML``."""
    format_version: str
    """The version the file declares: PDF header, EPUB package version, ``5`` for HTML."""
    pages: int | None
    """Pages of a PDF; None for reflowable editions."""
    documents: int | None
    """Content documents of an EPUB or HTML pages of the web edition; None for a PDF."""
    bytes: int
    sha256: str


# ------------------------------------------------------------ the editions

def describe_edition(name: str, path: Path, rel: str) -> EditionFile:
    """Read a built edition file and say what it is (format, version, extent, checksum)."""
    data = path.read_bytes()
    pages = documents = None
    if path.suffix == ".pdf":
        media, fmt, version, pages = "application/pdf", *_pdf_facts(path, data)
    elif path.suffix == ".epub":
        media, fmt, (version, documents) = "application/epub+zip", "EPUB", _epub_facts(path)
    else:
        media, fmt, version = "application/zip", "HTML", "5"
        with zipfile.ZipFile(path) as z:
            documents = sum(1 for n in z.namelist() if n.endswith(".html"))
    return EditionFile(name=name, label=EDITIONS[name].label if name in EDITIONS else name, path=rel, media_type=media, format=fmt,
                   format_version=version, pages=pages, documents=documents, bytes=len(data),
                   sha256=hashlib.sha256(data).hexdigest())


def _pdf_facts(path: Path, data: bytes) -> tuple[str, str, int]:
    """``(format, version, pages)``: PDF/A-3u when its XMP says so, else plain PDF."""
    import pypdf

    version = re.match(rb"%PDF-(\d\.\d)", data)
    reader = pypdf.PdfReader(path)
    fmt = "PDF"
    meta = reader.trailer["/Root"].get("/Metadata")
    if meta is not None:
        xmp = meta.get_object().get_data().decode("utf-8", "replace")
        part = re.search(r"pdfaid:part(?:>|=\")\s*(\d)", xmp)
        level = re.search(r"pdfaid:conformance(?:>|=\")\s*([A-Za-z])", xmp)
        if part:
            fmt = f"PDF/A-{part.group(1)}{level.group(1).lower() if level else ''}"
    return fmt, version.group(1).decode() if version else "", len(reader.pages)


def _epub_facts(path: Path) -> tuple[str, int]:
    """``(package version, spine documents)`` from the EPUB's package document."""
    with zipfile.ZipFile(path) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_name = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile").get("full-path")
        opf = etree.fromstring(z.read(opf_name))
    spine = opf.findall("{http://www.idpf.org/2007/opf}spine/{http://www.idpf.org/2007/opf}itemref")
    return opf.get("version", ""), len(spine)


def editions_json(meta: Metadata, editions: list[EditionFile], built_with: dict[str, str],
                  source_date_epoch: str | None = None) -> bytes:
    """``editions.json``: what each edition file is and how to check it, for machines.
    ``source_date_epoch`` is the SOURCE_DATE_EPOCH the editions were built with (null: none,
    so they carry the book's date), which a byte-identical rebuild needs too."""
    doc = {
        "book": {"identifier": meta.identifier, "title": full_title(meta), "edition": meta.edition,
                 "date": meta.date},
        "editions": [asdict(e) for e in editions],
        "built_with": built_with,
        "source_date_epoch": source_date_epoch,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ------------------------------------------------------------ bibliography

def csl_json(ms: Manuscript) -> bytes:
    """The book's bibliography as one CSL-JSON array, in bibliography-file order."""
    from ..resolve.cite.bibliography import load_bibliography

    if not ms.meta.bibliography:
        return b"[]\n"
    entries = [_thaw(e.data) for e in load_bibliography(list(ms.meta.bibliography)).entries]
    return (json.dumps(entries, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _thaw(value: Any) -> Any:
    """Plain dicts and lists from the bibliography's read-only mappings and tuples."""
    if isinstance(value, (dict, MappingProxyType)):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return value


# ------------------------------------------------------------ Dublin Core

def full_title(meta: Metadata) -> str:
    return f"{meta.title}: {meta.subtitle}" if meta.subtitle else meta.title


def dublin_core(meta: Metadata, editions: list[EditionFile]) -> bytes:
    """Simple Dublin Core in the OAI-PMH ``oai_dc`` container.

    Simple DC has no roles: authors are creators, everyone else a contributor,
    each in the inverted form catalogues file under.
    """
    root = etree.Element(f"{{{NS_OAI_DC}}}dc", nsmap={"oai_dc": NS_OAI_DC, "dc": NS_DC, "xsi": NS_XSI})
    root.set(f"{{{NS_XSI}}}schemaLocation", f"{NS_OAI_DC} {OAI_DC_SCHEMA}")

    def dc(name: str, text: str, lang: bool = False) -> None:
        if text:
            el = etree.SubElement(root, f"{{{NS_DC}}}{name}")
            el.text = text
            if lang:
                el.set(XML_LANG, meta.lang)

    dc("title", full_title(meta), lang=True)
    for person in meta.creators:
        dc("creator" if person.role == "aut" else "contributor", person.file_as)
    for subject in meta.subjects:
        dc("subject", subject, lang=True)
    dc("description", meta.description, lang=True)
    dc("publisher", meta.publisher)
    dc("date", meta.date)
    dc("type", "Text")
    for media in dict.fromkeys(e.media_type for e in editions):
        dc("format", media)
    dc("identifier", meta.identifier)
    dc("identifier", meta.url)
    dc("source", meta.source, lang=True)
    dc("language", meta.lang)
    dc("rights", meta.rights, lang=True)
    return _serialise(root)


# ------------------------------------------------------------ MODS

def mods(ms: Manuscript, editions: list[EditionFile], generator: str) -> bytes:
    """A MODS 3.6 record of the book: names with MARC relator roles, origin, subjects,
    contents, the source it was edited from, its editions' media types and extent."""
    meta = ms.meta
    root = etree.Element(f"{{{NS_MODS}}}mods", nsmap={None: NS_MODS, "xsi": NS_XSI})
    root.set("version", MODS_VERSION)
    root.set(f"{{{NS_XSI}}}schemaLocation", f"{NS_MODS} {MODS_SCHEMA}")

    def sub(parent: etree._Element, name: str, text: str = "", **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, f"{{{NS_MODS}}}{name}", {k.replace("_", ""): v for k, v in attrs.items()})
        if text:
            el.text = text
        return el

    title = sub(root, "titleInfo", lang=meta.lang)
    sub(title, "title", meta.title)
    if meta.subtitle:
        sub(title, "subTitle", meta.subtitle)
    for person in meta.creators:
        _mods_name(sub, root, person)
    sub(root, "typeOfResource", "text")
    sub(root, "genre", "book", authority="marcgt")

    origin = sub(root, "originInfo", eventType="publication")
    if meta.publisher:
        sub(origin, "publisher", meta.publisher)
    sub(origin, "dateIssued", meta.date, encoding="w3cdtf", keyDate="yes")
    if meta.edition:
        sub(origin, "edition", meta.edition)
    sub(origin, "issuance", "monographic")

    language = sub(root, "language")
    sub(language, "languageTerm", meta.lang, type="code", authority="rfc5646")

    physical = sub(root, "physicalDescription")
    sub(physical, "form", "electronic", authority="marcform")
    for media in dict.fromkeys(e.media_type for e in editions):
        sub(physical, "internetMediaType", media)
    pages = next((e.pages for e in editions if e.name == "pdf" and e.pages), None)
    if pages:
        sub(physical, "extent", f"{pages} pages")
    sub(physical, "digitalOrigin", "born digital")

    if meta.description:
        sub(root, "abstract", meta.description, lang=meta.lang)
    contents = _contents(ms)
    if contents:
        sub(root, "tableOfContents", contents, lang=meta.lang)
    for subject in meta.subjects:
        sub(sub(root, "subject", lang=meta.lang), "topic", subject)
    if meta.source:
        # What this edition was edited from: MODS's "original" relation; the
        # source is a free-text citation in book.yaml, so it is kept as a note
        # rather than forced into a title.
        original = sub(root, "relatedItem", type="original", displayLabel="Edited from")
        sub(original, "note", meta.source)
    sub(root, "identifier", meta.identifier, type=_identifier_type(meta.identifier))
    if meta.url:
        location = sub(root, "location")
        sub(location, "url", meta.url, usage="primary display")
    if meta.rights:
        sub(root, "accessCondition", meta.rights, type="use and reproduction")

    record = sub(root, "recordInfo")
    if meta.publisher:
        sub(record, "recordContentSource", meta.publisher)
    sub(record, "recordCreationDate", meta.date, encoding="w3cdtf")
    sub(record, "recordIdentifier", meta.identifier)
    sub(record, "recordOrigin", f"Generated from book.yaml by {generator}")
    return _serialise(root)


def _mods_name(sub, root: etree._Element, person: Person) -> None:
    """A ``<name>``: personal when book.yaml gives an inverted "Family, Given" form;
    otherwise the type is left out (it may be an organisation)."""
    attrs = {}
    family, sep, given = person.file_as.partition(", ")
    personal = bool(sep) and person.file_as != person.name
    if personal:
        attrs["type"] = "personal"
    name = sub(root, "name", **attrs)
    if personal:
        sub(name, "namePart", family, type="family")
        sub(name, "namePart", given, type="given")
    else:
        sub(name, "namePart", person.name)
    sub(name, "displayForm", person.name)
    role = sub(name, "role")
    sub(role, "roleTerm", person.role, type="code", authority="marcrelator")
    if person.role in RELATORS:
        sub(role, "roleTerm", RELATORS[person.role], type="text", authority="marcrelator")


def _contents(ms: Manuscript) -> str:
    """A MARC 505-style contents note: titles in reading order, separated by " -- "."""
    titles = [ch.title_text for ch in ms.front]
    for item in ms.body:
        if isinstance(item, ResolvedPart):
            titles.append(item.title_text)
            titles.extend(ch.title_text for ch in item.chapters)
        else:
            titles.append(item.title_text)
    titles.extend(ch.title_text for ch in ms.back)
    return " -- ".join(titles)


def _identifier_type(identifier: str) -> str:
    low = identifier.lower()
    if low.startswith("urn:isbn:") or re.fullmatch(r"(97[89])?[\d-]{9,}[\dx]", low):
        return "isbn"
    if low.startswith(("doi:", "10.")):
        return "doi"
    if re.match(r"[a-z][a-z0-9+.-]*:", low):
        return "uri"
    return "local"


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ------------------------------------------------------------ README.txt

_WIDTH = 78


def package_readme(ms: Manuscript, editions: list[EditionFile], sources: dict[str, Path], generator: str) -> str:
    """``data/README.txt``: what the package is, how to check, read and rebuild it,
    and one line for every file in ``data/`` — for a reader who has nothing but the folder."""
    meta = ms.meta
    chapters = {ch.rel: ch for ch in ms.book.chapters}
    lines = [full_title(meta)]
    publisher = meta.publisher if meta.publisher != meta.author_line else ""
    byline = "; ".join(x for x in (meta.author_line, publisher, meta.date) if x)
    lines += [byline + (f". {meta.edition}." if meta.edition else "."), f"Identifier: {meta.identifier}", ""]
    lines += _para(
        "This folder is an archival deposit of the book: a BagIt package (RFC 8493) holding its editions, "
        "the complete sources they were built from, and catalogue records. Every file is in an open "
        "format that needs no special software: PDF, EPUB, HTML in a zip, XML, JSON, YAML, Markdown "
        "and plain text.")
    lines += ["", "HOW TO CHECK IT", ""]
    lines += _para(
        "Beside this data/ folder, manifest-sha256.txt and manifest-sha512.txt give a checksum for "
        "every file in data/, and tagmanifest-sha256.txt and tagmanifest-sha512.txt for the files "
        "beside it; bag-info.txt says who made the package, when and for what book. Any BagIt tool "
        "checks them all (for example `python -m bagit --validate FOLDER` with the bagit package), "
        "and so does a plain checksum tool run in the folder holding bagit.txt: "
        "`sha256sum -c manifest-sha256.txt`.")
    lines += ["", "WHAT EACH FILE IS", ""]
    entries: list[tuple[str, str]] = []
    for e in editions:
        fmt = f"{e.format} (PDF {e.format_version})" if e.format.startswith("PDF/") else f"{e.format} {e.format_version}"
        extent = (f"{e.pages} pages" if e.pages else
                  f"{e.documents} {'HTML pages' if e.format == 'HTML' else 'documents'}" if e.documents else "")
        what = f"{e.label}: {fmt}" + (f", {extent}" if extent else "") + "."
        entries.append((e.path.removeprefix("data/"), what + " " + (EDITIONS[e.name].note if e.name in EDITIONS else "")))
    for rel in sources:
        entries.append((f"sources/{rel}", _source_note(rel, ms, chapters)))
    entries += [(f"metadata/{name}", note) for name, note in _METADATA_NOTES]
    entries.append(("README.txt", "This file."))
    for path, note in entries:
        lines.append(path)
        lines += _para(note.strip(), indent="    ")
    lines += ["", "HOW TO REBUILD THE EDITIONS", ""]
    lines += _para(
        f"The editions were built by {generator} from sources/ alone; metadata/editions.json lists, "
        "under \"built_with\", the versions of the software that shaped their bytes. With those "
        "versions, and sources/builder-templates/ in place of the builder's own templates/ folder, "
        "`python build.py --book sources --out OUT` builds the same editions byte for byte; "
        "`python build.py verify FOLDER` checks the checksums and does that rebuild and comparison.")
    return "\n".join(lines) + "\n"


_METADATA_NOTES = (
    ("dc.xml", "Dublin Core record of the book (OAI-PMH oai_dc, simple Dublin Core)."),
    ("mods.xml", "MODS 3.6 record of the book (Library of Congress): titles, names with MARC relator "
                 "roles, publication, subjects, contents, the source it was edited from, rights."),
    ("bibliography.json", "The book's bibliography as CSL-JSON, the format reference managers such as "
                          "Zotero read."),
    ("editions.json", "Every edition with its format, version, pages, size and SHA-256, and the "
                      "software versions that built it (JSON)."),
)

_MEDIUM = {"print": "the print editions (PDF)", "ebook": "the EPUB", "web": "the web edition"}


def _source_note(rel: str, ms: Manuscript, chapters: dict) -> str:
    meta = ms.meta
    if rel == ms.book.config_file.name:
        return "The book's metadata and table of contents (YAML): the file the builder starts from."
    if rel in chapters:
        ch = chapters[rel]
        kind = {"front": "Front matter", "back": "Back matter"}.get(ch.matter, "Chapter")
        return f"{kind} \u201c{ch.title}\u201d (Markdown with YAML front matter)."
    if any(rel == p.relative_to(ms.book.root).as_posix() for p in meta.bibliography):
        return "The bibliography (" + ("CSL-JSON" if rel.endswith(".json") else "CSL-YAML") + ")."
    if rel.endswith(".csl"):
        return "The citation style (CSL 1.0)."
    if meta.cover is not None and rel == meta.cover.relative_to(ms.book.root).as_posix():
        return "The cover image."
    if rel == "words.txt":
        return "Words the spelling check accepts in this book, one a line."
    if rel.startswith(("templates/", "builder-templates/")):
        parts = rel.split("/")
        medium = _MEDIUM.get(parts[1], "the editions") if len(parts) > 2 else "the editions"
        kind = "Style sheet" if rel.endswith(".css") else "Template"
        whose = "as the builder used it" if parts[0] == "builder-templates" else "the book's own, over the builder's"
        return f"{kind} of {medium}, {whose} (Jinja)."
    if rel.endswith(".css"):
        return "A style sheet of the book, loaded after the builder's."
    if rel.endswith((".ttf", ".otf")):
        return "A font of the book."
    return "An image in the book."


def _para(text: str, indent: str = "") -> list[str]:
    import textwrap

    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=False)
