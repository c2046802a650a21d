"""Numbers for figures, tables, equations and sections, and the labels cross-references name.

Pass 1 lists each chapter's numbered things in reading order (:func:`spots`);
:func:`number_labels` numbers them for the whole book, per chapter (Figure 2.3,
the default) or straight through the book (Figure 7), as ``numbering:`` in
book.yaml says; sections carry numbers (2.1, 2.1.1) when ``number-sections:``
is true, in body chapters only. A figure, table or equation without a label
has no number, as in pandoc and Quarto.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from ..errors import BookError
from ..model import Chapter
from .syntax.crossrefs import label_kind


@dataclass(frozen=True)
class Spot:
    """A numbered thing as written in a chapter: a labelled figure, table or equation, or a heading."""

    kind: str
    """``fig``, ``tbl``, ``eq`` or ``sec`` (every heading is a ``sec``)."""
    id: str
    """Its label (``fig-map``), or a heading's id."""
    line: int
    column: int = 1
    level: int = 0
    """A heading's level (2 for ``##``)."""
    numbered: bool = True
    """False for a heading marked ``{.unnumbered}`` or ``{-}``."""
    text: str = ""
    """A heading's text, for a cross-reference to a section without a number."""


@dataclass(frozen=True)
class Label:
    """What a cross-reference to a label shows and where it leads."""

    id: str
    kind: str
    number: str
    """``2.3``, ``7``; empty for a section without a number."""
    chapter: str
    """The id of the chapter that holds it."""
    text: str = ""


def spots(ch: Chapter, tokens: list[Token], heading_ids: dict[int, str], figure_images: set[int]) -> tuple[Spot, ...]:
    """The chapter's numbered things in reading order: headings, and the figures (``figure_images``:
    ids of the image tokens that stand alone as figures), tables and display equations that carry a label."""
    out: list[Spot] = []
    for i, token in enumerate(tokens):
        line = ch.body_line + token.map[0] if token.map else ch.body_line
        attrs = (token.meta or {}).get("attrs")
        if token.type == "heading_open":
            classes = attrs.classes if attrs is not None else ()
            text = tokens[i + 1].content if i + 1 < len(tokens) else ""
            ident = heading_ids.get(id(token)) or (attrs.ident if attrs is not None else "")
            out.append(Spot("sec", ident, line, 1, int(token.tag[1]),
                            "unnumbered" not in classes, text))
        elif token.type == "table_open" and attrs is not None and attrs.ident:
            out.append(Spot("tbl", attrs.ident, line))
        for child in token.children or ():
            child_attrs = (child.meta or {}).get("attrs")
            if child_attrs is None or not child_attrs.ident:
                continue
            if child.type == "image" and id(child) in figure_images:
                out.append(Spot("fig", child_attrs.ident, line))
            elif child.type == "math_display":
                out.append(Spot("eq", child_attrs.ident, line))
    return tuple(out)


def number_labels(chapters: list[tuple[Chapter, int, tuple[Spot, ...]]], numbering: str,
                  number_sections: bool) -> tuple[dict[str, Label], list[BookError]]:
    """Every label of the book (and every heading id) with its number; and the labels used twice.

    ``chapters`` holds each chapter in reading order with its number (0 for front and back
    matter) and its spots."""
    labels: dict[str, Label] = {}
    errors: list[BookError] = []
    book_counts: dict[str, int] = {}
    for ch, number, found in chapters:
        counts: dict[str, int] = {}
        sections: list[int] = []
        for spot in found:
            if spot.kind == "sec":
                shown = ""
                if number_sections and number and spot.numbered:
                    depth = max(spot.level - 1, 1)
                    sections = (sections + [0] * depth)[:depth]
                    sections[-1] += 1
                    shown = ".".join(map(str, [number, *sections]))
                label = Label(spot.id, "sec", shown, ch.id, spot.text)
            else:
                if label_kind(spot.id) != spot.kind:
                    continue  # an id such as #map on a figure: an anchor, not a numbered label
                counts[spot.kind] = counts.get(spot.kind, 0) + 1
                book_counts[spot.kind] = book_counts.get(spot.kind, 0) + 1
                if numbering == "book":
                    shown = str(book_counts[spot.kind])
                elif number:
                    shown = f"{number}.{counts[spot.kind]}"
                else:
                    shown = str(counts[spot.kind])
                label = Label(spot.id, spot.kind, shown, ch.id)
            if not spot.id:
                continue
            if spot.id in labels and spot.kind != "sec":
                errors.append(BookError(f"the label '#{spot.id}' is used twice in the book", Path(ch.path),
                                        spot.line, spot.column, "give each figure, table and equation its own label",
                                        rule="duplicate-label"))
                continue
            labels.setdefault(spot.id, label)
    return labels, errors
