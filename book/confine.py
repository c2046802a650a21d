"""The one place that decides which files a build may read, and what they may hold.

A book names files by paths relative to its folder. Every such path goes
through :func:`inside`, which refuses absolute paths, ``..`` escapes, URLs
and symlinks that lead out of the book; WeasyPrint's URL fetcher uses
:func:`allowed_file` for the same rule over the package's own data.
:func:`read_text` reads text sources (UTF-8, no control characters, a size
limit), :func:`link_scheme_refused` judges link targets and
:func:`image_problem` makes sure an image is a picture and nothing more.
"""

from __future__ import annotations

import re
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


def read_text(path: Path, named: Path | None = None, line: int = 0, column: int = 0,
              max_bytes: int = 0, what: str = "file") -> str:
    """A file's text as UTF-8; errors say which file, and where a bad byte or character is."""
    named = named or path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BookError(f"{what} '{named}' does not exist", file=named,
                        hint="check the spelling of the path; it is relative to the book folder",
                        rule="missing-file") from None
    except IsADirectoryError:
        raise BookError(f"{what} '{named}' is a folder, not a file", file=named, rule="missing-file") from None
    except OSError as exc:
        raise BookError(f"cannot read {what} '{named}': {exc.strerror}", file=named,
                        hint="check the file's permissions", rule="unreadable-file") from None
    if max_bytes and len(data) > max_bytes:
        raise BookError(f"{what} is {len(data):,} bytes, over the limit of {max_bytes:,}",
                        file=named, line=1, column=1,
                        hint="split it into several chapters, or raise the limit with --max-chapter-bytes",
                        rule="too-large")
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
            f"the control character U+{ord(bad.group()):04X} cannot appear in a book",
            file=named, line=before.count("\n") + 1, column=bad.start() - (before.rfind("\n") + 1) + 1,
            hint="delete it (editors often show it as nothing at all); no edition can hold it",
            rule="encoding")
    return text.replace("\r\n", "\n").replace("\r", "\n")


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 forbids: an EPUB holding one is broken, so refuse them at the source."""

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
_SVG = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def image_problem(path: Path, media_type: str) -> str:
    """What is wrong with the image file at ``path`` for ``media_type``, or "" if nothing.

    The file must be what its name says (WeasyPrint silently drops an image it
    cannot decode), and an SVG must be a picture, not a program: no scripts,
    event handlers, foreign HTML, entity declarations or references to other files.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if media_type in _MAGIC and not data.startswith(_MAGIC[media_type]):
        return f"is not a {media_type[6:].upper()} file"
    if media_type == "image/webp" and not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "is not a WebP file"
    if media_type == "image/svg+xml":
        return _svg_problem(data)
    return _raster_problem(data) if media_type in _MAGIC or media_type == "image/webp" else ""


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


def _svg_problem(data: bytes) -> str:
    from lxml import etree

    if b"<!ENTITY" in data:
        return "declares XML entities, which an SVG picture does not need"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"is not well-formed SVG ({exc.msg})"
    if root.tag != _SVG + "svg":
        return "is not an SVG file (its root element is not <svg>)"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        name = etree.QName(element).localname
        if name in ("script", "foreignObject", "iframe", "object", "embed", "handler", "listener"):
            return f"holds a <{name}> element; an SVG picture may not run code or embed documents"
        for attr, value in element.attrib.items():
            local = etree.QName(attr).localname.lower()
            if local.startswith("on"):
                return f"has an event handler '{local}' on <{name}>"
            if (attr == _XLINK_HREF or local in ("href", "src")) and not value.strip().startswith("#"):
                return f"refers to '{shown(value)}' from <{name}>; an SVG in a book must be self-contained"
            if "url(" in value.replace(" ", "").lower() and not re.search(r"url\(\s*['\"]?#", value):
                return f"refers to another file with url() in <{name}>"
        if name == "style" and re.search(r"@import|url\(\s*['\"]?(?!#)", element.text or ""):
            return "has a <style> that refers to other files"
    return ""
