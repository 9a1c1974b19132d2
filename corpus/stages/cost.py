"""What a step costs inside one task: CPU seconds, wall seconds and resident memory.

The figures go into datatrove's per-step statistics (``stat_update``), which the
executor saves per task (``<logs>/stats/<rank>.json``); the runner sums them over
tasks into the manifest's ``stage_costs``.
"""

from __future__ import annotations

import contextlib
import resource
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

CPU_SECONDS = "cpu_seconds"
WALL_SECONDS = "wall_seconds"
RSS_MB = "rss_mb"


def rss_mb() -> float:
    """This process's resident set now, in MB (``VmRSS``; the peak where there is no /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def record(step: Any, cpu: float, wall: float) -> None:
    """Add ``cpu`` and ``wall`` seconds and the RSS now to ``step``'s statistics."""
    step.stat_update(CPU_SECONDS, value=cpu, unit="task")
    step.stat_update(WALL_SECONDS, value=wall, unit="task")
    step.stat_update(RSS_MB, value=rss_mb(), unit="task")


def timed_iter(step: Any, items: Iterable[T]) -> Iterator[T]:
    """``items``, with the time spent producing them added to ``step``'s cost once at the end
    (a reader's per-item cost is two clock reads, not a statistics update)."""
    items = iter(items)
    cpu = wall = 0.0
    try:
        while True:
            w, c = time.perf_counter(), time.process_time()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                cpu += time.process_time() - c
                wall += time.perf_counter() - w
            yield item
    finally:
        record(step, cpu, wall)


@contextlib.contextmanager
def costed(step: Any) -> Iterator[None]:
    """Add the block's CPU and wall seconds and the RSS after it to ``step``'s statistics.

    ``step`` is a datatrove ``PipelineStep``; its statistics keep totals and maxima.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        record(step, time.process_time() - cpu, time.perf_counter() - wall)
