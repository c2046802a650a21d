"""The web edition: static HTML pages in ``dist/web/``, readable offline and searchable.

One page per chapter, a title-and-contents page, the references and a
search page. Citations carry ids so that each reference-list entry links
back to every place that cites it; footnotes link both ways. Search works
from the file system with no server and no network: the publisher writes
the text of every section into ``assets/search-index.js`` (a script, not
JSON, because browsers refuse ``fetch`` on ``file:`` URLs) and
``templates/web/search.js`` searches it in the page.

:func:`web_files` is the whole edition as a mapping, path → content; the
publisher writes it, and ``serve`` serves it from memory. Every page's
sidebar lists the contents: the list is rendered once and put into each
page. ``serve`` passes a :class:`~book.memo.Memo`, which keeps each page
(and its part of the search index) until what it shows changes.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import shutil
from pathlib import Path

from ..fonts import Font
from ..memo import Memo, remember
from ..model import Manuscript
from ..render.context import OWN_CSS, book_css, context
from ..render.faces import Plan, plan, subset_face
from ..render.templates import book_templates, environment_for, raw
from ..render.web import search_index_script, templates_look, web_pages
from ..resources import TEMPLATES
from ..staging import replace_folder, staging_folder
from . import Output, Supplies
from .editions import EDITIONS

Content = bytes | Path
"""A file of the edition: bytes made by the build (pages, stylesheet, fonts), or a file to copy (images)."""


# ------------------------------------------------------------------- files


def web_fonts(faces: Plan) -> tuple[Font, ...]:
    """The book's faces as the web edition serves them: WOFF files (``fonts/<name>.woff``)."""
    return tuple(dataclasses.replace(font, name=Path(font.name).with_suffix(".woff").name) for font in faces.faces)


def web_font(font: Font, faces: Plan) -> bytes:
    """A face as WOFF: a role's own face whole, a script fallback subset to the characters it serves
    (the CJK face is 16 MB; a book's kanji are a few hundred kilobytes of it)."""
    served = faces.serves(font.name.replace(".woff", Path(font.path).suffix))
    return woff(font.path) if served is None else subset_face(font.path, served, "woff")


@functools.lru_cache(maxsize=8)
def woff(path: Path) -> bytes:
    """A font file as WOFF 1.0: the same tables, each compressed with zlib — less than half the
    bytes a reader's browser downloads (the fonts were 2.6 MB of the 3 MB edition), and every
    browser reads it. Not WOFF2: its Brotli took 11 s of CPU a build for a further third.
    Tables are copied as they are (``lazy``, no timestamps recomputed): same input, same bytes.
    Kept per process, for ``serve``."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=False)
    return buffer.getvalue()


def web_files(ms: Manuscript, templates: Path = TEMPLATES, memo: Memo | None = None) -> dict[str, Content]:
    """The whole web edition: relative path → bytes, or a source file to copy.

    With ``memo`` (``serve``), what an edit did not change is not rendered again: see
    :func:`_pages` and :func:`search_index_script`."""
    own = book_templates(ms.book.root)
    look = templates_look(templates) + (templates_look(own) if own else "") if memo is not None else ""
    files: dict[str, Content] = {page.document.name: page.data for page in web_pages(ms, templates, memo, look)}
    book_faces = plan(ms)
    faces = web_fonts(book_faces)
    shared = {k: v for k, v in context(ms).items() if k in ("t", "dir", "style", "meta")}
    files["assets/book.css"] = remember(
        memo, "book.css", (look, faces, ms.meta.style, ms.meta.lang),
        lambda: environment_for(ms, templates).get_template("web/book.css").render(fonts=faces, **shared).encode())
    own = book_css(ms, "web", lambda rel: "../" + rel)
    if own:
        files[OWN_CSS["web"]] = own.encode()
        for rel in sorted({u for sheet in ms.meta.css if "web" in sheet.editions for u in sheet.urls}):
            files[rel] = ms.book.root / rel
    files["assets/search.js"] = raw(ms, templates, "web/search.js").encode()
    files["assets/search-index.js"] = search_index_script(ms, memo)
    for font in faces:
        files[f"assets/fonts/{font.name}"] = web_font(font, book_faces)
    for asset in ms.assets:
        files[asset.href] = asset.data if asset.data is not None else asset.path
    return files


def write_web(ms: Manuscript, target: Path) -> int:
    """Write the web edition into the folder ``target``; return the number of HTML pages.

    The folder is built beside the old one and replaced as a whole (when the build
    commits, see :mod:`book.staging`), so a failed build leaves the previous edition whole."""
    files = web_files(ms)
    staging = staging_folder(target)
    try:
        for rel, content in sorted(files.items()):
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, dest)
            else:
                dest.write_bytes(content)
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sum(1 for rel in files if rel.endswith(".html"))


def publish(ms: Manuscript, out: Path, supplies: Supplies) -> list[Output]:
    """The web edition, a folder of pages."""
    target = EDITIONS["web"].path(ms.meta, out)
    count = write_web(ms, target)
    return [Output(target, "web", count, "pages")]
