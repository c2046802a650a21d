"""A CSL style, parsed once and ready to render in one locale.

:func:`build_engine` reads the style file with lxml (no network, no
entities), turns every rendering element into an object of
:mod:`book.resolve.cite.elements`, :mod:`book.resolve.cite.names` or :mod:`book.resolve.cite.dates`,
and sets up the locale chain (:mod:`book.resolve.cite.locale`).  The
:class:`Engine` also holds the style's options (global, and per citation and
bibliography), which elements read through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from book.resolve.cite import dates, leaves, names  # noqa: F401  (their elements register themselves)
from book.resolve.cite.elements import Layout, Macro, local
from book.resolve.cite.locale import Locales, normalise_lang
from book.resolve.cite.output import Typography

NS = "{http://purl.org/net/xbiblio/csl}"


@dataclass
class SortKey:
    variable: str | None
    macro: Any
    descending: bool
    names: dict[str, Any]


@dataclass
class Section:
    """cs:citation or cs:bibliography."""

    name: str
    layout: Layout
    attrs: dict[str, str]
    sort: list[SortKey]

    def get(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)


@dataclass
class Engine:
    """A parsed style in one locale."""

    path: str
    style_class: str
    default_locale: str
    attrs: dict[str, str]
    locales: Locales
    macros: dict[str, Macro]
    citation: Section | None
    bibliography: Section | None
    typography: Typography
    disambiguate_conditions: int = 0
    """How many cs:if test ``disambiguate`` (0: the method is not available)."""
    has_year_suffix: dict[str, bool] = field(default_factory=dict)
    """Whether the section renders the year-suffix variable itself."""
    cache: dict[Any, Any] = field(default_factory=dict)
    """Renderings, shared by the documents formatted with this engine."""

    @property
    def is_note_style(self) -> bool:
        return self.style_class == "note"

    @property
    def demote_particles(self) -> str:
        return self.attrs.get("demote-non-dropping-particle", "display-and-sort")

    @property
    def initialize_hyphen(self) -> bool:
        return self.attrs.get("initialize-with-hyphen", "true") != "false"

    @property
    def page_range_format(self) -> str:
        return self.attrs.get("page-range-format", "")

    @property
    def page_range_delimiter(self) -> str:
        return self.locales.term("page-range-delimiter") or "\u2013"

    def section(self, name: str) -> Section | None:
        return self.citation if name == "citation" else self.bibliography

    def inherited(self, ctx: Any) -> list[dict[str, str]]:
        """Where inheritable name options come from for this rendering: the
        section (citation or bibliography), then the style."""
        section = self.section(ctx.section)
        return [section.attrs, self.attrs] if section is not None else [self.attrs]


def parse_csl(path: str) -> Any:
    parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True, resolve_entities=False)
    return etree.parse(path, parser).getroot()


def _section(el: Any, name: str, style: Any) -> Section | None:
    if el is None:
        return None
    layout_el = el.find(NS + "layout")
    if layout_el is None:
        return None
    keys = []
    sort = el.find(NS + "sort")
    if sort is not None:
        for key in sort.findall(NS + "key"):
            macro = style.macros.get(key.get("macro")) if key.get("macro") else None
            if key.get("macro") and macro is None:
                continue
            keys.append(SortKey(key.get("variable"), macro, key.get("sort") == "descending",
                                {k: key.get(k) for k in ("names-min", "names-use-first", "names-use-last")}))
    return Section(name, Layout(layout_el, style), dict(el.attrib), keys)


class _StyleInfo:
    """What element constructors may look at while the style is parsed."""

    def __init__(self) -> None:
        self.macros: dict[str, Macro] = {}


def build_engine(path: str, locale: str | None = None) -> Engine:
    """Parse the style at ``path`` for ``locale`` (an ``xml:lang`` such as
    ``en-US``; the style's ``default-locale`` when None)."""
    root = parse_csl(path)
    info = _StyleInfo()
    for macro_el in root.findall(NS + "macro"):
        macro = Macro(macro_el, info)
        info.macros[macro.name] = macro
    for macro in info.macros.values():
        macro.build(info)
    default_locale = root.get("default-locale", "")
    lang = normalise_lang(locale or default_locale or "en-US")
    locales = Locales(root.findall(NS + "locale"), lang)
    citation = _section(root.find(NS + "citation"), "citation", info)
    bibliography = _section(root.find(NS + "bibliography"), "bibliography", info)
    typography = Typography(locales.quotes, locales.punctuation_in_quote)
    engine = Engine(path, root.get("class", "in-text"), default_locale, dict(root.attrib), locales, info.macros,
                    citation, bibliography, typography)
    engine.disambiguate_conditions = sum(1 for e in root.iter(NS + "if", NS + "else-if")
                                         if e.get("disambiguate") == "true")
    for name, el in (("citation", root.find(NS + "citation")), ("bibliography", root.find(NS + "bibliography"))):
        engine.has_year_suffix[name] = el is not None and _renders_year_suffix(el, info, set())
    return engine


def _renders_year_suffix(el: Any, info: _StyleInfo, seen: set[str]) -> bool:
    for node in el.iter(NS + "text"):
        if node.get("variable") == "year-suffix":
            return True
        macro = node.get("macro")
        if macro and macro not in seen and macro in info.macros:
            seen.add(macro)
            if _renders_year_suffix(info.macros[macro].el, info, seen):
                return True
    return False


__all__ = ["Engine", "Section", "SortKey", "build_engine", "local", "parse_csl"]
