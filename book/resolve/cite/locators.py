"""Locator labels: the words an author writes before a page or chapter number.

``[@key, pp. 3–5]`` and ``[@key, chapter 2]`` name a CSL locator type
(``page``, ``chapter``) with one of the forms the CSL locale gives that type's
term: long (``page``/``pages``), short (``p.``/``pp.``) or symbol (``§``).
Pandoc builds its table the same way from the document's locale; we read the
locale files that ship with citeproc-py, so the words match the ones the
formatter prints.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from xml.etree import ElementTree

import citeproc

_CSL_NS = "{http://purl.org/net/xbiblio/csl}"

PANDOC_LOCATOR_TYPES: tuple[str, ...] = (
    "book", "chapter", "column", "figure", "folio", "issue", "line", "note",
    "opus", "page", "paragraph", "part", "section", "sub-verbo", "verse", "volume",
)
"""The locator types pandoc recognises, in its order of precedence."""

CSL_LOCATOR_TYPES: tuple[str, ...] = PANDOC_LOCATOR_TYPES + (
    "act", "appendix", "article-locator", "canon", "elocation", "equation",
    "rule", "scene", "supplement", "table", "title-locator", "version",
)
"""Every CSL 1.0.2 locator type; pandoc's come first so they win a clash
(``c.`` is both chapter's symbol and canon's short form)."""

_EXTRA_LABELS = {
    # Common abbreviations that are not in the CSL English locale.
    "ch.": "chapter",
    "chs.": "chapter",
    "pg.": "page",
    "pgs.": "page",
}


def _locale_path(locale: str) -> str | None:
    names = [locale]
    language = locale.split("-")[0]
    dialect = citeproc.PRIMARY_DIALECTS.get(language)
    if dialect:
        names.append(dialect)
    for name in names:
        path = os.path.join(citeproc.LOCALES_PATH, f"locales-{name}.xml")
        if os.path.exists(path):
            return path
    return None


def _terms_of(path: str) -> dict[str, str]:
    table: dict[str, str] = {}
    root = ElementTree.parse(path).getroot()
    terms = {}
    for term in root.iter(_CSL_NS + "term"):
        terms.setdefault(term.get("name"), []).append(term)
    for locator in CSL_LOCATOR_TYPES:
        for term in terms.get(locator, ()):
            forms = [term.findtext(_CSL_NS + "single"), term.findtext(_CSL_NS + "multiple")]
            if forms == [None, None]:
                forms = [term.text]
            for text in forms:
                if text and text.strip():
                    table.setdefault(text.strip().casefold(), locator)
    return table


@functools.lru_cache(maxsize=8)
def locator_labels(locale: str = "en-US") -> dict[str, str]:
    """Map each casefolded label word (``"pp."``, ``"chapter"``, ``"§"``) to
    its CSL locator type, for ``locale`` with English as the fallback."""
    table: dict[str, str] = {}
    for name in (locale, "en-US"):
        path = _locale_path(name)
        if path is not None:
            for text, locator in _terms_of(path).items():
                table.setdefault(text, locator)
    for text, locator in _EXTRA_LABELS.items():
        table.setdefault(text, locator)
    return table


# --- parsing a locator ------------------------------------------------------

_ROMAN_RE = re.compile(r"^M{0,4}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_OPEN = "([{"
_CLOSE = ")]}"


def _is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def _is_roman(word: str) -> bool:
    upper = word.upper()
    return bool(upper) and bool(_ROMAN_RE.match(upper))


def _scan_unit(text: str, pos: int) -> int:
    """End of one locator unit (``123``, ``33(1)``, ``1.2``, ``22-33``)."""
    stack: list[str] = []
    end = pos
    while end < len(text):
        char = text[end]
        if char.isspace():
            break
        if char in _OPEN:
            stack.append(_CLOSE[_OPEN.index(char)])
        elif char in _CLOSE:
            if not stack or stack.pop() != char:
                break
        elif char == ".":
            if not (end + 1 < len(text) and text[end + 1].isalnum()):
                break
        elif _is_punct(char) and char not in "-–:":
            break
        end += 1
    if stack:
        return pos
    return end


def _digit_like(word: str) -> bool:
    if any(c.isdigit() for c in word):
        return True
    return any(_is_roman(run) for run in re.findall(r"[^\W\d_]+", word))


def _locator_words(text: str, pos: int, implicit: bool) -> tuple[str, int]:
    """The locator value starting at ``pos`` and where it ends; ('', pos) if
    none. An implicit (unlabelled) locator needs real digits, a labelled one
    digits or roman numerals, in every word."""
    words: list[str] = []
    while True:
        cursor = pos
        sep = ""
        if words and cursor < len(text) and text[cursor] == ",":
            sep = ","
            cursor += 1
        space = ""
        while cursor < len(text) and text[cursor].isspace():
            space = " "
            cursor += 1
        if not words and space:
            return "", pos
        end = _scan_unit(text, cursor)
        word = text[cursor:end]
        if not word:
            break
        ok = any(c.isdigit() for c in word) if implicit else _digit_like(word)
        if not ok:
            break
        words.append(sep + space + word)
        pos = end
    return "".join(words).strip(), pos


def _match_label(text: str, pos: int, labels: dict[str, str]) -> tuple[str, int] | None:
    """The longest locator label at ``pos`` and where its value starts."""
    folded = text[pos : pos + 24].casefold()
    best = None
    for word, locator in labels.items():
        if folded.startswith(word) and (best is None or len(word) > len(best[0])):
            best = (word, locator)
    if best is None:
        return None
    return best[1], pos + len(best[0])


def split_locator(rest: str, labels: dict[str, str]) -> tuple[str, str, str]:
    """Split what follows a key (``, pp. 3–5, 9, emphasis added``) into the
    CSL label, the locator and the suffix, by pandoc's rules: an optional
    label, then words that have digits (or, after a label, roman numerals),
    separated by commas; ``{…}`` delimits a locator explicitly."""
    pos = 0
    if rest.startswith(","):
        pos = 1
    while pos < len(rest) and rest[pos].isspace():
        pos += 1
    if pos < len(rest) and rest[pos] == "{":
        end = _matching_brace(rest, pos)
        if end > 0:
            inner = rest[pos + 1 : end].strip()
            label = "page"
            found = _match_label(inner, 0, labels)
            if found and found[1] < len(inner):
                label, start = found
                inner = inner[start:]
            return label, inner.strip(), rest[end + 1 :]
    found = _match_label(rest, pos, labels)
    if found:
        label, start = found
        while start < len(rest) and rest[start].isspace():
            start += 1
        locator, end = _locator_words(rest, start, implicit=False)
        if locator:
            return label, locator, rest[end:]
    locator, end = _locator_words(rest, pos, implicit=True)
    if locator:
        return "page", locator, rest[end:]
    return "", "", add_comma(rest)


def _matching_brace(text: str, pos: int) -> int:
    depth = 0
    for index in range(pos, len(text)):
        if text[index] in "{[":
            depth += 1
        elif text[index] in "}]":
            depth -= 1
            if depth == 0:
                return index if text[index] == "}" else -1
    return -1


def add_comma(suffix: str) -> str:
    """Pandoc: a suffix that starts with neither space nor punctuation gets a
    comma (``@key [with suffix]`` → ``, with suffix``)."""
    if suffix and not suffix[0].isspace() and not _is_punct(suffix[0]):
        return ", " + suffix
    return suffix
