"""Sorting index entries the way a reader of the book's language looks them up.

Code-point order files "Łódź" after "Zürich" and "Österreich" after every
plain letter; an English reader looks for them under L and O. The Unicode
Collation Algorithm with its default table (the DUCET, through ``pyuca``, pure
Python) gives the order readers of English, German, French, Italian, Dutch,
Russian … expect: letters with accents and strokes sort with their base letter,
case and accents only break ties. PyICU would add CLDR's tailorings, but it
has no wheel and needs ICU's headers and a compiler to install; the few
alphabets that add letters of their own (Swedish Å Ä Ö after Z, Polish Ł after
L, Spanish Ñ after N …) are tailored here instead, in :data:`TAILORINGS`.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Iterable

TAILORINGS: dict[str, dict[str, str]] = {
    "sv": {"z": "åäö"}, "fi": {"z": "åäö"},
    "da": {"z": "æøå"}, "nb": {"z": "æøå"}, "nn": {"z": "æøå"}, "no": {"z": "æøå"},
    "pl": {"a": "ą", "c": "ć", "e": "ę", "l": "ł", "n": "ń", "o": "ó", "s": "ś", "z": "źż"},
    "es": {"n": "ñ"},
    "cs": {"c": "č", "r": "ř", "s": "š", "z": "ž"}, "sk": {"c": "č", "s": "š", "z": "ž"},
    "et": {"s": "šzž", "w": "õäöü"},
}
"""Letters that an alphabet sorts as letters of their own, after a base letter: ``{"z": "åäö"}``
puts Å, Ä and Ö, in this order, after Z. Every other letter sorts as in the DUCET."""

BASE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ"
"""Letters an index heads its groups with; an accented or stroked letter joins the group of the
base letter it sorts with (Ł under L)."""


class Collation:
    """Sort keys and group letters for one language."""

    def __init__(self, lang: str, texts: Iterable[str]) -> None:
        from pyuca import Collator

        self.lang = lang.split("-")[0].lower()
        tailoring = TAILORINGS.get(self.lang, {})
        extra = "".join(tailoring) + "".join(tailoring.values()) + BASE_LETTERS + BASE_LETTERS.lower()
        wanted = set(unicodedata.normalize("NFD", "".join(texts) + extra))
        wanted |= {c.upper() for c in wanted} | {c.lower() for c in wanted}
        self._collator = _collator(Collator, frozenset(wanted))
        self._extra_letters: dict[str, str] = {}
        for base, letters in tailoring.items():
            primary = self._primary(base)
            for k, letter in enumerate(letters, 1):
                weight = primary + k / (len(letters) + 1)  # between the base letter and the next one
                for form, tertiary in ((letter, 0x02), (letter.upper(), 0x08)):
                    key = [ord(c) for c in unicodedata.normalize("NFD", form)]
                    self._collator.table.add(key, [[weight, 0x20, tertiary]])
                self._extra_letters[letter.upper()] = letter.upper()
        self._group_of: dict[float, str] = {}
        for letter in BASE_LETTERS + "".join(self._extra_letters):
            self._group_of.setdefault(self._primary(letter), letter)

    def key(self, text: str) -> tuple:
        """The sort key of ``text``: compare keys, never the texts."""
        return self._collator.sort_key(text)

    def _primary(self, text: str) -> float:
        key = self._collator.sort_key(text)
        return key[0] if key else 0

    def group(self, text: str) -> str:
        """The letter ``text`` is filed under: "Łódź" → "L"; "0–9" for numbers, "#" for symbols."""
        first = next((c for c in text if c.isalnum()), "")
        if not first:
            return "#"
        if first.isdigit():
            return "0–9"
        primary = self._primary(first)
        if primary in self._group_of:
            return self._group_of[primary]
        return unicodedata.normalize("NFD", first)[0].upper()


def _collator(cls, wanted: frozenset[str]):
    """A pyuca collator holding only the table entries that strings made of ``wanted`` can use.

    The whole table takes a second to read; an entry whose key holds a character none of the
    texts has can never match, so the entries for an index's few hundred letters load in a
    fraction of that. (``load`` is pyuca's reader of its own table, narrowed.)"""
    from pyuca.collator import COLL_ELEMENT_PATTERN

    codes = frozenset(f"{ord(c):04X}" for c in wanted)

    class Narrowed(cls):
        def load(self, filename: str) -> None:
            for head, rest in _table(filename):
                if head[0] == "@implicitweights":
                    ch_range, base = rest.split(";")
                    start, end = ch_range.split("..")
                    self.implicit_weights.append([int(start, 16), int(end, 16), int(base, 16)])
                elif all(h in codes for h in head):
                    elements = [[int(w, 16) for w in m.groups()] for m in COLL_ELEMENT_PATTERN.finditer(rest)]
                    self.table.add([int(h, 16) for h in head], elements)

    return Narrowed()


@functools.lru_cache(maxsize=2)
def _table(path: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    """The lines of a DUCET file as (code points in hex, the rest), read once per process."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].rstrip()
            if not line or line.startswith("@version"):
                continue
            if line.startswith("@implicitweights"):
                out.append((("@implicitweights",), line[len("@implicitweights"):].strip()))
                continue
            head, _sep, rest = line.partition(";")
            out.append((tuple(head.split()), rest))
    return tuple(out)
