"""Markup that would reach a reader as typed: pandoc syntax the builder does not take, or takes
differently from what the author meant.

Every finding is a warning at ``file:line:col`` (``check`` lists them, ``serve``
shows them over the page): a ``$`` that opens no math (``$x $``), a ``:::``
that opens or closes no div, ``{#…}`` or ``{.…}`` that attaches to nothing, an
attribute that has no effect where it is written, raw LaTeX (which no edition
shows), and Quarto's executable cells, which are printed as code and never run.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

from ..errors import BookError
from ..model import Chapter
from ..resolve.code import language
from ..resolve.syntax.attributes import parse_attributes

RULES = ("stray-dollar", "stray-fence", "stray-attributes", "unsupported-attribute", "raw-latex",
         "executable-cell")
"""The rules of this module; all are warnings."""

EFFECTIVE = {
    "image": ("width", "height", "fig-alt", "fig-align"),
    "link_open": (),
    "code_inline": (),
    "heading_open": (),
    "table_open": (),
    "math_display": (),
}
"""The key-value attributes that do something on each element (ids and classes always do)."""
_ELEMENT = {"image": "an image", "link_open": "a link", "code_inline": "inline code", "heading_open": "a heading",
            "table_open": "a table caption", "math_display": "an equation"}
_FENCE = re.compile(r"^\s*:{3,}", re.M)
_OPEN_DOLLAR = re.compile(r"(?<![\\$\d])\$(?=[^\s\d$])")


def _line_col(ch: Chapter, parent: Token, content: str, at: int) -> tuple[int, int]:
    """File line and column of offset ``at`` in a block's inline ``content``."""
    line = ch.body_line + (parent.map[0] if parent.map else 0) + content.count("\n", 0, at)
    start = content.rfind("\n", 0, at) + 1
    text_line = content[start:].split("\n", 1)[0]
    column = at - start + 1
    lines = ch.markdown.split("\n")
    index = line - ch.body_line
    if 0 <= index < len(lines) and text_line and text_line in lines[index]:
        column += lines[index].find(text_line)
    return line, column


def _warn(ch: Chapter, where: tuple[int, int], message: str, hint: str, rule: str) -> BookError:
    return BookError(message, ch.path, where[0], where[1], hint, rule, severity="warning")


def markup_warnings(ch: Chapter, tokens: list[Token]) -> list[BookError]:
    """What of this chapter's markup would reach a reader as typed, or not at all."""
    out: list[BookError] = []
    for token in tokens:
        line = (ch.body_line + token.map[0], 1) if token.map else (ch.body_line, 1)
        out += _attribute_warnings(ch, token, line)
        if token.type == "fence":
            info = token.info.strip()
            raw = re.fullmatch(r"\{=([A-Za-z][\w-]*)\}", info)
            if raw and raw.group(1).lower() != "html":
                out.append(_warn(ch, line, f"a raw {raw.group(1)} block reaches no edition",
                                 "write it in Markdown (or as raw HTML, ```{=html})", "raw-latex"))
            elif language(info)[1]:
                out.append(_warn(ch, line, f"the executable cell ```{info} is printed as code and not run",
                                 "run it with Quarto or Jupyter and paste its output, or write ```"
                                 f"{language(info)[0]} for code that is only shown", "executable-cell"))
        if token.type != "inline" or not token.children:
            continue
        content = token.content
        for m in _FENCE.finditer(content):
            out.append(_warn(ch, _line_col(ch, token, content, m.start()),
                             "a ':::' that opens or closes no div",
                             "open a div with '::: {.class}' and close it with ':::' on a line of its own, "
                             "each after a blank line", "stray-fence"))
        for child in token.children:
            out += _attribute_warnings(ch, child, line)
            if child.type == "raw_inline" and child.meta.get("format") != "html":
                out.append(_warn(ch, line, f"raw {child.meta.get('format')} inline reaches no edition",
                                 "write it in Markdown", "raw-latex"))
            if child.type == "text":
                out += _stray_attributes(ch, token, child.content)
        out += _stray_dollars(ch, token)
    return out


_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)


def _stray_dollars(ch: Chapter, parent: Token) -> list[BookError]:
    """``$`` signs of the block's source that start no math, outside code and formulas."""
    content = parent.content
    if "$" not in content:
        return []
    taken = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(content)]
    taken += _inline_notes(content)  # their text is a block of its own, checked there
    taken += [(c.meta["offset"], c.meta["offset"] + len(c.meta.get("source", "")))
              for c in parent.children or () if c.type.startswith("math_") and "offset" in (c.meta or {})]
    out = []
    for m in _OPEN_DOLLAR.finditer(content):
        if any(a <= m.start() < b for a, b in taken):
            continue
        out.append(_warn(ch, _line_col(ch, parent, content, m.start()), "a '$' that opens no math prints as '$'",
                         "math needs no space inside its dollars ($x^2$, not $ x^2 $) and no digit right "
                         "after the closing one; write \\$ for a dollar sign", "stray-dollar"))
    return out


def _inline_notes(content: str) -> list[tuple[int, int]]:
    """Where each inline note ``^[…]`` of a block's source is."""
    spans, at = [], content.find("^[")
    while at >= 0:
        depth, end = 0, at + 1
        while end < len(content):
            depth += {"[": 1, "]": -1}.get(content[end], 0)
            if depth == 0:
                break
            end += 1
        spans.append((at, end + 1))
        at = content.find("^[", end + 1)
    return spans


def _stray_attributes(ch: Chapter, parent: Token, text: str) -> list[BookError]:
    """``{#…}`` or ``{.…}`` left in the text: attributes that attach to nothing."""
    out = []
    for m in re.finditer(r"\{", text):
        found = parse_attributes(text, m.start())
        if found is None:
            continue
        written = text[m.start():found[1]]
        at = max(parent.content.find(written), 0)
        out.append(_warn(ch, _line_col(ch, parent, parent.content, at),
                         f"'{written}' attaches to nothing and prints as typed",
                         "attributes go right after an image, a link, code or a [span], at the end of a "
                         "heading or caption, or after an equation's closing $$", "stray-attributes"))
    return out


def _attribute_warnings(ch: Chapter, token: Token, line: tuple[int, int]) -> list[BookError]:
    attrs = (token.meta or {}).get("attrs") if token.meta else None
    if attrs is None or token.type not in EFFECTIVE:
        return []
    out = []
    for key, _value in attrs.pairs:
        if key in EFFECTIVE[token.type]:
            continue
        out.append(_warn(ch, line, f"the attribute '{key}' on {_ELEMENT[token.type]} has no effect",
                         "ids and classes work everywhere; images also take width, height, fig-alt and "
                         "fig-align; divs and spans keep any attribute (as data-…)", "unsupported-attribute"))
    return out
