"""``cs:date``: localized and non-localized dates, ranges, seasons, eras.

A localized date (``form="text"`` or ``"numeric"``) takes its parts, their
order and affixes from the locale, with the style's ``cs:date-part``
attributes laid over them and ``date-parts`` choosing how many to show.  A
range renders the parts that differ twice, the rest once ("2–4 January
1999", "January–March 1999"), with the ``range-delimiter`` of the largest
part that differs.  A season stands in for a missing month, "AD" and "BC"
follow years before 1000 and before year one, a literal date is printed as
it is.  The first year a cite renders carries its year suffix unless the
style places ``year-suffix`` itself.
"""

from __future__ import annotations

from typing import Any

from book.resolve.cite import textcase
from book.resolve.cite.elements import FORMATTING, Element, english, register
from book.resolve.cite.output import Node, has_text, join
from book.resolve.cite.references import DateValue

_PARTS = ("year", "month", "day")
_SHOWN = {"year-month-day": ("year", "month", "day"), "year-month": ("year", "month"), "year": ("year",)}


class PartSpec:
    """One date part's attributes (from the locale, the style, or both)."""

    def __init__(self, name: str, attrs: dict[str, str]) -> None:
        self.name = name
        self.form = attrs.get("form", "numeric" if name == "day" else "long")
        self.prefix = attrs.get("prefix", "")
        self.suffix = attrs.get("suffix", "")
        self.fmt = tuple((k, attrs[k]) for k in FORMATTING if k in attrs)
        self.text_case = attrs.get("text-case", "")
        self.strip_periods = attrs.get("strip-periods") == "true"
        self.range_delimiter = attrs.get("range-delimiter", "\u2013")


