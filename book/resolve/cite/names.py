"""``cs:names``, ``cs:name``, ``cs:et-al``, ``cs:substitute`` and the label of a name list.

One name list per variable, joined by the names delimiter; "editor" and
"translator" holding the same people print once, with the
"editortranslator" term.  Within a list (CSL 1.0.2, "Name"): et-al
abbreviation (``et-al-min``/``-use-first``, their ``subsequent`` variants,
``et-al-use-last``), the "and" term or symbol, when the delimiter precedes
the last name or "et al.", ``name-as-sort-order``, initials
(``initialize-with``, ``initialize``, hyphenated given names), particles by
``demote-non-dropping-particle``, suffixes, names in scripts that put the
family name first (no space, never inverted), name-part formatting and
affixes, and the names disambiguation adds (:class:`book.resolve.cite.state.Expansion`).
A ``cs:substitute`` stands in for empty names, and what it rendered is not
rendered again in the same cite or entry.
"""

from __future__ import annotations

from typing import Any

from book.resolve.cite import markup, textcase
from book.resolve.cite.initials import as_int, initials, spaced
from book.resolve.cite.elements import FORMATTING, Element, build_children, english, flatten, local, register
from book.resolve.cite.output import Delimiter, Node, has_text, join
from book.resolve.cite.references import Name

_DEFAULTS = {
    "and": None, "delimiter": ", ", "delimiter-precedes-et-al": "contextual",
    "delimiter-precedes-last": "contextual", "et-al-min": None, "et-al-use-first": None,
    "et-al-subsequent-min": None, "et-al-subsequent-use-first": None, "et-al-use-last": "false",
    "form": "long", "initialize": "true", "initialize-with": None, "name-as-sort-order": None,
    "sort-separator": ", ",
}
_INHERITED_AS = {"form": "name-form", "delimiter": "name-delimiter"}


class NamePart:
    def __init__(self, el: Any) -> None:
        attrib = el.attrib
        self.name = attrib.get("name", "")
        self.prefix = attrib.get("prefix", "")
        self.suffix = attrib.get("suffix", "")
        self.fmt = tuple((k, attrib[k]) for k in FORMATTING if k in attrib)
        self.text_case = attrib.get("text-case", "")


class EtAl:
    def __init__(self, el: Any) -> None:
        attrib = el.attrib
        self.term = attrib.get("term", "et-al")
        self.prefix = attrib.get("prefix", "")
        self.suffix = attrib.get("suffix", "")
        self.fmt = tuple((k, attrib[k]) for k in FORMATTING if k in attrib)


class NameLabel(Element):
    """cs:label inside cs:names (its variable is the name variable)."""

    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        self.form = el.get("form", "long")
        self.plural = el.get("plural", "contextual")

    def render_for(self, ctx: Any, term: str, count: int) -> Node | None:
        plural = self.plural == "always" or (self.plural == "contextual" and count > 1)
        text = ctx.engine.locales.term(term, self.form, plural)
        return self.finish(text, ctx) if text else None


