"""The book's language: every word the builder writes itself, and the conventions of the language.

Our own words (Contents, Notes, "Page 3 of 9" …) are the translations table, one
file per language beside this module (``en.yaml`` is the reference; each key is
documented there). A regional tag falls back to its language and then to English,
key by key: ``pt-BR`` reads ``pt-BR.yaml``, then ``pt.yaml``, then ``en.yaml``.
A book's ``strings:`` in book.yaml overrides any key (:func:`words`).

What a maintained source knows comes from it: dates and lists of names from CLDR
through Babel, the direction of the script from CLDR's character order, quotation
marks from CLDR's delimiters (:data:`QUOTES`, which Babel does not carry), and
citation terms from the CSL locales (:mod:`book.resolve.cite`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from dataclasses import dataclass
from pathlib import Path

import yaml
from markupsafe import Markup

FOLDER = Path(__file__).resolve().parent

QUOTES: dict[str, str] = {
    "en": "“”‘’", "de": "„“‚‘", "fr": "«»«»", "es": "“”‘’", "it": "«»“”", "pt": "“”‘’", "nl": "‘’‘’",
    "pl": "„”«»", "cs": "„“‚‘", "sv": "””’’", "ru": "«»„“", "uk": "«»„“", "el": "«»“”", "tr": "“”‘’",
    "ar": "”“’‘", "he": "””’’", "ja": "「」『』", "zh": "“”‘’", "da": "“”‘’", "fi": "””’’", "nb": "«»‘’",
    "hu": "„”»«", "ro": "„”«»", "ko": "“”‘’", "pt-PT": "«»“”", "fr-CH": "«»‹›", "de-CH": "„“‚‘",
    "sk": "„“‚‘", "sl": "„“‚‘", "hr": "„“‚‘", "bg": "„“„“", "ca": "«»“”", "lt": "„“„“", "lv": "«»„“",
    "et": "„““”", "fa": "«»‹›", "zh-Hant": "「」『』",
}
"""Quotation marks (open, close, inner open, inner close) from CLDR 48.2's delimiters
(``cldr-misc-full``, ``main/<lang>/delimiters.json``), by language and the regions that differ."""

NARROW_NBSP = "\u202f"
"""The space French sets inside « » and before ; : ! ? (``espace fine insécable``)."""

CJK = frozenset({"ja", "zh", "ko"})
"""Languages set without spaces between words: no hyphenation, line breaks between characters."""


def base(lang: str) -> str:
    """The language of a BCP 47 tag, in lower case: ``pt-BR`` → ``pt``."""
    return lang.split("-")[0].lower()


def _chain(lang: str) -> list[str]:
    """The tags to try, most specific first: ``zh-Hant-TW`` → ``zh-Hant-TW``, ``zh-Hant``, ``zh``."""
    parts = lang.split("-")
    parts[0] = parts[0].lower()
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def quotes(lang: str) -> tuple[str, str, str, str]:
    """The quotation marks of ``lang`` (CLDR), French ones with their narrow no-break spaces inside."""
    marks = next((QUOTES[tag] for tag in _chain(lang) if tag in QUOTES), QUOTES["en"])
    if base(lang) == "fr":
        return (marks[0] + NARROW_NBSP, NARROW_NBSP + marks[1], marks[2] + NARROW_NBSP, NARROW_NBSP + marks[3])
    return (marks[0], marks[1], marks[2], marks[3])


_FRENCH_BEFORE = re.compile(r"(?<=[^\s(\[{«\u202f])[ \u00a0\u202f\t]*([;:!?]+)(?=\s|$|[)\]}»”’.,])")
_FRENCH_OPEN = re.compile(r"«[ \u00a0\u202f]*")
_FRENCH_CLOSE = re.compile(r"[ \u00a0\u202f]*»")


def french_spacing(text: str) -> str:
    """French punctuation spacing: a narrow no-break space before ; : ! ? and inside « », whether
    or not the author typed a space there. A colon or question mark inside a word, a time or an
    address (``12:30``, ``http://``) is left as it is: only one followed by a space or the end is
    punctuation."""
    text = _FRENCH_BEFORE.sub(NARROW_NBSP + r"\1", text)
    text = _FRENCH_OPEN.sub("«" + NARROW_NBSP, text)
    return _FRENCH_CLOSE.sub(NARROW_NBSP + "»", text)


@functools.lru_cache(maxsize=32)
def _babel(lang: str):
    """Babel's locale for ``lang`` (CLDR data), its language's, or English's."""
    from babel import Locale, UnknownLocaleError

    for tag in _chain(lang):
        try:
            return Locale.parse(tag.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


def direction(lang: str) -> str:
    """``rtl`` for a language written right to left (CLDR's character order), else ``ltr``."""
    return "rtl" if _babel(lang).character_order == "right-to-left" else "ltr"


def is_cjk(lang: str) -> bool:
    return base(lang) in CJK


# ------------------------------------------------------------------ our own words


@functools.lru_cache(maxsize=64)
def _file(tag: str) -> dict[str, str]:
    path = FOLDER / f"{tag}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    # A block scalar ends with its line break; a quoted value keeps its spaces (": " between a caption's
    # number and its text).
    return {str(k): str(v).rstrip("\n") for k, v in data.items()}


KEYS: tuple[str, ...] = tuple(_file("en"))
"""Every key of the translations table, in ``en.yaml``'s order."""

LANGUAGES: tuple[str, ...] = tuple(sorted(p.stem for p in FOLDER.glob("*.yaml")))
"""The languages (and regional variants) the table has a file for."""


def table(lang: str) -> dict[str, str]:
    """Our words in ``lang``: its region's file over its language's over English, key by key."""
    merged = dict(_file("en"))
    for tag in reversed(_chain(lang)):
        merged.update(_file(tag))
    return merged


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a string of the table expects."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Words:
    """The generated words of one book: its language's table with the book's ``strings:`` over it,
    and CLDR's dates, lists and quotation marks. Templates call it: ``{{ t('page-of', page=3) }}``."""

    lang: str
    """The book's BCP 47 tag."""
    overrides: tuple[tuple[str, str], ...] = ()
    """book.yaml's ``strings:``, already checked against :data:`KEYS`."""

    @functools.cached_property
    def _table(self) -> dict[str, str]:
        return table(self.lang) | dict(self.overrides)

    def __call__(self, key: str, **values: object) -> Markup:
        """The word ``key`` as HTML for a template, ``values`` filled in: HTML given as
        :class:`~markupsafe.Markup` stays HTML, anything else is escaped."""
        return Markup.escape(self._table[key]).format(**values)

    def text(self, key: str, **values: object) -> str:
        """The word ``key`` as plain text, ``values`` filled in (PDF metadata, an image's alt text)."""
        text = self._table[key]
        return text.format(**values) if values else text

    @property
    def dir(self) -> str:
        """``rtl`` or ``ltr``: the direction of the book's script."""
        return direction(self.lang)

    @property
    def cjk(self) -> bool:
        return is_cjk(self.lang)

    def quote(self, text: str) -> str:
        """``text`` in the language's quotation marks: “text”, „Text“, « texte », 「テキスト」."""
        marks = quotes(self.lang)
        return f"{marks[0]}{text}{marks[1]}"

    def date(self, iso: str) -> str:
        """An ISO date as the language writes it in full: 26 November 2021, 26. November 2021,
        2021年11月26日 (CLDR's long format; English without a region is British, as before)."""
        from babel.dates import format_date

        day = dt.date.fromisoformat(iso)
        tag = "en-GB" if self.lang.lower() == "en" else self.lang
        return format_date(day, "long", locale=_babel(tag))

    def names(self, names: list[str] | tuple[str, ...]) -> str:
        """A list of names joined as the language does: "A, B and C" (CLDR's list pattern)."""
        from babel.lists import format_list

        return format_list(list(names), locale=_babel(self.lang)) if names else ""


@functools.lru_cache(maxsize=64)
def words(lang: str, overrides: tuple[tuple[str, str], ...] = ()) -> Words:
    """The :class:`Words` of a book (kept: every page of an edition asks)."""
    return Words(lang, overrides)
