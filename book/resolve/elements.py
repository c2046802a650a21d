"""Render rules for pandoc's and Quarto's elements: math, figures, tables, divs and callouts,
cross-references, task lists, attributes on spans, links and code.

Each rule reads the :class:`~.markdown.RenderContext` in ``env["ctx"]``: the
book's numbers for labels, its language for the words it writes
(:mod:`.words`), and where to report a problem. The HTML is the same for every
edition (math is MathML; the print edition draws it, :mod:`book.render.mathsvg`).
"""

from __future__ import annotations

import difflib
import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .code import highlight
from .syntax.crossrefs import label_kind
from .texmath import TexError, to_mathml
from .words import word

CALLOUTS = ("callout-note", "callout-tip", "callout-warning", "callout-caution", "callout-important")
"""Quarto's callout classes; a div with one is an ``aside``."""
_ROLES = {"callout-tip": "doc-tip"}
"""The ARIA role of a callout (DPUB-ARIA's tip for tips, ``note`` for the others)."""
_PLAIN_KEYS = {"span": ("lang", "dir"), "div": ("lang", "dir")}
"""Attributes a span or div keeps as they are; any other key becomes ``data-<key>``, as pandoc writes it."""
_INDEX_KEYS = ("term", "see", "see-also")
"""The index's own keys on a span (:mod:`.index_marks` reads them); never written out."""
IMAGE_SIZE = re.compile(r"\d+(\.\d+)?(%|px|cm|mm|in|pt|em)?")


def _attrs_html(token: Token, element: str, skip: tuple[str, ...] = ()) -> str:
    """id, class and the other attributes of a token's ``{…}`` as HTML attributes."""
    attrs = (token.meta or {}).get("attrs")
    if attrs is None:
        return ""
    out = ""
    if attrs.ident:
        out += f' id="{escape(attrs.ident)}"'
    classes = [c for c in attrs.classes if c not in skip]
    if classes:
        out += f' class="{escape(" ".join(classes))}"'
    for key, value in attrs.pairs:
        if key in _INDEX_KEYS or key in ("style",) or key.startswith("on"):
            continue
        name = key if key in _PLAIN_KEYS.get(element, ()) else f"data-{key}"
        if re.fullmatch(r"[A-Za-z][\w.-]*", name):
            out += f' {name}="{escape(value)}"'
    return out


def source_line(token: Token) -> str:
    """`` data-line="N"`` on a block resolve marked with the line it starts on (for ``check
    --print``, :func:`book.resolve.chapter._with_lines`); nothing otherwise."""
    line = token.attrGet("data-line")
    return f' data-line="{escape(str(line))}"' if line else ""


def _number(ctx, ident: str) -> str:
    label = ctx.labels.get(ident)
    return label.number if label is not None else ""


# ------------------------------------------------------------------ math


def math_html(ctx, token: Token) -> str:
    """A formula as MathML; a display formula in a ``span.equation`` with its number when labelled."""
    display = token.type == "math_display"
    try:
        mathml = to_mathml(token.content, display)
    except TexError as exc:
        source = token.meta.get("source") or token.content
        ctx.problem(token, f"cannot set the formula {_short(source)}: {exc.message}",
                    "correct the TeX; pandoc's and Quarto's Markdown take LaTeX math",
                    "bad-math", max(source.find(token.content), 0) + exc.offset)
        return f'<code class="math-error">{escape(token.content)}</code>'
    if not display:
        return mathml
    attrs = token.meta.get("attrs")
    ident = attrs.ident if attrs is not None else ""
    number = _number(ctx, ident) if ident else ""
    eqno = f'<span class="eqno">({escape(number)})</span>' if number else ""
    id_attr = f' id="{escape(ident)}"' if ident else ""
    return f'<span class="equation"{id_attr}>{eqno}{mathml}</span>'


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "…"


# ------------------------------------------------------------------ cross-references


