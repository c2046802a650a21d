"""The citation processor: one document's citations and reference list.

citeproc-py's front end renders cites one at a time and leaves out what makes
a document's citations right as a whole.  This driver does it, following the
CSL 1.0.2 specification: cite positions (first, subsequent, ibid, near-note),
disambiguation (add names, add given names, the ``disambiguate`` condition,
year suffixes), cite grouping and collapsing, suppress-author and
author-in-text, affixes, links to entries, bibliography sorting, numbering,
second-field-align and subsequent-author-substitute.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from citeproc import model
from citeproc.source import VariableError

from book.cite import csl_data
from book.cite.bibliography import Bibliography, parse_nocite
from book.cite.disambiguation import Disambiguation
from book.cite.elements import If
from book.cite.engine import Engine, join_text, render_children, render_fields
from book.cite.markup import B_CLOSE, B_OPEN, Typography, link_ref, plain, rich_text, to_xhtml
from book.cite.references import fallback_author, make_reference
from book.cite.state import EqualLocator, Item
from book.cite.syntax import Citation, CiteItem

Cached = tuple[Any, Any]


class Processor(Disambiguation):
    """Formats one document: build it, then call :meth:`run`."""

    def __init__(self, engine: Engine, bib: Bibliography, anchor: Any) -> None:
        self.engine = engine
        self.bib = bib
        self.anchor = anchor
        self.typography = Typography(engine.quotes, engine.punctuation_in_quote)
        self.links = engine.bibliography is not None
        self.references: dict[str, Any] = {}
        self.numbers: dict[str, int] = {}
        self.tweaks: dict[str, dict[str, Any]] = defaultdict(dict)
        # Renderings are shared by every document formatted with this engine
        # (the book, each edition, each handout), keyed by what they depend
        # on: the entry's content, its number and year suffix, the cite.
        if len(engine.cache) > 100_000:
            engine.cache.clear()
        self.cache: dict[tuple[Any, ...], Any] = engine.cache
        self.fingerprints: dict[str, tuple[Any, ...]] = {}
        self.placeholders = not engine.root.xpath_search("//cs:number[@variable='locator']")

    # -- entry point ----------------------------------------------------------------

    def run(self, citations: Sequence[Citation], nocite: Sequence[str]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        cited: list[str] = []
        for citation in citations:
            for item in citation.items:
                if item.key in self.bib and item.key not in cited:
                    cited.append(item.key)
        wanted = parse_nocite(list(nocite))
        extra = self.bib.keys() if "*" in wanted else wanted
        order = cited + [k for k in extra if k in self.bib and k not in cited]
        self.references = {k: make_reference(self.bib.get(k)) for k in order}  # type: ignore[arg-type]
        self.fingerprints = {k: (k, repr(self.bib.get(k).data)) for k in order}  # type: ignore[union-attr]
        self.numbers = {k: i + 1 for i, k in enumerate(order)}
        if self.engine.bibliography is not None:
            order = self._sorted(self.engine.bibliography, order, bibliography=True)
            self.numbers = {k: i + 1 for i, k in enumerate(order)}
        if self.engine.citation is not None:
            self._disambiguate(cited, order)
        positions = self._positions(citations)
        notes, in_text = [], []
        for citation, where in zip(citations, positions):
            note, text = self._citation(citation, where)
            note = to_xhtml(note, self.typography, link_urls=False)
            first = citation.items[0]
            starts_with_text = first.key in self.bib or bool(first.prefix)
            capitalize = self.engine.is_note_style and starts_with_text and getattr(self, "capitalize_notes", True)
            notes.append(_capitalize(note) if capitalize else note)
            in_text.append(to_xhtml(text, self.typography, link_urls=False))
        references = self._bibliography(order) if self.engine.bibliography is not None else []
        return notes, in_text, references

    # -- rendering one cite ---------------------------------------------------------------

    def _render(self, key: str, item: CiteItem | None = None, position: str = "first", near: bool = False,
                suppress: bool = False) -> Cached:
        """A cite's text (without prefix, suffix or link) and the names it
        starts with (for author-in-text and collapsing)."""
        locator = (item.label or "page", item.locator) if item is not None and item.locator else None
        flags = (position, near, suppress)
        if locator is None or not self.placeholders:
            return self._render_cached(key, locator, *flags)
        # A book cites the same work at many pages; the rendering depends on
        # the locator only through its label, whether it is numeric and
        # whether it is plural.  Render once per such class with a
        # placeholder and put the locator in (citeproc-py takes ~2 ms a cite).
        placeholder = _placeholder(locator[1])
        text, names = self._render_cached(key, (locator[0], placeholder), *flags)
        shown = placeholder.replace("-", "\u2013")
        if text is None or shown not in str(text):
            return self._render_cached(key, locator, *flags)
        return str(text).replace(shown, locator[1].replace("-", "\u2013")), names

    def _render_cached(self, key: str, locator: tuple[str, str] | None, position: str, near: bool,
                       suppress: bool) -> Cached:
        """Render (the names it starts with are always recorded); a
        rendering that never tested the position is stored for every
        position."""
        tweak = tuple(sorted(self.tweaks.get(key, {}).items()))
        anywhere = ("cite", self._identity(key), locator, None, None, suppress, tweak)
        if anywhere in self.cache:
            return self.cache[anywhere]
        exact = ("cite", self._identity(key), locator, position, near, suppress, tweak)
        if exact not in self.cache:
            cite = Item(key, self.references[key], self.numbers.get(key, 0),
                        EqualLocator(*locator) if locator else None, self.engine.language)
            state = cite.state
            state.position, state.near_note = position, near
            state.suppress_author, state.capture = suppress, True
            for name, value in tweak:
                setattr(state, name, value)
            text = render_children(self.engine.citation_layout, cite)
            self.cache[anywhere if not state.position_tested else exact] = (text, state.captured)
            if not state.position_tested:
                return self.cache[anywhere]
        return self.cache[exact]

    def _identity(self, key: str) -> tuple[Any, ...]:
        """What a rendering of ``key`` depends on besides the cite."""
        suffix = self.references[key].get("year_suffix")
        return self.fingerprints[key], self.numbers.get(key, 0), str(suffix) if suffix else ""

    def _plain_cite(self, key: str) -> str:
        position = "subsequent" if self.engine.is_note_style else "first"
        return plain(self._render(key, position=position)[0] or "")

    # -- sorting ---------------------------------------------------------------------------

    def _sort_keys(self, section: Any, key: str, bibliography: bool) -> list[Any]:
        cache_key = ("sort", section.tag, bibliography, self._identity(key))
        if cache_key not in self.cache:
            cite = Item(key, self.references[key], self.numbers.get(key, 0), language=self.engine.language)
            cite.state.in_bibliography = bibliography
            values = []
            for element in section.findall("cs:sort/cs:key", section.nsmap):
                try:
                    values.append(element.sort_keys([cite], section.__dict__["_layout"])[0])
                except VariableError:
                    values.append(None)
            self.cache[cache_key] = values
        return self.cache[cache_key]

    def _sorted(self, section: Any, keys: list[str], bibliography: bool = False) -> list[str]:
        sort = section.find("cs:sort", section.nsmap)
        if sort is None:
            return list(keys)
        descending = [k.get("sort", "ascending") == "descending" for k in sort.findall("cs:key", sort.nsmap)]
        values = {k: self._sort_keys(section, k, bibliography) for k in keys}

        def compare(left: str, right: str) -> int:
            for a, b, down in zip(values[left], values[right], descending):
                if a is None or b is None:
                    if a is None and b is None:
                        continue
                    return 1 if a is None else -1  # empty keys last, both ways
                a, b = _comparable(a), _comparable(b)
                if a != b:
                    result = -1 if a < b else 1
                    return -result if down else result
            return 0

        return sorted(keys, key=functools.cmp_to_key(compare))

    # -- positions --------------------------------------------------------------------------

    def _positions(self, citations: Sequence[Citation]) -> list[list[tuple[str, bool]]]:
        distance = int(self.engine.citation.get("near-note-distance", "5")) if self.engine.citation is not None else 5
        last_seen: dict[str, int] = {}
        result = []
        previous: Citation | None = None
        for index, citation in enumerate(citations):
            where = []
            for number, item in enumerate(citation.items):
                locator = (item.label, item.locator) if item.locator else None
                if item.key not in last_seen:
                    position = "first"
                else:
                    before = None
                    if number > 0:
                        before = citation.items[number - 1]
                    elif previous is not None and {i.key for i in previous.items} == {item.key}:
                        before = previous.items[-1]
                    position = "subsequent"
                    if before is not None and before.key == item.key:
                        earlier = (before.label, before.locator) if before.locator else None
                        if earlier == locator:
                            position = "ibid"
                        elif earlier is None or locator is not None:
                            position = "ibid-with-locator"
                near = item.key in last_seen and index - last_seen[item.key] <= distance
                where.append((position, near))
                last_seen[item.key] = index
            result.append(where)
            previous = citation
        return result

    # -- citations --------------------------------------------------------------------------

    def _citation(self, citation: Citation, where: list[tuple[str, bool]]) -> tuple[Any, Any]:
        """(note or in-text text, text that stays in the running text)."""
        items = list(zip(citation.items, where))
        first = citation.items[0]
        if self.engine.citation_layout is None:
            return "", ""
        if not (first.author_in_text and first.key in self.bib):
            text = self._cluster(items)
            return text, ("" if self.engine.is_note_style else text)
        _, author = self._render(first.key, first, *where[0])
        if author is None:
            locale = self.engine.root
            author = fallback_author(self.references[first.key], str(locale.get_single_term("and")),
                                     str(locale.get_single_term("et-al")))
        author = self._link(first.key, author or first.key)
        if self.engine.is_note_style:
            # pandoc: the author is in the text, so the note leaves it out
            return self._cluster(items, suppress_first=True), author
        rest = self._cluster(items, suppress_first=True)
        text = author + " " + rest if plain(rest).strip() else author
        return text, text

    def _link(self, key: str, text: Any) -> Any:
        return link_ref(self.anchor(key), text) if self.links else text

    def _piece(self, item: CiteItem, where: tuple[str, bool], suppress: bool = False) -> Any:
        if item.key not in self.bib:
            return B_OPEN + item.key + "?" + B_CLOSE
        text, _ = self._render(item.key, item, *where, suppress=suppress or item.suppress_author)
        piece = self._link(item.key, text) if text else ""
        if item.prefix:
            prefix = rich_text(csl_data.markdown_text(item.prefix))
            piece = prefix + (" " if piece and not str(prefix).endswith(" ") else "") + piece
        if item.suffix:
            piece = piece + rich_text(csl_data.markdown_text(item.suffix))
        return piece

    def _cluster(self, items: list[tuple[CiteItem, tuple[str, bool]]], suppress_first: bool = False) -> Any:
        citation = self.engine.citation
        layout = self.engine.citation_layout
        head = items[:1] if suppress_first else []
        body = items[1:] if suppress_first else items
        known = [entry for entry in body if entry[0].key in self.bib]
        if citation.find("cs:sort", citation.nsmap) is not None and len(known) > 1:
            ranked = self._sorted(citation, [e[0].key for e in known])
            known.sort(key=lambda e: ranked.index(e[0].key))
            body = known + [e for e in body if e[0].key not in self.bib]
        ordered = head + body
        delimiter = layout.get("delimiter", "")
        collapse = citation.get("collapse")
        if collapse in ("year", "year-suffix", "year-suffix-ranged"):
            text = self._collapse_years(ordered, suppress_first, delimiter)
        else:
            pieces = [self._piece(item, where, suppress=(suppress_first and n == 0))
                      for n, (item, where) in enumerate(ordered)]
            if collapse == "citation-number":
                pieces = self._collapse_numbers(ordered, pieces)
            text = join_text(pieces, delimiter)
        if not text:
            return ""
        return layout.format(layout.wrap(text))

    def _collapse_years(self, ordered: list[tuple[CiteItem, tuple[str, bool]]], suppress_first: bool,
                        delimiter: str) -> Any:
        """``(Pollan 2006, 2008; Ward 2007)``: cites by the same names are
        grouped and their names printed once."""
        citation = self.engine.citation
        groups: dict[str, list[int]] = {}
        for number, (item, where) in enumerate(ordered):
            names = None
            if item.key in self.bib and not item.locator and not item.prefix and not item.suffix:
                names = self._render(item.key, item, *where)[1]
            label = plain(names) if names else f"\0{number}"
            groups.setdefault(label, []).append(number)
        pieces = []
        for members in groups.values():
            parts = [self._piece(ordered[n][0], ordered[n][1],
                                 suppress=(n != members[0]) or (suppress_first and n == 0)) for n in members]
            pieces.append(join_text(parts, citation.get("cite-group-delimiter", ", ")))
        return join_text(pieces, citation.get("after-collapse-delimiter", delimiter) if len(pieces) < len(ordered) else delimiter)

    def _collapse_numbers(self, ordered: list[tuple[CiteItem, tuple[str, bool]]], pieces: list[Any]) -> list[Any]:
        """``[1–3]`` for three or more consecutive numbers without locators."""
        out: list[Any] = []
        run: list[int] = []

        def flush() -> None:
            if len(run) >= 3:
                out.append(pieces[run[0]] + "\u2013" + pieces[run[-1]])
            else:
                out.extend(pieces[n] for n in run)
            run.clear()

        for number, (item, _) in enumerate(ordered):
            plain_cite = item.key in self.bib and not (item.locator or item.prefix or item.suffix)
            value = self.numbers.get(item.key)
            if plain_cite and run and value == self.numbers.get(ordered[run[-1]][0].key, 0) + 1:
                run.append(number)
                continue
            flush()
            if plain_cite:
                run.append(number)
            else:
                out.append(pieces[number])
        flush()
        return out

    # -- the reference list -------------------------------------------------------------------

    def _bibliography(self, order: list[str]) -> list[tuple[str, str]]:
        section = self.engine.bibliography
        layout = self.engine.bibliography_layout
        second_field = section.get("second-field-align")
        substitute = section.get("subsequent-author-substitute")
        previous = None
        entries = []
        for key in order:
            cache_key = ("entry", self._identity(key))
            if cache_key not in self.cache:
                cite = Item(key, self.references[key], self.numbers[key], language=self.engine.language)
                cite.state.in_bibliography = True
                cite.state.capture = True
                if second_field:
                    fields = render_fields(layout, cite)
                    left, body = fields[0], layout.format(layout.wrap(join_text(fields[1:])))
                else:
                    left, body = None, layout.format(layout.wrap(render_children(layout, cite)))
                self.cache[cache_key] = (left, body, cite.state.captured)
            left, body, captured = self.cache[cache_key]
            body = body or ""
            names = plain(captured) if captured else None
            if substitute is not None and names and names == previous:
                body = str(body).replace(str(captured), substitute, 1)
            previous = names
            html = to_xhtml(body, self.typography) or to_xhtml(key, self.typography)
            if left:
                html = (f'<div class="csl-left-margin">{to_xhtml(left, self.typography)} </div>'
                        f'<div class="csl-right-inline">{html}</div>')
            entries.append((key, html))
        return entries


_LOCATOR_MARK = "\ue01b"


def _placeholder(locator: str) -> str:
    """A stand-in locator that is numeric and plural exactly when
    ``locator`` is (the only properties of it a style can test)."""
    numeric = bool(If._NUMERIC.match(locator))
    plural = bool(model.Label.RE_MULTIPLE_NUMBERS.search(locator))
    if numeric:
        return _LOCATOR_MARK + ("9-9" if plural else "9")
    return _LOCATOR_MARK + ("\ue01c9 x 9" if plural else "\ue01c")


_FIRST_LETTER = re.compile(r"^((?:<[^>]*>|&[#\w]+;|[^\w<&])*)([^\W\d_])")


def _capitalize(note: str) -> str:
    """A note is a sentence: "See Pollan…" (as pandoc does)."""
    return _FIRST_LETTER.sub(lambda m: m.group(1) + m.group(2).upper(), note, count=1)


def _comparable(value: Any) -> tuple[int, Any]:
    text = str(value)
    try:
        return (0, int(text))
    except ValueError:
        return (1, text.lower())
