"""The archival edition: the print layout as PDF/A-3, carrying the book's own sources.

A library keeps the PDF for decades; the sources inside it let anyone rebuild
or correct the book without this repository. PDF/A-3 (ISO 19005-3) allows
embedded files when each is an *associated file* of the document with a stated
relationship: ours are ``/Source`` (book.yaml, every chapter, the bibliography,
the CSL style, images, the cover) plus a JSON manifest (``/Supplement``) with
each file's path, size and SHA-256. ``extract`` restores the files into a
folder and checks them against the manifest.

The PDF is joined from the *same* pieces as the print edition (the pages are
identical, :mod:`.join`), as PDF/A-3u: the sRGB output intent, the ``pdfaid``
XMP, the ``/AF`` entries. Everything is reproducible: files are attached in
sorted order (the EmbeddedFiles name tree must be sorted anyway) with the
build's timestamp and a media type from our own table, never from the
machine's mimetypes database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..confine import CONTROL, MAX_DEPTH, json_depth_problem, read_bytes, shown
from ..errors import BookError, BookErrors
from ..model import Manuscript
from ..render.templates import book_templates
from . import Output, Supplies
from .editions import EDITIONS

MANIFEST = "manifest.json"
"""The manifest's name inside the PDF; it is not one of the book's files and is not restored."""
FORMAT = "bookbuilder-sources/1"
VARIANT = "pdf/a-3u"

_MEDIA = {".md": "text/markdown", ".yaml": "application/yaml", ".yml": "application/yaml",
          ".json": "application/json", ".csl": "application/vnd.citationstyles.style+xml",
          ".bib": "application/x-bibtex", ".txt": "text/plain", ".png": "image/png",
          ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml",
          ".webp": "image/webp", ".tif": "image/tiff", ".tiff": "image/tiff", ".css": "text/css",
          ".ttf": "font/ttf", ".otf": "font/otf", ".html": "text/html", ".xhtml": "application/xhtml+xml"}

WORD_LIST = "words.txt"
"""The book's own spelling word list (``check``): part of its sources when present."""


@dataclass(frozen=True)
class Source:
    """One file of the book's sources."""

    path: Path
    """Absolute path."""
    rel: str
    """Path relative to the book folder, with ``/``: its name in the PDF and in ``extract``'s folder."""
    role: str
    """``book``, ``chapter``, ``bibliography``, ``style``, ``image``, ``cover``, ``word-list``, ``font``,
    ``stylesheet``, ``stylesheet-file`` or ``template``."""

    @property
    def media_type(self) -> str:
        return _MEDIA.get(self.path.suffix.lower(), "application/octet-stream")


def sources(ms: Manuscript) -> tuple[Source, ...]:
    """Every file the book is made from, sorted by path, each once."""
    book = ms.book
    found: dict[str, Source] = {}

    def add(path: Path, role: str) -> None:
        try:
            rel = path.resolve().relative_to(book.root.resolve()).as_posix()
        except ValueError:
            raise BookError(f"'{path}' is outside the book folder and cannot be archived with it",
                            book.config_file, hint="keep every file the book uses inside its folder",
                            rule="outside-book") from None
        found.setdefault(rel, Source(path, rel, role))

    add(book.config_file, "book")
    for ch in ms.chapters:
        add(ch.source.path, "chapter")
    for bib in ms.meta.bibliography:
        add(bib, "bibliography")
    style = ms.meta.csl
    if style.lower().endswith(".csl") and (book.root / style).is_file():
        add(book.root / style, "style")
    for asset in ms.assets:
        add(asset.path, "image")
    if ms.meta.cover is not None:
        add(ms.meta.cover, "cover")
    if (book.root / WORD_LIST).is_file():
        read_bytes(book.root / WORD_LIST, what="word list")  # its size checked before it is embedded
        add(book.root / WORD_LIST, "word-list")
    # The book's own look: its fonts, its stylesheets and the files they name, its templates.
    for font in ms.meta.fonts:
        add(font.path, "font")
    for sheet in ms.meta.css:
        add(sheet.path, "stylesheet")
        for rel in sheet.urls:
            add(book.root / rel, "stylesheet-file")
    own = book_templates(book.root)
    for path in sorted(own.rglob("*")) if own is not None else ():
        if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith("."):
            add(path, "template")
    if MANIFEST in found:
        raise BookError(f"the book has a file named '{MANIFEST}', the name the archival PDF gives its manifest",
                        book.root / MANIFEST, hint="rename that file", rule="archive")
    return tuple(found[k] for k in sorted(found))