@register("date")
class Date(Element):
    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        self.variable = el.get("variable", "")
        self.form = el.get("form")
        self.date_parts = _SHOWN.get(el.get("date-parts", "year-month-day"), _SHOWN["year-month-day"])
        self.own_parts = []
        for child in el:
            if isinstance(child.tag, str) and child.tag.endswith("date-part"):
                self.own_parts.append((child.get("name", ""), dict(child.attrib)))
        self._specs: dict[str, tuple[list[PartSpec], str, dict[str, str]]] = {}

    def specs(self, ctx: Any) -> tuple[list[PartSpec], str, dict[str, str]]:
        """The parts to render, the delimiter between them, and the attributes of
        the locale's cs:date (for a localized date)."""
        key = ctx.engine.locales.lang
        if key in self._specs:
            return self._specs[key]
        if self.form:
            locale_format = ctx.engine.locales.date_format(self.form)
            overrides = {name: attrs for name, attrs in self.own_parts}
            specs = []
            outer: dict[str, str] = dict(locale_format.attrs) if locale_format else {}
            for part in (locale_format.parts if locale_format else ()):
                if part.name not in self.date_parts:
                    continue
                attrs = dict(part.attrs)
                for name, value in overrides.get(part.name, {}).items():
                    if name not in ("prefix", "suffix", "name"):
                        attrs[name] = value
                specs.append(PartSpec(part.name, attrs))
            delimiter = outer.get("delimiter", "")
        else:
            specs = [PartSpec(name, attrs) for name, attrs in self.own_parts]
            delimiter = self.delimiter or ""
            outer = {}
        self._specs[key] = (specs, delimiter, outer)
        return self._specs[key]

    def render(self, ctx: Any) -> Node | None:
        value = ctx.variable(self.variable) if not (ctx.disambiguating and self.variable == "accessed") else None
        if not isinstance(value, DateValue) or value.is_empty():
            ctx.count(False)
            return None
        if ctx.mode == "sort":
            ctx.count(True)
            shown = self.date_parts if self.form else tuple(name for name, _ in self.own_parts)
            return Node([sort_key(value, shown)], tag="date")
        if value.literal:
            ctx.count(True)
            return self.finish(Node([value.literal], tag="date"), ctx, tag="date")
        specs, delimiter, outer = self.specs(ctx)
        if value.end is None:
            body = self._single(value.begin, value.season, specs, delimiter, ctx)
        else:
            body = self._range(value, specs, delimiter, ctx)
        ctx.count(body is not None)  # a date whose parts are all missing ("month" of a year) is empty
        if body is None:
            return None
        if outer:
            fmt = tuple((k, outer[k]) for k in FORMATTING if k in outer)
            if outer.get("text-case"):
                textcase.apply(body, outer["text-case"], english(ctx), ctx.ref.language)
            if fmt:
                body = Node([body], fmt=fmt)
        return self.finish(Node([body], tag="date"), ctx)

    # -- one date ---------------------------------------------------------------------

    def _part(self, spec: PartSpec, date: tuple[int, int, int], season: Any, ctx: Any) -> Node | None:
        year, month, day = date
        locales = ctx.engine.locales
        text: Any = None
        tag = ""
        if spec.name == "year":
            if not year:
                return None
            if spec.form == "short":
                text = f"{abs(year) % 100:02d}"
            else:
                text = str(abs(year))
                if year < 0:
                    text += locales.term("bc") or "BC"
                elif year < 1000:
                    text += locales.term("ad") or "AD"
            tag = "year"
        elif spec.name == "month":
            if month:
                if spec.form in ("numeric", "numeric-leading-zeros"):
                    text = f"{month:02d}" if spec.form == "numeric-leading-zeros" else str(month)
                else:
                    text = locales.term(f"month-{month:02d}", "short" if spec.form == "short" else "long")
            elif season:
                if isinstance(season, int):
                    text = locales.term(f"season-{season:02d}")
                else:
                    text = str(season)
        elif spec.name == "day":
            if day and month:
                if spec.form == "numeric-leading-zeros":
                    text = f"{day:02d}"
                elif spec.form == "ordinal" and (day == 1 or locales.option("limit-day-ordinals-to-day-1") != "true"):
                    text = locales.ordinal(day, locales.gender(f"month-{month:02d}"))
                else:
                    text = str(day)
        if not text:
            return None
        node = Node([text])
        if spec.strip_periods:
            node.children = [c.replace(".", "") for c in node.children]
        if spec.text_case:
            textcase.apply(node, spec.text_case, english(ctx), ctx.ref.language)
        if spec.name == "year" and ctx.implicit_suffix and ctx.year_suffix:
            ctx.implicit_suffix = False
            node = Node([node, Node([ctx.year_suffix], tag="year-suffix")])
        return Node([node], fmt=spec.fmt, prefix=spec.prefix, suffix=spec.suffix, tag=tag)

    def _single(self, date: tuple[int, int, int], season: Any, specs: list[PartSpec], delimiter: str,
                ctx: Any) -> Node | None:
        parts = [self._part(spec, date, season, ctx) for spec in specs]
        if not any(has_text(p) for p in parts):
            return None
        return join(parts, delimiter)

    def _range(self, value: DateValue, specs: list[PartSpec], delimiter: str, ctx: Any) -> Node | None:
        begin, end = value.begin, value.end or (0, 0, 0)
        names = [s.name for s in specs]
        if not end[0]:  # open range: "2000–"
            first = self._single(begin, value.season, specs, delimiter, ctx)
            spec = next((s for s in specs if s.name == "year"), None)
            return join([first, spec.range_delimiter if spec else "\u2013"]) if first else None
        begin_season, end_season = value.season, value.end_season
        differs = None
        for index, part in enumerate(_PARTS):
            if part not in names:
                continue
            a, b = begin[index], end[index]
            if part == "month" and not a and not b:
                a, b = begin_season, end_season
            if a != b:
                differs = part
                break
        if differs is None:
            return self._single(begin, value.season, specs, delimiter, ctx)
        range_delimiter = next(s.range_delimiter for s in specs if s.name == differs)
        if differs == "year":
            first = self._single(begin, begin_season, specs, delimiter, ctx)
            second = self._single(end, end_season, specs, delimiter, ctx)
            return join([first, range_delimiter, second]) if first else second
        varying = {"month": ("month", "day"), "day": ("day",)}[differs]
        positions = [i for i, n in enumerate(names) if n in varying]
        if not positions or positions != list(range(positions[0], positions[-1] + 1)):
            first = self._single(begin, begin_season, specs, delimiter, ctx)
            second = self._single(end, end_season, specs, delimiter, ctx)
            return join([first, range_delimiter, second])
        start, stop = positions[0], positions[-1]
        out: list[Any] = []
        for index, spec in enumerate(specs):
            if index < start or index > stop:
                out.append(self._part(spec, begin, begin_season, ctx))
            elif index == start:
                block_a = [p for p in (self._part(s, begin, begin_season, ctx)
                                       for i, s in enumerate(specs) if start <= i <= stop) if p is not None]
                block_b = [p for p in (self._part(s, end, end_season, ctx)
                                       for i, s in enumerate(specs) if start <= i <= stop) if p is not None]
                # "May 3–June 5": no suffix before the range delimiter, no prefix after it
                if block_a:
                    block_a[-1].suffix = ""
                if block_b:
                    block_b[0].prefix = ""
                out.append(join([join(block_a, delimiter), range_delimiter, join(block_b, delimiter)]))
        return join(out, delimiter)


def sort_key(value: Any, parts: tuple[str, ...] = _PARTS) -> str:
    """A date as a string that sorts chronologically: YYYYMMDD with zeros for
    missing parts, years before one sorting before later ones, the end of a
    range after the start (CSL 1.0.2, "Sorting Variables")."""
    if not isinstance(value, DateValue) or value.is_empty():
        return ""
    if value.literal:
        return "~" + value.literal

    def one(date: tuple[int, int, int]) -> str:
        year, month, day = date
        month = month if "month" in parts else 0
        day = day if "day" in parts else 0
        return f"{year + 50000:06d}{month:02d}{day:02d}"

    key = one(value.begin)
    if value.end is not None:
        key += "-" + one(value.end)
    return key


__all__ = ["Date", "sort_key"]
