"""Cite grouping and collapsing (CSL 1.0.2, "Cite Grouping", "Cite Collapsing").

Cites by the same names come together, and their names are printed once
(``collapse="year"``): "(Doe 1999, 2001; Roe 2000)"; repeated years give way
to their suffixes ("2001a, b", ranged "2001a–c"); numbers run together
("[1–3, 5]").  The delimiters are the style's: ``cite-group-delimiter``
inside a group, ``year-suffix-delimiter`` between suffixes,
``after-collapse-delimiter`` after a collapsed group, else the layout's.
A mixin of :class:`book.resolve.cite.processor.Processor`.
"""

from __future__ import annotations

from typing import Any

from book.resolve.cite.output import Delimiter, Node, first, has_text, join, plain
from book.resolve.cite.state import Placed
from book.resolve.cite.syntax import CiteItem


class Grouping:
    """The grouping and collapsing steps; ``self`` is the Processor."""

    engine: Any
    bib: Any
    references: dict[str, Any]
    suffixes: dict[str, str]
    numbers: dict[str, int]

    def _render_cite(self, key: str, cite: Any, suppress_author: bool = False) -> Any:  # the Processor's
        raise NotImplementedError

    def _piece(self, placed: Placed, suppress: bool = False, first_in_citation: bool = False) -> Any:
        raise NotImplementedError

    def _names_of(self, placed: Placed) -> str | None:
        if placed.item.key not in self.bib:
            return None
        output = self._render_cite(placed.item.key, placed.cite)
        names = first(output, "names") if output is not None else None
        return plain(names) if names is not None else None

    def _grouped(self, ordered: list[Placed], suppress_first: bool, delimiter: str, collapse: str | None) -> Node | None:
        """Cite grouping and collapsing (CSL 1.0.2, "Cite Grouping", "Cite Collapsing"):
        cites with the same names come together, ``(Doe 1999, 2001a, b; Roe 2000)``."""
        section = self.engine.citation
        # the specification's default cite-group-delimiter is ", "; citeproc-js uses the
        # layout's delimiter in note styles
        group_delimiter = section.get("cite-group-delimiter", delimiter if self.engine.is_note_style else ", ")
        after_collapse = section.get("after-collapse-delimiter", delimiter)
        suffix_delimiter = section.get("year-suffix-delimiter", section.get("cite-group-delimiter", delimiter))
        sorted_citation = bool(section.sort)
        groups: list[list[int]] = []
        labels: list[str] = []
        for number, placed in enumerate(ordered):
            names = self._names_of(placed)
            label = names if names is not None else ("" if placed.item.key in self.bib else f"\0{number}")
            if label in labels and (sorted_citation or labels[-1] == label):
                groups[labels.index(label) if sorted_citation else len(groups) - 1].append(number)
            else:
                labels.append(label)
                groups.append([number])
        children: list[Any] = []
        collapsed_before = False
        for members in groups:
            rendered = self._render_group(ordered, members, suppress_first, collapse, group_delimiter,
                                          after_collapse, suffix_delimiter)
            if rendered is None:
                continue
            if children:
                children.append(Delimiter(after_collapse if collapse and collapsed_before else delimiter))
            children.append(rendered)
            collapsed_before = len(members) > 1
        return Node(children) if children else None

    def _render_group(self, ordered: list[Placed], members: list[int], suppress_first: bool, collapse: str | None,
                      group_delimiter: str, after_collapse: str, suffix_delimiter: str) -> Node | None:
        runs: list[tuple[Placed, Any, list[str]]] = []  # (cite, piece, suffixes collapsed onto it)
        for position, number in enumerate(members):
            placed = ordered[number]
            suppress = (position > 0 and collapse is not None) or (suppress_first and number == 0)
            if position and collapse in ("year-suffix", "year-suffix-ranged") and runs:
                last, _, collapsed = runs[-1]
                suffix = self.suffixes.get(placed.item.key, "")
                year = self._year_of(placed)
                if (suffix and self.suffixes.get(last.item.key) and year is not None and year == self._year_of(last)
                        and not _has_affixes(placed.item) and not _has_affixes(last.item)):
                    collapsed.append(suffix)
                    continue
            runs.append((placed, self._piece(placed, suppress=suppress), []))
        children: list[Any] = []
        previous: Placed | None = None
        previous_run = False
        for placed, piece, suffixes in runs:
            if piece is None or not has_text(piece):
                continue
            if suffixes:
                letters = [self.suffixes.get(placed.item.key, "")] + suffixes
                shown = _ranges(letters) if collapse == "year-suffix-ranged" else letters
                rest: list[Any] = []
                if "\u2013" in shown[0]:
                    rest.append(Delimiter("\u2013" + shown[0].split("\u2013")[1]))
                for letter in shown[1:]:
                    rest += [Delimiter(suffix_delimiter), letter]
                piece = Node([piece, *rest])
            if children:
                # after a cite with a locator, or a run of year suffixes, the after-collapse delimiter
                locator_before = previous is not None and bool(previous.item.locator)
                children.append(Delimiter(after_collapse if (locator_before or previous_run) and collapse
                                          else group_delimiter))
            children.append(piece)
            previous = placed
            previous_run = bool(suffixes)
        return Node(children) if children else None

    def _year_of(self, placed: Placed) -> str | None:
        if placed.item.key not in self.bib:
            return None
        date = self.references[placed.item.key].get("issued")
        return str(date.begin[0]) if date is not None and not date.literal else None

    def _collapse_numbers(self, ordered: list[Placed], pieces: list[Any], delimiter: str) -> Any:
        """``[1–3, 5]``: runs of three or more consecutive numbers."""
        section = self.engine.citation
        after_collapse = section.get("after-collapse-delimiter", delimiter)
        out: list[tuple[Any, bool]] = []
        run: list[int] = []

        def flush() -> None:
            if len(run) >= 3:
                first_piece, last_piece = pieces[run[0]], pieces[run[-1]]
                out.append((join([first_piece, Delimiter("\u2013"), last_piece]), True))
            else:
                out.extend((pieces[n], False) for n in run)
            run.clear()

        for number, placed in enumerate(ordered):
            item = placed.item
            simple = item.key in self.bib and not (item.locator or item.prefix or item.suffix)
            value = self.numbers.get(item.key)
            if simple and run and value == self.numbers.get(ordered[run[-1]].item.key, 0) + 1:
                run.append(number)
                continue
            flush()
            if simple:
                run.append(number)
            else:
                out.append((pieces[number], False))
        flush()
        children: list[Any] = []
        for index, (piece, collapsed) in enumerate(out):
            if not has_text(piece):
                continue
            if children:
                children.append(Delimiter(after_collapse if out[index - 1][1] else delimiter))
            children.append(piece)
        return Node(children) if children else None

def _has_affixes(item: CiteItem) -> bool:
    return bool(item.locator or item.prefix or item.suffix)


def _ranges(letters: list[str]) -> list[str]:
    """["a", "b", "c", "e"] → ["a–c", "e"] (the first letter is on the cite already)."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 3:
            out.append(run[0] + "\u2013" + run[-1])
        else:
            out.extend(run)
        run.clear()

    for letter in letters:
        if run and len(letter) == 1 and len(run[-1]) == 1 and ord(letter) == ord(run[-1]) + 1:
            run.append(letter)
        else:
            flush()
            run.append(letter)
    flush()
    return out



__all__ = ["Grouping"]
