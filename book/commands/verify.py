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
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from ..confine import MAX_DEPTH, json_depth_problem, read_bytes, shown
from ..errors import BookError
from ..publish.archive import extract
from ..publish.deposit import CHECKSUMS, TEMPLATES_DIR, unpack_zip
from . import parser
from .rebuild import Problem, rebuild_and_compare, sha256_of

"""This builder's package folder, copied for the rebuild."""



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
    try:
        with path.open("rb") as fh:
            head = fh.read(5)
    except OSError as exc:
        return Report([Problem("", f"cannot be read ({exc.strerror})")])
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
    """Unpack a deposit zip safely (:func:`book.publish.deposit.unpack_zip`): one top folder
    holding bagit.txt, no links, no escapes, within limits. Entry names in problems are given
    from inside that top folder, as in a bag."""
    top, problems = unpack_zip(archive, dest)
    return top, [Problem(name, message) for name, message in problems]


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
    # A link could make the checks, and the rebuild, read files outside the deposit.
    links = [p for p in sorted(root.rglob("*")) if p.is_symlink()]
    for link in links:
        say(Problem(link.relative_to(root).as_posix(), "is a symbolic link; a deposit holds only files"))
    if links:
        return report
    try:
        bag = bagit.Bag(str(root))
    except (bagit.BagError, UnicodeError, ValueError, OSError) as exc:
        say(Problem("", f"is not a readable bag: {shown(str(exc), 200)}"))
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
    except (bagit.BagError, UnicodeError, ValueError, OSError) as exc:
        say(Problem("", f"bagit.py finds the bag invalid: {shown(str(exc), 200)}"))
        return report
    files = len(bag.payload_entries())
    report.checked.append(f"{files} files complete, their {' and '.join(CHECKSUMS)} checksums match")

    listing: dict = {}
    report.problems.extend(_deposit_layout(root, bag.info, listing))
    if report.problems or not rebuild:
        return report
    progress("rebuild the editions from data/sources/")
    templates = root / "data/sources" / TEMPLATES_DIR
    epoch = listing.get("source_date_epoch")
    problems, same = rebuild_and_compare(root / "data/sources", templates, {
        e["name"]: (e["path"], root / e["path"]) for e in listing["editions"]},
        str(epoch) if isinstance(epoch, (str, int)) and str(epoch).isdigit() else None)
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


def _editions_listing(path: Path) -> dict:
    """``data/metadata/editions.json``, checked to be what a deposit writes there: each edition
    a name and a file inside ``data/editions/`` with its SHA-256. ValueError says what is not."""
    text = read_bytes(path, what="edition list", max_bytes=16_000_000).decode("utf-8")
    if json_depth_problem(text) is not None:
        raise ValueError(f"values nest more than {MAX_DEPTH} levels deep")
    listing = json.loads(text)
    editions = listing.get("editions") if isinstance(listing, dict) else None
    if not isinstance(editions, list):
        raise ValueError("it lists no editions")
    for e in editions:
        rel = e.get("path") if isinstance(e, dict) else None
        if not (isinstance(rel, str) and isinstance(e.get("name"), str) and isinstance(e.get("sha256"), str)):
            raise ValueError("an edition is not a name, a path and a sha256")
        parts = PurePosixPath(rel).parts
        if len(parts) != 3 or parts[:2] != ("data", "editions") or parts[2] in ("..", ".") or "\\" in rel:
            raise ValueError(f"the edition path '{shown(rel)}' is not a file in data/editions/")
    return listing


def _deposit_layout(root: Path, info: dict, listing: dict) -> list[Problem]:
    """What makes a bag one of our deposits: the metadata and sources a rebuild needs; fills
    ``listing`` with data/metadata/editions.json."""
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
        listing.update(_editions_listing(root / "data/metadata/editions.json"))
        for e in listing["editions"]:
            if not (root / e["path"]).is_file():
                problems.append(Problem(e["path"], "is listed in data/metadata/editions.json but missing"))
            elif sha256_of(root / e["path"]) != e["sha256"]:
                problems.append(Problem(e["path"], "does not match its SHA-256 in data/metadata/editions.json"))
    except (ValueError, BookError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        problems.append(Problem("data/metadata/editions.json", f"cannot be read ({shown(str(exc), 200)})"))
    return problems


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
               "A deposit's templates are rendered in Jinja's sandbox, within limits of time, size and\n"
               "memory; anything they try beyond those is an error at the template's line.\n\n"
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
