"""book.yaml: one small validator per field, every problem collected with its line.

The schema is the table :data:`FIELDS`; a key not in it is reported with the
closest known key, so that a typo such as ``tilte:`` never passes silently.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .errors import BookError
from .model import IndexTerm, Person, PrintOptions
from .yamlsrc import Located, iso_date

ROLES = {"author": "aut", "editor": "edt", "translator": "trl", "illustrator": "ill"}
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "A6": (105.0, 148.0),
                 "B5": (176.0, 250.0), "LETTER": (215.9, 279.4)}
_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}


@dataclass(frozen=True)
class Entry:
    """A chapter listed in book.yaml, before its file is read."""

    rel: str
    line: int
    column: int
    matter: str
    part: str
    part_line: int


class _Checker:
    """Collects problems while reading one Located document."""

    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.errors: list[BookError] = []

    def fail(self, path: tuple, message: str, hint: str = "", key: bool = False, rule: str = "book-yaml") -> None:
        self.errors.append(self.doc.error(path, message, hint, key, rule))

    def text(self, data: dict, key: str, required: bool = False, default: str = "") -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((), f"'{key}' is missing", f"add '{key}: ...' to book.yaml", rule="book-yaml-required")
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.fail((key,), f"'{key}' must be text, not {_kind(value)}", f"write '{key}: some text'")
            return default
        if required and not value.strip():
            self.fail((key,), f"'{key}' is empty", f"give the book a {key}")
        return value.strip()

    def texts(self, data: dict, key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),)
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.fail((key,), f"'{key}' must be text or a list of texts", f"write '{key}: [first, second]'")
            return ()
        return tuple(str(v).strip() for v in value)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", type(None): "empty"}.get(
        type(value), type(value).__name__)


def slugify(text: str) -> str:
    """An ASCII file-name stem: "World War II: Diplomacy" → "world-war-ii-diplomacy"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "book"


def _people(ck: _Checker, data: dict) -> tuple[Person, ...]:
    people: list[Person] = []
    for key, role in (("author", "aut"), ("editor", "edt"), ("translator", "trl"), ("illustrator", "ill")):
        value = data.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            path = (key, i) if isinstance(value, list) else (key,)
            if isinstance(item, str) and item.strip():
                people.append(Person(item.strip(), _file_as(item.strip()), role))
            elif isinstance(item, dict):
                unknown = set(item) - {"name", "file-as"}
                for k in sorted(unknown):
                    ck.fail(path + (k,), f"unknown key '{k}' in {key}", "a person has 'name' and optional 'file-as'", key=True, rule="book-yaml-unknown-key")
                name = item.get("name")
                if not isinstance(name, str) or not name.strip():
                    ck.fail(path, f"{key} needs a 'name'", "write '- name: First Last'")
                    continue
                file_as = item.get("file-as")
                if file_as is not None and not isinstance(file_as, str):
                    ck.fail(path + ("file-as",), "'file-as' must be text")
                    file_as = None
                people.append(Person(name.strip(), (file_as or _file_as(name)).strip(), role))
            else:
                ck.fail(path, f"each {key} is a name or a mapping with 'name'", "write '- First Last' or '- name: First Last'")
    return tuple(people)


def _file_as(name: str) -> str:
    parts = name.split()
    if len(parts) < 2 or any(w in name for w in ("’", "'", "Clothing", "Press", "Society")):
        return name
    return f"{parts[-1]}, {' '.join(parts[:-1])}"


