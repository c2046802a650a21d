"""Text filters for templates: metadata typeset like the chapters, print typesetting, roman numerals."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from markupsafe import Markup

from ..locales import base, quotes
from ..resolve.markdown import french_spacing_rule


@functools.lru_cache(maxsize=4096)
def smart(text: str, lang: str = "en") -> Markup:
    """Metadata from book.yaml (rights, names) with the chapters' smart quotes and dashes, as HTML.

    Only punctuation is typeset: metadata is plain text, so any markup or raw HTML in
    it is shown as written (escaped), never interpreted. French gets its spacing before ; : ! ?
    and inside « ». Cached: every web page's footer and every locator of the web index ask
    again for the same few texts."""
    return Markup(_metadata_parser(lang).renderInline(text))


@functools.lru_cache(maxsize=8)
def _metadata_parser(lang: str):
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero", {"typographer": True, "html": False, "quotes": list(quotes(lang))})
    md.enable(["replacements", "smartquotes"])
    if base(lang) == "fr":
        md.core.ruler.after("smartquotes", "french_spacing", french_spacing_rule)
    return md


_TAG = re.compile(r"(<[^>]*>)")
# Not after an opening quote: a word quoted in capitals ("NAZI", in capitals) is shown as written.
_ACRONYM = re.compile(r"(?<![\w&.\-“‘\"'«„‚])([A-Z][A-Z0-9]*[A-Z])(?=s?(?![\w&-]))")
_ROMAN = re.compile(r"[IVXLCDM]+")
_RANGE = re.compile(r"\b\d+[–—]\d+\b")
_VERBATIM = {"code", "pre", "kbd", "samp", "abbr", "script", "style"}


def map_text(html: str, change: Callable[[str], str], verbatim: frozenset[str] = frozenset()) -> str:
    """``html`` with ``change`` applied to each run of its text (never to a tag), except inside
    the elements named in ``verbatim``."""
    out: list[str] = []
    depth = 0
    for chunk in _TAG.split(html):
        if chunk.startswith("<"):
            name = re.match(r"</?([a-zA-Z0-9]+)", chunk)
            if name and name.group(1).lower() in verbatim and not chunk.endswith("/>"):
                depth = max(0, depth + (-1 if chunk.startswith("</") else 1))
            out.append(chunk)
        else:
            out.append(change(chunk) if chunk and not depth else chunk)
    return "".join(out)


def print_text(html: str, caps: bool = True) -> Markup:
    """HTML marked up for print typesetting: acronyms (NKVD, USSR; not roman numerals, nor
    a word quoted in capitals) in ``<span class="caps">`` for small capitals (unless ``caps``
    is false, as for titles), number ranges (1917–1924) in ``<span class="nowrap">`` so that
    a line never breaks at their dash, and URLs given a break opportunity after each ``/``
    so that a long address does not stretch its line."""
    out: list[str] = []
    verbatim = 0
    in_url = False
    for chunk in _TAG.split(html):
        if chunk.startswith("<"):
            name = re.match(r"</?([a-zA-Z0-9]+)", chunk)
            tag = name.group(1).lower() if name else ""
            if tag in _VERBATIM:
                verbatim += -1 if chunk.startswith("</") else (0 if chunk.endswith("/>") else 1)
            if tag == "a":
                in_url = not chunk.startswith("</") and 'class="external"' in chunk
            out.append(chunk)
        elif verbatim > 0:
            out.append(chunk)
        elif in_url or "://" in chunk:
            out.append(re.sub(r"(?<=[/])(?=[^/\s])", "<wbr>", chunk))
        else:
            chunk = _RANGE.sub(r'<span class="nowrap">\g<0></span>', chunk)
            if caps:
                chunk = _ACRONYM.sub(lambda m: m.group(1) if _ROMAN.fullmatch(m.group(1))
                                     else f'<span class="caps">{m.group(1)}</span>', chunk)
            out.append(chunk)
    return Markup("".join(out))


def roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out
