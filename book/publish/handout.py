"""Handouts: any chapter, or a few, as a stand-alone print document; booklets for the copier.

A handout is resolved on its own (``resolve(book, chapters=ids)``): its notes
are its chapters' notes, its reference list holds only the works they cite,
in the book's style (a numeric style numbers from 1 again), and a link to a
chapter that is not in the handout is named in words rather than pointing
into a book the reader does not hold. ``templates/handout/`` lays it out in
the book's type on A4 or letter paper, with a header saying where it comes
from and "Page x of y" and the source at the foot of every page.

A booklet is the same handout laid out on half sheets and imposed for
saddle stitching by :mod:`book.publish.impose`.

Layout, the confined URL fetcher, the font subsetter and the PDF writing are
the print edition's (:mod:`book.publish.pdf`), so handouts are reproducible
byte for byte as the book is.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, replace
from html import unescape
from pathlib import Path
from typing import Sequence

from ..errors import BookError, BookErrors
from ..locales import words
from ..model import Book, Chapter, Manuscript, Metadata
from ..render import notes_in_flow
from ..render.context import book_css, context
from ..render.printed import print_manuscript
from ..render.print import font_src, print_css, with_stacks
from ..render.templates import environment_for
from ..resources import TEMPLATES
from ..staging import write_atomic
from . import Output
from .keepnotes import keep_notes_with_calls, number_blocks

HANDOUTS = "handouts"
"""The sub-folder of the output folder that holds handouts."""
JOIN = "+"
"""Joins the ids of a handout of several chapters into its file name: ``rapallo+munich.pdf``."""


@dataclass(frozen=True)
class Paper:
    """The page a handout is laid out on."""

    name: str
    width_mm: float
    height_mm: float
    facing: bool = False
    """True for a booklet's half sheets, whose pages face each other across the fold."""

    def half(self) -> Paper:
        """Half the sheet, turned upright: the page of a booklet printed two-up on this paper.

        Exactly half, so that two pages fill the sheet: 148.5 × 210 mm on A4 (A5 but
        for half a millimetre), 5.5 × 8.5 in on letter."""
        return Paper(f"half-{self.name}", self.height_mm / 2, self.width_mm, facing=True)


PAPERS = {"A4": Paper("A4", 210.0, 297.0), "letter": Paper("letter", 215.9, 279.4)}


def paper_named(name: str) -> Paper:
    """The paper for ``A4`` or ``letter``, in any case."""
    for key, paper in PAPERS.items():
        if key.lower() == name.strip().lower():
            return paper
    raise ValueError(f"unknown paper '{name}' (choose A4 or letter)")


# ------------------------------------------------------------------ selection


def select(book: Book, ids: Sequence[str]) -> tuple[Chapter, ...]:
    """The chapters with these ids, in reading order; a BookError naming the closest ids
    for any id that is not a chapter's."""
    known = [c.id for c in book.chapters]
    problems = []
    for ident in dict.fromkeys(ids):
        if ident not in known:
            close = difflib.get_close_matches(ident, known, n=3, cutoff=0.5)
            hint = (f"did you mean {_or_list(close)}? " if close else "") + \
                "`build.py handout --list` lists every chapter's id"
            problems.append(BookError(f"no chapter has the id '{ident}'", book.config_file, 0, 0, hint,
                                      rule="unknown-chapter"))
    if problems:
        raise problems[0] if len(problems) == 1 else BookErrors(problems)
    wanted = set(ids)
    return tuple(c for c in book.chapters if c.id in wanted)


