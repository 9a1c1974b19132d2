"""Framework overhead: a dedup-only run against datasketch's own loop, whole process each.

Input: ``--docs`` (20,000) documents of ``--chars`` (500) characters of real text (Aozora
Bunko + Wikipedia from ``/work/shared/data``, or the bundled sample), about 1.4 KB of
UTF-8 each, in one JSON Lines file. Two fresh processes per repetition:

* **jpcorpus**: ``jpcorpus run`` of a pipeline with one ``jsonl`` source (CC BY 4.0) and
  the one stage ``dedup`` (defaults: NFKC, character 5-grams, 128 permutations, 0.8),
  once per ``--executor``: ``ray`` (the embedded local Ray: its start and stop included)
  and ``processes`` (local worker processes, no Ray) — both segments, the shards and
  the manifest included. Its manifest's ``run.phase_seconds`` says where the wall went.
* **datasketch**: a Python process that reads the same file, makes each document's
  character 5-grams, ``MinHash.bulk`` (128 permutations, datasketch's default hash) and
  ``MinHashLSH(threshold=0.8)`` query-then-insert over all of them.

Wall seconds and CPU seconds (user+system over the whole process tree, Ray's processes
included; psutil every 0.1 s) for each, the best of ``--repeat`` by wall; and the work
itself: jpcorpus's ``dedup`` phase (wall) and stage cost (CPU summed over its tasks)
against datasketch's loop (``bulk`` + LSH, from the shingles on; reading the file not
counted).

    .venv/bin/python bench/dedup_overhead.py                 # 3 repetitions, ~1.5 minutes
    .venv/bin/python bench/dedup_overhead.py --docs 80000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))

from dedup_bench import pieces, real_texts  # noqa: E402
from scale_bench import measured_run  # noqa: E402

DATASKETCH_LOOP = """
import json, sys, time
from datasketch import MinHash, MinHashLSH

texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
wall, cpu = time.perf_counter(), time.process_time()
shingled = [[t[i : i + 5].encode() for i in range(max(1, len(t) - 4))] for t in texts]
signatures = MinHash.bulk(shingled, num_perm=128)
lsh = MinHashLSH(threshold=0.8, num_perm=128)
duplicates = 0
for i, m in enumerate(signatures):
    if lsh.query(m):
        duplicates += 1
    else:
        lsh.insert(str(i), m)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"documents": len(texts), "duplicates": duplicates, "wall": wall, "cpu": cpu}))
"""


def write_input(folder: Path, docs: int, chars: int) -> Path:
    path = folder / "docs.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i, text in enumerate(pieces(real_texts(), docs, size=chars)):
            f.write(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n")
    pipeline = {
        "name": "dedup-only",
        "output": "release",
        "sources": [
            {
                "type": "jsonl",
                "path": "docs.jsonl",
                "license": "CC-BY-4.0",
                "license_evidence": "benchmark input",
            }
        ],
        "stages": [{"dedup": {}}],
        "policy": "default",
    }
    (folder / "pipeline.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    return path


def measured(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``cmd``'s whole process tree, and its standard output."""
    wall, sampler, out = measured_run(cmd, " ".join(cmd), cwd=cwd, interval=0.1)
    return wall, sampler.cpu_seconds(), out


def run_jpcorpus(folder: Path, executor: str) -> dict:
    shutil.rmtree(folder / "release", ignore_errors=True)
    cmd = [str(Path(sys.executable).with_name("jpcorpus")), "run", "pipeline.yaml", "--quiet"]
    cmd += ["--executor", executor]
    wall, cpu, _ = measured(cmd, folder)
    manifest = json.loads((folder / "release" / "manifest.json").read_text())
    dropped = sum(manifest["accounting"]["dropped"].get("dedup", {}).values())
    return {
        "wall": wall,
        "cpu": cpu,
        "duplicates": dropped,
        "phases": manifest["run"]["phase_seconds"],
        "dedup_cpu": next(c["cpu_s"] for c in manifest["stage_costs"] if c["stage"] == "dedup"),
    }


def run_datasketch(folder: Path, path: Path) -> dict:
    wall, cpu, out = measured([sys.executable, "-c", DATASKETCH_LOOP, str(path)], folder)
    loop = json.loads(out)
    return {
        "wall": wall,
        "cpu": cpu,
        "duplicates": loop["duplicates"],
        "loop_wall": loop["wall"],
        "loop_cpu": loop["cpu"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--chars", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--executor", nargs="+", default=["ray", "processes"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jpcorpus-overhead-") as tmp:
        folder = Path(tmp)
        path = write_input(folder, args.docs, args.chars)
        size = path.stat().st_size
        print(
            f"input: {args.docs:,} documents, {size / 1e6:.1f} MB "
            f"({size / args.docs / 1024:.2f} KB each); load average {os.getloadavg()[0]:.1f}"
        )
        ours = {
            executor: min(
                (run_jpcorpus(folder, executor) for _ in range(args.repeat)),
                key=lambda r: r["wall"],
            )
            for executor in args.executor
        }
        theirs = min(
            (run_datasketch(folder, path) for _ in range(args.repeat)), key=lambda r: r["wall"]
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}; best of {args.repeat} by wall")
    print("| process | wall s | CPU s | duplicates dropped |")
    print("|---|---:|---:|---:|")
    for executor, run in ours.items():
        print(f"| jpcorpus run (dedup only), {executor} | {run['wall']:.2f} | {run['cpu']:.2f} | "
              f"{run['duplicates']:,} |")  # fmt: skip
    print(f"| datasketch bulk + LSH | {theirs['wall']:.2f} | {theirs['cpu']:.2f} | "
          f"{theirs['duplicates']:,} (unverified LSH hits) |")  # fmt: skip
    for executor, run in ours.items():
        dedup_wall = run["phases"]["dedup"]
        print(
            f"{executor}: whole process, datasketch / jpcorpus: wall "
            f"{theirs['wall'] / run['wall']:.2f}×, CPU {theirs['cpu'] / run['cpu']:.2f}×; "
            f"datasketch's loop / jpcorpus's whole process: wall "
            f"{theirs['loop_wall'] / run['wall']:.2f}×"
        )
        print(
            f"{executor}: the dedup stage (wall {dedup_wall:.2f} s, CPU {run['dedup_cpu']:.2f} s "
            f"summed over its tasks) against datasketch's loop (bulk + LSH: wall "
            f"{theirs['loop_wall']:.2f} s, CPU {theirs['loop_cpu']:.2f} s): "
            f"{theirs['loop_wall'] / dedup_wall:.2f}× by wall, "
            f"{theirs['loop_cpu'] / run['dedup_cpu']:.2f}× by CPU"
        )
        print(
            f"{executor}: wall by phase: "
            + ", ".join(f"{k} {v:.2f}" for k, v in run["phases"].items())
        )


if __name__ == "__main__":
    main()
