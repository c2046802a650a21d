"""What every test of bad and hostile input shares: a listener that records requests, the
previous outputs' hashes, and :func:`refused`, the one check of a refusal.

A refusal exits 1, names the file and line (``file:line:col: error: ...``), shows no
traceback, sends no request to the listener the hostile inputs point at, and leaves
every previous output byte for byte as it was, with no temporary file behind.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from conftest import run_build


class Listener(http.server.ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                listener.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(b"\x89PNG\r\n\x1a\n")

            do_POST = do_HEAD = do_GET

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]


def listening() -> Listener:
    """A :class:`Listener` serving in a thread of its own (``conftest.listener`` is the fixture)."""
    server = Listener()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every output under ``folder``, by relative path (the lock and caches aside)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


TEMP_NAME = re.compile(r"^\..+\.([a-z0-9_]{8}|old)\.tmp$")
"""How the builder names its temporary files and folders (README, "Safety and reproducibility")."""


def temp_leftovers(folder: Path) -> list[str]:
    """Temporary files or folders a build left behind (``.name.x1y2z3w4.tmp``, ``.web.old.tmp``)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob(".*.tmp") if TEMP_NAME.match(p.name))


@dataclass
class Ctx:
    """What a case may use to break the book."""

    book: Path
    port: int
    outside: Path
    """A folder next to the book, outside it."""
    args: list[str] = field(default_factory=list)
    """Extra command-line options for the build."""
    expect: list[str] = field(default_factory=list)
    """Text the error message must hold besides the place."""
    seconds: float = 20
    """How long the refusal may take: a hang guard, not a speed test (a build refused at once
    takes a second or two; an expanded YAML bomb or a fetch that waits for the network, minutes)."""
    command: list[str] = field(default_factory=list)
    """The command to run instead of a build of every edition (``["check"]``)."""


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def replace_line(path: Path, old: str, new: str) -> int:
    """Replace the line ``old`` (stripped match) by ``new``; return its 1-based number."""
    text = lines(path)
    for i, line in enumerate(text):
        if line.strip() == old:
            text[i] = line[: len(line) - len(line.lstrip())] + new
            path.write_text("\n".join(text), encoding="utf-8")
            return i + 1
    raise AssertionError(f"{old!r} not in {path}")


def append(path: Path, block: str) -> int:
    """Append a paragraph to a chapter; return the line it starts on."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    start = text.count("\n") + 1 + 2
    path.write_text(text + "\n\n" + block + "\n", encoding="utf-8")
    return start


def insert_after_front_matter(path: Path, block: str) -> int:
    """Put ``block`` as the chapter's first paragraph; return its line."""
    text = lines(path)
    end = text.index("---", 1)
    text[end + 1:end + 1] = ["", *block.split("\n"), ""]
    path.write_text("\n".join(text), encoding="utf-8")
    return end + 3


BOMB = """a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""
"""Nine levels of nine: 387 420 489 strings once the aliases are expanded."""


def refused(ctx: Ctx, rel: str, line: int, basic_build: Path, listener: Listener, tmp_path: Path,
            env: dict | None = None) -> str:
    """Build (or run ``ctx.command`` on) the broken book into a copy of the good edition and
    check the refusal; ``line`` 0 accepts any line. Returns what the build printed on stderr."""
    out = tmp_path / "dist"
    shutil.copytree(basic_build, out)
    before = tree_hashes(out)
    seen = len(listener.requests)

    start = time.monotonic()
    command = ctx.command or ["--out", str(out)]
    proc = run_build(*command, "--book", str(ctx.book), *ctx.args, env=env, timeout=max(120, int(ctx.seconds) * 3))
    elapsed = time.monotonic() - start

    printed = proc.stdout + proc.stderr
    report = f"exit {proc.returncode}\n{printed}"
    assert proc.returncode == 1, report
    assert "Traceback" not in printed, report
    line_pattern = str(line) if line else r"[1-9]\d*"
    place = rf"{re.escape(rel)}:{line_pattern}:\d+: error: "
    assert re.search(rf"(^|[/\\]){place}", printed, re.M), f"expected {place}\n{report}"
    for text in ctx.expect:
        assert text in printed, report
    assert listener.requests[seen:] == [], f"the build made requests: {listener.requests[seen:]}"
    assert tree_hashes(out) == before, "the previous outputs changed"
    assert temp_leftovers(out) == [], f"temporary files were left behind: {temp_leftovers(out)}"
    assert elapsed < ctx.seconds, f"the refusal took {elapsed:.1f} s"
    return printed
