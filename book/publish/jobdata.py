"""What the layout of one job (:mod:`.piece`) and the build that schedules it (:mod:`.paginate`)
tell each other: plain, picklable data, sent between processes.

A job is laid out in two steps. It is *paginated* with the page numbers the
build expects for what it refers to (:class:`JobSpec`) and says how many
pages it has, where its anchors and named strings are (:class:`Pagination`).
Once the jobs before it are paginated too, the build knows its first folio
and tells it to *finish* (:class:`Finish`): margin boxes, the PDF piece, what
the join needs of it (:class:`PieceInfo`). If what it printed turns out to be
wrong (a page it refers to moved), the build lays it out again with the right
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class JobSpec:
    """One job to lay out."""

    number: int
    """Its place in the book, from 0."""
    key: str
    """Hash of its HTML and of everything else its layout reads (fonts, images, the engine)."""
    html: str
    anchor: str
    """The id on its first page: the page its own pages begin with."""
    seeds: tuple[tuple[str, int], ...] = ()
    """Anchors laid out by other jobs → the page counter on their page, as far as it is known:
    what ``target-counter()`` prints for them (contents, "see p. 57")."""
    lead_counter: int = 1
    """The page counter of the lead-in page (:mod:`.jobs`); its first own page follows."""
    lead_left: bool = False
    """The lead-in page is a verso (for a job that does not open on a recto)."""
    units: frozenset[str] = frozenset()
    """Ids of the sections the page map places pages in (:func:`book.publish.pagemap.unit_ids`)."""
    bleed_mm: float = 0.0
    root: str = ""
    """The book's folder: what ``file:///__book__/`` stands for."""
    roots: tuple[str, ...] = ()
    """The folders WeasyPrint may read from (the book, the templates, the pinned fonts)."""
    faces: object = None
    """The book's faces (:func:`book.render.faces.plan`): which stand-ins the layout reads, subset."""
    cache: str = ""
    """The layout cache's folder: where the join finds the font files the pieces drew with."""
    repair: bool = True
    """Whether the job sets again what would print badly (``print: {repair: false}`` says no)."""
    shipped: tuple[tuple[str, bytes], ...] = ()
    """The book's files laid out as the editions ship them, rebuilt (its SVGs, :func:`book.publish.layout.shipped`)."""


@dataclass(frozen=True)
class Pagination:
    """A job paginated, before its margin boxes: what the build needs to place the jobs after it."""

    number: int
    key: str
    pages: int
    """Pages laid out, the lead-in's included."""
    first: int
    """Index of the page holding the job's anchor; 0 when the job's first element did not open
    a new page (it must be laid out with the element before it)."""
    blank_before: bool
    """The page before ``first`` is a blank page (a verso left blank before a recto)."""
    side: str
    """``left`` or ``right``: the side of page ``first``."""
    counters: tuple[int, ...]
    """The page counter of every page, as laid out."""
    resets: tuple[bool, ...]
    """Pages whose page style resets the page counter (the body's first page)."""
    anchors: tuple[tuple[str, ...], ...]
    """Anchors that first appear on each page."""
    strings: tuple[tuple[tuple[str, str], ...], ...]
    """Named strings (``string-set``) each page assigns: (name, its last value on the page)."""
    used: tuple[tuple[str, int], ...]
    """The seeds the job printed (anchor, page counter)."""
    inside: bool
    """It printed a page number of its own anchors: its page counters had to be right when laid out."""
    lead_counter: int = 1
    lead_left: bool = False


@dataclass(frozen=True)
class Finish:
    """The build's word to a paginated job: its place in the book."""

    keep_blank: bool
    """Keep the blank page before the job's first page (the book's page before it is a recto)."""
    shift: int
    """Added to the page counters of the job's pages before the first one that resets it."""
    strings: tuple[tuple[str, str], ...] = ()
    """Named strings in force where the job begins (set by the jobs before it)."""
    pdf: str = ""
    """Where the piece is written."""


@dataclass(frozen=True)
class FontUse:
    """One font face as a piece used it: what the join needs to embed it once for every piece."""

    name: str
    """``/ABCDEF+Family-Style``: the same in every piece (WeasyPrint derives it from the face)."""
    resource: str
    """The name page content uses for it (``ABCDEF``)."""
    file: str
    """SHA-256 of the font file it came from (one of the pinned fonts)."""
    index: int
    location: tuple[tuple[str, float], ...]
    """Where on its variation axes it is pinned (the instance WeasyPrint embeds)."""
    widths: tuple[tuple[int, int], ...]
    """Glyph id → advance width (thousandths of an em), in the order first drawn."""
    to_unicode: tuple[tuple[int, str], ...]
    """Glyph id → the text it shows, in the order first drawn."""
    merge: bool = True
    """Embedded once for every piece by the join; False for a face WeasyPrint cleans its own way
    (colour, bitmap, CFF, no glyph names, a missing glyph): each piece keeps its own."""


@dataclass(frozen=True)
class PieceInfo:
    """A finished job: its PDF and what the join and the page map need of it."""

    number: int
    key: str
    pdf: str
    pages: int
    """Pages in the PDF (the job's own, and the blank before them when kept)."""
    conditions: tuple
    """What the piece's pages depend on beyond its key (:func:`book.publish.paginate.conditions`)."""
    pagination: Pagination
    finish: Finish
    bookmarks: tuple[tuple[int, str, int, float, float, bool], ...] = ()
    """(level, label, page, x, y, open) in PDF coordinates, ``page`` from the piece's first page."""
    starts: tuple[tuple[str, int], ...] = ()
    """Per page: the section its first text is in and the items before it (:mod:`.pagemap`)."""
    digests: tuple[tuple[str, str], ...] = ()
    """Section id → hash of its items as printed."""
    fonts: tuple[FontUse, ...] = ()
    blanks: tuple[int, ...] = ()
    """The pages the layout left blank (CSS ``@page :blank``): what the blank verso the join may
    add after the last page looks like (:func:`book.publish.join.write_joined`)."""
    warnings: tuple[str, ...] = field(default=(), compare=False)
