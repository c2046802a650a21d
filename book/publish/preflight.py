"""A preflight of the real print layout: the defects a book designer marks on a proof.

``check --print`` lays the print edition out as a build does and walks
WeasyPrint's boxes, page by page, line by line. Each defect names the page
(physical and printed folio), the line on the page and, through the
``data-line`` marks resolve puts on every block when asked
(:func:`book.resolve.resolve` with ``source_lines``), the chapter file and line
it comes from.

What counts as a defect, and why (:data:`KINDS`):

* a **loose line** is a justified line whose word spaces are at least twice the
  median of the book's justified lines: a river of white a reader sees at once;
* a **hyphen at a page turn** makes the reader hold half a word over the page;
* **three hyphens in a row** form a ladder down the right edge;
* a paragraph whose **last line is the end of a hyphenated word** ("poli-/cies.");
* an **orphan** is a paragraph's first line alone at the foot of a page, a
  **widow** its last line alone at the head of the next;
* a chapter whose **last page holds three lines or fewer** spills onto a page
  that a little tighter setting would have spared;
* a **blank page** carries no text at all (a page the template marks
  ``class="blank-page"`` is blank on purpose and is not one, nor are the two
  blanks of every book's opening, :data:`CONVENTIONAL_BLANKS`; a blank verso
  before a chapter that opens on a recto is one: ``chapter-opening: any``
  avoids it);
* a box **outside the page's text area**, or a line whose text runs past its
  measure (**overfull**), is cut off or collides with the margin;
* a figure or table **separated from its caption** by a page turn.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..model import Manuscript

KINDS = {
    "loose-line": "a justified line whose word spaces are at least twice the median",
    "hyphen-at-page-turn": "a word hyphenated across a page turn",
    "hyphen-ladder": "three or more lines in a row ending with a hyphen",
    "hyphenated-last-line": "a paragraph ending with the end of a hyphenated word",
    "orphan": "a paragraph's first line alone at the foot of a page",
    "widow": "a paragraph's last line alone at the head of a page",
    "short-last-page": "a chapter whose last page holds three lines or fewer",
    "blank-page": "a page without text",
    "outside-page": "a box outside the page's text area",
    "overfull-line": "a line whose text runs past its measure",
    "caption-separated": "a figure or table on another page than its caption",
}
"""Every kind of defect, as ``check --print`` names it (its rule is ``print-<kind>``)."""

LOOSE = 2.0
"""A justified line is loose when its word spaces are this many times the median or more."""
SHORT_LAST_PAGE = 3
"""A chapter's last page holding this many lines or fewer is a defect (when the chapter has more pages)."""
TOLERANCE = 0.5
"""CSS pixels a box may cross an edge by (rounding in the layout) before it is outside."""
HYPHENS = frozenset("-\u2010\u00ad")
BLANK_CLASS = "blank-page"
CONVENTIONAL_BLANKS = frozenset({"title-page", "body-start"})
"""A blank page before these is one every book has: the half-title's verso, and the verso before
page 1 when the front matter ends on a recto (page 1 is a recto in every book)."""
_BLOCK_TAGS = frozenset({"p", "li", "dd", "dt", "blockquote", "figcaption", "pre", "h2", "h3", "h4", "h5", "h6",
                         "caption", "div"})
"""The blocks whose lines make a paragraph for widows, orphans and hyphens. Not table cells: a long
table repeats its header row on every page, the same cell again, which is no paragraph broken."""


@dataclass(frozen=True)
class Defect:
    """One defect of the print layout."""

    kind: str
    """A key of :data:`KINDS`."""
    page: int
    """The physical page, 1-based (as a PDF viewer counts)."""
    folio: str
    """The page's printed number: ``17`` or ``ix``."""
    line: int
    """The line on the page, 1-based (0 for a defect of the whole page)."""
    text: str
    """The line's text, or what the defect concerns."""
    detail: str = ""
    """What makes it a defect: "word spaces 2.6× the median"."""
    file: Path | None = None
    """The source file the text comes from, when known."""
    source_line: int = 0
    origin: tuple[str, int] | None = field(default=None, compare=False, repr=False)
    """For a defect of a box rather than of a line (outside the page, a caption separated): the
    chapter's id and the ``data-line`` mark of the box, which name its source."""

    @property
    def rule(self) -> str:
        return f"print-{self.kind}"


@dataclass(frozen=True)
class _Where:
    """What a box is inside of, as the walk down the page's boxes finds it."""

    chapter: str = ""
    """The id of the chapter's ``<section>``."""
    source: int = 0
    """The nearest ``data-line`` mark: the line in the chapter's body the block starts on (1-based; 0 unknown)."""
    holder: Any = None
    """The ``<figure>`` or ``<table>`` element, inside one."""
    right: float = float("inf")
    """The right edge of the nearest block's border box: where its lines' text must stop (a line may
    hang into the block's own padding, as the contents' page numbers do, but not past it)."""


