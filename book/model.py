"""The plain data that flows between the stages: load → resolve → render → publish.

Every value is a frozen dataclass with tuples, complete when created. File
and line travel with the data so that any stage can say where a problem is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .indexdata import BookIndex, IndexTerm
from .locales import Words, words

REFERENCES_ID = "references"
"""The id of the reference list in every edition (resolve reserves it)."""
INDEX_ID = "index"
"""The id of the index section in every edition (resolve reserves it)."""


@dataclass(frozen=True)
class Person:
    """A creator of the book."""

    name: str
    """The name as printed: "Antony Beevor" or "Historical Boys’ Clothing"."""
    file_as: str
    """The sort form: "Beevor, Antony"."""
    role: str
    """A MARC relator code: ``aut`` author, ``edt`` editor, ``trl`` translator."""


@dataclass(frozen=True)
class PrintOptions:
    """How the print edition is laid out (``print:`` in book.yaml)."""

    page: str = "A5"
    """A CSS page size: ``A5``, ``A4``, ``letter`` or ``WIDTH HEIGHT`` with units."""
    page_width_mm: float = 148.0
    page_height_mm: float = 210.0
    bleed_mm: float = 0.0
    """Bleed around the trim box; crop marks are drawn when it is non-zero."""
    crop_marks: bool = False
    handout_paper: str = "A4"
    """Default paper for handouts: ``A4`` or ``letter``."""
    margins_mm: tuple[float, float, float, float] | None = None
    """Top, outer, bottom and inner (binding) margins; None: from the page size and the measure."""
    chapter_opening: str = "recto"
    """``recto`` (a right-hand page), ``any`` (the next page) or ``continue`` (the same page)."""
    part_opening: str = "recto"
    """As ``chapter_opening``; ``continue`` sets a part's title above its first chapter."""
    running_heads: bool = True
    """Whether pages carry the book's and the chapter's titles at their head."""
    repair: bool = True
    """Whether the layout sets again what would print badly (:mod:`book.publish.repair`)."""


@dataclass(frozen=True)
class Style:
    """How the book looks in every edition (``style:`` in book.yaml); empty means the default."""

    text_font: str = ""
    """The family of the text face: a pinned family's name or one of the book's ``fonts:``."""
    heading_font: str = ""
    """The family of headings and other display type."""
    code_font: str = ""
    """The family of code; empty: as each edition sets code by default."""
    font_size_pt: float = 0.0
    """The print text size in points; 0: chosen from the page width."""
    line_height: float = 0.0
    """Leading as a multiple of the text size; 0: the edition's default."""
    accent: str = ""
    """A colour (``#rrggbb``) for rules, links and ornaments; empty: each edition's default."""
    contents_depth: int = 1
    """1: the contents list parts and chapters; 2: also each chapter's sections."""
    chapter_numbers: bool = False
    """Whether body chapters are numbered ("Chapter 3"). (Sections are numbered by pandoc's
    ``number-sections``: :attr:`Metadata.number_sections`.)"""


@dataclass(frozen=True)
class BookFont:
    """A font file the book brings (``fonts:`` in book.yaml), checked when the book is loaded."""
    family: str
    """The name the book's ``style:`` and CSS use for it."""
    style: str
    """``normal`` or ``italic``."""
    weight: str
    """``400``, or a range such as ``300 800`` for a variable font."""
    path: Path
    """Absolute path inside the book folder."""
    rel: str
    """Path relative to the book folder, with ``/``: also its path in the editions."""


@dataclass(frozen=True)
class StyleSheet:
    """A CSS file of the book (``css:`` in book.yaml), loaded after the builder's own."""
    path: Path
    rel: str
    """Path relative to the book folder, with ``/``."""
    editions: tuple[str, ...]
    """Where it applies: ``print`` (both PDFs), ``epub``, ``web``, ``handout``."""
    text: str
    """The stylesheet, its ``url()``s checked to name files inside the book."""
    urls: tuple[str, ...] = ()
    """The book files its ``url()``s name, relative to the book folder."""


