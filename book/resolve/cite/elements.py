"""The rendering elements of a CSL style: layout, text, number, label, group, choose.

Each element of the style becomes one of these objects once, when the style
is parsed (:mod:`book.resolve.cite.engine`); ``render(ctx)`` turns it into output
nodes (:mod:`book.resolve.cite.output`) for one cite or entry.  Text, numbers and
labels are in :mod:`book.resolve.cite.leaves`, names and dates in
:mod:`book.resolve.cite.names` and :mod:`book.resolve.cite.dates`.

What every element shares (:class:`Element`): affixes outside the formatting,
``strip-periods`` and ``text-case`` on the element's own text, quotes,
``display``.  What a ``cs:group`` knows (CSL 1.0.2, "Group"): it is left out
when it calls variables and all of them are empty; a ``cs:choose`` inside it
has its branch's pieces delimited by the group's delimiter.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from book.resolve.cite import markup, numbers, textcase
from book.resolve.cite.output import Node, has_text, join, map_text

FORMATTING = ("vertical-align", "text-decoration", "font-weight", "font-variant", "font-style")
"""Formatting attributes, outermost first (citeproc-js writes <b><i>…</i></b>)."""

REGISTRY: dict[str, type[Element]] = {}
"""Element name → class; names and dates register theirs."""


def register(name: str) -> Any:
    def decorate(cls: type[Element]) -> type[Element]:
        REGISTRY[name] = cls
        return cls
    return decorate


def local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def build(el: Any, style: Any) -> Element | None:
    cls = REGISTRY.get(local(el))
    return cls(el, style) if cls is not None else None


def build_children(el: Any, style: Any) -> list[Element]:
    return [child for child in (build(e, style) for e in el if isinstance(e.tag, str)) if child is not None]


def flatten(parts: list[Any]) -> list[Any]:
    """Outputs of children, a cs:choose's list of pieces spliced in."""
    out: list[Any] = []
    for part in parts:
        if isinstance(part, list):
            out.extend(flatten(part))
        elif part is not None:
            out.append(part)
    return out


def english(ctx: Any) -> bool:
    return textcase.is_english(ctx.ref.language, ctx.engine.default_locale)


class Element:
    """What every rendering element shares."""

    def __init__(self, el: Any, style: Any) -> None:
        attrib = el.attrib
        self.el_name = local(el)
        self.prefix = attrib.get("prefix", "")
        self.suffix = attrib.get("suffix", "")
        self.fmt = tuple((name, attrib[name]) for name in FORMATTING if name in attrib)
        self.display = attrib.get("display", "")
        self.quotes = attrib.get("quotes") == "true"
        self.strip_periods = attrib.get("strip-periods") == "true"
        self.text_case = attrib.get("text-case", "")
        self.delimiter = attrib.get("delimiter")
        self.line = el.sourceline or 0

    def render(self, ctx: Any) -> Any:
        raise NotImplementedError

    def finish(self, content: Any, ctx: Any, tag: str = "", data: Any = None) -> Node | None:
        """Content with this element's case, periods, quotes, formatting and affixes."""
        if not has_text(content):
            return None
        node = content if isinstance(content, Node) else Node([content])
        if self.strip_periods:
            map_text(node, lambda s: s.replace(".", ""))
        if self.text_case:
            textcase.apply(node, self.text_case, english(ctx), ctx.ref.language)
        if not (self.fmt or self.quotes or self.prefix or self.suffix or self.display or tag):
            return node
        return Node([node], fmt=self.fmt, quotes=self.quotes, prefix=self.prefix, suffix=self.suffix,
                    display=self.display, tag=tag, data=data)


@register("layout")
class Layout(Element):
    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        self.children = build_children(el, style)

    def render(self, ctx: Any) -> Node | None:
        """The children's output, without the layout's own affixes and formatting."""
        return join(flatten([child.render(ctx) for child in self.children]))

    def render_fields(self, ctx: Any) -> list[Any]:
        return [child.render(ctx) for child in self.children]

    def wrap(self, content: Any) -> Node | None:
        """The layout's affixes and formatting around a whole citation or entry.
        When the entry ends with a display block, the suffix goes inside it."""
        if not has_text(content):
            return None
        suffix = self.suffix
        if suffix and isinstance(content, Node):
            last = next((i for i in range(len(content.children) - 1, -1, -1) if has_text(content.children[i])), None)
            block = content.children[last] if last is not None else None
            if isinstance(block, Node) and block.display:
                block = block.copy()
                block.suffix += suffix
                content = content.copy()
                content.children[last] = block
                suffix = ""
        inner = Node([content], prefix=self.prefix, suffix=suffix)
        return Node([inner], fmt=self.fmt) if self.fmt else inner


