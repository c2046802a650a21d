"""The markdown-it rules that find pandoc's citations in a chapter (:mod:`.syntax` says what one is).

An inline rule turns ``[@key, p. 3]`` and author-in-text ``@key`` into one
``citation`` token carrying a :class:`~book.resolve.cite.syntax.Citation`; a core
rule then fills in the line and column each starts at, so errors can point at
it. Brackets, code spans and line starts are found from tables made once per
text: the rules take linear time, however many brackets a line holds.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import html
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from book.resolve.cite import syntax
from book.resolve.cite.locators import locator_labels
from book.resolve.cite.syntax import Citation, CiteItem

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token


_BACKTICKS = re.compile(r"`+")


def _code_span_end(src: str, index: int, end: int) -> tuple[int, bool]:
    """Where the backtick run at ``index`` ends, or the code span it opens: (index after it,
    whether it was a span). A span closes at the next run of the same length, as CommonMark's."""
    run = _BACKTICKS.match(src, index).end() - index
    for close in _BACKTICKS.finditer(src, index + run, end):
        if close.end() - close.start() == run:
            return close.end(), True
    return index + run, False


@functools.lru_cache(maxsize=16)
def _brackets(src: str) -> tuple[dict[int, int], tuple[tuple[int, int], ...]]:
    """Where each ``[`` of ``src`` closes (-1: never), and its code spans, found in one pass:
    the citation rules ask at every ``[``, and scanning to the end each time was quadratic (a
    line of a million ``[`` took minutes). Kept for the few texts being parsed (their hashes are
    computed once, so looking one up again costs nothing)."""
    close: dict[int, int] = {}
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    index, end = 0, len(src)
    while index < end:
        char = src[index]
        if char == "\\":
            index += 2
            continue
        if char == "`":
            after, span = _code_span_end(src, index, end)
            if span:
                spans.append((index, after))
            index = after
            continue
        if char == "[":
            stack.append(index)
            close[index] = -1
        elif char == "]" and stack:
            close[stack.pop()] = index
        index += 1
    return close, tuple(spans)


def _closing_bracket(src: str, pos: int, end: int) -> int:
    """Index of the ``]`` matching ``src[pos] == '['``, skipping escapes and
    code spans; -1 if there is none before ``end``."""
    close, spans = _brackets(src)
    # The table holds for the whole text: for a part of it (a link's label) it still does
    # unless a code span runs across the part's end.
    last = bisect.bisect_left(spans, (end,)) - 1  # the last code span that starts before the end
    if pos in close and not (last >= 0 and spans[last][0] >= pos and spans[last][1] > end):
        match = close[pos]
        return match if match < end else -1
    depth = 0
    index = pos
    while index < end:
        char = src[index]
        if char == "\\":
            index += 2
            continue
        if char == "`":
            index = _code_span_end(src, index, end)[0]
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
    citation = syntax._parse_list(inner, labels)
    if citation is None:
        return False
    if not silent:
        _push(state, dataclasses.replace(citation, source=state.src[start : close + 1]), start, close + 1)
    state.pos = close + 1
    return True


def _in_text_rule(state: StateInline, silent: bool, labels: dict[str, str]) -> bool:
    start = state.pos
    src = state.src
    if src[start] != "@" or not syntax._at_is_citation(src, start):
        return False
    found = syntax._match_key(src, start + 1)
    if found is None:
        return False
    key, end = found
    items = [CiteItem(key=key, author_in_text=True)]
    bracket = end + 1 if end < state.posMax and src[end] in " \t" else end
    if bracket < state.posMax and src[bracket] == "[" and src[bracket + 1 : bracket + 2] != "^":
        close = _closing_bracket(src, bracket, state.posMax)
        if close > 0 and not (close + 1 < state.posMax and src[close + 1] in "(["):
            inner = src[bracket + 1 : close]
            parts = syntax._split_items(inner)
            first = syntax._parse_item(parts[0], labels)
            rest = [syntax._parse_item(part, labels) for part in parts[1:]]
            if first is None and all(rest):
                extra = syntax._parse_suffix(parts[0], labels)
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


@functools.lru_cache(maxsize=16)
def _lines_of(content: str) -> tuple[tuple[int, ...], dict[tuple[int, int, str | None], int]]:
    """Where the newlines of an inline text are, and the column shift found for each of its lines
    (by line, first line and the source line it stands on): computed once a text, not once a
    citation, which was quadratic in a long paragraph full of citations."""
    return tuple(m.start() for m in re.finditer("\n", content)), {}


def _line_column(content: str, offset: int, first_line: int, lines: list[str]) -> dict[str, int]:
    newlines, shifts = _lines_of(content)
    line_index = bisect.bisect_left(newlines, offset)
    line_start = newlines[line_index - 1] + 1 if line_index else 0
    line_no = first_line + line_index + 1
    column = offset - line_start
    original = lines[line_no - 1] if 0 < line_no <= len(lines) else None
    key = (line_index, first_line, original)  # the source line decides the shift: "> " or "1. " before it
    if key not in shifts:
        line_end = newlines[line_index] if line_index < len(newlines) else len(content)
        content_line = content[line_start:line_end]
        shift = 0
        if original is not None:
            if content_line and original.endswith(content_line):
                shift = len(original) - len(content_line)
            elif content_line and content_line in original:
                shift = original.find(content_line)
        shifts[key] = shift
    return {"line": line_no, "column": column + shifts[key] + 1}


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
