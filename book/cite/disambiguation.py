"""Disambiguation of cites (CSL 1.0.2, "Disambiguation").

Two works are cited alike when their cites render the same — compared, as
citeproc-js does, in the form of a subsequent cite ("Doe et al. 2005"), so
that a cite that is shorter the second time is told apart too.  Works
registered but not cited (nocite) take part, as the specification's footnote
asks.  The methods run in this order, each only on what is still ambiguous:

1. more names (``disambiguate-add-names``): hidden names are added one at a
   time to every cite of the set; a cite that no added name can tell apart
   goes back to its usual names when a year suffix will follow;
2. given names (``disambiguate-add-givenname``, by ``givenname-disambiguation-rule``):
   by-cite expands names one at a time, first to initials then in full,
   keeping only expansions that help; the all-names and primary-name rules
   expand every name shared by different people, in every cite;
3. the ``disambiguate="true"`` condition;
4. year suffixes ("2005a", "2005b") in the order of the bibliography.
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from book.cite.state import Expansion


def suffix_letters(number: int) -> str:
    """0 → "a", 25 → "z", 26 → "aa", 27 → "ab" …"""
    letters = string.ascii_lowercase
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = letters[rest] + text
    return text


class Disambiguator:
    """Finds each reference's :class:`Expansion` and year suffix."""

    def __init__(self, engine: Any, keys: list[str], order: list[str], references: dict[str, Any],
                 render: Callable[[str, Expansion], str]) -> None:
        self.engine = engine
        self.keys = keys
        self.order = order
        self.references = references
        self.render = render
        self.expansions: dict[str, Expansion] = {k: Expansion() for k in keys}
        self.suffixes: dict[str, str] = {}
        self._strings: dict[str, str] = {}

    # -- helpers -----------------------------------------------------------------------------

    def _string(self, key: str) -> str:
        if key not in self._strings:
            self._strings[key] = self.render(key, self.expansions[key])
        return self._strings[key]

    def _set(self, key: str, expansion: Expansion) -> None:
        self.expansions[key] = expansion
        self._strings.pop(key, None)

    def _clusters(self, keys: list[str] | None = None) -> list[list[str]]:
        """Sets of keys that render alike (among all keys), restricted to ``keys``."""
        by_text: dict[str, list[str]] = defaultdict(list)
        for key in self.keys:
            by_text[self._string(key)].append(key)
        wanted = set(keys) if keys is not None else None
        out = []
        for group in by_text.values():
            if len(group) > 1 and (wanted is None or wanted & set(group)):
                out.append(group)
        return out

    def _ambiguous(self, key: str) -> bool:
        text = self._string(key)
        return any(other != key and self._string(other) == text for other in self.keys)

    def _copy(self, key: str, **changes: Any) -> Expansion:
        current = self.expansions[key]
        values = {"add_names": current.add_names, "given": dict(current.given),
                  "given_all": current.given_all, "condition": current.condition}
        values.update(changes)
        return Expansion(**values)

    def _name_count(self, key: str) -> int:
        reference = self.references[key]
        return max((len(v) for v in reference.variables.values() if isinstance(v, list)), default=0)

    def _name_variables(self, key: str) -> list[str]:
        reference = self.references[key]
        return [name for name, value in reference.variables.items() if isinstance(value, list)]

    # -- the methods ---------------------------------------------------------------------------

    def run(self) -> None:
        citation = self.engine.citation
        if citation is None:
            return
        add_names = citation.get("disambiguate-add-names") == "true"
        add_given = citation.get("disambiguate-add-givenname") == "true"
        add_year = citation.get("disambiguate-add-year-suffix") == "true"
        rule = citation.get("givenname-disambiguation-rule", "by-cite")
        if add_given and rule != "by-cite":
            self._global_names(rule)
        has_condition = self.engine.uses_disambiguate_condition
        for group in self._clusters():
            if not any(self._ambiguous(k) for k in group):
                continue
            if add_names:
                self._add_names(group, revert=add_year)
            still = [k for k in group if self._ambiguous(k)]
            if add_given and rule == "by-cite" and still:
                self._add_given(still)
            still = [k for k in group if self._ambiguous(k)]
            if has_condition and still:
                for key in still:
                    self._set(key, self._copy(key, condition=True))
        if add_year:
            rank = {k: i for i, k in enumerate(self.order)}
            for group in self._clusters():
                group.sort(key=lambda k: rank.get(k, len(rank)))
                for number, key in enumerate(group):
                    self.suffixes[key] = suffix_letters(number)

    def _add_names(self, group: list[str], revert: bool) -> None:
        pending = [k for k in group if self._ambiguous(k)]
        most = max(self._name_count(k) for k in pending)
        resolved_at: dict[str, int] = {}
        for extra in range(1, most + 1):
            before = {k: self._string(k) for k in pending}
            for key in pending:
                self._set(key, self._copy(key, add_names=extra))
            changed = any(self._string(k) != before[k] for k in pending)
            for key in pending:
                if not self._ambiguous(key):
                    resolved_at[key] = extra
            pending = [k for k in pending if k not in resolved_at]
            if not pending or not changed:
                break
        for key in pending:
            # names cannot tell this cite apart: back to the usual names
            # (a year suffix will do it), or keep the longest try
            if revert or not any(k in resolved_at for k in group):
                self._set(key, self._copy(key, add_names=0))

    def _add_given(self, still: list[str]) -> None:
        pending = list(still)
        most = max(self._name_count(k) for k in pending)
        for index in range(most):
            for level in (1, 2):
                trial = {k: self.expansions[k] for k in pending}
                for key in pending:
                    given = dict(self.expansions[key].given)
                    for variable in self._name_variables(key):
                        given[(variable, index)] = max(level, given.get((variable, index), 0))
                    self._set(key, self._copy(key, given=given))
                now = [k for k in pending if self._ambiguous(k)]
                if len(now) < len(pending):
                    # keep the expansion where it told cites apart
                    for key in now:
                        pass
                    pending = now
                    break
                for key, expansion in trial.items():
                    self._set(key, expansion)
            if not pending:
                return

    def _global_names(self, rule: str) -> None:
        """all-names, all-names-with-initials, primary-name, primary-name-with-initials:
        a family name shared by different people gets initials or full given
        names in every cite."""
        primary = rule.startswith("primary")
        initials_only = rule.endswith("with-initials")
        people: dict[str, set[str]] = defaultdict(set)
        listed: dict[str, list[tuple[str, int, Any]]] = {}
        for key in self.keys:
            names = []
            for variable in self._name_variables(key):
                for index, name in enumerate(self.references[key].variables[variable]):
                    if primary and index > 0:
                        break
                    if name.is_literal:
                        continue
                    names.append((variable, index, name))
                    people[(name.non_dropping + " " + name.family).strip().casefold()].add(name.given)
            listed[key] = names
        for key, names in listed.items():
            given = dict(self.expansions[key].given)
            for variable, index, name in names:
                givens = people[(name.non_dropping + " " + name.family).strip().casefold()]
                if len(givens) < 2:
                    continue
                initials = {"".join(w[:1] for w in g.replace("-", " ").split()) for g in givens}
                level = 1 if initials_only or len(initials) == len(givens) else 2
                given[(variable, index)] = level
            if given:
                self._set(key, self._copy(key, given=given))


__all__ = ["Disambiguator", "suffix_letters"]
