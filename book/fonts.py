"""The pinned fonts: every face the editions use, from PyPI font packages, never the machine's.

Each face has a family name of our own (never a fontconfig alias such as "Serif",
which would quietly resolve to whatever the machine has). The templates'
``@font-face`` rules, the PDF font check and the EPUB's subsets all take the
faces from here and from the book's plan (:mod:`book.render.faces`).

Text is set in two roles, whose names the stylesheets use: ``"Book Garamond"``, the
text face (EB Garamond unless the book's ``style:`` chooses another family), and
``"Book Sans"``, the display face (Source Sans 3). ``"Book Code"``, the code face
(Source Code Pro), exists in a book with code, and ``"Book Math"`` (STIX Two Math) in a
book with formulas, for MathML. Behind each role, for the characters its face lacks, stand
the script fallbacks of :func:`fallbacks` — Arabic, Hebrew, Chinese and Japanese —
loaded only when a book's text needs them.
"""

from __future__ import annotations

import array
import functools
import importlib.util
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

TEXT = "Book Garamond"
"""The text role's family name in the stylesheets."""
DISPLAY = "Book Sans"
"""The display role's family name (headings, labels)."""
CODE = "Book Code"
"""The code role's family name, in a book with code (Source Code Pro unless ``style:`` chooses another)."""
MATH = "Book Math"
"""The family of mathematics in the EPUB and the web edition (MathML); print draws formulas as outlines."""


@dataclass(frozen=True)
class Font:
    """A font file, as the templates' @font-face rules need it."""

    family: str
    """Our unique family name (never a fontconfig alias such as "Serif")."""
    style: str
    weight: str
    """A weight range for a variable font, e.g. ``400 800``."""
    path: Path
    name: str
    """File name inside an edition (``fonts/<name>``)."""
    unicode_range: str = ""
    """For a face that stands in for another (a script fallback): the characters it serves, as a
    CSS ``unicode-range``; empty for a face that serves everything it has."""
    role: str = ""
    """For a stand-in: the role it serves (``Book Garamond``). Its own family name is unique
    (``Book Garamond Amiri``): WeasyPrint tells fonts apart by their description, not their file,
    so two files under one name would draw one's glyphs from the other."""


@dataclass(frozen=True)
class Family:
    """A pinned family a book may name in ``style:``, and what is printed in the colophon."""

    name: str
    faces: tuple[Font, ...]
    designers: tuple[str, ...]
    """Who designed it, for the colophon's "Set in EB Garamond (Georg Duffner and Octavio Pardo)"."""


def _files(module) -> Path:
    root = Path(module.__file__).parent
    return root / "files" if (root / "files").is_dir() else root


