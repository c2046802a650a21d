"""A typographic cover for a book that brings no cover image.

E-reader libraries, stores and Kindle conversion want a raster cover image
(an SVG cover is not shown by every reading system and its text would need
fonts the image cannot load), so the cover is a PNG drawn with Pillow from the
pinned fonts: title, subtitle and author, set centred on two fields of
colour. The drawing depends on the metadata and the font files alone, and
PNG carries no timestamp, so the same book always gets the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

from ..fonts import DEFAULT_DISPLAY, DEFAULT_TEXT, DISPLAY, TEXT, chain, cmap, families, fonts
from ..model import Metadata
from ..staging import write_atomic

SIZE = (1600, 2400)
"""Pixels; 2:3, the proportion stores ask for, and large enough for a high-density screen."""

INK = (33, 31, 28)
PAPER = (243, 237, 226)
FIELD = (36, 49, 61)
ACCENT = (178, 143, 86)


@dataclass(frozen=True)
class Cover:
    """The cover image of the EPUB."""

    data: bytes
    media_type: str
    extension: str
    alt: str
    """What the cover shows, for readers who cannot see it."""


def cover_image(meta: Metadata, cache: Path | None = None) -> Cover:
    """The book's own cover (``cover:`` in book.yaml) or a generated one (kept in ``cache``, by
    everything it is drawn from: drawing and compressing it took a fifth of an EPUB-only build)."""
    alt = cover_alt(meta)
    if meta.cover is not None:
        suffix = meta.cover.suffix.lower()
        media = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}[suffix]
        return Cover(meta.cover.read_bytes(), media, ".jpg" if media == "image/jpeg" else ".png", alt)
    if cache is None:
        return Cover(generated_cover(meta), "image/png", ".png", alt)
    kept = cache / "cover" / f"{_cover_key(meta)}.png"
    if kept.is_file():
        data = kept.read_bytes()
    else:
        data = generated_cover(meta)
        for old in kept.parent.glob("*.png") if kept.parent.is_dir() else ():
            old.unlink(missing_ok=True)
        write_atomic(kept, data)
    return Cover(data, "image/png", ".png", alt)


def _cover_key(meta: Metadata) -> str:
    """A hash of what the generated cover is drawn from: the words on it, the fonts, the drawing code."""
    import PIL
    from PIL import features

    h = hashlib.sha256(repr((meta.title, meta.subtitle, meta.author_line, meta.publisher, SIZE, PAPER, FIELD,
                             PIL.__version__, features.check("raqm"))).encode())
    text = "".join(_curly(t) for t in (meta.title, meta.subtitle, meta.author_line, meta.publisher))
    for path in _faces(text):
        h.update(hashlib.sha256(path.read_bytes()).digest())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:32]


def cover_alt(meta: Metadata) -> str:
    """What the cover shows, in the book's language: "Cover of <title>, by <authors>"."""
    title = meta.title + (f": {meta.subtitle}" if meta.subtitle else "")
    if meta.author_line:
        return meta.words.text("cover-of-by", title=title, author=meta.author_line)
    return meta.words.text("cover-of", title=title)


