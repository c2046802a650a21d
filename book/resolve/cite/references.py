"""Bibliography entries as the processor's references: typed variables.

An :class:`book.resolve.cite.bibliography.Entry` holds validated CSL-JSON; a
:class:`Reference` holds what rendering needs: names split into their parts
(particles parsed out of ``family`` and ``given`` as citeproc-js does when
the data does not give them), dates as :class:`DateValue` (ranges, seasons,
"circa", literal dates), everything else as rich text strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from book.resolve.cite import csl_data

_ALIASES = {"journalAbbreviation": "container-title-short", "shortTitle": "title-short",
            "journal-abbreviation": "container-title-short", "short-title": "title-short"}
_SEASON_WORDS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}


@dataclass(frozen=True)
class Name:
    """One person or organisation."""

    family: str = ""
    given: str = ""
    dropping: str = ""
    non_dropping: str = ""
    suffix: str = ""
    literal: str = ""
    comma_suffix: bool = False
    static_ordering: bool = False

    @property
    def is_literal(self) -> bool:
        return bool(self.literal) or not (self.family or self.given)

    @property
    def is_cjk(self) -> bool:
        """Written in a script with family name first and no space (Chinese, Japanese, Korean)."""
        text = self.family + self.given
        return bool(text) and all(_family_first_script(c) or not c.isalpha() for c in text) and \
            any(_family_first_script(c) for c in text)

    def key(self) -> tuple[str, ...]:
        return (self.family, self.given, self.dropping, self.non_dropping, self.suffix, self.literal)


def _family_first_script(char: str) -> bool:
    code = ord(char)
    return (0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF
            or 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x2FA1F)


@dataclass(frozen=True)
class DateValue:
    """A date variable: one date or a range, each part 0 when missing."""

    begin: tuple[int, int, int] = (0, 0, 0)
    end: tuple[int, int, int] | None = None
    """The end of a range (``(0, 0, 0)`` for an open range), or None for a single date."""
    season: Any = None
    """1–4 (spring … winter), or text, when the date has a season instead of a month."""
    end_season: Any = None
    circa: bool = False
    literal: str = ""

    @property
    def year(self) -> int:
        return self.begin[0]

    def is_empty(self) -> bool:
        return not self.literal and not self.begin[0] and not self.season


@dataclass
class Reference:
    """A bibliography entry ready to render."""

    id: str
    type: str
    variables: dict[str, Any] = field(default_factory=dict)
    """CSL variable name → list of :class:`Name`, a :class:`DateValue`, or text."""

    def get(self, name: str) -> Any:
        return self.variables.get(name)

    @property
    def language(self) -> str:
        value = self.variables.get("language")
        return str(value) if value else ""


# --- names ----------------------------------------------------------------------

_LOWER_START = re.compile(r"^[a-z\u00e0-\u00ff'’\-]")


def _is_particle(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and letters[0].islower()


def parse_name(parts: Any) -> Name:
    """A CSL-JSON name as a :class:`Name`, particles parsed out of ``family``
    (leading lower-case words: "van Gogh", "al-One", "d'Aubignac") and
    ``given`` (trailing lower-case words: "Alexander von") unless given
    explicitly; a family name in double quotes is taken as it is."""
    get = parts.get
    if get("literal"):
        return Name(literal=str(get("literal")))
    family = str(get("family") or "")
    given = str(get("given") or "")
    dropping = str(get("dropping-particle") or "")
    non_dropping = str(get("non-dropping-particle") or "")
    suffix = str(get("suffix") or "")
    comma_suffix = bool(get("comma-suffix"))
    parse = get("parse-names", True) is not False and str(get("parse-names", "true")).lower() != "false"
    if len(family) > 1 and family.startswith('"') and family.endswith('"'):
        family, parse = family[1:-1], False
    if parse and not non_dropping and family:
        words = family.split(" ")
        taken: list[str] = []
        while len(words) > 1 and _is_particle(words[0]):
            taken.append(words.pop(0))
        if not taken:
            match = re.match(r"^([a-z\u00e0-\u00ff]{1,3}[-'’])(\S.*)$", family)
            if match and match.group(2)[:1].isupper():
                non_dropping, family = match.group(1), match.group(2)
        else:
            # "de' Frinkle": a particle that was a word of its own keeps its space
            non_dropping, family = " ".join(taken) + (" " if taken[-1][-1:] in "'\u2019-" else ""), " ".join(words)
    if parse and given and not suffix:
        # "John, Jr." → suffix "Jr."; "John,! Jr." → suffix after a comma
        match = re.match(r"^(.*?),\s*(!?)\s*(\S.*)$", given)
        if match and not _is_particle(match.group(3).split(" ")[0]):
            given, suffix, comma_suffix = match.group(1), match.group(3), bool(match.group(2)) or comma_suffix
    if parse and given and not dropping:
        words = given.split(" ")
        taken = []
        while len(words) > 1 and _is_particle(words[-1]):
            taken.insert(0, words.pop())
        if taken:
            # "François Hédelin, abbé d'" keeps its comma before the particle
            dropping, given = " ".join(taken), " ".join(words)
    return Name(family=family, given=given, dropping=dropping, non_dropping=non_dropping, suffix=suffix,
                comma_suffix=comma_suffix, static_ordering=bool(get("static-ordering")))


# --- dates --------------------------------------------------------------------------

def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def _triple(parts: Any) -> tuple[int, int, int]:
    numbers = [_int(p) for p in list(parts)[:3]]
    numbers += [0] * (3 - len(numbers))
    year, month, day = numbers
    if not 1 <= month <= 12:
        month, day = 0, 0  # an impossible month is dropped, with its day (seasons are taken out before)
    if not 1 <= day <= 31:
        day = 0
    return (year, month, day)


def _season(value: Any) -> Any:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= 4:
        return int(text)
    if text.isdigit() and 13 <= int(text) <= 16:
        return int(text) - 12
    if text.isdigit() and 21 <= int(text) <= 24:
        return int(text) - 20
    return _SEASON_WORDS.get(text.lower(), text)


def parse_date(value: Any) -> DateValue | None:
    """A CSL-JSON date (as :mod:`book.resolve.cite.csl_data` normalised it)."""
    if not value:
        return None
    circa = bool(value.get("circa"))
    literal = str(value.get("literal") or "")
    season = _season(value.get("season"))
    parts = [list(p) for p in value.get("date-parts") or () if p is not None]
    parts = [p for p in parts if p]
    if not parts or not _int(parts[0][0]):
        if literal:
            return DateValue(literal=literal, circa=circa)
        return None
    seasons = [None, None]
    for index, part in enumerate(parts[:2]):
        if len(part) >= 2 and 13 <= _int(part[1]) <= 24:
            # months 13–24 are seasons (CSL's 13–16, EDTF's 21–24)
            seasons[index] = (_int(part[1]) - 13) % 4 + 1
            parts[index] = part[:1]
    begin = _triple(parts[0])
    end = None
    if len(parts) > 1:
        end = _triple(parts[1])
        if end == begin and seasons[0] == seasons[1]:
            end = None
    elif len(value.get("date-parts") or ()) > 1:
        end = (0, 0, 0)  # [[2000], []]: an open range
    season = seasons[0] or season
    if begin[1]:
        season = None
    return DateValue(begin=begin, end=end, season=season, end_season=seasons[1], circa=circa)


# --- references -------------------------------------------------------------------------

def make_reference(entry: Any) -> Reference:
    """The :class:`Reference` for a bibliography entry."""
    data = entry.data
    variables: dict[str, Any] = {}
    for key, value in data.items():
        name = _ALIASES.get(key, key)
        if name in ("id", "type") or value is None or value == "":
            continue
        if name in csl_data.NAME_VARIABLES:
            names = [parse_name(n) for n in value if isinstance(n, Mapping)]
            if names:
                variables[name] = names
        elif name in csl_data.DATE_VARIABLES:
            date = parse_date(value)
            if date is not None:
                variables[name] = date
        elif name in csl_data.VARIABLES or key in _ALIASES:
            if isinstance(value, (list, tuple, Mapping)):
                continue
            text = str(value)
            if text.strip():
                variables.setdefault(name, text)
    return Reference(entry.id, str(data.get("type") or ""), variables)


__all__ = ["DateValue", "Name", "Reference", "make_reference", "parse_date", "parse_name"]
