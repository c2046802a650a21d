"""Reading bibliography files: CSL-YAML and CSL-JSON, with every entry's place.

YAML is composed with a SafeLoader into a node tree, whose marks give each
entry's and each field's line; an alias bomb is measured, not expanded, and
refused.  JSON entries are decoded one by one (``raw_decode``) so each has its
offset, hence its line.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from book.confine import MAX_DEPTH, character_name, illegal_character, join_surrogates, json_depth_problem, read_text
from book.errors import BookError
from book.load.yamlsrc import ShallowLoader, TooDeep, libyaml_compose, node_depth_problem, unreadable_character

MAX_YAML_NODES = 100_000
"""More nodes than this, counting every alias expansion, is refused: a
bibliography of thousands of entries has far fewer, an alias bomb far more."""


@dataclass
class _Raw:
    """An entry as read, before validation."""

    value: Any
    line: int
    column: int
    field_lines: dict[str, tuple[int, int]]


# --- YAML --------------------------------------------------------------------

class _CountingLoader(ShallowLoader):
    """A SafeLoader that refuses documents with too many nodes, or nested too deeply."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.node_count = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        self.node_count += 1
        if self.node_count > MAX_YAML_NODES:
            raise _TooBig(self.peek_event().start_mark)
        return super().compose_node(parent, index)