def generated_cover(meta: Metadata) -> bytes:
    from PIL import Image, ImageDraw

    width, height = SIZE
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    split = round(height * 0.64)
    draw.rectangle((0, 0, width, split), fill=FIELD)
    margin = 150
    measure = width - 2 * margin

    title, subtitle, author_line, publisher = (_curly(t) for t in (meta.title, meta.subtitle, meta.author_line,
                                                                  meta.publisher))
    serif, serif_italic, sans = _faces(title + subtitle + author_line + publisher)
    size, lines = _fit(title, serif, 500, measure, start=176, smallest=80, max_lines=4)
    title_font = _font(serif, size, 500)
    leading = round(size * 1.12)
    block = leading * len(lines)
    sub_lines: list[str] = []
    sub_font = None
    sub_leading = 0
    if subtitle:
        sub_size, sub_lines = _fit(subtitle, serif_italic, 400, measure, start=round(size * 0.52),
                                   smallest=44, max_lines=3)
        sub_font = _font(serif_italic, sub_size, 400)
        sub_leading = round(sub_size * 1.25)
        block += round(size * 0.55) + sub_leading * len(sub_lines)
    y = max(margin + 60, (split - block) // 2)
    for line in lines:
        _centred(draw, line, title_font, y, width, (243, 237, 226))
        y += leading
    if sub_font is not None:
        y += round(size * 0.55)
        for line in sub_lines:
            _centred(draw, line, sub_font, y, width, (214, 200, 172))
            y += sub_leading

    rule_y = split + 150
    draw.rectangle(((width - 220) // 2, rule_y, (width + 220) // 2, rule_y + 4), fill=ACCENT)
    author = author_line.upper()
    if author:
        a_size, a_lines = _fit(author, sans, 600, measure, start=64, smallest=34, max_lines=3, tracking=0.12)
        a_font = _font(sans, a_size, 600)
        y = rule_y + 110
        for line in a_lines:
            _centred(draw, line, a_font, y, width, INK, tracking=0.12)
            y += round(a_size * 1.5)
    if publisher and publisher.upper() != author:
        p_font = _font(sans, 34, 600)
        _centred(draw, publisher.upper(), p_font, height - 190, width, (96, 90, 82), tracking=0.16)

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _curly(text: str) -> str:
    """Typewriter apostrophes in metadata become the printer's (Boys' → Boys’) on the cover."""
    return text.replace("'", "\u2019")


def _faces(text: str) -> tuple[Path, Path, Path]:
    """The serif, its italic and the sans the cover is drawn in: the pinned faces, or for a text in
    a script they lack (Arabic, Hebrew, Japanese …) the first pinned family that has every
    character of it — an image cannot fall back from face to face as the editions' text does."""
    by_key = {(f.family, f.style): f.path for f in fonts()}
    faces = (by_key[(TEXT, "normal")], by_key[(TEXT, "italic")], by_key[(DISPLAY, "normal")])
    points = {ord(c) for c in text if not c.isspace()}
    if points <= cmap(faces[0]) and points <= cmap(faces[2]):
        return faces
    for role, face in ((TEXT, faces[0]), (DISPLAY, faces[2])):
        if points <= cmap(face):
            continue
        for name in chain(role, DEFAULT_TEXT if role == TEXT else DEFAULT_DISPLAY):
            path = families()[name].faces[0].path
            if points <= cmap(path) or not (points - cmap(face)) - cmap(path):
                if role == TEXT:
                    faces = (path, path, faces[2])
                else:
                    faces = (faces[0], faces[1], path)
                break
    return faces


def _font(path: Path, size: int, weight: int):
    from PIL import ImageFont, features

    # Raqm (HarfBuzz) kerns and ligates; Pillow's wheels bundle it, so the result is the same
    # wherever the same Pillow is installed.
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(path), size, layout_engine=engine)
    try:
        axes = font.get_variation_axes()
    except (OSError, ValueError):
        return font  # not a variable font: its one weight it is
    values = [weight if bytes(a.get("name", b"")) in (b"Weight", b"wght") else a["default"] for a in axes]
    font.set_variation_by_axes([min(max(v, a["minimum"]), a["maximum"]) for v, a in zip(values, axes)])
    return font


def _width(text: str, font, tracking: float = 0.0) -> float:
    if not tracking:
        return font.getlength(text)
    return sum(font.getlength(c) for c in text) + tracking * font.size * (len(text) - 1)


def _fit(text: str, path: Path, weight: int, measure: int, start: int, smallest: int, max_lines: int,
         tracking: float = 0.0) -> tuple[int, list[str]]:
    """The largest size (from ``start`` down) at which the text fits in ``max_lines`` balanced lines."""
    words = text.split()
    size = start
    while True:
        font = _font(path, size, weight)
        for count in range(1, min(max_lines, len(words)) + 1):
            lines = _balanced(words, count, font, tracking)
            if max(_width(line, font, tracking) for line in lines) <= measure:
                return size, lines
        if size <= smallest:
            return size, _balanced(words, min(max_lines, len(words)), font, tracking)
        size = max(smallest, round(size * 0.92))


def _balanced(words: list[str], count: int, font, tracking: float) -> list[str]:
    """Break into ``count`` lines whose longest is as short as possible (titles are short)."""
    best: list[str] = [" ".join(words)]
    best_width = float("inf")
    for cuts in itertools.combinations(range(1, len(words)), count - 1):
        bounds = (0, *cuts, len(words))
        lines = [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:])]
        widest = max(_width(line, font, tracking) for line in lines)
        if widest < best_width - 0.5:
            best, best_width = lines, widest
    return best


def _centred(draw, text: str, font, y: int, width: int, fill, tracking: float = 0.0) -> None:
    x = (width - _width(text, font, tracking)) / 2
    if not tracking:
        draw.text((x, y), text, font=font, fill=fill)
        return
    for char in text:
        draw.text((x, y), char, font=font, fill=fill)
        x += font.getlength(char) + tracking * font.size
