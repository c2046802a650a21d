"""Parse a CSL style with our element classes, ready to render.

:func:`build_engine` gives an :class:`Engine`: the style's tree in one
locale, with citeproc-py's element classes replaced by ours
(:mod:`book.resolve.cite.elements`, :mod:`book.resolve.cite.names`), and what the
processor (:mod:`book.resolve.cite.processor`) needs to know about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from citeproc import model
from citeproc.source import VariableError
from citeproc.string import join
from lxml import etree

from book.resolve.cite import elements, names
from book.resolve.cite.markup import SentinelFormatter
from book.resolve.cite.state import Item

# --- parsing ----------------------------------------------------------------------

_OVERRIDES = {cls.__name__.replace("_", "-").lower(): cls for cls in (
    elements.Style, elements.Locale, elements.Citation, elements.Bibliography, elements.Layout,
    elements.Macro, elements.Group, elements.Choose, elements.Else, elements.Text, elements.Label,
    elements.Number, elements.Date, elements.Date_Part, elements.Name_Part, elements.If,
    elements.Else_If, elements.Key, names.Substitute, names.Names, names.Name,
)}
"""Element name → our class; every other element keeps citeproc-py's."""


def _parser() -> etree.XMLParser:
    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace("http://purl.org/net/xbiblio/csl")
    namespace[None] = model.CitationStylesElement
    for cls in model.CitationStylesElement.__subclasses__():
        namespace[cls.__name__.replace("_", "-").lower()] = cls
    namespace.update(_OVERRIDES)
    parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True,
                             resolve_entities=False)
    parser.set_element_class_lookup(lookup)
    return parser


def parse_csl(path: str) -> Any:
    """The root element of a CSL style or locale file, with our classes."""
    return etree.parse(path, _parser()).getroot()


@dataclass
class Engine:
    """A parsed style in one locale: the element tree and what the driver
    needs to know about it."""

    root: Any
    citation: Any
    citation_layout: Any
    bibliography: Any
    bibliography_layout: Any
    language: str
    quotes: tuple[str, str, str, str]
    punctuation_in_quote: bool
    keep: list[Any] = field(default_factory=list)
    """Element proxies kept alive so that state set on them survives."""
    cache: dict[Any, Any] = field(default_factory=dict)
    """Renderings, shared by the documents formatted with this engine."""

    @property
    def is_note_style(self) -> bool:
        return self.root.get("class") == "note"

    def option(self, section: Any, name: str, default: Any = None) -> Any:
        return section.get(name, default) if section is not None else default


def build_engine(path: str, locale: str) -> Engine:
    """Parse the style at ``path`` for ``locale`` (an ``xml:lang`` such as
    ``en-US``), ready to render."""
    root = parse_csl(path)
    for names in root.iter("{http://purl.org/net/xbiblio/csl}names"):
        # a cs:names without cs:name (outside a substitute) uses the
        # defaults; add one now rather than let citeproc-py insert one while
        # rendering (a change to a shared tree in the middle of a book)
        if names.find("cs:name", names.nsmap) is None and not names.in_substitute():
            names.insert(0, names.makeelement("{http://purl.org/net/xbiblio/csl}name"))
    root.formatter = SentinelFormatter
    root.set_locale_list(locale)
    root.__dict__["_language"] = locale.split("-")[0]
    citation = root.find("cs:citation", root.nsmap)
    bibliography = root.find("cs:bibliography", root.nsmap)
    sections = {}
    keep = [root, *root.locales]
    for name, section in (("citation", citation), ("bibliography", bibliography)):
        if section is not None:
            layout = section.find("cs:layout", root.nsmap)
            section.__dict__["_layout"] = layout
            sections[name] = section
            keep += [section, layout]
    root.__dict__["_sections"] = sections

    def term(name: str, fallback: str) -> str:
        found = root.get_term(name)
        return str(found.single) if found is not None and str(found.single) else fallback

    quotes = (term("open-quote", "\u201c"), term("close-quote", "\u201d"),
              term("open-inner-quote", "\u2018"), term("close-inner-quote", "\u2019"))
    piq = (root.get_locale_option("punctuation-in-quote") or "false").lower() == "true"
    return Engine(
        root=root,
        citation=citation,
        citation_layout=citation.__dict__["_layout"] if citation is not None else None,
        bibliography=bibliography,
        bibliography_layout=bibliography.__dict__["_layout"] if bibliography is not None else None,
        language=locale.split("-")[0],
        quotes=quotes,
        punctuation_in_quote=piq,
        keep=keep,
    )


def render_children(layout: Any, item: Item) -> Any:
    """A layout's children rendered for one cite (citeproc-py's
    ``render_children``, with its substitute bookkeeping reset)."""
    layout.repressed = {}
    return layout.render_children(item)


def render_fields(layout: Any, item: Item) -> list[Any]:
    """A layout's children rendered one by one (for second-field-align)."""
    layout.repressed = {}
    out = []
    for child in layout.iterchildren():
        try:
            out.append(child.render(item))
        except VariableError:
            out.append(None)
    return out


def join_text(parts: list[Any], delimiter: str = "") -> Any:
    return join([p for p in parts if p], delimiter)


__all__ = ["Engine", "build_engine", "join_text", "parse_csl", "render_children", "render_fields"]
