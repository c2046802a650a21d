"""Validators of the book's look and language in book.yaml: ``style:``, ``strings:``, ``fonts:``,
``css:``, ``spelling:``, and the page layout keys of ``print:``.

Each reads its part of the parsed mapping with a :class:`~book.load.checker.Checker`, which
collects every problem with its line; the files that ``fonts:`` and ``css:`` name are checked
when the book is loaded (:mod:`.looks`). :mod:`.config` lists these in its table.
"""

from __future__ import annotations

import re
from typing import Any

from ..locales import KEYS, placeholders, table
from ..model import Style
from .checker import Checker, kind_of, suggest

OPENINGS = ("recto", "any", "continue")
"""Where a chapter or a part may start in print."""

EDITIONS_CSS = ("print", "epub", "web", "handout")
"""The editions a book's stylesheet can be given to (``print`` is both PDFs)."""

STYLE_KEYS = {
    "text-font": "the family of the text: EB Garamond, Source Sans 3, … or one of the book's fonts:",
    "heading-font": "the family of headings",
    "code-font": "the family of code",
    "font-size": "the print text size, e.g. 10.5pt",
    "line-height": "leading as a multiple of the text size, e.g. 1.4",
    "accent-color": "a colour for rules, links and ornaments, e.g. '#8a3320'",
    "contents-depth": "1: parts and chapters; 2: also sections",
    "chapter-numbers": "true: number the chapters (Chapter 1, 2 …)",
}
"""The keys of ``style:``, with their help text."""

PRINT_LAYOUT_KEYS = ("margins", "chapter-opening", "part-opening", "running-heads", "repair")
MARGIN_KEYS = ("top", "bottom", "inner", "outer")

PINNED_FAMILIES = {
    "eb garamond": "EB Garamond", "source sans 3": "Source Sans 3", "amiri": "Amiri",
    "noto sans arabic": "Noto Sans Arabic", "frank ruhl libre": "Frank Ruhl Libre", "heebo": "Heebo",
    "noto sans cjk jp": "Noto Sans CJK JP", "source code pro": "Source Code Pro",
}
"""The pinned families (:mod:`book.fonts`) a book may choose by name, by their lower-case name."""

_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_LENGTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)\s*")
_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}


def strings(ck: Checker, data: dict) -> tuple[tuple[str, str], ...]:
    """``strings:``: generated words the book words its own way, each a key of the translations
    table (:mod:`book.locales`) with the same ``{placeholders}``."""
    value = data.get("strings")
    if value is None:
        return ()
    if not isinstance(value, dict):
        ck.fail(("strings",), f"'strings' must be a mapping, not {kind_of(value)}",
                "write 'strings:' and then lines such as 'contents: Table of Contents'")
        return ()
    reference = table("en")
    out: list[tuple[str, str]] = []
    for key, text in value.items():
        if key not in KEYS:
            ck.fail(("strings", key), f"unknown string '{key}'", suggest(str(key), set(KEYS)), key=True,
                    rule="book-yaml-unknown-key")
            continue
        if not isinstance(text, (str, int, float)) or isinstance(text, bool):
            ck.fail(("strings", key), f"'{key}' must be text", f"write '{key}: {reference[key]}'")
            continue
        text = str(text).strip()
        try:
            given = placeholders(text)
        except ValueError:
            ck.fail(("strings", key), f"'{key}' has an unmatched '{{' or '}}'",
                    "write {name} for what the builder fills in, {{ and }} for braces")
            continue
        expected = placeholders(reference[key])
        if given - expected:
            unknown = sorted(given - expected)[0]
            ck.fail(("strings", key), f"'{key}' has no '{{{unknown}}}' to fill in",
                    f"it may use {', '.join('{' + n + '}' for n in sorted(expected)) or 'no placeholders'}"
                    f" (the English is '{reference[key]}')")
            continue
        out.append((str(key), text))
    return tuple(out)


