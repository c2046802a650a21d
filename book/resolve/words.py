"""The words the builder writes into figures, tables, equations, callouts and cross-references.

They are the book's generated words like any other (:mod:`book.locales`: the language's
translations table, with the book's ``strings:`` over it); this module only names
them as the renderer asks for them (``fig`` is the table's ``figure``). Templates
never spell these words; the renderer asks :func:`word` for them.
"""

from __future__ import annotations

from ..locales import Words, words

KEYS = {"fig": "figure", "tbl": "table", "eq": "equation", "sec": "section"}
"""The renderer's names of the numbered kinds (Quarto's label prefixes), as the table names them."""


def word(t: Words | str, key: str) -> str:
    """The word for ``key`` in the book's words (or, given a language tag, that language's)."""
    table = words(t) if isinstance(t, str) else t
    return table.text(KEYS.get(key, key))
