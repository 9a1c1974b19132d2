"""Compare the two ways of running the per-document segment on Ray.

(a) datatrove's ``RayPipelineExecutor`` (a placement group, an actor and a process
    pool per task) and
(b) ``pipelines.executor.RayTaskPipelineExecutor`` (what ``jpcorpus run`` uses: the
    same datatrove steps and completion markers, one plain Ray task per task).

Both run the bundled sample's sources and per-document stages (license gate, langid,
quality) into a temporary folder on the same local Ray; prints wall seconds per
repetition. Usage: ``.venv/bin/python bench/executor_compare.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from corpus.ray_runtime import ray_session
from corpus.stages.base import DocumentStage
from corpus.stages.license_gate import LicenseGate
from manifests.writer import ReleaseWriter
from pipelines.config import load_pipeline
from pipelines.executor import RayTaskPipelineExecutor
from pipelines.steps import SourceReader


def steps_for(pipeline, plan, out: Path) -> list:
    stages = [s.stage for s in pipeline.stages if isinstance(s.stage, DocumentStage)]
    return [
        SourceReader(plan),
        LicenseGate(policy=pipeline.policy),
        *stages,
        ReleaseWriter(str(out), str(out / "shards"), 0, str(out / ".work" / "reports")),
    ]


def run_datatrove(steps: list, n: int, out: Path, cpus: int) -> float:
    from datatrove.executor.ray import RayPipelineExecutor

    started = time.perf_counter()
    RayPipelineExecutor(
        steps, tasks=n, workers=min(n, cpus), logging_dir=str(out / "logs"),
        cpus_per_task=1, mem_per_cpu_gb=1,
    ).run()  # fmt: skip
    return time.perf_counter() - started


def run_ray_data(steps: list, n: int, out: Path, cpus: int) -> float:
    started = time.perf_counter()
    errors = RayTaskPipelineExecutor(
        steps, tasks=n, logging_dir=str(out / "logs"), concurrency=cpus
    ).run()
    assert not errors, errors
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from datatrove.utils.logging import logger

    logger.remove()
    pipeline = load_pipeline(None)
    plan = [(src, task) for src in pipeline.sources for task in src.plan()]
    n = len(plan)
    results: dict[str, list[float]] = {
        "datatrove RayPipelineExecutor": [],
        "RayTaskPipelineExecutor": [],
    }
    with ray_session() as resources:
        cpus = int(resources.get("CPU", 1))
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "dt"
                results["datatrove RayPipelineExecutor"].append(
                    run_datatrove(steps_for(pipeline, plan, out), n, out, cpus)
                )
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "rd"
                results["RayTaskPipelineExecutor"].append(
                    run_ray_data(steps_for(pipeline, plan, out), n, out, cpus)
                )
    print(
        f"sample: {n} tasks, {cpus} CPUs, stages: license + "
        f"{', '.join(s.name for s in pipeline.stages if isinstance(s.stage, DocumentStage))}"
    )
    print(f"{'executor':32} {'median s':>9} {'runs':>20}")
    for name, times in results.items():
        runs = ", ".join(f"{t:.1f}" for t in times)
        print(f"{name:32} {statistics.median(times):9.2f} {runs:>20}")


if __name__ == "__main__":
    main()
