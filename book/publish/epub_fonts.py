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

from ..fonts import CODE, DISPLAY, MATH, TEXT, Font
from ..render.faces import Plan
from ..staging import write_atomic

FORMAT = 3
"""Bump when the way fonts are made changes, so old cache entries are not used."""

SCRIPT_FEATURES = ("init", "medi", "fina", "isol", "rlig", "calt", "curs", "rclt", "vert", "vrt2", "palt")
"""What other scripts need to be set at all: Arabic's joining forms and required ligatures, CJK's
vertical and proportional forms. Absent from the Latin faces, so it costs them nothing."""
TEXT_FEATURES = ("kern", "liga", "ccmp", "locl", "mark", "mkmk", "smcp", "c2sc", "onum", "lnum", "pnum", "tnum",
                 *SCRIPT_FEATURES)
"""OpenType features the text face keeps: kerning and ligatures, combining accents (the book's
Russian carries stress marks), small capitals for abbreviations, figure styles."""
DISPLAY_FEATURES = ("kern", "liga", "ccmp", "locl", "mark", "mkmk", *SCRIPT_FEATURES)


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
    Face(TEXT, "normal", 400, "BookGaramond-Regular.ttf", TEXT_FEATURES),
    Face(TEXT, "italic", 400, "BookGaramond-Italic.ttf", TEXT_FEATURES),
    Face(TEXT, "normal", 600, "BookGaramond-SemiBold.ttf", TEXT_FEATURES),
    Face(DISPLAY, "normal", 600, "BookSans-SemiBold.ttf", DISPLAY_FEATURES),
    Face(CODE, "normal", 400, "BookCode-Regular.ttf", DISPLAY_FEATURES),
    # STIX Two Math for MathML, in books that have formulas (its MATH table kept by the subsetter).
    Face(MATH, "normal", 400, "BookMath-Regular.ttf", ("ssty", "flac", "dtls", "kern", "ccmp", "mark")),
)
BOLD_TEXT = FACES[2]
"""Only bold text (``strong``, ``b``, table heads) needs it: left out of books without any."""


@dataclass(frozen=True)
class EbookFont:
    """A font file of the EPUB, as the stylesheet's @font-face rules need it."""

    family: str
    style: str
    weight: str
    name: str
    data: bytes
    unicode_range: str = ""
    """For a script fallback: the characters it serves (the stylesheet's ``unicode-range``)."""


def _weights(font: Font) -> tuple[float, float]:
    low, _, high = font.weight.partition(" ")
    return float(low), float(high or low)


def _source(face: Face, faces: list[Font]) -> Font | None:
    """The file of the book's plan that ``face`` is made from: its role's face of that style whose
    weights hold the weight (a variable font is pinned to it); a static face of another weight
    of the role stands in, as a reading system would take it."""
    mine = [f for f in faces if f.family == face.family and f.style == face.style]
    for font in mine:
        low, high = _weights(font)
        if low <= face.weight <= high:
            return font
    return min(mine, key=lambda f: abs(_weights(f)[0] - face.weight), default=None)


def ebook_fonts(texts: list[str], cache: Path, plan: Plan) -> tuple[EbookFont, ...]:
    """The fonts for an EPUB whose documents (and stylesheet) are ``texts``: each role's face pinned
    to the weights the stylesheet uses and subset to the book, and each script fallback of the
    book's plan (:mod:`book.render.faces`) subset to the characters it serves."""
    chars = set()
    for text in texts:
        chars.update(text)
    for c in list(chars):  # text-transform: uppercase ("ß" becomes "SS")
        chars.update(c.upper() + c.lower())
    chars.update("0123456789\u2019\u2018\u201c\u201d\u2013\u2014\u2026\u00a0")
    unicodes = sorted(ord(c) for c in chars if not (0xD800 <= ord(c) <= 0xDFFF))
    bold = any(tag in text for text in texts for tag in ("<strong", "<b>", "<b ", "<th", "<dt"))
    own = [f for f in plan.faces if not f.unicode_range]
    out: list[EbookFont] = []
    used: set[str] = set()
    subsets: dict[tuple, bytes] = {}

    def made(face: Face, source: Font, points: list[int]) -> bytes:
        key = _key(face, source, points)
        cached = cache / f"{key}.ttf"
        if cached.is_file():
            data = cached.read_bytes()
        else:
            data = _make(face, source, points, subsets)
            write_atomic(cached, data)
        used.add(cached.name)
        return data

    # The stand-ins first: a reading system without unicode-range takes the role's own face, declared last.
    for font in plan.faces:
        if not font.unicode_range or (not bold and _weights(font)[0] > 500):
            continue
        weight = 600 if font.role == DISPLAY else 400
        low, high = _weights(font)
        face = Face(font.role or font.family, font.style, int(min(max(weight, low), high)),
                    f"{Path(font.name).stem}.ttf", TEXT_FEATURES)
        points = sorted(plan.serves(font.name) or ())
        # Declared with the weight of the role's face it stands beside (see book.render.faces).
        out.append(EbookFont(face.family, face.style, str(face.weight), face.name, made(face, font, points),
                             font.unicode_range))
    for face in FACES:
        if face is BOLD_TEXT and not bold:
            continue
        source = _source(face, own)
        if source is None:
            continue
        out.append(EbookFont(face.family, face.style, str(face.weight), face.name, made(face, source, unicodes)))
    for old in cache.glob("*.ttf") if cache.is_dir() else ():
        if old.name not in used:
            old.unlink(missing_ok=True)
    return tuple(out)


def _key(face: Face, source: Font, unicodes: list[int]) -> str:
    import fontTools

    h = hashlib.sha256()
    h.update(repr((FORMAT, fontTools.version, face, source.name, source.family)).encode())
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
        font = TTFont(str(source.path), recalcTimestamp=False, lazy=True, fontNumber=0)
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
        if "wght" in axes:
            axes["wght"] = face.weight
        font = instancer.instantiateVariableFont(font, axes, inplace=True)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
