"""YAML with line numbers: plain Python values plus the marks of every node.

PyYAML's constructors drop position information, so we compose the node
tree ourselves and build plain dicts, lists and scalars from it, recording
the 1-based line and column of each value under its path (a tuple of keys
and indexes). Only the safe subset of YAML is accepted, and alias expansion
is bounded so that a "billion laughs" document is refused quickly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..confine import MAX_DEPTH, character_name, illegal_character, join_surrogates
from ..errors import BookError

MAX_NODES = 200_000
"""Values a document may expand to, aliases included; far above any real book."""

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class Located:
    """A parsed YAML document and where each of its values was written."""

    data: Any
    """The document as plain dicts, lists, str, int, float, bool, date or None."""
    file: Path
    """The file it came from."""
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """(line, column), 1-based, of each value, keyed by its path from the root."""
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """(line, column) of each mapping key, keyed by the path of its value."""
    line_offset: int = 0
    """Lines before the document in its file (front matter starts after ``---``)."""

    def where(self, path: Path_ = (), key: bool = False) -> tuple[int, int]:
        """Line and column of the value at ``path`` (or of its key), or the nearest parent's."""
        table = self.key_marks if key else self.marks
        while True:
            if path in table:
                line, col = table[path]
                return line + self.line_offset, col
            if path in self.marks:
                line, col = self.marks[path]
                return line + self.line_offset, col
            if not path:
                return 1 + self.line_offset, 1
            path = path[:-1]

    def error(self, path: Path_, message: str, hint: str = "", key: bool = False, rule: str = "") -> BookError:
        line, col = self.where(path, key)
        return BookError(message, self.file, line, col, hint, rule)


class _Builder:
    def __init__(self) -> None:
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.key_marks: dict[Path_, tuple[int, int]] = {}
        self.count = 0
        self.resolver = yaml.SafeLoader.__new__(yaml.SafeLoader)
        self.constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)

    def build(self, node: yaml.Node, path: Path_, file: Path) -> Any:
        self.count += 1
        if len(path) > MAX_DEPTH:
            raise too_deep(file, node.start_mark)
        if self.count > MAX_NODES:
            raise BookError(
                f"the document expands to more than {MAX_NODES} values",
                file, node.start_mark.line + 1, node.start_mark.column + 1,
                "remove the aliases (*name) that repeat large parts of the document",
                rule="yaml-too-large",
            )
        if path not in self.marks:
            self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in _merged_pairs(node, file):
                key = self.build(key_node, path + ("<key>",), file)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise BookError(
                        "a mapping key must be a plain value", file,
                        key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                    )
                key = str(key) if not isinstance(key, str) else key
                if key in result:
                    raise BookError(
                        f"duplicate key '{key}'", file,
                        key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                        "each key may appear once in a mapping; remove one of them",
                        rule="yaml-duplicate-key",
                    )
                self.key_marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, path + (key,), file)
            self.marks.pop(path + ("<key>",), None)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), file) for i, item in enumerate(node.value)]
        # Scalars: let PyYAML's safe constructor interpret the tag (int, date, ...).
        try:
            value = yaml.SafeLoader.construct_scalar(self.constructor, node)
            tag = node.tag
            if tag == "tag:yaml.org,2002:str":
                value = join_surrogates(value)
                bad = illegal_character(value)
                if bad:  # an escape such as "\b" or "\ud83d", or "&#12;": the file itself held no such byte
                    raise BookError(
                        f"the value holds {character_name(bad)}", file,
                        node.start_mark.line + 1, node.start_mark.column + 1,
                        "remove the escape sequence (write a character outside the Basic Multilingual Plane "
                        "as \\U0001F600); no edition can hold that character", rule="encoding")
                return value
            method = yaml.SafeLoader.yaml_constructors.get(tag)
            if method is None:
                raise BookError(
                    f"unsupported YAML tag {tag}", file,
                    node.start_mark.line + 1, node.start_mark.column + 1,
                    "remove the !tag; only plain YAML values are allowed",
                )
            return method(self.constructor, node)
        except yaml.YAMLError as exc:
            raise BookError(
                f"invalid value: {exc}", file, node.start_mark.line + 1, node.start_mark.column + 1
            ) from None
        except (ValueError, OverflowError) as exc:  # 2021-02-30 looks like a date but is none
            raise BookError(
                f"invalid value '{node.value}': {exc}", file, node.start_mark.line + 1, node.start_mark.column + 1,
                "write a real date as YYYY-MM-DD, or quote the value to keep it as text", rule="yaml-value",
            ) from None


def _merged_pairs(node: yaml.MappingNode, file: Path) -> list[tuple[yaml.Node, yaml.Node]]:
    pairs = []
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise BookError(
                "YAML merge keys (<<) are not supported", file,
                key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                "write the keys out in full",
            )
        pairs.append((key_node, value_node))
    return pairs


_LIBYAML = getattr(yaml, "CSafeLoader", None)
"""PyYAML's libyaml binding, ten times faster than its pure-Python parser, when it was built with it."""


