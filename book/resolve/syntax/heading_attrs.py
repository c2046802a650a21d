"""Pandoc's heading attributes: ``## Methods {#sec-methods .unnumbered}`` (``{-}`` is ``.unnumbered``).

A core rule, run before the inline parse, takes the ``{…}`` off the end of a
heading's text and puts it on the ``heading_open`` token (``meta["attrs"]``);
:mod:`book.resolve.outline` gives the heading that id instead of its slug.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from .attributes import trailing_attributes


def _heading_attrs(state: StateCore) -> None:
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens) and tokens[i + 1].type == "inline":
            text, attrs, _raw = trailing_attributes(tokens[i + 1].content)
            if attrs is not None and text.strip():
                tokens[i + 1].content = text
                token.meta = {**(token.meta or {}), "attrs": attrs}


def heading_attrs_plugin(md: MarkdownIt) -> None:
    md.core.ruler.before("inline", "heading_attrs", _heading_attrs)
