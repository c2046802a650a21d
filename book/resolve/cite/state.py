"""What one rendering of one cite knows: the cite and its render state.

citeproc-py's style elements are shared by every document; anything that
varies per cite (position, suppress-author, disambiguation choices, the
variables a substitute used) travels on the :class:`Item` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from citeproc.source import CitationItem, Locator

from book.resolve.cite.markup import plain


@dataclass
class RenderState:
    """How one cite is being rendered right now."""

    position: str = "first"
    """``first``, ``subsequent``, ``ibid`` or ``ibid-with-locator``."""
    near_note: bool = False
    suppress_author: bool = False
    """Drop the first names the layout renders (``[-@key]``); consumed."""
    capture: bool = False
    """Record the first names the layout renders (author-in-text, collapse,
    subsequent-author-substitute)."""
    captured: Any = None
    add_names: int = 0
    """Disambiguation: names shown beyond et-al-use-first."""
    givenname: int = 0
    """Disambiguation: 1 shows initials, 2 full given names."""
    givenname_all: bool = True
    """Whether ``givenname`` applies to every name or only the first."""
    disambiguate: bool = False
    """``<if disambiguate="true">`` holds for this cite."""
    in_bibliography: bool = False
    repressed: set[str] = field(default_factory=set)
    """Variables a ``cs:substitute`` used, not to be rendered again."""
    recording: list[str] | None = None
    """While a substitute is tried: the variables it renders."""
    position_tested: bool = False
    """Whether the rendering looked at the position (else it holds for all)."""
    called: int = 0
    """Variables the enclosing cs:group tried to render…"""
    rendered: int = 0
    """…and how many of them were not empty."""


def count(item: Any, text: Any) -> None:
    """Record that a variable was tried, and whether it rendered."""
    state = state_of(item)
    if state is not None:
        state.called += 1
        state.rendered += bool(text)


class Item(CitationItem):
    """A cite: citeproc-py's CitationItem without its lower-casing of keys
    and its reach into a global bibliography object."""

    def __init__(self, key: str, reference: Any, number: int = 0, locator: Locator | None = None,
                 language: str = "en") -> None:
        args = {"locator": locator} if locator is not None else {}
        super().__init__(key, **args)
        dict.__setitem__(self, "key", key)
        object.__setattr__(self, "_reference", reference)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "state", RenderState())
        language = reference.get("language") or language
        # the item's language, else the document's (title case is for English)
        object.__setattr__(self, "language", str(language)[:2])

    @property
    def reference(self) -> Any:
        return self._reference

    @property
    def number(self) -> int:
        return self._number

    def get_field(self, name: str) -> Any:
        value = self._reference.get(name)
        return None if value is None else plain(value)

    def is_bad(self) -> bool:
        return False


class EqualLocator(Locator):
    """citeproc-py compares locators by identity, so a repeated ``p. 4`` was
    never "the same locator" for ibid."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Locator) and (self.label, self.identifier) == (other.label, other.identifier)

    def __hash__(self) -> int:
        return hash((self.label, self.identifier))


def state_of(item: Any) -> RenderState | None:
    return item.__dict__.get("state") if type(item) is Item else None
