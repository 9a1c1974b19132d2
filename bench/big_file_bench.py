"""One big JSONL file through the full pipeline: tasks, wall, CPU seconds, peak RSS per worker.

The input is the scale benchmark's (``bench/scale_data.py``: real Japanese text of the
shared data, replicated and perturbed, 4 % near copies), its per-genre files joined into
one file of ``--size`` (genres interleaved file by file). The file is one ``jsonl``
source with ``task_bytes``; the run is one ``jpcorpus run PIPELINE --quiet`` in a fresh
process with the embedded local Ray, its process tree sampled as in ``scale_bench.py``.
Planning (the driver reading the file once to find where to cut it) is also timed on
its own, in this process.

    .venv/bin/python bench/big_file_bench.py                          # 64 MB, 8 MB tasks
    .venv/bin/python bench/big_file_bench.py --size 1GB --task-bytes 64MB
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))

from scale_bench import FULL_STAGES, measured_run, parse_size  # noqa: E402
from scale_data import GENRE_CYCLE, ensure_files  # noqa: E402

from pipelines.config import parse_pipeline  # noqa: E402

FILE_BYTES = 32 * 1024**2
"""Largest generated piece: 1 GB is the scale benchmark's 4× input, 32 files of 32 MB."""


def big_file(data: Path, size: int) -> tuple[Path, list[dict]]:
    """``data/big-<size>.jsonl`` made of the scale benchmark's files (made if missing)."""
    cycle = len(GENRE_CYCLE)
    n = cycle * -(-size // (cycle * FILE_BYTES))
    folder = data / f"{size // n}B"
    pieces = ensure_files(folder, n, size // n)
    path = data / f"big-{size}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as out:
            for piece in pieces:
                with (folder / piece["path"]).open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        tmp.rename(path)
    return path, pieces


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size", type=parse_size, default=parse_size("64MB"))
    ap.add_argument("--task-bytes", type=parse_size, default=parse_size("8MB"))
    ap.add_argument("--stages", nargs="+", default=list(FULL_STAGES))
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "jpcorpus-scale")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--executor", choices=["ray", "processes"], default="ray")
    args = ap.parse_args()

    t = time.time()
    path, pieces = big_file(args.data, args.size)
    print(f"input: {path} ({path.stat().st_size / 1024**2:,.0f} MB, "
          f"{time.time() - t:.0f} s to make or check)", flush=True)  # fmt: skip

    source = {"type": "jsonl", "name": "mixed", "path": str(path), "task_bytes": args.task_bytes}
    t = time.perf_counter()
    (src,) = parse_pipeline({"name": "big", "sources": [source]}, base_dir=path.parent).sources
    plan = src.plan()
    plan_seconds = time.perf_counter() - t

    work = Path(tempfile.mkdtemp(prefix="jpcorpus-big-run-"))
    pipeline = work / "pipeline.yaml"
    pipeline.write_text(json.dumps({
        "name": "big-file", "output": str(work / "release"), "sources": [source],
        "stages": [{s: {}} for s in args.stages], "policy": "default",
    }, ensure_ascii=False))  # fmt: skip
    load_before = os.getloadavg()[0]
    try:
        wall, sampler, _ = measured_run(
            [sys.executable, "-m", "pipelines.cli", "run", str(pipeline), "--quiet",
             "--executor", args.executor],
            "run",
        )  # fmt: skip
        manifest = json.loads((work / "release" / "manifest.json").read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)

    loads = sampler.loads or [0.0]
    acc = manifest["accounting"]
    figures = {
        "input_mb": round(path.stat().st_size / 1024**2),
        "task_bytes": args.task_bytes,
        "executor": args.executor,
        "tasks": manifest["run"]["tasks"],
        "plan_tasks_in_process": len(plan),
        "plan_seconds": round(plan_seconds, 1),
        "docs_in": acc["input"],
        "kept": acc["kept"],
        "wall_seconds": round(wall),
        "cpu_seconds": round(sampler.cpu_seconds()),
        "peak_rss_worker_mb": round(sampler.peak_mb("ray worker")),
        "peak_anon_rss_worker_mb": round(sampler.peak_mb("ray worker", "anon_bytes")),
        "worker_processes": len(sampler.by_role("ray worker")),
        "peak_rss_driver_mb": round(sampler.peak_mb("driver")),
        "peak_total_rss_mb": round(sampler.peak_total_rss / 1024**2),
        "load_before": round(load_before, 1),
        "load_during": round(sum(loads) / len(loads), 1),
        "dropped": {k: sum(v.values()) for k, v in acc["dropped"].items()},
        "injected_near_copies": sum(p["near_copies"] for p in pieces),
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
