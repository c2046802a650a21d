"""Quarto's cross-references: ``@fig-map``, ``[-@tbl-results]``, ``[@eq-energy; @eq-mass]``, ``@sec-methods``.

They are written as citations, and pandoc's citation rule reads them; a core
rule then turns each citation whose keys all name a figure, table, equation or
section label into a ``crossref`` token (``meta["refs"]``: the cited items),
so that they are never looked up in the bibliography. A citation mixing
labels and bibliography keys is a ``crossref`` with ``meta["mixed"]``, which
the renderer reports.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

KINDS = ("fig", "tbl", "eq", "sec")
"""The label prefixes that make a key a cross-reference, as in Quarto."""


def label_kind(key: str) -> str:
    """``fig`` for ``fig-map`` …; empty for a key that is no label."""
    head, dash, rest = key.partition("-")
    return head if dash and rest and head in KINDS else ""


def _crossrefs(state: StateCore) -> None:
    for token in state.tokens:
        for child in token.children or ():
            if child.type != "citation":
                continue
            citation = child.meta["citation"]
            kinds = [label_kind(k) for k in citation.keys]
            if not any(kinds):
                continue
            child.type = "crossref"
            child.meta = {**child.meta, "refs": citation.items, "mixed": not all(kinds)}


def crossrefs_plugin(md: MarkdownIt) -> None:
    """After the citations are read and placed, and inline notes are blocks of the stream (the
    footnote plugin's ``footnote_tail``), take out the cross-references."""
    rules = md.core.ruler.get_all_rules()
    anchor = next((r for r in ("footnote_tail", "citation_positions") if r in rules), "inline")
    md.core.ruler.after(anchor, "crossrefs", _crossrefs)
