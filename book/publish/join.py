"""The pieces of the print edition joined into one PDF, as WeasyPrint writes a whole book.

Each job of the book is a PDF of its own pages (:mod:`.piece`), tagged, with
its links and named destinations, without font programs. The join (pikepdf)
makes them one document:

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

Pieces and fonts do not depend on the process that made them, and pikepdf
writes objects in the order it finds them, with an ``/ID`` computed from the
content: the same pieces give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Sequence

from ..model import Metadata
from . import pdfmeta
from .joinfonts import embed, merged_fonts


@dataclass(frozen=True)
class Attachment:
    """A file the archival PDF carries."""

    name: str
    data: bytes
    media_type: str
    description: str
    relationship: str
    """``Source`` or ``Supplement``."""


def write_joined(book, target: Path, edition: str = "print", attachments: Sequence[Attachment] = (),
                 pdfa: bool = False) -> None:
    """Join ``book``'s pieces (:class:`book.publish.printlayout.BookLayout`) into ``target``."""
    import pikepdf

    out = pikepdf.new()
    sources = [pikepdf.open(info.pdf) for info in book.pieces]
    try:
        _join(out, sources, book)
        _catalog(out, book.meta, book.stamp, edition, book.front_pages, pdfa)
        if pdfa:
            _pdfa(out, attachments, book.stamp)
        out.save(target, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, fix_metadata_version=False,
                 min_version="1.7")
    finally:
        for source in sources:
            source.close()
        out.close()


def _join(out, sources, book) -> None:
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    total = sum(info.pages for info in book.pieces)
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    tree = out.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([document])))
    document.P = tree
    page_keys: list = []
    annotation_keys: list = []
    kids: list = []
    dests: dict[str, object] = {}
    fonts: dict[str, list] = {}
    for info, source in zip(book.pieces, sources):
        count = len(source.pages)
        if count != info.pages:
            raise RuntimeError(f"the piece {info.pdf} has {count} pages, not {info.pages}")
        first = len(out.pages)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations stay behind: they are joined below.
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(source.pages)
        structure = source.Root.StructTreeRoot
        for kid in _copy(out, source, structure.K[0].K):
            kid.P = document
            kids.append(kid)
        nums = _copy(out, source, structure.ParentTree).Nums
        base = total + len(annotation_keys)
        for i in range(0, len(nums), 2):
            key = int(nums[i])
            if key < count:
                page_keys.append((first + key, nums[i + 1]))
            else:
                annotation_keys.append(nums[i + 1])
        for number in range(count):
            page = out.pages[first + number]
            page.obj.StructParents = first + number
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = base + int(annotation.StructParent) - count
        names = source.Root.get("/Names")
        if names is not None and "/Dests" in names:
            pairs = _copy(out, source, names.Dests.Names)
            for i in range(0, len(pairs), 2):
                dests.setdefault(bytes(pairs[i]), pairs[i + 1])
        for resources in _resources(out.pages[first].obj):
            if "/Font" in resources:
                fonts.setdefault(resources.Font.objgen, []).append(resources.Font)
    document.K = Array(kids)
    out.Root.StructTreeRoot = tree
    # Arrays are made whole: growing a pikepdf array one item at a time copies it every time.
    nums: list = []
    for key, value in sorted(page_keys, key=lambda kv: kv[0]):
        nums += [key, value]
    for i, value in enumerate(annotation_keys):
        nums += [total + i, value]
    tree.ParentTree = out.make_indirect(Dictionary(Nums=Array(nums)))
    tree.ParentTreeNextKey = total + len(annotation_keys)
    _check_links(out, dests)
    names: list = []
    for name in sorted(dests):
        names += [pikepdf.String(name), dests[name]]
    out.Root.Names = Dictionary(Dests=out.make_indirect(Dictionary(Names=Array(names))))
    _fonts(out, book, [group[0] for group in fonts.values()])
    _outline(out, book)


def _copy(out, source, obj):
    """``obj`` of ``source`` copied into ``out`` (what it refers to as well, each object once: the
    pages already copied are the ones it refers to)."""
    if not obj.is_indirect:
        obj = source.make_indirect(obj)
    return out.copy_foreign(obj)


def _resources(page) -> list:
    """A page's resources and those of the form XObjects it draws (they share its fonts)."""
    found = [page.Resources]
    for xobject in page.Resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            found.append(xobject.Resources)
    return found


def _check_links(out, dests: dict) -> None:
    """Every link between pages leads to an anchor of the book (each piece kept its links to others)."""
    for page in out.pages:
        for annotation in page.obj.get("/Annots", ()):
            target = annotation.get("/Dest")
            if target is not None and bytes(target) not in dests:
                raise RuntimeError(f"a link leads to #{bytes(target).decode(errors='replace')}, "
                                   "which no page of the book holds")


