"""The load stage: a book folder becomes a validated :class:`~book.model.Book`.

Reads book.yaml and every chapter it lists, nothing else, in three passes:
book.yaml's settings (:mod:`.config`), the files it names (bibliography, cover,
style), the chapters (:mod:`.chapters`). All problems in book.yaml are reported
together; a chapter problem names the chapter file (or the book.yaml line that
lists a missing one).

With a :class:`~book.memo.Memo` (``serve``), the parsed book.yaml and each
chapter are kept by their text, so a save re-reads every file but parses only
the ones that changed.
"""

from __future__ import annotations

import difflib
import mimetypes
from pathlib import Path

from ..confine import LIMITS, inside, read_text
from ..errors import BookError, BookErrors
from ..memo import Memo, kept_image_problem, kept_inside, remember
from ..model import Book, Chapter, Metadata, Part
from . import looks
from .chapters import read_chapter
from .config import Config, Settings, read_config, short_name, slugify
from .fields import Entry
from .yamlsrc import Located, parse_yaml

MAX_CHAPTER_BYTES = 4_000_000
"""A chapter larger than this is refused (``--max-chapter-bytes`` overrides)."""

STYLE_SUFFIX = ".csl"


def find_config(path: Path) -> Path:
    """book.yaml itself, or the book.yaml inside a folder."""
    if path.is_dir():
        path = path / "book.yaml"
    if not path.is_file():
        raise BookError(f"no book at '{path}'", hint="give --book the folder holding book.yaml, or book.yaml itself",
                        rule="missing-file")
    return path


def load_book(path: Path, max_chapter_bytes: int = MAX_CHAPTER_BYTES,
              collect: list[BookError] | None = None, memo: Memo | None = None) -> Book:
    """Read and validate the book whose book.yaml is at (or in) ``path``.

    With ``collect``, problems are appended to it instead of raised and the book
    holds what could be read (``check`` lints the good chapters of a broken book);
    only a book.yaml that cannot be read at all still raises. With ``memo``, book.yaml's
    YAML is parsed and validated again only when its text changed, and each
    chapter likewise (:func:`~book.load.chapters.read_chapter`)."""
    # The book's real folder: every path confine.inside gives is under it, whatever the
    # command line said (`--book ../book`, a link to the book).
    config_file = find_config(path).resolve()
    root = config_file.parent
    text = read_text(config_file, config_file, what="book.yaml")
    doc = remember(memo, ("book.yaml", config_file), text, lambda: parse_yaml(text, config_file))
    config, problems = remember(memo, ("config", config_file), doc, lambda: _read_config(doc))
    if problems and collect is None:
        raise BookErrors(list(problems))
    if collect is not None:
        collect.extend(problems)

    errors: list[BookError] = []
    bibliography, cover = _named_files(root, config_file, doc, config.settings, errors, memo)
    fonts = looks.book_fonts(root, doc, config.settings.fonts, errors)
    looks.check_families(config.settings.style, fonts, doc, errors)
    css = looks.style_sheets(root, doc, config.settings.css, errors)
    chapters = _chapters(root, config_file, config, max_chapter_bytes, errors, memo)
    if errors and collect is None:
        raise BookErrors(errors)
    if collect is not None:
        collect.extend(errors)

    s = config.settings
    meta = Metadata(
        title=s.title, subtitle=s.subtitle, creators=s.creators, publisher=s.publisher, lang=s.lang, date=s.date,
        identifier=s.identifier, rights=s.rights, description=s.description, subjects=s.subjects, source=s.source,
        edition=s.edition, url=s.url, csl=s.csl, bibliography=bibliography, nocite=s.nocite, cover=cover,
        print=s.print, slug=s.slug, references_title=s.references_title, strings=s.strings, style=s.style,
        fonts=fonts, css=css, spelling=s.spelling, hyphenation=s.hyphenation, numbering=s.numbering, number_sections=s.number_sections,
    )
    where = {key: doc.where((key,)) for key in doc.data} if isinstance(doc.data, dict) else {}
    return Book(root=root, config_file=config_file, meta=meta,
                front=tuple(c for c in chapters if c.matter == "front"), body=_body(chapters),
                back=tuple(c for c in chapters if c.matter == "back"), index_terms=s.index, where=where)


def _read_config(doc: Located) -> tuple[Config, tuple[BookError, ...]]:
    """book.yaml validated, and its problems (:func:`~book.load.config.read_config` with ``collect``)."""
    problems: list[BookError] = []
    return read_config(doc, problems), tuple(problems)


# ------------------------------------------------------------------ files book.yaml names


