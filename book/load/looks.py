"""The files that give a book its own look, checked when it is loaded: its fonts and stylesheets.

A font must be a TrueType or OpenType file inside the book whose licence allows embedding
(its OS/2 ``fsType``); its family, style and weight are read from the file unless book.yaml
gives them. A stylesheet must be inside the book, and everything it names with ``url()`` too:
no address on the network, no ``local()`` font of the machine, no path that leaves the book,
no ``@import`` (list every stylesheet under ``css:``). Each refusal names the stylesheet's
line and column.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Callable

from ..confine import inside, read_text
from ..errors import BookError
from ..model import BookFont, Style, StyleSheet
from .checker import suggest
from .style import PINNED_FAMILIES
from .yamlsrc import Located

URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)""", re.I)
"""A ``url()`` of CSS, its address in one of the three groups."""
_REFUSED = re.compile(r"@import\b|\blocal\(|\bexpression\(|\bimage-set\(|</", re.I)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
FONT_SUFFIXES = (".ttf", ".otf")
MAX_DATA_URL = 64 * 1024
"""The longest ``data:`` URL a stylesheet may hold (a small ornament, not a smuggled image)."""


def _position(text: str, at: int) -> tuple[int, int]:
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _blank_comments(text: str) -> str:
    """The CSS with its comments blanked out, every line and column where it was."""
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def style_sheets(root: Path, doc: Located, entries, errors: list[BookError]) -> tuple[StyleSheet, ...]:
    """Every stylesheet ``css:`` names, read and checked; a problem for each one that is not right."""
    sheets: list[StyleSheet] = []
    for rel, editions, where in entries:
        line, col = doc.where(where)
        try:
            path = inside(root, rel, doc.file, line, col, "stylesheet")
        except BookError as exc:
            errors.append(exc)
            continue
        if not path.is_file():
            errors.append(BookError(f"stylesheet '{rel}' does not exist", doc.file, line, col,
                                    "paths are relative to the folder holding book.yaml", rule="missing-file"))
            continue
        try:
            text = read_text(path, path, what="stylesheet")
            urls = check_css(root, path, text)
        except BookError as exc:
            errors.append(exc)
            continue
        sheets.append(StyleSheet(path, path.relative_to(root).as_posix(), editions, text, urls))
    return tuple(sheets)


def check_css(root: Path, path: Path, text: str) -> tuple[str, ...]:
    """The book files a stylesheet's ``url()``s name (relative to the book); a BookError at the
    line and column of the first address that is not one."""
    scanned = _blank_comments(text)
    refused = _REFUSED.search(scanned)
    if refused:
        what = refused.group().rstrip("(").lower()
        hints = {"@import": "list every stylesheet under 'css:' in book.yaml instead of importing it",
                 "local": "a book's fonts are files in its folder, listed under 'fonts:' in book.yaml",
                 "</": "a stylesheet holds CSS only, no HTML tags"}
        raise BookError(f"the stylesheet uses {what}, which may reach outside the book", path,
                        *_position(text, refused.start()), hints.get(what, "use url() with a file of the book"),
                        rule="outside-book")
    folder = path.parent.relative_to(root).as_posix()
    urls: list[str] = []
    for m in URL.finditer(scanned):
        address = next(g for g in m.groups() if g is not None).strip()
        line, col = _position(text, m.start())
        if not address or address.startswith("#"):
            continue
        if address.lower().startswith("data:"):
            if len(address) > MAX_DATA_URL:
                raise BookError(f"a data: URL of {len(address):,} characters in a stylesheet", path, line, col,
                                "save it as a file in the book and name it with url()", rule="outside-book")
            continue
        rel = posixpath.normpath(posixpath.join(folder, address)) if not re.match(r"^[A-Za-z][\w+.-]*:|^/", address) \
            else address
        if rel.startswith("../") or rel == "..":
            raise BookError(f"url '{address}' leads outside the book folder", path, line, col,
                            "keep every file the book uses inside the folder that holds book.yaml",
                            rule="outside-book")
        target = inside(root, rel, path, line, col, "url")
        if not target.is_file():
            raise BookError(f"url '{address}' names no file", path, line, col,
                            "url() paths are relative to the stylesheet", rule="missing-file")
        urls.append(target.relative_to(root).as_posix() if target.is_relative_to(root) else rel)
    return tuple(dict.fromkeys(urls))


