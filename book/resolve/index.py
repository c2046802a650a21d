"""The back-of-book index: entries, sorted and grouped, and where they point.

Resolve marks the spots (:mod:`.index_marks`) and builds a
:class:`~book.indexdata.BookIndex` here: one entry per term, sub-entries under their
entry, sorted with the book language's collation (:mod:`.collation`) and
grouped by initial letter. Nothing here knows pages: each edition prints the
index its own way (:mod:`book.render.indexview`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import BookError
from ..indexdata import BookIndex, CrossReference, IndexEntry, IndexGroup, IndexReference
from ..model import Book
from .collation import Collation
from .index_marks import Marking, key, split_term


@dataclass
class _Node:
    term: str
    sort: str = ""
    marks: list[str] = field(default_factory=list)
    see: list[tuple[str, ...]] = field(default_factory=list)
    see_also: list[tuple[str, ...]] = field(default_factory=list)
    children: dict[tuple[str, ...], "_Node"] = field(default_factory=dict)


def build_index(book: Book, marking: Marking) -> BookIndex | None:
    """The index of the book from book.yaml's terms and the marks resolve found; None if it has neither."""
    if not book.index_terms and not marking.marks and not marking.cross_references:
        return None
    root = _Node("")
    nodes: dict[tuple[str, ...], _Node] = {}

    def node(path: tuple[str, ...]) -> _Node:
        parent = root
        for depth in range(1, len(path) + 1):
            k = tuple(key(level) for level in path[:depth])
            if k not in nodes:
                nodes[k] = _Node(path[depth - 1])
                parent.children[k] = nodes[k]
            parent = nodes[k]
        return parent

    for term in book.index_terms:
        n = node(term.path)
        n.term, n.sort = term.path[-1], term.sort
        if term.see:
            n.see.append(split_term(term.see))
        n.see_also.extend(split_term(t) for t in term.see_also)
    for mark in marking.marks:
        n = node(mark.path)
        if mark.id not in n.marks:
            n.marks.append(mark.id)
    for ref in marking.cross_references:
        (node(ref.path).see_also if ref.also else node(ref.path).see).append(ref.target)

    kept = {k for k, n in nodes.items() if _kept(n)}
    texts = [_sort_text(n) for n in nodes.values()]
    collation = Collation(book.meta.lang, texts)
    ids: dict[tuple[str, ...], str] = {}
    used: set[str] = set()
    for k in nodes:
        ident = "ixe-" + _slug(" ".join(k))
        while ident in used:
            ident += "-x"
        used.add(ident)
        ids[k] = ident

    def reference(target: tuple[str, ...]) -> IndexReference:
        k = tuple(key(level) for level in target)
        shown = nodes[k].term if k in nodes and k in kept else target[-1]
        text = ": ".join((*target[:-1], shown))
        return IndexReference(text, ids[k] if k in kept else "")

    def entries(children: dict[tuple[str, ...], _Node]) -> tuple[IndexEntry, ...]:
        out = [(_sort_key(collation, _sort_text(n)), n.term, k, n) for k, n in children.items() if k in kept]
        out.sort(key=lambda t: (t[0], t[1]))
        return tuple(IndexEntry(ids[k], n.term, tuple(nodes_path(k)), tuple(n.marks),
                           tuple(dict.fromkeys(reference(t) for t in n.see)),
                           tuple(dict.fromkeys(reference(t) for t in n.see_also)), entries(n.children))
                     for _key, _term, k, n in out)

    def nodes_path(k: tuple[str, ...]) -> list[str]:
        return [nodes[k[:d]].term for d in range(1, len(k) + 1)]

    groups: list[IndexGroup] = []
    for entry in entries(root.children):
        letter = collation.group(_sort_text(nodes[tuple(key(p) for p in entry.path)]))
        if groups and groups[-1].letter == letter:
            groups[-1] = IndexGroup(letter, groups[-1].entries + (entry,))
        else:
            groups.append(IndexGroup(letter, (entry,)))
    return BookIndex(tuple(groups), tuple(marking.marks), book.index_terms, tuple(marking.cross_references))


_LETTERS = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "þ": "th", "ı": "i"})


def _slug(text: str) -> str:
    """An ASCII id part: "Łódź" → "lodz", "Ødegaard, Ole" → "odegaard-ole"."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "entry"


def _kept(n: _Node) -> bool:
    """An entry is printed if it points somewhere: a page, a cross-reference or a kept sub-entry."""
    return bool(n.marks or n.see or n.see_also or any(_kept(c) for c in n.children.values()))


def _sort_key(collation: Collation, text: str) -> tuple:
    """Word by word (Chicago 16.58): punctuation counts as a space, and a space before any letter,
    so "Franco, Francisco" precedes "Franco-Soviet treaty" and "Stalin" precedes "Stalingrad".
    The text as written breaks ties."""
    words = "".join(" " if unicodedata.category(c)[0] in "PZS" else c for c in text)
    return (collation.key(" ".join(words.split())), collation.key(text))


def _sort_text(n: _Node) -> str:
    """What an entry sorts by: its ``sort``, or its term without Markdown's emphasis marks."""
    return n.sort or re.sub(r"[*_]", "", n.term)


# ------------------------------------------------------------------ check


def index_problems(book: Book, index: BookIndex | None) -> list[BookError]:
    """Warnings for ``check``: book.yaml terms the text never mentions, and ``see`` references to
    entries the index does not have."""
    if index is None:
        return []
    problems: list[BookError] = []
    marked = {tuple(key(level) for level in m.path) for m in index.marks}
    for term in book.index_terms:
        k = tuple(key(level) for level in term.path)
        has_sub = any(tuple(key(level) for level in t.path[:len(k)]) == k and len(t.path) > len(k)
                      for t in book.index_terms)
        if k in marked or term.see or has_sub:
            continue
        forms = ", ".join(f"'{f}'" for f in (term.path[-1], *term.aliases))
        problems.append(BookError(
            f"the index term '{'!'.join(term.path)}' is never found in the text", book.config_file, term.line, 1,
            f"the builder looked for {forms}, whole words, outside headings and notes; add the form the text "
            "uses to 'aliases', mark a spot with [text]{.index term=\"…\"}, or remove the term"
            if term.find else "mark a spot with [text]{.index term=\"…\"}, or remove the term",
            rule="index-unused", severity="warning"))
    entries = {tuple(key(level) for level in e.path) for e in index.entries()}
    refs = [(CrossReference(t.path, split_term(target), also, book.config_file, t.line))
            for t in book.index_terms for target, also in ((t.see, False), *((s, True) for s in t.see_also))
            if target]
    for ref in [*refs, *index.cross_references]:
        if tuple(key(level) for level in ref.target) not in entries:
            word = "see also" if ref.also else "see"
            problems.append(BookError(
                f"the index entry '{'!'.join(ref.path)}' says {word} '{'!'.join(ref.target)}', which is not an "
                "entry of the index", ref.file, ref.line, 1,
                "name the target as book.yaml or a span names it ('Treaties!Rapallo' for a sub-entry)",
                rule="index-see", severity="warning"))
    return problems
