"""Small CSL styles and CSL-JSON items for the processor's own regression tests
(tests/test_csl_*.py), in the spirit of the CSL test suite: a style, some
items, some citations, and the exact output expected."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from book.resolve.cite.bibliography import load_bibliography
from book.resolve.cite.format import FormattedCitations, format_citations, load_style
from book.resolve.cite.syntax import Citation, CiteItem, parse_citation

_LINK = re.compile(r"</?a\b[^>]*>")
_SPAN = re.compile(r'^<span class="citation" data-cites="[^"]*">(.*)</span>$')


def style(citation: str = '<text variable="title"/>', bibliography: str | None = None, *, cls: str = "in-text",
          attrs: str = "", citation_attrs: str = "", bibliography_attrs: str = "", macros: str = "",
          locale: str = "", citation_sort: str = "", bibliography_sort: str = "", layout: str = "",
          bibliography_layout: str = "") -> str:
    """A whole CSL style around the given layouts."""
    bib = ""
    if bibliography is not None:
        sort = f"<sort>{bibliography_sort}</sort>" if bibliography_sort else ""
        bib = (f"<bibliography {bibliography_attrs}>{sort}<layout {bibliography_layout}>{bibliography}</layout>"
               "</bibliography>")
    sort = f"<sort>{citation_sort}</sort>" if citation_sort else ""
    return (f'<style xmlns="http://purl.org/net/xbiblio/csl" class="{cls}" version="1.0" {attrs}>'
            f"<info><id>test</id><title>Test</title><updated>2024-01-01T00:00:00+00:00</updated></info>"
            f"{locale}{macros}<citation {citation_attrs}>{sort}<layout {layout}>{citation}</layout></citation>"
            f"{bib}</style>")


def cite(text: str, note: int = 0) -> Citation:
    """``"@a, p. 4; @b"`` (pandoc's syntax, inside the brackets) in note ``note``."""
    parsed = parse_citation(text)
    assert parsed is not None, text
    return dataclasses.replace(parsed, note=note)


def items_cite(*keys: str, note: int = 0, **fields: Any) -> Citation:
    """One citation of ``keys`` (fields apply to every item)."""
    return Citation(tuple(CiteItem(k, **fields) for k in keys), note=note)


def run(tmp_path: Path, csl: str, items: list[dict[str, Any]], citations: list[Citation] | None = None,
        nocite: tuple[str, ...] = (), lang: str = "en-US") -> FormattedCitations:
    folder = tmp_path / f"case{len(list(tmp_path.glob('case*')))}"
    folder.mkdir()
    (folder / "style.csl").write_text(csl, encoding="utf-8")
    (folder / "items.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    bib = load_bibliography([folder / "items.json"])
    return format_citations(bib, load_style("style.csl", folder), citations or [], nocite, lang=lang,
                            capitalize_notes=False)


def texts(result: FormattedCitations) -> list[str]:
    """The citations without our wrapper span and links."""
    return [_LINK.sub("", _SPAN.sub(r"\1", c)) for c in result.citations]


def entries(result: FormattedCitations) -> list[str]:
    return [_LINK.sub("", r.html) for r in result.references]


def book(key: str, **fields: Any) -> dict[str, Any]:
    return {"id": key, "type": "book", **fields}


def person(family: str, given: str = "", **parts: Any) -> dict[str, Any]:
    return {"family": family, **({"given": given} if given else {}), **parts}