class _TooBig(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__()
        self.mark = mark


def _expanded_size(node: Node, sizes: dict[int, int], active: set[int]) -> int:
    """Nodes in ``node`` with every alias expanded, memoised so that an alias
    bomb is measured without being expanded."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active:
        raise _TooBig(node.start_mark)  # a recursive alias never ends
    active.add(key)
    size = 1
    if isinstance(node, SequenceNode):
        for child in node.value:
            size += _expanded_size(child, sizes, active)
            if size > MAX_YAML_NODES:
                raise _TooBig(node.start_mark)
    elif isinstance(node, MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, sizes, active) + _expanded_size(v, sizes, active)
            if size > MAX_YAML_NODES:
                raise _TooBig(node.start_mark)
    active.discard(key)
    sizes[key] = size
    return size


def _yaml_value(node: Node, loader: yaml.SafeLoader, path: Path) -> Any:
    if isinstance(node, ScalarNode):
        try:
            value = loader.construct_object(node)
        except (ValueError, OverflowError) as err:  # 2021-02-30 looks like a date but is none
            raise _error(path, node, f"invalid value '{node.value}': {err}",
                         "write a real date as YYYY-MM-DD, or quote the value") from None
        if isinstance(value, str):
            value = join_surrogates(value)
            bad = illegal_character(value)
            if bad:  # written as an escape ("\x1b", "\ud83d", "&#12;"): no edition can hold it
                raise _error(path, node, f"the value holds {character_name(bad)}",
                             "remove the escape sequence; no edition can hold that character")
        return value
    if node.tag not in ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"):
        raise _error(path, node, f"unsupported YAML tag {node.tag}", "remove the tag (a bibliography is plain data)")
    if isinstance(node, SequenceNode):
        return [_yaml_value(child, loader, path) for child in node.value]
    loader.flatten_mapping(node)  # type: ignore[arg-type]
    result = {}
    for key_node, value_node in node.value:
        key = _yaml_value(key_node, loader, path)
        if not isinstance(key, (str, int)):
            raise _error(path, key_node, "a mapping key must be text")
        if str(key) in result:
            raise _error(path, key_node, f"duplicate field '{key}'",
                         "each field may appear once in an entry; remove one of them")
        result[str(key)] = _yaml_value(value_node, loader, path)
    return result


def _error(path: Path, node: Node, message: str, hint: str = "") -> BookError:
    mark = node.start_mark
    return BookError(message, path, mark.line + 1, mark.column + 1, hint)


def _read_yaml(path: Path, text: str) -> list[_Raw]:
    # libyaml when it reads the text; else the pure-Python parser, which counts nodes as it goes
    # and words the errors. Either way the alias-expanded size is measured before anything is built.
    fast = libyaml_compose(text)
    try:
        loader = fast[0] if fast is not None else _CountingLoader(text)
    except yaml.reader.ReaderError as err:
        raise unreadable_character(path, text, err) from None
    try:
        root = fast[1] if fast is not None else loader.get_single_node()
        if root is None:
            return []
        deep = node_depth_problem(root)
        if deep is not None:
            raise TooDeep(deep.start_mark)
        _expanded_size(root, {}, set())
        if isinstance(root, MappingNode):
            loader.flatten_mapping(root)
            found = [v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "references"]
            if not found:
                raise _error(path, root, "a YAML bibliography needs a 'references:' list",
                             "put the entries in a list under 'references:' (pandoc's CSL-YAML)")
            root = found[0]
        if not isinstance(root, SequenceNode):
            raise _error(path, root, "the bibliography must be a list of entries",
                         "write each entry as a mapping starting with '- id: …'")
        raws = []
        for node in root.value:
            lines = {}
            if isinstance(node, MappingNode):
                for k, _ in node.value:
                    if isinstance(k, ScalarNode):
                        lines[k.value] = (k.start_mark.line + 1, k.start_mark.column + 1)
            mark = node.start_mark
            raws.append(_Raw(_yaml_value(node, loader, path), mark.line + 1, mark.column + 1, lines))
        return raws
    except TooDeep as too_deep:
        raise BookError(f"values nest more than {MAX_DEPTH} levels deep here", path, too_deep.mark.line + 1,
                        too_deep.mark.column + 1, "flatten the structure: a bibliography entry needs no lists "
                        "this deep", rule="too-deep") from None
    except _TooBig as too_big:
        raise BookError(f"the YAML has more than {MAX_YAML_NODES} nodes once its aliases are expanded",
                        path, too_big.mark.line + 1, too_big.mark.column + 1,
                        "remove the YAML aliases (*name); a bibliography does not need them",
                        rule="yaml-too-large") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        if err.context_mark is not None and mark is not None and mark.index >= len(text.rstrip()):
            mark = err.context_mark  # "end of stream while scanning…": the unclosed thing is the mistake
        message = f"invalid YAML: {err.problem or err.context}"
        if err.context and err.problem:
            message += f" ({err.context}"
            if err.context_mark is not None and err.context_mark is not mark:
                message += f" at line {err.context_mark.line + 1}"
            message += ")"
        raise BookError(message, path, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                        "check indentation and quoting; values containing ': ' or starting with "
                        "'@', '[' or '{' need quotes") from None
    except yaml.YAMLError as err:
        raise BookError(f"invalid YAML: {err}", path, hint="check the file's syntax") from None
    finally:
        loader.dispose()


# --- JSON --------------------------------------------------------------------

def _read_json(path: Path, text: str) -> list[_Raw]:
    newlines = [i for i, c in enumerate(text) if c == "\n"]

    def place(offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(newlines, offset)
        start = newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    deep = json_depth_problem(text)
    if deep is not None:
        raise BookError(f"values nest more than {MAX_DEPTH} levels deep here", path, *place(deep),
                        "flatten the structure: a bibliography entry needs no lists this deep", rule="too-deep")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BookError(f"invalid JSON: {err.msg}", path, err.lineno, err.colno,
                        "check commas, quotes and brackets near this place") from None
    start = 0
    if isinstance(data, dict):
        match = re.search(r'"references"\s*:\s*\[', text)
        if not match or not isinstance(data.get("references"), list):
            raise BookError("a CSL-JSON bibliography must be an array of entries", path, 1, 1,
                            "export the library as CSL JSON: [ {\"id\": …}, … ]")
        start = match.end() - 1
    elif not isinstance(data, list):
        raise BookError("a CSL-JSON bibliography must be an array of entries", path, 1, 1,
                        "export the library as CSL JSON: [ {\"id\": …}, … ]")
    else:
        start = text.index("[")
    decoder = json.JSONDecoder()
    raws = []
    pos = start + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        value, end = decoder.raw_decode(text, pos)
        bad = _bad_string(value)
        if bad is not None:  # a "\u001b" or a lone "\ud83d" escape: no edition can hold it
            code = ord(bad[1])
            escape = re.compile(r"\\(?:u%04x|%s)|&#(?:x0*%x|0*%d);?" % (code, {8: "b", 12: "f"}.get(code, "u%04x" % code),
                                                                      code, code), re.I)
            found = escape.search(text, pos, end)
            raise BookError(f"the value holds {character_name(bad[1])}", path, *place(found.start() if found else pos),
                            "remove the escape sequence; no edition can hold that character", rule="encoding")
        lines = {}
        if isinstance(value, dict):
            for name in value:
                found = re.compile(r'"%s"\s*:' % re.escape(name)).search(text, pos, end)
                if found:
                    lines[name] = place(found.start())
        raws.append(_Raw(value, *place(pos), lines))
        pos = end
    return raws


def _bad_string(value: Any) -> tuple[str, str] | None:
    """A text inside ``value`` (keys too) holding a character :data:`~book.confine.CONTROL`
    refuses, and that character; None if there is none."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            bad = illegal_character(item)
            if bad:
                return item, bad
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def read_source(path: Path) -> str:
    """The text of one bibliography file."""
    if not path.is_file():
        raise BookError("bibliography file not found", path,
                        hint="check the 'bibliography:' path in book.yaml (relative to its folder)")
    # UTF-8 with the line, column and byte offset of a bad byte; control characters refused
    return read_text(path, what="bibliography")


def parse_source(path: Path, text: str) -> list[_Raw]:
    """The entries of the bibliography file ``path`` whose text is ``text``, with their places."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _read_json(path, text)
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path, text)
    raise BookError(f"unsupported bibliography format '{suffix or path.name}'", path,
                    hint="use CSL-YAML (.yaml) or CSL-JSON (.json); Zotero exports both, "
                    "and `pandoc x.bib -t csljson -o x.json` converts BibTeX")
