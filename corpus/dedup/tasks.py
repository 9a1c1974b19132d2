"""Running the steps of a dedup job: as Ray tasks with bounded concurrency, in local
worker processes (the ``processes`` executor), or in-process.

Every step is a module-level function whose arguments are small (paths, numbers,
the job's configuration) and whose result is a small summary; the data moves
through files in the job's folder. Ray tasks ask for one CPU each and at most
``max_in_flight`` are submitted at a time, so a small machine (2 CPUs, other
users' Ray instances beside ours) is never oversubscribed and nothing waits on
resources that cannot be granted.
"""

from __future__ import annotations

import contextlib
import contextvars
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

_PINNED_NODE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "dedup_pinned_node", default=None
)


@contextlib.contextmanager
def tasks_on_this_node() -> Iterator[None]:
    """Run the :class:`RayTasks` made inside the block on the driver's own Ray node.

    For a job whose scratch folder is on the driver's local disk (a release on object
    storage: no folder is shared between the nodes).
    """
    import ray

    token = _PINNED_NODE.set(ray.get_runtime_context().get_node_id())
    try:
        yield
    finally:
        _PINNED_NODE.reset(token)


class TaskRunner(Protocol):
    usage: StepUsage
    """What each step cost, by step name."""

    def map(self, fn: Callable[..., Any], calls: Sequence[tuple]) -> list[Any]:
        """``[fn(*args) for args in calls]``, possibly in parallel; results in call order."""
        ...


@dataclass
class StepUsage:
    """Per step: the largest peak RSS (MB) of a process that ran it, and CPU seconds."""

    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    def record(self, step: str, rss_mb: float, cpu: float) -> None:
        self.peak_rss_mb[step] = round(max(self.peak_rss_mb.get(step, 0.0), rss_mb), 1)
        self.cpu_seconds[step] = round(self.cpu_seconds.get(step, 0.0) + cpu, 3)


def peak_rss_mb() -> float:
    """This process's peak resident set in MB (``VmHWM``; ``ru_maxrss`` where there is no
    /proc — that one survives ``exec`` and so can report a parent's peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measured(fn: Callable[..., Any], *args: Any) -> tuple[Any, float, float]:
    """``fn(*args)``, the peak RSS of the process that ran it and the CPU seconds it took."""
    started = time.process_time()
    result = fn(*args)
    return result, peak_rss_mb(), time.process_time() - started


class LocalTasks:
    """Runs the calls one after another in this process (tests, tiny inputs)."""

    def __init__(self) -> None:
        self.usage = StepUsage()

    def map(self, fn: Callable[..., Any], calls: Sequence[tuple]) -> list[Any]:
        results = []
        for args in calls:
            result, rss, cpu = measured(fn, *args)
            self.usage.record(fn.__name__, rss, cpu)
            results.append(result)
        return results


class RayTasks:
    """Runs the calls as Ray tasks (one CPU each), at most ``max_in_flight`` at once."""

    def __init__(self, max_in_flight: int | None = None, memory_per_task: int | None = None):
        import ray

        if not ray.is_initialized():
            raise RuntimeError("RayTasks needs Ray initialised (ray.init or ray_session)")
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.max_in_flight = max(1, max_in_flight or cpus)
        options: dict[str, Any] = {"num_cpus": 1, "max_retries": 2}
        if memory_per_task:
            options["memory"] = memory_per_task
        if _PINNED_NODE.get():
            from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

            options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(
                _PINNED_NODE.get(), soft=False
            )
        self._remote = ray.remote(**options)(measured)
        self.usage = StepUsage()

    def map(self, fn: Callable[..., Any], calls: Sequence[tuple]) -> list[Any]:
        import ray

        results: list[Any] = [None] * len(calls)
        pending: dict[Any, int] = {}
        next_call = 0
        while next_call < len(calls) or pending:
            while next_call < len(calls) and len(pending) < self.max_in_flight:
                pending[self._remote.remote(fn, *calls[next_call])] = next_call
                next_call += 1
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                index = pending.pop(ref)
                try:
                    results[index], rss, cpu = ray.get(ref)
                    self.usage.record(fn.__name__, rss, cpu)
                except Exception as exc:
                    for other in pending:
                        ray.cancel(other)
                    raise RuntimeError(
                        f"dedup step {fn.__name__}{calls[index]!r} failed: {exc}"
                    ) from exc
        return results


class ProcessTasks:
    """Runs the calls in local worker processes (:mod:`corpus.local_processes`), at most
    ``max_in_flight`` at once; a call whose worker dies is run again twice, as Ray would."""

    def __init__(self, max_in_flight: int | None = None) -> None:
        from corpus.local_processes import active

        session = active()
        if session is None:
            raise RuntimeError("ProcessTasks needs a process_session")
        self.max_in_flight = max(1, max_in_flight or session.cpus)
        self.usage = StepUsage()

    def map(self, fn: Callable[..., Any], calls: Sequence[tuple]) -> list[Any]:
        from corpus.local_processes import map_calls

        results: list[Any] = [None] * len(calls)
        for index, outcome, exc in map_calls(
            measured, [(fn, *args) for args in calls], workers=self.max_in_flight, retries=2
        ):
            if exc is not None:
                raise RuntimeError(
                    f"dedup step {fn.__name__}{calls[index]!r} failed: {exc}"
                ) from exc
            results[index], rss, cpu = outcome
            self.usage.record(fn.__name__, rss, cpu)
        return results


def task_runner(max_in_flight: int | None = None) -> TaskRunner:
    """The runner for the executor the caller runs under: local worker processes inside a
    :func:`corpus.local_processes.process_session`, else Ray tasks."""
    from corpus.local_processes import active

    if active() is not None:
        return ProcessTasks(max_in_flight)
    return RayTasks(max_in_flight)
