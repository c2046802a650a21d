"""The citation processor: one document's citations and reference list.

Given the document's citations in order (each with the number of the note it
is in, when the document has notes) and the works listed without being
cited, :meth:`Processor.run` does what CSL 1.0.2 asks of a processor as a
whole: register the works, sort the bibliography and number it, give each
cite its position (first, subsequent, ibid, ibid-with-locator, near-note,
from note numbers), disambiguate (:mod:`book.resolve.cite.disambiguation`), sort
the cites of each citation, group and collapse them (:mod:`book.resolve.cite.grouping`), and render citations
and entries (:mod:`book.resolve.cite.elements`), leaving out entries that render
nothing.  Pandoc's extensions stay: author-in-text (``@key``),
suppress-author (``[-@key]``), Markdown in prefixes and suffixes, links from
cites to entries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from book.resolve.cite import csl_data, finishing, markup, sorting
from book.resolve.cite.bibliography import Bibliography, parse_nocite
from book.resolve.cite.disambiguation import Disambiguator
from book.resolve.cite.elements import flatten
from book.resolve.cite.engine import Engine
from book.resolve.cite.grouping import Grouping
from book.resolve.cite.output import Delimiter, Node, first, has_text, join, plain, to_xhtml
from book.resolve.cite.references import Reference, make_reference
from book.resolve.cite.state import NO_EXPANSION, Cite, Context, Expansion, Placed
from book.resolve.cite.syntax import Citation


class Processor(Grouping):
    """Formats one document: build it, then call :meth:`run`."""

    capitalize_notes = True
    """Start every note with a capital letter (pandoc does; citeproc-js does not)."""

    def __init__(self, engine: Engine, bib: Bibliography, anchor: Any) -> None:
        self.engine = engine
        self.bib = bib
        self.anchor = anchor
        self.references: dict[str, Reference] = {}
        self.numbers: dict[str, int] = {}
        self.expansions: dict[str, Expansion] = {}
        self.suffixes: dict[str, str] = {}
        self.linked: set[str] = set()
        if len(engine.cache) > 100_000:
            engine.cache.clear()
        self.cache = engine.cache
        self.fingerprints: dict[str, Any] = {}

    # -- entry point ----------------------------------------------------------------

    def run(self, citations: Sequence[Citation], nocite: Sequence[str]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        cited: list[str] = []
        for citation in citations:
            for item in citation.items:
                if item.key in self.bib and item.key not in cited:
                    cited.append(item.key)
        wanted = parse_nocite(list(nocite))
        extra = self.bib.keys() if "*" in wanted else wanted
        registered = cited + [k for k in extra if k in self.bib and k not in cited]
        for key in registered:
            entry = self.bib.get(key)
            self.references[key] = make_reference(entry)
            self.fingerprints[key] = (key, repr(entry.data))  # type: ignore[union-attr]
        self.numbers = {k: i + 1 for i, k in enumerate(registered)}
        order = list(registered)
        bibliography = self.engine.bibliography
        if bibliography is not None and bibliography.sort:
            order = self._sorted(bibliography, order)
            self.numbers = {k: i + 1 for i, k in enumerate(order)}
        self.order = order
        placed = [self._ordered(citation) for citation in citations]
        self._positions(citations, placed)
        if self.engine.citation is not None:
            self._disambiguate(registered, order)
        entries = self._bibliography(order) if bibliography is not None else []
        self.linked = {key for key, _ in entries}
        notes, in_text = [], []
        for citation, cites in zip(citations, placed):
            note, text = self._citation(citation, cites)
            typography = self.engine.typography
            note_html = to_xhtml(note, typography)
            first_item = citation.items[0] if citation.items else None
            starts_with_text = first_item is not None and (first_item.key in self.bib or bool(first_item.prefix))
            if self.engine.is_note_style and starts_with_text and self.capitalize_notes:
                note_html = finishing.capitalize(note_html)
            notes.append(note_html)
            in_text.append(to_xhtml(text, typography))
        return notes, in_text, entries

    # -- contexts and rendering -------------------------------------------------------------

    def _context(self, key: str, mode: str = "citation", cite: Cite | None = None,
                 expansion: Expansion | None = None, section: str | None = None) -> Context:
        ctx = Context(self.engine, self.references[key], mode=mode, section=section or mode,
                      cite=cite or Cite(), number=self.numbers.get(key, 0),
                      year_suffix=self.suffixes.get(key, ""),
                      expansion=expansion if expansion is not None else self.expansions.get(key, NO_EXPANSION))
        ctx.implicit_suffix = bool(ctx.year_suffix) and not self.engine.has_year_suffix.get(ctx.section, False)
        return ctx

    def _render_cite(self, key: str, cite: Cite, suppress_author: bool = False) -> Node | None:
        """A cite's text (without prefix, suffix or link)."""
        expansion = self.expansions.get(key, NO_EXPANSION)
        base = ("cite", self.fingerprints[key], self.numbers.get(key, 0), self.suffixes.get(key, ""),
                expansion.key(), cite.locator, cite.label, suppress_author)
        anywhere = base + (None,)
        if anywhere in self.cache:
            return self.cache[anywhere]
        exact = base + ((cite.position, cite.near_note, cite.first_note),)
        if exact in self.cache:
            return self.cache[exact]
        ctx = self._context(key, cite=cite)
        ctx.suppress_author = suppress_author
        output = self.engine.citation.layout.render(ctx)
        self.cache[exact if ctx.tested_position else anywhere] = output
        return output

    # -- sorting ---------------------------------------------------------------------------

    def _sort_values(self, section: Any, key: str) -> list[Any]:
        cache_key = ("sort", section.name, self.fingerprints[key], self.numbers.get(key, 0))
        if cache_key not in self.cache:
            def make(names: Any) -> Context:
                ctx = self._context(key, mode="sort", section=section.name)
                ctx.sort_names = names
                return ctx
            self.cache[cache_key] = sorting.keys_for(self.engine, section, make)
        return self.cache[cache_key]

    def _sorted(self, section: Any, keys: list[str]) -> list[str]:
        descending = [k.descending for k in section.sort]
        values = {k: self._sort_values(section, k) for k in keys}
        return sorting.sort_keys(keys, values, descending)

    # -- positions --------------------------------------------------------------------------

    def _ordered(self, citation: Citation) -> list[Placed]:
        """A citation's cites in the style's order (an author named in the text stays first)."""
        placed = [Placed(item, Cite(), n) for n, item in enumerate(citation.items)]
        section = self.engine.citation
        if section is None or not section.sort:
            return placed
        head = placed[:1] if placed and placed[0].item.author_in_text else []
        body = placed[len(head):]
        known = [p for p in body if p.item.key in self.bib]
        if len(known) > 1:
            ranked = self._sorted(section, [p.item.key for p in known])
            known.sort(key=lambda p: (ranked.index(p.item.key), p.index))
            body = known + [p for p in body if p.item.key not in self.bib]
        return head + body

    def _positions(self, citations: Sequence[Citation], placed: list[list[Placed]]) -> None:
        """Each cite's position (CSL 1.0.2, ``position``), from the order of the
        citations and the notes they are in.  Ibid needs the cite before to be
        of the same work: the one before it in the same note, or, for the first
        cite of a note, the only cite of the note just before (a note between
        them, or a note citing several works, makes it "subsequent").  Citations
        in the running text (note 0) follow one another apart from the notes.
        near-note: the work was cited at most ``near-note-distance`` notes before.  Note numbers
        that start again (a book's chapters) start the positions again."""
        section = self.engine.citation
        distance = int(section.get("near-note-distance", "5")) if section is not None else 5
        last_note: dict[str, int] = {}
        first_note: dict[str, int] = {}
        seen: set[str] = set()
        # per stream (0: the running text; 1: notes): the cites of the current note,
        # the note number, and the cites of the note before it
        streams: dict[int, dict[str, Any]] = {}
        highest = 0
        for citation, cites in zip(citations, placed):
            note = citation.note
            if note and note < highest:
                # notes numbered again from 1: a new chapter, where a work is cited in full
                # again (CMOS 14.29) and ibid cannot reach back
                seen.clear()
                last_note.clear()
                first_note.clear()
                streams.clear()
            highest = note or highest
            stream = streams.setdefault(1 if note else 0, {"note": None, "cites": [], "before": None, "before_note": None})
            if note and stream["note"] != note or not note:
                stream["before"], stream["before_note"] = stream["cites"], stream["note"]
                stream["cites"], stream["note"] = [], note
            for index, entry in enumerate(cites):
                item = entry.item
                key = item.key
                locator = (item.label or "page", item.locator) if item.locator else None
                if key not in seen:
                    position = "first"
                else:
                    before = None
                    if stream["cites"]:
                        before = stream["cites"][-1]
                    elif stream["before"] is not None and len(stream["before"]) == 1 and (
                            not note or stream["before_note"] is None or note - stream["before_note"] <= 1):
                        before = stream["before"][0]
                    position = "subsequent"
                    if before is not None and before.key == key:
                        earlier = (before.label or "page", before.locator) if before.locator else None
                        if earlier is None:
                            position = "ibid-with-locator" if locator else "ibid"
                        elif earlier == locator:
                            position = "ibid"
                        elif locator is not None:
                            position = "ibid-with-locator"
                near = key in last_note and note > 0 and 0 <= note - last_note[key] <= distance
                entry.cite = Cite(item.locator.strip(), item.label or ("page" if item.locator else ""), position,
                                  near, first_note.get(key, 0))
                stream["cites"].append(item)
                seen.add(key)
                if note:
                    last_note[key] = note
                    first_note.setdefault(key, note)

    # -- disambiguation ---------------------------------------------------------------------

    def _disambiguate(self, registered: list[str], order: list[str]) -> None:
        def render(key: str, expansion: Expansion) -> str:
            ctx = self._context(key, cite=Cite(position="subsequent"), expansion=expansion)
            ctx.year_suffix = ""
            ctx.disambiguating = True
            return plain(self.engine.citation.layout.render(ctx))

        worker = Disambiguator(self.engine, registered, order, self.references, render)
        worker.run()
        self.expansions = worker.expansions
        self.suffixes = worker.suffixes

    # -- citations --------------------------------------------------------------------------

    def _citation(self, citation: Citation, placed: list[Placed]) -> tuple[Any, Any]:
        """(the citation or note, what stays in the running text)."""
        if self.engine.citation is None or not placed:
            return None, None
        head = placed[0]
        if not (head.item.author_in_text and head.item.key in self.bib):
            text = self._cluster(placed)
            return text, (None if self.engine.is_note_style else text)
        author = self._author_of(head)
        if self.engine.is_note_style:
            # pandoc: the author is in the text, so the note leaves it out
            return self._cluster(placed, suppress_first=True), author
        rest = self._cluster(placed, suppress_first=True)
        text = join([author, Delimiter(" "), rest]) if has_text(rest) else author
        return text, text

    def _author_of(self, placed: Placed) -> Node | None:
        key = placed.item.key
        output = self._render_cite(key, placed.cite)
        names = first(output, "names") if output is not None else None
        if names is not None:
            author: Any = names.copy()
            author.prefix = author.suffix = ""
        else:
            reference = self.references[key]
            author = finishing.fallback_author(reference, self.engine.locales.term("and") or "and",
                                      self.engine.locales.term("et-al") or "et al.")
            if author is None:
                author = key
        return self._link(key, author)

    def _link(self, key: str, text: Any) -> Any:
        if key in self.linked:
            return Node([text], tag="link", data="#" + self.anchor(key))
        return text

    def _piece(self, placed: Placed, suppress: bool = False, first_in_citation: bool = False) -> Node | None:
        item = placed.item
        if item.key not in self.bib:
            return Node([item.key + "?"], fmt=(("font-weight", "bold"),))
        text = self._render_cite(item.key, placed.cite, suppress or item.suppress_author)
        if text is not None and self.engine.is_note_style and finishing.sentence_start(item.prefix, first_in_citation):
            text = finishing.capitalize_term(text)
        piece: Any = self._link(item.key, text) if has_text(text) else None
        parts: list[Any] = []
        if item.prefix:
            prefix = markup.parse(csl_data.markdown_text(item.prefix), affix=True)
            parts.append(prefix)
            if piece is not None and not item.prefix[-1:].isspace() and not re.search(r"[(\[{]$", item.prefix):
                parts.append(Delimiter(" "))
        if piece is not None:
            parts.append(piece)
        if item.suffix:
            parts.append(markup.parse(csl_data.markdown_text(item.suffix), affix=True))
        if not parts:
            return None
        return Node(parts, tag="cite")

    def _cluster(self, placed: list[Placed], suppress_first: bool = False) -> Node | None:
        section = self.engine.citation
        layout = section.layout
        ordered = placed
        delimiter = layout.delimiter if layout.delimiter is not None else ""
        collapse = section.get("collapse")
        grouping = collapse in ("year", "year-suffix", "year-suffix-ranged") or section.get("cite-group-delimiter") is not None
        if grouping:
            text = self._grouped(ordered, suppress_first, delimiter, collapse)
        else:
            pieces = [self._piece(p, suppress=(suppress_first and n == 0), first_in_citation=(n == 0))
                      for n, p in enumerate(ordered)]
            if collapse == "citation-number":
                text = self._collapse_numbers(ordered, pieces, delimiter)
            else:
                children: list[Any] = []
                previous: Placed | None = None
                for entry, piece in zip(ordered, pieces):
                    if not has_text(piece):
                        continue
                    if children and not finishing.starts_with_punctuation(entry.item.prefix):
                        # a prefix that starts with punctuation replaces the delimiter (", and Jones");
                        # after a suffix that ends with punctuation, only the delimiter's space is left
                        shown = delimiter
                        if previous is not None and previous.item.suffix.rstrip()[-1:] in (",", ";", ":", ".") \
                                and delimiter[:1] in (",", ";", ":", "."):
                            shown = " "
                        children.append(Delimiter(shown))
                    children.append(piece)
                    previous = entry
                text = Node(children) if children else None
        return layout.wrap(text)

    # -- the reference list -------------------------------------------------------------------

    def _bibliography(self, order: list[str]) -> list[tuple[str, str]]:
        section = self.engine.bibliography
        layout = section.layout
        second_field = section.get("second-field-align")
        substitute = section.get("subsequent-author-substitute")
        rule = section.get("subsequent-author-substitute-rule", "complete-all")
        previous: Any = None
        entries = []
        for key in order:
            cache_key = ("entry", self.fingerprints[key], self.numbers.get(key, 0), self.suffixes.get(key, ""),
                         self.expansions.get(key, NO_EXPANSION).key())
            if cache_key not in self.cache:
                ctx = self._context(key, mode="bibliography")
                if second_field:
                    fields = flatten(layout.render_fields(ctx))
                    left = fields[0] if fields else None
                    body = layout.wrap(join(fields[1:]))
                    if not has_text(left):
                        left, body = None, layout.wrap(join(fields))
                    self.cache[cache_key] = (left, body)
                else:
                    self.cache[cache_key] = (None, layout.wrap(layout.render(ctx)))
            left, body = self.cache[cache_key]
            if body is None and left is None:
                continue
            if substitute is not None:
                # a copy: renderings are cached and shared, substitution is per document
                body, previous = finishing.substitute_author(finishing.copy_tree(body), previous, substitute, rule)
            html = to_xhtml(body, self.engine.typography)
            if left is not None:
                html = (f'<div class="csl-left-margin">{to_xhtml(left, self.engine.typography)} </div>'
                        f'<div class="csl-right-inline">{html}</div>')
            if not html.strip():
                continue
            entries.append((key, html))
        return entries


__all__ = ["Processor"]
