"""Load CSL-YAML and CSL-JSON bibliographies, with file and line for every entry.

A YAML file is a mapping with a ``references:`` list (pandoc's CSL-YAML, what
Zotero's Better BibTeX writes) or a bare list; a JSON file is CSL-JSON, an
array of entries.  Each entry is validated and normalised
(:mod:`book.resolve.cite.csl_data`); every problem becomes a :class:`BookError` at
the entry's or field's line, and all problems of all files are reported
together.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from book.errors import BookError, BookErrors
from book.memo import Memo, remember
from book.resolve.cite import csl_data
from book.resolve.cite.csl_data import FieldError
from book.resolve.cite.sources import parse_source, read_source
from book.resolve.cite.syntax import Citation


@dataclass(frozen=True)
class Entry:
    """One bibliography entry, normalised to CSL-JSON."""

    id: str
    """The citation key."""
    data: Mapping[str, Any]
    """The CSL-JSON fields, read-only: dates as ``{"date-parts": ((y, m, d),)}``,
    names as mappings, text with CSL rich-text tags."""
    file: Path
    """The file the entry is in."""
    line: int
    """1-based line where the entry starts."""


@dataclass(frozen=True)
class Bibliography:
    """All entries of a book's bibliography files, in file order."""

    entries: tuple[Entry, ...] = ()
    """The entries, in the order of the files and within each file."""
    _index: Mapping[str, Entry] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", types.MappingProxyType({e.id: e for e in self.entries}))

    def get(self, key: str) -> Entry | None:
        """The entry with id ``key``, or None."""
        return self._index.get(key)

    def keys(self) -> tuple[str, ...]:
        """Every id, in bibliography order."""
        return tuple(e.id for e in self.entries)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self.entries)


# --- validation ----------------------------------------------------------------

def _normalise(raw: dict[str, Any], prose: bool) -> dict[str, Any]:
    """Check one entry and return its normalised CSL-JSON; raises FieldError."""
    text = csl_data.markdown_text if prose else (lambda s: s)
    if "id" not in raw or raw["id"] in (None, ""):
        raise FieldError("", "the entry has no 'id'", "add 'id: KEY', the key you cite as @KEY")
    data: dict[str, Any] = {"id": csl_data.plain_text(raw["id"], "id")}
    kind = raw.get("type")
    if kind is None or kind == "":
        kind = ""  # CSL processors accept an entry without a type: no type condition holds for it
    elif not isinstance(kind, str):
        raise FieldError("type", f"entry '{data['id']}' has a 'type' that is not text",
                         "write e.g. 'type: book' (a CSL 1.0.2 item type)")
    elif kind not in csl_data.CSL_TYPES:
        raise FieldError("type", f"unknown CSL type '{kind}'", csl_data.type_hint(kind))
    data["type"] = kind
    fields = dict(raw)
    if isinstance(fields.get("note"), str):
        note, extra = csl_data.split_note(fields["note"])
        fields["note"] = note
        for name, value in extra.items():
            fields.setdefault(name, value)
    for name, value in fields.items():
        if name in ("id", "type") or value is None or value == "" or value == []:
            continue
        if name in csl_data.NAME_VARIABLES:
            data[name] = csl_data.names(value, name, text)
        elif name in csl_data.DATE_VARIABLES:
            date = csl_data.date(value, name)
            if date:
                data[name] = date
        elif name in csl_data.VERBATIM_FIELDS:
            data[name] = csl_data.plain_text(value, name)
        elif name in csl_data.VARIABLES:
            if isinstance(value, dict):
                raise FieldError(name, f"'{name}' must be text", "write the value on one line, as a string")
            data[name] = text(csl_data.plain_text(value, name))
        else:
            data[name] = value  # not a CSL variable: kept, never printed
    return data


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return types.MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def load_bibliography(paths: Sequence[Path], memo: Memo | None = None) -> Bibliography:
    """Read the given CSL-YAML (``.yaml``/``.yml``) and CSL-JSON (``.json``)
    files, in order; raise every problem found as one :class:`BookError`.

    With ``memo`` (``serve``), each file is read again but parsed and validated
    again only when its text changed (:func:`_file_items`)."""
    errors: list[BookError] = []
    entries: list[Entry] = []
    seen: dict[str, Entry] = {}
    for path in paths:
        path = Path(path)
        try:
            text = read_source(path)
            items = remember(memo, ("bibliography", path), text, lambda: _file_items(path, text))
        except BookError as err:
            errors.append(err)
            continue
        for item in items:
            if isinstance(item, BookError):
                errors.append(item)
                continue
            entry, id_place = item
            if entry.id in seen:
                first = seen[entry.id]
                errors.append(BookError(f"duplicate bibliography id '{entry.id}'", path, *id_place,
                                        f"the first entry with this id is at {first.file}:{first.line}; "
                                        "give one of them another id"))
                continue
            seen[entry.id] = entry
            entries.append(entry)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BookErrors(errors)
    return Bibliography(tuple(entries))


