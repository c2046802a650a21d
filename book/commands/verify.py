"""``python build.py verify PATH``: is this deposit (or archival PDF) still what was made?

A library checks a package on receipt and for decades after. This module
answers three questions and names the file behind every "no":

1. **Fixity** — does every file match its SHA-256 and SHA-512 in the
   manifests (payload and tag files)?
2. **Completeness** — is every listed file there, and nothing unlisted?
   bagit.py's validator runs too, as the reference.
3. **Reproducibility** — do the sources in ``data/sources/`` still rebuild
   editions byte-identical to ``data/editions/``?

The rebuild runs in a fresh interpreter with this builder's code and the
*deposit's* templates: the engine reads templates from beside its package
(:func:`book.resources.templates_dir`), so a throwaway engine folder is assembled from a
copy of this package and ``data/sources/builder-templates/``. A fresh process also
keeps this one's state (caches, ``SOURCE_DATE_EPOCH``) out of the rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from ..errors import BookError
from ..publish.archive import extract
from ..publish.deposit import CHECKSUMS, TEMPLATES_DIR, tree_entries, write_zip
from ..publish.editions import EDITIONS
from ..render.templates import UNTRUSTED
from ..resources import PACKAGE as ENGINE
from . import parser

"""This builder's package folder, copied for the rebuild."""

_RUN_BUILD = "import sys; from book.cli import main; sys.exit(main(sys.argv[1:]))"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, and the file it concerns."""

    file: str
    """Path inside the deposit from its top (``data/sources/book.yaml``); empty for the whole."""
    message: str


@dataclass
class Report:
    """What ``verify`` found."""

    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    """What passed, in words, for the summary."""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(path: Path, rebuild: bool = True, progress: Callable[[str], None] = lambda _s: None) -> Report:
    """Check a deposit folder, a deposit zip or an archival PDF."""
    if path.is_dir():
        return verify_bag(path, rebuild, progress)
    if not path.is_file():
        return Report([Problem("", "does not exist")])
    with path.open("rb") as fh:
        head = fh.read(5)
    if head == b"%PDF-":
        return verify_archival_pdf(path, rebuild, progress)
    if zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="bookbuilder-verify-") as tmp:
            progress("unpack the zip")
            root, problems = unpack(path, Path(tmp))
            if problems or root is None:
                return Report(problems)
            return verify_bag(root, rebuild, progress)
    return Report([Problem("", "is neither a deposit (a folder or zip) nor an archival PDF")])


# ------------------------------------------------------------ zip

def unpack(archive: Path, dest: Path) -> tuple[Path | None, list[Problem]]:
    """Unpack a deposit zip safely: one top folder holding bagit.txt, no links, no escapes.
    Entry names in problems are given from inside that top folder, as in a bag."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        return None, [Problem("", f"the zip cannot be read: {exc}")]
    with zf:
        infos = zf.infolist()
        tops = {PurePosixPath(i.filename).parts[0] for i in infos if i.filename.strip("/")}
        if len(tops) != 1 or f"{next(iter(tops))}/bagit.txt" not in zf.namelist():
            return None, [Problem("", "the zip does not hold one bag folder (a folder with bagit.txt at its top)")]
        top = tops.pop()
        problems: list[Problem] = []
        for info in infos:
            name = PurePosixPath(info.filename)
            inner = "/".join(name.parts[1:])
            if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
                problems.append(Problem(inner, "has an unsafe path in the zip"))
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append(Problem(inner, "is a symbolic link; a deposit holds only files"))
                continue
            target = dest.joinpath(*name.parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, zlib.error, OSError) as exc:
                problems.append(Problem(inner, f"is damaged in the zip ({exc})"))
    return dest / top, problems


# ------------------------------------------------------------ the bag