@dataclass
class _Line:
    """A line of the main text (or of the notes) as laid out."""

    page: int
    number: int
    """On its page, 1-based, in reading order."""
    box: Any
    element: Any
    """The block the line belongs to (a ``<p>``, an ``<li>`` …)."""
    chapter: str
    source: int
    text: str
    hyphenated: bool
    spacing: float
    """The space the justification added to each word space (0 for a line set as is)."""
    font: Any
    """The style of the line's first text, to measure its natural word space."""
    overfull: float
    """How far its text runs past its measure (0 when it fits)."""


@dataclass
class _Page:
    number: int
    folio: str
    lines: list[_Line] = field(default_factory=list)
    blank_on_purpose: bool = False
    outside: list[tuple[Any, "_Where"]] = field(default_factory=list)
    """The outermost boxes past the text area, each with where it is."""
    opens: set[str] = field(default_factory=set)
    """The classes of the sections on the page (``title-page``, ``body-start`` …)."""


def preflight(ms: Manuscript, document: Any, label) -> list[Defect]:
    """Every defect of the laid-out print edition ``document`` (a WeasyPrint ``Document``);
    ``label(i)`` is the printed folio of page ``i`` (0-based)."""
    chapters = {ch.id: ch for ch in ms.chapters}
    pages = [read_page(i, label(i), page._page_box, chapters) for i, page in enumerate(document.pages)]
    defects: list[Defect] = []
    lines = [line for page in pages for line in page.lines]
    defects += _loose(lines)
    defects += _paragraph_defects(lines)
    defects += _chapter_ends(lines)
    defects += _page_defects(pages)
    defects += _captions(document, chapters)
    sources = {ch.id: ch.source for ch in ms.chapters}
    located = (_located(d, lines, sources, label, ms.book.config_file) for d in defects)
    return sorted(located, key=lambda d: (d.page, d.line, d.kind))


# ------------------------------------------------------------------ reading the boxes


def read_page(index: int, folio: str, page_box: Any, chapters: dict) -> _Page:
    from weasyprint.formatting_structure import boxes

    page = _Page(index + 1, folio)
    x0, y0 = page_box.content_box_x(), page_box.content_box_y()
    x1, y1 = x0 + page_box.width, y0 + page_box.height
    parents: dict[int, Any] = {}
    past: set[int] = set()  # the boxes past the text area, and every box inside one of them
    for child in page_box.children:
        if isinstance(child, boxes.MarginBox):
            continue  # running heads and folios live in the margins by design
        for box, where in _descendants(child, _Where(), chapters):
            parents.update((id(grandchild), box) for grandchild in getattr(box, "children", None) or ())
            element = getattr(box, "element", None)
            if element is not None and BLANK_CLASS in (element.get("class") or "").split():
                page.blank_on_purpose = True
            if element is not None and getattr(box, "element_tag", None) == "section":
                page.opens.update((element.get("class") or "").split())
            if isinstance(box, boxes.LineBox):
                line = _read_line(page, box, where)
                if line is not None:
                    page.lines.append(line)
            # Blocks, lines and pictures; not the text inside a line, whose glyph boxes are the font's
            # ascent and descent and may stand a pixel above a line set at the top of the page.
            # Only the outermost box past the text area is reported: what is inside it goes with it.
            # Never the root boxes, which are the page's flow, not ink: they reach past the foot
            # when the last block's bottom margin does.
            if id(parents.get(id(box))) in past:
                past.add(id(box))
            elif isinstance(box, (boxes.BlockLevelBox, boxes.LineBox, boxes.ReplacedBox)) and \
                    getattr(box, "element_tag", None) not in ("html", "body") and _outside(box, x0, y0, x1, y1):
                past.add(id(box))
                page.outside.append((box, where))
    return page


def _descendants(box: Any, where: _Where, chapters: dict) -> Iterator[tuple[Any, _Where]]:
    from dataclasses import replace

    from weasyprint.formatting_structure import boxes

    element = getattr(box, "element", None)
    if element is not None and box.element_tag is not None:
        tag = box.element_tag
        if tag == "section" and element.get("id") in chapters:
            where = replace(where, chapter=element.get("id"), source=0, holder=None)
        if element.get("data-line"):
            where = replace(where, source=int(element.get("data-line")))
        if tag in ("figure", "table"):
            where = replace(where, holder=element)
    if isinstance(box, boxes.BlockContainerBox) and box.width is not None:
        where = replace(where, right=box.border_box_x() + box.border_width())
    yield box, where
    for child in getattr(box, "children", None) or ():
        yield from _descendants(child, where, chapters)


