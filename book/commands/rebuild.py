"""Rebuild a book's editions in a fresh interpreter and compare them with the ones kept (``verify``).

The rebuild runs this builder's code with the *deposit's* templates: the engine reads templates
from beside its package (:func:`book.resources.templates_dir`), so a throwaway engine folder is
assembled from a copy of this package and ``data/sources/templates/``. Those templates are
rendered sandboxed (:mod:`book.render.sandbox`), and the process runs with its memory limited
(:func:`memory_limit`) and within :data:`MAX_REBUILD_SECONDS`: a deposit comes from anywhere. A
fresh process also keeps this one's state (caches, ``SOURCE_DATE_EPOCH``) out of the rebuild.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..publish.deposit import tree_entries, write_zip
from ..publish.editions import EDITIONS
from ..render.templates import UNTRUSTED
from ..resources import PACKAGE as ENGINE

_RUN_BUILD = "import sys; from book.cli import main; sys.exit(main(sys.argv[1:]))"

MAX_REBUILD_SECONDS = 3600
"""How long a rebuild may take: a book of thousands of pages builds in minutes."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong, and the file it concerns."""

    file: str
    """Path inside the deposit from its top (``data/sources/book.yaml``); empty for the whole."""
    message: str



def rebuild_and_compare(book: Path, templates: Path | None, expected: dict[str, tuple[str, Path]],
                        source_date_epoch: str | None = None) -> tuple[list[Problem], list[str]]:
    """Build the named editions of ``book`` afresh and compare each with its file.

    ``expected`` maps an edition name to (the path to report, the file to compare);
    ``templates`` replaces this builder's templates for the rebuild, if given;
    ``source_date_epoch`` is the SOURCE_DATE_EPOCH the originals were built with, if any.
    Returns the problems and the names of the editions that came out identical.
    """
    problems: list[Problem] = []
    unknown = [name for name in expected if name not in EDITIONS]
    for name in unknown:
        problems.append(Problem(expected[name][0], f"cannot be rebuilt: this builder has no '{name}' edition"))
    names = [name for name in EDITIONS if name in expected]
    with tempfile.TemporaryDirectory(prefix="bookbuilder-rebuild-") as tmp:
        tmp_path = Path(tmp)
        out = tmp_path / "out"
        proc = _run_build(tmp_path, templates, [*names, "--book", str(book), "--out", str(out), "-q"],
                          source_date_epoch)
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-12:]
            if templates is not None:  # the rebuild's engine copy reads the deposit's own templates
                detail = [line.replace(f"engine/{ENGINE.name}/templates/", f"{templates.as_posix()}/") for line in detail]
            problems.append(Problem(_shown_book(expected), "do not build: " + " | ".join(detail)))
            return problems, []
        same = []
        for name in names:
            shown, original = expected[name]
            rebuilt = _rebuilt_file(out, name, original, tmp_path)
            if rebuilt is None:
                problems.append(Problem(shown, "has no counterpart in the rebuild"))
                continue
            difference = _difference(original, rebuilt)
            if difference:
                problems.append(Problem(shown, f"differs from the edition rebuilt from the sources ({difference})"))
            else:
                same.append(name)
    return problems, same


def _shown_book(expected: dict[str, tuple[str, Path]]) -> str:
    """Where to say a failed rebuild's sources are: ``data/sources`` in a bag, else nowhere
    more precise than the file being verified."""
    first = next(iter(expected.values()))[0]
    return "data/sources" if first.startswith("data/") else first