def _print(ck: _Checker, data: dict) -> PrintOptions:
    value = data.get("print")
    if value is None:
        return PrintOptions()
    if not isinstance(value, dict):
        ck.fail(("print",), "'print' must be a mapping", "write 'print: {page: A5}'")
        return PrintOptions()
    allowed = {"page", "bleed", "crop-marks", "handout-paper"}
    for key in sorted(set(value) - allowed):
        ck.fail(("print", key), f"unknown key '{key}' in print", _suggest(key, allowed), key=True, rule="book-yaml-unknown-key")
    page = value.get("page", "A5")
    size = page_size_mm(str(page))
    if size is None:
        ck.fail(("print", "page"), f"unknown page size '{page}'", "use A4, A5, A6, B5, letter or WIDTHxHEIGHT such as 6inx9in or 152x229mm")
        size = PAGE_SIZES_MM["A5"]
    bleed = value.get("bleed", 0)
    bleed_mm = _length_mm(str(bleed)) if bleed else 0.0
    if bleed_mm is None or bleed_mm < 0 or bleed_mm > 10:
        ck.fail(("print", "bleed"), f"bad bleed '{bleed}'", "give a length such as 3mm (at most 10mm)")
        bleed_mm = 0.0
    crop = value.get("crop-marks", bool(bleed_mm))
    if not isinstance(crop, bool):
        ck.fail(("print", "crop-marks"), "'crop-marks' must be true or false")
        crop = False
    paper = str(value.get("handout-paper", "A4"))
    if paper.upper() not in ("A4", "LETTER"):
        ck.fail(("print", "handout-paper"), f"unknown handout paper '{paper}'", "use A4 or letter")
        paper = "A4"
    return PrintOptions(str(page), size[0], size[1], bleed_mm, crop, "letter" if paper.upper() == "LETTER" else "A4")


def _length_mm(text: str) -> float | None:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?\s*", text)
    if not m:
        return None
    return float(m.group(1)) * _UNITS_MM[m.group(2) or "mm"]


def page_size_mm(text: str) -> tuple[float, float] | None:
    """``A5`` → (148, 210); ``6inx9in`` or ``152x229mm`` → millimetres; None if unknown."""
    named = PAGE_SIZES_MM.get(text.strip().upper())
    if named:
        return named
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?\s*[x×]\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?\s*", text)
    if not m:
        return None
    unit2 = m.group(4) or m.group(2) or "mm"
    unit1 = m.group(2) or unit2
    w, h = float(m.group(1)) * _UNITS_MM[unit1], float(m.group(3)) * _UNITS_MM[unit2]
    if not (50 <= w <= 600 and 50 <= h <= 900):
        return None
    return (round(w, 2), round(h, 2))


