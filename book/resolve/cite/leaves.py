"""The elements that print one thing: ``cs:text`` (a variable, a macro, a term or a value),
``cs:number`` and ``cs:label`` (CSL 1.0.2, "Rendering Elements").

They register themselves with :func:`book.resolve.cite.elements.register` when this module is
imported (:mod:`book.resolve.cite.engine` imports it before it parses a style).
"""

from __future__ import annotations

import re
from typing import Any

from book.resolve.cite import markup, numbers
from book.resolve.cite.elements import Element, flatten, register
from book.resolve.cite.output import Node, join


@register("text")
class Text(Element):
    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        attrib = el.attrib
        self.variable = attrib.get("variable")
        self.macro = attrib.get("macro")
        self.term = attrib.get("term")
        self.value = attrib.get("value")
        self.form = attrib.get("form", "long")
        self.plural = attrib.get("plural") == "true"
        self.style = style

    def render(self, ctx: Any) -> Any:
        if self.macro is not None:
            return self._macro(ctx)
        if self.variable is not None:
            return self._variable(ctx)
        if self.term is not None:
            text = ctx.engine.locales.term(self.term, self.form, self.plural)
            return self.finish(Node([text], tag="term"), ctx) if text else None
        if self.value is not None:
            return self.finish(markup.parse(self.value) if self.value else None, ctx)
        return None

    def _macro(self, ctx: Any) -> Node | None:
        macro = self.style.macros.get(self.macro)
        if macro is None:
            return None
        outer = (ctx.called, ctx.rendered)
        ctx.called = ctx.rendered = 0
        try:
            output = join(flatten([child.render(ctx) for child in macro.children]))
            called, rendered = ctx.called, ctx.rendered
        finally:
            ctx.called, ctx.rendered = outer
        if called and not rendered:
            # a macro is left out, as a group is, when the variables it tries are all
            # empty ("in" before a missing container title); citeproc-js does so
            ctx.count(False)
            return None
        if output is not None:
            ctx.count(True)  # a macro that renders counts as a variable that renders (CSL 1.0.2, "Group")
        return self.finish(output, ctx)

    def _variable(self, ctx: Any) -> Node | None:
        name = self.variable
        engine = ctx.engine
        tag = ""
        data = None
        if name == "citation-number":
            text: Any = str(ctx.number) if ctx.number else None
            tag = "citation-number"
            ctx.count(text is not None)
            return self.finish(text, ctx, tag="citation-number", data=ctx.number)
        if name == "locator":
            locator = ctx.cite.locator
            if locator and ctx.cite.label == "page" and engine.page_range_format:
                text = numbers.format_pages(locator, engine.page_range_format, engine.page_range_delimiter)
            elif locator:
                text = re.sub(r"(?<=\w)\s*-\s*(?=\w)", "\u2013", locator)
            else:
                text = None
            ctx.count(bool(text))
            return self.finish(markup.parse(text) if text else None, ctx, tag="locator")
        if name == "year-suffix":
            # only a suffix that is there counts for cs:group: a style's "n.d." followed
            # by the year-suffix of a work that needs none stays (as in citeproc-js)
            text = ctx.year_suffix or None
            if text:
                ctx.count(True)
            return self.finish(text, ctx, tag="year-suffix")
        if name == "first-reference-note-number":
            text = str(ctx.cite.first_note) if ctx.mode != "bibliography" and ctx.cite.position != "first" \
                and ctx.cite.first_note else None
            ctx.count(bool(text))
            return self.finish(text, ctx)
        if name == "citation-label":
            value = ctx.variable("citation-label") or trigraph(ctx)
            ctx.count(bool(value))
            if value and ctx.implicit_suffix and ctx.year_suffix:
                # the year suffix follows the label when no date took it ("Doe00a")
                ctx.implicit_suffix = False
                value = value + ctx.year_suffix
            return self.finish(value, ctx)
        if name == "page-first":
            page = ctx.variable("page")
            text = numbers.first_page(markup.plain_text(str(page))) if page else None
            ctx.count(bool(text))
            return self.finish(text, ctx)
        value = None
        if self.form == "short":
            value = ctx.variable(name + "-short")
            if value is None and name == "title":
                value = ctx.variable("title-short")
        if value is None:
            value = ctx.variable(name)
        if isinstance(value, (list, tuple)) or (value is not None and not isinstance(value, str)):
            value = None
        ctx.count(value is not None)
        if value is None:
            return None
        if name == "page":
            return self.finish(markup.parse(numbers.format_pages(value, engine.page_range_format,
                                                                 engine.page_range_delimiter)), ctx)
        if name in numbers.NUMBER_VARIABLES and numbers.is_numeric(value):
            # "3-4" for an issue is a range: "3–4", as cs:number writes it
            return self.finish(numbers.render_number(value, "numeric", engine.locales), ctx)
        if name in ("URL", "DOI"):
            href = value if name == "URL" else ("https://doi.org/" + re.sub(
                r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.I))
            if name == "DOI":
                value = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.I)
            shown = value
            if name == "DOI" and self.prefix.lower().endswith(("doi.org/",)):
                # the style writes the resolver: link the whole address
                node = Node([self.prefix + shown], tag="link", data=href)
                return Node([node], fmt=self.fmt, suffix=self.suffix, display=self.display)
            tag, data = "link", href
            return self.finish(Node([shown], tag=tag, data=data), ctx)
        return self.finish(markup.parse(value), ctx)


