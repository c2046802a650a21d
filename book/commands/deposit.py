"""``build.py deposit``: every edition, the sources and catalogue records as a BagIt deposit.

The book is loaded and resolved once; the editions a deposit carries
(:func:`book.publish.editions.deposited`) are published into a temporary folder;
the bag and its zip are then written under the output folder's lock and renamed
into place together (:mod:`book.publish.deposit` lays them out), so a failure
leaves the previous deposit as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from ..load import load_book
from ..publish import Output
from ..publish.deposit import (
    deposit_name,
    fill_payload,
    make_bag,
    source_files,
    tree_entries,
    write_zip,
)
from ..publish.editions import deposited
from ..publish.orchestrate import publish_editions
from ..resolve import resolve
from ..staging import output_folder, replace_folder, staging_folder, write_atomic
from . import book_option, out_option, parser, talk_options
from .progress import reporter, run_reported, stage_count


def deposit(book: Path, out: Path, progress: Callable[[str], None] = lambda _s: None) -> list[Output]:
    """Build the editions and write ``<slug>-deposit/`` and ``<slug>-deposit.zip`` into ``out``."""
    progress("load and resolve")
    ms = resolve(load_book(book))
    sources = source_files(ms)
    # A build honours SOURCE_DATE_EPOCH over the book's date; the deposit records it so
    # that verify rebuilds with the same timestamp.
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip() or None
    bag = out / deposit_name(ms.meta)
    archive = out / f"{bag.name}.zip"
    with tempfile.TemporaryDirectory(prefix="bookbuilder-deposit-") as tmp:
        with output_folder(Path(tmp), progress):
            built = publish_editions(ms, Path(tmp), deposited(), progress)
        with output_folder(out, progress):
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


def main(argv: list[str]) -> int:
    """``build.py deposit [--book PATH] [--out DIR]``."""
    p = parser("deposit",
               "Build every edition and package them with their sources and catalogue records as a\n"
               "BagIt deposit (RFC 8493): OUT/<slug>-deposit/ and OUT/<slug>-deposit.zip.",
               "examples:\n  python build.py deposit\n  python build.py verify dist/<slug>-deposit.zip\n\n"
               "exit codes: 0 success, 1 the book has errors (nothing written), 2 bad usage")
    book_option(p)
    out_option(p)
    talk_options(p)
    args = p.parse_args(argv)
    start = time.perf_counter()
    show = reporter(args.quiet, args.verbose)
    show.begin(stage_count(deposited()) + 4)
    code, outputs = run_reported(show, args.debug, lambda: deposit(args.book, args.out, show.stage),
                                 failed="no deposit was written", kept="the previous deposit is unchanged")
    if code:
        return code
    for output in outputs:
        show.output(output)
    show.message(f"deposit made and validated in {time.perf_counter() - start:.1f} s")
    return 0
