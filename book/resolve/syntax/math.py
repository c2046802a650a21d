"""TeX math as pandoc reads it: ``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]``.

pandoc's ``tex_math_dollars`` rules (its Markdown reader, ``mathInlineWith``):
an opening ``$`` has a non-space character right after it; the closing ``$``
has a non-space character right before it and no digit right after it (so
``$20,000 and $30,000`` is no math); a backslash escapes the next character
inside. ``$$…$$`` is display math and may hold spaces and single line breaks.
``\\(…\\)`` and ``\\[…\\]`` are pandoc's ``tex_math_single_backslash``.
Display math may carry Quarto's label, ``$$ E = mc^2 $$ {#eq-energy}``.

Each becomes one ``math_inline`` or ``math_display`` token whose content is the
TeX; ``meta["attrs"]`` holds the label's attributes, ``meta["offset"]`` where
it starts in the inline text (for messages).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .attributes import parse_attributes


def _inline_dollar(src: str, start: int, end: int) -> tuple[str, int] | None:
    """``$…$`` at ``src[start]``: (TeX, index after the closing ``$``) or None."""
    at = start + 1
    if at >= end or src[at] in " \t\n":
        return None
    while at < end:
        char = src[at]
        if char == "\\":
            at += 2
            continue
        if char in " \t\n":
            run = at
            while at < end and src[at] in " \t\n":
                at += 1
            if at < end and src[at] == "$":
                return None  # a space before the closing $
            if src.count("\n", run, at) > 1:
                return None
            continue
        if char == "$":
            if at + 1 < end and src[at + 1].isdigit():
                return None
            if at == start + 1:
                return None
            return src[start + 1:at], at + 1
        at += 1
    return None


def _display(src: str, start: int, end: int, opener: str, closer: str) -> tuple[str, int] | None:
    """Display math between ``opener`` and ``closer``: (TeX, index after the closer) or None."""
    at = start + len(opener)
    close = src.find(closer, at, end)
    while close >= 0 and opener == "\\[" and src[close - 1] == "\\" and src[close - 2:close] != "\\\\":
        close = src.find(closer, close + 1, end)
    if close < 0 or not src[at:close].strip():
        return None
    return src[at:close], close + len(closer)


def _math_rule(state: StateInline, silent: bool) -> bool:
    src, start, end = state.src, state.pos, state.posMax
    char = src[start]
    if char == "$":
        if src.startswith("$$", start):
            found = _display(src, start, end, "$$", "$$")
            kind = "math_display"
        else:
            found = _inline_dollar(src, start, end)
            kind = "math_inline"
    elif char == "\\" and src.startswith("\\(", start):
        found, kind = _display(src, start, end, "\\(", "\\)"), "math_inline"
    elif char == "\\" and src.startswith("\\[", start):
        found, kind = _display(src, start, end, "\\[", "\\]"), "math_display"
    else:
        return False
    if found is None:
        return False
    tex, after = found
    attrs = None
    if kind == "math_display":
        # Quarto's label: {#eq-x} after the closing delimiter, on the same line.
        look = after
        while look < end and src[look] in " \t":
            look += 1
        parsed = parse_attributes(src[:end], look) if look < end and src[look] == "{" else None
        if parsed is not None:
            attrs, after = parsed
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = tex.strip()
        token.markup = src[start:start + (1 if kind == "math_inline" and char == "$" else 2)]
        token.meta = {"attrs": attrs, "offset": start, "source": src[start:after]}
    state.pos = after
    return True


def math_plugin(md: MarkdownIt) -> None:
    """Add pandoc's TeX math to ``md`` (before ``escape``, so that ``\\(`` is math, not an escaped
    parenthesis, and a backslash inside math is TeX's)."""
    md.inline.add_terminator_char("$")
    md.inline.ruler.before("escape", "math", _math_rule)
