"""Running a pipeline: datatrove steps run as Ray tasks (or in local worker processes).

The work is one task per planned input (usually one file). The stage list is cut
into segments at every global stage (dedup): each segment is a datatrove pipeline
``reader → stages → ReleaseWriter`` run as ``len(plan)`` Ray tasks
(:class:`pipelines.executor.RayTaskPipelineExecutor`); between two
segments the global stage computes its decisions on Ray over what the first kept.
The last segment's part files are then rewritten into even shards
(:func:`manifests.shards.write_shards`).
datatrove's completion markers make a rerun into the same output skip finished
tasks; a finished global stage leaves a marker too.

The output is a local folder or an fsspec URL (``s3://bucket/jp/corpus``): it is
resolved on the driver before anything ships, workers write their shards and the
run's state (``.work/``) straight to it, and ``manifest.json`` is written last.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import posixpath
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from corpus import local_processes, storage
from corpus.ray_runtime import ray_session
from corpus.stages.base import DocumentStage, GlobalStage
from corpus.stages.license_gate import LicenseGate
from manifests.layout import MANIFEST, SHARDS, WORK, atomic_write_bytes, atomic_write_json
from manifests.release import attribution_markdown, build_manifest, write_release_files
from manifests.shards import write_shards
from manifests.writer import ReleaseWriter
from pipelines import residency
from pipelines.config import Pipeline
from pipelines.costs import stage_costs
from pipelines.errors import ConfigError
from pipelines.executor import (
    TASKS_PER_WORKER,
    ProcessPipelineExecutor,
    RayTaskPipelineExecutor,
)
from pipelines.global_stage import run_global_stage
from pipelines.progress import RunProgress, configure_logs, make_console
from pipelines.steps import SegmentReader, SourceReader
from pipelines.summary import task_failures


class RunFailed(RuntimeError):
    """Some tasks did not complete; their logs are named in the message.

    ``failures`` holds one :class:`pipelines.summary.TaskFailure` per failed task.
    """

    def __init__(self, message: str, failures: list | None = None) -> None:
        super().__init__(message)
        self.failures = failures or []


@dataclass
class Segment:
    stages: list[DocumentStage]
    global_after: GlobalStage | None


def split_segments(stages: list[DocumentStage | GlobalStage]) -> list[Segment]:
    segments, current = [], []
    for stage in stages:
        if isinstance(stage, GlobalStage):
            segments.append(Segment(current, stage))
            current = []
        else:
            current.append(stage)
    segments.append(Segment(current, None))
    return segments


def _check_output(out: str, fingerprint: str) -> None:
    marker = storage.join(out, WORK, "pipeline.sha256")
    if storage.exists(marker):
        if storage.read_text(marker).strip() != fingerprint:
            raise ConfigError(
                "output",
                f"{out} holds a run of a different pipeline; choose another --out or delete it",
            )
    elif storage.exists(storage.join(out, MANIFEST)) or storage.exists(storage.join(out, SHARDS)):
        raise ConfigError("output", f"{out} already holds a release not made by this pipeline")
    # a rerun publishes anew: readers never see the old manifest beside new shards
    storage.remove(storage.join(out, MANIFEST))
    atomic_write_bytes(marker, (fingerprint + "\n").encode())
    # files a killed run was writing never got their final name; drop them
    if not storage.is_remote(out):
        for rel in storage.files_under(out):
            if rel.rsplit("/", 1)[-1].startswith(".") and rel.endswith(".tmp"):
                storage.remove(storage.join(out, rel))


def _run_segment(
    steps: list,
    n_tasks: int,
    logs: str,
    pipeline: Pipeline,
    cpus: float,
    label: str,
    progress: RunProgress,
) -> None:
    ex = pipeline.execution
    workers = ex.max_concurrent_tasks or max(1, int(cpus // ex.cpus_per_task))
    kind = ProcessPipelineExecutor if local_processes.active() else RayTaskPipelineExecutor
    executor = kind(
        steps,
        tasks=n_tasks,
        # datatrove opens the folder itself: with the same client (retry) settings
        logging_dir=(logs, storage.options(logs)) if storage.is_remote(logs) else logs,
        concurrency=workers,
        cpus_per_task=ex.cpus_per_task,
        mem_per_task_gb=ex.mem_per_task_gb,
        label_selector=residency.label_selector(pipeline.residency),
    )
    reports = storage.join(posixpath.dirname(logs.rstrip("/")), "reports")
    completions = storage.join(logs, "completions")
    with progress.segment(label, completions, reports, n_tasks):
        errors = executor.run()
    missing = executor.get_incomplete_ranks(range(n_tasks), skip_completed=True)
    if missing and not any(errors.get(r) for r in missing) and not storage.is_remote(logs):
        raise RunFailed(
            f"{len(missing)} of {n_tasks} tasks in {label} finished on their nodes but left "
            f"nothing in {logs} here: the output folder is not shared between the Ray nodes. "
            "Write the release to object storage (--out s3://bucket/prefix) or to a "
            "filesystem every node mounts at the same path"
        )
    if missing:
        logs_named = ", ".join(storage.join(logs, "logs", f"task_{r:05d}.log") for r in missing[:3])
        first = errors.get(missing[0], "").strip().splitlines()
        tail = ("\n  " + "\n  ".join(first[-6:])) if first else ""
        raise RunFailed(
            f"{len(missing)} of {n_tasks} tasks failed in {label} (logs: {logs_named}); "
            f"rerun the same command to retry only those{tail}",
            task_failures(label, logs, missing, errors),
        )


class Phases:
    """Wall seconds of a run's phases (Ray start and stop, each segment, each global
    stage, the shards), for the manifest: where a run spends its time outside the stages."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = round(self.seconds.get(name, 0.0) + seconds, 3)

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.add(name, time.perf_counter() - started)

    @contextlib.contextmanager
    def session(self, name: str, session: contextlib.AbstractContextManager) -> Iterator[dict]:
        """Enter ``session`` (Ray's, or the local processes'), its start and stop timed
        as ``<name> start`` and ``<name> stop``."""
        started = time.perf_counter()
        with session as resources:
            self.add(f"{name} start", time.perf_counter() - started)
            yield resources
            started = time.perf_counter()
        self.add(f"{name} stop", time.perf_counter() - started)


