"""The one place that decides which files a build may read, and what they may hold.

A book names files by paths relative to its folder. Every such path goes
through :func:`inside`, which refuses absolute paths, ``..`` escapes, URLs
and symlinks that lead out of the book; WeasyPrint's URL fetcher uses
:func:`allowed_file` for the same rule over the package's own data.
:func:`read_bytes` reads a file within the size limit of its kind (:data:`LIMITS`,
checked with ``stat()`` before reading), :func:`read_text` a text source (UTF-8, no
character XML cannot hold), :func:`link_scheme_refused` judges link targets and
:func:`checked_image` makes sure an image is a picture and nothing more (an SVG is
rebuilt, :mod:`book.svg`). :data:`MAX_DEPTH` bounds the nesting of every YAML and JSON.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import BookError

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def shown(text: str, limit: int = 80) -> str:
    """``text`` short enough for a message: a 3 MB URL must not flood the terminal."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def inside(root: Path, rel: str, file: Path | None = None, line: int = 0, column: int = 0,
           what: str = "file") -> Path:
    """The absolute path of ``rel`` under ``root``; a BookError if it leaves the book."""
    where = dict(file=file, line=line, column=column, rule="outside-book")
    if not rel or not rel.strip():
        raise BookError(f"empty {what} path", hint=f"name the {what} relative to the book folder", **where)
    if rel.lower().startswith("data:"):
        raise BookError(
            f"{what} is a data: URL ({len(rel):,} characters); a book keeps its files as files",
            hint=f"save the {what} as a file in the book folder and give its relative path", **where)
    if _SCHEME.match(rel) and not re.match(r"^[A-Za-z]:[\\/]", rel):
        raise BookError(
            f"{what} '{shown(rel)}' is a URL; a book uses only its own files, nothing is fetched",
            hint=f"download the {what} into the book folder and give its relative path", **where)
    rel_shown = shown(rel)
    if rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", rel):
        raise BookError(f"{what} path '{rel_shown}' is absolute",
                        hint="give the path relative to the file that names it, inside the book folder", **where)
    root = root.resolve()
    candidate = (root / rel)
    if ".." in Path(rel).parts:
        normal = Path(*_normalise(Path(rel).parts))
        if normal.parts[:1] == ("..",):
            raise BookError(f"{what} path '{rel_shown}' leads outside the book folder",
                            hint="keep every file the book uses inside the folder that holds book.yaml", **where)
        candidate = root / normal
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError):  # a symlink loop: RuntimeError up to Python 3.12, OSError after
        raise BookError(f"{what} '{rel_shown}' is a symbolic link that points at itself",
                        hint="replace the link by the file it should name", **where) from None
    if real != root and root not in real.parents:
        raise BookError(f"{what} '{rel_shown}' is a link that leads outside the book folder",
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
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return False
    return any(real == r or r in real.parents for r in (root.resolve() for root in roots))


@dataclass(frozen=True)
class Limit:
    """How large one kind of input may be: checked with ``stat()`` before a byte is read, so that
    a 30 GB file (a sparse one costs nothing on disk) is refused at once instead of filling memory."""

    max_bytes: int
    hint: str
    """What to do about a file over the limit."""


LIMITS: dict[str, Limit] = {
    "book.yaml": Limit(4_000_000, "book.yaml holds settings and the chapter list; keep long texts in chapters"),
    "chapter": Limit(4_000_000, "split it into several chapters, or raise the limit with --max-chapter-bytes"),
    "bibliography": Limit(64_000_000, "split the bibliography into several files, or keep only the works "
                                      "the book cites"),
    "citation style": Limit(4_000_000, "use a CSL style from the Zotero style repository (they are far smaller)"),
    "image": Limit(64_000_000, "make the file smaller: a print-quality picture needs a few megabytes"),
    "cover image": Limit(64_000_000, "make the file smaller: stores ask for about 1600 × 2400 pixels"),
    "word list": Limit(4_000_000, "keep one word a line, only the words the spelling check does not know"),
}
"""One size limit per kind of input (the ``what`` of :func:`read_bytes`), far above any real book."""

MAX_DEPTH = 64
"""How deeply values may nest in any YAML or JSON a build reads (book.yaml, front matter,
bibliographies, a PDF's or a deposit's manifest): far deeper than any real document, and shallow
enough that nothing reading it runs out of stack."""


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.S)