def _texts(box: Any) -> Iterator[Any]:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", None) or ():
        yield from _texts(child)


def _read_line(page: _Page, box: Any, where: _Where) -> _Line | None:
    texts = list(_texts(box))
    text = "".join(t.text for t in texts)
    if not text.strip():
        return None
    last = texts[-1]
    hyphen = last.style["hyphenate_character"]
    hyphenated = text.rstrip().endswith((hyphen, *HYPHENS)) and not text.rstrip().endswith(("--", "—"))
    right = max((t.position_x + t.margin_width() for t in texts), default=box.position_x)
    shown = " ".join(text.replace("\u200b", "").replace("\u00ad", "").split())  # break opportunities are not text
    return _Line(page.number, len(page.lines) + 1, box, box.element, where.chapter, where.source, shown,
                 hyphenated, max(t.justification_spacing for t in texts), texts[0].style,
                 max(0.0, right - where.right - TOLERANCE))


def _outside(box: Any, x0: float, y0: float, x1: float, y1: float) -> bool:
    if not hasattr(box, "margin_width") or box.position_x is None or box.width is None:
        return False
    try:
        left, top = box.border_box_x(), box.border_box_y()
        right, bottom = left + box.border_width(), top + box.border_height()
    except (TypeError, AttributeError):
        return False
    if box.border_width() <= 0 or box.border_height() <= 0:
        return False
    return (left < x0 - TOLERANCE or top < y0 - TOLERANCE or right > x1 + TOLERANCE
            or bottom > y1 + TOLERANCE)


def _space_width(style: Any, cache: dict) -> float:
    from weasyprint.text.ffi import pango
    from weasyprint.text.line_break import create_layout, line_size

    key = (tuple(style["font_family"]), style["font_size"], style["font_weight"], style["font_style"],
           style["font_stretch"], style["word_spacing"], style["letter_spacing"])
    if key not in cache:
        def width(text: str) -> float:
            layout = create_layout(text, style, None, None, 0)
            return line_size(pango.pango_layout_get_line_readonly(layout.layout, 0), style)[0]
        cache[key] = max(width("n n") - width("nn"), 0.01)
    return cache[key]


# ------------------------------------------------------------------ the defects


def space_ratio(line: _Line, cache: dict) -> float:
    """A justified line's word space ÷ its font's own space (0 for a line set as it is). A word
    spacing the paragraph is set with is part of the space, not of the font's."""
    if line.spacing <= 0 or " " not in line.text:
        return 0.0
    spacing = line.font["word_spacing"]
    own = _space_width(line.font, cache) - spacing
    return (own + spacing + line.spacing) / max(own, 0.01)


def _loose(lines: list[_Line]) -> list[Defect]:
    """Justified lines whose word spaces are :data:`LOOSE` times the median or more."""
    cache: dict = {}
    ratios = [(line, space_ratio(line, cache)) for line in lines]
    ratios = [(line, r) for line, r in ratios if r > 0]
    if len(ratios) < 5:
        return []
    median = statistics.median(r for _line, r in ratios)
    out = []
    for line, r in ratios:
        if r / median >= LOOSE:
            out.append(_defect("loose-line", line, f"word spaces {r / median:.1f}× the median"))
    return out


_HYPHEN_DETAILS = {"hyphen-at-page-turn": "the word goes on overleaf",
                   "hyphen-ladder": "the third hyphenated line in a row",
                   "hyphenated-last-line": "the paragraph ends with a word's last part"}


def bad_hyphens(block: Sequence[_Line]) -> Iterator[tuple[str, int]]:
    """Where the hyphens of a paragraph (its lines, in order) fall badly: (kind, index of the
    hyphenated line) for a word hyphenated across a page turn, for the third hyphen in a row, and
    for a word whose end is all the paragraph's last line holds. The preflight reports them, and
    :mod:`.repair` keeps those words whole."""
    run = 0
    for i, line in enumerate(block):
        run = run + 1 if line.hyphenated else 0
        if line.hyphenated and i + 1 < len(block) and block[i + 1].page != line.page:
            yield "hyphen-at-page-turn", i
        if run == 3:
            yield "hyphen-ladder", i
    if len(block) >= 2 and block[-2].hyphenated and " " not in block[-1].text.strip():
        yield "hyphenated-last-line", len(block) - 2


def by_chapter(lines: list[_Line]) -> dict[str, list[_Line]]:
    """The lines of each chapter, in order (the lines outside every chapter left out)."""
    out: dict[str, list[_Line]] = {}
    for line in lines:
        if line.chapter:
            out.setdefault(line.chapter, []).append(line)
    return out