@dataclass(frozen=True)
class Metadata:
    """What the book is: everything in book.yaml but its contents."""

    title: str
    subtitle: str
    creators: tuple[Person, ...]
    publisher: str
    lang: str
    date: str
    """ISO date ``YYYY-MM-DD``; also the timestamp of every output."""
    identifier: str
    rights: str
    description: str
    subjects: tuple[str, ...]
    source: str
    """What this edition was made from (``dc:source``), if anything."""
    edition: str
    url: str
    csl: str
    """A CSL style name or a path to a .csl file, relative to the book."""
    bibliography: tuple[Path, ...]
    nocite: tuple[str, ...]
    cover: Path | None
    print: PrintOptions
    slug: str
    """File-name stem of the outputs, from ``slug:`` or the title."""
    references_title: str = ""
    """Heading of the reference list, when book.yaml names one."""
    numbering: str = "chapter"
    """How figures, tables and equations are numbered: ``chapter`` (Figure 2.3) or ``book`` (Figure 7)."""
    number_sections: bool = False
    """Whether the sections of each chapter carry numbers (2.1, 2.1.1), as pandoc's ``number-sections``."""
    strings: tuple[tuple[str, str], ...] = ()
    """book.yaml's ``strings:``: the generated words the book words its own way (:mod:`book.locales`)."""
    style: Style = Style()
    fonts: tuple[BookFont, ...] = ()
    css: tuple[StyleSheet, ...] = ()
    spelling: bool = True
    """Whether ``check`` looks up every word (``spelling: false`` turns the rule off)."""
    hyphenation: tuple[str, ...] = ()
    """Words with the breaks print may use in them (``Reichs-wehr``), whatever the patterns say."""

    @property
    def words(self) -> Words:
        """Every word the builder writes for this book, in its language (:mod:`book.locales`)."""
        return words(self.lang, self.strings)

    @property
    def authors(self) -> tuple[Person, ...]:
        return tuple(p for p in self.creators if p.role == "aut")

    @property
    def author_line(self) -> str:
        names = [p.name for p in self.authors] or [p.name for p in self.creators]
        return self.words.names(names)


@dataclass(frozen=True)
class Chapter:
    """One chapter file as written: front matter and Markdown."""

    id: str
    """Unique in the book: front matter ``id`` or the file name without ``.md``."""
    path: Path
    """Absolute path of the file."""
    rel: str
    """Path relative to the book folder, with ``/``: how book.yaml names it."""
    title: str
    short_title: str
    """For running heads; the title when none is given."""
    markdown: str
    """The body, after the front matter."""
    body_line: int
    """Line number of the first body line in the file, so messages name file lines."""
    matter: str
    """``front``, ``body`` or ``back``."""
    part: str
    """Title of the part holding it, or empty."""
    front_matter: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    """A titled group of chapters."""

    id: str
    title: str
    chapters: tuple[Chapter, ...]


@dataclass(frozen=True)
class Book:
    """A loaded, validated book: the output of the load stage."""

    root: Path
    """The folder holding book.yaml."""
    config_file: Path
    meta: Metadata
    front: tuple[Chapter, ...]
    body: tuple[Chapter | Part, ...]
    """Chapters outside parts and parts, in reading order."""
    back: tuple[Chapter, ...]
    index_terms: tuple[IndexTerm, ...] = ()
    """The ``index:`` list of book.yaml, in order."""
    where: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """The line and column of each top-level value of book.yaml, so that a later stage can place a
    problem with a setting (an unknown ``csl:`` style) on its line."""

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        """Every chapter in reading order."""
        out: list[Chapter] = list(self.front)
        for item in self.body:
            out.extend(item.chapters if isinstance(item, Part) else (item,))
        out.extend(self.back)
        return tuple(out)

    @property
    def parts(self) -> tuple[Part, ...]:
        return tuple(item for item in self.body if isinstance(item, Part))


# ---------------------------------------------------------------- manuscript


