"""What a run shows while it works: one progress display for every stage, and the logs.

One rich :class:`~rich.console.Console` (on stderr) carries the progress display and
every log line of the run, so a log line is printed above the bars and never cuts
through them. A segment's bar counts finished tasks (datatrove's completion markers)
and the documents those tasks read (their reports); a global stage such as ``dedup``
has its own row with the documents it works on and its elapsed time.

Log levels: ``quiet`` shows nothing of the libraries' logs, the default their errors
and warnings, ``verbose`` their information too (Ray's included, see
:func:`corpus.ray_runtime.ray_session`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from corpus import storage

POLL_SECONDS = 0.5
REMOTE_POLL_SECONDS = 2.0


def make_console() -> Console:
    """The run's console: stderr, so that stdout holds only the final summary."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def configure_logs(console: Console, *, quiet: bool = False, verbose: bool = False) -> None:
    """Send datatrove's (loguru) log lines through ``console`` at the level asked for."""
    from datatrove.utils.logging import logger

    logger.remove()
    if quiet and not verbose:
        return
    level = "INFO" if verbose else "WARNING"
    logger.add(
        lambda message: console.print(str(message).rstrip("\n"), markup=False, highlight=False),
        level=level,
        format="{level}: {message}",
        colorize=False,
    )


class ReportTally:
    """Documents read by the finished tasks whose reports are in ``folder`` (path or URL).

    A finished task's report never changes, so each is read once however often the
    display looks (on object storage every read is a request).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = str(folder)
        self._counted: dict[str, int] = {}

    def total(self) -> int:
        for name in storage.listdir(self.folder):
            if not name.endswith(".json") or name in self._counted:
                continue
            try:
                report = json.loads(storage.read_bytes(storage.join(self.folder, name)))
            except (OSError, ValueError):  # a report being written; counted on the next poll
                continue
            by_source = report.get("by_source", {}).values()
            self._counted[name] = sum(s.get("input", 0) for s in by_source)
        return sum(self._counted.values())


def documents_reported(folder: str | Path) -> int:
    """Documents read by the finished tasks whose reports are in ``folder`` (path or URL)."""
    return ReportTally(folder).total()


class RunProgress:
    """The progress display of one run; disabled, it draws nothing and costs nothing."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled  # off a terminal rich prints the final state only
        self._watched: dict[TaskID, tuple[str, ReportTally]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._bar: Progress | None = None

    def __enter__(self) -> RunProgress:
        if not self.enabled:
            return self
        self._bar = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[docs]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self._bar.start()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is None:
            return
        self._stop.set()
        self._thread.join()
        self._poll()
        self._bar.stop()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval()):
            self._poll()

    def _interval(self) -> float:
        """Object stores are looked at less often: each listing is a request."""
        with self._lock:
            remote = any(storage.is_remote(c) for c, _ in self._watched.values())
        return REMOTE_POLL_SECONDS if remote else POLL_SECONDS

    def _poll(self) -> None:
        with self._lock:
            watched = list(self._watched.items())
        for task, (completions, tally) in watched:
            done = len(storage.listdir(completions))
            docs = tally.total()
            self._bar.update(task, completed=done, docs=f"{docs:,} docs")

    @contextlib.contextmanager
    def segment(
        self, label: str, completions: str | Path, reports: str | Path, tasks: int
    ) -> Iterator[None]:
        """A bar over ``tasks`` per-document tasks, fed by their markers and reports."""
        if self._bar is None:
            yield
            return
        task = self._bar.add_task(label, total=tasks, docs="")
        with self._lock:
            self._watched[task] = (str(completions), ReportTally(reports))
        try:
            yield
        finally:
            self._poll()
            with self._lock:
                self._watched.pop(task, None)

    @contextlib.contextmanager
    def global_stage(self, label: str, documents: int) -> Iterator[None]:
        """A row for a whole-corpus stage over ``documents`` documents."""
        if self._bar is None:
            yield
            return
        task = self._bar.add_task(label, total=1, docs=f"{documents:,} docs")
        try:
            yield
            self._bar.update(task, completed=1)
        finally:
            self._bar.stop_task(task)
