"""Each font face embedded once in the joined PDF, for the glyphs of every piece.

The pieces of the print edition (:mod:`.piece`) are written without font
programs. Every piece names a face the same way (WeasyPrint derives the
resource name from the face) and addresses its glyphs by their ids in the
original font (the embedded font keeps them, :func:`book.publish.speedups.clean_font`),
so one font serves all of them: subset to the glyphs any piece drew, pinned to
the same instance, with the widths and text of each glyph as first drawn — what
WeasyPrint embeds when it writes the whole book at once. Made fonts are kept in
the layout cache by face and glyphs: an edit that brings no new glyph embeds the
same bytes without subsetting again.
"""

from __future__ import annotations

import hashlib
import json
from math import ceil

from .jobdata import FontUse, PieceInfo


class MergedFont:
    """One face as the whole book uses it."""

    def __init__(self, use: FontUse) -> None:
        self.name, self.resource, self.file, self.index = use.name, use.resource, use.file, use.index
        self.location = use.location
        self.widths: dict[int, int] = {}
        self.to_unicode: dict[int, str] = {}

    def add(self, use: FontUse) -> None:
        if (use.file, use.index, use.location) != (self.file, self.index, self.location):
            raise RuntimeError(f"the face {self.name} is not the same in every piece")
        for gid, width in use.widths:
            self.widths.setdefault(gid, width)
        for gid, text in use.to_unicode:
            self.to_unicode.setdefault(gid, text)

    def program(self, cache) -> bytes:
        """The font program: subset to this face's glyphs, at its instance (the file each piece
        drew from is in the layout cache, :func:`book.publish.piece._fonts`)."""
        from .speedups import clean_font

        gids = sorted(self.to_unicode)
        name = hashlib.sha256(json.dumps([self.file, self.index, self.location, gids]).encode()).hexdigest()
        name = f"{name[:32]}.ttf"
        kept = cache.font(name)
        if kept is not None:
            return kept
        source = cache.font(f"src-{self.file}")
        if source is None or hashlib.sha256(source).hexdigest() != self.file:
            raise RuntimeError(f"the file of the face {self.name} is not in the layout cache")
        data = clean_font(source, self.index, gids, dict(self.location), False, False)
        cache.add_font(name, data)
        return data


def merged_fonts(pieces: tuple[PieceInfo, ...]) -> dict[str, MergedFont]:
    """Resource name → the face every piece draws with under that name, in the book's order."""
    faces: dict[str, MergedFont] = {}
    for info in pieces:
        for use in info.fonts:
            if not use.merge:
                continue
            if use.resource not in faces:
                faces[use.resource] = MergedFont(use)
            faces[use.resource].add(use)
    return faces


def write_font(w, num: int, face: MergedFont, metrics: dict, cache) -> None:
    """Write the book's Type 0 font ``num`` for ``face``: its program subset to every glyph the book
    draws, their widths and text, and the metrics of the first piece using it (as WeasyPrint's
    ``build_fonts_dictionary`` writes a font)."""
    from .pdfwriter import array_of, dictionary, name, number, ref, string

    program = face.program(cache)
    widths = face.widths
    max_x = max(widths.values()) if widths else 0
    flags = metrics["Flags"] & ~1
    if len(widths) > 1 and len(set(widths.values())) == 1:
        flags |= 1  # FixedPitch
    runs: list[tuple[int, list[int]]] = []
    for gid in sorted(widths):
        if gid - 1 not in widths:
            runs.append((gid, []))
        runs[-1][1].append(widths[gid])
    w_array = array_of(number(start) + b" " + array_of(number(x) for x in run) for start, run in runs)
    file, unicode, descriptor, cid = w.reserve(), w.reserve(), w.reserve(), w.reserve()
    w.compressed_stream(file, {"Length1": number(len(program))}, program)
    w.compressed_stream(unicode, {}, to_unicode_cmap(face.to_unicode))
    ascent, descent = metrics["Ascent"], metrics["Descent"]
    w.write(descriptor, dictionary({
        "Type": b"/FontDescriptor", "FontName": name(metrics["FontName"][1:]),
        "FontFamily": string(metrics["FontFamily"].decode("utf-8", "replace")), "Flags": number(flags),
        "FontBBox": array_of(number(v) for v in (0, descent, max_x, ascent)),
        "ItalicAngle": number(metrics["ItalicAngle"]), "Ascent": number(ascent), "Descent": number(descent),
        "CapHeight": number(ascent), "StemV": number(metrics["StemV"]), "StemH": number(metrics["StemH"]),
        metrics["FontFile"]: ref(file)}))
    w.write(cid, dictionary({
        "Type": b"/Font", "Subtype": name(metrics["Subtype"][1:]), "BaseFont": name(metrics["BaseFont"][1:]),
        "CIDSystemInfo": b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>",
        "CIDToGIDMap": b"/Identity", "W": w_array, "FontDescriptor": ref(descriptor)}))
    w.write(num, dictionary({
        "Type": b"/Font", "Subtype": b"/Type0", "BaseFont": name(metrics["BaseFont"][1:]),
        "ToUnicode": ref(unicode), "Encoding": b"/Identity-H", "DescendantFonts": array_of([ref(cid)])}))


def to_unicode_cmap(to_unicode: dict[int, str]) -> bytes:
    """A ToUnicode CMap: glyph id → text, as WeasyPrint writes one."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = tuple(to_unicode.items())
    for i in range(ceil(len(items) / 100)):
        batch = items[i * 100:(i + 1) * 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for glyph, text in batch:
            code = "".join(letter.encode("utf-16-be").hex() for letter in text)
            lines.append(f"<{glyph:04x}> <{code}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
