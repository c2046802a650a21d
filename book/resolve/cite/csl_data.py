"""CSL-JSON vocabulary and the normalisation of one bibliography entry.

Authors write entries by hand for pandoc (``issued: 1997``, names as
``"Doe, Jane"``, Markdown in titles) or export them from Zotero (strict
CSL-JSON, ``note`` lines carrying extra fields).  Everything is normalised
here to one shape: CSL-JSON keys, dates as ``date-parts``, names as dicts,
text with CSL's rich-text tags (``<i>``, ``<b>``, ``<sup>``, ``<sub>``,
``<span class="nocase">``, small caps).  Problems are raised as
:class:`FieldError` naming the field; the loader turns them into
``BookError`` with the field's line.
"""

from __future__ import annotations

import datetime
import difflib
import re
from typing import Any

CSL_TYPES: frozenset[str] = frozenset("""
    article article-journal article-magazine article-newspaper bill book
    broadcast chapter classic collection dataset document entry
    entry-dictionary entry-encyclopedia event figure graphic hearing interview
    legal_case legislation manuscript map motion_picture musical_score pamphlet
    paper-conference patent performance periodical personal_communication post
    post-weblog regulation report review review-book software song speech
    standard thesis treaty webpage
""".split())
"""The item types of CSL 1.0.2 (``csl-types.rnc`` of the CSL schema)."""

NAME_VARIABLES: frozenset[str] = frozenset("""
    author chair collection-editor compiler composer container-author
    contributor curator director editor editor-translator editorial-director
    executive-producer guest host illustrator interviewer narrator organizer
    original-author performer producer recipient reviewed-author script-writer
    series-creator translator
""".split())

DATE_VARIABLES: frozenset[str] = frozenset(
    "accessed available-date event-date issued original-date submitted".split()
)

STANDARD_VARIABLES: frozenset[str] = frozenset("""
    chapter-number collection-number edition issue number number-of-pages
    number-of-volumes page part-number printing-number section
    supplement-number version volume collection-title container-title
    original-title part-title reviewed-title title volume-title title-short
    container-title-short abstract annote archive archive_collection
    archive_location archive-place authority call-number citation-key
    citation-label dimensions division DOI event event-title event-place
    genre ISBN ISSN jurisdiction keyword language license medium note
    original-publisher original-publisher-place PMCID PMID publisher
    publisher-place references reviewed-genre scale source status URL
""".split())

VARIABLES = NAME_VARIABLES | DATE_VARIABLES | STANDARD_VARIABLES

VERBATIM_FIELDS = frozenset("id type language URL DOI ISBN ISSN PMID PMCID citation-key".split())
"""Fields that are identifiers, never prose: no Markdown, no smart quotes."""

_TYPE_ALIASES = {
    "journal-article": "article-journal", "journal": "article-journal",
    "inbook": "chapter", "incollection": "chapter", "book-chapter": "chapter",
    "inproceedings": "paper-conference", "conference": "paper-conference",
    "proceedings": "book", "phdthesis": "thesis", "mastersthesis": "thesis",
    "techreport": "report", "misc": "document", "online": "webpage",
    "web": "webpage", "website": "webpage", "web-page": "webpage",
    "newspaper": "article-newspaper", "magazine": "article-magazine",
    "blog": "post-weblog", "film": "motion_picture", "movie": "motion_picture",
}

_SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
_NAME_PARTS = ("family", "given", "dropping-particle", "non-dropping-particle",
               "suffix", "literal", "comma-suffix", "static-ordering", "parse-names")


