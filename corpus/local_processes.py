"""Running tasks in worker processes on this machine, without Ray: the ``processes`` executor.

Starting and stopping the embedded Ray costs about 4 s of wall on a 2-CPU machine
(``bench/dedup_overhead.py``) — more than the whole work of a small job. For a job on
one machine the same tasks can run in a pool of local worker processes instead:

* the workers are forked from a *fork server* that imported the pipeline's modules
  once (:func:`process_session`'s ``preload``), so a worker starts in milliseconds
  and never inherits the driver's threads (the progress display, Arrow's pools);
* at most ``workers`` run at once, and a worker is replaced after
  ``max_tasks_per_child`` tasks, as Ray's ``max_calls`` does;
* a worker that dies (killed, out of memory, a crash in native code) breaks the
  pool: the calls it took down are run again in a new pool, up to ``retries``
  times, then reported as failed — never dropped; workers that die as they start
  (a script without the ``if __name__ == "__main__":`` guard) are an error that says so;
* workers write nothing to the console (their logs go to the task logs) unless
  ``verbose``; nothing listens on the network (the fork server uses a Unix socket).
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any


class LocalProcesses:
    """The running process session: its CPUs and its pool of worker processes, kept for
    the whole run (a broken pool is replaced)."""

    def __init__(self, cpus: int, *, max_tasks_per_child: int | None = None) -> None:
        self.cpus = cpus
        self.max_tasks_per_child = max_tasks_per_child
        self._pool: ProcessPoolExecutor | None = None
        self.workers_started = False
        """Whether a call has come back from a worker (its result or its error)."""

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.cpus,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_start_worker,
                max_tasks_per_child=self.max_tasks_per_child,
            )
        return self._pool

    def check_workers_start(self) -> None:
        """Raise :class:`WorkersCannotStart` when a new worker dies before running a call.

        Asked after a pool broke before any call came back: a worker killed mid-task is
        worth another try, a worker that cannot start at all is not.
        """
        try:
            self.pool().submit(os.getpid).result(timeout=120)
        except BrokenProcessPool:
            self.drop_pool(wait=False)
            raise WorkersCannotStart(
                "the worker processes die as they start. A script that runs a pipeline "
                "with the processes executor must guard its top level with `if __name__ == "
                '"__main__":` (each worker imports the script, as with multiprocessing\'s '
                "spawn); verbose=True (--verbose) shows the workers' own output"
            ) from None
        self.workers_started = True

    def drop_pool(self, *, wait: bool) -> None:
        """Shut the pool down; without ``wait`` running calls are abandoned and the
        workers ended."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=wait, cancel_futures=True)
        if not wait:
            for proc in processes:
                with contextlib.suppress(Exception):
                    proc.terminate()


_ACTIVE: contextvars.ContextVar[LocalProcesses | None] = contextvars.ContextVar(
    "jpcorpus_local_processes", default=None
)


def active() -> LocalProcesses | None:
    """The process session the caller runs in, or None (then tasks go to Ray)."""
    return _ACTIVE.get()


PRELOAD = ("numpy", "pandas", "pyarrow.compute", "pyarrow.parquet", "corpus.local_processes")
"""Modules every worker needs, imported once by the fork server (pyarrow imports pandas
the first time it converts Python objects)."""


def start_server(preload: Sequence[str] = (), *, verbose: bool = False) -> None:
    """Start the fork server in the background, importing ``preload`` (and
    :data:`PRELOAD`) before it forks any worker; nothing if it runs already.

    Call it as early as the modules are known: its imports overlap the driver's work.
    Unless ``verbose`` the server, and so every worker, writes to ``/dev/null`` instead
    of the terminal: it does not hold the command's output open after the command ends
    (a pipe such as ``jpcorpus run … | tee`` would wait for the server to wind down).
    """
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(sorted({*PRELOAD, *preload}))
    with contextlib.nullcontext() if verbose else _output_to_devnull():
        forkserver.ensure_running()


@contextlib.contextmanager
def _output_to_devnull() -> Iterator[None]:
    """Standard output and error of processes started in the block go to /dev/null."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


@contextlib.contextmanager
def process_session(
    num_cpus: int | None = None,
    *,
    preload: Sequence[str] = (),
    max_tasks_per_child: int | None = None,
    verbose: bool = False,
) -> Iterator[dict]:
    """Run the block's tasks in local worker processes; yields the resources, like
    :func:`corpus.ray_runtime.ray_session` (``{"CPU": n}``).

    ``preload`` names the modules the fork server imports before forking workers (the
    pipeline's steps and stages; see :func:`start_server`). A worker runs at most
    ``max_tasks_per_child`` calls, then a fresh one takes its place.
    """
    cpus = max(1, int(num_cpus or os.cpu_count() or 1))
    start_server(preload, verbose=verbose)
    session = LocalProcesses(cpus, max_tasks_per_child=max_tasks_per_child)
    token = _ACTIVE.set(session)
    try:
        yield {"CPU": float(cpus)}
    except BaseException:
        session.drop_pool(wait=False)
        raise
    else:
        session.drop_pool(wait=True)
    finally:
        _ACTIVE.reset(token)


def _start_worker() -> None:
    """Set a new worker up: what the fork server imported is frozen out of the garbage
    collector's sight (a task's ``gc.collect()`` then scans only what the task made:
    0.07 s less per task)."""
    gc.freeze()


class WorkerDied(RuntimeError):
    """A call's worker process died each time the call was run."""


class WorkersCannotStart(RuntimeError):
    """New worker processes die before they run anything."""


def map_calls(
    fn: Callable[..., Any],
    calls: Sequence[tuple],
    *,
    workers: int,
    retries: int = 3,
) -> Iterator[tuple[int, Any, BaseException | None]]:
    """Run ``fn(*args)`` for every ``args`` of ``calls`` in the session's worker processes,
    at most ``workers`` at once.

    Yields ``(index, result, None)`` for each call that returned and ``(index, None,
    exc)`` for one that raised — or whose worker died ``retries + 1`` times
    (:class:`WorkerDied`) — in the order they finish. A dead worker breaks the pool and
    every call running in it: those calls are run again in a new pool. Needs
    :func:`process_session`.
    """
    session = active()
    if session is None:
        raise RuntimeError("map_calls needs a process_session")
    workers = max(1, workers)
    attempts = dict.fromkeys(range(len(calls)), 0)
    waiting = list(reversed(range(len(calls))))
    running: dict[Future, int] = {}
    try:
        while waiting or running:
            pool = session.pool()
            while waiting and len(running) < workers:
                index = waiting.pop()
                running[pool.submit(fn, *calls[index])] = index
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                index = running.pop(future)
                exc = future.exception()
                if not isinstance(exc, BrokenProcessPool):
                    session.workers_started = True
                if isinstance(exc, BrokenProcessPool):
                    broken = True
                    attempts[index] += 1
                    if attempts[index] > retries:
                        yield (
                            index,
                            None,
                            WorkerDied(
                                f"its worker process died {attempts[index]} times (killed, out "
                                "of memory or crashed)"
                            ),
                        )
                    else:
                        waiting.append(index)
                elif exc is not None:
                    yield index, None, exc
                else:
                    yield index, future.result(), None
            if broken:
                session.drop_pool(wait=False)
                if not session.workers_started:
                    session.check_workers_start()
    except BaseException:
        session.drop_pool(wait=False)
        raise


def process_title(title: str) -> None:
    """Name this worker process in ``ps`` (Linux), as Ray titles its workers."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError):
        with open("/proc/self/comm", "w", encoding="ascii") as f:
            f.write(title[:15])
