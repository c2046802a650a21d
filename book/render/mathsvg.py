"""Math in print: each MathML formula drawn as an inline SVG of outlines (ziamath, STIX Two Math).

WeasyPrint does not lay out MathML, but it draws inline SVG as vectors. ziamath
sets MathML with a real math font's MATH table (STIX Two Math, which it ships)
and writes each glyph as a path, so the PDF's formulas are vector, in one
pinned face, and hold no text a reader could copy as ``$``. The SVG is sized in
``em``, so a formula follows the size of the text around it, and lowered by
its depth below the baseline, so that inline math sits on the baseline. Its
``<title>`` is the TeX, which WeasyPrint writes as the alternate text of the
formula's structure element (tagged ``Formula`` by :mod:`book.publish.formulas`).
"""

from __future__ import annotations

import functools
import html
import re

SIZE = 20.0
"""The size ziamath sets at, in SVG units; the SVG is then scaled to the text's ``em``."""
SCALE = 0.88
"""STIX Two's x-height is larger than EB Garamond's: formulas are set a little smaller than the text."""
_MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.S)
_ALTTEXT = re.compile(r'\balttext="([^"]*)"')


@functools.lru_cache(maxsize=4096)
def formula_svg(mathml: str) -> str:
    """The SVG for one ``<math>`` element (kept: a book repeats its symbols)."""
    import ziamath

    ziamath.config.svg2 = False  # plain paths: SVG 2's <symbol>/<use> would repeat ids across the page
    alt = _ALTTEXT.search(mathml)
    title = html.unescape(alt.group(1)) if alt else ""
    display = 'display="block"' in mathml.split(">", 1)[0]
    if not display:
        # ziamath sets a <math> in display style whatever its display attribute says: inline, a sum's
        # limits go beside it (TeX's text style) rather than above and below, opening the lines.
        mathml = mathml.replace("<mrow>", '<mrow displaystyle="false">', 1)
    svg = ziamath.Math(mathml, size=SIZE, title=title or None, margin=0).svg()
    box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', svg)
    if box is None:
        return svg
    _x, y, width, height = (float(v) for v in box.groups())
    depth = y + height  # below the baseline (y = 0)
    em = SIZE / SCALE
    size = (f'width="{width / em:.3f}em" height="{height / em:.3f}em" '
            f'style="vertical-align:{-depth / em:.3f}em"')
    role = "math-display" if display else "math"
    svg = re.sub(r'\swidth="[^"]*" height="[^"]*"', "", svg, count=1)
    return svg.replace("<svg ", f'<svg class="{role}" role="img" {size} ', 1)


def svg_math(fragment: str) -> str:
    """An XHTML fragment with every MathML formula replaced by its SVG."""
    if "<math" not in fragment:
        return fragment
    return _MATH.sub(lambda m: formula_svg(m.group(0)), fragment)
