"""What a build says while it works, and what it made.

On a terminal (and not in CI) a rich display shows the current stage, a bar
over the build's stages and the time taken; the output lines stay on screen
when it finishes. Anywhere else — a pipe, a log file, ``CI`` set, ``TERM=dumb``
— it writes plain lines, one per output, so logs stay greppable. ``-q``
silences everything but errors, ``-v`` adds a line per stage with its time.
``NO_COLOR`` turns colour off in both.

Every output line ends with the path, the size and the page count::

    pdf      dist/wwii-diplomacy.pdf  1.2 MB  65 pages
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable, TextIO, TypeVar

from ..errors import BookError
from ..publish import Output
from ..publish.editions import Edition
from ..staging import interruptible

T = TypeVar("T")


def human_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def output_line(o: Output, cwd: Path | None = None) -> str:
    """``kind  path  size  N pages``: what was written, where, how big, how long."""
    try:
        shown = os.path.relpath(o.path, cwd or Path.cwd())
    except ValueError:  # another drive on Windows
        shown = str(o.path)
    if o.path.is_dir():
        shown += os.sep
    detail = f"  {o.pages} {o.unit}" if o.pages else ""
    return f"{o.kind:<8} {shown}  {human_size(o.size)}{detail}"


def fancy_terminal(stream: TextIO) -> bool:
    """A person is watching: a TTY, not CI, not a dumb terminal."""
    return (hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("CI")
            and os.environ.get("TERM") != "dumb")


class Plain:
    """One line per output; with ``verbose`` one per stage too."""

    def __init__(self, stream: TextIO, quiet: bool = False, verbose: bool = False) -> None:
        self.stream, self.quiet, self.verbose = stream, quiet, verbose
        self.start = self.last = time.perf_counter()

    def begin(self, stages: int) -> None:
        pass

    def stage(self, text: str) -> None:
        now = time.perf_counter()
        if self.verbose and not self.quiet:
            print(f"  {text} (at {now - self.start:.1f} s)", file=self.stream, flush=True)
        self.last = now

    def output(self, o: Output) -> None:
        if not self.quiet:
            print(output_line(o), file=self.stream, flush=True)

    def message(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def end(self) -> None:
        pass


class Fancy(Plain):
    """rich's live display: spinner, the current stage, a bar over all stages, elapsed time."""

    def __init__(self, stream: TextIO, quiet: bool = False, verbose: bool = False) -> None:
        super().__init__(stream, quiet, verbose)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(file=stream, no_color=bool(os.environ.get("NO_COLOR")), highlight=False)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                 console=self.console, transient=True)
        self.task = None

    def begin(self, stages: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("starting", total=stages)

    def stage(self, text: str) -> None:
        if self.task is not None:
            task = self.progress.tasks[0]
            done = 1 if task.description != "starting" else 0
            total = max(task.total or 0, task.completed + done + 1)
            self.progress.update(self.task, description=text, advance=done, total=total)
        if self.verbose:
            self.console.print(f"  [dim]{text} (at {time.perf_counter() - self.start:.1f} s)[/dim]")

    def output(self, o: Output) -> None:
        kind, _, rest = output_line(o).partition(" ")
        # soft_wrap: the terminal wraps a long path; rich would break it with a newline.
        self.console.print(f"[bold green]{kind}[/bold green] {rest}", soft_wrap=True)

    def message(self, text: str) -> None:
        self.console.print(text, soft_wrap=True)

    def end(self) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[0].total)
            self.progress.stop()
            self.task = None


def reporter(quiet: bool = False, verbose: bool = False, stream: TextIO | None = None) -> Plain:
    """The display that suits where output goes."""
    stream = stream or sys.stderr
    if not quiet and fancy_terminal(stream):
        return Fancy(stream, quiet, verbose)
    return Plain(stream, quiet, verbose)


def stage_count(editions: tuple[Edition, ...]) -> int:
    """About how many progress() calls a build of ``editions`` makes (one to load, then each
    edition's :attr:`~book.publish.editions.Edition.stages`): sizes the bar, which grows if the
    build reports more stages (an EPUB alone lays out the print edition too)."""
    return 1 + sum(e.stages for e in editions)


def run_reported(show: Plain, debug: bool, work: Callable[[], T], failed: str = "nothing was written",
                 kept: str = "the previous outputs are unchanged") -> tuple[int, T | None]:
    """Run one command's ``work`` the way every command ends: a BookError printed as
    ``file:line:col`` with its count and ``failed``, exit 1 (a traceback only with
    ``--debug``); Ctrl-C or ``kill -TERM`` unwinding cleanly, saying ``kept``, with 130 or
    143; otherwise 0 and the result."""
    try:
        with interruptible():
            result = work()
    except BookError as exc:
        show.end()
        if debug:
            raise
        print(exc.format(Path.cwd()), file=sys.stderr)
        count = len(getattr(exc, "errors", (exc,)))
        print(f"{count} error{'s' if count != 1 else ''}; {failed}.", file=sys.stderr)
        return 1, None
    except KeyboardInterrupt as exc:
        show.end()
        print(f"interrupted; {kept}.", file=sys.stderr)
        return 128 + getattr(exc, "signum", 2), None  # the shell's convention: 130 Ctrl-C, 143 TERM
    show.end()
    return 0, result
