"""Pandoc's citation syntax for markdown-it.

``[@key]``, ``[see @key, pp. 3–5, emphasis added]``, ``[@a; -@b, chap. 2]``,
author-in-text ``@key`` and ``@key [p. 12]``: what a citation says
(:class:`Citation`) and how it is read from its text. The markdown-it rules that
find them in a chapter are :mod:`.plugin`.
Keys, locators and suffixes follow pandoc's rules (its manual, "Citation
syntax", and ``Text.Pandoc.Citeproc.Locator``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from book.resolve.cite.locators import add_comma, locator_labels, split_locator

if TYPE_CHECKING:
    from markdown_it.token import Token


@dataclass(frozen=True)
class CiteItem:
    """One cited work inside a citation."""

    key: str
    """The citation key, as in the bibliography's ``id``."""
    prefix: str = ""
    """Text before the key (``see``), whitespace-trimmed; plain text."""
    suffix: str = ""
    """Text after the key and locator, verbatim with its leading space or
    punctuation, as pandoc keeps it: ``[@k, p. 4, emphasis added]`` gives
    ``", emphasis added"``, ``[@k and elsewhere]`` gives ``" and elsewhere"``."""
    locator: str = ""
    """The locator value (``3–5, 9``), without its label."""
    label: str = ""
    """The CSL locator type (``page``, ``chapter``, ``sub-verbo``); ``page``
    when a locator was written without a label; empty without a locator."""
    suppress_author: bool = False
    """``[-@key]``: the author is named in the text already."""
    author_in_text: bool = False
    """``@key`` outside brackets: the author is part of the sentence."""


@dataclass(frozen=True)
class Citation:
    """One citation as written: one or more items in one place of the text."""

    items: tuple[CiteItem, ...]
    """The cited works, in the order written."""
    line: int = 0
    """1-based line in the Markdown text given to markdown-it; 0 if unknown."""
    column: int = 0
    """1-based column of the citation's first character; 0 if unknown."""
    source: str = dataclasses.field(default="", compare=False)
    """The citation as written (``[see @key, p. 4]``), for messages."""
    note: int = 0
    """The number of the note the citation is in (or, in a note style, the
    note it becomes); 0 if unknown.  Positions (ibid, near-note) use it."""

    @property
    def keys(self) -> tuple[str, ...]:
        """The cited keys, in order."""
        return tuple(item.key for item in self.items)

    def key_column(self, index: int) -> int:
        """Best column of item ``index``'s key (the citation's own column
        when the source text is unknown)."""
        if not self.column or not self.source:
            return self.column
        offset = 0
        for i, match in enumerate(_KEY_IN_SOURCE.finditer(self.source)):
            if i == index:
                offset = match.start()
                break
        prefix = self.source[:offset]
        if "\n" in prefix:
            return offset - prefix.rfind("\n")
        return self.column + offset


# --- keys -------------------------------------------------------------------

_KEY_RE = re.compile(r"(?:[^\W]|_)(?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*")
"""Pandoc (``simpleCiteIdentifier``): a key starts with a letter, digit or ``_``
and may contain alphanumerics, ``_`` and internal punctuation
``:.#$%&-+?<>~/`` (followed by an alphanumeric); a ``:`` or ``/`` followed
by ``/`` also counts, so that ``@url:https://www.fda.gov/x`` is one key."""
_KEY_IN_SOURCE = re.compile(r"(?<![\w\\])-?@(?:\{|(?:[^\W]|_))")


def _match_key(text: str, pos: int) -> tuple[str, int] | None:
    """The key starting at ``text[pos]`` (just after ``@``) and where it ends."""
    if pos < len(text) and text[pos] == "{":
        # pandoc: @{…} holds any characters but spaces, with balanced braces inside.
        depth = 0
        for end in range(pos, len(text)):
            char = text[end]
            if char.isspace():
                return None
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth == 0:
                return (text[pos + 1 : end], end + 1) if end > pos + 1 else None
        return None
    match = _KEY_RE.match(text, pos)
    if not match:
        return None
    return match.group(), match.end()


