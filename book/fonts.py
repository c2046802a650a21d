"""The pinned fonts: every face the editions use, from PyPI font packages, never the machine's.

Each face has a family name of our own (never a fontconfig alias such as "Serif",
which would quietly resolve to whatever the machine has): the templates'
``@font-face`` rules, the PDF font check and the EPUB's subsets all take the
faces from :func:`fonts`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Font:
    """A pinned font file, as the templates' @font-face rules need it."""

    family: str
    """Our unique family name (never a fontconfig alias such as "Serif")."""
    style: str
    weight: str
    """A weight range for a variable font, e.g. ``400 800``."""
    path: Path
    name: str
    """File name inside an edition (``fonts/<name>``)."""


@functools.lru_cache(maxsize=1)
def fonts() -> tuple[Font, ...]:
    """The pinned faces: EB Garamond for text, Source Sans 3 for display; from their PyPI packages."""
    import fontpkg_eb_garamond
    import fontpkg_source_sans_3

    serif = Path(fontpkg_eb_garamond.__file__).parent / "files"
    sans = Path(fontpkg_source_sans_3.__file__).parent / "files"
    return (
        Font("Book Garamond", "normal", "400 800", serif / "EBGaramond[wght].ttf", "EBGaramond.ttf"),
        Font("Book Garamond", "italic", "400 800", serif / "EBGaramond-Italic[wght].ttf", "EBGaramond-Italic.ttf"),
        Font("Book Sans", "normal", "200 900", sans / "SourceSans3[wght].ttf", "SourceSans3.ttf"),
        Font("Book Sans", "italic", "200 900", sans / "SourceSans3-Italic[wght].ttf", "SourceSans3-Italic.ttf"),
    )


FONT_CREDITS = "EB Garamond (Georg Duffner and Octavio Pardo) and Source Sans 3 (Paul D. Hunt, Adobe)"

CODE_FAMILY = "Book Mono"
MATH_FAMILY = "Book Math"


@functools.lru_cache(maxsize=1)
def code_font() -> Font:
    """The face for code: Source Code Pro (``fontpkg-source-code-pro``), Source Sans 3's monospaced
    sibling — Latin, Greek, Cyrillic and box drawing, so that program output prints as typed."""
    import fontpkg_source_code_pro

    files = Path(fontpkg_source_code_pro.__file__).parent / "files"
    return Font(CODE_FAMILY, "normal", "200 900", files / "SourceCodePro[wght].ttf", "SourceCodePro.ttf")


@functools.lru_cache(maxsize=1)
def math_font() -> Font:
    """The face for mathematics: STIX Two Math, with its MATH table, as ziamath ships it (print draws
    formulas from it; the EPUB and the web edition give it to MathML)."""
    import importlib.util

    # Found, not imported: importing ziamath costs a build without formulas 50 ms.
    package = Path(importlib.util.find_spec("ziamath").submodule_search_locations[0])
    return Font(MATH_FAMILY, "normal", "400", package / "fonts" / "STIXTwoMath-Regular.ttf", "STIXTwoMath.ttf")


def all_fonts() -> tuple[Font, ...]:
    """Every pinned face: the text faces, code and mathematics."""
    return (*fonts(), code_font(), math_font())


def font_credits(code: bool = False, math: bool = False) -> str:
    """The colophon's fonts: the text faces, and those for code and mathematics when the book has any."""
    extra = [text for used, text in ((code, "Source Code Pro (Paul D. Hunt, Adobe) for code"),
                                     (math, "STIX Two Math (the STIX Fonts project) for mathematics")) if used]
    if not extra:
        return FONT_CREDITS
    names = [FONT_CREDITS.replace(") and Source", "), Source"), *extra]
    return ", ".join(names[:-1]) + " and " + names[-1]
