"""What one rendering of one cite knows: the reference, the cite, the mode.

The style's elements are shared by every document; everything that varies
per rendering (position, locator, disambiguation choices, substituted
variables, the year suffix) travels on a :class:`Context`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from book.resolve.cite.references import Reference


@dataclass(frozen=True)
class Cite:
    """A cite as the processor placed it in the document."""

    locator: str = ""
    label: str = ""
    position: str = "first"
    """first, subsequent, ibid or ibid-with-locator."""
    near_note: bool = False
    first_note: int = 0
    """The note number of the first cite of the same item (first-reference-note-number)."""


NO_CITE = Cite()


@dataclass
class Expansion:
    """Disambiguation choices for one reference's cites."""

    add_names: int = 0
    """Names shown beyond et-al-use-first."""
    given: dict[tuple[str, int], int] = field(default_factory=dict)
    """(name variable, index) → 1 (initials / long form) or 2 (full given name)."""
    condition: int = 0
    """How many ``disambiguate="true"`` tests, in the order a rendering meets
    them, test true (citeproc-js tries them one more at a time)."""

    def key(self) -> tuple[Any, ...]:
        return (self.add_names, tuple(sorted(self.given.items())), self.condition)


NO_EXPANSION = Expansion()


@dataclass
class Placed:
    """A cite in a citation, ready to render: what was written, where the
    processor placed it, its index in the citation as written."""

    item: Any
    cite: Cite
    index: int


@dataclass
class Context:
    """The state of one rendering."""

    engine: Any
    ref: Reference
    mode: str = "citation"
    """citation, bibliography or sort."""
    section: str = "citation"
    """Whose options apply: citation or bibliography (a sort key belongs to one)."""
    cite: Cite = NO_CITE
    number: int = 0
    """The citation number."""
    year_suffix: str = ""
    expansion: Expansion = field(default_factory=Expansion)
    suppress_author: bool = False
    """Leave out the first cs:names output ([-@key]); consumed."""
    sort_names: dict[str, Any] | None = None
    """In sort mode: names-min, names-use-first, names-use-last of the key."""
    suppressed: set[str] = field(default_factory=set)
    """Variables a cs:substitute used: rendered no more."""
    recording: list[str] | None = None
    called: int = 0
    """Variables tried inside the current cs:group…"""
    rendered: int = 0
    """…and how many of them rendered."""
    implicit_suffix: bool = False
    """The year suffix still waits for the first year a cs:date renders."""
    names_seen: int = 0
    """cs:names elements rendered so far (outside substitutes)."""
    in_substitute: int = 0
    names_options: Any = None
    """The cs:name and cs:et-al of the cs:names a substitute belongs to."""
    tested_position: bool = False
    """Whether the rendering looked at the position (else it holds for every position)."""
    disambiguating: bool = False
    """Rendering to compare cites (the date accessed is left out, as citeproc-js does)."""
    conditions_seen: int = 0
    """``disambiguate`` tests met so far in this rendering."""

    @property
    def bibliography(self) -> bool:
        return self.mode == "bibliography"

    def variable(self, name: str) -> Any:
        """A variable's value, or None (empty or substituted away)."""
        if name in self.suppressed:
            return None
        value = self.ref.get(name)
        if value is None or value == "" or value == []:
            return None
        if self.recording is not None:
            self.recording.append(name)
        return value

    def count(self, rendered: bool) -> None:
        """Record that a variable was tried (for cs:group suppression)."""
        self.called += 1
        self.rendered += bool(rendered)


__all__ = ["Cite", "Context", "Expansion", "NO_CITE", "NO_EXPANSION", "Placed"]