@dataclass(frozen=True)
class Heading:
    """A section heading inside a chapter."""

    id: str
    level: int
    """2 for ``##`` … 6; the chapter title is level 1."""
    html: str
    text: str


@dataclass(frozen=True)
class Footnote:
    """One note of a chapter, numbered per chapter."""

    number: int
    id: str
    """The note's id (``fn-<chapter>-<n>``)."""
    ref_id: str
    """The id of its call in the text, for back-links."""
    html: str
    """The note's content as an XHTML fragment (paragraphs)."""
    inline_html: str
    """The same content without block wrappers, for a note set in the text flow."""


@dataclass(frozen=True)
class Asset:
    """A file the book uses (an image), copied into the editions that need it."""

    path: Path
    """Absolute path inside the book folder."""
    href: str
    """Relative path from the book folder, with ``/``: also its path in editions."""
    media_type: str
    data: bytes | None = None
    """What the editions ship instead of the file's own bytes (an SVG rebuilt from its
    allow-list, :mod:`book.svg`); None: the file as it is."""

    def content(self) -> bytes:
        """The bytes the editions ship."""
        return self.data if self.data is not None else self.path.read_bytes()


@dataclass(frozen=True)
class ResolvedChapter:
    """A chapter ready for any medium."""

    source: Chapter
    id: str
    title_html: str
    """The title with inline markup (smart quotes, emphasis)."""
    title_text: str
    short_title: str
    html: str
    """The body as an XHTML fragment. In-book links are ``#id`` and carry
    ``class="xref"``; footnote calls are ``<a class="noteref">`` elements."""
    headings: tuple[Heading, ...]
    footnotes: tuple[Footnote, ...]
    cited_keys: tuple[str, ...]
    """Bibliography keys cited in this chapter, in order of first citation."""
    matter: str
    part_id: str
    number: int
    """Ordinal among body chapters (1-based), 0 for front and back matter."""

    @property
    def anchors(self) -> tuple[str, ...]:
        return (self.id, *(h.id for h in self.headings))


@dataclass(frozen=True)
class ResolvedPart:
    id: str
    title_html: str
    title_text: str
    chapters: tuple[ResolvedChapter, ...]


@dataclass(frozen=True)
class ReferenceEntry:
    """One work in the reference list."""

    key: str
    anchor: str
    """The entry's id, which citations link to (``ref-<key>``)."""
    html: str
    """The entry formatted by the CSL style, an XHTML fragment."""
    annotation: str = ""
    """The work's ``annote`` field as inline HTML: a comment on the work, printed after it."""


@dataclass(frozen=True)
class Manuscript:
    """Everything an edition needs, nothing format-specific: the output of resolve."""

    book: Book
    front: tuple[ResolvedChapter, ...]
    body: tuple[ResolvedChapter | ResolvedPart, ...]
    back: tuple[ResolvedChapter, ...]
    references: tuple[ReferenceEntry, ...]
    """The bibliography of the whole book, sorted by the style."""
    references_title: str
    assets: tuple[Asset, ...]
    anchor_owner: Mapping[str, str]
    """Which document (chapter id, or ``references``) holds each anchor id."""
    index: "BookIndex | None" = None
    """The back-of-book index: its entries and every marked spot (:mod:`book.resolve.index`)."""

    @property
    def meta(self) -> Metadata:
        return self.book.meta

    @property
    def chapters(self) -> tuple[ResolvedChapter, ...]:
        out: list[ResolvedChapter] = list(self.front)
        for item in self.body:
            out.extend(item.chapters if isinstance(item, ResolvedPart) else (item,))
        out.extend(self.back)
        return tuple(out)

    @property
    def parts(self) -> tuple[ResolvedPart, ...]:
        return tuple(item for item in self.body if isinstance(item, ResolvedPart))

    @property
    def has_index(self) -> bool:
        """Whether the editions carry an index: the book has one with at least one entry."""
        return self.index is not None and bool(self.index.groups)