class FieldError(Exception):
    """A problem with one field of an entry."""

    def __init__(self, field: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.hint = hint


def type_hint(value: str) -> str:
    """What to write instead of an unknown ``type``."""
    alias = _TYPE_ALIASES.get(value.lower())
    close = [alias] if alias else difflib.get_close_matches(value.lower(), sorted(CSL_TYPES), n=3)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "? (CSL 1.0.2 item types)"
    return "use a CSL 1.0.2 item type such as book, chapter, article-journal or webpage"


# --- text ------------------------------------------------------------------

_PUA = re.compile("[\ue000-\ue0ff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def plain_text(value: Any, field: str) -> str:
    """A scalar field as one line of text."""
    if isinstance(value, bool) or value is None:
        raise FieldError(field, f"'{field}' must be text, not {value!r}")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(plain_text(v, field) for v in value)
    if not isinstance(value, str):
        raise FieldError(field, f"'{field}' must be text, not a {type(value).__name__}",
                         "write the value on one line, as a string")
    bad = _CONTROL.search(value)
    if bad:  # a YAML "\b" or JSON "\u0008" escape: no edition can hold it (XML forbids it)
        raise FieldError(field, f"'{field}' holds the control character U+{ord(bad.group()):04X}",
                         "remove the escape sequence from the value")
    # collapse ASCII whitespace only: a no-break space (U+00A0) is there on purpose
    return re.sub(r"[ \t\n\r\f\v]+", " ", _PUA.sub("", value)).strip()


_MD_SPAN = re.compile(r"\[([^\]]*)\]\{\.(nocase|smallcaps)\}")
_MD_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
_MD_EM = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_MD_SUP = re.compile(r"\^(?=\S)([^\s^]+)\^")
_MD_SUB = re.compile(r"(?<!~)~(?=\S)([^\s~]+)~(?!~)")


def markdown_text(text: str) -> str:
    """Pandoc reads CSL-YAML fields as Markdown: turn its inline emphasis,
    spans and smart punctuation into CSL rich text."""
    escapes: list[str] = []

    def hold(match: re.Match[str]) -> str:
        escapes.append(match.group(1))
        return f"\ue0f0{len(escapes) - 1}\ue0f1"

    def tag(markup: str) -> str:
        escapes.append(markup)
        return f"\ue0f0{len(escapes) - 1}\ue0f1"

    text = re.sub(r"\\([!-/:-@\[-`{-~])", hold, text)
    text = re.sub(r"</?(?:i|b|sup|sub|span)\b[^<>]*>", lambda m: tag(m.group()), text)
    text = _MD_SPAN.sub(lambda m: (
        tag('<span class="nocase">') if m.group(2) == "nocase"
        else tag('<span style="font-variant:small-caps;">')) + m.group(1) + tag("</span>"), text)
    text = _MD_STRONG.sub(lambda m: tag("<b>") + m.group(1) + tag("</b>"), text)
    text = _MD_EM.sub(lambda m: tag("<i>") + (m.group(1) or m.group(2)) + tag("</i>"), text)
    text = _MD_SUP.sub(lambda m: tag("<sup>") + m.group(1) + tag("</sup>"), text)
    text = _MD_SUB.sub(lambda m: tag("<sub>") + m.group(1) + tag("</sub>"), text)
    text = smart_punctuation(text)
    return re.sub("\ue0f0(\\d+)\ue0f1", lambda m: escapes[int(m.group(1))], text)


def smart_punctuation(text: str) -> str:
    """Curly quotes and dashes, as pandoc's ``smart`` extension makes them."""
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    text = re.sub(r"(?<=[\w.,;:!?)\]’”])'|'(?=[\s.,;:!?)]|$)", "\u2019", text)
    text = text.replace("'", "\u2018")
    text = re.sub(r'(^|(?<=[\s(\[{\u2014\u2013>]))"', "\u201c", text)
    return text.replace('"', "\u201d")


# --- names -----------------------------------------------------------------

def names(value: Any, field: str, prose: Any) -> list[dict[str, Any]]:
    """Names as CSL name dicts; ``"Family, Given"`` strings are accepted."""
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise FieldError(field, f"'{field}' must be a list of names",
                         "write each name as {family: …, given: …} or {literal: …}")
    result = []
    for name in value:
        if isinstance(name, str):
            # "Family, Given"; Zotero's extra field (a note line) writes "Family || Given"
            family, sep, given = name.partition("||") if "||" in name else name.partition(",")
            name = {"family": family.strip(), "given": given.strip()} if sep else {"literal": name}
        if not isinstance(name, dict):
            raise FieldError(field, f"a name in '{field}' is neither text nor a mapping",
                             "write each name as {family: …, given: …} or {literal: …}")
        parts = {}
        for part, text in name.items():
            if part in ("static-ordering", "parse-names", "comma-suffix"):
                parts[part] = bool(text)
            elif part in _NAME_PARTS and text is not None:
                parts[part] = prose(plain_text(text, field))
        parts = {k: v for k, v in parts.items() if v != ""}
        if not any(k in parts for k in ("family", "given", "literal")):
            raise FieldError(field, f"a name in '{field}' has no family, given or literal part",
                             "write each name as {family: …, given: …} or {literal: …}")
        result.append(parts)
    return result


# --- dates -----------------------------------------------------------------

_ISO = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?([~?%]?)$")


def _iso_part(text: str) -> tuple[list[int], bool] | None:
    match = _ISO.match(text.strip())
    if not match:
        return None
    parts = [int(p) for p in match.groups()[:3] if p is not None]
    return parts, bool(match.group(4))


def _date_from_string(text: str) -> dict[str, Any]:
    text = text.strip()
    pieces = text.split("/")
    parsed = [_iso_part(p) for p in pieces] if 1 <= len(pieces) <= 2 else [None]
    if all(parsed):
        date: dict[str, Any] = {"date-parts": [p[0] for p in parsed]}  # type: ignore[index]
        if any(p[1] for p in parsed):  # type: ignore[index]
            date["circa"] = True
        return date
    return {"literal": text}


def _checked_parts(parts: Any, field: str) -> list[list[int]]:
    """date-parts as lists of integers; empty strings (Zotero writes
    ``["2000", "", ""]``) are left out, anything else not a number is an error."""
    bad = FieldError(field, f"'{field}' has malformed date-parts",
                     "write date-parts as [[year, month, day]], e.g. [[1997, 5, 2]]; "
                     "or write the date as '1997-05-02', or give a literal date: {literal: 'in press'}")
    if not isinstance(parts, list) or len(parts) > 2:
        raise bad
    result = []
    for part in parts:
        if not isinstance(part, list) or len(part) > 3:
            raise bad
        numbers = []
        for number in part:
            text = str(number).strip()
            if text == "" or number is None:
                break
            try:
                numbers.append(int(text))
            except ValueError:
                raise bad from None
        result.append(numbers)
    return result


def date(value: Any, field: str) -> dict[str, Any]:
    """A date in CSL-JSON form: ``{"date-parts": [[y, m, d]]}``, possibly
    with ``season``, ``circa`` or ``literal``; ``{}`` for an empty date.
    What CSL leaves to the processor is kept: a month past 12 (13–24 are
    seasons), a season written as text, an open range ``[[2000], []]``."""
    if isinstance(value, bool):
        raise FieldError(field, f"'{field}' must be a date, not {value!r}")
    if isinstance(value, int):
        result: dict[str, Any] = {"date-parts": [[value]]}
    elif isinstance(value, (datetime.date, datetime.datetime)):
        result = _date_from_string(value.isoformat()[:10])
    elif isinstance(value, str):
        result = _date_from_string(value) if value.strip() else {}
    elif isinstance(value, list) and all(isinstance(v, dict) for v in value) and value:
        # pandoc-citeproc's old form: [{year: 1997, month: 5}, {year: 1998}]
        result = {"date-parts": [[v[k] for k in ("year", "month", "day") if k in v] for v in value]}
    elif isinstance(value, dict):
        result = {}
        if value.get("date-parts"):
            result = {"date-parts": value["date-parts"]}
        elif value.get("raw"):
            result = _date_from_string(plain_text(value["raw"], field))
        elif "year" in value:
            result = {"date-parts": [[value[k] for k in ("year", "month", "day") if k in value]]}
        elif "literal" not in value and "date-parts" not in value and "season" not in value:
            raise FieldError(field, f"'{field}' has neither date-parts nor literal",
                             "write e.g. issued: {date-parts: [[1997]]}, issued: 1997 or issued: '1997-05-02'")
        if value.get("literal"):
            result["literal"] = plain_text(value["literal"], field)
        if value.get("circa"):
            result["circa"] = True
        if value.get("season") not in (None, ""):
            result["season"] = value["season"]
    else:
        raise FieldError(field, f"'{field}' must be a date",
                         "write e.g. issued: {date-parts: [[1997]]}, issued: 1997 or issued: '1997-05-02'")
    if "date-parts" in result:
        parts = _checked_parts(result["date-parts"], field)
        if not parts or not parts[0]:
            del result["date-parts"]
        else:
            result["date-parts"] = parts
            _check_ranges(result, field)
    if set(result) <= {"circa", "season"}:
        return {}
    return result


def _check_ranges(result: dict[str, Any], field: str) -> None:
    """A season written as a word becomes its number; months 13–24 (seasons, in CSL's and
    EDTF's conventions) stay in date-parts for the processor."""
    season = result.get("season")
    if isinstance(season, str):
        if season.strip().isdigit():
            result["season"] = int(season)
        elif season.strip().lower() in _SEASONS:
            result["season"] = _SEASONS[season.strip().lower()]


# --- note "cheater syntax" ---------------------------------------------------

_NOTE_LINE = re.compile(r"^\s*(?:\{:([\w-]+):\s*(.*?)\}|([A-Za-z][\w .-]*?):\s*(.+?))\s*$")


def split_note(note: str) -> tuple[str, dict[str, str]]:
    """Zotero and citeproc-js keep extra fields as ``name: value`` lines in
    ``note`` ("cheater syntax"): return the remaining note and those fields,
    so they are used as fields and not printed as a note."""
    keep, fields = [], {}
    for line in note.splitlines():
        match = _NOTE_LINE.match(line)
        if match:
            name = (match.group(1) or match.group(3)).strip().lower().replace(" ", "-")
            value = match.group(2) if match.group(1) else match.group(4)
            if name in VARIABLES and name not in ("note",):
                fields.setdefault(name, value)
                continue
            if name in ("citation-key", "citationkey") or name.startswith("tex."):
                continue
        keep.append(line)
    return "\n".join(keep).strip(), fields
