"""Names: cs:names, cs:name and cs:substitute, rewritten.

citeproc-py's versions ignore ``initialize="false"`` (Chicago printed
"Pollan, M."), insert a default cs:name into the shared style while
rendering, miss hyphenated roles (``collection-editor``), never suppress a
substituted variable, and know nothing of suppress-author or of the
disambiguation that adds names and given names.
"""

from __future__ import annotations

from typing import Any

from citeproc import model
from citeproc.source import VariableError
from lxml import etree

from book.resolve.cite.elements import MEMO, CachedElement
from book.resolve.cite.markup import Text as TextString
from book.resolve.cite.state import count as _count
from book.resolve.cite.state import state_of as _state


class Substitute(CachedElement, model.Substitute):
    def render(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        """The first child that renders anything stands in for the names,
        and the variables it used are not rendered again in the entry
        (citeproc-py only handled direct ``cs:names``/``cs:text`` children,
        not those inside ``cs:choose``, and never suppressed names)."""
        state = _state(item)
        for child in self.iterchildren():
            outer = state.recording if state is not None else None
            if state is not None:
                state.recording = []
            try:
                text = child.render(item, context=context, **kwargs)
            except (VariableError, model.ConditionFailed):
                text = None
            finally:
                used = state.recording if state is not None else []
                if state is not None:
                    state.recording = outer
            if text:
                if state is not None:
                    state.repressed.update(used or [])
                    if outer is not None:
                        outer.extend(used or [])
                return text
        return None


class Names(CachedElement, model.Names):
    def render(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        """suppress-author and author-only, which citeproc-py lacks: the
        first names a cite renders (or their substitute) are dropped or
        recorded."""
        text = super().render(item, *args, **kwargs)
        state = _state(item)
        if state is None or not text or kwargs.get("sort_options") is not None:
            return text
        if self.in_substitute():
            return text
        if state.capture and state.captured is None:
            state.captured = text
        if state.suppress_author:
            state.suppress_author = False
            return None
        return text

    def in_substitute(self) -> bool:
        cached = self.get(MEMO + "sub")
        if cached is None:
            cached = "1" if self.xpath_search("./ancestor::cs:substitute") else "0"
            self.set(MEMO + "sub", cached)
        return cached == "1"

    def substitute(self) -> Any:
        return self.find("cs:substitute", self.nsmap)

    def get_parent_delimiter(self, context: Any = None) -> Any:
        section = (context if context is not None else self).section()
        return section.get_option("names-delimiter") if section is not None else ""

    def _names_context(self) -> Any:
        """Whose cs:name and cs:label to use: our own, or, for a bare
        ``<names variable="editor"/>`` anywhere inside a substitute, those of
        the cs:names the substitute belongs to (citeproc-py inserted a
        default cs:name into the style instead, so "Greenberg, Joel, ed."
        came out as "J. Greenberg")."""
        if self.name is not None or self.find("cs:et-al", self.nsmap) is not None or not self.in_substitute():
            return self
        element = self.getparent()
        while element is not None and etree.QName(element).localname != "substitute":
            element = element.getparent()
        parent = element.getparent() if element is not None else None
        return parent if parent is not None else self

    def process(self, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any) -> Any:
        context = context if context is not None else self
        names_context = names_context if names_context is not None else self._names_context()
        state = _state(item)
        repressed = state.repressed if state is not None else set()
        roles = [r for r in self.get("variable", "").split() if r not in repressed]
        reference = item.reference
        present = [r for r in roles if reference.get(r.replace("-", "_"))]
        editor_translator = False
        if {"editor", "translator"} <= set(present) and list(reference["editor"]) == list(reference["translator"]):
            if self.get_term("editortranslator") is not None:
                present.remove("translator")
                editor_translator = True
        output = []
        for role in present:
            # citeproc-py looked up 'collection-editor', never 'collection_editor'
            key = role.replace("-", "_")
            name_element = names_context.name
            text = name_element.render(item, key, context=context, **kwargs)
            label_element = names_context.label
            if label_element is not None and text is not None and not isinstance(text, int):
                term = "editortranslator" if editor_translator and role == "editor" else role
                label = label_element.render(item, term, len(reference[key]) > 1, **kwargs)
                if label is not None:
                    first = names_context.getchildren()[0] is label_element
                    text = label + text if first else text + label
            if text is not None:
                output.append(text)
        _count(item, output)
        if output:
            if state is not None and state.recording is not None:
                state.recording.extend(present)
            if all(isinstance(t, int) for t in output):
                total = sum(output)
                return str(total) if total > 0 else None
            return self.join(output, self.get_parent_delimiter(context))
        substitute = self.substitute()
        if substitute is not None:
            text = substitute.render(item, context=context, **kwargs)
            if text and state is not None:
                state.rendered += 1
            return text
        raise VariableError


class Name(CachedElement, model.Name):
    def get_option(self, name: str, context: Any = None, sort_options: Any = None) -> Any:
        if sort_options and name in sort_options:
            value = sort_options[name]
        else:
            value = self.get(name)
            if value is None:
                section = (context if context is not None else self).section()
                key = "name-" + name if name in ("form", "delimiter") else name
                if section is not None:
                    value = section.get_option(key)
                else:
                    value = self.get_root().get_option(key)
        if name in ("initialize-with-hyphen", "et-al-use-last"):
            return str(value).lower() == "true"
        if name.startswith("et-al"):
            return int(value)
        return value

    def _initialize_names(self, context: Any) -> bool:
        """CSL 1.0.1's ``initialize="false"``: keep given names, only add
        the mark after initials already there (citeproc-py ignored it, so
        Chicago wrote "Pollan, M.")."""
        for element in (self, (context if context is not None else self).section(), self.get_root()):
            if element is not None and element.get("initialize") is not None:
                return element.get("initialize") != "false"
        return True

    def process(self, item: Any, variable: str, context: Any = None, sort_options: Any = None, **kwargs: Any) -> Any:
        def option(name: str) -> Any:
            return self.get_option(name, context, sort_options)

        names = item.reference.get(variable, [])
        if not names:
            return None
        state = _state(item)
        tweak = state if state is not None and not state.in_bibliography and sort_options is None else None
        form = option("form")
        et_al_min = option("et-al-min")
        use_first = option("et-al-use-first")
        use_last = option("et-al-use-last")
        truncate = len(names) > 1 and et_al_min and len(names) >= et_al_min
        if tweak is not None and tweak.add_names:
            use_first += tweak.add_names
            truncate = truncate and use_first < len(names)
        if form == "count":
            return use_first if truncate else len(names)
        shown = list(names)
        last_too = False
        if truncate:
            last_too = use_last and use_first <= et_al_min - 2
            shown = names[:use_first]
        initialize_with = option("initialize-with")
        initialize = self._initialize_names(context)
        sort_order = option("name-as-sort-order")
        sort_separator = option("sort-separator")
        demote = option("demote-non-dropping-particle")
        output = []
        for index, name in enumerate(shown):
            level = 0
            if tweak is not None and (tweak.givenname_all or index == 0):
                level = tweak.givenname
            output.append(self._one(name, index, form, level, initialize_with, initialize,
                                    sort_order, sort_separator, demote, context))
        return self._join_names(output, option, truncate, last_too, names, shown, sort_order)

    def _one(self, name: Any, index: int, form: str, level: int, initialize_with: Any, initialize: bool,
             sort_order: Any, sort_separator: str, demote: str, context: Any) -> str:
        given, family, dropping, non_dropping, suffix = name.parts()
        if level and form == "short":
            form = "long"
            if level == 2 or initialize_with is None:
                initialize_with = None
        elif level == 2:
            initialize_with = None
        if given is not None and initialize_with is not None:
            if initialize or (level == 1 and self.get("form", "") == "short"):
                given = self.initialize(given, initialize_with, context)
            else:
                given = _mark_initials(given, initialize_with)
        if form == "short":
            family = " ".join(n for n in (non_dropping, family) if n)
            _, family = self._format_parts(given, family)
            return str(family)
        if sort_order == "all" or (sort_order == "first" and index == 0):
            if demote in ("never", "sort-only"):
                family = " ".join(n for n in (non_dropping, family) if n)
                given = " ".join(n for n in (given, dropping) if n)
            else:
                given = " ".join(n for n in (given, dropping, non_dropping) if n)
            given, family = self._format_parts(given, family)
            return sort_separator.join(str(n) for n in (family, given, suffix) if n)
        family = " ".join(n for n in (dropping, non_dropping, family) if n)
        given, family = self._format_parts(given, family)
        return " ".join(str(n) for n in (given, family, suffix) if n)

    def _format_parts(self, given: Any, family: Any) -> tuple[Any, Any]:
        parts = self.findall("cs:name-part", self.nsmap)
        if parts:
            # citeproc-py cased plain str here and crashed on text-case
            given = TextString(given) if given is not None else None
            family = TextString(family) if family is not None else None
        for part in parts:
            given, family = part.format_part(given, family)
        return given, family

    def _join_names(self, output: list[str], option: Any, truncate: bool, last_too: bool,
                    names: list[Any], shown: list[Any], sort_order: Any) -> Any:
        delimiter = option("delimiter")
        and_ = option("and")
        inverted_last = sort_order == "all" or (sort_order == "first" and len(output) == 2)
        if truncate:
            if last_too:
                return self.join(output, delimiter) + delimiter + "\u2026 " + self._last_name(names, option)
            rule = option("delimiter-precedes-et-al")
            use = (rule == "always" or (rule == "contextual" and len(output) >= 2)
                   or (rule == "after-inverted-name" and inverted_last))
            et_al = self.et_al()
            if not et_al:
                return self.join(output, delimiter)
            return self.join(output, delimiter) + (delimiter if use else " ") + et_al
        if len(output) == 1 or and_ is None:
            return self.join(output, delimiter)
        and_term = self.get_single_term(name="and") if and_ == "text" else "&"
        rule = option("delimiter-precedes-last")
        use = (rule == "always" or (rule == "contextual" and len(output) > 2)
               or (rule == "after-inverted-name" and inverted_last))
        head = self.join(output[:-1], delimiter)
        return head + (delimiter if use else " ") + f"{and_term} " + output[-1]

    def _last_name(self, names: list[Any], option: Any) -> str:
        given, family, dropping, non_dropping, suffix = names[-1].parts()
        return " ".join(n for n in (given, dropping, non_dropping, family, suffix) if n)


def _mark_initials(given: str, mark: str) -> str:
    """``James T Kirk`` with initialize-with ``. `` → ``James T. Kirk``."""
    words = str(given).split(" ")
    return " ".join(w + mark.strip() if len(w) == 1 and w.isalpha() and w.isupper() else w for w in words)
