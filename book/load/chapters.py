"""A chapter file: YAML front matter (title, id, short title) and the Markdown body.

Every problem names the chapter file and the line: a missing or unclosed
front matter, an unknown key (with the closest known one), a title or text
that is missing, an id that cannot be used.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ..confine import read_text
from ..errors import BookError
from ..memo import Memo, remember
from ..model import Chapter
from .config import MAX_NAME, short_name, slugify
from .fields import Entry
from .yamlsrc import parse_yaml

FRONT_MATTER_KEYS = {"title": "the chapter title (required)",
                     "short-title": "a shorter title for running heads",
                     "id": "the chapter's id for links and handouts",
                     "index": "false: the builder does not look for book.yaml's index terms in this chapter"}

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

MAX_BRACKETS = 10_000
"""``[`` a chapter may hold (``\\[`` aside), checked before it is parsed: each may open a link, a
span, a note or a citation that markdown-it explores up to 64 levels deep, about 0.1 ms a bracket.
A chapter with thousands of citations has fewer; a line of a million took minutes."""



def read_chapter(root: Path, path: Path, entry: Entry, max_bytes: int, memo: Memo | None = None) -> Chapter:
    """The chapter file at ``path``, read and checked. With ``memo``, its front matter's YAML is
    parsed again only when the file's text changed (:func:`_front_matter`)."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else entry.rel
    text = read_text(path, path, max_bytes=max_bytes, what="chapter")
    if not text.strip():
        raise BookError("the chapter file is empty", path, 1, 1,
                        "write a front matter block with a title, then the text", rule="empty-chapter")
    fm, body_line, body = remember(memo, ("front matter", path), text, lambda: front_matter(path, text))
    title = str(fm.get("title", "")).strip()
    if not title:
        raise BookError("the chapter has no title", path, 1, 1, "add 'title: ...' to its front matter",
                        rule="front-matter")
    cid = str(fm.get("id") or path.stem).strip()
    if "id" in fm and not (_ID.fullmatch(cid) and len(cid) <= MAX_NAME):
        line = _key_line(text, "id")
        if len(cid) > MAX_NAME:
            raise BookError(f"chapter id '{cid[:20]}…' is {len(cid)} characters long, more than the {MAX_NAME} "
                            "a file name of the editions may take", path, line, 1, "choose a shorter id",
                            rule="front-matter")
        raise BookError(f"chapter id '{cid}' is not usable", path, line, 1,
                        "an id starts with a letter and holds letters, digits, '-' and '_'", rule="front-matter")
    if not _ID.fullmatch(cid):
        cid = "ch-" + slugify(cid)
    if len(cid) > MAX_NAME:  # from a long file name: the editions' file names would be longer still
        cid = short_name(cid)
    if not body.strip():
        raise BookError("the chapter has a title but no text", path, body_line, 1,
                        "write the chapter's text after the front matter", rule="empty-chapter")
    brackets = body.count("[") - body.count("\\[")
    if brackets > MAX_BRACKETS:
        at = -1
        for _ in range(MAX_BRACKETS + 1):
            at = body.find("[", at + 1)
        raise BookError(f"the chapter holds {brackets:,} brackets '[', more than the {MAX_BRACKETS:,} a chapter "
                        "may open", path, body_line + body.count("\n", 0, at), 1,
                        "write a bracket that is only a bracket as \\[, or split the chapter", rule="too-large")
    return Chapter(id=cid, path=path, rel=rel, title=title, short_title=str(fm.get("short-title") or title).strip(),
                   markdown=body, body_line=body_line, matter=entry.matter, part=entry.part, front_matter=fm)


def _key_line(text: str, key: str) -> int:
    """The line of the front matter that sets ``key`` (2, the first inside it, if none does)."""
    for number, line in enumerate(text.split("\n")[1:], 2):
        if line.startswith(f"{key}:"):
            return number
        if line.rstrip() in ("---", "..."):
            break
    return 2


def front_matter(path: Path, text: str) -> tuple[dict, int, str]:
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
