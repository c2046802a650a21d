"""The words the builder itself writes into figures, tables, equations, callouts and cross-references.

ONE table, keyed by the book's language, so that localisation has one place to
route them through (English is complete; a language without an entry falls
back to English). Templates never spell these words; the renderer asks
:func:`word` for them.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "fig": "Figure", "tbl": "Table", "eq": "Equation", "sec": "Section",
        "and": "and", "caption-separator": ": ",
        "callout-note": "Note", "callout-tip": "Tip", "callout-warning": "Warning",
        "callout-caution": "Caution", "callout-important": "Important",
        "task-done": "done", "task-todo": "to do",
    },
}
"""Each word by language (the primary subtag of ``lang:``) and by what it names."""


def word(lang: str, key: str) -> str:
    """The word for ``key`` in the book's language (``en-GB`` reads ``en``), else in English."""
    table = WORDS.get(lang.split("-")[0].lower(), WORDS["en"])
    return table.get(key, WORDS["en"][key])
