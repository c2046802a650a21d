"""Pandoc's citation syntax for markdown-it.

``[@key]``, ``[see @key, pp. 3–5, emphasis added]``, ``[@a; -@b, chap. 2]``,
author-in-text ``@key`` and ``@key [p. 12]``.  The inline rule turns each into
one ``citation`` token carrying a :class:`Citation`; a core rule then fills in
the line and column the citation starts at, so errors can point at it.
Keys, locators and suffixes follow pandoc's rules (its manual, "Citation
syntax", and ``Text.Pandoc.Citeproc.Locator``).
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from book.resolve.cite.locators import add_comma, locator_labels, split_locator

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
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

def _closing_bracket(src: str, pos: int, end: int) -> int:
    """Index of the ``]`` matching ``src[pos] == '['``, skipping escapes and
    code spans; -1 if there is none before ``end``."""
    depth = 0
    index = pos
    while index < end:
        char = src[index]
        if char == "\\":
            index += 2
            continue
        if char == "`":
            run = len(src[index:end]) - len(src[index:end].lstrip("`"))
            close = src.find("`" * run, index + run, end)
            index = index + run if close < 0 else close + run
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _push(state: StateInline, citation: Citation, start: int, end: int) -> None:
    token = state.push("citation", "span", 0)
    token.content = state.src[start:end]
    token.meta = {"citation": citation, "offset": start, "src": state.src}


def _bracket_rule(state: StateInline, silent: bool, labels: dict[str, str]) -> bool:
    start = state.pos
    if state.src[start] != "[" or start + 1 < state.posMax and state.src[start + 1] == "^":
        return False
    close = _closing_bracket(state.src, start, state.posMax)
    if close < 0:
        return False
    # pandoc: [@key](url) and [text @key][ref] are links, not citations
    if close + 1 < state.posMax and state.src[close + 1] in "([":
        return False
    inner = state.src[start + 1 : close]
    if "@" not in inner:
        return False
    citation = _parse_list(inner, labels)
    if citation is None:
        return False
    if not silent:
        _push(state, dataclasses.replace(citation, source=state.src[start : close + 1]), start, close + 1)
    state.pos = close + 1
    return True


def _in_text_rule(state: StateInline, silent: bool, labels: dict[str, str]) -> bool:
    start = state.pos
    src = state.src
    if src[start] != "@" or not _at_is_citation(src, start):
        return False
    found = _match_key(src, start + 1)
    if found is None:
        return False
    key, end = found
    items = [CiteItem(key=key, author_in_text=True)]
    bracket = end + 1 if end < state.posMax and src[end] in " \t" else end
    if bracket < state.posMax and src[bracket] == "[" and src[bracket + 1 : bracket + 2] != "^":
        close = _closing_bracket(src, bracket, state.posMax)
        if close > 0 and not (close + 1 < state.posMax and src[close + 1] in "(["):
            inner = src[bracket + 1 : close]
            parts = _split_items(inner)
            first = _parse_item(parts[0], labels)
            rest = [_parse_item(part, labels) for part in parts[1:]]
            if first is None and all(rest):
                extra = _parse_suffix(parts[0], labels)
                items[0] = dataclasses.replace(
                    items[0], locator=extra.locator, label=extra.label, suffix=extra.suffix
                )
                items.extend(rest)  # type: ignore[arg-type]
                end = close + 1
            elif first is not None and all(rest):
                items.append(first)
                items.extend(rest)  # type: ignore[arg-type]
                end = close + 1
    if not silent:
        citation = Citation(tuple(items), source=src[start:end])
        _push(state, citation, start, end)
    state.pos = end
    return True


def _positions_rule(state: StateCore) -> None:
    """Fill in each citation's line and column from its inline token's map."""
    lines = state.src.split("\n")
    footnotes = _footnote_list(state.env)
    for token in state.tokens:
        if token.type == "inline" and token.map and token.children:
            _place(token.children, token.content, token.content, token.map[0], lines, footnotes, [0])


def _footnote_list(env: Any) -> dict:
    try:
        return env["footnotes"]["list"]
    except (KeyError, TypeError):
        return {}


def _place(children, content, src, first_line, lines, footnotes, cursor, base=0):
    for child in children:
        if child.type == "citation" and "offset" in child.meta:
            offset = child.meta["offset"] + base
            child.meta["citation"] = dataclasses.replace(
                child.meta["citation"], **_line_column(content, offset, first_line, lines)
            )
        elif child.type == "footnote_ref":
            note = footnotes.get(child.meta.get("id"), {})
            if "content" in note and note.get("tokens"):
                where = content.find(note["content"], cursor[0])
                if where >= 0:
                    cursor[0] = where + len(note["content"])
                    _place(note["tokens"], content, note["content"], first_line, lines, footnotes, cursor, where)
        if child.children:
            _place(child.children, content, src, first_line, lines, footnotes, cursor, base)


def _line_column(content: str, offset: int, first_line: int, lines: list[str]) -> dict[str, int]:
    line_index = content.count("\n", 0, offset)
    line_start = content.rfind("\n", 0, offset) + 1
    line_no = first_line + line_index + 1
    content_line = content[line_start:].split("\n", 1)[0]
    column = offset - line_start
    if 0 < line_no <= len(lines):
        original = lines[line_no - 1]
        if content_line and original.endswith(content_line):
            column += len(original) - len(content_line)
        elif content_line and content_line in original:
            column += original.find(content_line)
    return {"line": line_no, "column": column + 1}


def render_citation(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """Default rendering, visible in output when the resolver did not replace
    the citation: ``<span class="citation" data-cites="k1 k2">[@k1; @k2]</span>``."""
    token = tokens[idx]
    citation: Citation = token.meta["citation"]
    keys = html.escape(" ".join(citation.keys))
    return f'<span class="citation" data-cites="{keys}">{html.escape(token.content)}</span>'


def citation_plugin(md: MarkdownIt, locale: str = "en-US") -> None:
    """Add pandoc citations to ``md``: inline rules before ``link`` (so
    ``[@key]`` is no link), a core rule after ``inline`` that records line and
    column, and :func:`render_citation` as the default renderer.

    ``locale`` picks the locator words (``p.``, ``chap.``, ``S.``) from that
    CSL locale, with English always understood as well."""
    labels = locator_labels(locale)
    md.inline.ruler.before("link", "citation", lambda s, silent: _bracket_rule(s, silent, labels))
    md.inline.ruler.before("link", "citation_in_text", lambda s, silent: _in_text_rule(s, silent, labels))
    md.core.ruler.after("inline", "citation_positions", _positions_rule)
    md.add_render_rule("citation", render_citation)


def find_citations(tokens: Iterable[Token]) -> list[Citation]:
    """Every citation in a token stream, children included, in stream order."""
    return list(_walk(tokens))


def _walk(tokens: Iterable[Token]) -> Iterator[Citation]:
    for token in tokens:
        if token.type == "citation":
            yield token.meta["citation"]
        if token.children:
            yield from _walk(token.children)


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

