"""One font subsetter on every machine, and a fast one.

WeasyPrint subsets embedded fonts with HarfBuzz when the system has
libharfbuzz-subset and with fontTools otherwise, so the same book gave
different PDF bytes on different machines. We always use fontTools, and drop
the layout tables (GSUB, GPOS, …) before subsetting rather than after:
WeasyPrint drops them from the embedded font anyway (text is already shaped
and glyph ids are kept), and decompiling them was most of the PDF writing time.
"""

from __future__ import annotations

import io

_DROP = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "DSIG", "SVG ", "STAT", "MATH", "kern", "morx", "feat")
_installed = False


def install() -> None:
    """Replace WeasyPrint's font subsetting (idempotent)."""
    global _installed
    if _installed:
        return
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from weasyprint.pdf import fonts

    def subset_font(self, to_unicode, hinting):
        if not to_unicode:
            return
        # WeasyPrint replaces file_content by the subset (and then by a static instance of a
        # variable font); a layout written twice (print and archival PDF) must start again
        # from the original file each time, or the second write finds no 'fvar' table.
        if not hasattr(self, "_book_original"):
            self._book_original = self.file_content
        font = TTFont(io.BytesIO(self._book_original), fontNumber=self.index, lazy=True, recalcTimestamp=False)
        for tag in _DROP:
            if tag in font:
                del font[tag]
        options = subset.Options(
            retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True, hinting=hinting,
            desubroutinize=True, notdef_outline=bool(self.missing), layout_closure=False,
            recalc_timestamp=False, name_IDs=["*"], name_languages=["*"])
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=to_unicode)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        self.file_content = out.getvalue()

    fonts.Font.subset = subset_font
    _installed = True