def _suggest(word: str, known: set[str] | list[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return "known keys are " + ", ".join(sorted(known))


def _entries(ck: _Checker, data: dict, key: str, matter: str) -> list[Entry]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        ck.fail((key,), f"'{key}' must be a list of chapter files", f"write '{key}:' and then '- chapters/one.md' lines")
        return []
    out: list[Entry] = []
    for i, item in enumerate(value):
        path = (key, i)
        if isinstance(item, str):
            line, col = ck.doc.where(path)
            out.append(Entry(item.strip(), line, col, matter, "", 0))
        elif isinstance(item, dict) and matter == "body" and "part" in item:
            for k in sorted(set(item) - {"part", "chapters"}):
                ck.fail(path + (k,), f"unknown key '{k}' in a part", _suggest(k, {"part", "chapters"}), key=True, rule="book-yaml-unknown-key")
            title = item.get("part")
            if not isinstance(title, str) or not title.strip():
                ck.fail(path + ("part",), "a part needs a title", "write '- part: Title of the part'")
                continue
            chapters = item.get("chapters")
            part_line = ck.doc.where(path + ("part",))[0]
            if not isinstance(chapters, list) or not chapters:
                ck.fail(path + ("part",), f"part '{title}' has no chapters", "add 'chapters:' with a list of chapter files under the part")
                continue
            for j, ch in enumerate(chapters):
                if not isinstance(ch, str):
                    ck.fail(path + ("chapters", j), "a chapter is given by its file path", "write '- chapters/name.md'")
                    continue
                line, col = ck.doc.where(path + ("chapters", j))
                out.append(Entry(ch.strip(), line, col, matter, title.strip(), part_line))
        else:
            ck.fail(path, "a chapter entry is a file path" + (" or a part" if matter == "body" else ""),
                    "write '- chapters/name.md'" + (" or '- part: Title' with 'chapters:'" if matter == "body" else ""))
    return out


INDEX_KEYS = {"term": "the entry as printed; 'Treaties!Rapallo' is the sub-entry Rapallo of Treaties",
              "aliases": "other forms of the term to find in the text",
              "see": "the entry to look up instead (no page numbers)",
              "see-also": "related entries, after the page numbers",
              "sort": "how the entry sorts, when not as printed",
              "find": "false: do not look for the term in the text, only spans mark it",
              "sub-entries": "terms under this one, each a text or a mapping like this one"}


def _index(ck: _Checker, data: dict) -> tuple[IndexTerm, ...]:
    """The ``index:`` list: each term a text or a mapping of :data:`INDEX_KEYS`; sub-entries nest."""
    value = data.get("index")
    if value is None:
        return ()
    if not isinstance(value, list):
        ck.fail(("index",), "'index' must be a list of terms", "write 'index:' and then '- Term' or '- term: Term' lines")
        return ()
    terms: list[IndexTerm] = []
    seen: dict[tuple[str, ...], int] = {}
    for i, item in enumerate(value):
        _index_term(ck, item, ("index", i), (), terms, seen)
    return tuple(terms)


def _index_term(ck: _Checker, item: Any, path: tuple, parent: tuple[str, ...], terms: list[IndexTerm],
                seen: dict[tuple[str, ...], int]) -> None:
    line = ck.doc.where(path)[0]
    if isinstance(item, (str, int, float)) and not isinstance(item, bool):
        item = {"term": str(item)}
    elif not isinstance(item, dict):
        ck.fail(path, "an index term is a text or a mapping with 'term'", "write '- Litvinov' or '- term: Litvinov, Maxim'")
        return
    for key in sorted(set(item) - set(INDEX_KEYS)):
        ck.fail(path + (key,), f"unknown key '{key}' in an index term", _suggest(key, set(INDEX_KEYS)), key=True,
                rule="book-yaml-unknown-key")
    term = item.get("term")
    if not isinstance(term, (str, int)) or not str(term).strip():
        ck.fail(path, "an index term needs a 'term'", "write '- term: Litvinov, Maxim'")
        return
    levels = tuple(part.strip() for part in str(term).split("!"))
    if not all(levels):
        ck.fail(path + ("term",), f"the index term '{term}' has an empty level",
                "separate an entry and its sub-entry with one '!': 'Treaties!Rapallo'")
        return
    full = parent + levels
    key = tuple(" ".join(level.split()) for level in full)
    if key in seen:
        ck.fail(path + ("term",), f"the index term '{'!'.join(full)}' is listed twice (first on line {seen[key]})",
                "list each term once; put every form of it under 'aliases'", rule="book-yaml")
        return
    seen[key] = line

    def texts(name: str) -> tuple[str, ...]:
        raw = item.get(name)
        if raw is None:
            return ()
        if isinstance(raw, (str, int)) and not isinstance(raw, bool):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in raw):
            ck.fail(path + (name,), f"'{name}' must be a text or a list of texts", f"write '{name}: [first, second]'")
            return ()
        return tuple(str(v).strip() for v in raw)

    see = texts("see")
    if len(see) > 1:
        ck.fail(path + ("see",), "'see' names one entry", "name the others under 'see-also'")
    find = item.get("find", True)
    if not isinstance(find, bool):
        ck.fail(path + ("find",), "'find' must be true or false")
        find = True
    sort = item.get("sort", "")
    if not isinstance(sort, (str, int)):
        ck.fail(path + ("sort",), "'sort' must be text")
        sort = ""
    terms.append(IndexTerm(full, texts("aliases"), see[0] if see else "", texts("see-also"), str(sort).strip(),
                           find, line))
    subs = item.get("sub-entries")
    if subs is None:
        return
    if not isinstance(subs, list):
        ck.fail(path + ("sub-entries",), "'sub-entries' must be a list of terms", "write '- Term' lines under it")
        return
    for j, sub in enumerate(subs):
        _index_term(ck, sub, path + ("sub-entries", j), full, terms, seen)


@dataclass(frozen=True)
class Config:
    """book.yaml, validated: metadata fields and the chapter entries."""

    fields: dict[str, Any]
    entries: tuple[Entry, ...]


FIELDS: dict[str, str] = {
    "title": "the book's title (required)",
    "subtitle": "a subtitle",
    "author": "a name or a list of names or {name, file-as}",
    "editor": "as author, with the editor role",
    "translator": "as author, with the translator role",
    "illustrator": "as author, with the illustrator role",
    "publisher": "the publisher's name",
    "lang": "the language as a BCP 47 tag (default en)",
    "date": "publication date YYYY-MM-DD (required): also every output's timestamp",
    "identifier": "a stable identifier such as urn:uuid:… or an ISBN (required)",
    "rights": "the rights statement",
    "description": "a paragraph describing the book",
    "subject": "a subject or a list of subjects",
    "source": "what this edition was made from",
    "edition": "the edition statement, e.g. First edition",
    "url": "where the book lives online",
    "slug": "the file-name stem of the outputs",
    "bibliography": "a CSL-YAML/CSL-JSON file or a list of them",
    "csl": "a CSL style name or a path to a .csl file",
    "references-title": "the heading of the reference list (default: References; Bibliography for note styles)",
    "nocite": "keys to list in the references though never cited ('@*' for all)",
    "cover": "a cover image for the EPUB",
    "print": "print options: page, bleed, crop-marks, handout-paper",
    "front": "front-matter chapter files, in order",
    "chapters": "the body: chapter files and parts, in order (required)",
    "back": "back-matter chapter files, in order",
    "index": "terms of the back-of-book index, found in the text (see README, 'The index')",
}


def read_config(doc: Located, collect: list[BookError] | None = None) -> Config:
    """Validate a parsed book.yaml; raise every problem at once.

    With ``collect`` (``check`` keeps going past a bad field) the problems are
    appended to it instead, and the fields that were wrong keep their defaults."""
    ck = _Checker(doc)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "book.yaml must be a mapping of keys such as 'title:' and 'chapters:'",
                        "see README.md, 'The content format'", rule="book-yaml")
    for key in sorted(set(data) - set(FIELDS), key=lambda k: doc.where((k,), True)):
        ck.fail((key,), f"unknown key '{key}'", _suggest(key, set(FIELDS)), key=True, rule="book-yaml-unknown-key")

    fields: dict[str, Any] = {}
    fields["title"] = ck.text(data, "title", required=True)
    for key in ("subtitle", "publisher", "rights", "description", "source", "edition", "url"):
        fields[key] = ck.text(data, key)
    fields["lang"] = ck.text(data, "lang", default="en") or "en"
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", fields["lang"]):
        ck.fail(("lang",), f"'{fields['lang']}' is not a language tag", "use a BCP 47 tag such as en, en-GB or de")
    raw_date = data.get("date")
    fields["date"] = iso_date(raw_date) if raw_date is not None else None
    if raw_date is None:
        ck.fail((), "'date' is missing", "add 'date: YYYY-MM-DD'; it dates the book and every output", rule="book-yaml-required")
    elif fields["date"] is None:
        ck.fail(("date",), f"'{raw_date}' is not a date", "write the date as YYYY-MM-DD")
    fields["identifier"] = ck.text(data, "identifier", required=True)
    fields["slug"] = ck.text(data, "slug") or slugify(fields["title"] or "book")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", fields["slug"]):
        ck.fail(("slug",), f"'{fields['slug']}' is not a usable file name", "use letters, digits, '-', '_' and '.'")
    fields["subjects"] = ck.texts(data, "subject")
    fields["creators"] = _people(ck, data)
    fields["bibliography"] = ck.texts(data, "bibliography")
    fields["csl"] = ck.text(data, "csl", default="chicago-author-date") or "chicago-author-date"
    fields["references_title"] = ck.text(data, "references-title")
    nocite = ck.texts(data, "nocite")
    fields["nocite"] = tuple(k.lstrip("@") if k != "@*" else "*" for k in nocite for k in k.replace(",", " ").split())
    fields["cover"] = ck.text(data, "cover") or None
    if fields["cover"] and Path(fields["cover"]).suffix.lower() not in (".png", ".jpg", ".jpeg"):
        ck.fail(("cover",), f"the cover '{fields['cover']}' is not a PNG or JPEG image",
                "e-readers, stores and Kindle conversion take a .png or .jpg cover", rule="book-yaml")
    fields["print"] = _print(ck, data)
    fields["index"] = _index(ck, data)

    entries = _entries(ck, data, "front", "front") + _entries(ck, data, "chapters", "body") + _entries(ck, data, "back", "back")
    if data.get("chapters") is None:
        ck.fail((), "'chapters' is missing", "add 'chapters:' with the list of chapter files", rule="book-yaml-required")
    elif not [e for e in entries if e.matter == "body"] and not ck.errors:
        ck.fail(("chapters",), "the chapter list is empty", "list at least one chapter file under 'chapters:'", rule="book-yaml-required")
    if ck.errors and collect is None:
        from .errors import BookErrors
        raise BookErrors(ck.errors)
    if collect is not None:
        collect.extend(ck.errors)
    return Config(fields, tuple(entries))