def verify_bag(root: Path, rebuild: bool = True, progress: Callable[[str], None] = lambda _s: None) -> Report:
    """Check a deposit folder: fixity and completeness first (each problem naming its file),
    bagit.py's own validation, the deposit's layout, then — only if all that passed, since a
    damaged source cannot rebuild anything — the rebuild."""
    import bagit

    report = Report()
    say = report.problems.append
    if not (root / "bagit.txt").is_file():
        say(Problem("bagit.txt", "is missing: this folder is not a BagIt bag"))
        return report
    try:
        bag = bagit.Bag(str(root))
    except bagit.BagError as exc:
        say(Problem("", f"is not a readable bag: {exc}"))
        return report

    progress("check completeness and checksums")
    for alg in CHECKSUMS:
        for name in (f"manifest-{alg}.txt", f"tagmanifest-{alg}.txt"):
            if not (root / name).is_file():
                say(Problem(name, "is missing"))
    only_in_manifest, only_on_disk = bag.compare_manifests_with_fs()
    for rel in sorted(only_in_manifest):
        say(Problem(_posix(rel), "is missing (the manifest lists it)"))
    for rel in sorted(only_on_disk):
        say(Problem(_posix(rel), "is not in the manifest (an unexpected file)"))
    listed = {_posix(p) for p in bag.entries}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith("data/") and not rel.startswith("tagmanifest-") \
                and rel not in listed:
            say(Problem(rel, "is not in the tag manifest (an unexpected file)"))
    for rel, hashes in sorted(bag.entries.items()):
        report.problems.extend(_fixity(root, _posix(rel), hashes))
    if report.problems:
        return report
    try:
        bag.validate()
    except bagit.BagError as exc:
        say(Problem("", f"bagit.py finds the bag invalid: {exc}"))
        return report
    files = len(bag.payload_entries())
    report.checked.append(f"{files} files complete, their {' and '.join(CHECKSUMS)} checksums match")

    report.problems.extend(_deposit_layout(root, bag.info))
    if report.problems or not rebuild:
        return report
    listing = json.loads((root / "data/metadata/editions.json").read_text(encoding="utf-8"))
    progress("rebuild the editions from data/sources/")
    templates = root / "data/sources" / TEMPLATES_DIR
    problems, same = rebuild_and_compare(root / "data/sources", templates, {
        e["name"]: (e["path"], root / e["path"]) for e in listing["editions"]}, listing.get("source_date_epoch"))
    report.problems.extend(problems)
    if same:
        report.checked.append("rebuilt from data/sources/, byte-identical: " + ", ".join(same))
    return report


def _posix(rel: str) -> str:
    return rel.replace(os.sep, "/")


def _fixity(root: Path, rel: str, hashes: dict[str, str]) -> list[Problem]:
    """The file against each of its recorded checksums."""
    path = root / rel
    if not path.is_file():
        return []  # reported as missing already
    wrong = []
    digests = {alg: hashlib.new(alg) for alg in hashes}
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            for digest in digests.values():
                digest.update(block)
    for alg, expected in sorted(hashes.items()):
        if digests[alg].hexdigest() != expected.lower():
            wrong.append(alg)
    problems = []
    if wrong:
        manifest = "tag manifest" if not rel.startswith("data/") else "manifest"
        problems.append(Problem(rel, f"has changed: its content does not match the {' and '.join(wrong)} "
                                     f"checksums in the {manifest}"))
    missing = [alg for alg in CHECKSUMS if alg not in hashes and rel.startswith("data/")]
    if missing:
        problems.append(Problem(rel, f"is not listed in manifest-{missing[0]}.txt"))
    return problems


def _deposit_layout(root: Path, info: dict) -> list[Problem]:
    """What makes a bag one of our deposits: the metadata and sources a rebuild needs."""
    problems = []
    for key in ("Bagging-Date", "External-Identifier", "Payload-Oxum"):
        if key not in info:
            problems.append(Problem("bag-info.txt", f"has no {key}"))
    for rel in ("data/metadata/editions.json", "data/sources/book.yaml", f"data/sources/{TEMPLATES_DIR}"):
        if not (root / rel).exists():
            problems.append(Problem(rel, "is missing: the deposit cannot be rebuilt without it"))
    if problems:
        return problems
    try:
        editions = json.loads((root / "data/metadata/editions.json").read_text(encoding="utf-8"))["editions"]
        for e in editions:
            if not (root / e["path"]).is_file():
                problems.append(Problem(e["path"], "is listed in data/metadata/editions.json but missing"))
            elif hashlib.sha256((root / e["path"]).read_bytes()).hexdigest() != e["sha256"]:
                problems.append(Problem(e["path"], "does not match its SHA-256 in data/metadata/editions.json"))
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(Problem("data/metadata/editions.json", f"cannot be read ({exc})"))
    return problems


