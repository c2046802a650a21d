"""Print page numbers inside the EPUB: page-break markers and the page-list.

:mod:`book.publish.pagemap` says where each print page begins as (section id, item
offset); here each position is found again in the EPUB's own copy of that
section and an invisible marker is put there (``templates/ebook/pagebreak.xhtml``).
A marker never lands where it would be invalid or misleading: at the start of
an element it moves up in front of it (before a chapter's heading, not inside
it), never into a list or table structure, and never into a navigation list.
"""

from __future__ import annotations

import bisect
from typing import Any, Callable

from lxml import etree

from .pagemap import PageMap, digest, items, local_name, skipped, walk_text

XHTML_NS = "http://www.w3.org/1999/xhtml"

_NO_PHRASING = frozenset({"ol", "ul", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "html", "head",
                          "body", "nav", "select", "picture"})
"""Elements whose content model has no room for a ``<span>``."""

END = -1
"""Offset of a marker after everything in its section (blank pages at the end of the book)."""


def place_page_breaks(docs: list[tuple[str, str]], pm: PageMap,
                      marker: Callable[[str], str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Insert a marker for every print page into the documents (``(file name, XHTML)``, in
    spine order). Returns the new documents and the page-list: (label, href) in page order."""
    trees = {name: etree.fromstring(content.encode("utf-8"), etree.XMLParser(remove_blank_text=False))
             for name, content in docs}
    where: dict[str, tuple[str, Any]] = {}
    for name, _content in docs:
        for element in trees[name].iter():
            ident = element.get("id") if isinstance(element.tag, str) else None
            if ident and ident not in where:
                where[ident] = (name, element)

    # Each page resolves to (doc, section, offset); pages without a place of their own wait for
    # the next page that has one and share it (a blank verso goes with the recto after it).
    targets: list[tuple[str, Any, int, list[str]]] = []
    waiting: list[str] = []
    trusted: dict[str, bool] = {}
    for page in pm.pages:
        found = where.get(page.unit) if page.unit else None
        if found is None:
            waiting.append(page.label)
            continue
        name, section = found
        if page.unit not in trusted:
            trusted[page.unit] = pm.digests.get(page.unit) == digest(items(section))
        offset = page.offset if trusted[page.unit] else 0
        if targets and targets[-1][1] is section and targets[-1][2] == offset:
            targets[-1][3].extend([*waiting, page.label])
        else:
            targets.append((name, section, offset, [*waiting, page.label]))
        waiting = []
    if waiting:
        if targets:
            name, section = targets[-1][0], targets[-1][1]
        else:
            name = docs[-1][0]
            section = trees[name].find(f"{{{XHTML_NS}}}body")
        targets.append((name, section, END, waiting))

    by_section: dict[int, list[tuple[int, list[str]]]] = {}
    for _name, section, offset, labels in targets:
        by_section.setdefault(id(section), []).append((offset, labels))
    sections = {id(section): section for _n, section, _o, _l in targets}
    for key, marks in by_section.items():
        _insert(sections[key], marks, marker)

    page_list = [(label, f"{name}#page-{label}") for name, _s, _o, labels in targets for label in labels]
    out = []
    for name, content in docs:
        if any(t[0] == name for t in targets):
            tree = trees[name]
            etree.cleanup_namespaces(tree)
            content = serialise(tree)
        out.append((name, content))
    return out, page_list


def serialise(root: Any) -> str:
    body = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + body + "\n"


def _insert(section: Any, marks: list[tuple[int, list[str]]], marker: Callable[[str], str]) -> None:
    """Put the markers into one section, last position first so earlier positions stay valid."""
    wanted = {offset for offset, _labels in marks if offset != END}
    ordered = sorted(wanted)
    spots: dict[int, tuple[Any, str, int]] = {}
    count = 0
    for node, attr, piece in walk_text(section):
        if attr == "image":
            if count in wanted:
                spots[count] = (node, "image", 0)
            count += 1
            continue
        if not piece:
            continue
        at = bisect.bisect_left(ordered, count)
        if at == len(ordered) or ordered[at] >= count + len(piece):
            count += len(piece)  # no page begins in this text: its items, at once
            continue
        raw = node.text if attr == "text" else node.tail
        for index, char in enumerate(raw):
            if char.isspace() or char == "\u00ad":
                continue
            # One source character can case-fold to several items ("ß" → "ss").
            width = len(char.casefold())
            for k in range(width):
                if count + k in wanted and count + k not in spots:
                    spots[count + k] = (node, attr, index)
            count += width
    spots = {offset: _word_start(*spot) for offset, spot in spots.items()}
    in_order = sorted(marks, key=lambda m: (m[0] == END, m[0]))

    def build(group) -> list[Any]:
        return [etree.fromstring(marker(label)) for _offset, labels in group for label in labels]

    if local_name(section.tag) == "nav":
        _before(section, build(in_order))  # never inside a navigation list
        return
    section.extend(build([m for m in in_order if m[0] not in spots]))  # after everything: END
    for offset, labels in reversed([m for m in in_order if m[0] in spots]):
        _at(section, *spots[offset], build([(offset, labels)]))


def _word_start(node: Any, attr: str, index: int) -> tuple[Any, str, int]:
    """The spot moved back to the start of its word: a print page that begins inside a word
    hyphenated across the page turn ("Rus-/sians") is marked before the word, so that a screen
    reader never announces a page number in the middle of one."""
    if attr == "image":
        return node, attr, index
    raw = (node.text if attr == "text" else node.tail) or ""
    while index > 0 and not raw[index - 1].isspace() and raw[index - 1] not in "\u2014\u2013/":
        index -= 1
    return node, attr, index


def _at(section: Any, node: Any, attr: str, index: int, new: list[Any]) -> None:
    """Insert ``new`` before character ``index`` of the node's text or tail (or before an image),
    moving up in front of elements the position opens."""
    if attr == "image":
        _before(_climb(section, node), new)
        return
    if attr == "text":
        text = node.text
        if not text[:index].strip():
            _before(_climb(section, node), new) if node is not section else _prepend(node, new)
            return
        node.text = text[:index]
        new[-1].tail = text[index:]
        for k, element in enumerate(new):
            node.insert(k, element)
        return
    text = node.tail
    parent = node.getparent()
    node.tail = text[:index]
    new[-1].tail = text[index:]
    position = parent.index(node) + 1
    for k, element in enumerate(new):
        parent.insert(position + k, element)


def _climb(section: Any, element: Any) -> Any:
    """The outermost element that ``element`` opens, below the section and where a span may go."""
    while element is not section:
        parent = element.getparent()
        if parent is None or parent is section or local_name(parent.tag) in _NO_PHRASING:
            break
        if (parent.text or "").strip() or parent.index(element) != 0 or skipped(parent):
            break
        element = parent
    if local_name(element.getparent().tag) in _NO_PHRASING and element.getparent() is not section:
        # A list item or table cell opens the page: the marker goes inside it, at its start.
        return _FirstInside(element)
    return element


class _FirstInside:
    def __init__(self, element: Any) -> None:
        self.element = element


def _before(target: Any, new: list[Any]) -> None:
    if isinstance(target, _FirstInside):
        _prepend(target.element, new)
        return
    parent = target.getparent()
    position = parent.index(target)
    for k, element in enumerate(new):
        element.tail = None
        parent.insert(position + k, element)


def _prepend(element: Any, new: list[Any]) -> None:
    text = element.text
    element.text = None
    for k, item in enumerate(new):
        item.tail = None
        element.insert(k, item)
    new[-1].tail = text
