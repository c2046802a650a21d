"""The code points a font maps, read by our own cmap reader, are fontTools' ``getBestCmap``.

Every build asks which characters each pinned face has (the stand-in plan of
:mod:`book.render.faces`, the cover); fontTools decodes a whole cmap with a name
for every glyph, a quarter of a second for the pinned faces, where
:func:`book.fonts.sfnt_cmap` reads the code points alone. fontTools is the
oracle: on every face the builder ships, a book's own font, a collection, and
fonts fontTools builds from random maps (format 4 segments with and without
glyph arrays, format 12 groups beyond the BMP), the two agree.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import FIXTURES
from fuzzing import fuzzed
from hypothesis import given
from hypothesis import strategies as st

from book.fonts import cmap, families, sfnt_cmap


def best_cmap(data: bytes | Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    source = io.BytesIO(data) if isinstance(data, bytes) else str(data)
    with TTFont(source, lazy=True, fontNumber=0) as tt:
        return frozenset(tt.getBestCmap() or ())


FACES = sorted({face.path for family in families().values() for face in family.faces})


@pytest.mark.parametrize("path", [*FACES, FIXTURES / "themed" / "fonts" / "ThemedSans-SemiBold.ttf"],
                         ids=lambda p: p.name)
def test_every_font_a_book_may_use_maps_what_fonttools_says(path: Path):
    with open(path, "rb") as fh:
        ours = sfnt_cmap(fh)
    assert ours is not None, "read by our reader, not left to fontTools"
    assert ours == best_cmap(path)
    assert cmap(path) == ours


def built_font(mapping: dict[int, int], glyphs: int) -> bytes:
    """A TrueType font fontTools builds with ``mapping`` (code point → glyph number) as its cmap."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef", *(f"g{i}" for i in range(1, glyphs))]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({code: names[glyph] for code, glyph in mapping.items()})
    empty = TTGlyphPen(None).glyph()
    fb.setupGlyf({name: empty for name in names})
    fb.setupHorizontalMetrics({name: (500, 0) for name in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupOS2()
    fb.setupPost()
    fb.setupNameTable({"familyName": "Probe", "styleName": "Regular"})
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()


CODES = st.one_of(st.integers(0x20, 0x2FF), st.integers(0x3000, 0x30FF), st.integers(0xE000, 0xFFFD),
                  st.integers(0x1F300, 0x1F6FF), st.integers(0x10000, 0x10FFFD))


@fuzzed(60)
@given(st.dictionaries(CODES, st.integers(0, 40), min_size=1, max_size=300), st.booleans())
def test_built_fonts_map_what_fonttools_says(mapping: dict[int, int], in_order: bool):
    if in_order:  # runs of consecutive codes and glyphs: format 4 deltas, format 12 groups
        mapping = {code: 1 + i % 40 for i, code in enumerate(sorted(mapping))}
    data = built_font(mapping, 41)
    ours = sfnt_cmap(io.BytesIO(data))
    assert ours is not None
    assert ours == best_cmap(data)


def format_4(segments: list[tuple[int, int, int, list[int]]]) -> bytes:
    """A cmap table of one (3, 1) format 4 subtable: (start, end, delta, glyph array or [])."""
    import struct

    segments = [*segments, (0xFFFF, 0xFFFF, 1, [])]
    n = len(segments)
    offsets, array_ = [], []
    for i, (_start, _end, _delta, glyphs) in enumerate(segments):
        offsets.append(2 * (n - i) + 2 * len(array_) if glyphs else 0)
        array_ += glyphs
    words = ([end for _s, end, _d, _g in segments] + [0] + [start for start, _e, _d, _g in segments]
             + [delta & 0xFFFF for _s, _e, delta, _g in segments] + offsets + array_)
    body = struct.pack(">7H", 4, 14 + 2 * len(words), 0, 2 * n, 0, 0, 0)[:14] + struct.pack(f">{len(words)}H", *words)
    body = body[:2] + struct.pack(">H", len(body)) + body[4:]
    return struct.pack(">HHHHI", 0, 1, 3, 1, 12) + body


def test_a_format_4_glyph_array_with_missing_glyphs():
    """Codes whose glyph works out to 0 (in a glyph array, or by a delta) are not mapped."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    with TTFont(io.BytesIO(built_font({0x41: 1}, 41))) as tt:
        table = DefaultTable("cmap")
        table.data = format_4([(0x41, 0x45, 2, [1, 0, 3, 0, 5]), (0x61, 0x63, 10 - 0x61, []),
                               (0x71, 0x73, -0x71, [])])
        tt["cmap"] = table
        out = io.BytesIO()
        tt.save(out)
    data = out.getvalue()
    assert best_cmap(data) == {0x41, 0x43, 0x45, 0x61, 0x62, 0x63, 0x72, 0x73}
    assert sfnt_cmap(io.BytesIO(data)) == best_cmap(data)


def cmap_table(font: bytes) -> tuple[int, int]:
    """Where the cmap table of ``font`` (a single font, not a collection) starts, and its length."""
    import struct

    count = struct.unpack(">H", font[4:6])[0]
    return next(struct.unpack(">II", font[i + 8:i + 16]) for i in range(12, 12 + 16 * count, 16)
                if font[i:i + 4] == b"cmap")


def _subtables(font: bytes) -> dict[tuple[int, int], int]:
    """(platform, encoding) → where each cmap subtable of ``font`` starts."""
    import struct

    at = cmap_table(font)[0]
    return {struct.unpack(">HH", font[at + 4 + 8 * i:at + 8 + 8 * i]):
            at + struct.unpack(">I", font[at + 8 + 8 * i:at + 12 + 8 * i])[0]
            for i in range(struct.unpack(">H", font[at + 2:at + 4])[0])}


def test_a_subtable_that_claims_more_than_it_holds_is_refused():
    """A format 12 subtable with more groups, or a format 4 with more segments, than its bytes
    hold: ValueError (fontTools reads the font then, and says what it says), not an IndexError."""
    import struct

    font = built_font({0x41: 1, 0x1F600: 2}, 3)
    twelve = _subtables(font)[(3, 10)]
    with pytest.raises(ValueError):
        sfnt_cmap(io.BytesIO(font[:twelve + 12] + struct.pack(">I", 1000) + font[twelve + 16:]))
    font = built_font({0x41: 1, 0x42: 2}, 3)  # the BMP only: format 4 subtables alone
    assert (3, 10) not in _subtables(font)
    for at in _subtables(font).values():
        font = font[:at + 6] + struct.pack(">H", 2000) + font[at + 8:]
    with pytest.raises(ValueError):
        sfnt_cmap(io.BytesIO(font))


def test_what_it_does_not_read_is_left_to_fonttools():
    assert sfnt_cmap(io.BytesIO(b"wOF2" + bytes(60))) is None
    with pytest.raises(ValueError):
        sfnt_cmap(io.BytesIO(b"\x00\x01\x00\x00\x00\x05"))  # a table directory cut short