class NameEl(Element):
    """cs:name: how the names of one list are written."""

    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        self.attrib = dict(el.attrib)
        self.parts = {p.get("name"): NamePart(p) for p in el if local(p) == "name-part"}

    def option(self, ctx: Any, name: str) -> Any:
        if name in self.attrib:
            return self.attrib[name]
        inherited = _INHERITED_AS.get(name, name)
        for source in ctx.engine.inherited(ctx):
            if inherited in source:
                return source[inherited]
        return _DEFAULTS.get(name)

    # -- a list ------------------------------------------------------------------------

    def render_list(self, ctx: Any, variable: str, names: list[Name], et_al: EtAl | None) -> tuple[Any, int]:
        """The rendered list and the number of names shown."""
        option = lambda n: self.option(ctx, n)  # noqa: E731
        form = option("form")
        et_al_min = as_int(option("et-al-min"))
        use_first = as_int(option("et-al-use-first"))
        use_last = option("et-al-use-last") == "true"
        sub_min, sub_first = as_int(option("et-al-subsequent-min")), as_int(option("et-al-subsequent-use-first"))
        if (sub_min is not None or sub_first is not None) and ctx.mode == "citation":
            ctx.tested_position = True  # the rendering depends on the position
        if ctx.mode != "bibliography" and ctx.cite.position != "first":
            if sub_min is not None:
                et_al_min = sub_min
            if sub_first is not None:
                use_first = sub_first
        if ctx.sort_names is not None:
            if ctx.sort_names.get("names-min") is not None:
                et_al_min = as_int(ctx.sort_names["names-min"])
            if ctx.sort_names.get("names-use-first") is not None:
                use_first = as_int(ctx.sort_names["names-use-first"])
            if ctx.sort_names.get("names-use-last") is not None:
                use_last = ctx.sort_names["names-use-last"] == "true"
        count = len(names)
        shown = count
        truncated = False
        if et_al_min is not None and use_first is not None and count >= et_al_min:
            shown = min(use_first, count)
            truncated = shown < count
        if ctx.expansion.add_names and ctx.mode == "citation" and truncated:
            shown = min(count, shown + ctx.expansion.add_names)
            truncated = shown < count
        if form == "count":
            return shown, shown
        if shown == 0:
            return None, 0
        delimiter = option("delimiter")
        sort_order = option("name-as-sort-order")
        rendered = []
        for index, name in enumerate(names[:shown]):
            inverted = sort_order == "all" or (sort_order == "first" and index == 0) or ctx.mode == "sort"
            rendered.append(self.render_name(ctx, name, variable, index, inverted, form))
        personal = [not (n.is_literal or not n.family) for n in names]
        last_inverted = (sort_order == "all" or (sort_order == "first" and shown == 1)) and personal[shown - 1]
        if truncated:
            if use_last and shown + 2 <= count:
                last = self.render_name(ctx, names[-1], variable, count - 1, sort_order == "all", form)
                return join([join(rendered, delimiter), Delimiter(delimiter + "\u2026 "), last]), shown
            if ctx.mode == "sort":
                return join(rendered, delimiter), shown
            term = et_al.term if et_al is not None else "et-al"
            text = ctx.engine.locales.term(term)
            if not text:
                return join(rendered, delimiter), shown
            term_node = Node([text], fmt=et_al.fmt if et_al else (), prefix=et_al.prefix if et_al else "",
                             suffix=et_al.suffix if et_al else "")
            rule = option("delimiter-precedes-et-al")
            use = (rule == "always" or (rule == "contextual" and shown >= 2)
                   or (rule == "after-inverted-name" and last_inverted))
            return join([join(rendered, delimiter), Delimiter(delimiter if use else " "), term_node]), shown
        and_ = option("and")
        if len(rendered) == 1 or and_ is None or ctx.mode == "sort":
            return join(rendered, delimiter), shown
        and_term = ctx.engine.locales.term("and") if and_ == "text" else "&"
        if and_ == "symbol":
            and_term = ctx.engine.locales.term("and", "symbol") or "&"
        rule = option("delimiter-precedes-last")
        inverted_before_last = (sort_order == "all" or (sort_order == "first" and len(rendered) == 2)) \
            and personal[len(rendered) - 2]
        use = (rule == "always" or (rule == "contextual" and len(rendered) > 2)
               or (rule == "after-inverted-name" and inverted_before_last))
        head = join(rendered[:-1], delimiter)
        return join([head, Delimiter((delimiter if use else " ") + (and_term or "") + " "), rendered[-1]]), shown

    # -- one name ----------------------------------------------------------------------

    def render_name(self, ctx: Any, name: Name, variable: str, index: int, inverted: bool, form: str) -> Node:
        option = lambda n: self.option(ctx, n)  # noqa: E731
        if name.is_literal or not name.family:
            # an organisation, or a person known by one name ("Banksy"): as it is, with the
            # family name-part's formatting
            text = name.literal or " ".join(p for p in (name.given, name.suffix) if p)
            node = Node([markup.parse(text)])
            family_part = self.parts.get("family")
            if family_part is not None:
                if family_part.text_case:
                    textcase.apply(node, family_part.text_case, english(ctx), ctx.ref.language)
                if family_part.fmt:
                    node = Node([node], fmt=family_part.fmt)
            return Node([node], tag="name", data=name.key())
        initialize_with = option("initialize-with")
        initialize = option("initialize") != "false"
        level = 0
        if ctx.mode == "citation":
            level = ctx.expansion.given.get((variable, index), 0)
        for _ in range(level):
            if form == "short":
                form = "long"
            elif initialize_with is not None and initialize:
                initialize = False
        demote = ctx.engine.demote_particles
        given = name.given
        if given and initialize_with is not None and form != "short" and not name.is_cjk:
            given = initials(given, initialize_with, initialize, ctx.engine.initialize_hyphen)
        if name.is_cjk:
            # family name first, no space, never inverted ("毛泽东")
            family = name.family
            pieces = [("family", family)] if form == "short" or not given else [("family", family), ("given", given)]
            return self._assemble(ctx, pieces, name, inverted=False)
        non_dropping, family, dropping, suffix = name.non_dropping, name.family, name.dropping, name.suffix
        if form == "short":
            pieces = spaced([("non-dropping", non_dropping), ("family", family)])
            return self._assemble(ctx, pieces, name, inverted=False)
        if not inverted:
            pieces = spaced([("given", given), ("dropping", dropping), ("non-dropping", non_dropping),
                              ("family", family)])
            if suffix:
                pieces.append(("sep", ", " if name.comma_suffix else " "))
                pieces.append(("suffix", suffix))
            return self._assemble(ctx, pieces, name, inverted=False)
        separator = option("sort-separator")
        if demote in ("never", "sort-only") or ctx.mode == "sort" and demote == "never":
            head = spaced([("non-dropping", non_dropping), ("family", family)])
            tail = spaced([("given", given), ("dropping", dropping)])
        else:
            head = spaced([("family", family)])
            tail = spaced([("given", given), ("dropping", dropping), ("non-dropping", non_dropping)])
        pieces = list(head)
        if tail:
            pieces.append(("sep", separator))
            pieces.extend(tail)
        if suffix:
            pieces.append(("sep", separator))
            pieces.append(("suffix", suffix))
        return self._assemble(ctx, pieces, name, inverted=True)

    def _assemble(self, ctx: Any, pieces: list[tuple[str, str]], name: Name, inverted: bool) -> Node:
        """Name pieces with name-part formatting (per piece) and affixes (around
        the given and family groups)."""
        given_part, family_part = self.parts.get("given"), self.parts.get("family")
        nodes: list[Any] = []
        kinds: list[str] = []
        for kind, text in pieces:
            if kind == "sep":
                nodes.append(Delimiter(text))
                kinds.append("sep")
                continue
            node = Node([markup.parse(text)])
            part = given_part if kind in ("given", "dropping") else family_part if kind in ("family", "non-dropping") else None
            if part is not None:
                if part.text_case:
                    textcase.apply(node, part.text_case, english(ctx), ctx.ref.language)
                if part.fmt:
                    node = Node([node], fmt=part.fmt)
            nodes.append(node)
            kinds.append(kind)
        # affixes: the given group and the family group
        if inverted:
            family_group = {"family", "non-dropping"} if ctx.engine.demote_particles in ("never", "sort-only") else {"family"}
            given_group = {"given", "dropping", "non-dropping"} - family_group
        else:
            family_group = {"family", "non-dropping", "dropping", "suffix"}
            given_group = {"given"}
        for part, group in ((family_part, family_group), (given_part, given_group)):
            if part is None or not (part.prefix or part.suffix):
                continue
            members = [i for i, k in enumerate(kinds) if k in group]
            if not members:
                continue
            start, stop = members[0], members[-1]
            wrapped = Node(nodes[start:stop + 1], prefix=part.prefix, suffix=part.suffix)
            nodes[start:stop + 1] = [wrapped]
            kinds[start:stop + 1] = ["group"]
        return Node(nodes, tag="name", data=name.key())


