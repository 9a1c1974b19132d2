"""Running datatrove steps on Ray, or in local worker processes: one task per "rank".

datatrove's own ``RayPipelineExecutor`` starts a placement group, an actor and a
process pool for every task, and each new actor loads the models again; on the
bundled sample that made a segment about 3× slower than plain Ray tasks, whose
worker processes Ray reuses (``bench/executor_compare.py``, ``bench/RESULTS.md``).
Ray Data map tasks reuse workers too, but its first dataset in a run costs about
1.5 s (importing Ray Data in the driver and in every worker) — more than the whole
segment of a small run (``bench/dedup_overhead.py``). This executor keeps datatrove's
contract — the same steps, its completion markers (a rerun skips finished tasks), its
per-task logs and stats — and submits the tasks itself: at most ``concurrency`` at
once, spread over the nodes, retried when a worker process or node dies, with
scheduling options such as node labels passed through to every task. A worker process
runs at most :data:`TASKS_PER_WORKER` tasks, and hands back the memory a task freed
before the next, so what a process accumulates stays bounded whatever the input's size.

:class:`ProcessPipelineExecutor` keeps the same contract in a pool of local worker
processes (:mod:`corpus.local_processes`): the ``processes`` executor, for jobs on one
machine too small to pay for starting Ray.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import pickle
import traceback
from collections.abc import Callable
from typing import Any

from datatrove.executor.base import DistributedEnvVars, PipelineExecutor
from datatrove.pipeline.base import PipelineStep

TASKS_PER_WORKER = 8
"""A worker process runs at most this many tasks, then Ray starts a fresh one. What a
stage keeps per process grows with the text the process has seen (the Sudachi dictionary
pages it touched, native state of the NLP libraries): on one 1 GB file in 64 MB tasks the
pii worker's peak climbed ~20 MB per task, and 4 tasks per worker kept it at the peak of
a 256 MB input. At the default 16 MB tasks, 8 tasks are half the text of those 4: the
1 GB file's largest worker peaked at 715 MB, and the models loaded again every 8 tasks
cost 7 % more CPU than 64 MB tasks did (829 s against 775 s, ``bench/big_file_bench.py``)."""

SYSTEM_RETRIES = 3
"""How often a task is run again when its worker process or node dies (Ray's default)."""


def _run_rank(executor: TaskPipelineExecutor, rank: int) -> tuple[int, str]:
    return rank, executor.run_rank(rank)


def _run_pickled_rank(shipped: bytes, rank: int) -> str:
    """One task in a local worker process: a fresh copy of the executor (each task's
    steps count their own stats, as in a Ray task), its error as text."""
    from corpus.local_processes import process_title

    process_title(WORKER_TITLE)
    return pickle.loads(shipped).run_rank(rank)


WORKER_TITLE = "jpcorpus-task"
"""The name (``ps -o comm``) of a local worker process while it runs a task."""


class TaskPipelineExecutor(PipelineExecutor):
    """Runs ``pipeline`` for ranks ``0..tasks-1``, each task in a worker process; the
    subclasses say where the workers are (:meth:`run`).

    ``concurrency`` caps the tasks running at once (on a 2-CPU machine at most 2);
    ``label_selector`` restricts every task to nodes with those labels (residency). A
    task whose worker process dies is run again; an error raised by a step is not
    retried but reported.
    """

    executor_name = "TASKS"
    """What datatrove's ``DATATROVE_EXECUTOR`` says inside a task."""

    def __init__(
        self,
        pipeline: list[PipelineStep | Callable],
        tasks: int,
        logging_dir: str | tuple[str, dict],
        *,
        concurrency: int = 1,
        cpus_per_task: float = 1.0,
        mem_per_task_gb: float = 1.0,
        label_selector: dict[str, str] | None = None,
        skip_completed: bool = True,
    ) -> None:
        super().__init__(pipeline, logging_dir, skip_completed)
        self.tasks = tasks
        self.concurrency = max(1, concurrency)
        self.cpus_per_task = cpus_per_task
        self.mem_per_task_gb = mem_per_task_gb
        self.label_selector = dict(label_selector) if label_selector else None

    @property
    def world_size(self) -> int:
        return self.tasks

    def get_distributed_env(self, node_rank: int = -1) -> DistributedEnvVars:
        return DistributedEnvVars(
            datatrove_node_ips="",
            datatrove_cpus_per_task=str(self.cpus_per_task),
            datatrove_mem_per_cpu=str(self.mem_per_task_gb / max(self.cpus_per_task, 1e-9)),
            datatrove_gpus_on_node="0",
            datatrove_executor=self.executor_name,
        )

    def run_rank(self, rank: int) -> str:
        """Run one task in this process; its error as text ("" when it succeeded), so
        that the other tasks go on."""
        try:
            self._run_for_rank(rank)
            return ""
        except Exception:  # noqa: BLE001 — reported by the driver with the task's log
            return traceback.format_exc(limit=8)
        finally:
            release_memory()

    def run(self) -> dict[int, str]:
        """Run every incomplete rank; returns ``{rank: error}`` for the ranks that failed."""
        raise NotImplementedError


class RayTaskPipelineExecutor(TaskPipelineExecutor):
    """The tasks as Ray tasks, spread over the nodes (a dead worker or node: Ray retries)."""

    executor_name = "RAY_TASKS"

    def run(self) -> dict[int, str]:
        import ray

        ranks = self.get_incomplete_ranks(range(self.world_size))
        if not ranks:
            return {}
        options: dict[str, Any] = {
            "num_cpus": self.cpus_per_task,
            "memory": int(self.mem_per_task_gb * 1024**3),
            "max_retries": SYSTEM_RETRIES,
            "max_calls": TASKS_PER_WORKER,
            "scheduling_strategy": "SPREAD",
        }
        if self.label_selector:
            options["label_selector"] = self.label_selector
        task = ray.remote(**options)(_run_rank)
        shipped = ray.put(self)  # serialised once, not once per task
        errors: dict[int, str] = {}
        pending: dict[Any, int] = {}
        waiting = list(reversed(ranks))
        while waiting or pending:
            while waiting and len(pending) < self.concurrency:
                rank = waiting.pop()
                pending[task.remote(shipped, rank)] = rank
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                rank = pending.pop(ref)
                try:
                    _, error = ray.get(ref)
                except ray.exceptions.RayError as exc:  # the worker or its node died
                    error = f"{type(exc).__name__}: {exc}"
                if error:
                    errors[rank] = error
        return errors


class ProcessPipelineExecutor(TaskPipelineExecutor):
    """The tasks in local worker processes, without Ray (:mod:`corpus.local_processes`;
    needs its ``process_session``): a worker replaced after :data:`TASKS_PER_WORKER`
    tasks, a task whose worker dies run again up to :data:`SYSTEM_RETRIES` times. One
    machine only: node labels cannot be honoured."""

    executor_name = "LOCAL_PROCESSES"

    def run(self) -> dict[int, str]:
        from corpus.local_processes import map_calls

        if self.label_selector:
            raise ValueError("node labels need Ray: the processes executor runs on one machine")
        ranks = self.get_incomplete_ranks(range(self.world_size))
        if not ranks:
            return {}
        shipped = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
        errors: dict[int, str] = {}
        for index, error, exc in map_calls(
            _run_pickled_rank,
            [(shipped, rank) for rank in ranks],
            workers=self.concurrency,
            retries=SYSTEM_RETRIES,
        ):
            if exc is not None:
                error = f"{type(exc).__name__}: {exc}"
            if error:
                errors[ranks[index]] = error
        return errors


def release_memory() -> None:
    """Hand the memory a finished task freed back to the system.

    Ray reuses a worker process for the next task (of this segment, of the next one, or
    of a global stage); without this it starts from what the last task left behind: the
    batches Arrow's allocator keeps for reuse and the heap pages glibc keeps after the
    task's documents are freed (a reused pii worker started its next task ~170 MB higher).
    Models a stage caches per process on purpose (the PII analyzers) stay.
    """
    gc.collect()
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
