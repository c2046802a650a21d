"""The load stage: a book folder becomes a validated :class:`~book.model.Book`.

Reads book.yaml and every chapter it lists, nothing else. All problems in
book.yaml are reported together; a chapter problem names the chapter file
(or the book.yaml line that lists a missing one).

With a :class:`~book.memo.Memo` (``serve``), the parsed book.yaml and each
chapter are kept by their text, so a save re-reads every file but parses only
the ones that changed.
"""

from __future__ import annotations

import difflib
import mimetypes
import re
from pathlib import Path

from .config import Config, Entry, read_config, slugify
from .confine import inside, read_text
from .errors import BookError, BookErrors
from .memo import Memo, kept_image_problem, kept_inside, remember
from .model import Book, Chapter, Metadata, Part
from .yamlsrc import parse_yaml

MAX_CHAPTER_BYTES = 4_000_000
"""A chapter larger than this is refused (``--max-chapter-bytes`` overrides)."""

FRONT_MATTER_KEYS = {"title": "the chapter title (required)",
                     "short-title": "a shorter title for running heads",
                     "id": "the chapter's id for links and handouts",
                     "index": "false: the builder does not look for book.yaml's index terms in this chapter"}

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


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
    chapter likewise (:func:`_read_chapter`)."""
    config_file = find_config(path).absolute()
    root = config_file.parent
    text = read_text(config_file, config_file, what="book.yaml")
    doc = remember(memo, ("book.yaml", config_file), text, lambda: parse_yaml(text, config_file))
    config, problems = remember(memo, ("config", config_file), doc, lambda: _read_config(doc))
    if problems and collect is None:
        raise BookErrors(list(problems))
    if collect is not None:
        collect.extend(problems)
    f = config.fields

    errors: list[BookError] = []

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

    bibliography = []
    for i, rel in enumerate(f["bibliography"]):
        p = one_file(rel, ("bibliography", i) if isinstance(doc.data.get("bibliography"), list) else ("bibliography",), "bibliography")
        if p:
            bibliography.append(p)
    cover = one_file(f["cover"], ("cover",), "cover image") if f["cover"] else None
    if cover is not None:
        problem = kept_image_problem(memo, cover, mimetypes.guess_type(cover.name)[0] or "")
        if problem:
            errors.append(doc.error(("cover",), f"cover image '{f['cover']}' {problem}", rule="bad-image"))
    errors += _check_style(f["csl"], root, doc, one_file)

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
            chapters.append(_read_chapter(root, p, entry, max_chapter_bytes, memo))
        except BookError as exc:
            errors.append(exc)

    ids: dict[str, Chapter] = {}
    for ch in chapters:
        if ch.id in ids:
            errors.append(BookError(f"chapter id '{ch.id}' is also the id of {ids[ch.id].rel}",
                                    ch.path, 1, 1, "give one of them another 'id:' in its front matter",
                                    rule="duplicate-id"))
        ids[ch.id] = ch
    if errors and collect is None:
        raise BookErrors(errors)
    if collect is not None:
        collect.extend(errors)

    meta = Metadata(
        title=f["title"], subtitle=f["subtitle"], creators=f["creators"], publisher=f["publisher"],
        lang=f["lang"], date=f["date"] or "", identifier=f["identifier"], rights=f["rights"],
        description=f["description"], subjects=f["subjects"], source=f["source"], edition=f["edition"],
        url=f["url"], csl=f["csl"], bibliography=tuple(bibliography), nocite=f["nocite"], cover=cover,
        print=f["print"], slug=f["slug"], references_title=f["references_title"],
    )
    front = tuple(c for c in chapters if c.matter == "front")
    back = tuple(c for c in chapters if c.matter == "back")
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
            pid = "part-" + slugify(ch.part)
            n = 2
            while pid in part_ids or pid in ids:
                pid = f"part-{slugify(ch.part)}-{n}"
                n += 1
            part_ids.add(pid)
            body.append(Part(pid, ch.part, (ch,)))
    return Book(root=root, config_file=config_file, meta=meta, front=front, body=tuple(body), back=back,
                index_terms=f["index"])


def _read_config(doc) -> tuple[Config, tuple[BookError, ...]]:
    """book.yaml validated, and its problems (:func:`~book.config.read_config` with ``collect``)."""
    problems: list[BookError] = []
    return read_config(doc, problems), tuple(problems)


def _check_style(csl: str, root: Path, doc, one_file) -> list[BookError]:
    """Problems with the ``csl:`` style, placed on its line in book.yaml: a path must stay in the book."""
    from .cite.format import load_style

    if csl.endswith(".csl") or "/" in csl or "\\" in csl:
        if one_file(csl, ("csl",), "citation style") is None:
            return []
    try:
        load_style(csl, root)
    except BookError as exc:
        if exc.file is not None and exc.line:
            return [exc]  # a mistake inside the .csl file itself
        return [doc.error(("csl",), exc.message, exc.hint, rule=exc.rule or "unknown-style")]
    return []


def _missing_hint(root: Path, rel: str) -> str:
    folder = (root / rel).parent
    if folder.is_dir():
        names = sorted(p.name for p in folder.iterdir())
        close = difflib.get_close_matches(Path(rel).name, names, n=3)
        if close:
            return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return "paths are relative to the folder holding book.yaml"


def _read_chapter(root: Path, path: Path, entry: Entry, max_bytes: int, memo: Memo | None = None) -> Chapter:
    """The chapter file at ``path``, read and checked. With ``memo``, its front matter's YAML is
    parsed again only when the file's text changed (:func:`_front_matter`)."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else entry.rel
    text = read_text(path, path, max_bytes=max_bytes, what="chapter")
    if not text.strip():
        raise BookError("the chapter file is empty", path, 1, 1,
                        "write a front matter block with a title, then the text", rule="empty-chapter")
    fm, body_line, body = remember(memo, ("front matter", path), text, lambda: _front_matter(path, text))
    title = str(fm.get("title", "")).strip()
    if not title:
        raise BookError("the chapter has no title", path, 1, 1, "add 'title: ...' to its front matter",
                        rule="front-matter")
    cid = str(fm.get("id") or path.stem).strip()
    if not _ID.fullmatch(cid):
        if "id" in fm:
            raise BookError(f"chapter id '{cid}' is not usable", path, 2, 1,
                            "an id starts with a letter and holds letters, digits, '-' and '_'", rule="front-matter")
        cid = "ch-" + slugify(cid)
    if not body.strip():
        raise BookError("the chapter has a title but no text", path, body_line, 1,
                        "write the chapter's text after the front matter", rule="empty-chapter")
    return Chapter(id=cid, path=path, rel=rel, title=title, short_title=str(fm.get("short-title") or title).strip(),
                   markdown=body, body_line=body_line, matter=entry.matter, part=entry.part,
                   listed_at=entry.line, front_matter=fm)