@register("names")
class Names(Element):
    def __init__(self, el: Any, style: Any) -> None:
        super().__init__(el, style)
        self.variables = el.get("variable", "").split()
        self.name: NameEl | None = None
        self.et_al: EtAl | None = None
        self.label: NameLabel | None = None
        self.label_first = False
        self.substitute: list[Element] | None = None
        for child in el:
            tag = local(child)
            if tag == "name":
                self.name = NameEl(child, style)
            elif tag == "et-al":
                self.et_al = EtAl(child)
            elif tag == "label":
                self.label = NameLabel(child, style)
                self.label_first = self.name is None
            elif tag == "substitute":
                self.substitute = build_children(child, style)
        self.bare = self.name is None and self.et_al is None and self.label is None
        self.default_name = NameEl(el.makeelement("{http://purl.org/net/xbiblio/csl}name"), style)

    def render(self, ctx: Any) -> Node | None:
        first = ctx.in_substitute == 0 and ctx.names_seen == 0 and ctx.mode != "sort"
        if ctx.in_substitute == 0:
            ctx.names_seen += 1
        name_el, et_al, label, label_first = self.name, self.et_al, self.label, self.label_first
        if self.bare and ctx.names_options is not None and ctx.in_substitute:
            name_el, et_al, label, label_first = ctx.names_options
        name_el = name_el or self.default_name
        present = []
        for variable in self.variables:
            value = ctx.variable(variable)
            if value:
                present.append((variable, value))
        if ctx.mode == "sort" and label is not None:
            label = None
        outputs = []
        if present:
            roles = [v for v, _ in present]
            merged = False
            if "editor" in roles and "translator" in roles:
                editors = dict(present)["editor"]
                same = [n.key() for n in editors] == [n.key() for n in dict(present)["translator"]]
                if same and (label is None or ctx.engine.locales.term("editortranslator", label.form)):
                    present = [(v, n) for v, n in present if v != "translator"]
                    merged = True
            total = 0
            for variable, names in present:
                text, shown = name_el.render_list(ctx, variable, names, et_al)
                if name_el.option(ctx, "form") == "count":
                    total += shown
                    continue
                if text is None:
                    continue
                text = name_el.finish(text, ctx)
                if text is not None:
                    text = Node([text], tag="namelist", data=tuple(n.key() for n in names))
                if label is not None:
                    term = "editortranslator" if merged and variable == "editor" else variable
                    shown_label = label.render_for(ctx, term, len(names))
                    text = join([shown_label, text] if label_first else [text, shown_label])
                outputs.append(Node([text], tag="names-var", data=(variable, tuple(n.key() for n in names))))
            if name_el.option(ctx, "form") == "count":
                ctx.count(total > 0)
                if total <= 0:
                    return None
                node = self.finish(str(total), ctx)
                return node
            delimiter = self.delimiter
            if delimiter is None:
                for source in ctx.engine.inherited(ctx):
                    if "names-delimiter" in source:
                        delimiter = source["names-delimiter"]
                        break
            output = join(outputs, delimiter or "")
            ctx.count(output is not None)
            if output is None:
                return None
            if ctx.in_substitute:
                # names that stand in for others are not rendered again, even later in the same substitute
                ctx.suppressed.update(v for v, _ in present)
            if first and ctx.suppress_author:
                ctx.suppress_author = False
                return None
            return self.finish(output, ctx, tag="names" if ctx.in_substitute == 0 else "")
        if self.substitute:
            saved = ctx.names_options
            ctx.names_options = (self.name, self.et_al, self.label, self.label_first)
            ctx.in_substitute += 1
            try:
                for child in self.substitute:
                    recording, ctx.recording = ctx.recording, []
                    outer = (ctx.called, ctx.rendered)
                    try:
                        output = child.render(ctx)
                        if isinstance(output, list):
                            output = join(flatten(output))
                    finally:
                        used = ctx.recording
                        ctx.recording = recording
                        ctx.called, ctx.rendered = outer
                    if has_text(output):
                        ctx.suppressed.update(used)
                        if recording is not None:
                            recording.extend(used)
                        ctx.count(True)
                        if first and ctx.suppress_author:
                            ctx.suppress_author = False
                            return None
                        node = self.finish(output, ctx)
                        if node is not None and ctx.in_substitute == 1:
                            node = Node([node], tag="names")
                        return node
            finally:
                ctx.in_substitute -= 1
                ctx.names_options = saved
        ctx.count(False)
        return None


__all__ = ["EtAl", "NameEl", "Names", "initials"]