def crossref_html(ctx, token: Token) -> str:
    """``Figure 3``, ``Table 2``, ``Equation (4)``, ``Section 2.1`` — linked — or the number alone
    for ``[-@fig-x]``."""
    if token.meta.get("mixed"):
        ctx.problem(token, f"{token.content} mixes cross-references and citations",
                    "cite works and refer to figures, tables, equations or sections in separate brackets",
                    "crossref", 0)
        return escape(token.content)
    parts = []
    for item in token.meta["refs"]:
        label = ctx.labels.get(item.key)
        kind = label_kind(item.key)
        if label is None or label.kind != kind:
            same = [k for k, v in ctx.labels.items() if v.kind == kind and label_kind(k) == kind]
            close = difflib.get_close_matches(item.key, same, n=3, cutoff=0.5)
            hint = ("did you mean " + ", ".join(f"@{k}" for k in close) + "?") if close else (
                f"label a {word('en', kind).lower()} with {{#{item.key}}}" if not same else
                "the labels of this kind are " + ", ".join(f"@{k}" for k in same[:5]))
            ctx.problem(token, f"unknown cross-reference @{item.key}", hint, "unknown-crossref", 0)
            parts.append(escape(f"@{item.key}"))
            continue
        number = label.number
        if kind == "eq":
            number = f"({number})"
        if kind == "sec" and not label.number:
            text = f"{word(ctx.words, 'sec')} “{label.text}”"
        elif item.suppress_author:
            text = number
        else:
            text = f"{word(ctx.words, kind)}\u00a0{number}"
        shown = escape(text)
        if ctx.linked(label.chapter):
            shown = f'<a class="crossref" href="#{escape(label.id)}">{shown}</a>'
        prefix = f"{escape(item.prefix)} " if item.prefix else ""
        parts.append(prefix + shown + escape(item.suffix))
    if len(parts) <= 1:
        return "".join(parts)
    return ctx.words.names(parts)  # "Figures 1, 2, and 3" as the language lists (CLDR)


# ------------------------------------------------------------------ figures and tables


def caption_label(ctx, kind: str, ident: str) -> str:
    """``<span class="caption-label">Figure 2.1</span>: `` for a numbered figure or table, else nothing."""
    number = _number(ctx, ident) if ident and label_kind(ident) == kind else ""
    if not number:
        return ""
    return (f'<span class="caption-label">{escape(word(ctx.words, kind))}\u00a0{escape(number)}</span>'
            f'<span class="caption-sep">{escape(word(ctx.words, "caption-separator"))}</span>')


def image_style(token: Token) -> str:
    """``width`` and ``height`` from an image's attributes, as a style (the EPUB's XHTML takes no
    percentage in ``width=``)."""
    attrs = (token.meta or {}).get("attrs")
    if attrs is None:
        return ""
    rules = [f"{key}:{value}" for key in ("width", "height")
             if (value := attrs.get(key)) and IMAGE_SIZE.fullmatch(value)]
    rules = [r if not r[-1].isdigit() else r + "px" for r in rules]
    return f' style="{";".join(rules)}"' if rules else ""


def figure_html(md: MarkdownIt, ctx, image: Token, env: dict, line: str = "") -> str:
    """A lone image as a ``figure``: numbered when labelled ``#fig-…``, with its caption; ``line``
    is its paragraph's :func:`source_line`."""
    src, alt, title_caption = ctx.image(image)
    attrs = (image.meta or {}).get("attrs")
    ident = attrs.ident if attrs is not None else ""
    if attrs is not None and attrs.get("fig-alt"):
        alt = attrs.get("fig-alt")
    if image.attrGet("title"):
        caption = title_caption
    else:
        caption = md.renderer.renderInline(image.children or [], md.options, env).strip()
    label = caption_label(ctx, "fig", ident)
    cap = f"<figcaption>{label}{caption}</figcaption>" if caption or label else ""
    classes = [c for c in (attrs.classes if attrs is not None else ())]
    align = attrs.get("fig-align") if attrs is not None else ""
    if align in ("left", "right", "center"):
        classes.append(f"align-{align}")
    id_attr = f' id="{escape(ident)}"' if ident else ""
    class_attr = f' class="{escape(" ".join(classes))}"' if classes else ""
    return (f'<figure{id_attr}{class_attr}{line}><img src="{escape(src)}" alt="{escape(alt)}"{image_style(image)} />'
            f"{cap}</figure>\n")


# ------------------------------------------------------------------ rules


