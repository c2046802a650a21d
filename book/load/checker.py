"""Reading a YAML document with every problem collected at its line: what book.yaml's validators share."""

from __future__ import annotations

import difflib
from typing import Any

from ..errors import BookError
from .yamlsrc import Located


class Checker:
    """Collects problems while reading one Located document."""

    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.errors: list[BookError] = []

    def fail(self, path: tuple, message: str, hint: str = "", key: bool = False, rule: str = "book-yaml") -> None:
        self.errors.append(self.doc.error(path, message, hint, key, rule))

    def text(self, data: dict, key: str, required: bool = False, default: str = "") -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((), f"'{key}' is missing", f"add '{key}: ...' to book.yaml", rule="book-yaml-required")
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.fail((key,), f"'{key}' must be text, not {kind_of(value)}", f"write '{key}: some text'")
            return default
        if required and not value.strip():
            self.fail((key,), f"'{key}' is empty", f"give the book a {key}")
        return value.strip()

    def texts(self, data: dict, key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),)
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.fail((key,), f"'{key}' must be text or a list of texts", f"write '{key}: [first, second]'")
            return ()
        return tuple(str(v).strip() for v in value)


def kind_of(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", type(None): "empty"}.get(
        type(value), type(value).__name__)


def suggest(word: str, known: set[str] | list[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return "known keys are " + ", ".join(sorted(known))
