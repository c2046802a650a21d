"""The print edition's HTML: the whole book as one document for WeasyPrint, and its index."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

from ..fonts import fonts
from ..model import Manuscript, ResolvedChapter
from ..resources import TEMPLATES
from .context import context
from .indexview import Place, view
from .templates import environment


def notes_in_flow(chapter: ResolvedChapter) -> str:
    """The chapter's HTML with each note's text set where it is called (CSS ``float: footnote``)."""
    html = chapter.html
    for fn in chapter.footnotes:
        call = re.compile(rf'<a class="noteref" id="{re.escape(fn.ref_id)}" href="#{re.escape(fn.id)}"'
                          rf' role="doc-noteref">{fn.number}</a>')
        html = call.sub(lambda _m, fn=fn: f'<span class="footnote" id="{fn.id}">{fn.inline_html}</span>', html, 1)
    return html


def render_print(ms: Manuscript, templates: Path = TEMPLATES, css_extra: str = "") -> str:
    """The whole book as one HTML document for WeasyPrint.

    The index section holds only its heading: its page numbers come from this layout
    (:func:`render_print_index` makes the index itself)."""
    env = environment(templates)
    template = env.get_template("print/book.html")
    return template.render(context(ms, fonts=fonts(), notes_in_flow=notes_in_flow,
                                    css=(templates / "print" / "book.css").read_text(encoding="utf-8"),
                                    css_extra=css_extra, book_index=()))


def render_print_index(ms: Manuscript, places: Mapping[str, Place], templates: Path = TEMPLATES) -> str:
    """The print edition's index section, with page numbers from ``places``: what replaces the
    heading-only section of :func:`render_print` once the book's pages are known."""
    env = environment(templates)
    return env.get_template("print/_index.html").render(context(ms, book_index=view(ms.index, places)))