def json_depth_problem(text: str) -> int | None:
    """The offset of the first bracket nested deeper than :data:`~book.confine.MAX_DEPTH` in the
    JSON ``text``, or None; found in one pass before the decoder, which would recurse that deep."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            if depth > MAX_DEPTH + 1:
                return token.start()
        elif first in "]}":
            depth -= 1
    return None


def read_bytes(path: Path, named: Path | None = None, max_bytes: int = 0, what: str = "file") -> bytes:
    """The bytes of the file at ``path``, its size checked against ``max_bytes`` (else the
    :data:`LIMITS` of ``what``) before they are read; errors name ``named``."""
    named = named or path
    limit = max_bytes or (LIMITS[what].max_bytes if what in LIMITS else 0)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(st.st_mode):
            raise BookError(f"{what} '{named}' is not a regular file", file=named,
                            hint="a book's files are plain files, not devices, pipes or sockets",
                            rule="unreadable-file")
        if limit and st.st_size > limit:
            raise _too_large(named, what, st.st_size, limit)
        with open(path, "rb") as fh:
            data = fh.read(limit + 1) if limit else fh.read()
    except FileNotFoundError:
        raise BookError(f"{what} '{named}' does not exist", file=named,
                        hint="check the spelling of the path; it is relative to the book folder",
                        rule="missing-file") from None
    except IsADirectoryError:
        raise BookError(f"{what} '{named}' is a folder, not a file", file=named, rule="missing-file") from None
    except OSError as exc:
        raise BookError(f"cannot read {what} '{named}': {exc.strerror}", file=named,
                        hint="check the file's permissions", rule="unreadable-file") from None
    if limit and len(data) > limit:  # it grew while being read
        raise _too_large(named, what, len(data), limit)
    return data


def _too_large(named: Path, what: str, size: int, limit: int) -> BookError:
    hint = LIMITS[what].hint if what in LIMITS else "make the file smaller"
    return BookError(f"{what} is {size:,} bytes, over the limit of {limit:,}", file=named, line=1, column=1,
                     hint=hint, rule="too-large")


def read_text(path: Path, named: Path | None = None, line: int = 0, column: int = 0,
              max_bytes: int = 0, what: str = "file") -> str:
    """A file's text as UTF-8; errors say which file, and where a bad byte or character is."""
    named = named or path
    data = read_bytes(path, named, max_bytes, what)
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    data = data[bom:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line_no = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise BookError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start + bom}",
            file=named, line=line_no, column=col,
            hint="save the file as UTF-8 in your editor (it may be Latin-1 or Windows-1252)",
            rule="encoding") from None
    bad = CONTROL.search(text)
    if bad:
        before = text[: bad.start()]
        raise BookError(
            f"{character_name(bad.group())} cannot appear in a book",
            file=named, line=before.count("\n") + 1, column=bad.start() - (before.rfind("\n") + 1) + 1,
            hint="delete it (editors often show it as nothing at all); no edition can hold it",
            rule="encoding")
    return text.replace("\r\n", "\n").replace("\r", "\n")


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids: an EPUB holding one is broken, so refuse them at the source. A
lone surrogate (``"\\ud83d"`` in YAML or JSON: half of a character) cannot even be written as UTF-8."""

_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


_CHARREF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def illegal_character(text: str) -> str:
    """The first character in ``text`` no edition can hold (:data:`CONTROL`), also when it is
    written as an HTML character reference (``&#12;``) that Markdown or raw HTML would turn into
    the character itself; "" if there is none."""
    bad = CONTROL.search(text)
    if bad:
        return bad.group()
    if "&#" in text:
        import html

        for ref in _CHARREF.finditer(text):
            # As HTML decodes it (Markdown does the same): most such references become nothing or
            # U+FFFD, but not all (&#12; is a form feed).
            bad = CONTROL.search(html.unescape(ref.group()))
            if bad:
                return bad.group()
    return ""


def character_name(char: str) -> str:
    """How a message names a character :data:`CONTROL` refuses."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"the lone surrogate U+{code:04X} (half of a character)"
    return f"the control character U+{code:04X}"


def join_surrogates(text: str) -> str:
    """``text`` with each surrogate pair made the one character it stands for: YAML reads
    ``"\\ud83d\\ude00"`` as two halves, where JSON (and the author) mean one emoji."""
    if not _SURROGATE_PAIR.search(text):
        return text
    return _SURROGATE_PAIR.sub(lambda m: m.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"), text)


LINK_SCHEMES = ("http", "https", "mailto", "ftp", "tel")
"""URL schemes a link may use. Everything else (javascript:, data:, file:, vbscript: …) is refused."""


def link_scheme_refused(href: str) -> str:
    """The scheme of ``href`` if a link may not use it (``javascript:``), else ""."""
    squashed = re.sub(r"[\s\x00-\x1f]", "", href).lower()
    scheme = _SCHEME.match(squashed)
    if scheme and scheme.group(0)[:-1] not in LINK_SCHEMES and not re.match(r"^[a-z]:[\\/]", squashed):
        return scheme.group(0)
    return ""


_MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
          "image/gif": (b"GIF87a", b"GIF89a")}


def image_problem(path: Path, media_type: str, what: str = "image") -> str:
    """What is wrong with the image file at ``path`` for ``media_type``, or "" if nothing
    (:func:`checked_image`)."""
    return checked_image(path, media_type, what)[0]


def checked_image(path: Path, media_type: str, what: str = "image") -> tuple[str, bytes | None]:
    """What is wrong with the image file at ``path`` for ``media_type`` ("" if nothing), and the
    bytes the editions ship when they are not the file's own: an SVG rebuilt from its allow-list.

    The file must be what its name says (WeasyPrint silently drops an image it
    cannot decode), no larger than the image limit, and an SVG must be a picture, not a program:
    no scripts, event handlers, foreign HTML, entity declarations or references to other files.
    """
    try:
        data = read_bytes(path, path, what=what)
    except BookError as exc:  # said of the file, where the caller says which image it is
        if exc.rule == "too-large":
            return f"is {exc.message.split(' is ', 1)[1]}", None
        return f"cannot be read ({exc.message.rsplit(': ', 1)[-1] if ': ' in exc.message else exc.message})", None
    if media_type in _MAGIC and not data.startswith(_MAGIC[media_type]):
        return f"is not a {media_type[6:].upper()} file", None
    if media_type == "image/webp" and not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "is not a WebP file", None
    if media_type == "image/svg+xml":
        from . import svg

        try:
            return "", svg.rebuild(data)
        except svg.Refused as exc:
            return str(exc), None
    return (_raster_problem(data) if media_type in _MAGIC or media_type == "image/webp" else ""), None


MAX_PIXELS = 60_000_000
"""Pixels an image may have (a 600 dpi A4 page is 35 million): more is a decompression bomb."""


def _raster_problem(data: bytes) -> str:
    """A raster image that cannot be decoded, or would decode to an enormous bitmap."""
    import io
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return f"is {width:,} × {height:,} pixels, more than the {MAX_PIXELS:,} an image may have"
                image.verify()
        except Exception as exc:  # Pillow signals a broken file with many exception types
            return f"cannot be decoded ({type(exc).__name__}: {shown(str(exc), 60)})"
    return ""
