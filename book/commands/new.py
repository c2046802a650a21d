"""``build.py new DIR``: start a book from the skeleton in ``book/skeleton/``.

The skeleton is a complete small book — book.yaml, two chapters that cite,
link and footnote, a bibliography with one cited entry and a word list —
that builds every edition and passes ``check --strict`` as created, so an
author starts from something that works and changes it a piece at a time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import uuid
from pathlib import Path

import yaml

from ..resources import SKELETON
from . import parser as command_parser
from . import program


LANGUAGES = ("en", *sorted(p.name for p in (SKELETON / "lang").iterdir() if p.is_dir()))
"""The languages ``new`` has sample text in: its chapters, word list and rights line."""


def skeleton_files(lang: str) -> dict[Path, Path]:
    """The skeleton's files for ``lang``, by their path in the new book: the English skeleton with
    the language's own chapters and word list over it."""
    files = {p.relative_to(SKELETON): p for p in SKELETON.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.relative_to(SKELETON).parts[0] != "lang"}
    if lang != "en":
        own = SKELETON / "lang" / lang
        files.update({p.relative_to(own): p for p in own.rglob("*") if p.is_file() and p.name != "lang.yaml"})
    return dict(sorted(files.items()))


def create(folder: Path, title: str, author: str, lang: str = "en") -> list[Path]:
    """Write the skeleton into ``folder`` (absent or empty), in ``lang``; return the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(folder)
    today = datetime.date.today()
    settings = {"rights": "All rights reserved."}
    if lang != "en":
        settings.update(yaml.safe_load((SKELETON / "lang" / lang / "lang.yaml").read_text(encoding="utf-8")))
    extra = "" if settings.get("spelling", True) else \
        "spelling: false                  # no dictionary here knows this language's word forms well enough\n"
    values = {"title": json.dumps(title, ensure_ascii=False), "author": json.dumps(author, ensure_ascii=False),
              "date": today.isoformat(), "uuid": str(uuid.uuid4()), "lang": lang, "extra": extra,
              # One YAML string: a name with quotes in it must not print them.
              "rights": json.dumps(f"© {today.year} {author}. {settings['rights']}", ensure_ascii=False)}
    written: list[Path] = []
    for rel, source in skeleton_files(lang).items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        if rel.as_posix() == "book.yaml":
            text = text.format(**values)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def parser() -> argparse.ArgumentParser:
    p = command_parser(
        "new", "Start a new book in DIR from a skeleton that builds and passes check.",
        "example:\n  python build.py new my-book --title 'A History of Maps'\n"
        "  python build.py --book my-book")
    p.add_argument("folder", metavar="DIR", type=Path, help="the new book's folder (must not exist, or be empty)")
    p.add_argument("--title", default="Untitled Book", help="the book's title (default: Untitled Book)")
    p.add_argument("--author", default="A. N. Author", help="the author's name (default: A. N. Author)")
    p.add_argument("--lang", default="en", choices=LANGUAGES,
                   help="the book's language: its sample text, word list and rights line (default: en)")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if not args.title.strip():
        parser().error("--title must not be empty")
    try:
        files = create(args.folder, args.title.strip(), args.author.strip() or "A. N. Author", args.lang)
    except FileExistsError:
        what = "a file" if args.folder.is_file() else "not empty"
        print(f"{program()} new: error: '{args.folder}' is {what}; a new book needs a new or empty folder",
              file=sys.stderr)
        return 2
    except OSError as exc:  # a folder nobody may write, a path through a file, a full disk
        print(f"{program()} new: error: cannot write '{exc.filename or args.folder}': {exc.strerror or exc}; "
              "choose a folder you may write", file=sys.stderr)
        return 1
    print(f"created {args.folder}{'' if str(args.folder).endswith('/') else '/'} "
          f"({len(files)} files). Next:\n"
          f"  {program()} check --book {args.folder}\n"
          f"  {program()} serve --book {args.folder}", file=sys.stderr)
    return 0
