"""What a PDF says about itself: the Info dictionary and the XMP metadata stream.

Both come from book.yaml through one function, so they always agree: PDF/A
requires the Info entries and their XMP twins to be equal, and a library's
catalogue reads either. WeasyPrint writes Info from the HTML ``<meta>``
elements and XMP only for PDF/A; we write both ourselves, for the print PDF
too, with the Dublin Core fields a cataloguer wants (identifier, language,
publisher, rights, subjects) and the book's date as every date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from xml.sax.saxutils import escape, quoteattr

from ..model import Metadata

GENERATOR = "bookbuilder"
"""``/Creator`` and ``xmp:CreatorTool``: the tool that made the document."""


def title(meta: Metadata) -> str:
    return f"{meta.title}: {meta.subtitle}" if meta.subtitle else meta.title


def author(meta: Metadata) -> str:
    """One line of names, as Info's ``/Author`` holds it (and ``dc:creator``'s one entry)."""
    names = [p.name for p in meta.authors] or [p.name for p in meta.creators]
    return ", ".join(names)


def keywords(meta: Metadata) -> str:
    """Subjects joined by semicolons: subject headings carry commas of their own."""
    return "; ".join(meta.subjects)


def pdf_date(when: dt.datetime) -> str:
    """``D:20211126000000Z``: the build's one timestamp (the book's date at midnight UTC)."""
    return when.astimezone(dt.timezone.utc).strftime("D:%Y%m%d%H%M%SZ")


def xmp_date(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def document_id(meta: Metadata) -> str:
    """A stable URI for the work: the identifier itself when it is a UUID URN, else a UUID
    derived from it (the same book always gets the same id, a different book another)."""
    ident = meta.identifier.strip()
    if ident.lower().startswith("urn:uuid:"):
        return "uuid:" + ident[9:].lower()
    return "uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, ident))


def instance_id(meta: Metadata, edition: str) -> str:
    """A stable id for one rendition (``print``, ``archive``) of the work."""
    return "uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{meta.identifier}#{edition}"))


def info(meta: Metadata, producer: str, when: dt.datetime) -> dict[str, str]:
    """The Info dictionary's entries."""
    entries = {"Title": title(meta), "Author": author(meta), "Subject": meta.description,
               "Keywords": keywords(meta), "Creator": GENERATOR, "Producer": producer,
               "CreationDate": pdf_date(when), "ModDate": pdf_date(when)}
    return {k: v for k, v in entries.items() if v}


def _alt(tag: str, value: str, lang: str = "x-default") -> str:
    return (f"<{tag}><rdf:Alt><rdf:li xml:lang={quoteattr(lang)}>{escape(value)}</rdf:li></rdf:Alt></{tag}>")


def _list(tag: str, kind: str, values: list[str]) -> str:
    items = "".join(f"<rdf:li>{escape(v)}</rdf:li>" for v in values)
    return f"<{tag}><rdf:{kind}>{items}</rdf:{kind}></{tag}>"


def xmp(meta: Metadata, producer: str, when: dt.datetime, edition: str, pdfa_part: int = 0,
        pdfa_conformance: str = "") -> bytes:
    """The XMP packet: Dublin Core, XMP basic, PDF and (for an archival file) PDF/A
    identification properties, all in predefined schemas (no extension schema needed)."""
    fields: list[str] = []
    if pdfa_part:
        fields.append(f"<pdfaid:part>{pdfa_part}</pdfaid:part>")
        fields.append(f"<pdfaid:conformance>{escape(pdfa_conformance)}</pdfaid:conformance>")
    fields.append("<dc:format>application/pdf</dc:format>")
    fields.append(_alt("dc:title", title(meta)))
    if author(meta):
        fields.append(_list("dc:creator", "Seq", [author(meta)]))
    contributors = [p.name for p in meta.creators if p.role != "aut"] if meta.authors else []
    if contributors:
        fields.append(_list("dc:contributor", "Bag", contributors))
    if meta.description:
        fields.append(_alt("dc:description", meta.description))
    if meta.subjects:
        fields.append(_list("dc:subject", "Bag", list(meta.subjects)))
    fields.append(_list("dc:language", "Bag", [meta.lang]))
    fields.append(f"<dc:identifier>{escape(meta.identifier)}</dc:identifier>")
    if meta.publisher:
        fields.append(_list("dc:publisher", "Bag", [meta.publisher]))
    if meta.rights:
        fields.append(_alt("dc:rights", meta.rights))
    if meta.source:
        fields.append(f"<dc:source>{escape(meta.source)}</dc:source>")
    fields.append(_list("dc:date", "Seq", [meta.date]))
    if keywords(meta):
        fields.append(f"<pdf:Keywords>{escape(keywords(meta))}</pdf:Keywords>")
    fields.append(f"<pdf:Producer>{escape(producer)}</pdf:Producer>")
    fields.append(f"<xmp:CreatorTool>{GENERATOR}</xmp:CreatorTool>")
    for tag in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
        fields.append(f"<{tag}>{xmp_date(when)}</{tag}>")
    fields.append(f"<xmpMM:DocumentID>{escape(document_id(meta))}</xmpMM:DocumentID>")
    fields.append(f"<xmpMM:InstanceID>{escape(instance_id(meta, edition))}</xmpMM:InstanceID>")
    body = "\n   ".join(fields)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"{'''
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"''' if pdfa_part else ''}>
   {body}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""
    return packet.encode("utf-8")


def finisher(meta: Metadata, when: dt.datetime, edition: str, pdfa_part: int = 0, pdfa_conformance: str = ""):
    """A WeasyPrint finisher that writes Info and XMP from ``meta`` (replacing WeasyPrint's
    XMP stream in place for a PDF/A file, so that no orphan object is left behind)."""
    def finish(_document, pdf) -> None:
        import pydyf
        import weasyprint

        producer = f"WeasyPrint {weasyprint.__version__}"
        pdf.info.clear()
        for key, value in info(meta, producer, when).items():
            pdf.info[key] = pydyf.String(value)
        packet = xmp(meta, producer, when, edition, pdfa_part, pdfa_conformance)
        existing = pdf.catalog.get("Metadata")
        if existing:
            stream = pdf.objects[int(existing.split()[0])]  # b"12 0 R"
            stream.stream = [packet]
            stream.compress = False
        else:
            stream = pydyf.Stream([packet], {"Type": "/Metadata", "Subtype": "/XML"}, compress=False)
            pdf.add_object(stream)
            pdf.catalog["Metadata"] = stream.reference
        # A viewer's window shows the book's title, not the file name (PDF/UA asks for it too).
        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    return finish