def _or_list(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


MAX_STEM = 150
"""The longest handout name: with ``-booklet.pdf`` and a temporary name's 14 characters it stays
within the 255 bytes a file name may take."""


def stem(chapters: Sequence[Chapter]) -> str:
    """The file name of a handout without suffix: its chapters' ids in reading order, joined; when
    that is too long for a file name, the first id, the number of chapters and a digest of them all."""
    joined = JOIN.join(c.id for c in chapters)
    if len(joined) <= MAX_STEM:
        return joined
    digest = hashlib.sha256(joined.encode()).hexdigest()[:12]
    return f"{chapters[0].id}{JOIN}{len(chapters) - 1}-more-{digest}"


# ------------------------------------------------------------------ render


def long_date(iso: str, lang: str) -> str:
    """The book's date as a reader writes it in the book's language (CLDR's long date): "26 November
    2021", "November 26, 2021" in en-US, "26. November 2021" in German, "2021年11月26日"."""
    return words(lang).date(iso)


def render_handout(ms: Manuscript, paper: Paper, breaks: Sequence[str] = (),
                   templates: Path = TEMPLATES) -> str:
    """The handout of a selection manuscript as one HTML document for WeasyPrint;
    ``breaks`` names paragraphs that must start a page (see :mod:`book.publish.keepnotes`)."""
    env = environment_for(ms, templates)
    template = env.get_template("handout/handout.html")
    ms = print_manuscript(ms)
    ctx = context(ms, chapters=ms.chapters, references=ms.references, references_title=ms.references_title,
                  paper=paper, notes_in_flow=notes_in_flow, number_blocks=number_blocks, breaks=tuple(breaks),
                  date_text=long_date(ms.meta.date, ms.meta.lang), css=print_css(ms, templates, "handout/handout.css"),
                  book_css=book_css(ms, "handout"), font_src=font_src(ms))
    return with_stacks(template.render(ctx, fonts=ctx["faces"].faces), ctx["faces"])


def lay_out(ms: Manuscript, paper: Paper):
    """The handout laid out by the print edition's machinery, every note on its call's page."""
    from .layout import layout

    return keep_notes_with_calls(lambda breaks: layout(ms, render_handout(ms, paper, breaks)),
                                 lambda lay: lay.document.pages)


# ------------------------------------------------------------------ publish


def publish_handout(ms: Manuscript, out: Path, paper: Paper = PAPERS["A4"], booklet: bool = False) -> list[Output]:
    """Write the handout of a selection manuscript (``resolve(book, chapters=ids)``) to
    ``<out>/handouts/<ids>.pdf``, or its booklet to ``<ids>-booklet.pdf``.

    Not an edition of :mod:`.editions`: a build makes the book's editions, a handout is made
    of the chapters a teacher names (``build.py handout``), on the paper asked for."""
    from .pdf import pinned_fonts_only, write_pdf

    name = stem([c.source for c in ms.chapters])
    folder = out / HANDOUTS
    meta = handout_metadata(ms)
    if not booklet:
        lay = lay_out(ms, paper)
        target = folder / f"{name}.pdf"
        # Every page is numbered 1 … n (no roman front matter), and the PDF's title is the handout's.
        write_pdf(replace(lay, front_pages=0, meta=meta), target, edition=f"handout:{name}")
        return [Output(target, "handout", lay.page_count, _pages(lay.page_count))]

    from .impose import impose
    from .pdfmeta import finisher as metadata
    lay = lay_out(ms, paper.half())
    describe = metadata(meta, lay.stamp, f"booklet:{name}")

    def finish(document, pdf) -> None:
        pinned_fonts_only(document, pdf)
        describe(document, pdf)

    # Tags and links mean nothing once pages are cut apart and turned, so the
    # pages are written plain before imposition; impose() keeps Info and XMP.
    pages = lay.document.write_pdf(finisher=finish)  # type: ignore[attr-defined]
    target = folder / f"{name}-booklet.pdf"
    sides: list[int] = []
    write_atomic(target, lambda tmp: sides.append(impose(pages, tmp)))
    return [Output(target, "booklet", sides[0], _pages(sides[0]))]


def _pages(count: int) -> str:
    return "page" if count == 1 else "pages"


def handout_metadata(ms: Manuscript) -> Metadata:
    """The book's metadata, retitled for a handout: a PDF reader's window and a catalogue
    show the chapter, and the description says what the handout is a part of."""
    from ..render import smart

    def text(markdown: str) -> str:
        return _text(smart(markdown, ms.meta.lang))

    w = ms.meta.words
    book = text(ms.meta.title) + (f": {text(ms.meta.subtitle)}" if ms.meta.subtitle else "")
    titles = [_text(ch.title_html) for ch in ms.chapters]
    edition = f" ({text(ms.meta.edition)})" if ms.meta.edition else ""
    if len(titles) == 1:
        description = w.text("handout-chapter", title=w.quote(titles[0]), book=book + edition)
    else:
        description = w.text("handout-chapters", titles=w.names([w.quote(t) for t in titles]), book=book + edition)
    return replace(ms.meta, title=f"{'; '.join(titles)} — {book}", subtitle="", description=description)


def _text(html: str) -> str:
    """The text of an inline HTML fragment such as a title."""
    return unescape(re.sub(r"<[^>]+>", "", str(html)))
