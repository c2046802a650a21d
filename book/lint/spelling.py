"""Spelling: every word a reader sees, against a dictionary and the book's own word list.

The dictionary is pyspellchecker's word-frequency list for the book's
language (pure Python, shipped in the package, so `make` installs it and no
network is needed). A book adds its names and foreign terms in
``words.txt`` beside book.yaml, one per line (``#`` starts a comment), and a
chapter can add words of its own with an HTML comment anywhere in it::

    <!-- spell-ignore: Chicherin Narkomindel -->

Text inside an element that names another language
(``<span lang="de">Proklamationen</span>``) is not checked, nor code, URLs,
citations or raw HTML. Words are found in markdown-it's tokens, so
emphasis and links do not break them, and placed back on the author's line
and column.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from markdown_it.token import Token

from ..confine import read_text
from ..errors import BookError
from ..model import Chapter

WORD_LIST = "words.txt"
"""The per-book word list, beside book.yaml."""

_MARKS = "\u0300-\u036f"
WORD = re.compile(rf"(?<![\w{_MARKS}'’])[^\W\d_][{_MARKS}]*(?:[^\W\d_]|[{_MARKS}]|['’](?=[^\W\d_]))*(?![\w{_MARKS}])")
"""A run of letters (with combining accents and inner apostrophes), not touching digits: in
"1920s" or "B52" nothing is a word."""
IGNORE = re.compile(r"<!--\s*spell-ignore:\s*(.*?)\s*-->", re.S)
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9]*)\b([^>]*)>")
_CLOSE_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9]*)\s*>")
_LANG = re.compile(r"""\blang\s*=\s*["']?([A-Za-z-]+)""")


@dataclass(frozen=True)
class Word:
    """One word as the reader sees it, and where the author wrote it."""

    text: str
    line: int
    """1-based line in the chapter file."""
    column: int
    """1-based column in that line."""


@functools.lru_cache(maxsize=4)
def dictionary(lang: str):
    """pyspellchecker's checker for ``lang`` (``en-GB`` → ``en``), or None if it has no dictionary."""
    from spellchecker import SpellChecker

    try:
        return SpellChecker(language=lang.split("-")[0].lower(), distance=1)
    except ValueError:
        return None


def read_word_list(root: Path) -> tuple[frozenset[str], list[BookError]]:
    """The words of ``words.txt`` (case-folded), and a problem for each unusable line."""
    path = root / WORD_LIST
    if not path.is_file():
        return frozenset(), []
    words: set[str] = set()
    problems: list[BookError] = []
    try:
        text = read_text(path, what="word list")
    except BookError as exc:  # too large, or not UTF-8 text: an error, whatever check's strictness
        return frozenset(), [exc]
    for n, raw in enumerate(text.splitlines(), 1):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        if " " in entry:
            problems.append(BookError(f"'{entry}' is more than one word", path, n, 1,
                                      "put one word on each line", rule="word-list", severity="warning"))
        words.update(w.casefold() for w in entry.split())
    return frozenset(words), problems


def inline_ignores(markdown: str) -> frozenset[str]:
    """Words a chapter excuses with ``<!-- spell-ignore: … -->``."""
    return frozenset(w.casefold() for m in IGNORE.finditer(markdown) for w in m.group(1).split())


def words(chapter: Chapter, tokens: list[Token], lang: str) -> Iterator[Word]:
    """Every checkable word of a chapter (its markdown-it ``tokens``), title included, in order."""
    title_line, title_source = _title_source(chapter)
    finder = _Locator(title_source, title_line)
    for m in WORD.finditer(chapter.title):
        yield Word(m.group(), *finder.find(m.group()))
    lines = chapter.markdown.split("\n")
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        block = "\n".join(lines[token.map[0]:token.map[1]])
        finder = _Locator(block, chapter.body_line + token.map[0])
        for text in _texts(token.children or [], lang):
            for m in WORD.finditer(text):
                line, column = finder.find(m.group())
                yield Word(m.group(), line, column)


def misspellings(chapter: Chapter, tokens: list[Token], lang: str, known: frozenset[str]) -> list[BookError]:
    """A warning for every word that is neither in the dictionary nor in ``known``."""
    checker = dictionary(lang)
    if checker is None:
        return []
    known = known | inline_ignores(chapter.markdown)
    out: list[BookError] = []
    for word in words(chapter, tokens, lang):
        if _is_known(word.text, checker, known, lang):
            continue
        hint = _suggestion(word.text, lang)
        out.append(BookError(f"unknown word '{word.text}'", chapter.path, word.line, word.column,
                             hint, rule="spelling", severity="warning"))
    return out


ELIDING = frozenset({"fr", "it", "ca"})
"""Languages whose articles and pronouns elide before a vowel: l’horloge, d’un, dell’arte."""
COMPOUNDING = frozenset({"de", "nl", "sv", "da", "nb", "fi"})
"""Languages that write compounds as one word: Pferdebahngesellschaften."""
_LINKS = ("", "s", "es", "n", "en", "er", "e")
"""German linking elements between the parts of a compound (Fugenelemente)."""


