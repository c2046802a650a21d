"""CSL ``text-case``: lowercase, uppercase, capitalize-first, capitalize-all,
sentence and title case, applied to a rendered node in place.

Text inside ``<span class="nocase">`` (and a field's small caps,
superscript and subscript, which are markup of their own) keeps its case,
but still counts as words: a title whose last word is protected keeps its
stop words before it lower case.  Title case follows CSL 1.0.2 as citeproc-js
applies it: only words written in lower case are capitalised (``iPad``,
``UK`` and ``A.N.`` stay), stop words stay lower case unless they start the
title, end it, or follow a colon, question or exclamation mark; the parts of
a hyphenated compound are words of their own (``Out-of-Fashion``), and title
case applies to English items only (:func:`is_english`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from book.resolve.cite.output import Node, leaves

STOP_WORDS = frozenset("""
    a an the and but or nor for so yet as at by from in into of off on onto out over per to up upon via
    with within without about above across after against along amid amidst among amongst around before
    behind below beneath beside besides between beyond down during except inside like near next
    outside past since than through throughout thru till toward towards under underneath unlike until
    unto versus vs vs. v v. de d' von van
""".split())
"""English stop words (articles, conjunctions, prepositions) and name particles,
lower case in title case unless first, last or after a colon."""

_SEPARATORS = re.compile(r"[\s\u2013\u2014/]+")


def is_english(item_language: str, style_locale: str) -> bool:
    """CSL 1.0.2, "Non-English Items": with an English (or no) default locale
    an item is English unless its ``language`` says otherwise; with another
    default locale only an item whose ``language`` starts with ``en`` is."""
    language = (item_language or "").strip().lower()
    if not style_locale or style_locale.lower().startswith("en"):
        return not language or language.startswith("en")
    return language.startswith("en")


def _upper(char: str, turkish: bool) -> str:
    if turkish and char == "i":
        return "\u0130"
    up = char.upper()
    return up if len(up) == 1 else char


def _lower(char: str, turkish: bool) -> str:
    if turkish and char == "I":
        return "\u0131"
    low = char.lower()
    return low if len(low) == 1 else char


def _latin(char: str) -> bool:
    try:
        return unicodedata.name(char).startswith("LATIN")
    except ValueError:
        return False


def _is_lower_word(word: str, mask: list[bool]) -> bool:
    if any(mask):
        return False
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(not c.isupper() for c in letters)


def _transform(text: str, mask: list[bool], case: str, english: bool, turkish: bool) -> str:
    chars = list(text)
    free = [not m for m in mask]

    def cap(index: int) -> None:
        if free[index]:
            chars[index] = _upper(chars[index], turkish)

    if case == "uppercase":
        return "".join(_upper(c, turkish) if f else c for c, f in zip(chars, free))
    if case == "lowercase":
        return "".join(_lower(c, turkish) if f else c for c, f in zip(chars, free))
    first_letter = next((i for i, c in enumerate(chars) if c.isalpha()), None)
    if case == "sentence":
        out = [_lower(c, turkish) if f else c for c, f in zip(chars, free)]
        if first_letter is not None and free[first_letter]:
            out[first_letter] = _upper(chars[first_letter], turkish)
        return "".join(out)
    words = [(m.start(), m.end()) for m in re.finditer(r"[^\s\u2013\u2014/]+", text)]
    if case == "capitalize-first":
        if words:
            start, end = words[0]
            if _is_lower_word(text[start:end], mask[start:end]):
                letter = next((i for i in range(start, end) if chars[i].isalpha()), None)
                if letter is not None:
                    cap(letter)
        return "".join(chars)
    if case == "capitalize-all":
        for start, end in words:
            if _is_lower_word(text[start:end], mask[start:end]):
                letter = next((i for i in range(start, end) if chars[i].isalpha()), None)
                if letter is not None:
                    cap(letter)
        return "".join(chars)
    if case != "title" or not english:
        return text
    for number, (start, end) in enumerate(words):
        word = text[start:end]
        if word[:1].isdigit():
            continue
        after_colon = number > 0 and re.search(r"[:?!][\"'\u201d\u2019)\]]*$", text[words[number - 1][0]:words[number - 1][1]]) is not None
        edge = number == 0 or number == len(words) - 1 or after_colon
        offset = start
        parts = word.split("-")
        for index, part in enumerate(parts):
            part_mask = mask[offset:offset + len(part)]
            if _is_lower_word(part, part_mask):
                bare = part.strip("\"'\u201c\u201d\u2018\u2019()[]{},.;:!?").lower()
                stop = bare in STOP_WORDS or part.lower().rstrip(",;:") in STOP_WORDS
                if not (stop and ((len(parts) == 1 and not edge) or index > 0)):
                    letter = next((i for i in range(offset, offset + len(part)) if chars[i].isalpha()), None)
                    if letter is not None and _latin(chars[letter]):
                        cap(letter)
            offset += len(part) + 1
    return "".join(chars)


def apply(node: Any, case: str, english: bool = True, language: str = "") -> None:
    """Change the case of ``node``'s text in place."""
    if not case or not isinstance(node, Node):
        return
    found = list(leaves(node))
    if not found:
        return
    text = "".join(parent[index] for parent, index, _ in found)
    mask: list[bool] = []
    for parent, index, protected in found:
        mask.extend([protected] * len(parent[index]))
    turkish = language.lower()[:2] in ("tr", "az")
    changed = _transform(text, mask, case, english, turkish)
    position = 0
    for parent, index, _ in found:
        length = len(parent[index])
        kind = type(parent[index])
        parent[index] = kind(changed[position:position + length]) if kind is not str else changed[position:position + length]
        position += length


__all__ = ["STOP_WORDS", "apply", "is_english"]
