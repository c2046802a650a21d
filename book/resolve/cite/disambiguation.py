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

from book.resolve.cite.state import Expansion


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
        values = {"add_names": current.add_names, "given": dict(current.given), "condition": current.condition}
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
        conditions = self.engine.disambiguate_conditions
        for group in self._clusters():
            if not any(self._ambiguous(k) for k in group):
                continue
            if add_names or (add_given and rule == "by-cite"):
                self._names_and_given(group, add_names, add_given and rule == "by-cite")
            still = [k for k in group if self._ambiguous(k)]
            for level in range(1, conditions + 1):
                if not still:
                    break
                for key in still:
                    self._set(key, self._copy(key, condition=level))
                still = [k for k in still if self._ambiguous(k)]
        if add_year:
            rank = {k: i for i, k in enumerate(self.order)}
            for group in self._clusters():
                group.sort(key=lambda k: rank.get(k, len(rank)))
                for number, key in enumerate(group):
                    self.suffixes[key] = suffix_letters(number)

    def _cluster_size(self, key: str) -> int:
        text = self._string(key)
        return sum(1 for other in self.keys if self._string(other) == text)

    def _names_and_given(self, group: list[str], add_names: bool, add_given: bool) -> None:
        """Show more names, one at a time (``disambiguate-add-names``), and at each
        step expand the names shown where that tells cites apart (by-cite
        ``disambiguate-add-givenname``).  A cite that stays ambiguous keeps the
        fewest names with which it is as distinct as it gets."""
        pending = [k for k in group if self._ambiguous(k)]
        most = max(self._name_count(k) for k in pending) if add_names else 0
        history: dict[str, list[tuple[int, int, Expansion]]] = {k: [] for k in pending}
        previous = {k: self._string(k) for k in pending}
        for level in range(0, most + 1):
            if level:
                for key in pending:
                    self._set(key, self._copy(key, add_names=level))
            if add_given:
                self._expand_given(pending)
            for key in pending:
                history[key].append((self._cluster_size(key), level, self.expansions[key]))
            changed = any(self._string(k) != previous[k] for k in pending)
            previous = {k: self._string(k) for k in pending}
            pending = [k for k in pending if self._ambiguous(k)]
            if not pending or (level and not changed):
                break
        for key in pending:
            size, level, expansion = min(history[key], key=lambda h: (h[0], h[1]))
            self._set(key, expansion)

    def _expand_given(self, pending: list[str]) -> None:
        """By-cite name expansion: for each name position, initials then full
        given names, for the cites whose name there is shared by different
        people; kept where it reduces the ambiguity."""
        most = max(self._name_count(k) for k in pending)
        for index in range(most):
            candidates = self._differing_at(pending, index)
            if not candidates:
                continue
            for level in (1, 2):
                active = [k for k in candidates if self._ambiguous(k)]
                if not active:
                    break
                before = sum(self._cluster_size(k) for k in active)
                trial = {k: self.expansions[k] for k in active}
                for key in active:
                    given = dict(self.expansions[key].given)
                    for variable in self._name_variables(key):
                        given[(variable, index)] = max(level, given.get((variable, index), 0))
                    self._set(key, self._copy(key, given=given))
                if sum(self._cluster_size(k) for k in active) >= before:
                    for key, expansion in trial.items():
                        self._set(key, expansion)

    def _differing_at(self, keys: list[str], index: int) -> list[str]:
        """The keys whose name at ``index`` shares its family name with another
        key's name there but not its given name."""
        found: dict[str, set[str]] = defaultdict(set)
        person: dict[str, tuple[str, str] | None] = {}
        for key in keys:
            person[key] = None
            for variable in self._name_variables(key):
                names = self.references[key].variables[variable]
                if index < len(names) and not names[index].is_literal:
                    name = names[index]
                    family = (name.non_dropping + " " + name.family).strip().casefold()
                    person[key] = (family, _given_key(name.given))
                    found[family].add(_given_key(name.given))
                    break
        return [k for k in keys if person[k] is not None and len(found[person[k][0]]) > 1]

    def _global_names(self, rule: str) -> None:
        """all-names, all-names-with-initials, primary-name, primary-name-with-initials:
        a family name shared by different people gets initials or full given
        names in every cite."""
        primary = rule.startswith("primary")
        initials_only = rule.endswith("with-initials")
        people: dict[str, dict[str, str]] = defaultdict(dict)
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
                    people[(name.non_dropping + " " + name.family).strip().casefold()][_given_key(name.given)] = name.given
            listed[key] = names
        for key, names in listed.items():
            given = dict(self.expansions[key].given)
            for variable, index, name in names:
                givens = people[(name.non_dropping + " " + name.family).strip().casefold()]
                if len(givens) < 2:
                    continue
                mine = _initials(name.given)
                clash = any(_initials(other) == mine for known, other in givens.items()
                            if known != _given_key(name.given))
                if not clash:
                    given[(variable, index)] = 1
                elif not initials_only:
                    given[(variable, index)] = 2
            if given:
                self._set(key, self._copy(key, given=given))


def _initials(given: str) -> str:
    return "".join(w[:1] for w in given.replace("-", " ").replace(".", " ").split()).casefold()


def _given_key(given: str) -> str:
    """A given name as a person's: "J.J." and "J. J." are the same."""
    return "".join(c for c in given.casefold() if c.isalnum())


__all__ = ["Disambiguator", "suffix_letters"]
