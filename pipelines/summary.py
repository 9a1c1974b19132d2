"""What ``jpcorpus run`` prints at the end: what happened, where it is, what to do next.

After a run: input, kept, dropped by stage with the top reasons, the licenses kept,
each stage's cost, the release path and the next commands. After a failure: each
failed task with its log and the last line of its error, and the exit code. All of it
comes from the manifest (or the failure), so the summary says nothing the release
does not record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from corpus import storage
from manifests.report import stage_cost_table

TOP_REASONS = 3


@dataclass(frozen=True)
class TaskFailure:
    """One task that did not complete."""

    segment: str
    task: int
    log: str
    last_error: str


def last_error_line(error: str) -> str:
    """The line of a traceback that names the error (its last non-empty line).

    >>> last_error_line("Traceback (most recent call last):\\n  ...\\nValueError: 文字化け\\n")
    'ValueError: 文字化け'
    """
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no error recorded; see the log)"


def task_failures(
    label: str, logs: str | Path, ranks: list[int], errors: dict[int, str]
) -> list[TaskFailure]:
    """The failed tasks ``ranks`` of a segment whose datatrove logs are under ``logs``."""
    return [
        TaskFailure(
            label,
            r,
            storage.join(str(logs), "logs", f"task_{r:05d}.log"),
            last_error_line(errors.get(r, "")),
        )
        for r in ranks
    ]


def _share(n: int, total: int) -> str:
    return f"{n / total:.1%}" if total else "–"


def _drops_table(accounting: dict[str, Any]) -> Table:
    total = accounting["input"]
    table = Table(title="documents", show_edge=False)
    table.add_column("")
    table.add_column("documents", justify="right")
    table.add_column("share", justify="right")
    table.add_column("top reasons")
    table.add_row("input", f"{total:,}", "", "")
    table.add_row(
        "[green]kept[/green]", f"{accounting['kept']:,}", _share(accounting["kept"], total)
    )
    for stage, reasons in accounting["dropped"].items():
        n = sum(reasons.values())
        top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
        more = len(reasons) - len(top)
        text = ", ".join(f"{r} {c:,}" for r, c in top) + (f", +{more} more" if more > 0 else "")
        table.add_row(f"dropped: {stage}", f"{n:,}", _share(n, total), text)
    return table


def _licenses_table(licenses: dict[str, Any]) -> Table:
    table = Table(title="licenses kept", show_edge=False)
    table.add_column("license")
    table.add_column("documents", justify="right")
    table.add_column("characters", justify="right")
    for lic, entry in licenses.items():
        table.add_row(lic, f"{entry['documents']:,}", f"{entry['characters']:,}")
    return table


def next_commands(release: str) -> list[str]:
    """The commands a user runs next on ``release``."""
    return [
        f"jpcorpus audit {release}",
        f"jpcorpus report {release} --html report.html",
    ]


def render_summary(manifest: dict[str, Any], release: str, console: Console) -> None:
    """The end-of-run summary of a finished release."""
    seconds = manifest.get("run", {}).get("seconds")
    took = f" in {seconds:.1f} s" if isinstance(seconds, int | float) else ""
    console.print(f"[bold]{manifest['name']} {manifest['version']}[/bold]: done{took}")
    console.print(_drops_table(manifest["accounting"]))
    if manifest.get("licenses"):
        console.print(_licenses_table(manifest["licenses"]))
    if manifest.get("stage_costs"):
        console.print(stage_cost_table(manifest["stage_costs"], manifest.get("run")))
    console.print(f"release: {release}")
    console.print(f"task logs: {storage.join(str(release), '.work')}/seg*/logs/logs/")
    console.print("next:")
    for command in next_commands(release):
        console.print(f"  {command}", markup=False)


def render_failure(failures: list[TaskFailure], message: str, exit_code: int, console: Console):
    """What failed, where its log is, its last error line, and the exit code."""
    console.print(f"[bold red]run failed[/bold red] (exit code {exit_code})")
    if not failures:
        console.print(message, markup=False)
        return
    for f in failures:  # one line per fact, so a log path is never wrapped
        console.print(f"{f.segment}, task {f.task}", markup=False)
        console.print(f"  log:   {f.log}", markup=False)
        console.print(f"  error: {f.last_error}", markup=False)
    console.print("rerun the same command to retry only the failed tasks", markup=False)
