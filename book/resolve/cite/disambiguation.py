"""Disambiguation of cites (CSL 1.0.2, "Disambiguation").

When two works would be cited alike — "(Doe 2005)" twice — CSL resolves it
in order: show more names (``disambiguate-add-names``), show initials or
given names (``disambiguate-add-givenname``, by the style's
``givenname-disambiguation-rule``), render the ``disambiguate="true"``
branches, and finally add year suffixes ("2005a", "2005b") in bibliography
order.  citeproc-py does none of it.  A mixin of
:class:`book.resolve.cite.processor.Processor`.
"""

from __future__ import annotations

import string
from collections import defaultdict
from typing import Any

from book.resolve.cite.markup import rich_text


class Disambiguation:
    """The disambiguation steps; ``self`` is the Processor."""

    engine: Any
    references: dict[str, Any]
    tweaks: dict[str, dict[str, Any]]

    def _plain_cite(self, key: str) -> str:  # provided by the Processor
        raise NotImplementedError

    def _disambiguate(self, cited: list[str], order: list[str]) -> None:
        citation = self.engine.citation
        add_names = citation.get("disambiguate-add-names") == "true"
        add_given = citation.get("disambiguate-add-givenname") == "true"
        add_year = citation.get("disambiguate-add-year-suffix") == "true"
        rule = citation.get("givenname-disambiguation-rule", "by-cite")
        if add_given and rule != "by-cite":
            self._disambiguate_names(cited, rule)
        has_condition = bool(self.engine.root.xpath_search("//cs:*[@disambiguate='true']"))
        for group in self._ambiguous(cited):
            distinct = [k for k in group if any(self._names(k) != self._names(o) for o in group)]
            if add_names and distinct:
                longest = max(len(self._names(k)) for k in distinct)
                for extra in range(1, longest + 1):
                    for key in distinct:
                        self._tweak(key, add_names=extra)
                    if not self._ambiguous(distinct):
                        break
                self._undo_useless(group, "add_names")
            still = [k for g in self._ambiguous(group) for k in g]
            if add_given and still:
                for level in (1, 2):
                    for key in still:
                        self._tweak(key, givenname=level, givenname_all=True)
                    if not self._ambiguous(still):
                        break
                self._undo_useless(group, "givenname")
            still = [k for g in self._ambiguous(group) for k in g]
            if has_condition and still:
                for key in still:
                    self._tweak(key, disambiguate=True)
                self._undo_useless(group, "disambiguate")
            if add_year:
                rank = {k: i for i, k in enumerate(order)}
                for same in self._ambiguous(group):
                    for number, key in enumerate(sorted(same, key=rank.__getitem__)):
                        self.references[key]["year_suffix"] = rich_text(_suffix_letters(number))

    def _tweak(self, key: str, **values: Any) -> None:
        self.tweaks[key].update(values)

    def _undo_useless(self, group: list[str], name: str) -> None:
        """A tweak that leaves a cite as ambiguous as before is undone (two
        works by the same authors in one year keep "et al." and get a year
        suffix instead)."""
        for same in self._ambiguous(group):
            for key in same:
                self.tweaks[key].pop(name, None)
                if name == "givenname":
                    self.tweaks[key].pop("givenname_all", None)

    def _ambiguous(self, keys: list[str]) -> list[list[str]]:
        by_text: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            by_text[self._plain_cite(key)].append(key)
        return [group for group in by_text.values() if len(group) > 1]

    def _names(self, key: str) -> tuple[tuple[str, str], ...]:
        reference = self.references[key]
        for role in ("author", "editor", "translator", "container_author", "director", "composer"):
            if reference.get(role):
                return tuple((str(n.get("family", n.get("literal", ""))), str(n.get("given", "")))
                             for n in reference[role])
        return ()

    def _disambiguate_names(self, cited: list[str], rule: str) -> None:
        """The all-names and primary-name rules: a family name shared by
        different people gets initials (or full given names) everywhere,
        ambiguous cite or not (CMOS: "C. Doyle 2013; J. Doyle 2012")."""
        primary = rule.startswith("primary")
        initials_only = rule.endswith("with-initials")
        people: dict[str, set[str]] = defaultdict(set)
        for key in cited:
            names = self._names(key)
            for family, given in names[:1] if primary else names:
                people[family.casefold()].add(given)
        for key in cited:
            names = self._names(key)
            level = 0
            for family, _ in names[:1] if primary else names:
                givens = people[family.casefold()]
                if len(givens) > 1:
                    initials = {"".join(w[:1] for w in g.split()) for g in givens}
                    level = max(level, 1 if initials_only or len(initials) == len(givens) else 2)
            if level:
                self._tweak(key, givenname=level, givenname_all=not primary)


def _suffix_letters(number: int) -> str:
    letters = string.ascii_lowercase
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = letters[rest] + text
    return text