def style(ck: Checker, data: dict) -> Style:
    """``style:``: fonts, size, leading, accent colour, contents depth, numbering."""
    value = data.get("style")
    if value is None:
        return Style()
    if not isinstance(value, dict):
        ck.fail(("style",), f"'style' must be a mapping, not {kind_of(value)}", "write 'style: {text-font: Amiri}'")
        return Style()
    for key in sorted(set(value) - set(STYLE_KEYS), key=str):
        hint = ("sections are numbered by pandoc's key, at the top of book.yaml: 'number-sections: true'"
                if key in ("section-numbers", "number-sections") else suggest(str(key), set(STYLE_KEYS)))
        ck.fail(("style", key), f"unknown key '{key}' in style", hint, key=True, rule="book-yaml-unknown-key")
    fields: dict[str, Any] = {}
    for key, name in (("text-font", "text_font"), ("heading-font", "heading_font"), ("code-font", "code_font")):
        if key in value:
            fields[name] = _family(ck, value[key], ("style", key))
    if "font-size" in value:
        size = _points(value["font-size"])
        if size is None or not 6 <= size <= 24:
            ck.fail(("style", "font-size"), f"bad font size '{value['font-size']}'",
                    "give a size between 6pt and 24pt, such as 10.5pt")
        else:
            fields["font_size_pt"] = size
    if "line-height" in value:
        leading = value["line-height"]
        if isinstance(leading, bool) or not isinstance(leading, (int, float)) or not 1 <= leading <= 3:
            ck.fail(("style", "line-height"), f"bad line height '{leading}'",
                    "give a multiple of the text size between 1 and 3, such as 1.4")
        else:
            fields["line_height"] = float(leading)
    if "accent-color" in value:
        colour = str(value["accent-color"]).strip()
        if not _COLOUR.fullmatch(colour):
            ck.fail(("style", "accent-color"), f"'{colour}' is not a colour",
                    "write a hexadecimal colour in quotes, such as '#8a3320'")
        else:
            fields["accent"] = colour.lower()
    if "contents-depth" in value:
        depth = value["contents-depth"]
        if depth not in (1, 2) or isinstance(depth, bool):
            ck.fail(("style", "contents-depth"), f"bad contents depth '{depth}'",
                    "1 lists parts and chapters, 2 also their sections")
        else:
            fields["contents_depth"] = depth
    for key, name in (("chapter-numbers", "chapter_numbers"),):
        if key in value:
            if not isinstance(value[key], bool):
                ck.fail(("style", key), f"'{key}' must be true or false")
            else:
                fields[name] = value[key]
    return Style(**fields)


def _family(ck: Checker, value: Any, path: tuple) -> str:
    """A pinned family's own spelling, or the name of one of the book's fonts (checked once its
    files are read, :func:`book.load.looks.check_families`)."""
    if not isinstance(value, str) or not value.strip():
        ck.fail(path, "a font family is given by its name", "write a name such as 'EB Garamond'")
        return ""
    return PINNED_FAMILIES.get(value.strip().lower(), value.strip())


