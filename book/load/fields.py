"""Validators of book.yaml's structured fields: people, print options, chapter entries, index terms.

Each reads its part of the parsed mapping with a :class:`~book.load.checker.Checker`,
which collects every problem with its line and column; :mod:`.config` lists them in its table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model import IndexTerm, Person, PrintOptions
from .checker import Checker, suggest
from .style import PRINT_LAYOUT_KEYS, print_layout

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


def people(ck: Checker, data: dict) -> tuple[Person, ...]:
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


def print_options(ck: Checker, data: dict) -> PrintOptions:
    value = data.get("print")
    if value is None:
        return PrintOptions()
    if not isinstance(value, dict):
        ck.fail(("print",), "'print' must be a mapping", "write 'print: {page: A5}'")
        return PrintOptions()
    allowed = {"page", "bleed", "crop-marks", "handout-paper", *PRINT_LAYOUT_KEYS}
    for key in sorted(set(value) - allowed):
        ck.fail(("print", key), f"unknown key '{key}' in print", suggest(key, allowed), key=True, rule="book-yaml-unknown-key")
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
    return PrintOptions(str(page), size[0], size[1], bleed_mm, crop, "letter" if paper.upper() == "LETTER" else "A4",
                        **print_layout(ck, value, size))


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


def entries(ck: Checker, data: dict, key: str, matter: str) -> list[Entry]:
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
                ck.fail(path + (k,), f"unknown key '{k}' in a part", suggest(k, {"part", "chapters"}), key=True, rule="book-yaml-unknown-key")
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


def index_terms(ck: Checker, data: dict) -> tuple[IndexTerm, ...]:
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


def _index_term(ck: Checker, item: Any, path: tuple, parent: tuple[str, ...], terms: list[IndexTerm],
                seen: dict[tuple[str, ...], int]) -> None:
    line = ck.doc.where(path)[0]
    if isinstance(item, (str, int, float)) and not isinstance(item, bool):
        item = {"term": str(item)}
    elif not isinstance(item, dict):
        ck.fail(path, "an index term is a text or a mapping with 'term'", "write '- Litvinov' or '- term: Litvinov, Maxim'")
        return
    for key in sorted(set(item) - set(INDEX_KEYS)):
        ck.fail(path + (key,), f"unknown key '{key}' in an index term", suggest(key, set(INDEX_KEYS)), key=True,
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