def _session(
    pipeline: Pipeline,
    executor: str,
    ray_address: str | None,
    *,
    num_cpus: int | None,
    open_network: bool,
    verbose: bool,
) -> tuple[str, contextlib.AbstractContextManager]:
    """The session the run's tasks go to: Ray (embedded or a cluster), or local processes.

    Called before planning: a ``--ray-address`` with ``processes`` is refused before any
    work, and the local processes' fork server starts importing while the driver plans
    (Ray starts only when the session is entered).
    """
    if executor == "ray":
        return "ray", ray_session(
            ray_address, open_network=open_network, num_cpus=num_cpus, verbose=verbose
        )
    if ray_address:
        raise ConfigError(
            "execution.executor",
            "processes runs on this machine without Ray; drop --ray-address or use --executor ray",
        )
    local_processes.start_server(pipeline.task_modules(), verbose=verbose)
    return "processes", local_processes.process_session(
        num_cpus,
        preload=pipeline.task_modules(),
        max_tasks_per_child=TASKS_PER_WORKER,
        verbose=verbose,
    )


def _reports(folder: str, n_tasks: int) -> list[dict[str, Any]]:
    return [
        json.loads(storage.read_bytes(storage.join(folder, f"{r:05d}.json")))
        for r in range(n_tasks)
    ]