def trigraph(ctx: Any) -> str:
    """citeproc-js's default citation label: the first letters of up to four
    authors' family names and the year's last two digits ("Doe00")."""
    names = None
    for variable in ("author", "editor", "translator"):
        names = ctx.ref.get(variable)
        if names:
            break
    letters = ""
    if names:
        families = [n.family or n.literal for n in names]
        if len(families) == 1:
            letters = families[0][:4]
        elif len(families) <= 3:
            letters = "".join(f[:2] for f in families)
        else:
            letters = "".join(f[:1] for f in families[:4])
    date = ctx.ref.get("issued")
    year = f"{abs(date.begin[0]) % 100:02d}" if date is not None and date.begin[0] else ""
    return letters + year


@register("number")
class Number(Element):
    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        self.variable = el.get("variable", "")
        self.form = el.get("form", "numeric")

    def render(self, ctx: Any) -> Node | None:
        name = self.variable
        if name == "locator":
            value: Any = ctx.cite.locator or None
        elif name == "citation-number":
            value = str(ctx.number) if ctx.number else None
        else:
            value = ctx.variable(name)
        if isinstance(value, (list, tuple)) or (value is not None and not isinstance(value, str)):
            value = None
        ctx.count(value is not None)
        if value is None:
            return None
        text = markup.plain_text(value)
        if text != value and self.form == "numeric" and ctx.mode != "sort":
            return self.finish(markup.parse(value), ctx)  # "1<sup>er</sup>": the markup stays
        if ctx.mode == "sort" and numbers.is_numeric(text):
            match = re.match(r"\D*(\d+)", text)
            return Node([f"{int(match.group(1)):010d}"]) if match else Node([text])
        if numbers.is_numeric(text):
            gender = ctx.engine.locales.gender(name)
            rendered = numbers.render_number(text, self.form, ctx.engine.locales, gender)
            return self.finish(rendered, ctx, tag="citation-number" if name == "citation-number" else "")
        return self.finish(markup.parse(value.replace("\\-", "-")), ctx)


@register("label")
class Label(Element):
    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        self.variable = el.get("variable", "")
        self.form = el.get("form", "long")
        self.plural = el.get("plural", "contextual")

    def render(self, ctx: Any) -> Node | None:
        name = self.variable
        if name == "locator":
            value: Any = ctx.cite.locator or None
            term = ctx.cite.label or "page"
        else:
            value = ctx.variable(name) if name != "page-first" else ctx.variable("page")
            term = "page" if name == "page-first" else name
        if value is None or isinstance(value, (list, tuple)):
            return None
        if self.plural == "always":
            plural = True
        elif self.plural == "never":
            plural = False
        elif name == "page-first":
            plural = False
        else:
            plural = numbers.is_plural(markup.plain_text(str(value)), name, ctx.engine.locales.term("and") or "")
        # CSL 1.0 wrote the locator type "sub verbo", 1.0.2 "sub-verbo": either finds the term
        text = ctx.engine.locales.term(term, self.form, plural)
        if text is None and term.replace("-", " ") == "sub verbo":
            text = ctx.engine.locales.term("sub-verbo" if term == "sub verbo" else "sub verbo", self.form, plural)
        return self.finish(text, ctx) if text else None
