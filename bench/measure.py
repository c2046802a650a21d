"""Timing one command as a child process: wall time, CPU time and peak memory.

Each measured build is its own process, started fresh, so imports, font
loading and everything else a user waits for is counted. ``os.wait4`` gives
the child's own resource usage (its peak RSS is the largest of the child and
of any process it waited for, as ``/usr/bin/time`` reports it), so nothing
measured earlier leaks into a later figure.

A build runs several processes at once (layout workers, the EPUB beside the
PDF), so the largest single process says little about the memory a build
needs. With ``tree=True`` a sampler reads, every 50 ms, the resident memory of
the command and all its descendants from ``/proc`` and keeps the peak of their
sum, twice: as the sum of their resident sets (RSS; a page a forked child
still shares with its parent counts in both) and as the sum of their
proportional sets (PSS, from ``smaps_rollup``: a shared page counts once,
split between the processes sharing it — what the build takes from the
machine's memory).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One run of one command."""

    wall: float
    """Seconds from start to exit."""
    cpu: float
    """User + system seconds of the process and the children it waited for."""
    rss_mb: float
    """Peak resident set size, MiB (the largest single process)."""
    tree_rss_mb: float = 0.0
    """Peak of the resident set sizes of the command and its descendants added up, MiB (0: not sampled)."""
    tree_pss_mb: float = 0.0
    """Peak of their proportional set sizes added up, MiB (0: not sampled)."""


class Failed(RuntimeError):
    """A measured command exited non-zero: the benchmark stops rather than report a broken build."""


def run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, tree: bool = False) -> Sample:
    """Run ``argv`` to completion; raise :class:`Failed` (with its output) if it fails. ``tree``:
    also sample the memory of the command and its descendants."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sampler = _TreeSampler(proc.pid) if tree else None
    # Read the output before waiting, or a chatty child blocks on a full pipe.
    output = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    peaks = sampler.stop() if sampler else (0.0, 0.0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise Failed(f"{' '.join(argv)} exited {proc.returncode}:\n{output.decode(errors='replace')[-3000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, *peaks)


class _TreeSampler:
    """The peak memory of a process and its descendants, sampled in a thread."""

    INTERVAL = 0.05

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.rss = self.pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> tuple[float, float]:
        self._stop.set()
        self._thread.join()
        return self.rss / 1024, self.pss / 1024

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = pss = 0
            for pid in _tree(self.pid):
                rss += _kb(f"/proc/{pid}/status", "VmRSS:")
                pss += _kb(f"/proc/{pid}/smaps_rollup", "Pss:")
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self._stop.wait(self.INTERVAL)


def _tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it, as /proc lists them now."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return out


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Series:
    """Every run of one task."""

    name: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss_mb(self) -> float:
        return max(s.rss_mb for s in self.samples)

    @property
    def tree_rss_mb(self) -> float:
        return max(s.tree_rss_mb for s in self.samples)

    @property
    def tree_pss_mb(self) -> float:
        return max(s.tree_pss_mb for s in self.samples)

    @property
    def spread(self) -> tuple[float, float]:
        walls = [s.wall for s in self.samples]
        return min(walls), max(walls)

    def __len__(self) -> int:
        return len(self.samples)


def combined(name: str, *parts: Series) -> Series:
    """Tasks run one after the other (pandoc's PDF, then its EPUB), run by run: times add up,
    peak memory is the larger."""
    out = Series(name)
    for samples in zip(*(p.samples for p in parts)):
        out.samples.append(Sample(sum(s.wall for s in samples), sum(s.cpu for s in samples),
                                  max(s.rss_mb for s in samples)))
    return out
