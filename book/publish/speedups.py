"""Costs of laying out and writing a PDF with WeasyPrint 70 that grow faster than the book, removed.

Each replaces a WeasyPrint or pydyf internal with code that does the same
work in less time (``tests/test_perf_means.py`` checks that it is the same);
:func:`install` applies them once per process, before the first PDF is written.

**Embedded fonts.** For each variable face it embeds, WeasyPrint subsets the
font keeping every glyph id (the page content refers to glyphs by their id
in the original font) and then asks fontTools' instancer for a static
instance at the face's weight. Both steps walk every glyph of the font —
some 3,200 in EB Garamond, of which a book uses a few hundred — and together
they were a third of writing the sample book's PDF. Here the subset keeps only
the glyphs used, in a compact font, the instancer pins that small font, and the
result is spread back over the original glyph ids (empty glyphs elsewhere,
trailing ones dropped, as fontTools' ``retain_gids`` does). The outlines and
advance widths are the instancer's own, glyph for glyph. The cleaned font is
kept on the ``Font`` object, so the archival PDF, written from the same layout
after the print PDF, reuses it instead of cleaning again.

**Page references.** ``pydyf.PDF.page_references`` rebuilds the tuple of all
page references on every access, and WeasyPrint's tagging reads it once per
tagged element: pages × elements, a fifth of writing a 550-page PDF and
quadratic beyond. It is cached here until a page is added.

**Garbage collection.** A layout is millions of small objects (boxes, styles,
Pango wrappers) that live until the PDF is written and hold no reference
cycles worth collecting; Python's cyclic collector still walks all of them at
every full collection, more often the bigger the book. :func:`collector_paused`
turns it off while WeasyPrint works: the 10× book's layout went from 26.2 s to
21.1 s with the same peak memory (``bench/floor.py``'s HTML, one process each).

**Finding the libraries.** WeasyPrint opens Pango, HarfBuzz, fontconfig and
GObject by trying each one's names for every platform in turn; cffi hands every
name that is not a file to ``ctypes.util.find_library``, which on Linux asks
``ldconfig -p`` and then, when that knows no such library, runs ``gcc`` and
``ld`` to look for it. Sixteen of the names tried are Windows or macOS names
that nothing finds: 0.3 s of subprocesses in every process that imports
WeasyPrint, a twentieth of the sample book's PDF. :func:`import_weasyprint`
imports it with the lookup limited to ``ldconfig``'s cache (0.05 s). The libraries it
loads are the same: each is found there under its Linux name, and any name
the cache does not know is a soname the dynamic loader opens on its own.
"""

from __future__ import annotations

import gc
import io
import sys
from contextlib import contextmanager

from .fontsubset import _DROP

_installed = False
WEASYPRINT_CLEAN = None
"""WeasyPrint's own ``Font.clean``, once :func:`install` has replaced it (tests compare the two)."""
PYDYF_PAGE_REFERENCES = None
"""pydyf's own ``PDF.page_references`` property, once replaced."""


def import_weasyprint():
    """``import weasyprint``, with the library lookup limited to ``ldconfig``'s cache (above)."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import ctypes.util
    from_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)  # CPython on Linux and the BSDs
    if from_cache is None:
        import weasyprint
        return weasyprint
    original = ctypes.util.find_library
    ctypes.util.find_library = from_cache
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = original
    return weasyprint


def install() -> None:
    """Patch WeasyPrint's font cleaning and pydyf's page references (idempotent)."""
    global _installed, WEASYPRINT_CLEAN, PYDYF_PAGE_REFERENCES
    if _installed:
        return
    import pydyf
    from weasyprint.pdf import fonts

    original_clean = WEASYPRINT_CLEAN = fonts.Font.clean
    PYDYF_PAGE_REFERENCES = pydyf.PDF.page_references

    def clean(self, to_unicode, hinting):
        special = (self.png or self.svg or self.colr or not to_unicode or "glyf" not in self.tables
                   or _unnamed(self) or bool(self.missing))
        if getattr(self, "_book_placeholder", False) and not special:
            # A layout job's piece (book/publish/piece.py): the join embeds the face once, for every piece.
            if not hasattr(self, "_book_original"):
                self._book_original = self.file_content
            self.file_content = b""
            return
        if getattr(self, "_book_placeholder", False):
            self._book_kept = True  # cleaned here: the piece keeps its own copy (book/publish/join.py)
        if self.png or self.svg or self.colr or not to_unicode or "glyf" not in self.tables or _unnamed(self):
            original = self.file_content
            original_clean(self, to_unicode, hinting)  # bitmap, colour or CFF fonts: WeasyPrint's way
            self.file_content = unstamped(self.file_content, original, self.index)
            return
        if not hasattr(self, "_book_original"):
            self._book_original = self.file_content
        key = (tuple(sorted(to_unicode)), bool(hinting), tuple(sorted(self.missing)))
        done = getattr(self, "_book_cleaned", None)
        if done is None or done[0] != key:
            variations = instance_location(self) if "fvar" in self.tables else {}
            done = (key, clean_font(self._book_original, self.index, to_unicode, variations, hinting,
                                    bool(self.missing)))
            self._book_cleaned = done
        self.file_content = done[1]

    fonts.Font.clean = clean
    pydyf.PDF.page_references = property(_page_references)
    _installed = True


def _unnamed(font) -> bool:
    """Whether a font stores no glyph names (``post`` format 3, as Amiri): fontTools then names the
    glyphs after their ids, which subsetting changes, so their original ids cannot be found again
    by name. WeasyPrint's own cleaning takes those."""
    if not hasattr(font, "_book_unnamed"):
        from fontTools.ttLib import TTFont

        source = getattr(font, "_book_original", font.file_content)
        tt = TTFont(io.BytesIO(source), fontNumber=font.index, lazy=True)
        font._book_unnamed = "post" in tt and tt["post"].formatType == 3.0
    return font._book_unnamed