def _file_items(path: Path, text: str) -> tuple[tuple[Entry, tuple[int, int]] | BookError, ...]:
    """Each entry of one bibliography file, validated: the entry and the place of its ``id``, or
    the problem that keeps it out, in file order. A file that cannot be parsed raises."""
    items: list[tuple[Entry, tuple[int, int]] | BookError] = []
    for raw in parse_source(path, text):
        if not isinstance(raw.value, dict):
            items.append(BookError("a bibliography entry must be a mapping of fields", path,
                                   raw.line, raw.column, "write the entry as '- id: …' "
                                   "followed by indented 'field: value' lines"))
            continue
        try:
            data = _normalise(raw.value, prose=path.suffix.lower() != ".json")
        except FieldError as err:
            line, column = raw.field_lines.get(err.field, (raw.line, raw.column))
            items.append(BookError(err.message, path, line, column, err.hint))
            continue
        items.append((Entry(data["id"], _freeze(data), path, raw.line),
                      raw.field_lines.get("id", (raw.line, raw.column))))
    return tuple(items)


# --- checks ------------------------------------------------------------------

def parse_nocite(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """The keys of a ``nocite`` value: ``'@*'``, ``'@a, @b'``, ``'[@a; @b]'``
    or a list of such; keys keep their order, ``*`` stands for all."""
    if value is None:
        return ()
    texts = [value] if isinstance(value, str) else list(value)
    keys: list[str] = []
    for text in texts:
        for key in re.findall(r"@(\*|\{[^{}]*\}|[^\s,;\[\]]+)", str(text)) or [str(text).strip()]:
            key = key[1:-1] if key.startswith("{") else key.rstrip(".:")
            if key and key not in keys:
                keys.append(key)
    return tuple(keys)


def check_keys(citations_with_files: Iterable[tuple[Path, int, Citation]], bib: Bibliography) -> list[BookError]:
    """An error for every cited key that is not in ``bib``, at the key's
    place (``line_offset`` is the line in the file before the Markdown text
    starts, e.g. the front matter), suggesting the closest known keys."""
    errors = []
    known = bib.keys()
    folded = {k.casefold(): k for k in known}
    for path, line_offset, citation in citations_with_files:
        for index, item in enumerate(citation.items):
            if item.key in bib:
                continue
            same = folded.get(item.key.casefold())
            close = [same] if same else difflib.get_close_matches(item.key, known, n=3, cutoff=0.6)
            if close:
                hint = "did you mean " + " or ".join(f"@{k}" for k in close) + "?"
            elif not known:
                hint = "the book has no bibliography entries: name a CSL-YAML file under 'bibliography:' in book.yaml"
            else:
                hint = f"add an entry with 'id: {item.key}' to the bibliography, or write \\@ for a literal @"
            line = line_offset + citation.line if citation.line else 0
            errors.append(BookError(f"unknown citation key @{item.key}", path, line,
                                    citation.key_column(index), hint, rule="unknown-citation"))
    return errors


def unused_entries(bib: Bibliography, cited_keys: Iterable[str], nocite: Iterable[str] = ()) -> list[BookError]:
    """A warning (not raised) for every entry neither cited nor in ``nocite``."""
    wanted = set(cited_keys) | set(parse_nocite(list(nocite)))
    if "*" in wanted:
        return []
    return [BookError(f"bibliography entry '{e.id}' is never cited", e.file, e.line,
                      hint="cite it, list it under 'nocite:' in book.yaml, or remove it",
                      rule="unused-reference")
            for e in bib.entries if e.id not in wanted]
