"""CSL locales: terms, date formats and options, with the specification's fallback.

A style is rendered in one output locale.  Each localizable unit (a term in
one form, a date format, an option) comes from the first of these sources
that defines it (CSL 1.0.2, "Locale Fallback"): the style's own
``cs:locale`` for the dialect, for the language, without ``xml:lang``; then
the locale files for the dialect, its primary dialect, and ``en-US`` (the
files that ship with citeproc-py).  Term forms fall back after locales:
``verb-short`` → ``verb`` → ``long``, ``symbol`` → ``short`` → ``long``.
Ordinal terms are the exception: the first source that defines any of them
defines all of them.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Any

import citeproc
from lxml import etree

NS = "{http://purl.org/net/xbiblio/csl}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

PRIMARY_DIALECTS = {
    "af": "af-ZA", "ar": "ar", "bg": "bg-BG", "ca": "ca-AD", "cs": "cs-CZ", "cy": "cy-GB", "da": "da-DK",
    "de": "de-DE", "el": "el-GR", "en": "en-US", "es": "es-ES", "et": "et-EE", "eu": "eu", "fa": "fa-IR",
    "fi": "fi-FI", "fr": "fr-FR", "he": "he-IL", "hi": "hi-IN", "hr": "hr-HR", "hu": "hu-HU", "id": "id-ID",
    "is": "is-IS", "it": "it-IT", "ja": "ja-JP", "km": "km-KH", "ko": "ko-KR", "la": "la", "lt": "lt-LT",
    "lv": "lv-LV", "mn": "mn-MN", "nb": "nb-NO", "nl": "nl-NL", "nn": "nn-NO", "pl": "pl-PL", "pt": "pt-PT",
    "ro": "ro-RO", "ru": "ru-RU", "sk": "sk-SK", "sl": "sl-SI", "sr": "sr-RS", "sv": "sv-SE", "th": "th-TH",
    "tr": "tr-TR", "uk": "uk-UA", "vi": "vi-VN", "zh": "zh-CN",
}
"""Language → its primary dialect (the locale file used for the bare language)."""

_FORM_FALLBACK = {
    "verb-short": ("verb-short", "verb", "long"),
    "verb": ("verb", "long"),
    "symbol": ("symbol", "short", "long"),
    "short": ("short", "long"),
    "long": ("long",),
}


@dataclass(frozen=True)
class Term:
    """One ``cs:term`` in one form."""

    single: str
    multiple: str
    gender: str = ""
    """For nouns: "masculine" or "feminine" (ordinals agree with it)."""
    gender_form: str = ""
    """For ordinals: the gender this variant is for ("" = neuter)."""
    match: str = ""
    """For ordinals: last-digit, last-two-digits or whole-number."""


@dataclass(frozen=True)
class DatePartFormat:
    name: str
    attrs: tuple[tuple[str, str], ...]

    def get(self, key: str, default: str | None = None) -> str | None:
        for name, value in self.attrs:
            if name == key:
                return value
        return default


@dataclass(frozen=True)
class DateFormat:
    """A localized date format (``cs:date form="text"`` in a locale)."""

    attrs: tuple[tuple[str, str], ...]
    parts: tuple[DatePartFormat, ...]


@dataclass
class LocaleData:
    """What one ``cs:locale`` element (in a style or a locale file) defines."""

    lang: str | None
    terms: dict[tuple[str, str], list[Term]] = field(default_factory=dict)
    dates: dict[str, DateFormat] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)

    @property
    def has_ordinals(self) -> bool:
        return any(name == "ordinal" or name.startswith("ordinal-") for name, _ in self.terms)


def _text(element: Any) -> str:
    text = "".join(element.itertext()) if element is not None else ""
    # a term laid out over several lines of XML: the layout is not part of it
    return text.strip(" \t\r\n") if "\n" in text else text


def parse_locale(element: Any) -> LocaleData:
    """The terms, date formats and options of a ``cs:locale`` element."""
    data = LocaleData(element.get(XML_LANG))
    for child in element:
        if not isinstance(child.tag, str):
            continue
        tag = etree.QName(child).localname
        if tag == "style-options":
            data.options.update(child.attrib)
        elif tag == "date":
            parts = tuple(DatePartFormat(p.get("name", ""), tuple(p.attrib.items()))
                          for p in child if isinstance(p.tag, str) and etree.QName(p).localname == "date-part")
            data.dates[child.get("form", "text")] = DateFormat(tuple(child.attrib.items()), parts)
        elif tag == "terms":
            for term in child:
                if not isinstance(term.tag, str) or etree.QName(term).localname != "term":
                    continue
                single = term.find(NS + "single")
                multiple = term.find(NS + "multiple")
                if single is not None or multiple is not None:
                    one = _text(single) if single is not None else _text(multiple)
                    many = _text(multiple) if multiple is not None else one
                else:
                    one = many = _text(term)
                key = (term.get("name", ""), term.get("form", "long"))
                data.terms.setdefault(key, []).append(
                    Term(one, many, term.get("gender", ""), term.get("gender-form", ""), term.get("match", "")))
    return data


@functools.lru_cache(maxsize=64)
def _locale_file(lang: str) -> LocaleData | None:
    path = os.path.join(citeproc.LOCALES_PATH, f"locales-{lang}.xml")
    if not os.path.exists(path):
        return None
    parser = etree.XMLParser(remove_comments=True, no_network=True, resolve_entities=False)
    return parse_locale(etree.parse(path, parser).getroot())


def normalise_lang(lang: str | None) -> str:
    """``en_us`` → ``en-US``; empty → ``en-US``."""
    lang = (lang or "en-US").replace("_", "-")
    parts = lang.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.upper() if len(part) == 2 else part)
    return "-".join(out)


class Locales:
    """The chain of locale sources for one output locale."""

    def __init__(self, style_locales: list[Any], lang: str) -> None:
        self.lang = normalise_lang(lang)
        language = self.lang.split("-")[0]
        dialect = self.lang if "-" in self.lang else PRIMARY_DIALECTS.get(language, self.lang)
        in_style = [parse_locale(e) for e in style_locales]
        chain: list[LocaleData] = []
        for wanted in (dialect, language, None):
            chain.extend(d for d in in_style if (d.lang or None) == wanted)
        files = [dialect]
        if PRIMARY_DIALECTS.get(language) and PRIMARY_DIALECTS[language] != dialect:
            files.append(PRIMARY_DIALECTS[language])
        files.append("en-US")
        for name in files:
            found = _locale_file(name)
            if found is not None and found not in chain:
                chain.append(found)
        self.chain = chain
        self.language = language
        ordinal_source = next((d for d in chain if d.has_ordinals), None)
        self._ordinal_terms: dict[tuple[str, str], list[Term]] = {}
        if ordinal_source is not None:
            self._ordinal_terms = {k: v for k, v in ordinal_source.terms.items()
                                   if k[0] == "ordinal" or k[0].startswith("ordinal-")}
        self._cache: dict[tuple[Any, ...], Any] = {}

    # -- terms ---------------------------------------------------------------------------

    def _variants(self, name: str, form: str) -> list[Term] | None:
        if name == "ordinal" or name.startswith("ordinal-"):
            return self._ordinal_terms.get((name, form))
        for data in self.chain:
            found = data.terms.get((name, form))
            if found is not None:
                return found
        return None

    def find(self, name: str, form: str = "long", gender_form: str = "") -> Term | None:
        """The term ``name`` in ``form`` (with form fallback), preferring the
        variant for ``gender_form``; None when no source defines it."""
        key = ("find", name, form, gender_form)
        if key in self._cache:
            return self._cache[key]
        result = None
        for candidate in _FORM_FALLBACK.get(form, (form, "long")):
            variants = self._variants(name, candidate)
            if variants:
                exact = [t for t in variants if t.gender_form == gender_form]
                neuter = [t for t in variants if not t.gender_form]
                result = (exact or neuter or variants)[0]
                break
        self._cache[key] = result
        return result

    def term(self, name: str, form: str = "long", plural: bool = False, gender_form: str = "") -> str | None:
        found = self.find(name, form, gender_form)
        if found is None:
            return None
        return found.multiple if plural else found.single

    def gender(self, name: str) -> str:
        """The grammatical gender of the noun term ``name`` ("" if none)."""
        variants = self._variants(name, "long")
        return variants[0].gender if variants else ""

    # -- ordinals ------------------------------------------------------------------------

    def ordinal(self, number: int, gender: str = "") -> str:
        """``number`` with its ordinal suffix ("1st", "2e")."""
        return f"{number}{self._ordinal_suffix(number, gender)}"

    def _ordinal_suffix(self, number: int, gender: str) -> str:
        key = ("ord", number, gender)
        if key in self._cache:
            return self._cache[key]
        terms = self._ordinal_terms
        result = None
        if ("ordinal", "long") not in terms and any(("ordinal-0%d" % n, "long") in terms for n in range(1, 5)) \
                and not any(("ordinal-%02d" % n, "long") in terms for n in range(10, 100)):
            # CSL 1.0: ordinal-01 … -04 (1st, 2nd, 3rd, 4th for everything else)
            last, last_two = number % 10, number % 100
            which = 4 if last_two in (11, 12, 13) or last not in (1, 2, 3) else last
            result = self._ordinal_variant(f"ordinal-0{which}", gender)
        if result is None:
            candidates: list[tuple[int, str]] = []
            for n in range(100):
                name = "ordinal-%02d" % n
                variants = terms.get((name, "long"))
                if not variants:
                    continue
                term = self._pick(variants, gender)
                match = term.match or ("last-digit" if n < 10 else "last-two-digits")
                if match == "whole-number":
                    ok, rank = number == n, 3
                elif match == "last-two-digits":
                    ok, rank = number % 100 == n, 2
                else:
                    ok, rank = number % 10 == n, 1
                if ok:
                    candidates.append((rank, term.single))
            if candidates:
                result = max(candidates, key=lambda c: c[0])[1]
        if result is None:
            result = self._ordinal_variant("ordinal", gender) or ""
        self._cache[key] = result
        return result

    def _pick(self, variants: list[Term], gender: str) -> Term:
        exact = [t for t in variants if t.gender_form == gender]
        neuter = [t for t in variants if not t.gender_form]
        return (exact or neuter or variants)[0]

    def _ordinal_variant(self, name: str, gender: str) -> str | None:
        variants = self._ordinal_terms.get((name, "long"))
        return self._pick(variants, gender).single if variants else None

    def long_ordinal(self, number: int, gender: str = "") -> str:
        """"first" … "tenth"; other numbers as ordinals."""
        if 1 <= number <= 10:
            found = self.find("long-ordinal-%02d" % number, "long", gender)
            if found is not None:
                return found.single
        return self.ordinal(number, gender)

    # -- dates and options ------------------------------------------------------------------

    def date_format(self, form: str) -> DateFormat | None:
        for data in self.chain:
            if form in data.dates:
                return data.dates[form]
        return None

    def option(self, name: str, default: str = "") -> str:
        for data in self.chain:
            if name in data.options:
                return data.options[name]
        return default

    @property
    def punctuation_in_quote(self) -> bool:
        return self.option("punctuation-in-quote", "false") == "true"

    @property
    def quotes(self) -> tuple[str, str, str, str]:
        return (self.term("open-quote") or "\u201c", self.term("close-quote") or "\u201d",
                self.term("open-inner-quote") or "\u2018", self.term("close-inner-quote") or "\u2019")


__all__ = ["DateFormat", "DatePartFormat", "LocaleData", "Locales", "Term", "normalise_lang", "parse_locale"]
