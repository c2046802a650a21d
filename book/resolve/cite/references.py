"""Bibliography entries as citeproc-py references.

citeproc-py's own CSL-JSON reader warns on every field it does not know
(CSL 1.0.2 added many), crashes on a season written as a word, and does not
escape text.  We build its ``Reference`` objects ourselves from the entries
:mod:`book.resolve.cite.bibliography` already validated: rich text becomes sentinel
strings (:mod:`book.resolve.cite.markup`), URLs and DOIs are marked for linking.
"""

from __future__ import annotations

import re
from typing import Any

from citeproc.source import Date, DateRange, LiteralDate, Name, Reference

from book.resolve.cite import csl_data
from book.resolve.cite.bibliography import Entry
from book.resolve.cite.markup import (
    DOI_CLOSE,
    DOI_OPEN,
    URL_CLOSE,
    URL_OPEN,
    Text,
    plain,
    rich_text,
)

_NUMBERISH = frozenset("""
    chapter-number collection-number edition issue number number-of-pages
    number-of-volumes page part-number printing-number section
    supplement-number version volume ISBN ISSN PMID PMCID call-number
""".split())
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def _name(parts: Any) -> Name:
    if "literal" in parts:
        return Name(literal=str(rich_text(parts["literal"])))
    keep = {k: str(rich_text(v)) for k, v in parts.items()
            if k in ("family", "given", "dropping-particle", "non-dropping-particle", "suffix")}
    return Name(**keep)


def _date_parts(parts: Any) -> dict[str, int]:
    return dict(zip(("year", "month", "day"), (int(p) for p in parts)))


def _date(value: Any) -> Any:
    circa = bool(value.get("circa"))
    parts = value.get("date-parts")
    if parts:
        if len(parts) == 1 or list(parts[0]) == list(parts[1]):
            args = _date_parts(parts[0])
            if "season" in value and "month" not in args:
                args["season"] = int(value["season"])
            return Date(circa=circa, **args)
        return DateRange(begin=Date(**_date_parts(parts[0])), end=Date(**_date_parts(parts[1])), circa=circa)
    if value.get("literal"):
        return LiteralDate(value["literal"], circa=circa)
    return None


def make_reference(entry: Entry) -> Reference:
    """A fresh citeproc-py reference for ``entry`` (fresh because
    disambiguation adds a year suffix to it)."""
    reference = Reference(entry.id, entry.data["type"])
    for field, value in entry.data.items():
        if field in ("id", "type") or field not in csl_data.VARIABLES:
            continue
        key = field.replace("-", "_")
        if field in csl_data.NAME_VARIABLES:
            reference[key] = [_name(n) for n in value]
        elif field in csl_data.DATE_VARIABLES:
            date = _date(value)
            if date is not None:
                reference[key] = date
        elif field == "URL":
            reference[key] = Text(URL_OPEN + plain(value) + URL_CLOSE)
        elif field == "DOI":
            reference[key] = Text(DOI_OPEN + _DOI_PREFIX.sub("", plain(value)) + DOI_CLOSE)
        elif field == "language":
            reference[key] = str(value)
        elif field in _NUMBERISH:
            reference[key] = Text(plain(value))
        else:
            reference[key] = rich_text(str(value))
    return reference


def fallback_author(reference: Reference, and_term: str, et_al: str) -> str | None:
    """The author as "Family", "Family and Family" or "Family et al.", for
    author-in-text citations in styles whose citations name no one
    (numeric styles)."""
    for role in ("author", "editor", "translator", "director", "composer", "container_author"):
        names = reference.get(role)
        if names:
            break
    else:
        return None
    families = []
    for name in names:
        given, family, dropping, non_dropping, suffix = name.parts()
        families.append(" ".join(p for p in (non_dropping, family) if p) or given or "")
    if len(families) == 1:
        return families[0]
    if len(families) == 2:
        return f"{families[0]} {and_term} {families[1]}"
    return f"{families[0]} {et_al}"
