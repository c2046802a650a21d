"""The print edition's HTML: the whole book as one document for WeasyPrint, and its index."""

from __future__ import annotations

import hashlib

import re
from pathlib import Path
from typing import Mapping

from ..model import Manuscript, ResolvedChapter
from ..resources import TEMPLATES
from .context import book_css, context
from .faces import SUBSET, plan
from .indexview import Place, view
from .printed import print_manuscript
from .templates import environment_for, raw

BOOK_ROOT = "__book__"
"""The book folder's name in the URLs WeasyPrint sees (``file:///__book__/images/map.png``).
WeasyPrint names each image in the PDF after a hash of its URL: with the real path, the
same book gave different bytes in every checkout."""


def font_src(ms: Manuscript):
    """The URL of a face's file for WeasyPrint: a book's own font by its place in the book, a face
    subset to the book (:func:`book.render.faces.subset_face`) by its name."""
    faces = plan(ms)

    def src(font) -> str:
        served = faces.serves(font.name)
        if served is not None:
            # The subset's own name in the URL: WeasyPrint keeps a face by its rule's text, and a
            # process that lays out another text (serve, a test) must not get this subset back.
            digest = hashlib.sha256(",".join(map(str, sorted(served))).encode()).hexdigest()[:16]
            return f"file:///{SUBSET}/{digest}/{font.name}"
        path = Path(font.path)
        if path.is_relative_to(ms.book.root):
            return f"file:///{BOOK_ROOT}/" + path.relative_to(ms.book.root).as_posix()
        return path.as_uri()
    return src


def notes_in_flow(chapter: ResolvedChapter) -> str:
    """The chapter's HTML with each note's text set where it is called (CSS ``float: footnote``)."""
    html = chapter.html
    for fn in chapter.footnotes:
        call = re.compile(rf'<a class="noteref" id="{re.escape(fn.ref_id)}" href="#{re.escape(fn.id)}"'
                          rf' role="doc-noteref">{fn.number}</a>')
        html = call.sub(lambda _m, fn=fn: f'<span class="footnote" id="{fn.id}">{fn.inline_html}</span>', html, 1)
    return _PARAGRAPH.sub(_mark_with_notes, html) if '<span class="footnote"' in html else html


_PARAGRAPH = re.compile(r"<(p|li)\b([^>]*)>")


def _mark_with_notes(m: re.Match) -> str:
    """A paragraph (or list item) of a chapter with notes is marked ``with-notes``: its first line may end a page
    alone (an orphan), for to avoid one on a page that holds notes, WeasyPrint 70 moves the notes
    away from their calls; the paragraphs of every other chapter keep two lines at a page's foot."""
    tag, attrs = m.groups()
    if 'class="' in attrs:
        return f"<{tag}" + attrs.replace('class="', 'class="with-notes ', 1) + ">"
    return f'<{tag}{attrs} class="with-notes">'


def render_print(ms: Manuscript, templates: Path = TEMPLATES, css_extra: str = "") -> str:
    """The whole book as one HTML document for WeasyPrint.

    The index section holds only its heading: its page numbers come from this layout
    (:func:`render_print_index` makes the index itself)."""
    env = environment_for(ms, templates)
    template = env.get_template("print/book.html")
    ms = print_manuscript(ms)
    ctx = context(ms, notes_in_flow=notes_in_flow, css=print_css(ms, templates, "print/book.css"),
                  css_extra=css_extra, book_css=book_css(ms, "print"), book_index=(), font_src=font_src(ms))
    return with_stacks(template.render(ctx, fonts=ctx["faces"].faces), ctx["faces"])


def print_css(ms: Manuscript, templates: Path, main: str) -> str:
    """A print stylesheet (the book's, or the handout's) followed by the one for pandoc's elements
    (each the book's own template when it has one)."""
    return "\n".join(raw(ms, templates, name) for name in (main, "print/content.css"))


def with_stacks(html: str, faces) -> str:
    """The document with each role's stand-ins after it wherever its stylesheet names it (the
    head: the text is left as it is), :meth:`book.render.faces.Plan.with_stacks`."""
    end = html.find("</head>")
    return faces.with_stacks(html[:end]) + html[end:] if end > 0 else html


def render_print_index(ms: Manuscript, places: Mapping[str, Place], templates: Path = TEMPLATES) -> str:
    """The print edition's index section, with page numbers from ``places``: what replaces the
    heading-only section of :func:`render_print` once the book's pages are known (it is laid out
    as a job of its own, at its place in the book: :mod:`book.publish.paginate`)."""
    env = environment_for(ms, templates)
    ctx = context(ms, book_index=view(ms.index, places))
    return ctx["faces"].with_stacks(env.get_template("print/_index.html").render(ctx))