def rewrite_urls(sheet: StyleSheet, to: Callable[[str], str]) -> str:
    """The stylesheet with each ``url()`` of a book file replaced by ``url("<to(path in the book)>")``:
    where the file is in an edition (``../images/x.png`` in the EPUB)."""
    folder = posixpath.dirname(sheet.rel)
    text = sheet.text
    scanned = _blank_comments(text)
    out, last = [], 0
    for m in URL.finditer(scanned):
        address = next(g for g in m.groups() if g is not None).strip()
        if not address or address.startswith("#") or address.lower().startswith("data:"):
            continue
        out.append(text[last:m.start()] + f'url("{to(posixpath.normpath(posixpath.join(folder, address)))}")')
        last = m.end()
    return "".join(out) + text[last:]


# ------------------------------------------------------------------ fonts


def book_fonts(root: Path, doc: Located, entries, errors: list[BookError]) -> tuple[BookFont, ...]:
    """Every font ``fonts:`` names, read and checked: a font file, inside the book, with a character
    map, whose licence allows it to be embedded."""
    fonts: list[BookFont] = []
    for item, where in entries:
        rel = item["file"]
        line, col = doc.where(where + ("file",))
        try:
            path = inside(root, rel, doc.file, line, col, "font")
        except BookError as exc:
            errors.append(exc)
            continue
        if not path.is_file():
            errors.append(BookError(f"font file '{rel}' does not exist", doc.file, line, col,
                                    "paths are relative to the folder holding book.yaml", rule="missing-file"))
            continue
        if path.suffix.lower() not in FONT_SUFFIXES:
            errors.append(BookError(f"'{rel}' is not a TrueType or OpenType font (.ttf, .otf)", doc.file, line, col,
                                    "convert it to .ttf or .otf", rule="bad-font"))
            continue
        try:
            fonts.append(_read_font(root, path, item))
        except ValueError as exc:
            errors.append(BookError(f"font '{rel}' {exc}", doc.file, line, col,
                                    "use a TrueType or OpenType file whose licence allows embedding", rule="bad-font"))
    return tuple(fonts)


def _read_font(root: Path, path: Path, item: dict) -> BookFont:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(str(path), lazy=True, fontNumber=0) as tt:
            cmap = tt.getBestCmap()
            os2 = tt["OS/2"] if "OS/2" in tt else None
            names = tt["name"]
            family = (names.getDebugName(16) or names.getDebugName(1) or "").strip()
            axes = {a.axisTag: a for a in tt["fvar"].axes} if "fvar" in tt else {}
            italic = bool(os2 and os2.fsSelection & 1) or bool(tt["head"].macStyle & 2)
            weight = str(os2.usWeightClass if os2 else 400)
            if "wght" in axes:
                weight = f"{axes['wght'].minValue:g} {axes['wght'].maxValue:g}"
            fs_type = os2.fsType if os2 else 0
    except (TTLibError, KeyError, AttributeError, OSError, AssertionError, ValueError, TypeError, IndexError):
        raise ValueError("cannot be read as a font") from None
    if not cmap:
        raise ValueError("has no character map")
    if fs_type & 0x000F == 0x0002:
        raise ValueError("may not be embedded: its licence (OS/2 fsType) is 'restricted'")
    return BookFont(family=str(item.get("family") or family or path.stem).strip(),
                    style=item.get("style") or ("italic" if italic else "normal"),
                    weight=str(item["weight"]) if item.get("weight") else weight,
                    path=path, rel=path.relative_to(root).as_posix())


def check_families(style: Style, fonts: tuple[BookFont, ...], doc: Located, errors: list[BookError]) -> None:
    """Each family ``style:`` names is pinned or one of the book's fonts."""
    known = {f.family for f in fonts} | set(PINNED_FAMILIES.values())
    for key, family in (("text-font", style.text_font), ("heading-font", style.heading_font),
                        ("code-font", style.code_font)):
        if family and family not in known:
            errors.append(doc.error(("style", key), f"no font family '{family}'",
                                    suggest(family, known) + "; a family of your own needs its files under "
                                    "'fonts:' (README, 'Fonts')", rule="book-yaml"))
