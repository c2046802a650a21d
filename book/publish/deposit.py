"""The archival deposit: a BagIt package (RFC 8493) that a library ingests as it is.

``python build.py deposit`` (:mod:`book.commands.deposit`) builds the editions
through the ordinary pipeline, then lays out one folder that needs nothing from
us to be read::

    <slug>-deposit/
      bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
      data/README.txt                what each file is, in plain words
      data/editions/                 archival PDF/A-3, print PDF, EPUB, web edition (zip)
      data/sources/                  book.yaml, chapters, bibliography, images, templates
      data/metadata/                 dc.xml, mods.xml, bibliography.json, editions.json

The bag is made and validated by the ``bagit`` library (the Library of
Congress's own); we only choose its inputs so that it is reproducible:
Bagging-Date is the book's date, the software agent names fixed versions,
files are written with fixed permissions and the zip has sorted entries with
the book's date. Same sources, same bytes. Which editions it carries, in which
order and under which names, the table of editions says (:mod:`.editions`).
``verify`` reads what is written here (:data:`CHECKSUMS`, :func:`write_zip`).
"""

from __future__ import annotations

import importlib.metadata
import shutil
import sys
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Iterable

from ..errors import BookError
from ..model import Manuscript, Metadata
from ..resources import PACKAGE, TEMPLATES
from . import Output
from .archive import sources
from .editions import EDITIONS, deposited
from .records import (
    EditionFile,
    csl_json,
    describe_edition,
    dublin_core,
    editions_json,
    full_title,
    mods,
    package_readme,
)

CHECKSUMS = ("sha256", "sha512")
"""Manifest algorithms: SHA-256 as RFC 8493 recommends, SHA-512 for the long term."""

TEMPLATES_DIR = "builder-templates"
"""Where the builder's templates go inside ``data/sources/`` (beside the book's files, whose own
``templates/`` folder, if it has one, keeps its name)."""


def deposit_name(meta: Metadata) -> str:
    return f"{meta.slug}-deposit"


# ------------------------------------------------------------ what goes in

def source_files(ms: Manuscript) -> dict[str, Path]:
    """Every file the build reads, by its path in ``data/sources/``: the book's own files
    (the same list the archival PDF embeds) under their names in the book folder, and the
    builder's templates under ``templates/``. ``verify`` rebuilds from exactly these."""
    found = {source.rel: source.path for source in sources(ms)}
    for rel in found:
        if rel.split("/", 1)[0] == TEMPLATES_DIR:
            raise BookError(f"the book has a file in a folder named '{TEMPLATES_DIR}/': {rel}",
                            ms.book.root / rel, rule="deposit",
                            hint=f"a deposit keeps the builder's templates in sources/{TEMPLATES_DIR}/; "
                                 "rename the book's folder")
    for path in sorted(TEMPLATES.rglob("*")):
        rel = path.relative_to(TEMPLATES)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            found[f"{TEMPLATES_DIR}/{rel.as_posix()}"] = path
    return dict(sorted(found.items()))


def fill_payload(staging: Path, ms: Manuscript, built: list[Output], sources: dict[str, Path],
                 epoch: str | None = None) -> list[EditionFile]:
    """Write what becomes ``data/``: editions, sources, metadata and README.txt."""
    meta = ms.meta
    editions: list[EditionFile] = []
    (staging / "editions").mkdir()
    order = [e.name for e in deposited()]
    for output in sorted((o for o in built if o.kind in order), key=lambda o: order.index(o.kind)):
        edition = EDITIONS[output.kind]
        name = edition.deposit_name(meta)
        target = staging / "editions" / name
        if edition.folder:
            folder = output.path if output.path.is_dir() else output.path.parent
            write_zip(target, tree_entries(folder, Path(name).stem), meta.date)
        else:
            shutil.copyfile(output.path, target)
        editions.append(describe_edition(output.kind, target, f"data/editions/{name}"))
    for rel, path in sources.items():
        target = staging / "sources" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    agent = generator()
    metadata = staging / "metadata"
    metadata.mkdir()
    (metadata / "dc.xml").write_bytes(dublin_core(meta, editions))
    (metadata / "mods.xml").write_bytes(mods(ms, editions, agent))
    (metadata / "bibliography.json").write_bytes(csl_json(ms))
    (metadata / "editions.json").write_bytes(editions_json(meta, editions, built_with(), epoch))
    (staging / "README.txt").write_text(package_readme(ms, editions, sources, agent), encoding="utf-8")
    return editions


def generator() -> str:
    return f"bookbuilder {_version('bookbuilder')}"


def built_with() -> dict[str, str]:
    """The versions a byte-identical rebuild needs: the builder, Python and every run-time
    dependency the builder declares (its test tools are not among them)."""
    found = {"bookbuilder": _version("bookbuilder"), "python": ".".join(map(str, sys.version_info[:3]))}
    found.update((name, _version(name)) for name in run_time_dependencies())
    return found


def run_time_dependencies() -> list[str]:
    """The names of the packages the builder needs to run, sorted: from its installed metadata,
    or from pyproject.toml when it runs from its source tree."""
    import re

    try:
        declared = [r for r in importlib.metadata.requires("bookbuilder") or () if "extra ==" not in r]
    except importlib.metadata.PackageNotFoundError:
        declared = _project().get("dependencies", [])
    names = {re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r).group(0).lower().replace("_", "-") for r in declared}
    return sorted(names)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        if package == "bookbuilder":
            return str(_project().get("version", "unknown"))
        return "not installed"