def _named_files(root: Path, config_file: Path, doc: Located, s: Settings, errors: list[BookError],
                 memo: Memo | None) -> tuple[tuple[Path, ...], Path | None]:
    """The bibliography files and the cover image, each checked to be a file inside the book; the
    style too when it is a file (its content is checked where it is used, in resolve)."""

    def one_file(rel: str, key: tuple, what: str) -> Path | None:
        line, col = doc.where(key)
        try:
            p = inside(root, rel, config_file, line, col, what)
        except BookError as exc:
            errors.append(exc)
            return None
        if not p.is_file():
            errors.append(BookError(f"{what} '{rel}' does not exist", config_file, line, col,
                                    _missing_hint(root, rel), rule="missing-file"))
            return None
        return p

    listed = isinstance(doc.data.get("bibliography"), list)
    bibliography = tuple(p for i, rel in enumerate(s.bibliography)
                         if (p := one_file(rel, ("bibliography", i) if listed else ("bibliography",), "bibliography")))
    cover = one_file(s.cover, ("cover",), "cover image") if s.cover else None
    if cover is not None:
        problem = kept_image_problem(memo, cover, mimetypes.guess_type(cover.name)[0] or "", "cover image")
        if problem:
            errors.append(doc.error(("cover",), f"cover image '{s.cover}' {problem}", rule="bad-image"))
    if s.csl.endswith(STYLE_SUFFIX) or "/" in s.csl or "\\" in s.csl:
        style = one_file(s.csl, ("csl",), "citation style")
        limit = LIMITS["citation style"].max_bytes
        if style is not None and style.stat().st_size > limit:  # lxml reads it whole, later
            errors.append(doc.error(("csl",), f"the citation style '{s.csl}' is {style.stat().st_size:,} bytes, "
                                    f"over the limit of {limit:,}", LIMITS["citation style"].hint, rule="too-large"))
    return bibliography, cover


def _missing_hint(root: Path, rel: str) -> str:
    folder = (root / rel).parent
    if folder.is_dir():
        names = sorted(p.name for p in folder.iterdir())
        close = difflib.get_close_matches(Path(rel).name, names, n=3)
        if close:
            return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return "paths are relative to the folder holding book.yaml"


# ------------------------------------------------------------------ chapters


def _chapters(root: Path, config_file: Path, config: Config, max_bytes: int, errors: list[BookError],
              memo: Memo | None) -> list[Chapter]:
    """Every chapter book.yaml lists, read and checked, in its order; each listed once, each id unique."""
    chapters: list[Chapter] = []
    seen: dict[Path, Entry] = {}
    for entry in config.entries:
        try:
            p, key = kept_inside(memo, root, entry.rel, config_file, entry.line, entry.column, "chapter")
        except BookError as exc:
            errors.append(exc)
            continue
        if not p.suffix.lower() == ".md":
            errors.append(BookError(f"chapter '{entry.rel}' is not a Markdown file", config_file, entry.line,
                                    entry.column, "chapter files end in .md", rule="book-yaml"))
            continue
        if not p.is_file():
            errors.append(BookError(f"chapter file '{entry.rel}' does not exist", config_file, entry.line,
                                    entry.column, _missing_hint(root, entry.rel), rule="missing-file"))
            continue
        if key in seen:
            errors.append(BookError(f"chapter '{entry.rel}' is listed twice (first on line {seen[key].line})",
                                    config_file, entry.line, entry.column,
                                    "a chapter appears once in a book; remove one entry", rule="duplicate-chapter"))
            continue
        seen[key] = entry
        try:
            chapters.append(read_chapter(root, p, entry, max_bytes, memo))
        except BookError as exc:
            errors.append(exc)

    ids: dict[str, Chapter] = {}
    for ch in chapters:
        if ch.id in ids:
            errors.append(BookError(f"chapter id '{ch.id}' is also the id of {ids[ch.id].rel}",
                                    ch.path, 1, 1, "give one of them another 'id:' in its front matter",
                                    rule="duplicate-id"))
        ids[ch.id] = ch
    return chapters


def _body(chapters: list[Chapter]) -> tuple[Chapter | Part, ...]:
    """The body chapters in order, those of a part gathered in it; each part's id unique in the book."""
    ids = {ch.id for ch in chapters}
    body: list[Chapter | Part] = []
    part_ids: set[str] = set()
    for ch in (c for c in chapters if c.matter == "body"):
        if not ch.part:
            body.append(ch)
            continue
        last = body[-1] if body else None
        if isinstance(last, Part) and last.title == ch.part:
            body[-1] = Part(last.id, last.title, last.chapters + (ch,))
        else:
            base = "part-" + short_name(slugify(ch.part))  # a long title must not make a long file name
            pid, n = base, 2
            while pid in part_ids or pid in ids:
                pid = f"{base}-{n}"
                n += 1
            part_ids.add(pid)
            body.append(Part(pid, ch.part, (ch,)))
    return tuple(body)