def _at_is_citation(text: str, pos: int) -> bool:
    """An ``@`` starts a citation unless it follows a word character (an email
    address) or a backslash (``\\@``)."""
    if pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] in "_\\"):
        return False
    return True


# --- the bracketed list -----------------------------------------------------

def _clean(text: str) -> str:
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
    return re.sub(r"\s+", " ", text)


def _split_items(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == ";" and depth == 0 and (index == 0 or text[index - 1] != "\\"):
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _parse_item(text: str, labels: dict[str, str]) -> CiteItem | None:
    for match in re.finditer("@", text):
        at = match.start()
        if not _at_is_citation(text, at):
            continue
        found = _match_key(text, at + 1)
        if found is None:
            continue
        key, end = found
        suppress = at > 0 and text[at - 1] == "-"
        prefix = text[: at - 1] if suppress else text[:at]
        if suppress and prefix and not prefix[-1].isspace():
            continue
        label, locator, suffix = split_locator(text[end:], labels)
        suffix = _clean(suffix).rstrip()
        if suffix.strip() == "":
            suffix = ""
        return CiteItem(
            key=key,
            prefix=_clean(prefix).strip(),
            suffix=suffix,
            locator=locator,
            label=label,
            suppress_author=suppress,
        )
    return None


def _parse_list(text: str, labels: dict[str, str]) -> Citation | None:
    items = []
    for part in _split_items(text):
        item = _parse_item(part, labels)
        if item is None:
            return None
        items.append(item)
    return Citation(tuple(items), source=f"[{text}]")


def parse_citation(text: str, locale: str = "en-US") -> Citation | None:
    """Parse the inside of ``[...]`` (``see @a, p. 4; -@b``) into a
    :class:`Citation`, or None when it is not a citation list: every
    ``;``-separated part must cite a key."""
    return _parse_list(text, locator_labels(locale))


def _parse_suffix(text: str, labels: dict[str, str]) -> CiteItem:
    """The bracket after an author-in-text key that holds no key: locator and
    suffix of that key (``@key [p. 12, my emphasis]``)."""
    label, locator, suffix = split_locator(" " + text, labels)
    if not locator:
        suffix = add_comma(text.lstrip())
    suffix = _clean(suffix).rstrip()
    return CiteItem(key="", suffix=suffix, locator=locator, label=label)


# --- markdown-it rules ------------------------------------------------------

def with_notes(tokens: Sequence[Token], citations: Sequence[tuple[Token, Citation]], note_style: bool) -> list[Citation]:
    """One chapter's citations (``(token, citation)`` in reading order) with the
    number of the note each is in (:attr:`Citation.note`), numbered as the
    chapter's notes are: footnotes in the order of their first call and, in a
    note style, each citation in the running text, which becomes a note; a
    citation inside a footnote is in that footnote; 0 in the running text of
    an in-text style.  Positions (ibid, near-note) follow these numbers."""
    numbers: dict[tuple[str, Any], int] = {}
    owner: dict[int, Any] = {}
    current = None
    for token in tokens:
        if token.type == "footnote_open":
            current = (token.meta or {}).get("id")
        elif token.type == "footnote_close":
            current = None
        for node in (token, *(token.children or ())):
            if node.type == "footnote_ref":
                numbers.setdefault(("fn", node.meta["id"]), len(numbers) + 1)
            elif node.type == "citation":
                owner[id(node)] = current
                if note_style and current is None:
                    numbers[("cite", id(node))] = len(numbers) + 1
    out = []
    for token, citation in citations:
        note_id = owner.get(id(token))
        note = numbers.get(("fn", note_id), 0) if note_id is not None else numbers.get(("cite", id(token)), 0)
        out.append(dataclasses.replace(citation, note=note))
    return out

