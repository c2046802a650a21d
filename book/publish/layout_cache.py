"""Laid-out jobs kept between builds, in ``<out>/.cache/layout/``.

A piece (one job's pages as a PDF, :mod:`.piece`) is kept under the hash of
its HTML and of everything else its layout reads (:func:`book.publish.paginate.job_key`:
fonts, images, the engine), with the conditions it was finished under
(:func:`book.publish.placement.conditions`: its first folio, its blank verso,
the strings carried in, the page numbers of other jobs it printed) and its
pagination. A build reuses a piece whose key and conditions are those of the
job now: a one-chapter edit lays out that chapter, and the others only if
their pages moved or a page number they print changed.

Beside the pieces: the subset fonts the join embeds (by face and glyphs), the
anchors of elements that turned out not to open a new page, and the last
build's paginations by job (a first guess for a job whose HTML changed).
Everything here is safe to delete; files are written whole or not at all.
After a build only what it used is kept.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from .jobdata import Finish, FontUse, Pagination, PieceInfo

FORMAT = 2
"""Bump when the meaning of a kept record changes."""


class LayoutCache:
    """The layout cache of one output folder."""

    def __init__(self, out: Path) -> None:
        self.folder = out / ".cache" / "layout"
        self.used: set[str] = set()
        """File names this build read or wrote (:meth:`prune` keeps only these)."""

    # ------------------------------------------------------------ pieces

    def piece_path(self, key: str, conditions_hash: str) -> Path:
        return self.folder / f"{key[:40]}-{conditions_hash}.pdf"

    def records(self, key: str) -> list[PieceInfo]:
        """The pieces kept for a job's key whose PDF is still there."""
        data = self._read(self.folder / f"{key[:40]}.json")
        out = []
        for item in data or ():
            try:
                info = _info(item)
            except (TypeError, KeyError, ValueError):
                continue
            if Path(info.pdf).is_file() and info.key == key:
                out.append(info)
        return out

    def add(self, info: PieceInfo) -> None:
        """Keep a finished piece (replacing one of the same key and conditions)."""
        index = self.folder / f"{info.key[:40]}.json"
        kept = [r for r in self.records(info.key) if r.conditions != info.conditions]
        self._write(index, [dataclasses.asdict(r) for r in (*kept, info)])
        self.use(info)

    def use(self, info: PieceInfo) -> None:
        self.used.update({f"{info.key[:40]}.json", Path(info.pdf).name})

    # ------------------------------------------------------------ fonts

    def font(self, name: str) -> bytes | None:
        path = self.folder / "fonts" / name
        self.used.add(f"fonts/{name}")
        try:
            return path.read_bytes()
        except OSError:
            return None

    def add_font(self, name: str, data: bytes) -> None:
        self._write_bytes(self.folder / "fonts" / name, data)
        self.used.add(f"fonts/{name}")

    # ------------------------------------------------------------ what the book taught

    def joined(self) -> frozenset[str]:
        """Anchors of elements found not to open a new page."""
        data = self._read(self.folder / "joined.json")
        return frozenset(str(a) for a in data) if isinstance(data, list) else frozenset()

    def add_joined(self, anchors: set[str]) -> None:
        self._write(self.folder / "joined.json", sorted(self.joined() | anchors))

    def last_paginations(self) -> dict[str, Pagination]:
        """The last build's pagination of each job, by the job's anchor."""
        data = self._read(self.folder / "last.json")
        out = {}
        for anchor, item in (data.items() if isinstance(data, dict) else ()):
            try:
                out[anchor] = Pagination(**_tuples(item))
            except (TypeError, ValueError):
                continue
        return out

    def remember(self, paginations: dict[str, Pagination]) -> None:
        self._write(self.folder / "last.json", {a: dataclasses.asdict(p) for a, p in paginations.items()})

    def prune(self) -> None:
        """Delete what this build did not use."""
        keep = self.used | {"joined.json", "last.json"}
        if not self.folder.is_dir():
            return
        for path in self.folder.rglob("*"):
            if path.is_file() and path.relative_to(self.folder).as_posix() not in keep:
                path.unlink(missing_ok=True)

    # ------------------------------------------------------------ files

    def _read(self, path: Path):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        return data.get("data")

    def _write(self, path: Path, data) -> None:
        text = json.dumps({"format": FORMAT, "data": data}, ensure_ascii=False, separators=(",", ":"))
        self._write_bytes(path, text.encode("utf-8"))

    def _write_bytes(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def _tuples(value):
    """JSON's lists back into the tuples the records were made of."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def _info(item: dict) -> PieceInfo:
    data = _tuples(item)
    data["pagination"] = Pagination(**data["pagination"])
    data["finish"] = Finish(**data["finish"])
    data["fonts"] = tuple(FontUse(**f) for f in data["fonts"])
    return PieceInfo(**data)