def _paragraph_defects(lines: list[_Line]) -> list[Defect]:
    by_block: dict[int, list[_Line]] = {}
    for line in lines:
        if line.element is not None and getattr(line.box, "element_tag", "") in _BLOCK_TAGS:
            by_block.setdefault(id(line.element), []).append(line)
    out: list[Defect] = []
    for block in by_block.values():
        pages = sorted({line.page for line in block})
        if len(block) >= 2 and len(pages) >= 2:
            first = [line for line in block if line.page == pages[0]]
            last = [line for line in block if line.page == pages[-1]]
            if len(first) == 1:
                out.append(_defect("orphan", first[0], "the paragraph's first line ends the page"))
            if len(last) == 1:
                out.append(_defect("widow", last[0], "the paragraph's last line opens the page"))
        for kind, i in bad_hyphens(block):
            # The hyphenated last line is reported where the reader sees it: on the last line.
            line = block[i + 1] if kind == "hyphenated-last-line" else block[i]
            out.append(_defect(kind, line, _HYPHEN_DETAILS[kind]))
    return out


def _chapter_ends(lines: list[_Line]) -> list[Defect]:
    out = []
    for chapter_lines in by_chapter(lines).values():
        pages = sorted({line.page for line in chapter_lines})
        if len(pages) < 2:
            continue
        last = [line for line in chapter_lines if line.page == pages[-1]]
        if len(last) <= SHORT_LAST_PAGE:
            out.append(_defect("short-last-page", last[0], f"{len(last)} line{'s' if len(last) != 1 else ''} "
                                                            "on the chapter's last page"))
    return out


def _page_defects(pages: list[_Page]) -> list[Defect]:
    out = []
    for page, after in zip(pages, [*pages[1:], None]):
        conventional = after is not None and bool(after.opens & CONVENTIONAL_BLANKS)
        if not page.lines and not page.blank_on_purpose and not conventional:
            out.append(Defect("blank-page", page.number, page.folio, 0, "", "the page carries no text"))
        for box, where in page.outside:
            what = getattr(box, "element_tag", None) or type(box).__name__
            out.append(Defect("outside-page", page.number, page.folio, 0, f"<{what}>",
                              "the box reaches past the page's text area", origin=(where.chapter, where.source)))
        for line in page.lines:
            if line.overfull > 0:
                out.append(_defect("overfull-line", line, f"{line.overfull:.1f} px past the measure"))
    return out


def _captions(document: Any, chapters: dict) -> list[Defect]:
    """Figures and tables whose caption is on another page than their first content."""
    seen: dict[int, dict[str, int]] = {}
    labels: dict[int, str] = {}
    origins: dict[int, tuple[str, int]] = {}
    for i, page in enumerate(document.pages):
        for box, where in _descendants(page._page_box, _Where(), chapters):
            element = getattr(box, "element", None)
            tag = getattr(box, "element_tag", "")
            holder = where.holder
            if element is None or holder is None or tag not in ("figcaption", "caption", "img", "svg", "tr", "pre"):
                continue
            part = "caption" if tag in ("figcaption", "caption") else "content"
            seen.setdefault(id(holder), {}).setdefault(part, i + 1)
            origins.setdefault(id(holder), (where.chapter, where.source))
            if part == "caption":
                labels[id(holder)] = re.sub(r"\s+", " ", "".join(element.itertext())).strip()[:80]
    out = []
    for key, parts in seen.items():
        if "caption" in parts and "content" in parts and parts["caption"] != parts["content"]:
            page = max(parts.values())
            out.append(Defect("caption-separated", page, "", 0, labels.get(key, ""),
                              f"the caption is on page {parts['caption']}, the content on page {parts['content']}",
                              origin=origins[key]))
    return out


def _defect(kind: str, line: _Line, detail: str) -> Defect:
    return Defect(kind, line.page, "", line.number, line.text[:80], detail)


# ------------------------------------------------------------------ where it comes from


def _located(defect: Defect, lines: list[_Line], sources: dict, label, book_file: Path) -> Defect:
    """The defect with its folio, and the source file and line of the text it concerns (book.yaml
    for a page that no chapter's text is on: the title pages, a part's title)."""
    from dataclasses import replace

    folio = label(defect.page - 1)
    if defect.origin is not None:  # a box's defect: where the box comes from
        unit, mark = defect.origin
    else:
        match = next((line for line in lines if line.page == defect.page and line.number == defect.line), None)
        if match is None and defect.line == 0:  # a page's defect: its text; a blank page's, what follows it
            match = next((line for line in lines if line.page >= defect.page), None)
        unit, mark = (match.chapter, match.source) if match is not None else ("", 0)
    file, source_line = book_file, 0
    if unit in sources:
        chapter = sources[unit]
        file = chapter.path
        if defect.kind == "blank-page":
            source_line = 1  # the chapter that opens after it
        else:
            source_line = chapter.body_line + mark - 1 if mark else chapter.body_line
    return replace(defect, folio=folio, file=file, source_line=source_line)
