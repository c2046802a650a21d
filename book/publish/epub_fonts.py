"""The EPUB's fonts: static instances of the pinned variable fonts, subset to the book.

Our pinned faces are variable fonts. Apple Books draws them well, but Adobe's
RMSDK (Kobo's and many other readers' EPUB engine) and Kindle conversion take
only the default instance, so a semibold heading would come out regular or
smeared by synthetic bold. Each face the stylesheet uses is therefore pinned
to a static instance (fontTools' instancer) after being subset to the
characters of the book — subsetting first makes instancing fast, and shrinks
the EPUB from megabytes of fonts to about 200 KB.

Instancing still takes a second or two per face, so results are kept in
``<out>/.cache/fonts/`` under a hash of everything that determines them; the
cached bytes are the bytes we would make, so the EPUB is the same either way.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from ..fonts import Font, all_fonts
from ..staging import write_atomic

FORMAT = 1
"""Bump when the way fonts are made changes, so old cache entries are not used."""

TEXT_FEATURES = ("kern", "liga", "ccmp", "locl", "mark", "mkmk", "smcp", "c2sc", "onum", "lnum", "pnum", "tnum")
"""OpenType features the text face keeps: kerning and ligatures, combining accents (the book's
Russian carries stress marks), small capitals for abbreviations, figure styles."""
DISPLAY_FEATURES = ("kern", "liga", "ccmp", "locl", "mark", "mkmk")


@dataclass(frozen=True)
class Face:
    """One face the stylesheet declares."""

    family: str
    style: str
    weight: int
    name: str
    """File name inside the EPUB (``fonts/<name>``)."""
    features: tuple[str, ...]


FACES = (
    Face("Book Garamond", "normal", 400, "BookGaramond-Regular.ttf", TEXT_FEATURES),
    Face("Book Garamond", "italic", 400, "BookGaramond-Italic.ttf", TEXT_FEATURES),
    Face("Book Garamond", "normal", 600, "BookGaramond-SemiBold.ttf", TEXT_FEATURES),
    Face("Book Sans", "normal", 600, "BookSans-SemiBold.ttf", DISPLAY_FEATURES),
)
BOLD_TEXT = FACES[2]
"""Only bold text (``strong``, ``b``, table heads) needs it: left out of books without any."""
CODE = Face("Book Mono", "normal", 400, "BookMono-Regular.ttf", DISPLAY_FEATURES)
"""Code's face, in books that have code."""
MATH = Face("Book Math", "normal", 400, "BookMath-Regular.ttf", ("ssty", "flac", "dtls", "kern", "ccmp", "mark"))
"""STIX Two Math for MathML, in books that have formulas (its MATH table kept by the subsetter)."""


@dataclass(frozen=True)
class EbookFont:
    """A font file of the EPUB, as the stylesheet's @font-face rules need it."""

    family: str
    style: str
    weight: str
    name: str
    data: bytes


def ebook_fonts(texts: list[str], cache: Path) -> tuple[EbookFont, ...]:
    """The fonts for an EPUB whose documents (and stylesheet) are ``texts``."""
    chars = set()
    for text in texts:
        chars.update(text)
    for c in list(chars):  # text-transform: uppercase ("ß" becomes "SS")
        chars.update(c.upper() + c.lower())
    chars.update("0123456789\u2019\u2018\u201c\u201d\u2013\u2014\u2026\u00a0")
    unicodes = sorted(ord(c) for c in chars if not (0xD800 <= ord(c) <= 0xDFFF))
    bold = any(tag in text for text in texts for tag in ("<strong", "<b>", "<b ", "<th", "<dt"))
    code = any("<code" in text or "<kbd" in text or "<samp" in text for text in texts)
    math = any("<math" in text for text in texts)
    sources = {(f.family, f.style): f for f in all_fonts()}
    out: list[EbookFont] = []
    used: set[str] = set()
    subsets: dict[tuple, bytes] = {}
    for face in (*FACES, CODE, MATH):
        if (face is BOLD_TEXT and not bold) or (face is CODE and not code) or (face is MATH and not math):
            continue
        source = sources[(face.family, face.style)]
        key = _key(face, source, unicodes)
        cached = cache / f"{key}.ttf"
        if cached.is_file():
            data = cached.read_bytes()
        else:
            data = _make(face, source, unicodes, subsets)
            write_atomic(cached, data)
        used.add(cached.name)
        out.append(EbookFont(face.family, face.style, str(face.weight), face.name, data))
    for old in cache.glob("*.ttf") if cache.is_dir() else ():
        if old.name not in used:
            old.unlink(missing_ok=True)
    return tuple(out)


def _key(face: Face, source: Font, unicodes: list[int]) -> str:
    import fontTools

    h = hashlib.sha256()
    h.update(repr((FORMAT, fontTools.version, face, source.name)).encode())
    h.update(hashlib.sha256(source.path.read_bytes()).digest())
    h.update(",".join(map(str, unicodes)).encode())
    return h.hexdigest()[:32]


def _make(face: Face, source: Font, unicodes: list[int], subsets: dict[tuple, bytes]) -> bytes:
    """Subset the variable font (once per font and feature set), then pin its instance."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    key = (source.name, face.features)
    if key not in subsets:
        font = TTFont(str(source.path), recalcTimestamp=False, lazy=True)
        options = subset.Options(layout_features=list(face.features), name_IDs=["*"], name_languages=["*"],
                                 notdef_outline=True, recalc_timestamp=False, hinting=False, glyph_names=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        subsets[key] = buffer.getvalue()
    font = TTFont(io.BytesIO(subsets[key]), recalcTimestamp=False)
    if "fvar" in font:
        axes = {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes}
        axes["wght"] = face.weight
        font = instancer.instantiateVariableFont(font, axes, inplace=True)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
