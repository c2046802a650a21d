"""A book's own hyphenation exceptions, as LaTeX's ``\\hyphenation``: ``hyphenation:`` in book.yaml.

The patterns of a language break the words of another badly: English patterns
give "Reich-swehr". A word listed with its breaks (``Reichs-wehr``) is written
into the print manuscript with soft hyphens there; WeasyPrint, as CSS asks,
then breaks it only at those (a word holding a soft hyphen is not hyphenated
automatically). A word listed without a hyphen is kept whole: it is set with
``hyphens: manual`` and holds no soft hyphen. Matching ignores case and keeps
the text's own; only running text is touched, never markup, headings (set without hyphens), code or
formulas.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .text import map_text

_VERBATIM = frozenset({"code", "pre", "svg", "math", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6"})


def hyphenator(words: tuple[str, ...]) -> Callable[[str], str] | None:
    """A function that writes ``words``' breaks into an XHTML fragment (None without words)."""
    if not words:
        return None
    breaks = {w.replace("-", "").casefold(): w for w in words}
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(breaks, key=len, reverse=True))
                         + r")(?!\w)", re.I)

    def one(m: re.Match) -> str:
        found = m.group(0)
        listed = breaks[found.casefold()]
        if "-" not in listed:
            return f'<span class="no-hyphens">{found}</span>'
        out, at = [], 0
        for part in listed.split("-"):
            out.append(found[at:at + len(part)])
            at += len(part)
        return "\u00ad".join(out)

    return lambda fragment: map_text(fragment, lambda text: pattern.sub(one, text), _VERBATIM)