@register("group")
class Group(Element):
    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        self.children = build_children(el, style)

    def render(self, ctx: Any) -> Node | None:
        outer = (ctx.called, ctx.rendered)
        ctx.called = ctx.rendered = 0
        try:
            parts = flatten([child.render(ctx) for child in self.children])
            called, rendered = ctx.called, ctx.rendered
        finally:
            ctx.called, ctx.rendered = outer
        if called and not rendered:
            ctx.count(False)
            return None
        output = join(parts, self.delimiter or "")
        if output is not None:
            ctx.count(True)  # a macro that renders counts as a variable that renders (CSL 1.0.2, "Group")
        return self.finish(output, ctx)


@register("choose")
class Choose(Element):
    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        self.branches = [Branch(e, style) for e in el if local(e) in ("if", "else-if", "else")]

    def render(self, ctx: Any) -> list[Any]:
        for branch in self.branches:
            if branch.holds(ctx):
                return [child.render(ctx) for child in branch.children]
        return []


class Branch:
    """cs:if, cs:else-if or cs:else."""

    def __init__(self, el: Any, style: Any) -> None:
        self.children = build_children(el, style)
        attrib = el.attrib
        self.match = attrib.get("match", "all")
        self.tests: list[tuple[str, list[str]]] = []
        for name in ("disambiguate", "is-numeric", "is-uncertain-date", "locator", "position", "type", "variable"):
            if name in attrib:
                self.tests.append((name, attrib[name].split()))
        self.always = local(el) == "else"
        self.unknown = not self.tests and not self.always

    def holds(self, ctx: Any) -> bool:
        if self.always:
            return True
        if self.unknown:
            return False
        results = (self._test(ctx, name, value) for name, values in self.tests for value in values)
        if self.match == "any":
            return any(results)
        if self.match == "none":
            return not any(results)
        return all(results)

    def _test(self, ctx: Any, name: str, value: str) -> bool:
        ref = ctx.ref
        if name == "type":
            return ref.type == value
        if name == "variable":
            return _has_variable(ctx, value)
        if name == "is-numeric":
            if value == "locator":
                return numbers.is_numeric(ctx.cite.locator) if ctx.cite.locator else False
            raw = ref.get(value)
            return raw is not None and not isinstance(raw, (list, tuple)) and numbers.is_numeric(markup.plain_text(str(raw)))
        if name == "is-uncertain-date":
            date = ref.get(value)
            return bool(date is not None and getattr(date, "circa", False))
        if name == "locator":
            label = ctx.cite.label if ctx.cite.locator else ""
            return bool(label) and label.replace(" ", "-") == value.replace(" ", "-")
        if name == "position":
            return _position(ctx, value)
        if name == "disambiguate":
            ctx.conditions_seen += 1
            return (ctx.conditions_seen <= ctx.expansion.condition) == (value == "true")
        return False


def _has_variable(ctx: Any, name: str) -> bool:
    if name == "locator":
        return bool(ctx.cite.locator)
    if name == "citation-number":
        return ctx.number > 0
    if name == "year-suffix":
        return bool(ctx.year_suffix)
    if name == "first-reference-note-number":
        return ctx.mode != "bibliography" and ctx.cite.position != "first" and ctx.cite.first_note > 0
    if name == "page-first":
        return bool(ctx.ref.get("page"))
    if name == "citation-label":
        return True
    value = ctx.ref.get(name)
    return value is not None and value != "" and value != []


def _position(ctx: Any, value: str) -> bool:
    if ctx.mode == "bibliography":
        return False
    ctx.tested_position = True
    position = ctx.cite.position
    if value == "first":
        return position == "first"
    if value == "subsequent":
        return position != "first"
    if value == "ibid":
        return position in ("ibid", "ibid-with-locator")
    if value == "ibid-with-locator":
        return position == "ibid-with-locator"
    if value == "near-note":
        return position != "first" and ctx.cite.near_note
    return False


class Macro:
    def __init__(self, el: Any, style: Any) -> None:
        self.name = el.get("name", "")
        self.children: list[Element] = []
        self.el = el

    def build(self, style: Any) -> None:
        self.children = build_children(self.el, style)


__all__ = ["Branch", "Choose", "Element", "Group", "Layout", "Macro", "REGISTRY", "build", "build_children",
           "english", "flatten", "local", "register"]
