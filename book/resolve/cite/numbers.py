"""Numbers in CSL: what is numeric, plurals of labels, number forms, page ranges.

A number variable is numeric when it is only numbers, each possibly with
letters before or after it ("2", "2nd", "L2d"), separated by commas,
hyphens, en dashes or ampersands ("2, 3", "2-4", "2 & 4") (CSL 1.0.2,
``is-numeric``).  ``cs:number`` renders such a value in its form (ordinal,
long ordinal, roman) number by number, and any other value as it is.
Page ranges follow the style's ``page-range-format`` (CSL 1.0.2, Appendix V)
and are joined with the locale's ``page-range-delimiter``.
"""

from __future__ import annotations

import re
from typing import Any

NUMBER_VARIABLES = frozenset("""
    chapter-number citation-number collection-number edition first-reference-note-number issue locator
    number number-of-pages number-of-volumes page page-first part-number printing-number section
    supplement-number version volume
""".split())

_NUMBER = re.compile(r"^[A-Za-z]*\d+[A-Za-z]*$")
_ROMAN = re.compile(r"^(?=[mdclxvi])m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$", re.IGNORECASE)
_SPLIT = re.compile(r"(\s*(?<!\\)(?:[-\u2013]+|[,&])\s*|\s+and\s+)")
"""Where a number value divides: a range (one hyphen or dash, or a run of them: pandoc's "72--75"),
a list (a comma, an ampersand, "and")."""
_ESCAPED_HYPHEN = "\\-"


def _pieces(value: str) -> list[str]:
    """``"2-4, 7"`` → ``["2", "-", "4", ",", "7"]`` (separators stripped of spaces)."""
    parts = _SPLIT.split(value.strip())
    return [_separator(p.strip()) if i % 2 else p for i, p in enumerate(parts)]


def _separator(text: str) -> str:
    """A range's separator as one hyphen, however it was typed ("--", "–")."""
    return "-" if text and set(text) <= {"-", "\u2013"} else text


def is_numeric(value: Any) -> bool:
    """CSL's ``is-numeric`` test."""
    if value is None:
        return False
    if isinstance(value, int):
        return True
    text = str(value).strip()
    if not text or _ESCAPED_HYPHEN in text:
        return False
    pieces = _pieces(text)
    return all(bool(_NUMBER.match(p)) for p in pieces[::2])


def is_plural(value: Any, variable: str = "", and_term: str = "") -> bool:
    """Whether a label for ``value`` takes the plural: two or more numbers
    (arabic or roman; joined by "-", ",", "&", "and" or the locale's
    ``and_term``), or a count above one for number-of-pages and
    number-of-volumes."""
    if value is None:
        return False
    text = str(value).strip()
    if variable in ("number-of-pages", "number-of-volumes"):
        match = re.match(r"\d+", text)
        return bool(match) and int(match.group()) > 1
    if and_term and and_term != "and":
        text = re.sub(rf"\s+{re.escape(and_term)}\s+", " & ", text)  # the locale's "and" ("213 et 235")
    pieces = _pieces(text)
    numbers = [p for p in pieces[::2] if re.search(r"\d", p) or _ROMAN.match(p)]
    return len(numbers) > 1


