"""The one place that decides which files a build may read.

A book names files by paths relative to its folder. Every such path goes
through :func:`inside`, which refuses absolute paths, ``..`` escapes, URLs
and symlinks that lead out of the book; WeasyPrint's URL fetcher uses
:func:`allowed_file` for the same rule over the package's own data.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import BookError

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def inside(root: Path, rel: str, file: Path | None = None, line: int = 0, column: int = 0,
           what: str = "file") -> Path:
    """The absolute path of ``rel`` under ``root``; a BookError if it leaves the book."""
    where = dict(file=file, line=line, column=column, rule="outside-book")
    if not rel or not rel.strip():
        raise BookError(f"empty {what} path", hint=f"name the {what} relative to the book folder", **where)
    if _SCHEME.match(rel) and not re.match(r"^[A-Za-z]:[\\/]", rel):
        raise BookError(
            f"{what} '{rel}' is a URL; a book uses only its own files",
            hint=f"download the {what} into the book folder and give its relative path", **where)
    if rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", rel):
        raise BookError(f"{what} path '{rel}' is absolute",
                        hint="give the path relative to the file that names it, inside the book folder", **where)
    root = root.resolve()
    candidate = (root / rel)
    if ".." in Path(rel).parts:
        normal = Path(*_normalise(Path(rel).parts))
        if normal.parts[:1] == ("..",):
            raise BookError(f"{what} path '{rel}' leads outside the book folder",
                            hint="keep every file the book uses inside the folder that holds book.yaml", **where)
        candidate = root / normal
    real = candidate.resolve()
    if real != root and root not in real.parents:
        raise BookError(f"{what} '{rel}' is a link that leads outside the book folder",
                        hint="copy the file into the book folder instead of linking to it", **where)
    return candidate


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            else:
                out.append("..")
        elif part != ".":
            out.append(part)
    return out


def allowed_file(path: Path, roots: tuple[Path, ...]) -> bool:
    """True if ``path``, symlinks resolved, lies under one of ``roots``."""
    real = path.resolve()
    return any(real == r or r in real.parents for r in (root.resolve() for root in roots))


def read_text(path: Path, shown: Path | None = None, line: int = 0, column: int = 0,
              max_bytes: int = 0, what: str = "file") -> str:
    """A file's text as UTF-8; errors say which file, and where a bad byte is."""
    shown = shown or path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BookError(f"{what} '{shown}' does not exist", file=None if line == 0 else None,
                        hint="check the spelling of the path; it is relative to the book folder",
                        rule="missing-file") from None
    except IsADirectoryError:
        raise BookError(f"{what} '{shown}' is a folder, not a file", rule="missing-file") from None
    except OSError as exc:
        raise BookError(f"cannot read {what} '{shown}': {exc.strerror}", file=shown,
                        hint="check the file's permissions", rule="unreadable-file") from None
    if max_bytes and len(data) > max_bytes:
        raise BookError(f"{what} is {len(data):,} bytes, over the limit of {max_bytes:,}",
                        file=shown, line=1, column=1,
                        hint="split it into several chapters, or raise the limit with --max-chapter-bytes",
                        rule="too-large")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line_no = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise BookError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            file=shown, line=line_no, column=col,
            hint="save the file as UTF-8 in your editor (it may be Latin-1 or Windows-1252)",
            rule="encoding") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