def libyaml_compose(text: str) -> tuple[yaml.SafeLoader, yaml.Node | None] | None:
    """``text`` composed by libyaml: the safe loader that did it (its constructor builds the
    values) and the root node (None for an empty document). None when libyaml is missing or
    finds the text wrong: the caller then parses it with the pure-Python parser, whose messages
    and marks users see. The nodes are the same either way: marks, tags and values
    (``tests/test_perf_means.py``)."""
    if _LIBYAML is None:
        return None
    loader = _LIBYAML(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


class ShallowLoader(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, refusing values nested deeper than
    :data:`~book.confine.MAX_DEPTH` while it composes them (its composer recurses once a level;
    libyaml stops at 1000 levels and leaves such a document to this loader)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH + 1:
                raise TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class TooDeep(Exception):
    """Values nested deeper than :data:`~book.confine.MAX_DEPTH`, at ``mark``."""

    def __init__(self, mark: Any) -> None:
        super().__init__()
        self.mark = mark


def unreadable_character(file: Path, text: str, exc: yaml.reader.ReaderError, line_offset: int = 0) -> BookError:
    """A character YAML does not allow (U+007F, U+0080 … U+009F), at its line and column."""
    before = text[:exc.position]
    return BookError(f"YAML does not allow the character U+{exc.character:04X}", file,
                     before.count("\n") + 1 + line_offset, exc.position - (before.rfind("\n") + 1) + 1,
                     "delete it, or quote the value and write it as an escape", rule="encoding")


def too_deep(file: Path, mark: Any, line_offset: int = 0) -> BookError:
    return BookError(f"values nest more than {MAX_DEPTH} levels deep here", file, mark.line + 1 + line_offset,
                     mark.column + 1, "flatten the structure: no setting or entry needs lists this deep",
                     rule="too-deep")


def node_depth_problem(root: yaml.Node) -> yaml.Node | None:
    """The first node nested deeper than :data:`~book.confine.MAX_DEPTH` below ``root``, its
    aliases followed (a chain of aliases nests without the text nesting), or None. Iterative, and
    each node is looked at once however often aliases repeat it."""
    deepest: dict[int, int] = {}
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH + 1:
            return node
        if deepest.get(id(node), 0) >= depth:
            continue
        deepest[id(node)] = depth
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend(((key, depth + 1), (value, depth + 1)))
    return None


def compose(text: str) -> yaml.Node | None:
    """The node tree of one YAML document (libyaml's, else the pure parser's), no deeper than
    :data:`~book.confine.MAX_DEPTH`: :class:`TooDeep` otherwise, :class:`yaml.YAMLError` when it is no YAML."""
    fast = libyaml_compose(text)
    if fast is not None:
        node = fast[1]
    else:
        loader = ShallowLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    deep = node_depth_problem(node) if node is not None else None
    if deep is not None:
        raise TooDeep(deep.start_mark)
    return node


def parse_yaml(text: str, file: Path, line_offset: int = 0) -> Located:
    """Parse one YAML document from ``text``; errors name ``file`` and the line."""
    try:
        node = compose(text)
    except TooDeep as exc:
        raise too_deep(file, exc.mark, line_offset) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        col = mark.column + 1 if mark else 1
        problem = (exc.problem or exc.context or "syntax error") + _opened_at(exc, line_offset)
        raise BookError(
            f"YAML syntax error: {problem}", file, line, col,
            "check the indentation and quoting on this line and the one before it; "
            "values containing ': ' or starting with '[', '{', '@' or '*' need quotes",
            rule="yaml-syntax",
        ) from None
    except yaml.reader.ReaderError as exc:
        raise unreadable_character(file, text, exc, line_offset) from None
    except yaml.YAMLError as exc:
        raise BookError(f"YAML error: {exc}", file, 1 + line_offset, 1, rule="yaml-syntax") from None
    if node is None:
        return Located(None, file, {}, {}, line_offset)
    builder = _Builder()
    try:
        data = builder.build(node, (), file)
    except BookError as exc:
        if line_offset:
            raise BookError(
                exc.message, exc.file, exc.line + line_offset, exc.column, exc.hint, exc.rule
            ) from None
        raise
    return Located(data, file, builder.marks, builder.key_marks, line_offset)


_OPENERS = {"while parsing a flow sequence": "the '[' opened", "while parsing a flow mapping": "the '{' opened",
            "while scanning a quoted scalar": "the quote opened"}


def _opened_at(exc: yaml.MarkedYAMLError, line_offset: int) -> str:
    """Where an unclosed bracket or quote began: PyYAML only notices it lines later."""
    opener = _OPENERS.get(exc.context or "")
    mark = exc.context_mark
    if opener is None or mark is None or (exc.problem_mark and exc.problem_mark.line == mark.line):
        return ""
    return f" ({opener} at line {mark.line + 1 + line_offset}, column {mark.column + 1} is not closed)"


def iso_date(value: Any) -> str | None:
    """A YAML date, datetime or ISO string as ``YYYY-MM-DD``; None if it is not one."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            return None
    return None
