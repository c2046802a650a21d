"""Which characters the pinned text faces cannot show.

A character missing from the pinned fonts does not fail in WeasyPrint: Pango
quietly takes the glyph from whatever font the machine has (DejaVu, Noto …),
so the book prints differently on every machine and the PDF embeds a font we
never chose. We look the characters up in the fonts' own character maps
(fontTools, the same files :func:`book.render.fonts` hands the templates) and
refuse them with the file and line where the author typed them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from ..errors import BookError

TEXT_FAMILY = "Book Garamond"
"""The text face's family name in :func:`book.render.fonts`."""


@functools.lru_cache(maxsize=1)
def _covered_code() -> frozenset[int]:
    """Code points the code face maps, with the text face's (the stylesheet's fallback for code)."""
    from fontTools.ttLib import TTFont

    from ..fonts import code_font

    with TTFont(code_font().path, lazy=True) as tt:
        return frozenset(tt.getBestCmap()) | _covered()


@functools.lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Code points that some style of the text face maps to a glyph. (The italic lacks a few
    the upright has, such as superscript figures; the shaper then takes the upright's.)"""
    from fontTools.ttLib import TTFont

    from ..fonts import fonts

    sets = []
    for font in fonts():
        if font.family != TEXT_FAMILY:
            continue
        with TTFont(font.path, lazy=True) as tt:
            sets.append(frozenset(tt.getBestCmap()))
    return frozenset().union(*sets)


def _invisible(char: str) -> bool:
    """Characters that need no glyph: line ends, tabs, format and other default-ignorable
    characters (soft hyphen, zero-width joiners, variation selectors) that the shaper drops."""
    if char in "\n\r\t\f\v":
        return True
    category = unicodedata.category(char)
    return category in ("Cc", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


def uncovered(text: str, code: bool = False) -> list[str]:
    """The characters of ``text`` (in order of first appearance) that none of the pinned
    text faces (with ``code``, nor the code face) can render."""
    covered = _covered_code() if code else _covered()
    out: list[str] = []
    seen: set[str] = set()
    for char in text:
        if char in seen:
            continue
        seen.add(char)
        if ord(char) not in covered and not _invisible(char):
            out.append(char)
    return out


def describe(char: str) -> str:
    """``'ぁ' (U+3041 HIRAGANA LETTER SMALL A)``."""
    name = unicodedata.name(char, "unnamed character")
    return f"'{char}' (U+{ord(char):04X} {name})"


def locate(path: Path, char: str) -> tuple[int, int]:
    """1-based line and column of the first ``char`` in the file, or (0, 0)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0, 0
    at = text.find(char)
    if at < 0:
        return 0, 0
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


_CODE = re.compile(r"(?is)<(pre|code)\b.*?</\1>")


def printed_text(html: str) -> str:
    """The text a reader will see in an HTML document: the body's text and its running-head
    attributes (``data-running``, printed through ``string-set``), not the head or the markup,
    nor code (:func:`code_text`) or formulas (drawn as outlines by the math face)."""
    import html as htmllib

    body = re.sub(r"(?is)<head\b.*?</head>|<style\b.*?</style>|<script\b.*?</script>|<svg\b.*?</svg>", " ", html)
    body = _CODE.sub(" ", body)
    running = " ".join(re.findall(r'data-running="([^"]*)"', body))
    return htmllib.unescape(re.sub(r"<[^>]*>", " ", body) + " " + running)


def code_text(html: str) -> str:
    """The text of the code in an HTML document."""
    import html as htmllib

    return htmllib.unescape(" ".join(re.sub(r"<[^>]*>", "", m.group(0)) for m in _CODE.finditer(html)))


def check_printed(html: str, sources: list[Path], fallback: Path) -> None:
    """Raise a BookError for the first character of the rendered ``html`` that the fonts lack,
    at the first place the author typed it: the first of ``sources`` (the book's files in
    reading order) that holds it, else ``fallback`` (book.yaml) without a line."""
    missing = uncovered(printed_text(html))
    missing += [c for c in uncovered(code_text(html), code=True) if c not in missing]
    if not missing:
        return
    char = missing[0]
    where: tuple[Path, int, int] = (fallback, 0, 0)
    for path in sources:
        line, column = locate(path, char)
        if line:
            where = (path, line, column)
            break
    others = ""
    if len(missing) > 1:
        shown = ", ".join(describe(c) for c in missing[1:4])
        others = f"; nor for {shown}{' …' if len(missing) > 4 else ''}"
    raise BookError(
        f"the book's fonts have no glyph for {describe(char)}{others}",
        *where,
        hint="replace the character or write it another way (an image for a symbol, a "
             "transliteration for another script): a missing glyph would be taken from whatever "
             "font the printing machine happens to have",
        rule="font-coverage")