def run_pipeline(
    pipeline: Pipeline,
    *,
    out: str | None = None,
    ray_address: str | None = None,
    executor: str | None = None,
    version: str = "0",
    progress: bool = True,
    open_network: bool = False,
    num_cpus: int | None = None,
    verbose: bool = False,
    console: Console | None = None,
) -> Path | str:
    """Run ``pipeline`` into a release; its folder as a ``Path``, or its URL.

    The output is a local folder or an fsspec URL; a relative one resolves against the
    current directory, here on the driver. ``executor`` (``ray`` or ``processes``)
    overrides the file's ``execution.executor``. ``progress`` draws the progress display;
    without it the libraries' logs are off too, and ``verbose`` brings them all back
    (Ray's included).
    """
    out_dir = storage.resolve(out or pipeline.output)
    storage.filesystem(out_dir)  # a missing storage extra is one line, before any work
    session = _session(
        pipeline,
        executor or pipeline.execution.executor,
        ray_address,
        num_cpus=num_cpus,
        open_network=open_network,
        verbose=verbose,
    )
    work = storage.join(out_dir, WORK)
    plan = [(src, task) for src in pipeline.sources for task in src.plan()]
    if not plan:
        raise ConfigError("sources", "the sources planned no work (no input files)")
    n = len(plan)
    plan_digest = hashlib.sha256(
        json.dumps([t for _, t in plan], sort_keys=True, default=str).encode()
    ).hexdigest()
    # the same pipeline over the same inputs resumes; anything else is refused
    _check_output(out_dir, f"{pipeline.fingerprint()} {plan_digest}")
    atomic_write_json(
        storage.join(work, "plan.json"), [{"source": s.source_type, "task": t} for s, t in plan]
    )
    segments = split_segments([spec.stage for spec in pipeline.stages])
    console = console or make_console()
    configure_logs(console, quiet=not progress, verbose=verbose)

    all_reports: list[list[dict[str, Any]]] = []
    started = time.time()
    phases = Phases()
    with (
        phases.session(*session) as resources,
        RunProgress(console, enabled=progress) as bars,
    ):
        cpus = float(resources.get("CPU", 1))
        resident_nodes = residency.check_nodes(pipeline.residency) if pipeline.residency else []
        previous_global: tuple[GlobalStage, str] | None = None
        for i, segment in enumerate(segments):
            seg_dir = storage.join(work, f"seg{i}")
            kept_dir = storage.join(seg_dir, "data")
            if i == 0:
                steps: list = [SourceReader(plan), LicenseGate(policy=pipeline.policy)]
            else:
                expected = [r["rank"] for r in all_reports[-1] if r["shard"]]
                steps = [SegmentReader(storage.join(work, f"seg{i - 1}", "data"), expected)]
                gstage, gdir = previous_global
                steps.append(gstage.applier(gdir))
            steps += segment.stages
            steps.append(ReleaseWriter(out_dir, kept_dir, i, storage.join(seg_dir, "reports")))
            label = f"{pipeline.name}: segment {i + 1}/{len(segments)}"
            with phases.timed(f"segment {i + 1}"):
                _run_segment(steps, n, storage.join(seg_dir, "logs"), pipeline, cpus, label, bars)
            all_reports.append(_reports(storage.join(seg_dir, "reports"), n))
            if segment.global_after is not None:
                gdir = storage.join(work, f"global{i}-{segment.global_after.stage_name}")
                done = storage.join(gdir, "_done")
                if not storage.exists(done):
                    inputs = [r["shard"]["path"] for r in all_reports[-1] if r["shard"]]
                    kept = sum(r["shard"]["rows"] for r in all_reports[-1] if r["shard"])
                    name = segment.global_after.stage_name
                    with (
                        phases.timed(name),
                        bars.global_stage(f"{pipeline.name}: {name} (whole corpus)", kept),
                    ):
                        run_global_stage(segment.global_after, inputs, gdir, out_dir)
                    atomic_write_bytes(done, b"done\n")
                previous_global = (segment.global_after, gdir)

    last_parts = storage.join(work, f"seg{len(segments) - 1}", "data")
    with phases.timed("shards"):
        shards = write_shards(last_parts, out_dir, pipeline.shards)
    misplaced = residency.verify_reports(pipeline.residency, [r for s in all_reports for r in s])
    if misplaced:
        raise RunFailed("residency violated: " + "; ".join(misplaced[:3]))
    extra: dict[str, Any] = {}
    if pipeline.residency:
        extra["residency"] = {
            "require_label": dict(pipeline.residency.require_label),
            "eligible_nodes": resident_nodes,
            "verified": True,
        }
    manifest = build_manifest(
        out_dir,
        name=pipeline.name,
        version=version,
        config=pipeline.resolved(),
        policy=pipeline.policy,
        first_reports=all_reports[0],
        later_reports=all_reports[1:],
        shards=shards,
        extra=extra
        | {
            "run": {
                "executor": session[0],
                "tasks": n,
                "segments": len(segments),
                "seconds": round(time.time() - started, 2),
                "phase_seconds": phases.seconds,
            },
            "stage_costs": stage_costs(
                [storage.join(work, f"seg{i}", "logs") for i in range(len(segments))],
                [storage.join(work, d) for d in storage.listdir(work) if d.startswith("global")],
            ),
        },
    )
    write_release_files(out_dir, manifest, attribution_markdown(pipeline.name, all_reports[-1]))
    for i in range(len(segments)):
        storage.remove(storage.join(work, f"seg{i}", "data"), recursive=True)
    return out_dir if storage.is_remote(out_dir) else Path(out_dir)