def install(md: MarkdownIt) -> None:
    """Add the render rules for pandoc's elements to ``md`` (called by :func:`.markdown.install_rules`)."""

    def math(self, tokens, idx, options, env):
        html = math_html(env["ctx"], tokens[idx])
        # A display formula after text in its paragraph: the line before it ends there, as a
        # paragraph's last line does (not stretched to the measure).
        if tokens[idx].type == "math_display" and any(
                t.type not in ("softbreak", "hardbreak") and (t.type != "text" or t.content.strip())
                for t in tokens[:idx]):
            html = "<br />" + html
        return html

    def crossref(self, tokens, idx, options, env):
        return crossref_html(env["ctx"], tokens[idx])

    def table_open(self, tokens, idx, options, env):
        # The wrapper scrolls a wide table on a narrow screen and keeps a caption with its table in
        # print; a long table (more than 12 rows) may break across pages, repeating its header.
        rows = 0
        for token in tokens[idx + 1:]:
            if token.type == "table_close" and token.level == tokens[idx].level:
                break
            rows += token.type == "tr_open" and token.level == tokens[idx].level + 2
        long = " long" if rows > 13 else ""
        return f'<div class="table-wrap{long}"{source_line(tokens[idx])}><table{_attrs_html(tokens[idx], "table")}>\n'

    def table_close(self, tokens, idx, options, env):
        return "</table></div>\n"

    def caption_open(self, tokens, idx, options, env):
        table = next((t for t in reversed(tokens[:idx]) if t.type == "table_open"), None)
        attrs = (table.meta or {}).get("attrs") if table is not None else None
        return "<caption>" + caption_label(env["ctx"], "tbl", attrs.ident if attrs is not None else "")

    def caption_close(self, tokens, idx, options, env):
        return "</caption>\n"

    def div_open(self, tokens, idx, options, env):
        token = tokens[idx]
        attrs = token.meta["attrs"]
        callout = next((c for c in attrs.classes if c in CALLOUTS), "")
        if not callout:
            return f"<div{_attrs_html(token, 'div')}{source_line(token)}>\n"
        ctx = env["ctx"]
        heading = token.meta.get("title_inline")
        title = (escape(attrs.get("title")) or
                 (self.renderInline(heading.children or [], options, env).strip() if heading is not None else "")
                 or escape(word(ctx.words, callout)))
        id_attr = f' id="{escape(attrs.ident)}"' if attrs.ident else ""
        classes = " ".join(["callout", *attrs.classes])
        role = _ROLES.get(callout, "note")
        return (f'<aside{id_attr} class="{escape(classes)}" role="{role}"{source_line(token)}>\n'
                f'<p class="callout-title">{title}</p>\n')

    def div_close(self, tokens, idx, options, env):
        depth = 0
        for token in reversed(tokens[:idx]):
            depth += token.nesting
            if token.type == "div_open" and depth == 1:
                if any(c in CALLOUTS for c in token.meta["attrs"].classes):
                    return "</aside>\n"
                break
        return "</div>\n"

    def list_item_open(self, tokens, idx, options, env):
        task = (tokens[idx].meta or {}).get("task")
        if not task:
            return self.renderToken(tokens, idx, options, env)
        state = word(env["ctx"].words, f"task-{task}")
        return f'<li class="task {task}"><span class="task-box" role="img" aria-label="{escape(state)}"></span>'

    def span_open(self, tokens, idx, options, env):
        # An index span that resolve did not turn into a mark (in a title) is plain text.
        token = tokens[idx]
        classes = str(token.attrGet("class") or "").split()
        plain = "index" in classes
        env.setdefault("spans", []).append(plain)
        return "" if plain else f"<span{_attrs_html(token, 'span')}>"

    def code_inline(self, tokens, idx, options, env):
        token = tokens[idx]
        return f"<code{_attrs_html(token, 'code')}>{escape(token.content)}</code>"

    def raw_inline(self, tokens, idx, options, env):
        token = tokens[idx]
        if token.meta.get("format") == "html":
            return env["ctx"].raw_html(token)
        return ""  # raw LaTeX or another format reaches no edition (check warns)

    def fence(self, tokens, idx, options, env):
        token = tokens[idx]
        info = token.info.strip()
        raw = re.fullmatch(r"\{=([A-Za-z][\w-]*)\}", info)
        if raw:
            return env["ctx"].raw_html(token) if raw.group(1).lower() == "html" else ""
        return highlight(token.content, info)

    def line_block_open(self, tokens, idx, options, env):
        return f'<div class="line-block"{source_line(tokens[idx])}>'

    def line_block_close(self, tokens, idx, options, env):
        return "</div>\n"

    def strike_open(self, tokens, idx, options, env):
        return "<del>"

    def strike_close(self, tokens, idx, options, env):
        return "</del>"

    rules = {
        "math_inline": math, "math_display": math, "crossref": crossref, "table_open": table_open, "table_close": table_close,
        "table_caption_open": caption_open, "table_caption_close": caption_close,
        "div_open": div_open, "div_close": div_close, "list_item_open": list_item_open, "span_open": span_open,
        "code_inline": code_inline, "raw_inline": raw_inline, "fence": fence,
        "line_block_open": line_block_open, "line_block_close": line_block_close,
        "s_open": strike_open, "s_close": strike_close,
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)