def _fonts(out, book, font_dicts: list) -> None:
    """One font per face for every piece: the first piece's font dictionary made the book's, the
    others' resources pointed at it."""
    faces = merged_fonts(book.pieces)
    made: dict[str, object] = {}
    for font_dict in font_dicts:
        for resource, font in list(font_dict.items()):
            name = resource.lstrip("/")
            if name not in faces:
                raise RuntimeError(f"the font {name} of a piece is not in its record")
            if name not in made:
                embed(out, font, faces[name], book.cache)
                made[name] = font
            font_dict[resource] = made[name]


def _outline(out, book) -> None:
    """The outline from every piece's bookmarks: an entry nests under the closest entry before it
    of a lower CSS level (a chapter under its part), whichever pieces hold them."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    top: list = []
    stack: list[tuple[int, list]] = [(0, top)]
    first = 0
    for info in book.pieces:
        for level, label, page, x, y, opened in info.bookmarks:
            while len(stack) > 1 and stack[-1][0] >= level:
                stack.pop()
            item = out.make_indirect(Dictionary(Title=pikepdf.String(label),
                                                Dest=Array([out.pages[first + page].obj, Name.XYZ, x, y, 0])))
            node = (item, opened, [])
            stack[-1][1].append(node)
            stack.append((level, node[2]))
        first += info.pages
    if not top:
        return

    def link(parent, kids) -> int:
        """Hang ``kids`` under ``parent``; return how many entries a reader sees (open ones' too)."""
        visible = 0
        for i, (kid, opened, grandkids) in enumerate(kids):
            kid.Parent = parent
            if i:
                kid.Prev = kids[i - 1][0]
            if i + 1 < len(kids):
                kid.Next = kids[i + 1][0]
            count = link(kid, grandkids)
            if grandkids:
                kid.First, kid.Last = grandkids[0][0], grandkids[-1][0]
                kid.Count = count if opened else -count
            visible += 1 + (count if opened else 0)
        return visible

    root = out.make_indirect(Dictionary(Type=Name.Outlines))
    root.Count = link(root, top)
    root.First, root.Last = top[0][0], top[-1][0]
    out.Root.Outlines = root


def _catalog(out, meta: Metadata, stamp: dt.datetime, edition: str, front_pages: int, pdfa: bool) -> None:
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    nums = Array()
    if front_pages:
        nums.extend([0, Dictionary(S=Name.r)])
    nums.extend([front_pages, Dictionary(S=Name.D, St=1)])
    out.Root.PageLabels = Dictionary(Nums=nums)
    producer = f"WeasyPrint {version('weasyprint')}"
    info = out.make_indirect(Dictionary())
    for key, value in pdfmeta.info(meta, producer, stamp).items():
        info[Name("/" + key)] = pikepdf.String(value)
    out.trailer.Info = info
    packet = pdfmeta.xmp(meta, producer, stamp, edition, 3 if pdfa else 0, "U" if pdfa else "")
    out.Root.Metadata = out.make_stream(packet, Type=Name.Metadata, Subtype=Name.XML)
    out.Root.Lang = pikepdf.String(meta.lang)
    out.Root.MarkInfo = Dictionary(Marked=True)
    out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)


def _pdfa(out, attachments: Sequence[Attachment], stamp: dt.datetime) -> None:
    """What PDF/A-3 adds: the output intent, associated files, no interpolated images."""
    import hashlib
    from importlib.resources import files

    import pikepdf
    from pikepdf import Array, Dictionary, Name

    profile = (files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes()
    intent = Dictionary(Type=Name.OutputIntent, S=Name.GTS_PDFA1,
                        OutputConditionIdentifier=pikepdf.String("sRGB2014.icc"),
                        Info=pikepdf.String("sRGB2014.icc"), DestOutputProfile=out.make_stream(profile, N=3))
    out.Root.OutputIntents = Array([intent])
    when = pikepdf.String(stamp.astimezone(dt.timezone.utc).strftime("D:%Y%m%d%H%M%SZ"))
    names, associated = [], []
    for item in sorted(attachments, key=lambda a: a.name.encode("utf-8")):
        stream = out.make_stream(item.data, Type=Name.EmbeddedFile, Subtype=Name("/" + item.media_type),
                                 Params=Dictionary(CheckSum=pikepdf.String(hashlib.md5(item.data).digest()),
                                                   Size=len(item.data), CreationDate=when, ModDate=when))
        spec = out.make_indirect(Dictionary(
            Type=Name.Filespec, F=pikepdf.String(item.name), UF=pikepdf.String(item.name), EF=Dictionary(F=stream),
            Desc=pikepdf.String(item.description), AFRelationship=Name("/" + item.relationship)))
        names += [pikepdf.String(item.name), spec]
        associated.append(spec)
    if names:
        out.Root.Names.EmbeddedFiles = out.make_indirect(Dictionary(Names=Array(names)))
        out.Root.AF = Array(associated)
    for page in out.pages:
        for xobject in page.Resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Image" and xobject.get("/Interpolate"):
                xobject.Interpolate = False
