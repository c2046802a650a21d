"""Lints of a chapter's shape: empty sections, skipped heading levels, repeated paragraphs.

None of these stops a build, so they are warnings: a section with a heading
and nothing under it, a ``####`` straight after a ``##`` (screen readers
navigate by level, and the contents would show a hole), and a paragraph that
appears twice word for word — usually a paste that went in twice.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

from ..errors import BookError
from ..model import Chapter
from ..resolve import markdown

MIN_REPEATED_WORDS = 8
"""Shorter paragraphs ("Ibid.", "See above.") may repeat on purpose."""


def _line(chapter: Chapter, token: Token) -> int:
    return chapter.body_line + (token.map[0] if token.map else 0)


def _main_tokens(tokens: list[Token]) -> list[Token]:
    """The chapter's blocks without its footnote definitions (they come last)."""
    out: list[Token] = []
    for token in tokens:
        if token.type == "footnote_block_open":
            break
        out.append(token)
    return out


def headings(chapter: Chapter, tokens: list[Token]) -> list[BookError]:
    """Empty sections and skipped heading levels (the chapter title is level 1)."""
    problems: list[BookError] = []
    blocks = _main_tokens(tokens)
    heads = [(i, int(t.tag[1])) for i, t in enumerate(blocks) if t.type == "heading_open"]
    previous = 1
    for n, (i, level) in enumerate(heads):
        token = blocks[i]
        text = markdown.inline_text(blocks[i + 1])
        if level > previous + 1:
            problems.append(BookError(
                f"heading '{text}' is level {level} after level {previous}", chapter.path, _line(chapter, token), 1,
                f"use {'#' * (previous + 1)} here, or add the missing level above it",
                rule="heading-skip", severity="warning"))
        previous = level
        # Empty: no block between this heading and the next one at the same or a higher level.
        end = len(blocks)
        for j, other in heads[n + 1:]:
            if other <= level:
                end = j
                break
        if not blocks[i + 3:end]:  # a subsection counts as content
            problems.append(BookError(
                f"section '{text}' is empty", chapter.path, _line(chapter, token), 1,
                "write its text, or remove the heading", rule="empty-section", severity="warning"))
    return problems


def repeated_paragraphs(chapters: list[tuple[Chapter, list[Token]]]) -> list[BookError]:
    """A warning at the second (and later) copy of any paragraph of the book."""
    seen: dict[str, tuple[Chapter, int]] = {}
    problems: list[BookError] = []
    for chapter, tokens in chapters:
        for i, token in enumerate(tokens):
            if token.type != "paragraph_open" or i + 1 >= len(tokens) or tokens[i + 1].type != "inline":
                continue
            text = re.sub(r"\s+", " ", markdown.inline_text(tokens[i + 1])).strip()
            if len(text.split()) < MIN_REPEATED_WORDS:
                continue
            key = text.casefold()
            line = _line(chapter, token)
            if key in seen:
                first, first_line = seen[key]
                where = first.rel if first is not chapter else "this chapter"
                problems.append(BookError(
                    f"this paragraph repeats, word for word, the one at {where}:{first_line}",
                    chapter.path, line, 1, "delete one copy", rule="repeated-paragraph", severity="warning"))
            else:
                seen[key] = (chapter, line)
    return problems