def _project() -> dict:
    """The ``[project]`` table of pyproject.toml, for a builder run from its source tree without
    installing (empty when it cannot be read)."""
    import tomllib

    try:
        return tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}


# ------------------------------------------------------------ the bag

def bag_info(meta: Metadata) -> dict[str, str]:
    """bag-info.txt: who sent it, what it is, and the book's date as the bagging date."""
    import bagit

    info = {
        "Source-Organization": meta.publisher or meta.author_line,
        "Bagging-Date": meta.date,
        "External-Identifier": meta.identifier,
        "External-Description": f"{full_title(meta)}"
                                + (f", {meta.edition}" if meta.edition else "")
                                + ": its editions, the sources to rebuild them, and catalogue records",
        "Bag-Software-Agent": f"{generator()} with bagit.py {bagit.VERSION}",
    }
    return {k: v for k, v in info.items() if v}


def make_bag(folder: Path, meta: Metadata) -> None:
    """Turn ``folder`` into a validated BagIt 1.0 bag, in place, reproducibly.

    bagit.py still declares BagIt 0.97 and lists tag files in directory
    order; RFC 8493 is version 1.0 (same file formats), so the declaration is
    raised to 1.0, the tag manifests are made again by the library, and their
    lines are sorted (their order carries no meaning; sorting makes it fixed).
    """
    import bagit

    bagit.make_bag(str(folder), bag_info=bag_info(meta), checksums=list(CHECKSUMS))
    (folder / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8")
    bagit.Bag(str(folder)).save()
    for tagmanifest in folder.glob("tagmanifest-*.txt"):
        lines = sorted(tagmanifest.read_text(encoding="utf-8").splitlines(), key=lambda s: s.split(" ", 1)[-1])
        tagmanifest.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    folder.chmod(0o755)
    bagit.Bag(str(folder)).validate()


# ------------------------------------------------------------ zips

_STORED = {".pdf", ".epub", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff2"}
"""Already compressed: stored as they are, which also keeps their bytes independent of zlib."""


def tree_entries(folder: Path, prefix: str) -> list[tuple[str, Path]]:
    """``(name in the zip, file)`` for a folder and everything in it but hidden files, under
    ``prefix/``, sorted."""
    entries = [(f"{prefix}/", folder)]
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue  # a lock or editor file, not part of the edition
        entries.append((f"{prefix}/{rel}/" if path.is_dir() else f"{prefix}/{rel}", path))
    return sorted(entries)


def write_zip(target: Path, entries: Iterable[tuple[str, Path]], date: str) -> None:
    """A zip that depends only on its contents: given order, the book's date, fixed permissions."""
    year, month, day = (int(x) for x in date.split("-"))
    stamp = (max(year, 1980), month, day, 0, 0, 0)
    with zipfile.ZipFile(target, "w") as zf:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(info, b"")
                continue
            info.external_attr = 0o100644 << 16
            stored = path.suffix.lower() in _STORED
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            with path.open("rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


MAX_ENTRIES = 100_000
"""Entries a deposit zip may hold: a book's sources and editions are a few thousand files."""
MAX_UNPACKED = 8_000_000_000
"""Bytes a deposit zip may unpack to, as its entries declare them (zipfile never gives more than an
entry declares): a zip bomb is refused before anything is written."""


def unpack_zip(archive: Path, dest: Path) -> tuple[Path | None, list[tuple[str, str]]]:
    """Unpack a deposit zip into ``dest``: one top folder holding bagit.txt, no links, nothing
    outside ``dest``, no name that is both a file and a folder, within :data:`MAX_ENTRIES` and
    :data:`MAX_UNPACKED`. Returns the top folder (None if the zip is no deposit) and the problems,
    each as (name inside the top folder, what is wrong)."""
    import stat

    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return None, [("", f"the zip cannot be read: {exc}")]
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
            return None, [("", f"the zip holds more than a deposit ({len(infos):,} entries, "
                               f"{sum(i.file_size for i in infos):,} bytes unpacked)")]
        names = [PurePosixPath(i.filename) for i in infos]
        tops = {name.parts[0] for name in names if name.parts}
        if len(tops) != 1 or f"{next(iter(tops))}/bagit.txt" not in zf.namelist():
            return None, [("", "the zip does not hold one bag folder (a folder with bagit.txt at its top)")]
        top = tops.pop()
        files = {name for name, info in zip(names, infos) if not info.is_dir()}
        folders = {parent for name in names for parent in name.parents}
        problems: list[tuple[str, str]] = []
        for info, name in zip(infos, names):
            inner = "/".join(name.parts[1:])
            if name.is_absolute() or ".." in name.parts or "\\" in info.filename or _unusable(info.filename):
                problems.append((inner, "has an unsafe path in the zip"))
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append((inner, "is a symbolic link; a deposit holds only files"))
                continue
            if name in files and name in folders:
                problems.append((inner, "is a file, and the folder of other entries too"))
                continue
            target = dest.joinpath(*name.parts)
            try:
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, target.open("xb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                problems.append((inner, f"is damaged in the zip ({exc})"))
            except OSError as exc:
                problems.append((inner, f"cannot be unpacked ({exc.strerror or exc})"))
    return dest / top, problems


def _unusable(name: str) -> bool:
    """A name no file can have: a control character, or a part too long for a file system."""
    return any(ord(c) < 32 for c in name) or any(len(part.encode("utf-8", "surrogateescape")) > 255
                                                for part in name.split("/"))
