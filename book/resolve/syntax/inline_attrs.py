"""Pandoc's inline attributes: bracketed spans and ``{…}`` after an image, a link or code.

``[Litvinov]{.index term="Litvinov, Maxim"}``, ``[small caps]{.smallcaps}``,
``![Map](map.png){#fig-map width=60%}``, ``[site](https://x.org){.external}``,
``` `x = 1`{.python} ``` and raw inline ``` `<b>`{=html} ```. The attributes land
on the token (``span_open``, ``image``, ``link_open``, ``code_inline``) as its
``attrs`` (id, class and every key) and, parsed, in ``meta["attrs"]``. A raw
inline becomes ``raw_inline`` with its format in ``meta["format"]``.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .attributes import Attr, parse_attributes, parse_raw_format


def set_attrs(token: Token, attrs: Attr) -> None:
    """Put ``attrs`` on ``token`` (merged with any it has), as markdown-it attributes and in its meta."""
    old = (token.meta or {}).get("attrs")
    merged = old.merged(attrs) if old is not None else attrs
    token.meta = {**(token.meta or {}), "attrs": merged}
    if merged.ident:
        token.attrSet("id", merged.ident)
    if merged.classes:
        token.attrSet("class", " ".join(merged.classes))
    for key, value in merged.pairs:
        token.attrSet(key, value)


def _span(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    end = state.md.helpers.parseLinkLabel(state, state.pos, False)
    if end < 0 or end + 1 >= state.posMax or state.src[end + 1] != "{":
        return False
    found = parse_attributes(state.src[:state.posMax], end + 1)
    if found is None:
        return False
    attrs, after = found
    if not silent:
        old_max = state.posMax
        token = state.push("span_open", "span", 1)
        set_attrs(token, attrs)
        state.pos, state.posMax = state.pos + 1, end
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("span_close", "span", -1)
    state.pos = after
    return True


def _opening(tokens: list[Token]) -> Token | None:
    """The token that ``{…}`` right after the last token would qualify (its opening for a link)."""
    last = tokens[-1]
    if last.type in ("image", "code_inline"):
        return last
    if last.type == "link_close":
        depth = 0
        for token in reversed(tokens):
            depth += token.nesting
            if depth == 0 and token.type == "link_open":
                return token
    return None


def _after(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "{" or state.pending or not state.tokens:
        return False
    target = _opening(state.tokens)
    if target is None:
        return False
    src = state.src[:state.posMax]
    if target.type == "code_inline":
        raw = parse_raw_format(src, state.pos)
        if raw is not None:
            if not silent:
                target.type = "raw_inline"
                target.meta = {**(target.meta or {}), "format": raw[0]}
            state.pos = raw[1]
            return True
    found = parse_attributes(src, state.pos)
    if found is None:
        return False
    if not silent:
        set_attrs(target, found[0])
    state.pos = found[1]
    return True


def inline_attrs_plugin(md: MarkdownIt) -> None:
    """Add bracketed spans (after links: ``[text](url)`` stays a link) and trailing attributes."""
    md.inline.ruler.after("link", "span", _span)
    md.inline.ruler.push("attributes", _after)