def _points(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(pt)?\s*", str(value))
    return float(m.group(1)) if m else None


def length_mm(value: Any) -> float | None:
    """``18mm``, ``2cm``, ``0.75in`` or ``54pt`` in millimetres; a bare number is millimetres."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    m = _LENGTH.fullmatch(str(value))
    return float(m.group(1)) * _UNITS_MM[m.group(2)] if m else None


def print_layout(ck: Checker, value: dict, page_mm: tuple[float, float]) -> dict[str, Any]:
    """The page layout keys of ``print:`` as :class:`~book.model.PrintOptions` fields."""
    out: dict[str, Any] = {}
    for key, name in (("chapter-opening", "chapter_opening"), ("part-opening", "part_opening")):
        if key in value:
            if value[key] not in OPENINGS:
                ck.fail(("print", key), f"'{key}' cannot be '{value[key]}'",
                        "recto: on a right-hand page; any: on the next page; continue: on the same page")
            else:
                out[name] = value[key]
    for key, name in (("running-heads", "running_heads"), ("repair", "repair")):
        if key in value:
            if not isinstance(value[key], bool):
                ck.fail(("print", key), f"'{key}' must be true or false")
            else:
                out[name] = value[key]
    margins = value.get("margins")
    if margins is not None:
        if not isinstance(margins, dict):
            ck.fail(("print", "margins"), "'margins' must be a mapping",
                    "write 'margins: {top: 15mm, bottom: 20mm, inner: 20mm, outer: 15mm}'")
            return out
        for key in sorted(set(margins) - set(MARGIN_KEYS), key=str):
            ck.fail(("print", "margins", key), f"unknown margin '{key}'", suggest(str(key), set(MARGIN_KEYS)),
                    key=True, rule="book-yaml-unknown-key")
        sizes: dict[str, float] = {}
        for key in MARGIN_KEYS:
            if key not in margins:
                ck.fail(("print", "margins"), f"'margins' needs '{key}'", "give all four: top, bottom, inner, outer")
                return out
            mm = length_mm(margins[key])
            if mm is None or mm < 3:
                ck.fail(("print", "margins", key), f"bad margin '{margins[key]}'",
                        "give a length of at least 3mm, such as 18mm or 0.75in")
                return out
            sizes[key] = mm
        width, height = page_mm
        if width - sizes["inner"] - sizes["outer"] < 40 or height - sizes["top"] - sizes["bottom"] < 60:
            ck.fail(("print", "margins"), "the margins leave too little room for the text",
                    f"the page is {width:g} × {height:g} mm; keep at least 40 mm of line and 60 mm of page")
            return out
        out["margins_mm"] = (sizes["top"], sizes["outer"], sizes["bottom"], sizes["inner"])
    return out


def spelling(ck: Checker, data: dict) -> bool:
    value = data.get("spelling", True)
    if not isinstance(value, bool):
        ck.fail(("spelling",), "'spelling' must be true or false", "write 'spelling: false' to turn the rule off")
        return True
    return value


def css_entries(ck: Checker, data: dict) -> tuple[tuple[str, tuple[str, ...], tuple], ...]:
    """``css:``: a file or a list of files for every edition, or a mapping of ``all``, ``print``,
    ``epub``, ``web``, ``handout`` to files. Each as (path, its editions, where book.yaml names it)."""
    value = data.get("css")
    if value is None:
        return ()
    groups: list[tuple[str, Any, tuple]] = []
    if isinstance(value, (str, list)):
        groups.append(("all", value, ("css",)))
    elif isinstance(value, dict):
        for key, files in value.items():
            if key not in ("all", *EDITIONS_CSS):
                ck.fail(("css", key), f"unknown edition '{key}' in css", suggest(str(key), {"all", *EDITIONS_CSS}),
                        key=True, rule="book-yaml-unknown-key")
                continue
            groups.append((key, files, ("css", key)))
    else:
        ck.fail(("css",), "'css' must be a file, a list of files or a mapping of editions to files",
                "write 'css: styles/book.css' or 'css: {print: [styles/print.css]}'")
        return ()
    out = []
    for edition, files, path in groups:
        items = files if isinstance(files, list) else [files]
        for i, rel in enumerate(items):
            where = path + (i,) if isinstance(files, list) else path
            if not isinstance(rel, str) or not rel.strip():
                ck.fail(where, "a stylesheet is given by its file path", "write 'styles/book.css'")
            elif not rel.strip().lower().endswith(".css"):
                ck.fail(where, f"'{rel}' is not a .css file", "name a CSS file such as styles/book.css")
            else:
                out.append((rel.strip(), EDITIONS_CSS if edition == "all" else (edition,), where))
    return tuple(out)


FONT_KEYS = {"file": "the font file, inside the book (TrueType or OpenType)",
             "family": "the name style: and CSS use (default: the name inside the file)",
             "style": "normal or italic (default: from the file)",
             "weight": "100 … 900 (default: from the file)"}


def font_entries(ck: Checker, data: dict) -> tuple[tuple[dict, tuple], ...]:
    """``fonts:``: a list of font files, each a path or a mapping of :data:`FONT_KEYS`; as
    (the entry, where book.yaml names it). The files are read when the book is loaded."""
    value = data.get("fonts")
    if value is None:
        return ()
    if not isinstance(value, list):
        ck.fail(("fonts",), "'fonts' must be a list of font files", "write 'fonts:' and then '- fonts/MyFace.ttf' lines")
        return ()
    out = []
    for i, item in enumerate(value):
        path = ("fonts", i)
        if isinstance(item, str):
            item = {"file": item}
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            ck.fail(path, "a font is a file path or a mapping with 'file'", "write '- file: fonts/MyFace-Regular.ttf'")
            continue
        for key in sorted(set(item) - set(FONT_KEYS), key=str):
            ck.fail(path + (key,), f"unknown key '{key}' in a font", suggest(str(key), set(FONT_KEYS)), key=True,
                    rule="book-yaml-unknown-key")
        if "style" in item and item["style"] not in ("normal", "italic"):
            ck.fail(path + ("style",), f"a font's style is normal or italic, not '{item['style']}'")
            continue
        weight = item.get("weight")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 1000):
            ck.fail(path + ("weight",), f"a font's weight is a number from 1 to 1000, not '{weight}'")
            continue
        if "family" in item and (not isinstance(item["family"], str) or not item["family"].strip()):
            ck.fail(path + ("family",), "'family' must be text")
            continue
        out.append((item, path))
    return tuple(out)
