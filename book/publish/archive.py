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


def _safe_rel(name: str) -> PurePosixPath | None:
    """``name`` as a relative path that stays inside a folder, or None."""
    if not name or "\\" in name or "\0" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return None
    rel = PurePosixPath(name)
    if rel.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return rel


def _embedded(pdf: Path) -> dict[str, list[bytes]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(pdf)
        if reader.is_encrypted:
            raise BookError("the PDF is encrypted; an archival PDF never is", pdf, rule="archive")
        return {name: list(data) for name, data in reader.attachments.items()}
    except (PdfReadError, OSError, ValueError) as exc:
        raise BookError(f"cannot read the PDF: {exc}", pdf, rule="archive") from None


def extract(pdf: Path, dest: Path) -> list[Path]:
    """Restore the sources embedded in an archival PDF into ``dest`` and check each against the
    manifest; return the files written. Raises a BookError naming every file that is missing,
    differs from the manifest, is not listed in it, or whose name would leave ``dest``."""
    pdf, dest = Path(pdf), Path(dest)
    files = _embedded(pdf)
    if MANIFEST not in files:
        raise BookError("the PDF carries no source manifest: it is not an archival PDF of this builder",
                        pdf, hint="build one with `build.py archive`", rule="archive")
    try:
        listing = json.loads(files[MANIFEST][0].decode("utf-8"))
        entries = {e["path"]: e for e in listing["files"]}
        if listing.get("format") != FORMAT:
            raise ValueError(f"unknown format {listing.get('format')!r}")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise BookError(f"the PDF's source manifest is unreadable: {exc}", pdf, rule="archive") from None

    problems: list[str] = []
    wanted: dict[PurePosixPath, tuple[str, bytes]] = {}
    for name in sorted(set(entries) | set(files) - {MANIFEST}):
        rel = _safe_rel(name)
        if rel is None:
            problems.append(f"{name}: refused, the name leads outside the folder")
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

    existing = [str(rel) for rel in wanted if (dest / rel).exists() or (dest / rel).is_symlink()]
    if existing:
        raise BookError(f"'{dest}' already holds {existing[0]}" + (f" and {len(existing) - 1} more of the files"
                        if len(existing) > 1 else ""), dest,
                        hint="extract into a new or empty folder", rule="archive")
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    written: list[Path] = []
    for rel, (name, data) in sorted(wanted.items()):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        resolved = target.parent.resolve()
        if resolved != root and root not in resolved.parents:  # a symlinked folder inside dest
            problems.append(f"{name}: refused, its folder is a link that leads outside {dest}")
            continue
        target.write_bytes(data)
        written.append(target)
        entry = entries[name]
        if _sha256(data) != entry.get("sha256") or len(data) != entry.get("bytes"):
            problems.append(f"{name}: differs from the manifest (SHA-256 {_sha256(data)[:16]}…, "
                            f"manifest {str(entry.get('sha256'))[:16]}…)")
    if problems:
        hint = f"the PDF was altered or damaged after it was built; what could be restored is in {dest}"
        raise BookErrors([BookError(problem, pdf, hint=hint if i == len(problems) - 1 else "", rule="archive")
                          for i, problem in enumerate(problems)])
    return written
