"""Longer books for the benchmark, made from the sample book, and the same chapters for pandoc.

A book ``n`` times as long keeps the sample's front matter once and repeats
its body ``n`` times. Each copy is a real, valid part of the book: its chapter
files have their own names (so their own ids), its links point at its own
copies of the chapters, and its citations use keys of its own, whose
bibliography entries are the originals duplicated under the new keys. The
builder has to resolve, number and cross-reference every copy, as it would
a book that long; nothing is shared or cached between copies.

pandoc gets the very same chapters as one Markdown document: a level-1
heading per chapter (pandoc's EPUB splits there), links rewritten to in-document
anchors, note labels made unique (pandoc reads all input as one document),
and the same bibliography and CSL style.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

_LINK = re.compile(r"\]\(([^)#\s]+\.md)(#[^)\s]*)?\)")
_NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass(frozen=True)
class Generated:
    """A generated book and what the benchmark needs to know about it."""

    folder: Path
    """The folder holding book.yaml."""
    times: int
    chapters: int
    """Chapter files the book lists (front matter included)."""
    references: int
    """Entries in its bibliography."""


def copy_suffix(k: int) -> str:
    """What copy ``k`` (1-based; copy 1 is the original) adds to names and keys."""
    return "" if k == 1 else f"-x{k}"


def make_book(source: Path, dest: Path, times: int) -> Generated:
    """Write the sample book at ``times`` its length into ``dest`` (created; must not exist)."""
    shutil.copytree(source, dest)
    config = yaml.safe_load((dest / "book.yaml").read_text(encoding="utf-8"))
    bib_rel = config["bibliography"]
    bib_path = dest / bib_rel
    bib = yaml.safe_load(bib_path.read_text(encoding="utf-8"))
    originals = list(bib["references"])
    keys = sorted((str(e["id"]) for e in originals), key=len, reverse=True)
    body = config["chapters"]
    body_files = [rel for entry in body for rel in _files(entry)]

    new_body: list = []
    references = list(originals)
    for k in range(1, times + 1):
        suffix = copy_suffix(k)
        renames = {rel: _renamed(rel, suffix) for rel in body_files}
        for rel in body_files:
            text = (source / rel).read_text(encoding="utf-8")
            text = _rewrite(text, rel, renames, keys, suffix)
            (dest / renames[rel]).write_text(text, encoding="utf-8")
        new_body += [_renamed_entry(entry, renames, k) for entry in body]
        if k > 1:
            references += [{**entry, "id": f"{entry['id']}{suffix}"} for entry in originals]
    config["chapters"] = new_body
    (dest / "book.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=1000),
                                    encoding="utf-8")
    bib_path.write_text(yaml.safe_dump({"references": references}, allow_unicode=True, sort_keys=False,
                                       width=1000), encoding="utf-8")
    front = [rel for entry in config.get("front", []) for rel in _files(entry)]
    back = [rel for entry in config.get("back", []) for rel in _files(entry)]
    return Generated(dest, times, len(front) + len(back) + len(body_files) * times, len(references))


def _files(entry) -> list[str]:
    if isinstance(entry, dict):
        return [rel for sub in entry.get("chapters", []) for rel in _files(sub)]
    return [entry]


def _renamed(rel: str, suffix: str) -> str:
    path = Path(rel)
    return str(path.with_name(f"{path.stem}{suffix}{path.suffix}"))


def _renamed_entry(entry, renames: dict[str, str], k: int):
    if isinstance(entry, dict):
        title = entry["part"] if k == 1 else f"{entry['part']} [{k}]"
        return {**entry, "part": title, "chapters": [_renamed_entry(e, renames, k) for e in entry["chapters"]]}
    return renames[entry]


def _rewrite(text: str, rel: str, renames: dict[str, str], keys: list[str], suffix: str) -> str:
    """One copy of a chapter: its own id, links to its own copies, its own citation keys."""
    if not suffix:
        return text
    folder = Path(rel).parent

    def link(m: re.Match) -> str:
        target = (folder / m.group(1)).as_posix()
        target = _normal(target)
        if target in renames:
            new = Path(renames[target]).name if Path(target).parent == folder else \
                _relative(renames[target], folder)
            return f"]({new}{m.group(2) or ''})"
        return m.group(0)

    front = _FRONT.match(text)
    if front:
        fm = yaml.safe_load(front.group(1)) or {}
        if "id" in fm:
            fm["id"] = f"{fm['id']}{suffix}"
            text = "---\n" + yaml.safe_dump(fm, allow_unicode=True, sort_keys=False, width=1000) + "---\n" \
                + text[front.end():]
    text = _LINK.sub(link, text)
    if keys:
        cite = re.compile(r"(?<![\w.@])@(" + "|".join(re.escape(k) for k in keys) + r")(?![\w])")
        text = cite.sub(lambda m: f"@{m.group(1)}{suffix}", text)
    return text


def _normal(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


def _relative(target: str, folder: Path) -> str:
    import os.path
    return os.path.relpath(target, folder.as_posix() or ".")


# ------------------------------------------------------------------ pandoc


def pandoc_input(book: Path, dest: Path) -> tuple[Path, Path]:
    """The book's chapters as one pandoc Markdown file (with a metadata block) in ``dest``;
    returns it and the bibliography path."""
    config = yaml.safe_load((book / "book.yaml").read_text(encoding="utf-8"))
    files = [rel for key in ("front", "chapters", "back") for entry in config.get(key, []) for rel in _files(entry)]
    ids = {}
    chapters = []
    for rel in files:
        text = (book / rel).read_text(encoding="utf-8")
        front = _FRONT.match(text)
        fm = (yaml.safe_load(front.group(1)) or {}) if front else {}
        ident = str(fm.get("id") or Path(rel).stem)
        ids[_normal(rel)] = ident
        chapters.append((rel, ident, str(fm.get("title", ident)), text[front.end():] if front else text))

    out = []
    for n, (rel, ident, title, body) in enumerate(chapters):
        folder = Path(rel).parent

        def link(m: re.Match) -> str:
            target = _normal((folder / m.group(1)).as_posix())
            anchor = m.group(2) or ("#" + ids[target] if target in ids else "")
            return f"]({anchor})" if target in ids else m.group(0)

        body = _LINK.sub(link, body)
        body = _NOTE_LABEL.sub(lambda m: f"[^c{n}-{m.group(1)}]", body)
        out.append(f"# {title} {{#{ident}}}\n\n{body.strip()}\n")
    meta = {
        "title": config["title"],
        "subtitle": config.get("subtitle", ""),
        "author": [a["name"] if isinstance(a, dict) else a for a in _list(config.get("author"))],
        "lang": config.get("lang", "en"),
        "date": str(config.get("date", "")),
        "identifier": config.get("identifier", ""),
        "rights": config.get("rights", ""),
        "link-citations": True,
    }
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / "book.md"
    target.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
                      + "---\n\n" + "\n".join(out), encoding="utf-8")
    return target, book / config["bibliography"]


def _list(value) -> list:
    return value if isinstance(value, list) else ([value] if value else [])