def _run_build(tmp: Path, templates: Path | None, args: list[str],
               source_date_epoch: str | None = None) -> subprocess.CompletedProcess:
    """``build.py ARGS`` in a fresh interpreter; with ``templates``, on an engine copy that uses them."""
    if templates is not None:
        engine_root = tmp / "engine"
        # The engine without its own templates (an installed package carries them in book/templates/) …
        shutil.copytree(ENGINE, engine_root / ENGINE.name,
                        ignore=lambda folder, names: [n for n in names if n in ("__pycache__", "templates")
                                                      or n.endswith(".pyc")])
        # … and the deposit's where the engine looks first. Never a compiled-template cache from a
        # deposit: Jinja would run its code as the templates'.
        shutil.copytree(templates, engine_root / ENGINE.name / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    else:
        engine_root = ENGINE.parent
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if source_date_epoch:
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(engine_root), env.get("PYTHONPATH"))))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if templates is not None:
        env[UNTRUSTED] = "1"  # the deposit's templates are rendered sandboxed
    try:
        return subprocess.run([sys.executable, "-c", _RUN_BUILD, *args], cwd=tmp, env=env, capture_output=True,
                              text=True, timeout=MAX_REBUILD_SECONDS,
                              preexec_fn=memory_limit if templates is not None else None)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 1, "", f"the rebuild took more than {MAX_REBUILD_SECONDS} s")


def memory_limit() -> None:
    """Limit the memory of the process about to run a deposit's templates: what a template asks
    for past it fails at once (a MemoryError, reported at the template's line) instead of taking
    the machine's memory. Half of the machine's, between 3 and 8 GiB: the sample book builds in
    under 2 GiB of address space."""
    import resource

    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = 16 << 30
    limit = max(3 << 30, min(8 << 30, physical // 2))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _rebuilt_file(out: Path, name: str, original: Path, tmp: Path) -> Path | None:
    """The rebuilt counterpart of ``original``: same file name, the web folder zipped as a deposit does."""
    if EDITIONS[name].folder:
        folder = out / EDITIONS[name].file
        if not folder.is_dir():
            return None
        zipped = tmp / original.name
        write_zip(zipped, tree_entries(folder, original.stem), _zip_date(original))
        return zipped
    rebuilt = out / original.name
    if not rebuilt.is_file() and name == "archive":  # an archival PDF renamed after it was built
        rebuilt = next(iter(sorted(out.glob("*archiv*.pdf"))), rebuilt)
    return rebuilt if rebuilt.is_file() else None


def _zip_date(original: Path) -> str:
    """The date a deposit zip was stamped with (the book's date), read back from its first entry
    (1980-01-01, the first a zip can say, when the deposit's zip is damaged: it then differs)."""
    try:
        with zipfile.ZipFile(original) as zf:
            year, month, day = zf.infolist()[0].date_time[:3]
    except (zipfile.BadZipFile, IndexError, OSError, ValueError, EOFError):
        return "1980-01-01"
    return f"{year:04d}-{month:02d}-{day:02d}"


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read a block at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _difference(a: Path, b: Path) -> str:
    """Empty when the files are identical, else where they first differ, in words. Read a block
    at a time: an edition may be large, and a deposit's is not to be trusted."""
    size_a, size_b = a.stat().st_size, b.stat().st_size
    offset = 0
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            block_a, block_b = fa.read(1 << 20), fb.read(1 << 20)
            if block_a != block_b:
                offset += next((i for i, (x, y) in enumerate(zip(block_a, block_b)) if x != y),
                               min(len(block_a), len(block_b)))
                break
            if not block_a:
                return ""
            offset += len(block_a)
    if a.suffix == ".zip":
        inside = _zip_difference(a, b)
        if inside:
            return inside
    return f"{size_a} bytes against {size_b} rebuilt, first difference at byte {offset}"


def _zip_difference(a: Path, b: Path) -> str:
    """The first entry two zips disagree on (by name, size and CRC: nothing is decompressed), or ""."""
    try:
        with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
            ia = {i.filename: (i.file_size, i.CRC) for i in za.infolist()}
            ib = {i.filename: (i.file_size, i.CRC) for i in zb.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return ""
    for name in sorted(ia.keys() | ib.keys()):
        if name not in ib:
            return f"{name} is not in the rebuild"
        if name not in ia:
            return f"the rebuild also has {name}"
        if ia[name] != ib[name]:
            return f"{name} differs"
    return ""


