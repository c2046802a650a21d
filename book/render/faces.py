"""Which faces a book is set in: its roles' faces, and the script fallbacks its text needs.

The stylesheets name three roles (:mod:`book.fonts`): the text face, the display face and,
when the book chooses one, the code face. :func:`plan` gives each role the faces of the
family ``style:`` chooses (a pinned one, or the book's own ``fonts:``) and then, for every
character of the book that family lacks, the first pinned family that has it — Arabic,
Hebrew, CJK … — as ``@font-face`` rules of the same role name restricted by
``unicode-range`` to exactly those characters. A book in English loads no CJK font; a
book in Japanese loads it for its kanji and kana and nothing else. The EPUB and the web
edition subset each stand-in to the characters it serves.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from ..fonts import (CODE, DEFAULT_CODE, DEFAULT_DISPLAY, DEFAULT_TEXT, DISPLAY, MATH_FAMILY, TEXT, Font, chain, cmap,
                     families)
from ..locales import is_cjk, table
from ..model import BookFont, Manuscript, Metadata

T = TypeVar("T")


CJK_FAMILY = "Noto Sans CJK JP"
"""The face of Chinese and Japanese books, unless their ``style:`` chooses another."""
LARGE_FONT = 4_000_000
"""A face file larger than this (the CJK face's 16 MB) is subset to the book before any edition
reads it, even when it is a role's own face."""
SPACES = frozenset({0x20, 0xA0, 0x3000})
"""Spaces every stand-in keeps: a space between two words of its script is drawn from it."""


@dataclass(frozen=True)
class Plan:
    """The faces of one book."""

    faces: tuple[Font, ...]
    """Every @font-face rule, the stand-ins first (an e-reader without ``unicode-range`` then
    takes the role's own face, declared last), each role's own faces after them."""
    served: tuple[tuple[str, frozenset[int]], ...]
    """For each stand-in face and each very large face (by ``Font.name``): the code points it
    serves, to subset it to."""
    credits: tuple[tuple[str, tuple[str, ...]], ...]
    """The families the book is set in, each with its designers, for the colophon."""

    @property
    def families(self) -> frozenset[str]:
        return frozenset(face.family for face in self.faces)

    def stack(self, role: str) -> str:
        """The CSS family list of a role for WeasyPrint: the role, then its stand-ins by name."""
        names = [role] + list(dict.fromkeys(f.family for f in self.faces if f.role == role))
        return ", ".join(f'"{name}"' for name in names)

    def with_stacks(self, css: str) -> str:
        """``css`` with every role's family name followed by its stand-ins (WeasyPrint falls back
        along the list, character by character)."""
        roles = list(dict.fromkeys(f.role for f in self.faces if f.role))
        if not roles:
            return css
        lines = css.split("\n")
        for i, line in enumerate(lines):
            if line.lstrip().startswith("@font-face"):
                continue  # a rule declaring a face names one family (the templates write each on one line)
            for role in roles:
                line = line.replace(f'"{role}"', self.stack(role))
            lines[i] = line
        return "\n".join(lines)

    def serves(self, name: str) -> frozenset[int] | None:
        """The code points the face ``name`` is subset to; None for a face used whole."""
        return dict(self.served).get(name)


def invisible(char: str) -> bool:
    """Characters that need no glyph: line ends, tabs, format and other default-ignorable
    characters (soft hyphen, zero-width joiners, direction marks, variation selectors)."""
    if char in "\n\r\t\f\v":
        return True
    category = unicodedata.category(char)
    return category in ("Cc", "Cf", "Zl", "Zp") or 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


GENERATED = "0123456789 ivxlcdm.,:;!?()[]/*#-\u2002\u2003\u2009\u00a0\u202f–—…‘’“”«»↩·"
"""What the stylesheets and templates print beside the book's words: folios (also roman),
note numbers, leaders, ornaments, spaces, quotation marks, back-link arrows."""


def book_text(ms: Manuscript) -> str:
    """Everything a reader of any edition may see: the chapters, notes, references, index,
    metadata, every generated word of the book's language and what the stylesheets print."""
    meta = ms.meta
    parts = [GENERATED, meta.title, meta.subtitle, meta.publisher, meta.rights, meta.description, meta.source, meta.edition,
             meta.identifier, meta.url, meta.author_line, " ".join(p.name for p in meta.creators),
             " ".join(meta.subjects), ms.references_title, *table(meta.lang).values(), *dict(meta.strings).values(),
             meta.words.date(meta.date) if meta.date else "", meta.print.page,
             " ".join(f"{f.name} {' '.join(f.designers)}" for f in families().values())]
    for ch in ms.chapters:
        parts += [ch.title_html, ch.short_title, ch.html, *(fn.html for fn in ch.footnotes)]
    parts += [p.title_html for p in ms.parts]
    parts += [r.html + r.annotation for r in ms.references]
    if ms.index is not None:
        parts += [" ".join(e.term for e in ms.index.entries())]
    return "\n".join(parts)


def _role_faces(role: str, family: str, book_fonts: tuple[BookFont, ...]) -> tuple[Font, ...]:
    own = [f for f in book_fonts if f.family == family]
    if own:
        return tuple(Font(role, f.style, f.weight, f.path, "book-" + Path(f.rel).name) for f in own)
    return tuple(dataclasses.replace(face, family=role) for face in families()[family].faces)


def ranges(points: frozenset[int]) -> str:
    """Code points as a CSS ``unicode-range``: ``U+202F, U+0627-062A``."""
    out: list[str] = []
    ordered = sorted(points)
    start = prev = None
    for p in ordered + [None]:
        if start is not None and (p is None or p != prev + 1):
            out.append(f"U+{start:04X}" if start == prev else f"U+{start:04X}-{prev:04X}")
            start = None
        if p is not None and start is None:
            start = p
        prev = p
    return ", ".join(out)


_CODE = re.compile(r"<(?:code|kbd|samp)\b")


def uses(ms: Manuscript) -> tuple[bool, bool]:
    """Whether the book has code, and whether it has MathML (the EPUB's and the web edition's
    formulas; print draws them as outlines, :mod:`.mathsvg`)."""
    fragments = [ch.html for ch in ms.chapters] + [fn.html for ch in ms.chapters for fn in ch.footnotes]
    return any(_CODE.search(f) for f in fragments), any("<math" in f for f in fragments)


def _per_manuscript(question: Callable[[Manuscript], T]) -> Callable[[Manuscript], T]:
    """``question(ms)`` answered once for the last manuscript asked about: every page an edition
    renders asks about the same book, and the answer reads all of its text. A manuscript is
    frozen; one the print edition transforms is another object, asked again."""
    last: list[tuple[Manuscript, T]] = []

    @functools.wraps(question)
    def answer(ms: Manuscript) -> T:
        if last and last[0][0] is ms:
            return last[0][1]
        found = question(ms)
        last[:] = [(ms, found)]
        return found
    return answer


@_per_manuscript
def has_formulas(ms: Manuscript) -> bool:
    """Whether the book has formulas, as MathML or as print's outlines (for the colophon)."""
    fragments = [ch.html for ch in ms.chapters] + [fn.html for ch in ms.chapters for fn in ch.footnotes]
    return any("<math" in f or 'class="math' in f for f in fragments)


@_per_manuscript
def plan(ms: Manuscript) -> Plan:
    """The faces of ``ms``'s book (kept per text and settings: every edition asks): the text and
    display roles; the code role in a book with code; the math face in a book with MathML."""
    meta = ms.meta
    points = frozenset(ord(c) for c in set(book_text(ms)) if not invisible(c))
    # Chinese and Japanese are set in the CJK face, its own Latin letters and figures included.
    default = CJK_FAMILY if is_cjk(meta.lang) else ""
    code, math = uses(ms)
    return _plan(points, meta.style.text_font or default, meta.style.heading_font or default,
                 meta.style.code_font or (DEFAULT_CODE if code else ""), meta.fonts, math)


@functools.lru_cache(maxsize=16)
def _plan(points: frozenset[int], text_font: str, heading_font: str, code_font: str,
          book_fonts: tuple[BookFont, ...], math: bool = False) -> Plan:
    stand_ins: list[Font] = []
    own: list[Font] = []
    served: dict[str, frozenset[int]] = {}
    used: list[str] = []
    roles = [(TEXT, text_font or DEFAULT_TEXT), (DISPLAY, heading_font or DEFAULT_DISPLAY)]
    if code_font:
        roles.append((CODE, code_font))
    for role, family in roles:
        faces = _role_faces(role, family, book_fonts)
        for face in faces:
            if face.path.stat().st_size > LARGE_FONT:
                served[face.name] = (points | SPACES) & cmap(face.path)
        own.extend(f for f in faces if f not in own)
        used.append(family)
        need = points - frozenset().union(*(cmap(f.path) for f in faces))
        for name in chain(role, family):
            if not need:
                break
            take = need & cmap(families()[name].faces[0].path)
            if not take:
                continue
            need -= take
            if any(unicodedata.category(chr(c))[0] in "LN" for c in take):
                used.append(name)  # the colophon names the faces that set letters or figures
            for face in families()[name].faces:
                # Declared with the weights of the role's own face of its style: a browser takes the
                # faces of one family whose descriptors match best, and only those, so a stand-in
                # declared otherwise would be the only face of the role it uses.
                mine = next((f for f in faces if f.style == face.style), faces[0])
                weight = mine.weight if face.weight == families()[name].faces[0].weight else face.weight
                stand_in = dataclasses.replace(face, family=f"{role} {name}", role=role, unicode_range=ranges(take),
                                               name=f"{role.split()[-1].lower()}-{face.name}", weight=weight)
                stand_ins.append(stand_in)
                served[stand_in.name] = take | (SPACES & cmap(face.path))
    if math:
        own.extend(families()[MATH_FAMILY].faces)
    credits = []
    for name in dict.fromkeys(used):
        pinned = families().get(name)
        theirs = any(f.family == name for f in book_fonts)
        credits.append((name, pinned.designers if pinned is not None and not theirs else ()))
    return Plan(tuple(stand_ins + own), tuple(sorted(served.items())), tuple(credits))


def uncovered(points: set[int], meta: Metadata) -> set[int]:
    """The code points no face of the book can show: not in its own fonts nor in any pinned family.
    The families are asked one by one, so that a book whose text its faces cover never reads the
    character map of the 16 MB CJK face."""
    need = set(points)
    for path in (*(f.path for f in meta.fonts), *(face.path for family in families().values()
                                                    for face in family.faces[:1])):
        if not need:
            break
        need -= cmap(path)
    return need


def credits_line(meta: Metadata, faces: Plan, formulas: bool = False) -> str:
    """"EB Garamond (Georg Duffner and Octavio Pardo) and Source Sans 3 (Paul D. Hunt, Adobe)": the
    colophon's list of faces and their designers, joined as the book's language joins a list (with
    STIX Two Math when the book has ``formulas``, which print draws from it)."""
    words = meta.words
    credits = list(faces.credits)
    if formulas and all(name != MATH_FAMILY for name, _designers in credits):
        credits.append((MATH_FAMILY, families()[MATH_FAMILY].designers))
    return words.names([f"{name} ({words.names(list(designers))})" if designers else name
                        for name, designers in credits])


SUBSET = "__subset__"
"""The folder name in the URLs of stand-ins for WeasyPrint (``file:///__subset__/<name>``): the
print layout reads each one subset to the characters it serves (:func:`subset_face`), never the
whole file — the CJK face is 16 MB and 65,000 glyphs, a book needs a few hundred of them."""


@functools.lru_cache(maxsize=16)
def subset_face(path: Path, points: frozenset[int], flavor: str | None = None) -> bytes:
    """The font at ``path`` subset to ``points``, every layout feature kept (the text is shaped
    with it), the same bytes every time; as WOFF with ``flavor="woff"``."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True, recalcTimestamp=False, fontNumber=0)
    options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"], notdef_outline=True,
                             recalc_timestamp=False, hinting=False, glyph_names=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(points))
    subsetter.subset(font)
    font.flavor = flavor
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
