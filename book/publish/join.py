"""The pieces of the print edition joined into one PDF, as WeasyPrint writes a whole book.

Each job of the book is a PDF of its own pages (:mod:`.piece`), tagged, with
its links and named destinations, without font programs. The join reads them
one at a time (pikepdf) and writes their objects straight to the new file
(:mod:`.pdfwriter`), renumbered, so that its memory does not grow with the book:

* the pages in order, each face embedded once for all of them (:mod:`.joinfonts`);
* **one structure tree**: a single ``Document`` element holding every piece's
  elements in order; the ``ParentTree`` renumbered (page ``i`` of the book is
  key ``i``, then every link annotation), and each page's ``StructParents`` and
  each annotation's ``StructParent`` with it;
* the named destinations of every piece in one sorted name tree: a link to a
  chapter laid out in another piece resolves there;
* the outline, built from every piece's bookmarks by their CSS levels (a
  chapter under the part before it, whichever piece holds either);
* page labels (roman front matter, then arabic), Info and XMP metadata from
  book.yaml (:mod:`.pdfmeta`), the viewer's title bar, the language;
* for the archival edition, PDF/A-3: the sRGB output intent, the ``pdfaid``
  identification, no image interpolation, and the book's sources as associated
  files (:mod:`.archive`).

Pieces and fonts do not depend on the process that made them, and the writer
writes objects in the order met: the same pieces give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Sequence

from . import pdfmeta
from .joinfonts import merged_fonts, write_font
from .pdfwriter import Writer, array_of, dictionary, name, number, ref, relocate, string, with_entries


@dataclass(frozen=True)
class Attachment:
    """A file the archival PDF carries."""

    name: str
    data: bytes
    media_type: str
    description: str
    relationship: str
    """``Source`` or ``Supplement``."""


@dataclass
class _Book:
    """What the join gathers from the pieces for the objects it writes last."""

    pages: list[int] = field(default_factory=list)
    kids: list[int] = field(default_factory=list)
    """The structure elements directly under ``Document``."""
    page_keys: list[bytes] = field(default_factory=list)
    """ParentTree value of each page (its marked contents' elements)."""
    annotation_keys: list[int] = field(default_factory=list)
    dests: dict[bytes, bytes] = field(default_factory=dict)
    links: set[bytes] = field(default_factory=set)
    """The names the book's links lead to."""
    boxes: dict[str, bytes] = field(default_factory=dict)
    """The last page's MediaBox, BleedBox, TrimBox … (the blank verso after it has the same)."""
    blank: dict[str, bytes] = field(default_factory=lambda: {"Resources": b"<< >>"})
    """Contents and Resources of the first page the layout left blank (crop marks, a theme's
    ``@page :blank``), which the blank verso after the last page shares; nothing if none is."""


def write_joined(book, target: Path, edition: str = "print", attachments: Sequence[Attachment] = (),
                 pdfa: bool = False) -> None:
    """Join ``book``'s pieces (:class:`book.publish.printlayout.BookLayout`) into ``target``."""
    import pikepdf

    total = book.page_count
    with open(target, "wb") as fh:
        w = Writer(fh)
        catalog, pages, tree, document = (w.reserve() for _ in range(4))
        faces = merged_fonts(book.pieces)
        fonts = {resource: w.reserve() for resource in faces}
        gathered = _Book()
        templates: dict[str, dict] = {}
        for info in book.pieces:
            with pikepdf.open(info.pdf) as source:
                if len(source.pages) != info.pages:
                    raise RuntimeError(f"the piece {info.pdf} has {len(source.pages)} pages, not {info.pages}")
                _piece(w, source, info.blanks, gathered, total, pages, document, fonts, templates, pdfa)
        while len(gathered.pages) < total:
            _blank_page(w, gathered, pages)
        for resource, face in faces.items():
            write_font(w, fonts[resource], face, templates[resource], book.cache)
        _check_links(gathered)
        w.write(pages, dictionary({"Type": b"/Pages", "Kids": array_of(ref(p) for p in gathered.pages),
                                   "Count": number(len(gathered.pages))}))
        w.write(document, dictionary({"Type": b"/StructElem", "S": b"/Document", "P": ref(tree),
                                      "K": array_of(ref(k) for k in gathered.kids)}))
        nums = [number(i) + b" " + value for i, value in enumerate(gathered.page_keys)]
        nums += [number(total + i) + b" " + ref(value) for i, value in enumerate(gathered.annotation_keys)]
        parent_tree = w.reserve()
        w.write(parent_tree, dictionary({"Nums": array_of(nums)}))
        w.write(tree, dictionary({"Type": b"/StructTreeRoot", "K": array_of([ref(document)]),
                                  "ParentTree": ref(parent_tree),
                                  "ParentTreeNextKey": number(total + len(gathered.annotation_keys))}))
        entries = _catalog(w, book, gathered, edition, pdfa)
        entries.update({"Pages": ref(pages), "StructTreeRoot": ref(tree)})
        if pdfa:
            entries.update(_pdfa(w, attachments, book.stamp, entries))
        w.write(catalog, dictionary({"Type": b"/Catalog", **entries}))
        info = w.reserve()
        producer = f"WeasyPrint {version('weasyprint')}"
        w.write(info, dictionary({key: string(value) for key, value
                                  in pdfmeta.info(book.meta, producer, book.stamp).items()}))
        w.finish(catalog, info)


def _piece(w: Writer, source, blanks: tuple[int, ...], gathered: _Book, total: int, pages_root: int,
           document: int, fonts: dict[str, int], templates: dict, pdfa: bool) -> None:
    """Write the objects of one piece, renumbered; gather what the book's own objects need."""
    skip = _left_behind(source, templates, fonts)
    structure = source.Root.StructTreeRoot
    # The piece's page tree and Document element are the book's: what refers to them (every page's
    # /Parent; the elements under Document, and those WeasyPrint makes for running heads, which
    # name Document as parent without being among its kids) refers to the book's.
    numbers: dict[tuple[int, int], int] = {source.Root.Pages.objgen: pages_root, structure.K[0].objgen: document}
    borrowed = set(numbers)

    def renumber(n: int, g: int) -> int:
        if (n, g) not in numbers:
            numbers[(n, g)] = w.reserve()
        return numbers[(n, g)]

    page_base = len(gathered.pages)
    annotation_base = len(gathered.annotation_keys)
    count = len(source.pages)
    special: dict[tuple[int, int], dict[str, bytes]] = {}
    for i, page in enumerate(source.pages):
        obj = page.obj
        gathered.pages.append(renumber(*obj.objgen))
        special[obj.objgen] = {"StructParents": number(page_base + i)}
        for annotation in obj.get("/Annots", ()):
            if "/Dest" in annotation:
                gathered.links.add(bytes(annotation.Dest))
            if "/StructParent" in annotation:
                key = int(annotation.StructParent)
                special[annotation.objgen] = {"StructParent": number(total + annotation_base + key - count)}
                del annotation.StructParent
        del obj.StructParents
    gathered.boxes = {key[1:]: source.pages[-1].obj[key].unparse(resolved=True) for key in _BOXES
                      if key in source.pages[-1].obj}
    if blanks and "Contents" not in gathered.blank:
        blank = source.pages[blanks[0]].obj
        gathered.blank = {key[1:]: ref(renumber(*blank[key].objgen)) if blank[key].is_indirect
                          else relocate(blank[key].unparse(resolved=True), renumber)
                          for key in ("/Contents", "/Resources") if key in blank}
    for kid in structure.K[0].K:
        gathered.kids.append(renumber(*kid.objgen))
    nums = structure.ParentTree.Nums
    for i in range(0, len(nums), 2):
        key, value = int(nums[i]), nums[i + 1]
        if key < count:
            gathered.page_keys.append(relocate(value.unparse(resolved=True), renumber))
        else:
            gathered.annotation_keys.append(renumber(*value.objgen))
    names = source.Root.get("/Names")
    if names is not None and "/Dests" in names:
        pairs = names.Dests.Names
        for i in range(0, len(pairs), 2):
            gathered.dests.setdefault(bytes(pairs[i]), relocate(pairs[i + 1].unparse(resolved=True), renumber))
    for font_dict in _font_dicts(source):
        keys = [key for key in sorted(font_dict.keys()) if key[1:] in fonts]  # pikepdf gives them as a set
        special[font_dict.objgen] = {key[1:]: ref(fonts[key[1:]]) for key in keys}
        for key in keys:
            del font_dict[key]
    for obj in source.objects:
        objgen = obj.objgen
        if objgen in skip:
            continue
        num = renumber(*objgen)
        if isinstance(obj, _stream_type()):
            if pdfa and obj.stream_dict.get("/Subtype") == "/Image" and obj.stream_dict.get("/Interpolate"):
                obj.stream_dict.Interpolate = False  # ISO 19005-2/-3 6.2.8: no interpolation
            entries = obj.stream_dict
            if "/Length" in entries:
                del entries.Length
            w.write_stream(num, relocate(entries.unparse(resolved=True), renumber), obj.read_raw_bytes())
        else:
            text = relocate(obj.unparse(resolved=True), renumber)
            if objgen in special:
                text = with_entries(text, special[objgen])
            w.write(num, text)
    missing = set(numbers) - borrowed - {obj.objgen for obj in source.objects if obj.objgen not in skip}
    if missing:
        raise RuntimeError(f"the piece refers to objects the join leaves behind: {sorted(missing)[:5]}")


_BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")


def _blank_page(w: Writer, gathered: _Book, pages_root: int) -> None:
    """A blank verso after the last page (:func:`book.publish.printlayout.even_pages`): the size of
    the last page, drawn as the layout draws a blank page (nothing, or the crop marks), no furniture;
    page ``i`` is still ParentTree key ``i``, of no element."""
    page = w.reserve()
    w.write(page, dictionary({"Type": b"/Page", "Parent": ref(pages_root), **gathered.boxes, **gathered.blank,
                              "StructParents": number(len(gathered.pages))}))
    gathered.pages.append(page)
    gathered.page_keys.append(b"[ ]")


def _stream_type():
    import pikepdf
    return pikepdf.Stream


def _left_behind(source, templates: dict, merged: dict) -> set[tuple[int, int]]:
    """The piece's objects the book replaces with its own: catalog, page tree, outline, Info,
    structure root and parent tree, and its fonts that are ``merged`` (each face is embedded once
    for the book; the first piece's font dictionary lends the book its metrics)."""
    import pikepdf

    skip = {source.Root.objgen, source.Root.Pages.objgen}
    for obj in source.objects:
        if isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Type") in ("/XRef", "/ObjStm"):
            skip.add(obj.objgen)  # the piece's own cross-reference and object streams
        elif isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Namespace":
            skip.add(obj.objgen)  # WeasyPrint's PDF 2.0 namespace, named only by what is left behind
    info = source.trailer.get("/Info")
    if info is not None and info.is_indirect:
        skip.add(info.objgen)
    outlines = source.Root.get("/Outlines")
    todo = [outlines] if outlines is not None else []
    while todo:
        item = todo.pop()
        skip.add(item.objgen)
        for key in ("/First", "/Next"):
            if key in item:
                todo.append(item[key])
    structure = source.Root.StructTreeRoot
    skip |= {structure.objgen, structure.ParentTree.objgen, structure.K[0].objgen}
    for font_dict in _font_dicts(source):
        for key in sorted(font_dict.keys()):
            if key[1:] not in merged:
                continue  # a face WeasyPrint cleaned in the piece: the piece keeps its own
            font = font_dict[key]
            templates.setdefault(key[1:], _metrics(font))
            cid_font = font.DescendantFonts[0]
            descriptor = cid_font.FontDescriptor
            for obj in (font, cid_font, descriptor, font.get("/ToUnicode"), font.get("/Encoding"),
                        descriptor.get("/FontFile2"), descriptor.get("/FontFile3"), descriptor.get("/CIDSet"),
                        cid_font.get("/W")):
                if obj is not None and obj.is_indirect:
                    skip.add(obj.objgen)
    return skip


def _font_dicts(source) -> list:
    """The piece's font resource dictionaries (every page shares one; form XObjects too)."""
    found: dict[tuple[int, int], object] = {}
    for page in source.pages:
        resources = [page.obj.Resources]
        xobjects = page.obj.Resources.get("/XObject", {})
        for key in sorted(xobjects.keys()):
            if xobjects[key].get("/Subtype") == "/Form" and "/Resources" in xobjects[key]:
                resources.append(xobjects[key].Resources)
        for res in resources:
            fonts = res.get("/Font")
            if fonts is not None and fonts.is_indirect:
                found.setdefault(fonts.objgen, fonts)
    return [found[key] for key in sorted(found)]


def _metrics(font) -> dict:
    """What a face's font dictionaries say besides its glyphs (as the first piece using it has it)."""
    cid_font = font.DescendantFonts[0]
    descriptor = cid_font.FontDescriptor
    return {"BaseFont": str(font.BaseFont), "Subtype": str(cid_font.Subtype),
            "FontName": str(descriptor.FontName), "FontFamily": bytes(descriptor.FontFamily),
            "Flags": int(descriptor.Flags), "ItalicAngle": float(descriptor.ItalicAngle),
            "Ascent": int(descriptor.Ascent), "Descent": int(descriptor.Descent),
            "StemV": int(descriptor.StemV), "StemH": int(descriptor.StemH),
            "FontFile": "FontFile3" if "/FontFile3" in descriptor else "FontFile2"}


def _check_links(gathered: _Book) -> None:
    """Every link of the book leads to an anchor of the book (each piece kept its links to anchors
    laid out by others; a name no piece holds would be an anchor the layout lost)."""
    lost = sorted(gathered.links - gathered.dests.keys())
    if lost:
        raise RuntimeError(f"links lead to #{lost[0].decode(errors='replace')}, which no page of the book holds")


def _catalog(w: Writer, book, gathered: _Book, edition: str, pdfa: bool) -> dict[str, bytes]:
    """The catalog's entries: labels, outline, destinations, metadata, language, tagging."""
    entries: dict[str, bytes] = {}
    labels = [number(0) + b" << /S /r >>"] if book.front_pages else []
    labels.append(number(book.front_pages) + b" << /S /D /St 1 >>")
    entries["PageLabels"] = dictionary({"Nums": array_of(labels)})
    outline = _outline(w, book, gathered)
    if outline:
        entries["Outlines"] = ref(outline)
    dests = w.reserve()
    w.write(dests, dictionary({"Names": array_of(string(key) + b" " + value
                                                 for key, value in sorted(gathered.dests.items()))}))
    entries["Names"] = dictionary({"Dests": ref(dests)})
    producer = f"WeasyPrint {version('weasyprint')}"
    metadata = w.reserve()
    packet = pdfmeta.xmp(book.meta, producer, book.stamp, edition, 3 if pdfa else 0, "U" if pdfa else "")
    w.write_stream(metadata, dictionary({"Type": b"/Metadata", "Subtype": b"/XML"}), packet)
    entries.update({"Metadata": ref(metadata), "Lang": string(book.meta.lang),
                    "MarkInfo": b"<< /Marked true >>", "ViewerPreferences": b"<< /DisplayDocTitle true >>"})
    return entries


def _outline(w: Writer, book, gathered: _Book) -> int:
    """The outline from every piece's bookmarks: an entry nests under the closest entry before it
    of a lower CSS level (a chapter under its part), whichever pieces hold them."""
    top: list = []
    stack: list[tuple[int, list]] = [(0, top)]
    first = 0
    for info in book.pieces:
        for level, label, page, x, y, opened in info.bookmarks:
            while len(stack) > 1 and stack[-1][0] >= level:
                stack.pop()
            node = (w.reserve(), label, gathered.pages[first + page], x, y, opened, [])
            stack[-1][1].append(node)
            stack.append((level, node[6]))
        first += info.pages
    if not top:
        return 0
    root = w.reserve()

    def write(parent: int, kids: list) -> int:
        """Write ``kids`` under ``parent``; return how many entries a reader sees (open ones' too)."""
        visible = 0
        for i, (num, label, page, x, y, opened, grandkids) in enumerate(kids):
            count = write(num, grandkids)
            entries = {"Title": string(label), "Parent": ref(parent),
                       "Dest": array_of([ref(page), b"/XYZ", number(x), number(y), b"0"])}
            if i:
                entries["Prev"] = ref(kids[i - 1][0])
            if i + 1 < len(kids):
                entries["Next"] = ref(kids[i + 1][0])
            if grandkids:
                entries.update({"First": ref(grandkids[0][0]), "Last": ref(grandkids[-1][0]),
                                "Count": number(count if opened else -count)})
            w.write(num, dictionary(entries))
            visible += 1 + (count if opened else 0)
        return visible

    count = write(root, top)
    w.write(root, dictionary({"Type": b"/Outlines", "First": ref(top[0][0]), "Last": ref(top[-1][0]),
                              "Count": number(count)}))
    return root


def _pdfa(w: Writer, attachments: Sequence[Attachment], stamp: dt.datetime, entries: dict) -> dict[str, bytes]:
    """What PDF/A-3 adds to the catalog: the output intent, the sources as associated files."""
    from importlib.resources import files

    profile = (files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes()
    icc = w.reserve()
    w.compressed_stream(icc, {"N": b"3"}, profile)
    intent = dictionary({"Type": b"/OutputIntent", "S": b"/GTS_PDFA1",
                         "OutputConditionIdentifier": string("sRGB2014.icc"), "Info": string("sRGB2014.icc"),
                         "DestOutputProfile": ref(icc)})
    added = {"OutputIntents": array_of([intent])}
    when = string(stamp.astimezone(dt.timezone.utc).strftime("D:%Y%m%d%H%M%SZ"))
    names, associated = [], []
    for item in sorted(attachments, key=lambda a: a.name.encode("utf-8")):
        data = w.reserve()
        params = dictionary({"CheckSum": string(hashlib.md5(item.data).digest()), "Size": number(len(item.data)),
                             "CreationDate": when, "ModDate": when})
        w.compressed_stream(data, {"Type": b"/EmbeddedFile", "Subtype": name(item.media_type), "Params": params},
                            item.data)
        spec = w.reserve()
        w.write(spec, dictionary({"Type": b"/Filespec", "F": string(item.name), "UF": string(item.name),
                                  "EF": dictionary({"F": ref(data)}), "Desc": string(item.description),
                                  "AFRelationship": name(item.relationship)}))
        names.append(string(item.name) + b" " + ref(spec))
        associated.append(ref(spec))
    if names:
        tree = w.reserve()
        w.write(tree, dictionary({"Names": array_of(names)}))
        added["Names"] = with_entries(entries["Names"], {"EmbeddedFiles": ref(tree)})
        added["AF"] = array_of(associated)
    return added
