"""The one exception type for mistakes in a book's sources.

Anything raised as :class:`BookError` is the author's to fix: the CLI prints
it as ``file:line:col: error: message`` followed by the hint, and exits 1.
Any other exception is a bug in the builder and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Location:
    """Where in the author's sources something is."""

    file: Path | None
    """The source file, or None for a problem with no file (a bad option)."""
    line: int = 0
    """1-based line number; 0 when unknown or not meaningful."""
    column: int = 0
    """1-based column; 0 when unknown."""

    def __str__(self) -> str:
        if self.file is None:
            return "<book>"
        text = str(self.file)
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


class BookError(Exception):
    """A mistake in the book's sources, with where it is and how to fix it."""

    def __init__(
        self,
        message: str,
        file: Path | str | None = None,
        line: int = 0,
        column: int = 0,
        hint: str = "",
        rule: str = "",
        severity: str = "error",
    ) -> None:
        super().__init__(message)
        fields = {"message": message, "location": Location(Path(file) if file is not None else None, line, column),
                  "hint": hint, "rule": rule, "severity": severity}
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    message: str
    location: Location
    hint: str
    """How to fix it."""
    rule: str
    """The rule broken, as ``check`` names it (``unknown-citation``), or empty."""
    severity: str
    """``error`` (the book cannot be published as it is) or ``warning`` (it can, but a
    reader would notice; ``check --strict`` fails on it). Only ``check`` reports warnings."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("__"):  # what Python keeps on every exception: __traceback__, __cause__ …
            return super().__setattr__(name, value)
        raise AttributeError(f"a BookError does not change once made: use .replace({name}=...)")

    def __reduce__(self):
        # Rebuilt from its fields (a forked build sends its errors back pickled), not by setting them.
        loc = self.location
        return (type(self), (self.message, loc.file, loc.line, loc.column, self.hint, self.rule, self.severity))

    def replace(self, **changes: Any) -> "BookError":
        """A copy with some fields changed: ``message``, ``file``, ``line``, ``column``, ``hint``,
        ``rule`` or ``severity``."""
        loc = self.location
        fields = {"message": self.message, "file": loc.file, "line": loc.line, "column": loc.column,
                  "hint": self.hint, "rule": self.rule, "severity": self.severity} | changes
        return BookError(**fields)

    @property
    def file(self) -> Path | None:
        return self.location.file

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    def format(self, root: Path | None = None) -> str:
        """``file:line:col: error: message`` and the hint on the next line."""
        loc = self.location
        if root is not None and loc.file is not None:
            try:
                loc = Location(loc.file.resolve().relative_to(root.resolve()), loc.line, loc.column)
            except ValueError:
                pass
        text = f"{loc}: {self.severity}: {self.message}"
        if self.rule:
            text += f" [{self.rule}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()


class BookErrors(BookError):
    """Several :class:`BookError` at once, reported together, sorted by place."""

    def __init__(self, errors: list[BookError]) -> None:
        errors = sorted(errors, key=lambda e: (str(e.file or ""), e.line, e.column))
        first = errors[0]
        super().__init__(first.message, first.file, first.line, first.column, first.hint, first.rule)
        object.__setattr__(self, "errors", tuple(errors))

    errors: tuple[BookError, ...]

    def __reduce__(self):
        return (type(self), (list(self.errors),))

    def format(self, root: Path | None = None) -> str:
        return "\n".join(e.format(root) for e in self.errors)