def manifest(ms: Manuscript, files: tuple[Source, ...]) -> bytes:
    """The JSON manifest: what the book is and, for each file, its path, role, size and SHA-256."""
    data = {
        "format": FORMAT,
        "title": ms.meta.title,
        "identifier": ms.meta.identifier,
        "date": ms.meta.date,
        "rebuild": f"python build.py archive --book {_config_rel(ms)}",
        "files": [{"path": s.rel, "role": s.role, "media_type": s.media_type,
                   "bytes": s.path.stat().st_size, "sha256": _sha256(s.path.read_bytes())} for s in files],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _config_rel(ms: Manuscript) -> str:
    return ms.book.config_file.name


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachments(ms: Manuscript, files: tuple[Source, ...]) -> list:
    """The sources and their manifest as the archival PDF carries them: sorted by name (the
    EmbeddedFiles name tree must be), each with our media type, never the machine's guess."""
    from .join import Attachment

    out = [Attachment(s.rel, s.path.read_bytes(), s.media_type, "source of this book", "Source") for s in files]
    out.append(Attachment(MANIFEST, manifest(ms, files), "application/json",
                          "SHA-256 manifest of the book's sources", "Supplement"))
    return sorted(out, key=lambda a: a.name.encode("utf-8"))


def write_archive(ms: Manuscript, lay, target: Path) -> int:
    """Write the archival PDF of ``lay`` (the print edition's layout); return the number of
    embedded source files."""
    from ..staging import write_atomic
    from .join import write_joined

    files = sources(ms)
    payload = attachments(ms, files)
    write_atomic(target, lambda tmp: write_joined(lay, tmp, "archive", payload, pdfa=True))
    return len(files)


def publish(ms: Manuscript, out: Path, supplies: Supplies) -> list[Output]:
    """The archival PDF/A-3, from the build's print layout (the print PDF's very pages)."""
    lay = supplies.layout()
    target = EDITIONS["archive"].path(ms.meta, out)
    write_archive(ms, lay, target)
    return [Output(target, "archive", lay.page_count)]


# ------------------------------------------------------------------ extract

MAX_FILES = 10_000
"""Files an archival PDF may carry: a book has a few hundred at most."""
MAX_TOTAL_BYTES = 1_000_000_000
"""Bytes all of them may decompress to, together (each alone is capped by pypdf, at 75 MB)."""


def _safe_rel(name: object) -> PurePosixPath | None:
    """``name`` as a relative path that stays inside a folder and that a file system can hold, or None."""
    if not isinstance(name, str) or not name or "\\" in name or name.startswith("/") \
            or ":" in name.split("/")[0] or CONTROL.search(name):
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") or len(part.encode("utf-8")) > 255 for part in parts) or len(parts) > 64:
        return None
    return PurePosixPath(name)


def _embedded(pdf: Path) -> dict[str, list[bytes]]:
    """Every file the PDF carries, by name, decompressed within :data:`MAX_FILES` and
    :data:`MAX_TOTAL_BYTES`. A hostile PDF can make its parser fail in any way at all: whatever
    pypdf raises is the PDF's fault, said as such."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(pdf)
        if reader.is_encrypted:
            raise BookError("the PDF is encrypted; an archival PDF never is", pdf, rule="archive")
        attachments = reader.attachments
        if len(attachments) > MAX_FILES:
            raise BookError(f"the PDF carries {len(attachments):,} files, more than the {MAX_FILES:,} of any book",
                            pdf, rule="archive")
        found: dict[str, list[bytes]] = {}
        total = 0
        for name in attachments:
            try:
                found[name] = list(attachments[name])
            except LimitReachedError:
                raise BookError(f"the attached file '{shown(str(name))}' decompresses to more than a book's "
                                "file may hold", pdf, rule="archive") from None
            total += sum(len(data) for data in found[name])
            if total > MAX_TOTAL_BYTES:
                raise BookError(f"the attached files decompress to more than {MAX_TOTAL_BYTES:,} bytes",
                                pdf, rule="archive")
        return found
    except BookError:
        raise
    except FileNotFoundError:
        raise BookError("the PDF does not exist", pdf, rule="archive") from None
    except Exception as exc:  # noqa: BLE001 - a damaged or hostile PDF, not our bug
        raise BookError(f"cannot read the PDF: {shown(str(exc) or type(exc).__name__)}", pdf,
                        hint="the file is damaged, or not an archival PDF made by this builder",
                        rule="archive") from None


def _manifest_entries(pdf: Path, data: bytes) -> dict[str, dict]:
    """The manifest's entries by path, each checked to have the fields extract uses."""
    def unreadable(why: str) -> BookError:
        return BookError(f"the PDF's source manifest is unreadable: {why}", pdf, rule="archive")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise unreadable(f"not UTF-8 ({exc.reason})") from None
    if json_depth_problem(text) is not None:
        raise unreadable(f"values nest more than {MAX_DEPTH} levels deep")
    try:
        listing = json.loads(text)
    except ValueError as exc:
        raise unreadable(str(exc)) from None
    if not isinstance(listing, dict) or listing.get("format") != FORMAT:
        raise unreadable(f"unknown format {listing.get('format') if isinstance(listing, dict) else None!r}")
    files = listing.get("files")
    if not isinstance(files, list):
        raise unreadable("it has no list of files")
    entries: dict[str, dict] = {}
    for i, entry in enumerate(files, 1):
        if not (isinstance(entry, dict) and isinstance(entry.get("path"), str)
                and isinstance(entry.get("sha256"), str)
                and isinstance(entry.get("bytes"), int) and not isinstance(entry.get("bytes"), bool)):
            raise unreadable(f"file {i} is not a path with its bytes and sha256")
        entries[entry["path"]] = entry
    return entries


def _conflicts(names: list[PurePosixPath]) -> set[PurePosixPath]:
    """Names that are another name's folder too (``zz`` and ``zz/x``): no folder can hold both."""
    taken = set(names)
    return {parent for name in names for parent in name.parents if parent in taken}


def extract(pdf: Path, dest: Path) -> list[Path]:
    """Restore the sources embedded in an archival PDF into ``dest`` and check each against the
    manifest; return the files written. Raises a BookError naming every file that is missing,
    differs from the manifest, is not listed in it, or whose name would leave ``dest``."""
    pdf, dest = Path(pdf), Path(dest)
    files = _embedded(pdf)
    if MANIFEST not in files:
        raise BookError("the PDF carries no source manifest: it is not an archival PDF of this builder",
                        pdf, hint="build one with `build.py archive`", rule="archive")
    entries = _manifest_entries(pdf, files[MANIFEST][0])

    problems: list[str] = []
    wanted: dict[PurePosixPath, tuple[str, bytes]] = {}
    for name in sorted(set(entries) | set(files) - {MANIFEST}):
        rel = _safe_rel(name)
        if rel is None:
            problems.append(f"{shown(repr(name) if CONTROL.search(name) else name)}: refused, the name leads "
                            "outside the folder or cannot be a file's")
            continue
        if name not in files:
            problems.append(f"{name}: listed in the manifest but not embedded")
            continue
        if name not in entries:
            problems.append(f"{name}: embedded but not listed in the manifest; not restored")
            continue
        if len(files[name]) > 1:
            problems.append(f"{name}: embedded {len(files[name])} times")
            continue
        wanted[rel] = (name, files[name][0])
    for rel in sorted(_conflicts(list(wanted))):
        problems.append(f"{wanted.pop(rel)[0]}: refused, it is a file and also the folder of other files")

    if dest.exists() and not dest.is_dir():
        raise BookError(f"'{dest}' is a file, not a folder", dest, hint="extract into a new or empty folder",
                        rule="archive")
    existing = [str(rel) for rel in wanted if (dest / rel).exists() or (dest / rel).is_symlink()]
    if existing:
        raise BookError(f"'{dest}' already holds {existing[0]}" + (f" and {len(existing) - 1} more of the files"
                        if len(existing) > 1 else ""), dest,
                        hint="extract into a new or empty folder", rule="archive")
    try:
        written = _write_all(dest, wanted, entries, problems)
    except OSError as exc:
        raise BookError(f"cannot write into '{dest}': {exc.strerror or exc}"
                        + (f" ({exc.filename})" if exc.filename else ""), dest,
                        hint="extract into a folder you may write, on a disk with room", rule="archive") from None
    if problems:
        hint = f"the PDF was altered or damaged after it was built; what could be restored is in {dest}"
        raise BookErrors([BookError(problem, pdf, hint=hint if i == len(problems) - 1 else "", rule="archive")
                          for i, problem in enumerate(problems)])
    return written


def _write_all(dest: Path, wanted: dict[PurePosixPath, tuple[str, bytes]], entries: dict[str, dict],
               problems: list[str]) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    written: list[Path] = []
    for rel, (name, data) in sorted(wanted.items()):
        target = dest / rel
        parent = target.parent
        parent.mkdir(parents=True, exist_ok=True)
        resolved = parent.resolve()
        if resolved != root and root not in resolved.parents:  # a symlinked folder inside dest
            problems.append(f"{name}: refused, its folder is a link that leads outside {dest}")
            continue
        with open(target, "xb") as fh:  # never through a link, never over a file
            fh.write(data)
        written.append(target)
        entry = entries[name]
        if _sha256(data) != entry.get("sha256") or len(data) != entry.get("bytes"):
            problems.append(f"{name}: differs from the manifest (SHA-256 {_sha256(data)[:16]}…, "
                            f"manifest {str(entry.get('sha256'))[:16]}…)")
    return written