def roman(number: int) -> str:
    if number <= 0 or number >= 4000:
        return str(number)
    table = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
             (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for amount, letters in table:
        while number >= amount:
            out.append(letters)
            number -= amount
    return "".join(out)


def render_number(value: Any, form: str, locales: Any, gender: str = "", range_delimiter: str = "\u2013") -> str:
    """``cs:number``: numeric content number by number in ``form``; anything
    else as it is."""
    text = str(value).strip()
    if not is_numeric(text):
        return text.replace(_ESCAPED_HYPHEN, "-")
    pieces = _pieces(text)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append({"-": range_delimiter, "\u2013": range_delimiter, ",": ", ", "&": " & ",
                        "and": " and "}.get(piece, piece))
            continue
        if piece.isdigit():
            number = int(piece)
            if form == "ordinal":
                piece = locales.ordinal(number, gender)
            elif form == "long-ordinal":
                piece = locales.long_ordinal(number, gender)
            elif form == "roman":
                piece = roman(number)
        out.append(piece)
    return "".join(out)


def first_page(value: Any) -> str:
    """The first page of a page value ("22–45" → "22")."""
    text = str(value).strip()
    return _pieces(text)[0] if text else ""


# --- page ranges ------------------------------------------------------------------

_RANGE_PART = re.compile(r"^([A-Za-z]*\d*?[A-Za-z]+|)(\d+)$")


def _split_prefix(token: str) -> tuple[str, str] | None:
    match = re.match(r"^(.*?)(\d+)$", token)
    if not match or not _NUMBER.match(token) and not re.match(r"^\w*\d+$", token):
        return None
    return match.group(1), match.group(2)


def _expand(first: str, second: str) -> str:
    if len(second) < len(first):
        return first[: len(first) - len(second)] + second
    return second


def _minimal(first: str, second: str, keep: int = 1) -> str:
    if len(first) != len(second):
        return second
    index = 0
    while index < len(second) - keep and first[index] == second[index]:
        index += 1
    return second[index:]


def _chicago(first: str, second: str, edition: int) -> str:
    start = int(first)
    if start < 100 or start % 100 == 0:
        return second
    if 1 <= start % 100 <= 9:
        return _minimal(first, second)
    short = _minimal(first, second, keep=2)
    if edition == 15 and len(first) == 4 and len(short) >= 3:
        return second
    return short


def format_range(first: str, second: str, style: str) -> str:
    """The second number of a range ``first``–``second`` in ``style``
    (both pure digit strings, second already expanded)."""
    if style == "expanded":
        return second
    if style == "minimal":
        return _minimal(first, second)
    if style == "minimal-two":
        return _minimal(first, second, keep=2) if len(second) >= 2 else second
    if style in ("chicago", "chicago-15"):
        return _chicago(first, second, 15)
    if style == "chicago-16":
        return _chicago(first, second, 16)
    return second


def format_pages(value: Any, style: str, delimiter: str = "\u2013") -> str:
    """A page value with its ranges in ``page-range-format`` ``style`` ("" for
    none: hyphens between numbers only become ``delimiter``)."""
    text = str(value).strip()
    if not text:
        return text
    parts = re.split(r"(\s*(?:,|&|\band\b)\s*)", text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(", " if part.strip() == "," else part)
            continue
        out.append(_format_one_range(part, style, delimiter))
    return "".join(out)


def _format_one_range(part: str, style: str, delimiter: str) -> str:
    match = re.match(r"^\s*(\S+?)\s*(?<!\\)[-\u2013]+\s*(\S+?)\s*$", part)
    if not match:
        return part.replace(_ESCAPED_HYPHEN, "-")
    left, right = match.group(1), match.group(2)
    a, b = _split_prefix(left), _split_prefix(right)
    if a is None or b is None:
        if re.search(r"\d", left) is None and re.search(r"\d", right) is None and not (_ROMAN.match(left) and _ROMAN.match(right)):
            return part  # words joined by a hyphen ("Michaelson-Morely")
        if _ROMAN.match(left) and _ROMAN.match(right):
            return f"{left}{delimiter}{right}"
        return f"{left}-{right}"
    (prefix_a, num_a), (prefix_b, num_b) = a, b
    if prefix_b and prefix_b != prefix_a:
        return f"{left}-{right}"
    if prefix_a and not prefix_b and style:
        return f"{left}-{right}"
    if not style:
        return f"{left}{delimiter}{right}"
    full = _expand(num_a, num_b)
    if int(full) <= int(num_a) and len(num_b) >= len(num_a) or int(full) < int(num_a):
        return f"{left}-{right}"
    shown = format_range(num_a, full, style)
    if shown == full and prefix_a:
        shown = prefix_a + full
    return f"{left}{delimiter}{shown}"


__all__ = ["NUMBER_VARIABLES", "first_page", "format_pages", "format_range", "is_numeric", "is_plural", "render_number", "roman"]
