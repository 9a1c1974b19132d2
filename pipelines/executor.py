"""Running datatrove steps on Ray Data: one Ray task per pipeline task ("rank").

datatrove's own ``RayPipelineExecutor`` starts a placement group, an actor and a
process pool for every task, and each new actor loads the models again; on the
bundled sample that made a segment about 3× slower than running the same steps as
Ray Data map tasks, whose worker processes Ray reuses (``bench/executor_compare.py``,
``bench/RESULTS.md``) — for :data:`TASKS_PER_WORKER` tasks each, so that what a process
accumulates stays bounded by a few tasks, whatever the size of the input. This executor keeps datatrove's contract — the same steps,
its completion markers (a rerun skips finished tasks), its per-task logs and stats —
and lets Ray Data schedule: bounded concurrency, tasks retried when a worker dies,
scheduling options such as node labels passed through to every task.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import traceback
from collections.abc import Callable
from typing import Any

from datatrove.executor.base import DistributedEnvVars, PipelineExecutor
from datatrove.pipeline.base import PipelineStep

TASKS_PER_WORKER = 4
"""A worker process runs at most this many tasks, then Ray starts a fresh one. What a
stage keeps per process grows with the text the process has seen (the Sudachi dictionary
pages it touched, native state of the NLP libraries): on one 1 GB file, 17 tasks, the
pii worker's peak climbed ~20 MB per task it ran. Reloading the models every few tasks
costs seconds against tasks of minutes."""


class RayDataPipelineExecutor(PipelineExecutor):
    """Runs ``pipeline`` for ranks ``0..tasks-1`` as Ray Data map tasks.

    ``concurrency`` caps the tasks running at once (on a 2-CPU machine at most 2, so
    Ray Data's own bookkeeping always has room); ``label_selector`` restricts every task
    to nodes with those labels (residency). A task whose worker process or node dies is
    retried by Ray Data; an error raised by a step is not retried but reported.
    """

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
            datatrove_executor="RAY_DATA",
        )

    def run_rank(self, rank: int) -> dict[str, Any]:
        """Run one task in this process; errors come back as data, so other tasks go on."""
        try:
            self._run_for_rank(rank)
            return {"rank": rank, "error": ""}
        except Exception:  # noqa: BLE001 — reported by the driver with the task's log
            return {"rank": rank, "error": traceback.format_exc(limit=8)}
        finally:
            release_memory()

    def run(self) -> dict[int, str]:
        """Run every incomplete rank; returns ``{rank: error}`` for the ranks that failed."""
        import ray
        import ray.data

        logging.getLogger("ray.data").setLevel(logging.WARNING)
        ranks = self.get_incomplete_ranks(range(self.world_size))
        if not ranks:
            return {}
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the runner draws its own bar
        executor = self  # shipped inside the task function, so no object outlives the run

        def one_task(row: dict[str, Any]) -> dict[str, Any]:
            return executor.run_rank(int(row["rank"]))

        rows = (
            ray.data.from_items([{"rank": r} for r in ranks], override_num_blocks=len(ranks))
            .map(
                one_task,
                compute=ray.data.TaskPoolStrategy(size=min(self.concurrency, len(ranks))),
                num_cpus=self.cpus_per_task,
                memory=int(self.mem_per_task_gb * 1024**3),
                label_selector=self.label_selector,
                max_calls=TASKS_PER_WORKER,
            )
            .take_all()
        )
        return {row["rank"]: row["error"] for row in rows if row["error"]}


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
