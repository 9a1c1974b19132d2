"""Each stage's cost over a run, from the statistics datatrove keeps per task.

The executor saves every task's per-step statistics (``<segment>/logs/stats/<rank>.json``,
datatrove's format); the stages add their CPU and wall seconds and resident memory to
them (:mod:`corpus.stages.cost`). A whole-corpus stage that leaves a ``summary.json``
with ``seconds``, ``cpu_seconds`` and ``peak_rss_mb`` per step (``dedup`` does) adds
those to the row of its applier. The result is the manifest's ``stage_costs``:
one row per stage in pipeline order, ``read`` first::

    {"stage": "langid", "cpu_s": 1.2, "wall_s": 1.4, "docs_in": 78, "docs_out": 76,
     "peak_rss_mb": 310.5, "tasks": 8}

``cpu_s`` and ``wall_s`` are summed over tasks (task-seconds, not elapsed time; the
whole-corpus part of ``dedup`` adds its steps' elapsed seconds and their tasks' CPU);
``peak_rss_mb`` is the largest resident set a task's process had after the stage's
work (the most one worker needs, so not summed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datatrove.utils.stats import MetricStats

from corpus import storage
from corpus.stages.cost import CPU_SECONDS, RSS_MB, WALL_SECONDS

#: datatrove step names (after their type prefix) -> stage names in the cost table
STEP_STAGES = {"source reader": "read"}
#: steps that are the framework's, not a stage's (their cost is in no row)
FRAMEWORK_STEPS = {"segment reader", "release writer"}


def _metric(value: Any) -> MetricStats:
    if isinstance(value, int | float):
        return MetricStats(total=value, n=1, mean=value, min=value, max=value)
    return MetricStats.from_dict(value)


def _stage_name(step_name: str) -> str:
    name = step_name.split(": ", 1)[-1]
    return STEP_STAGES.get(name, name)


def _new_row(stage: str) -> dict[str, Any]:
    return {"stage": stage, "cpu": 0.0, "wall": 0.0, "in": 0, "out": 0, "rss": 0.0, "tasks": 0}


def _add_task(row: dict[str, Any], stats: dict[str, Any]) -> None:
    metrics = {k: _metric(v) for k, v in stats.items()}
    empty = MetricStats()
    row["cpu"] += metrics.get(CPU_SECONDS, empty).total
    row["wall"] += metrics.get(WALL_SECONDS, empty).total
    rss = metrics.get(RSS_MB)
    if rss is not None and rss.n:
        row["rss"] = max(row["rss"], rss.max)
    documents = int(metrics.get("documents", empty).total)
    if row["stage"] == "read":
        row["out"] += documents
    else:
        row["in"] += documents
        row["out"] += int(metrics.get("kept", empty).total)
    row["tasks"] += 1


def _add_global(row: dict[str, Any], summary: dict[str, Any]) -> None:
    row["cpu"] += sum(summary.get("cpu_seconds", {}).values())
    row["wall"] += sum(summary.get("seconds", {}).values())
    row["rss"] = max([row["rss"], *summary.get("peak_rss_mb", {}).values()])


def stage_costs(
    segment_logs: list[str | Path], global_dirs: list[str | Path]
) -> list[dict[str, Any]]:
    """The cost table of a run.

    ``segment_logs`` are the segments' datatrove logging folders in order;
    ``global_dirs`` the work folders of the whole-corpus stages (``<n>-<stage>``);
    local paths or URLs.
    """
    rows: dict[str, dict[str, Any]] = {}
    for logs in segment_logs:
        stats = storage.join(str(logs), "stats")
        for name in storage.listdir(stats):
            if not name.endswith(".json"):
                continue
            for step in json.loads(storage.read_bytes(storage.join(stats, name))):
                stage = _stage_name(step["name"])
                if stage in FRAMEWORK_STEPS:
                    continue
                _add_task(rows.setdefault(stage, _new_row(stage)), step.get("stats") or {})
    for gdir in global_dirs:
        summary_path = storage.join(str(gdir), "summary.json")
        stage = str(gdir).rstrip("/").rsplit("/", 1)[-1].split("-", 1)[-1]
        if storage.isfile(summary_path):
            row = rows.setdefault(stage, _new_row(stage))
            _add_global(row, json.loads(storage.read_bytes(summary_path)))
    return [
        {
            "stage": r["stage"],
            "cpu_s": round(r["cpu"], 3),
            "wall_s": round(r["wall"], 3),
            "docs_in": r["in"] if r["stage"] != "read" else None,
            "docs_out": r["out"],
            "peak_rss_mb": round(r["rss"], 1),
            "tasks": r["tasks"],
        }
        for r in rows.values()
    ]