# ------------------------------------------------------------ rebuild

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
    return subprocess.run([sys.executable, "-c", _RUN_BUILD, *args], cwd=tmp, env=env,
                          capture_output=True, text=True)


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
    """The date a deposit zip was stamped with (the book's date), read back from its first entry."""
    with zipfile.ZipFile(original) as zf:
        year, month, day = zf.infolist()[0].date_time[:3]
    return f"{year:04d}-{month:02d}-{day:02d}"


def _difference(a: Path, b: Path) -> str:
    """Empty when the files are identical, else where they first differ, in words."""
    da, db = a.read_bytes(), b.read_bytes()
    if da == db:
        return ""
    if a.suffix == ".zip" and zipfile.is_zipfile(a) and zipfile.is_zipfile(b):
        with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
            na, nb = set(za.namelist()), set(zb.namelist())
            for name in sorted(na | nb):
                if name not in nb:
                    return f"{name} is not in the rebuild"
                if name not in na:
                    return f"the rebuild also has {name}"
                if za.read(name) != zb.read(name):
                    return f"{name} differs"
    offset = next((i for i, (x, y) in enumerate(zip(da, db)) if x != y), min(len(da), len(db)))
    return f"{len(da)} bytes against {len(db)} rebuilt, first difference at byte {offset}"


# ------------------------------------------------------------ archival PDF

def verify_archival_pdf(path: Path, rebuild: bool = True,
                        progress: Callable[[str], None] = lambda _s: None) -> Report:
    """Extract the sources an archival PDF carries (checked against its manifest by the
    ``archive`` edition's own extract) and rebuild the archival PDF from them."""
    report = Report()
    with tempfile.TemporaryDirectory(prefix="bookbuilder-verify-") as tmp:
        sources = Path(tmp) / "sources"
        progress("extract the embedded sources")
        try:
            extracted = extract(path, sources)
        except BookError as exc:
            for error in getattr(exc, "errors", (exc,)):
                report.problems.append(Problem("", error.message))
            return report
        report.checked.append(f"{len(extracted)} embedded source files extracted, each matching the "
                              "PDF's manifest")
        if not rebuild:
            return report
        progress("rebuild the archival PDF from its sources")
        problems, same = rebuild_and_compare(sources, None, {"archive": ("", path)})
        report.problems.extend(problems)
        if same:
            report.checked.append("rebuilt from its embedded sources, byte-identical")
    return report


# ------------------------------------------------------------ command line

def main(argv: list[str]) -> int:
    """``build.py verify PATH [--no-rebuild]``: exit 0 when all is well, 1 on any difference."""
    import time

    p = parser("verify",
               "Check a deposit (its folder or zip) or an archival PDF: every checksum, that no\n"
               "file is missing or added, and that the sources inside rebuild byte-identical editions.",
               "examples:\n  python build.py verify dist/<slug>-deposit.zip\n"
               "  python build.py verify dist/<slug>-deposit --no-rebuild\n"
               "  python build.py verify dist/<slug>-archival.pdf\n\n"
               "exit codes: 0 all is as deposited, 1 something differs (each file named), 2 bad usage")
    p.add_argument("path", type=Path, metavar="PATH", help="a deposit folder or zip, or an archival PDF")
    p.add_argument("--no-rebuild", action="store_true",
                   help="check checksums and completeness only, without rebuilding the editions")
    p.add_argument("-q", "--quiet", action="store_true", help="print only what is wrong")
    args = p.parse_args(argv)
    start = time.perf_counter()
    say = (lambda _s: None) if args.quiet else (lambda s: print(f"  {s}", file=sys.stderr, flush=True))
    report = verify(args.path, rebuild=not args.no_rebuild, progress=say)
    for problem in report.problems:
        if not problem.file:
            where = str(args.path)
        elif args.path.is_dir():
            where = os.path.join(str(args.path), problem.file)
        else:
            where = f"{args.path}: {problem.file}"
        print(f"{where}: {problem.message}")
    if report.problems:
        count = len(report.problems)
        made = "made" if args.path.suffix.lower() == ".pdf" else "deposited"
        print(f"{count} problem{'s' if count != 1 else ''}: {args.path} is not as it was {made}.", file=sys.stderr)
        return 1
    if not args.quiet:
        for line in report.checked:
            print(f"ok: {line}")
        print(f"verified {args.path} in {time.perf_counter() - start:.1f} s")
    return 0
