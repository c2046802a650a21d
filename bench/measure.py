"""Timing one command as a child process: wall time, CPU time and peak memory.

Each measured build is its own process, started fresh, so imports, font
loading and everything else a user waits for is counted. ``os.wait4`` gives
the child's own resource usage (its peak RSS is the largest of the child and
of any process it waited for, as ``/usr/bin/time`` reports it), so nothing
measured earlier leaks into a later figure.
"""

from __future__ import annotations

import os
import statistics
import subprocess
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


class Failed(RuntimeError):
    """A measured command exited non-zero: the benchmark stops rather than report a broken build."""


def run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Sample:
    """Run ``argv`` to completion; raise :class:`Failed` (with its output) if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # Read the output before waiting, or a chatty child blocks on a full pipe.
    output = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise Failed(f"{' '.join(argv)} exited {proc.returncode}:\n{output.decode(errors='replace')[-3000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


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