def _front_matter(path: Path, text: str) -> tuple[dict, int, str]:
    """A chapter file's front matter, checked; the line its body starts on; the body."""
    if not text.startswith("---\n"):
        raise BookError("the chapter has no front matter", path, 1, 1,
                        "start the file with '---', a line 'title: ...', and '---'", rule="front-matter")
    end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.M)
    if not end:
        raise BookError("the front matter is not closed", path, 1, 1,
                        "end the front matter with a line holding only '---'", rule="front-matter")
    block = text[4: 4 + end.start()]
    located = parse_yaml(block, path, line_offset=1)
    if located.data is not None and not isinstance(located.data, dict):
        raise located.error((), "front matter must be a mapping such as 'title: ...'", rule="front-matter")
    fm = located.data or {}
    for key in sorted(set(fm) - set(FRONT_MATTER_KEYS)):
        close = difflib.get_close_matches(key, sorted(FRONT_MATTER_KEYS), n=1)
        raise located.error((key,), f"unknown front matter key '{key}'",
                            f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(FRONT_MATTER_KEYS),
                            key=True, rule="front-matter")
    if "index" in fm and not isinstance(fm["index"], bool):
        raise located.error(("index",), "'index' must be true or false", rule="front-matter")
    for key in FRONT_MATTER_KEYS:
        if key in fm and key != "index" and not isinstance(fm[key], (str, int)):
            raise located.error((key,), f"'{key}' must be text", rule="front-matter")
    return fm, 2 + block.count("\n") + 1, text[4 + end.end() + 1:]