def unstamped(data: bytes, original: bytes, index: int) -> bytes:
    """``data``, a font fontTools wrote from ``original``, with the original's modification time
    in its ``head`` table instead of the clock's: fontTools stamps the time of writing into every
    font it saves unless told not to (WeasyPrint's own cleaning does not tell it), and a PDF
    embedding that font would differ from one build to the next."""
    from fontTools.ttLib import TTFont

    if data == original:
        return data
    font = TTFont(io.BytesIO(data), fontNumber=index, lazy=True, recalcTimestamp=False)
    source = TTFont(io.BytesIO(original), fontNumber=index, lazy=True)
    if "head" not in font or "head" not in source or font["head"].modified == source["head"].modified:
        return data
    font["head"].modified = source["head"].modified
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the block (as it was before, after it);
    reference counting still frees everything that is not part of a cycle."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def instance_location(font) -> dict[str, float]:
    """Where on its axes WeasyPrint pins a variable face: its explicit variations, else the
    weight, the size as optical size, the slant and italic of its style (as ``Font.clean`` does)."""
    from fontTools.ttLib import TTFont

    original = getattr(font, "_book_original", font.file_content)
    axes = {axis.axisTag: axis for axis in TTFont(io.BytesIO(original), fontNumber=font.index,
                                                  lazy=True)["fvar"].axes}
    location = dict(font.variations)
    if "wght" in axes and "wght" not in location:
        location["wght"] = font.weight
    if "opsz" in axes and "opsz" not in location:
        location["opsz"] = font.font_size
    if "slnt" in axes and "slnt" not in location:
        slnt = 0
        if font.style == 1:
            slnt = axes["slnt"].minValue if axes["slnt"].maxValue == 0 else axes["slnt"].maxValue
        location["slnt"] = slnt
    if "ital" in axes and "ital" not in location:
        location["ital"] = int(font.style == 2)
    return location


def clean_font(data: bytes, index: int, gids, location: dict[str, float], hinting: bool,
               notdef_outline: bool) -> bytes:
    """The embedded font for glyph ids ``gids`` of the font ``data``: a static instance at
    ``location`` (none for a static font), every glyph at its original id."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables import _g_l_y_f
    from fontTools.varLib.instancer import instantiateVariableFont

    font = TTFont(io.BytesIO(data), fontNumber=index, lazy=True, recalcTimestamp=False)
    order = font.getGlyphOrder()
    used = [g for g in gids if g < len(order)]
    for tag in _DROP:  # text is shaped already; WeasyPrint drops these from embedded fonts anyway
        if tag in font:
            del font[tag]
    options = subset.Options(
        retain_gids=False, passthrough_tables=True, ignore_missing_glyphs=True, hinting=hinting,
        desubroutinize=True, notdef_outline=notdef_outline, layout_closure=False,
        recalc_timestamp=False, name_IDs=["*"], name_languages=["*"])
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=used)
    subsetter.subset(font)
    if location and "fvar" in font:
        font = instantiateVariableFont(font, location, static=True)
    # Back to the original glyph ids: the compact font's glyphs (those used and the components
    # of composite ones) keep their names. Glyphs after the last of them are dropped.
    glyf, hmtx = font["glyf"], font["hmtx"]
    position = {name: i for i, name in enumerate(order)}
    order = order[: max(position[name] for name in glyf.glyphs) + 1]
    glyphs = {name: glyf.glyphs[name] if name in glyf.glyphs else _g_l_y_f.Glyph() for name in order}
    metrics = {name: hmtx.metrics.get(name, (0, 0)) for name in order}
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    hmtx.metrics = metrics
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _page_references(pdf) -> tuple[bytes, ...]:
    """pydyf's ``page_references``, rebuilt only when a page was added since the last call."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_book_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_book_page_references"] = cached
    return cached[1]
