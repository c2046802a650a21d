"""Page numbers for the index: from the print layout, and from the EPUB's page-break markers.

**Print.** Range merging ("57–59") and naming a page once however often the
term is on it need the numbers in Python, which CSS ``target-counter()`` never
hands over (and it is slow in a two-column index: about two thirds of the
layout time in a prototype). So the book is laid out once with the index
section holding only its heading; ``Document.pages[i].anchors`` then says on
which page every mark is. The index is the last section and depends on nothing
after it, so only its own pages change when the numbers arrive: it is laid out
again on its own — the book's ``<head>``, the index section, its first folio
and side the same — and its pages replace the heading's page. Everything
before it is the first layout's, untouched. :func:`book.render.indexview.locators`
merges the pages; ``tests/test_index_pages.py`` proves the numbers equal
``target-counter()``'s.

**EPUB.** The EPUB carries the print edition's page-break markers
(:mod:`.epub_pages`); a mark's folio is the last marker before it in reading
order, and a mark in a note takes the folio of the note's call.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..model import INDEX_ID, Manuscript
from ..render.indexview import Place


def print_places(pages: list[Any], label: Callable[[int], str]) -> dict[str, Place]:
    """Every anchor of the laid-out pages → its page (the first page it is on)."""
    places: dict[str, Place] = {}
    for i, page in enumerate(pages):
        for anchor in page.anchors:
            places.setdefault(anchor, Place(i, label(i)))
    return places


def with_index(ms: Manuscript, document: Any, label: Callable[[int], str], book_html: str,
               render: Callable[[str], Any]) -> Any:
    """The laid-out book with its index filled in: the pages before the index section as laid out,
    then the index laid out on its own by ``render`` (HTML → ``weasyprint.Document``)."""
    if ms.index is None or not ms.index.groups:
        return document
    from ..render import render_print_index

    pages = document.pages
    start = next((i for i, page in enumerate(pages) if INDEX_ID in page.anchors), None)
    if start is None:
        return document
    folio = label(start)
    if not folio.isdigit():  # an index among roman-numbered front matter: no book has one
        return document
    places = print_places(pages[:start], label)
    # A document's first page is a recto: an index that opens on a verso (chapters that open on
    # any page) is laid out after a page of padding, which is then left out.
    verso = start % 2 == 1
    index = render(render_print_index(ms, book_html, places, int(folio), verso=verso))
    combined = document.copy(pages[:start] + index.pages[1 if verso else 0:])
    # The index's pages draw with fonts of its own layout: keep that layout alive with them.
    combined._book_index_layout = index  # type: ignore[attr-defined]
    return combined


def ebook_places(docs: list[tuple[str, str]], page_list: list[tuple[str, str]]) -> dict[str, Place]:
    """Every id of the EPUB's documents (``(file name, XHTML)``, in spine order, with the page-break
    markers placed) → the print page it is on: the last marker before it in reading order. An id
    inside a note (the EPUB sets notes at the end of the chapter) takes the page of the note's call."""
    from lxml import etree

    markers = {href: (order, label) for order, (label, href) in enumerate(page_list)}
    places: dict[str, Place] = {}
    in_notes: list[tuple[str, str]] = []  # (id, the id of its note's call)
    current: tuple[int, str] | None = None
    for name, content in docs:
        root = etree.fromstring(content.encode("utf-8"))
        for element in root.iter():
            ident = element.get("id") if isinstance(element.tag, str) else None
            if not ident:
                continue
            current = markers.get(f"{name}#{ident}", current)
            note_call = _note_call(element)
            if note_call:
                in_notes.append((ident, note_call))
            elif current is not None:
                places.setdefault(ident, Place(*current))
    for ident, call in in_notes:
        if call in places:
            places.setdefault(ident, places[call])
    return places


_EPUB = "{http://www.idpf.org/2007/ops}type"


def _note_call(element: Any) -> str:
    """The id of the call of the note holding ``element``, or "" if it is not in a note."""
    for ancestor in element.iterancestors():
        kinds = (ancestor.get(_EPUB) or "").split() + (ancestor.get("class") or "").split()
        if "footnote" in kinds or "endnote" in kinds:
            for link in ancestor.iter("{http://www.w3.org/1999/xhtml}a"):
                href = link.get("href") or ""
                if link.get("role") == "doc-backlink" and "#" in href:
                    return href.split("#", 1)[1]
            return ""
    return ""


def ebook_index_places(ms: Manuscript, docs: list[tuple[str, str]],
                       page_list: list[tuple[str, str]]) -> Mapping[str, Place] | None:
    """The places of the index's marks in the EPUB, or None when the EPUB has no print page-list
    (the index then numbers the marks)."""
    if not page_list or ms.index is None:
        return None
    return ebook_places(docs, page_list)
