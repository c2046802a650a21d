"""Which characters no face of the book can show.

A character missing from the book's fonts does not fail in WeasyPrint: Pango
quietly takes the glyph from whatever font the machine has (DejaVu, Noto …),
so the book prints differently on every machine and the PDF embeds a font we
never chose. We look the characters up in the fonts' own character maps — the
book's ``fonts:`` and every pinned family, script fallbacks included
(:mod:`book.render.faces`) — and refuse the rest with the file and line where
the author typed them, naming the character's script and how to add a font.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import BookError
from ..model import Metadata
from .faces import invisible
from .faces import uncovered as uncovered_points

ADD_FONT = ("add a font that has it: put its .ttf or .otf file in the book folder and list it under "
            "'fonts:' in book.yaml (README, 'Fonts'); or write the character another way")


def uncovered(text: str, meta: Metadata) -> list[str]:
    """The characters of ``text`` (in order of first appearance) that no face of the book can show."""
    chars = [c for c in dict.fromkeys(text) if not invisible(c)]
    missing = uncovered_points({ord(c) for c in chars}, meta)
    return [c for c in chars if ord(c) in missing]


def describe(char: str) -> str:
    """``'ꦲ' (U+A9B2 JAVANESE LETTER HA, Javanese script)``."""
    from fontTools.unicodedata import script, script_name

    name = unicodedata.name(char, "unnamed character")
    code = script(char)
    where = f", {script_name(code)} script" if code not in ("Zyyy", "Zinh", "Zzzz") else ""
    return f"'{char}' (U+{ord(char):04X} {name}{where})"


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


def check_printed(html: str, sources: list[Path], fallback: Path, meta: Metadata) -> None:
    """Raise a BookError for the first character of the rendered ``html`` that the fonts lack,
    at the first place the author typed it: the first of ``sources`` (the book's files in
    reading order) that holds it, else ``fallback`` (book.yaml) without a line. (Code is set in
    the code face, with the others behind it: a character no face of the book has is missing there too.)"""
    missing = uncovered(printed_text(html), meta)
    missing += [c for c in uncovered(code_text(html), meta) if c not in missing]
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
        hint=ADD_FONT + ": a missing glyph would be taken from whatever font the printing machine has",
        rule="font-coverage")