@functools.lru_cache(maxsize=1)
def families() -> dict[str, Family]:
    """Every pinned family, by name: the two of the roles and the script fallbacks. (Importing a
    font package reads none of its files.)"""
    import fontpkg_amiri
    import fontpkg_eb_garamond
    import fontpkg_frank_ruhl_libre
    import fontpkg_heebo
    import fontpkg_noto_sans_arabic
    import fontpkg_source_code_pro
    import fontpkg_source_sans_3
    import noto_cjk_sans_jp_regular

    serif, sans = _files(fontpkg_eb_garamond), _files(fontpkg_source_sans_3)
    amiri, naskh = _files(fontpkg_amiri), _files(fontpkg_noto_sans_arabic)
    frank, heebo = _files(fontpkg_frank_ruhl_libre), _files(fontpkg_heebo)
    cjk = _files(noto_cjk_sans_jp_regular)
    mono = _files(fontpkg_source_code_pro)
    # Found, not imported: importing ziamath costs a build without formulas 50 ms.
    stix = Path(importlib.util.find_spec("ziamath").submodule_search_locations[0]) / "fonts"
    table = (
        Family("EB Garamond", (
            Font(TEXT, "normal", "400 800", serif / "EBGaramond[wght].ttf", "EBGaramond.ttf"),
            Font(TEXT, "italic", "400 800", serif / "EBGaramond-Italic[wght].ttf", "EBGaramond-Italic.ttf")),
            ("Georg Duffner", "Octavio Pardo")),
        Family("Source Sans 3", (
            Font(DISPLAY, "normal", "200 900", sans / "SourceSans3[wght].ttf", "SourceSans3.ttf"),
            Font(DISPLAY, "italic", "200 900", sans / "SourceSans3-Italic[wght].ttf", "SourceSans3-Italic.ttf")),
            ("Paul D. Hunt, Adobe",)),
        Family("Amiri", (
            Font(TEXT, "normal", "400", amiri / "Amiri-Regular.ttf", "Amiri-Regular.ttf"),
            Font(TEXT, "italic", "400", amiri / "Amiri-Italic.ttf", "Amiri-Italic.ttf"),
            Font(TEXT, "normal", "700", amiri / "Amiri-Bold.ttf", "Amiri-Bold.ttf")),
            ("Khaled Hosny",)),
        Family("Noto Sans Arabic", (
            Font(DISPLAY, "normal", "100 900", naskh / "NotoSansArabic[wdth,wght].ttf", "NotoSansArabic.ttf"),),
            ("Google",)),
        Family("Frank Ruhl Libre", (
            Font(TEXT, "normal", "300 900", frank / "FrankRuhlLibre[wght].ttf", "FrankRuhlLibre.ttf"),),
            ("Yanek Iontef",)),
        Family("Heebo", (Font(DISPLAY, "normal", "100 900", heebo / "Heebo[wght].ttf", "Heebo.ttf"),),
               ("Oded Ezer",)),
        Family("Noto Sans CJK JP", (Font(TEXT, "normal", "400", cjk / "NotoSansCJKjp-Regular.otf",
                                         "NotoSansCJKjp-Regular.otf"),),
               ("Google", "Adobe")),
        # Source Sans 3's monospaced sibling: Latin, Greek, Cyrillic and box drawing, so that program
        # output prints as typed.
        Family("Source Code Pro", (Font(CODE, "normal", "200 900", mono / "SourceCodePro[wght].ttf",
                                        "SourceCodePro.ttf"),), ("Paul D. Hunt, Adobe",)),
        # The math face with its MATH table, as ziamath ships it (print draws formulas from it; the
        # EPUB and the web edition give it to MathML).
        Family("STIX Two Math", (Font(MATH, "normal", "400", stix / "STIXTwoMath-Regular.ttf",
                                      "STIXTwoMath.ttf"),), ("the STIX Fonts project",)),
    )
    return {family.name: family for family in table}


DEFAULT_TEXT = "EB Garamond"
DEFAULT_DISPLAY = "Source Sans 3"
DEFAULT_CODE = "Source Code Pro"
MATH_FAMILY = "STIX Two Math"

FALLBACKS = {TEXT: ("Source Sans 3", "Amiri", "Frank Ruhl Libre", "Noto Sans CJK JP"),
             DISPLAY: ("Source Sans 3", "EB Garamond", "Noto Sans Arabic", "Heebo", "Noto Sans CJK JP"),
             CODE: ("Source Sans 3", "EB Garamond", "Noto Sans Arabic", "Heebo", "Noto Sans CJK JP"),
             MATH: ()}
"""For each role, the families that stand in for the characters its face lacks, in order: Source
Sans 3 for the few the text face has not (French's narrow no-break space), then a family for each
script. Every other pinned family follows (:func:`chain`). Only those a book's text needs are loaded."""


def chain(role: str, primary: str) -> tuple[str, ...]:
    """The families that stand in for ``primary`` in ``role``, in the order they are asked (the math
    face last: it has the symbols the others lack)."""
    preferred = FALLBACKS[role]
    rest = tuple(name for name in families() if name not in preferred and name != MATH_FAMILY) + (MATH_FAMILY,)
    return tuple(name for name in preferred + rest if name != primary)


def fonts() -> tuple[Font, ...]:
    """The faces of the two roles as a book without ``style:`` fonts has them: EB Garamond for
    text, Source Sans 3 for display; from their PyPI packages."""
    table = families()
    return table[DEFAULT_TEXT].faces + table[DEFAULT_DISPLAY].faces


@functools.lru_cache(maxsize=64)
def cmap(path: Path) -> frozenset[int]:
    """The code points a font file maps to a glyph (kept: the CJK face has 65,000 glyphs): as
    fontTools' ``getBestCmap`` gives them, read by :func:`sfnt_cmap` (fontTools decodes every glyph
    name too, a quarter of a second for the pinned faces; every build asks)."""
    try:
        with open(path, "rb") as fh:
            found = sfnt_cmap(fh)
    except (OSError, struct.error, ValueError):
        found = None
    if found is not None:
        return found
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True, fontNumber=0) as tt:
        return frozenset(tt.getBestCmap() or ())


_CMAP_PREFERENCES = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))
"""fontTools' order of preference among a font's cmap subtables."""


