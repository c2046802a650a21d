"""citeproc-py's CSL elements, with what they get wrong put right.

citeproc-py builds a style as a tree of lxml elements whose classes render
(``citeproc.model``).  We parse styles with these subclasses instead of
patching the library (:mod:`book.resolve.cite.engine`); each override says what it
fixes.  Names are in :mod:`book.resolve.cite.names`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any

from citeproc import LOCALES_PATH, PRIMARY_DIALECTS, model
from citeproc.source import VariableError
from citeproc.string import MixedString, String
from lxml import etree

from book.resolve.cite.markup import Q_CLOSE, Q_OPEN, SentinelFormatter, plain
from book.resolve.cite.markup import Text as TextString
from book.resolve.cite.state import count as _count
from book.resolve.cite.state import state_of as _state

MEMO = "{urn:x-bookbuilder:cite}"
"""Namespace of the attributes we cache static facts of the style tree in
(lxml element proxies come and go; the tree's attributes stay)."""


# --- shared behaviour --------------------------------------------------------

class CachedElement:
    """Memoised tree facts: whether an element calls a variable (citeproc-py
    recomputes it recursively through every macro on every render, which
    made 800 Chicago citations take 20 s), and macro lookup."""

    def calls_variable(self) -> bool:
        cached = self.get(MEMO + "cv")
        if cached is None:
            cached = "1" if super().calls_variable() else "0"  # type: ignore[misc]
            self.set(MEMO + "cv", cached)
        return cached == "1"

    def get_formatter(self) -> Any:
        return SentinelFormatter

    def preformat(self, text: Any) -> str:
        return str(text)

    def get_macro(self, name: str) -> Any:
        root = self.get_root()
        macros = root.__dict__.setdefault("_macros", {})
        if name not in macros:
            macros[name] = super().get_macro(name)  # type: ignore[misc]
        return macros[name]

    def section(self) -> Any:
        """The enclosing cs:citation or cs:bibliography (or None)."""
        kind = self.get(MEMO + "sec")
        root = self.get_root()
        if kind is None:
            found = self.xpath_search("./ancestor-or-self::*[self::cs:citation or self::cs:bibliography][1]")
            kind = etree.QName(found[0]).localname if found else ""
            self.set(MEMO + "sec", kind)
        return root.__dict__.get("_sections", {}).get(kind)

    def get_layout(self) -> Any:
        section = self.section()
        if section is not None:
            return section.__dict__["_layout"]
        return super().get_layout()  # type: ignore[misc]


class _Cased:
    """citeproc-py's text-case methods fail on plain ``str`` pieces (from
    affixes, delimiters, joined names) inside its strings; give them
    citeproc strings first."""

    def case(self, text: Any, language: Any = None) -> Any:
        if language is None:
            # citeproc-py passed no language for labels, numbers, dates and
            # name parts, and title case only applies to English: "(ed.)"
            # stayed lower case where APA wants "(Ed.)"
            language = _language_of(self)
        return super().case(_casable(text), language)  # type: ignore[misc]


def _language_of(element: Any) -> str:
    root = element.get_root()
    style = root.__dict__.get("style", root)
    return style.__dict__.get("_language", "en")


def _casable(text: Any) -> Any:
    if text is None or isinstance(text, String):
        return text
    if isinstance(text, MixedString):
        return MixedString([s if isinstance(s, String) else TextString(s) for s in text])
    return TextString(text)


# --- elements ------------------------------------------------------------------

class Style(CachedElement, model.Style):
    def set_locale_list(self, output_locale: str, validate: bool = False) -> None:
        """citeproc-py parses locale files with its own element classes, so
        their dates bypassed our fixes; parse them with ours."""
        self.locales = []
        added: set[str] = set()

        def in_style(lang: str | None) -> None:
            expr = f'./cs:locale[@xml:lang="{lang}"]' if lang else "./cs:locale[not(@xml:lang)]"
            self.locales.extend(self.xpath_search(expr)[:1])

        def system(lang: str) -> None:
            path = os.path.join(LOCALES_PATH, f"locales-{lang}.xml")
            if lang not in added and os.path.exists(path):
                # The style's own parser: it makes the elements of these classes.
                self.locales.append(etree.parse(path, self.getroottree().parser).getroot())
                added.add(lang)

        language = output_locale.split("-")[0]
        in_style(output_locale)
        in_style(language)
        in_style(None)
        system(output_locale)
        if language in PRIMARY_DIALECTS:
            system(PRIMARY_DIALECTS[language])
        system("en-US")
        for locale in self.locales:
            locale.style = self


class Locale(CachedElement, model.Locale):
    """Term and date lookups memoised: citeproc-py ran an XPath query for
    every term on every render."""

    _MISSING = object()

    def get_term(self, name: str, form: Any = None, zero_padded: bool = False) -> Any:
        cache = self.__dict__.setdefault("_terms", {})
        key = (name, form, zero_padded)
        if key not in cache:
            try:
                cache[key] = super().get_term(name, form, zero_padded)
            except IndexError:
                cache[key] = self._MISSING
        if cache[key] is self._MISSING:
            raise IndexError(name)
        return cache[key]

    def get_date(self, form: str) -> Any:
        cache = self.__dict__.setdefault("_dates", {})
        if form not in cache:
            try:
                cache[form] = super().get_date(form)
            except IndexError:
                cache[form] = self._MISSING
        if cache[form] is self._MISSING:
            raise IndexError(form)
        return cache[form]


class Citation(CachedElement, model.Citation):
    pass


class Bibliography(CachedElement, model.Bibliography):
    pass


class Layout(CachedElement, model.Layout):
    pass


class Macro(CachedElement, model.Macro):
    pass


class Group(CachedElement, model.Group):
    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        """CSL: a group is left out when it tries variables and all of them
        are empty.  citeproc-py judged a cs:choose child as a whole, so a
        label next to an empty variable ("Edition") kept the group alive."""
        state = _state(item)
        if state is None:
            return super().process(item, context=context, **kwargs)
        outer = (state.called, state.rendered)
        state.called = state.rendered = 0
        output = []
        delimiter = self.get("delimiter", "")
        try:
            for child in self.iterchildren():
                try:
                    if isinstance(child, model.Choose):
                        text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                    else:
                        text = child.render(item, context=context, **kwargs)
                except VariableError:
                    text = None
                if text is not None:
                    output.append(text)
        finally:
            called, rendered = state.called, state.rendered
            state.called, state.rendered = outer[0] + called, outer[1] + rendered
        if output and (called == 0 or rendered > 0):
            return self.join(output)
        raise VariableError


class Choose(CachedElement, model.Choose):
    pass


class Else(CachedElement, model.Else):
    pass


class Text(_Cased, CachedElement, model.Text):
    def quote(self, string: Any) -> Any:
        """Quotes as marks, so the final step can nest them and move
        punctuation inside them (citeproc-py ignored punctuation-in-quote)."""
        if self.get("quotes", "false").lower() == "true":
            return Q_OPEN + string + Q_CLOSE
        return string

    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        """citeproc-py's, minus an exception per call for items without a
        language, and with the locale's language rather than the style's
        default-locale; substituted variables stay repressed."""
        if context is None:
            context = self
        attrib = self.attrib
        language = getattr(item, "language", "en")
        variable = attrib.get("variable")
        if variable is not None:
            state = _state(item)
            counted = variable not in self.generated_variables
            if state is not None and variable in state.repressed:
                text = None
            else:
                try:
                    text = self._variable(item, context)
                except VariableError:
                    if counted:
                        _count(item, None)
                    raise
            if counted:
                _count(item, text)
            if text and state is not None and state.recording is not None:
                state.recording.append(variable)
        elif "macro" in attrib:
            text = self.get_macro(attrib["macro"]).render(item, context)
        elif "term" in attrib:
            text = self._term(item)
        elif "value" in attrib:
            text = TextString(attrib["value"])
        else:
            text = None
        return text, language

    def _variable(self, item: Any, context: Any) -> Any:
        variable = self.get("variable")
        reference = item.reference
        if self.get("form") == "short" and (variable + "-short").replace("-", "_") in reference:
            variable += "-short"
        if variable.startswith("page"):
            return self._process(reference.page, variable)
        if variable == "citation-number":
            return item.number
        if variable == "locator":
            return str(item.locator.identifier).replace("-", "\u2013")
        return reference[variable.replace("-", "_")]


class Label(_Cased, CachedElement, model.Label):
    def _is_plural(self, item: Any) -> bool:
        variable = self.get("variable")
        if variable and variable.startswith("number-of"):
            # citeproc-py looked this up on the cite, not the reference
            try:
                return int(str(item.reference[variable.replace("-", "_")])) > 1
            except (VariableError, ValueError):
                return False
        return super()._is_plural(item)


class Number(_Cased, CachedElement, model.Number):
    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        variable = self.get("variable")
        try:
            if variable not in ("locator", "page-first"):
                # citeproc-py looked up 'number-of-pages', not 'number_of_pages'
                value = item.reference[variable.replace("-", "_")]
                text = self._process(value, variable)
            else:
                text = super().process(item, context, **kwargs)
        except VariableError:
            _count(item, None)
            raise
        _count(item, text)
        return text


class Date(CachedElement, model.Date):
    def is_locale_date(self) -> bool:
        cached = self.get(MEMO + "loc")
        if cached is None:
            cached = "1" if super().is_locale_date() else "0"
            self.set(MEMO + "loc", cached)
        return cached == "1"

    def process(self, item: Any, variable: Any = None, show_parts: Any = None, context: Any = None,
                **kwargs: Any) -> Any:
        if variable is not None or not hasattr(item, "reference"):
            return super().process(item, variable, show_parts, context, **kwargs)
        try:
            text = super().process(item, variable, show_parts, context, **kwargs)
        except VariableError:
            _count(item, None)
            raise
        _count(item, text)
        return text

    def render_date_range(self, date_range: Any, show_parts: Any = None, context: Any = None) -> Any:
        """citeproc-py crashed on a range of years rendered without a year
        part; render both ends in full instead."""
        try:
            return super().render_date_range(date_range, list(show_parts or []), context)
        except (ValueError, AttributeError, VariableError):
            begin = self.render_single_date(date_range.begin, list(show_parts or []), context)
            end = self.render_single_date(date_range.end, list(show_parts or []), context)
            if not begin:
                return None
            return begin + "\u2013" + (end or "")


class Date_Part(_Cased, CachedElement, model.Date_Part):  # noqa: N801 (citeproc-py's naming)
    def process(self, date: Any, context: Any = None) -> Any:
        if self.get("name") == "month" and "month" not in date and "season" in date:
            # a season under a numeric month form: citeproc-py asserted
            return (context if context is not None else self).get_single_term(f"season-{int(date['season']):02}")
        return super().process(date, context)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """citeproc-py merges the style's date-part attributes into the
        locale's element for good, so a date's rendering depended on which
        dates were rendered before it; restore them after each use."""
        saved = dict(self.attrib)
        try:
            return super().render(*args, **kwargs)
        finally:
            if dict(self.attrib) != saved:
                self.attrib.clear()
                self.attrib.update(saved)


class Name_Part(_Cased, CachedElement, model.Name_Part):  # noqa: N801
    def format_part(self, given: Any, family: Any) -> tuple[Any, Any]:
        """Only a part that is there (citeproc-py cased a missing given name)."""
        if self.get("name") == "given" and not given:
            return given, family
        if self.get("name") == "family" and not family:
            return given, family
        return super().format_part(given, family)


class If(CachedElement, model.If):
    _NUMERIC = re.compile(r"^\s*[A-Za-z]*\d+[A-Za-z]*(?:\s*(?:[-\u2013,&]|and)\s*[A-Za-z]*\d+[A-Za-z]*)*\s*$")

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        match = self.get("match", "all")
        tests = self._tests(item, context)
        result = any(tests) if match == "any" else (not any(tests) if match == "none" else all(tests))
        if not result:
            raise model.ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    def _tests(self, item: Any, context: Any) -> Any:
        """The condition's tests, lazily (``match`` stops at the first that
        decides)."""
        attrib = self.attrib
        if "disambiguate" in attrib:
            # citeproc-py ignored it, so the branch was always taken
            state = _state(item)
            yield bool(state and state.disambiguate) == (attrib["disambiguate"] == "true")
        if "type" in attrib:
            kind = item.reference["type"]
            for name in attrib["type"].split():
                yield name == kind
        if "variable" in attrib:
            reference = item.reference
            for name in attrib["variable"].split():
                yield ("locator" in item) if name == "locator" else (name.replace("-", "_") in reference)
        if "is-numeric" in attrib:
            yield from self._is_numeric(item)
        if "is-uncertain-date" in attrib:
            yield from self._is_uncertain_date(item)
        if "locator" in attrib:
            yield from self._locator(item)
        if "position" in attrib:
            yield from self._position(item, context)

    def _is_numeric(self, item: Any) -> list[bool]:
        """CSL's numeric test (``2nd``, ``3–5, 9``, ``L2d``), also for the
        locator, which citeproc-py looked for in the reference."""
        results = []
        for variable in self.get("is-numeric").split():
            if variable == "locator":
                value = item.locator.identifier if item.has_locator else None
            else:
                try:
                    value = item.reference[variable.replace("-", "_")]
                except VariableError:
                    value = None
            results.append(value is not None and bool(self._NUMERIC.match(plain(value))))
        return results

    def _locator(self, item: Any) -> list[bool]:
        label = item.locator.label if item.has_locator else None
        return [label is not None and label.replace(" ", "-") == name.replace(" ", "-")
                for name in self.get("locator").split()]

    def _position(self, item: Any, context: Any) -> list[bool]:
        state = _state(item)
        names = self.get("position").split()
        if state is None or state.in_bibliography:
            return [False] * len(names)
        state.position_tested = True
        position = state.position
        table = {
            "first": position == "first",
            "subsequent": position != "first",
            "ibid": position in ("ibid", "ibid-with-locator"),
            "ibid-with-locator": position == "ibid-with-locator",
            "near-note": position != "first" and state.near_note,
        }
        return [table.get(name, False) for name in names]


class Else_If(If):  # noqa: N801
    pass


class Key(CachedElement, model.Key):
    def sort_keys(self, items: Any, context: Any) -> list[Any]:
        """Sort keys without formatting marks, accents folded (citeproc-py
        sorted "Émile" after "Zola"), case ignored."""
        return [None if key is None else _sort_text(key) for key in super().sort_keys(items, context)]


def _sort_text(value: Any) -> str:
    text = plain(value)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.strip(" \"'“”‘’«»[(").casefold()
