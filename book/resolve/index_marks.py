"""Marking the spots an index points at, in a chapter's markdown-it tokens.

Two ways that work together. A span marks a spot by hand:
``[Litvinov]{.index}``, ``[the foreign minister]{.index term="Litvinov, Maxim"}``,
``term="Treaties!Rapallo"`` for a sub-entry, ``see=``/``see-also=`` for a
cross-reference (which marks no spot: it is not a mention). And the terms of
book.yaml's ``index:`` list are found in the text by themselves — whole words,
as written, the longest form first — everywhere but in headings, code,
citations and notes, where a mention is not what a reader looks up (and a
heading would repeat the text below it).

Each marked spot becomes an ``index_open``/``index_close`` token pair that
renders ``<span class="index-mark" id="ix-<chapter>-<n>">``: ids are numbered
per chapter in reading order, so they are stable while the chapter is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markdown_it.token import Token

from ..errors import BookError
from ..indexdata import CrossReference, IndexMark
from ..model import Chapter, IndexTerm


def key(text: str) -> str:
    """How two spellings of a term are recognised as one: NFC, single spaces, typographic apostrophes."""
    return " ".join(unicodedata.normalize("NFC", text).replace("'", "’").split())


def split_term(term: str) -> tuple[str, ...]:
    """``"Treaties!Rapallo"`` → ``("Treaties", "Rapallo")``."""
    return tuple(" ".join(level.split()) for level in term.split("!"))


@dataclass
class Marking:
    """What marking the chapters of a book found."""

    marks: list[IndexMark] = field(default_factory=list)
    cross_references: list[CrossReference] = field(default_factory=list)
    errors: list[BookError] = field(default_factory=list)


class Finder:
    """Finds the forms of book.yaml's index terms in text: whole words, as written."""

    def __init__(self, terms: tuple[IndexTerm, ...]) -> None:
        self.paths: dict[str, list[tuple[str, ...]]] = {}
        """Each form (by :func:`key`) → the terms it names; one form may index two entries."""
        for term in terms:
            if not term.find:
                continue
            for form in (term.path[-1], *term.aliases):
                paths = self.paths.setdefault(key(form), [])
                if term.path not in paths:
                    paths.append(term.path)
        forms = sorted(self.paths, key=lambda f: (-len(f), f))
        # Whole words: a hyphen joins words ("Franco-British" does not mention Franco); a dash does not.
        self.pattern = re.compile(
            r"(?<![\w\-\u2010])(?:" + "|".join(_form_pattern(f) for f in forms) + r")(?![\w\-\u2010])"
        ) if forms else None

    def find(self, text: str) -> list[tuple[int, int, list[tuple[str, ...]]]]:
        """(start, end, terms) of every form in ``text``, left to right, the longest at each place."""
        if self.pattern is None:
            return []
        return [(m.start(), m.end(), self.paths[key(m.group())]) for m in self.pattern.finditer(text)]

    def term_of(self, text: str) -> list[tuple[str, ...]]:
        """The terms a span's text names, if it is one of the forms; else none."""
        return list(self.paths.get(key(text), ()))


def _form_pattern(form: str) -> str:
    """A form as a regular expression: any white space between words (a line break in the source),
    either apostrophe (smart punctuation turns ' into ’)."""
    out = []
    for word in form.split(" "):
        out.append("".join("['’]" if c == "’" else re.escape(c) for c in word))
    return r"\s+".join(out)


def mark_chapter(chapter: Chapter, tokens: list[Token], finder: Finder, heading_ids: dict[int, str],
                 taken: set[str], found: Marking) -> None:
    """Mark the chapter's tokens in place: explicit spans become marks, and (unless the chapter's
    front matter says ``index: false``) book.yaml's terms are found in its running text.

    ``heading_ids`` maps each heading_open token to its id; ``taken`` holds every id of the book
    (new ids are added to it)."""
    auto = chapter.front_matter.get("index", True) is not False
    counter = [0]

    def new_id() -> str:
        counter[0] += 1
        ident = f"ix-{chapter.id}-{counter[0]}"
        n = 1
        while ident in taken:
            ident = f"ix-{chapter.id}-{counter[0]}-{n}"
            n += 1
        taken.add(ident)
        return ident

    def number(children: list[Token]) -> None:
        """Give the marks of an inline token their ids, in reading order."""
        for child in children:
            if child.type == "index_open" and child.meta.get("paths"):
                heading = child.meta.get("heading")
                # A mark in a heading points at the heading; one in the text gets an anchor of its own.
                ident = heading if heading is not None else new_id()
                child.meta["id"] = "" if heading is not None else ident
                found.marks.extend(IndexMark(ident, chapter.id, path, chapter.path, child.meta["line"])
                                   for path in child.meta["paths"])

    in_note = False
    heading: str | None = None
    block: Token | None = None
    for token in tokens:
        if token.type == "footnote_open":
            in_note = True
        elif token.type == "footnote_close":
            in_note = False
        elif token.type == "heading_open":
            heading = heading_ids.get(id(token), "")
        elif token.type == "heading_close":
            heading = None
        if token.map:
            block = token
        if token.type != "inline" or not token.children:
            continue
        line = chapter.body_line + (block.map[0] if block is not None and block.map else 0)
        token.children = _explicit(chapter, token.children, finder, heading, line, found)
        if auto and heading is None and not in_note:
            token.children = _automatic(token.children, finder, line)
        number(token.children)