def _is_known(word: str, checker, known: frozenset[str], lang: str = "en") -> bool:
    if len(word) < 2:
        return True
    # Both: casefold() turns ß into ss, which the dictionary does not; lower() keeps it.
    candidates: set[str] = set()
    for folded in {word.lower().replace("’", "'"), word.casefold().replace("’", "'")}:
        candidates |= {folded, re.sub(r"'s$", "", folded), folded.replace("'", "")}
    if candidates & known or checker.known(list(candidates)):
        return True
    base = lang.split("-")[0].lower()
    lowered = word.lower().replace("’", "'")
    if base in ELIDING and "'" in lowered:
        head, _, rest = lowered.partition("'")
        if len(head) <= 4 and rest and _is_known(rest, checker, known, "en"):
            return True
    if base in COMPOUNDING and len(lowered) >= 8:
        return _compound(lowered, checker, known, 3)
    return False


def _compound(word: str, checker, known: frozenset[str], parts: int) -> bool:
    """Whether ``word`` is two or more known words (at least 3 letters each), a linking element
    allowed between them: Straßen|bahn, Pferde|bahn|gesellschaften, Liebe|s|brief."""
    if word in known or checker.known([word]):
        return True
    if parts <= 1:
        return False
    for cut in range(3, len(word) - 2):
        head = word[:cut]
        if not (head in known or checker.known([head])):
            continue
        for link in _LINKS:
            rest = word[cut:]
            if link and not rest.startswith(link):
                continue
            rest = rest[len(link):]
            if len(rest) >= 3 and _compound(rest, checker, known, parts - 1):
                return True
    return False


@functools.lru_cache(maxsize=4096)
def _suggestion(word: str, lang: str) -> str:
    checker = dictionary(lang)
    guess = checker.correction(word.lower()) if checker is not None else None
    tail = f"add it to {WORD_LIST} (one word a line) or write <!-- spell-ignore: {word} --> in the chapter"
    if guess and guess != word.lower():
        if word[:1].isupper():
            guess = guess[:1].upper() + guess[1:]
        return f"did you mean '{guess}'? If the word is right, {tail}"
    return f"if the word is right, {tail}"


def _title_source(chapter: Chapter) -> tuple[int, str]:
    """The front matter line that holds the title, and its number."""
    head = chapter.path.read_text(encoding="utf-8").split("\n")[:chapter.body_line]
    for n, line in enumerate(head, 1):
        if line.startswith("title:"):
            return n, line
    return 1, ""


def _texts(children: list[Token], lang: str) -> Iterator[str]:
    """The text a reader sees, minus code, autolinked URLs and other-language spans."""
    base = lang.split("-")[0].lower()
    foreign: list[str] = []  # tag names of open elements in another language
    spans: list[bool] = []  # whether each open [span]{lang=…} made the text foreign
    in_autolink = False
    for child in children:
        if child.type == "span_open":
            lang_attr = str(child.attrGet("lang") or "")
            spans.append(bool(lang_attr) and lang_attr.split("-")[0].lower() != base)
            if spans[-1]:
                foreign.append("[span]")
            continue
        if child.type == "span_close":
            if spans and spans.pop() and foreign:
                foreign.pop()
            continue
        if child.type == "html_inline":
            opened = _OPEN_TAG.match(child.content)
            closed = _CLOSE_TAG.match(child.content)
            if opened and not child.content.endswith("/>"):
                lang_attr = _LANG.search(opened.group(2))
                if foreign or (lang_attr and lang_attr.group(1).split("-")[0].lower() != base):
                    foreign.append(opened.group(1).lower())
            elif closed and foreign and foreign[-1] == closed.group(1).lower():
                foreign.pop()
            continue
        if child.type == "link_open" and child.markup == "autolink":
            in_autolink = True
        elif child.type == "link_close":
            in_autolink = False
        if foreign or in_autolink:
            continue
        if child.type == "text":
            yield child.content
        elif child.type == "image":
            yield from _texts(child.children or [], lang)


class _Locator:
    """Finds words of a block's rendered text in its source, left to right."""

    def __init__(self, source: str, first_line: int) -> None:
        self.source = source
        self.first_line = first_line
        self.cursor = 0
        self.line = first_line
        """The line the cursor is on, and where it starts: counted as the cursor moves, so that the
        words of a long paragraph cost their own length, not the paragraph's each."""
        self.line_start = 0

    def find(self, word: str) -> tuple[int, int]:
        # The typographer turned ' into ’: match either in the source.
        pattern = re.sub("['’]", lambda _m: "['’]", re.escape(word))
        m = re.compile(pattern).search(self.source, self.cursor)
        if m is None:
            return self.first_line, 0
        newlines = self.source.count("\n", self.cursor, m.start())
        if newlines:
            self.line += newlines
            self.line_start = self.source.rfind("\n", self.cursor, m.start()) + 1
        self.cursor = m.end()
        return self.line, m.start() - self.line_start + 1
