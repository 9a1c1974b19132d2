"""``jpcorpus validate PIPELINE.yaml``: what a run would do, without running it.

The file is read and checked exactly as ``run`` reads it (so the exit code is the one
``run`` would give: 2 with the key path for a bad file), every source is resolved and
planned on the driver, and nothing starts Ray. The plan shows the tasks and input
files per source, the licenses the policy admits, each stage with its effective
parameters (defaults included), and what a ``--ray-address`` run needs: every local
path must be visible at the same place on every worker node, and a local output
written by a cluster's workers is a warning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from licenses.policy import load_policy
from licenses.registry import registry
from manifests.release import tool_versions
from pipelines.config import Pipeline
from pipelines.errors import ConfigError

#: keys of a source's description that name inputs or outputs on disk
PATH_KEYS = ("path", "index", "root", "warc_out")


@dataclass
class SourcePlan:
    """One source's planned work."""

    index: int
    source_type: str
    tasks: int
    files: int
    bytes: int
    items: int
    """Entries planned that are not files of their own (e.g. Aozora works)."""


@dataclass
class RunPlan:
    """Everything ``validate`` reports about a pipeline."""

    name: str
    output: str
    sources: list[SourcePlan]
    admitted: list[str]
    policy: str
    stages: list[tuple[str, dict[str, Any]]]
    execution: dict[str, Any]
    cluster_paths: list[tuple[str, str]]
    """(key path, local path or URL) that every worker must reach"""
    residency: dict[str, str] | None = None
    """node labels every task must run on"""
    code_version: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def tasks(self) -> int:
        return sum(s.tasks for s in self.sources)


def is_url(path: str) -> bool:
    """Whether ``path`` is an fsspec URL rather than a local path (``file://`` is local)."""
    return "://" in path and not path.startswith("file://")


def _task_inputs(task: Any) -> tuple[list[Path], int]:
    """Local files named in a task (any string value that is a file) and other list items."""
    files: list[Path] = []
    items = 0
    stack = [task]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            if value and all(isinstance(v, dict) for v in value):
                items += len(value)
            else:
                stack.extend(value)
        elif isinstance(value, str) and "/" in value and not is_url(value):
            path = Path(value.removeprefix("file://"))
            if path.is_file():
                files.append(path)
    return files, items


def _source_plan(index: int, source: Any) -> SourcePlan:
    tasks = source.plan()
    files: set[Path] = set()
    items = 0
    for task in tasks:
        found, n = _task_inputs(task)
        files.update(found)
        items += n
    return SourcePlan(
        index=index,
        source_type=source.source_type,
        tasks=len(tasks),
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
        items=items,
    )


def _cluster_paths(pipeline: Pipeline, output: str) -> list[tuple[str, str]]:
    paths: list[tuple[str, str]] = []
    for i, source in enumerate(pipeline.sources):
        described = source.describe()
        for key in PATH_KEYS:
            value = described.get(key)
            if isinstance(value, str) and value:
                resolved = value if is_url(value) else str(source.resolve(value))
                paths.append((f"sources[{i}].{key}", resolved))
    for i, spec in enumerate(pipeline.stages):
        params = spec.stage.params.model_dump(mode="json")
        for key, value in params.items():
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, str) and key in ("against", "index_dir", "model_path"):
                    paths.append((f"stages[{i}].{spec.name}.{key}", v))
    if Path(pipeline.policy).is_file():
        paths.append(("policy", pipeline.policy))
    paths.append(("output", output))
    return paths


def plan_run(pipeline: Pipeline, out: str | None = None, ray_address: str | None = None) -> RunPlan:
    """The plan of ``pipeline``; raises :class:`ConfigError` where ``run`` would stop."""
    output = out or pipeline.output
    if not is_url(output):
        output = str(Path(output.removeprefix("file://")).expanduser().absolute())
    sources = [_source_plan(i, s) for i, s in enumerate(pipeline.sources)]
    if not sum(s.tasks for s in sources):
        raise ConfigError("sources", "the sources planned no work (no input files)")
    policy = load_policy(pipeline.policy)
    plan = RunPlan(
        name=pipeline.name,
        output=output,
        sources=sources,
        admitted=[lic for lic in registry() if policy.admits(lic)],
        policy=pipeline.policy,
        stages=[(s.name, s.stage.params.model_dump(mode="json")) for s in pipeline.stages],
        execution=pipeline.execution.model_dump(mode="json"),
        cluster_paths=_cluster_paths(pipeline, output),
        residency=dict(pipeline.residency.require_label) if pipeline.residency else None,
        code_version=tool_versions().get("jpcorpus", ""),
    )
    for s in sources:
        if s.tasks == 0:
            plan.warnings.append(f"sources[{s.index}] ({s.source_type}) plans no work")
    address = ray_address or os.environ.get("RAY_ADDRESS")
    if address and not is_url(output):
        plan.warnings.append(
            f"output {output} is a local path and the run joins a cluster ({address}): "
            "workers on other nodes write their shards there, so it must be a shared "
            "filesystem mounted at the same path on every node (or use an s3:// or gs:// URL)"
        )
    return plan


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _param(value: Any) -> str:
    return "null" if value is None else str(value)


def render_plan(plan: RunPlan, console: Console) -> None:
    """The plan for a terminal."""
    tasks = f"{plan.tasks} task" + ("" if plan.tasks == 1 else "s")
    console.print(f"[bold]{plan.name}[/bold]: valid; {tasks}; output {plan.output}")
    table = Table(title="sources", show_edge=False)
    for header in ("#", "type", "tasks", "files", "bytes", "other items"):
        table.add_column(header, justify="left" if header == "type" else "right")
    for s in plan.sources:
        table.add_row(
            str(s.index), s.source_type, str(s.tasks), str(s.files), _size(s.bytes),
            str(s.items) if s.items else "",
        )  # fmt: skip
    console.print(table)
    console.print(f"policy {plan.policy}: admits {len(plan.admitted)} licenses")
    console.print("  " + ", ".join(plan.admitted), markup=False)
    console.print("stages (license gate first), effective parameters:")
    console.print("  license: {policy: " + plan.policy + "}", markup=False)
    for name, params in plan.stages:
        body = ", ".join(f"{k}: {_param(v)}" for k, v in params.items())
        console.print(f"  {name}: {{{body}}}", markup=False)
    console.print(
        "execution: " + ", ".join(f"{k}: {_param(v)}" for k, v in plan.execution.items()),
        markup=False,
    )
    console.print("with --ray-address, every worker node needs:", markup=False)
    console.print(
        f"  jpcorpus {plan.code_version} and its dependencies installed (the same code)",
        markup=False,
    )
    if plan.residency:
        labels = ", ".join(f"{k}={v}" for k, v in plan.residency.items())
        console.print(f"  the labels {labels} (ray start --labels …) to run any task", markup=False)
    for key, path in plan.cluster_paths:
        where = "URL (workers need its credentials)" if is_url(path) else "same path on every node"
        console.print(f"  to reach {key}: {path}  ({where})", markup=False)
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
