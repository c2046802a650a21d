"""book.yaml: one small validator per field, every problem collected with its line.

The schema is the table :data:`FIELDS`: each :class:`Field` names the book.yaml
keys it reads (with their help text), the :class:`Settings` attribute it fills
and the validator that reads them. :func:`read_config` runs every validator,
collects every problem with its line and column, and returns the validated
values as one frozen :class:`Settings`. A key that no field reads is reported
with the closest known key, so that a typo such as ``tilte:`` never passes silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import BookError, BookErrors
from ..model import IndexTerm, Person, PrintOptions, Style
from . import style as looks
from .checker import Checker, suggest
from .fields import Entry, entries, index_terms, people, print_options
from .yamlsrc import Located, iso_date


def slugify(text: str) -> str:
    """An ASCII file-name stem that keeps the title's letters: "World War II: Diplomacy" →
    "world-war-ii-diplomacy", "Über die Straßenbahn" → "uber-die-strassenbahn", "Война и мир" →
    "voyna-i-mir" (anyascii's transliteration, for scripts an ASCII file name cannot hold)."""
    from anyascii import anyascii

    text = anyascii(unicodedata.normalize("NFC", text))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "book"


def _title(ck: Checker, data: dict, _so_far: dict) -> str:
    return ck.text(data, "title", required=True)


def _plain(key: str):
    def read(ck: Checker, data: dict, _so_far: dict) -> str:
        return ck.text(data, key)
    return read


def _lang(ck: Checker, data: dict, _so_far: dict) -> str:
    lang = ck.text(data, "lang", default="en") or "en"
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
        ck.fail(("lang",), f"'{lang}' is not a language tag", "use a BCP 47 tag such as en, en-GB or de")
    return lang


def _date(ck: Checker, data: dict, _so_far: dict) -> str:
    raw = data.get("date")
    date = iso_date(raw) if raw is not None else None
    if raw is None:
        ck.fail((), "'date' is missing", "add 'date: YYYY-MM-DD'; it dates the book and every output",
                rule="book-yaml-required")
    elif date is None:
        ck.fail(("date",), f"'{raw}' is not a date", "write the date as YYYY-MM-DD")
    elif date > LAST_DATE:
        ck.fail(("date",), f"{date} is after {LAST_DATE}, the last day a ZIP archive (the EPUB, the deposit) "
                "can record", "give the date this edition is published")
        date = None
    return date or ""


LAST_DATE = "2107-12-31"
"""The last date a ZIP archive can store (its year is 1980 + seven bits): every output is stamped
with the book's date, and the EPUB is a ZIP."""


def _identifier(ck: Checker, data: dict, _so_far: dict) -> str:
    return ck.text(data, "identifier", required=True)


MAX_NAME = 100
"""The longest slug or chapter id: each becomes part of file names (``<slug>-archival.pdf``,
``<id>-booklet.pdf`` and their temporary names), which a file system allows 255 bytes."""


def short_name(slug: str) -> str:
    """A slug made from a title, cut at a word to :data:`MAX_NAME` characters."""
    if len(slug) <= MAX_NAME:
        return slug
    cut = slug[:MAX_NAME + 1]
    return (cut[:cut.rfind("-")] if "-" in cut else cut[:MAX_NAME]).strip("-") or "book"


def _slug(ck: Checker, data: dict, so_far: dict) -> str:
    slug = ck.text(data, "slug") or short_name(slugify(so_far["title"] or "book"))
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", slug):
        ck.fail(("slug",), f"'{slug}' is not a usable file name", "use letters, digits, '-', '_' and '.'")
    elif len(slug) > MAX_NAME:
        ck.fail(("slug",), f"the slug is {len(slug)} characters long, more than the {MAX_NAME} a file name "
                "of the outputs may take", "choose a shorter slug", rule="book-yaml")
        slug = short_name(slug)
    return slug


def _subjects(ck: Checker, data: dict, _so_far: dict) -> tuple[str, ...]:
    return ck.texts(data, "subject")


_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _hyphenation(ck: Checker, data: dict, _so_far: dict) -> tuple[str, ...]:
    words = ck.texts(data, "hyphenation")
    for i, word in enumerate(words):
        if not _HYPHENATED.fullmatch(word):
            ck.fail(("hyphenation", i) if isinstance(data.get("hyphenation"), list) else ("hyphenation",),
                    f"'{word}' is not a word with its breaks",
                    "write the word with a hyphen where it may break, e.g. 'Reichs-wehr' (no hyphen: never broken)")
    return tuple(w for w in words if _HYPHENATED.fullmatch(w))


def _bibliography(ck: Checker, data: dict, _so_far: dict) -> tuple[str, ...]:
    return ck.texts(data, "bibliography")


def _csl(ck: Checker, data: dict, _so_far: dict) -> str:
    return ck.text(data, "csl", default="chicago-author-date") or "chicago-author-date"


def _references_title(ck: Checker, data: dict, _so_far: dict) -> str:
    return ck.text(data, "references-title")


def _nocite(ck: Checker, data: dict, _so_far: dict) -> tuple[str, ...]:
    return tuple(k.lstrip("@") if k != "@*" else "*"
                 for given in ck.texts(data, "nocite") for k in given.replace(",", " ").split())


def _cover(ck: Checker, data: dict, _so_far: dict) -> str:
    cover = ck.text(data, "cover")
    if cover and Path(cover).suffix.lower() not in (".png", ".jpg", ".jpeg"):
        ck.fail(("cover",), f"the cover '{cover}' is not a PNG or JPEG image",
                "e-readers, stores and Kindle conversion take a .png or .jpg cover", rule="book-yaml")
    return cover


def _numbering(ck: Checker, data: dict, _so_far: dict) -> str:
    numbering = ck.text(data, "numbering", default="chapter") or "chapter"
    if numbering not in ("chapter", "book"):
        ck.fail(("numbering",), f"'{numbering}' is not a way to number figures",
                "write 'numbering: chapter' (Figure 2.3) or 'numbering: book' (Figure 7)")
        return "chapter"
    return numbering


def _number_sections(ck: Checker, data: dict, _so_far: dict) -> bool:
    value = data.get("number-sections", False)
    if not isinstance(value, bool):
        ck.fail(("number-sections",), "'number-sections' is true or false",
                "write 'number-sections: true' to number the sections of each chapter (2.1, 2.1.1)")
        return False
    return value


@dataclass(frozen=True)
class Field:
    """One setting of book.yaml: the keys it reads, where it goes, how it is checked."""

    name: str
    """The :class:`Settings` attribute it fills."""
    keys: dict[str, str]
    """The book.yaml keys it reads, each with its help text."""
    read: Callable[[Checker, dict, dict], Any]
    """The validator: ``read(checker, book.yaml's mapping, the fields read before)`` returns the
    value and reports each problem to the checker (a wrong value then has its default)."""


FIELDS: tuple[Field, ...] = (
    Field("title", {"title": "the book's title (required)"}, _title),
    Field("subtitle", {"subtitle": "a subtitle"}, _plain("subtitle")),
    Field("creators", {"author": "a name or a list of names or {name, file-as}",
                       "editor": "as author, with the editor role",
                       "translator": "as author, with the translator role",
                       "illustrator": "as author, with the illustrator role"}, lambda ck, d, _f: people(ck, d)),
    Field("publisher", {"publisher": "the publisher's name"}, _plain("publisher")),
    Field("lang", {"lang": "the language as a BCP 47 tag (default en)"}, _lang),
    Field("date", {"date": "publication date YYYY-MM-DD (required): also every output's timestamp"}, _date),
    Field("identifier", {"identifier": "a stable identifier such as urn:uuid:… or an ISBN (required)"}, _identifier),
    Field("rights", {"rights": "the rights statement"}, _plain("rights")),
    Field("description", {"description": "a paragraph describing the book"}, _plain("description")),
    Field("subjects", {"subject": "a subject or a list of subjects"}, _subjects),
    Field("source", {"source": "what this edition was made from"}, _plain("source")),
    Field("edition", {"edition": "the edition statement, e.g. First edition"}, _plain("edition")),
    Field("url", {"url": "where the book lives online"}, _plain("url")),
    Field("slug", {"slug": "the file-name stem of the outputs"}, _slug),
    Field("bibliography", {"bibliography": "a CSL-YAML/CSL-JSON file or a list of them"}, _bibliography),
    Field("csl", {"csl": "a CSL style name or a path to a .csl file"}, _csl),
    Field("references_title", {"references-title": "the heading of the reference list (default: References; "
                                                   "Bibliography for note styles)"}, _references_title),
    Field("nocite", {"nocite": "keys to list in the references though never cited ('@*' for all)"}, _nocite),
    Field("cover", {"cover": "a cover image for the EPUB"}, _cover),
    Field("print", {"print": "print options: page, margins, bleed, crop-marks, chapter-opening, part-opening, "
                             "running-heads, repair, handout-paper"},
          lambda ck, d, _f: print_options(ck, d)),
    Field("numbering", {"numbering": "how figures, tables and equations are numbered: chapter (Figure 2.3, "
                                     "the default) or book (Figure 7)"}, _numbering),
    Field("number_sections", {"number-sections": "true to number the sections of each chapter (2.1, 2.1.1); "
                                                 "default false"}, _number_sections),
    Field("style", {"style": "the look: text-font, heading-font, code-font, font-size, line-height, accent-color, "
                             "contents-depth, chapter-numbers"}, lambda ck, d, _f: looks.style(ck, d)),
    Field("strings", {"strings": "generated words worded your way, e.g. 'contents: Table of Contents'"},
          lambda ck, d, _f: looks.strings(ck, d)),
    Field("fonts", {"fonts": "the book's own font files (TrueType or OpenType)"},
          lambda ck, d, _f: looks.font_entries(ck, d)),
    Field("css", {"css": "the book's stylesheets, for every edition or per edition (all, print, epub, web, handout)"},
          lambda ck, d, _f: looks.css_entries(ck, d)),
    Field("spelling", {"spelling": "false: check does not look up words"}, lambda ck, d, _f: looks.spelling(ck, d)),
    Field("hyphenation", {"hyphenation": "words the hyphenation patterns break wrongly, with their breaks "
                                         "('Reichs-wehr'; a word without a hyphen is never broken)"}, _hyphenation),
    Field("index", {"index": "terms of the back-of-book index, found in the text (see README, 'The index')"},
          lambda ck, d, _f: index_terms(ck, d)),
)
"""Every setting of book.yaml, in the order they are read (a field may use those before it)."""

CONTENTS = {"front": "front-matter chapter files, in order",
            "chapters": "the body: chapter files and parts, in order (required)",
            "back": "back-matter chapter files, in order"}
"""The keys that list the book's chapters (:class:`Entry`)."""

KEYS: dict[str, str] = {key: text for f in FIELDS for key, text in f.keys.items()} | CONTENTS
"""Every key book.yaml may have, with its help text."""


@dataclass(frozen=True)
class Settings:
    """book.yaml's settings, validated (chapters aside)."""

    title: str
    subtitle: str
    creators: tuple[Person, ...]
    publisher: str
    lang: str
    date: str
    """ISO ``YYYY-MM-DD``, or empty when book.yaml's date is missing or wrong (an error says so)."""
    identifier: str
    rights: str
    description: str
    subjects: tuple[str, ...]
    source: str
    edition: str
    url: str
    slug: str
    bibliography: tuple[str, ...]
    """The bibliography files as book.yaml names them (relative to its folder)."""
    csl: str
    references_title: str
    nocite: tuple[str, ...]
    cover: str
    """The cover image as book.yaml names it, or empty."""
    print: PrintOptions
    numbering: str
    """``chapter`` (Figure 2.3) or ``book`` (Figure 7): how figures, tables and equations are numbered."""
    number_sections: bool
    """Whether the sections of each chapter carry numbers (2.1, 2.1.1)."""
    style: Style
    strings: tuple[tuple[str, str], ...]
    fonts: tuple
    """``fonts:`` entries and where book.yaml names them; the files are read on load (:mod:`.looks`)."""
    css: tuple
    """``css:`` entries (path, editions, where); the files are read on load (:mod:`.looks`)."""
    spelling: bool
    hyphenation: tuple[str, ...]
    index: tuple[IndexTerm, ...]


@dataclass(frozen=True)
class Config:
    """book.yaml, validated: its settings and the chapter entries."""

    settings: Settings
    entries: tuple[Entry, ...]


def read_config(doc: Located, collect: list[BookError] | None = None) -> Config:
    """Validate a parsed book.yaml; raise every problem at once.

    With ``collect`` (``check`` keeps going past a bad field) the problems are
    appended to it instead, and the fields that were wrong keep their defaults."""
    ck = Checker(doc)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "book.yaml must be a mapping of keys such as 'title:' and 'chapters:'",
                        "see README.md, 'The content format'", rule="book-yaml")
    for key in sorted(set(data) - set(KEYS), key=lambda k: doc.where((k,), True)):
        ck.fail((key,), f"unknown key '{key}'", suggest(key, set(KEYS)), key=True, rule="book-yaml-unknown-key")
    values: dict[str, Any] = {}
    for f in FIELDS:
        values[f.name] = f.read(ck, data, values)

    listed = entries(ck, data, "front", "front") + entries(ck, data, "chapters", "body") + entries(ck, data, "back", "back")
    if data.get("chapters") is None:
        ck.fail((), "'chapters' is missing", "add 'chapters:' with the list of chapter files", rule="book-yaml-required")
    elif not [e for e in listed if e.matter == "body"] and not ck.errors:
        ck.fail(("chapters",), "the chapter list is empty", "list at least one chapter file under 'chapters:'", rule="book-yaml-required")
    if ck.errors and collect is None:
        raise BookErrors(ck.errors)
    if collect is not None:
        collect.extend(ck.errors)
    return Config(Settings(**values), tuple(listed))