def sfnt_cmap(fh: BinaryIO) -> frozenset[int] | None:
    """The code points the best cmap subtable of an OpenType/TrueType file (the first font of a
    collection) maps to a glyph other than .notdef; None for what it does not read (WOFF, a best
    subtable of a format other than 4 and 12), which fontTools then reads. A file whose offsets
    lead past its end raises ValueError (or ``struct.error``), having read no more than it holds."""
    end = fh.seek(0, 2)

    def read(at: int, size: int) -> bytes:
        if at + size > end:
            raise ValueError("a font table past the end of the file")
        fh.seek(at)
        return fh.read(size)

    base = 0
    tag = read(0, 4)
    if tag == b"ttcf":
        base = struct.unpack(">I", read(12, 4))[0]
        tag = read(base, 4)
    if tag not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
        return None
    count = struct.unpack(">H", read(base + 4, 2))[0]
    directory = read(base + 12, 16 * count)
    where = next((struct.unpack(">II", directory[i + 8:i + 16]) for i in range(0, len(directory), 16)
                  if directory[i:i + 4] == b"cmap"), None)
    if where is None:
        return None
    table = read(*where)
    subtables = {}
    for i in range(struct.unpack(">H", table[2:4])[0]):
        platform, encoding, offset = struct.unpack(">HHI", table[4 + 8 * i:12 + 8 * i])
        subtables.setdefault((platform, encoding), offset)
    best = next((subtables[key] for key in _CMAP_PREFERENCES if key in subtables), None)
    if best is None:
        return frozenset()
    fmt = struct.unpack(">H", table[best:best + 2])[0]
    if fmt == 4:
        return _format_4(table[best:best + struct.unpack(">H", table[best + 2:best + 4])[0]])
    if fmt == 12:
        return _format_12(table[best:best + struct.unpack(">I", table[best + 4:best + 8])[0]])
    return None


def _format_4(data: bytes) -> frozenset[int]:
    """Segments of 16-bit codes; a code whose glyph works out to 0 is not mapped; the last
    segment (0xFFFF) is not read."""
    words = array.array("H", data[14:])
    if sys.byteorder != "big":
        words.byteswap()
    n = struct.unpack(">H", data[6:8])[0] // 2
    if len(words) < 4 * n + 1:
        raise ValueError("cmap format 4: more segments than the subtable holds")
    ends, starts = words[:n], words[n + 1:2 * n + 1]
    deltas, offsets, glyphs = words[2 * n + 1:3 * n + 1], words[3 * n + 1:4 * n + 1], words[4 * n + 1:]
    codes: set[int] = set()
    for i in range(n - 1):
        start, end, delta = starts[i], ends[i], deltas[i]
        if offsets[i] == 0:
            codes.update(range(start, end + 1))
            if start <= (-delta) & 0xFFFF <= end:
                codes.discard((-delta) & 0xFFFF)  # the code whose glyph is 0
            continue
        partial = offsets[i] // 2 - start + i - n
        for code in range(start, end + 1):
            index = code + partial
            if not 0 <= index < len(glyphs):
                raise ValueError("cmap format 4: glyph index out of range")
            if glyphs[index] and (glyphs[index] + delta) & 0xFFFF:
                codes.add(code)
    return frozenset(codes)


def _format_12(data: bytes) -> frozenset[int]:
    """Groups of consecutive codes and glyphs, clamped to U+10FFFF; an inverted group, or one that
    starts before the last ended, is skipped; a group starting at glyph 0 maps from its second code."""
    count = struct.unpack(">I", data[12:16])[0]
    if len(data) < 16 + 12 * count:
        raise ValueError("cmap format 12: more groups than the subtable holds")
    groups = array.array("I", data[16:16 + 12 * count])
    if sys.byteorder != "big":
        groups.byteswap()
    codes: set[int] = set()
    last = 0
    for i in range(0, len(groups), 3):
        start, end, glyph = groups[i], min(groups[i + 1], 0x10FFFF), groups[i + 2]
        if start > end or start < last:
            continue
        last = end
        codes.update(range(start + (glyph == 0), end + 1))
    return frozenset(codes)


def math_font() -> Font:
    """The face of MathML in the EPUB and the web edition."""
    return families()[MATH_FAMILY].faces[0]


def roots() -> tuple[Path, ...]:
    """The folders of the pinned font files (what the print layout may read besides the book)."""
    return tuple(sorted({face.path.parent for family in families().values() for face in family.faces}))


FONT_CREDITS = "EB Garamond (Georg Duffner and Octavio Pardo) and Source Sans 3 (Paul D. Hunt, Adobe)"
"""The colophon of a book set in the default faces alone (:func:`book.render.faces.plan` names
the faces of each book)."""