def _explicit(chapter: Chapter, children: list[Token], finder: Finder, heading: str | None, line: int,
              found: Marking) -> list[Token]:
    """Turn ``.index`` spans into marks (or, with ``see``, into cross-references)."""
    opened: list[Token] = []  # open span tokens, to pair each close with its open
    for i, child in enumerate(children):
        if child.type == "span_open":
            opened.append(child)
            if "index" not in str(child.attrGet("class") or "").split():
                continue
            text = _span_text(children, i)
            term = str(child.attrGet("term") or "").strip()
            if term:
                paths = [split_term(term)]
                if not all(paths[0]):
                    found.errors.append(BookError(f"the index term '{term}' has an empty level", chapter.path, line,
                                                  1, "separate an entry and its sub-entry with one '!': "
                                                  "term=\"Treaties!Rapallo\"", rule="index-mark"))
                    paths = []
            else:
                paths = finder.term_of(text) or ([(" ".join(text.split()),)] if text.strip() else [])
                if not paths:
                    found.errors.append(BookError("an empty index span names no term", chapter.path, line, 1,
                                                  "write the term between the brackets, or give it: "
                                                  "[]{.index term=\"Litvinov, Maxim\"}", rule="index-mark"))
            child.type = "index_open"
            child.meta = {"id": ""}
            refs = [(str(child.attrGet("see") or ""), False),
                    *((t, True) for t in str(child.attrGet("see-also") or "").split(";"))]
            refs = [(t.strip(), also) for t, also in refs if t.strip()]
            for path in paths:
                for target, also in refs:
                    found.cross_references.append(CrossReference(path, split_term(target), also, chapter.path, line))
            if paths and not refs:
                child.meta = {"id": "", "paths": paths, "heading": heading, "line": line}
        elif child.type == "span_close" and opened:
            opener = opened.pop()
            if opener.type == "index_open":
                child.type = "index_close"
                child.meta = opener.meta
    return children


def _span_text(children: list[Token], start: int) -> str:
    depth = 0
    out: list[str] = []
    for child in children[start:]:
        if child.type == "span_open":
            depth += 1
        elif child.type == "span_close":
            depth -= 1
            if depth == 0:
                break
        elif child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


def _automatic(children: list[Token], finder: Finder, line: int) -> list[Token]:
    """Find book.yaml's terms in the runs of plain text (text and soft line breaks), outside
    index spans; wrap each in a mark."""
    out: list[Token] = []
    run: list[Token] = []
    inside_mark = 0

    def flush() -> None:
        if run:
            out.extend(_mark_run(run, finder, line))
            run.clear()

    for child in children:
        # Not inside a mark already, nor in an address written out as a link (<https://…/Stalin>).
        if child.type == "index_open" or (child.type == "link_open" and child.markup in ("autolink", "linkify")):
            inside_mark += 1
        elif child.type == "index_close" or (child.type == "link_close" and child.markup in ("autolink", "linkify")):
            inside_mark -= 1
        if child.type in ("text", "softbreak") and not inside_mark:
            run.append(child)
            continue
        flush()
        out.append(child)
    flush()
    return out


def _mark_run(run: list[Token], finder: Finder, line: int) -> list[Token]:
    text = "".join("\n" if t.type == "softbreak" else t.content for t in run)
    hits = finder.find(text)
    if not hits:
        return run
    out: list[Token] = []
    at = 0
    for start, end, paths in hits:
        out.extend(_pieces(text[at:start]))
        opener = Token("index_open", "span", 1)
        opener.meta = {"id": "", "paths": paths, "heading": None, "line": line}
        closer = Token("index_close", "span", -1)
        closer.meta = opener.meta
        out += [opener, *_pieces(text[start:end]), closer]
        at = end
    out.extend(_pieces(text[at:]))
    return out


def _pieces(text: str) -> list[Token]:
    """Text and soft line break tokens for ``text`` (``\\n`` stands for a soft break)."""
    out: list[Token] = []
    for i, part in enumerate(text.split("\n")):
        if i:
            out.append(Token("softbreak", "br", 0))
        if part:
            token = Token("text", "", 0)
            token.content = part
            out.append(token)
    return out
