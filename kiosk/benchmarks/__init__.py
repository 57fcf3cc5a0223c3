"""Benchmarks printed by ``kiosk bench``. Speed and memory targets live here, never in tests.

Each benchmark is a module in this package with ``NAME`` (str) and ``run(ctx) -> list[Row]``; add it
to ``BENCHMARKS``. A benchmark that cannot run here (no model, no audio library) returns a row that
says why instead of raising.
"""
from __future__ import annotations

import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

BENCHMARKS = ("matching", "speech", "recognition", "staff", "ui", "serve", "soak")


@dataclass(frozen=True)
class Row:
    name: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: no target

    def render(self) -> str:
        mark = "" if self.ok is None else ("  ok" if self.ok else "  MISSED")
        target = f"  (target {self.target})" if self.target else ""
        return f"  {self.name:<44} {self.value:>14}{target}{mark}"


@dataclass
class Context:
    guides_dir: Path
    config: object
    quick: bool = False
    options: dict = field(default_factory=dict)


def percentiles(samples: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95, p99 of samples."""
    if len(samples) < 2:
        v = samples[0] if samples else 0.0
        return v, v, v
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49], q[94], q[98]


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def rss_mb() -> float:
    """Peak resident set size of this process, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
