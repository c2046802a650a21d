"""Sort keys for ``cs:sort`` (CSL 1.0.2, "Sorting").

A key names a variable or a macro.  A name variable sorts as its names in
sort order (family name, particles by ``demote-non-dropping-particle``,
given name, suffix); a date as YYYYMMDD (ranges after single dates); a
number as a number; anything else as its text without markup.  A macro is
rendered in sort mode: names inverted without labels or "et al." (with the
key's ``names-min``/``-use-first``/``-use-last``), dates and numbers as
above.  Comparison ignores case and accents; empty keys go last in both
directions.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from book.resolve.cite import markup, numbers
from book.resolve.cite.dates import sort_key as date_key
from book.resolve.cite.output import plain
from book.resolve.cite.references import DateValue, Name

_NAME_PART = "\x02"
_NAME_GAP = "\x01"


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a sort string (as a
    locale-aware comparison ignores them: "Simple title, here A" before
    "“Simple title here B”")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(c for c in text if not unicodedata.category(c).startswith("P") or c in "\x01\x02")
    return " ".join(text.casefold().split())


def name_key(name: Name, demote: str) -> str:
    if name.is_literal:
        literal = name.literal or name.family or name.given
        return re.sub(r"^(the|a|an) ", "", markup.plain_text(literal), flags=re.I)
    if demote == "never":
        parts = [" ".join(p for p in (name.non_dropping, name.family) if p), name.dropping, name.given, name.suffix]
    else:
        parts = [name.family, " ".join(p for p in (name.dropping, name.non_dropping) if p), name.given, name.suffix]
    return _NAME_PART.join(markup.plain_text(p) for p in parts)


def variable_key(ctx: Any, variable: str) -> Any:
    """The sort value of a variable (None when empty)."""
    if variable == "citation-number":
        return ctx.number or None
    if variable == "citation-label" and not ctx.ref.get(variable):
        from book.resolve.cite.leaves import trigraph
        return trigraph(ctx) or None
    value = ctx.ref.get(variable)
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return _NAME_GAP.join(name_key(n, ctx.engine.demote_particles) for n in value if isinstance(n, Name))
    if isinstance(value, DateValue):
        return date_key(value) or None
    text = markup.plain_text(str(value))
    if variable in numbers.NUMBER_VARIABLES and numbers.is_numeric(text):
        match = re.match(r"\D*(\d+)", text)
        if match:
            return int(match.group(1))
    return text


def macro_key(ctx: Any, macro: Any) -> Any:
    from book.resolve.cite.elements import flatten
    from book.resolve.cite.output import join

    output = join(flatten([child.render(ctx) for child in macro.children]))
    text = plain(output)
    return text if text else None


def keys_for(engine: Any, section: Any, make_context: Any) -> list[Any]:
    """The sort values of one reference for ``section``'s keys;
    ``make_context(names_options)`` gives a sort-mode context."""
    values = []
    for key in section.sort:
        ctx = make_context(key.names if key.macro is not None else None)
        if key.macro is not None:
            values.append(macro_key(ctx, key.macro))
        else:
            values.append(variable_key(ctx, key.variable))
    return values


def _comparable(value: Any) -> tuple[int, Any]:
    if isinstance(value, int):
        return (0, value)
    return (1, fold(str(value)))


def compare(left: list[Any], right: list[Any], descending: list[bool]) -> int:
    for a, b, down in zip(left, right, descending):
        if a is None or b is None:
            if a is None and b is None:
                continue
            return 1 if a is None else -1  # empty keys last, both ways
        ka, kb = _comparable(a), _comparable(b)
        if ka != kb:
            result = -1 if ka < kb else 1
            return -result if down else result
    return 0


def sort_keys(keys: list[str], values: dict[str, list[Any]], descending: list[bool]) -> list[str]:
    return sorted(keys, key=functools.cmp_to_key(lambda a, b: compare(values[a], values[b], descending)))


__all__ = ["compare", "fold", "keys_for", "name_key", "sort_keys", "variable_key"]
