"""One big JSON Lines file split into tasks, stored plain, as .gz, as one-frame and many-frame .zst.

For each form: stored size, tasks, the driver's planning pass (it reads the file once),
every task read on its own in this process as a worker reads it (source reader only, no
stages): the sum over tasks and the slowest task, and the decompressed bytes tasks
decompress only to skip them (a ``.gz`` task decompresses from the file's start; a
many-frame ``.zst`` task from the frame its range starts in). All forms must give the
same documents.

The input is the scale benchmark's data joined into one file (``big_file_bench.py``).

    .venv/bin/python bench/zstd_split_bench.py                      # 256 MB, 16 MB tasks
    .venv/bin/python bench/zstd_split_bench.py --size 1GB --task-bytes 64MB
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import zstandard  # noqa: E402
from big_file_bench import big_file  # noqa: E402
from scale_bench import parse_size  # noqa: E402

from pipelines.config import parse_pipeline  # noqa: E402


def write_forms(path: Path, out: Path, frame_bytes: int) -> dict[str, Path]:
    """The file as .jsonl (a link), .jsonl.gz, one-frame and many-frame .jsonl.zst."""
    forms = {"plain": out / "plain" / "big.jsonl"}
    for form in ("gz", "zst-1-frame", "zst-frames"):
        forms[form] = out / form / ("big.jsonl.gz" if form == "gz" else "big.jsonl.zst")
    for p in forms.values():
        p.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(path, forms["plain"])
    with path.open("rb") as src, gzip.open(forms["gz"], "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    cctx = zstandard.ZstdCompressor(level=3)
    with path.open("rb") as src, forms["zst-1-frame"].open("wb") as dst:
        cctx.copy_stream(src, dst)
    with path.open("rb") as src, forms["zst-frames"].open("wb") as dst:
        while chunk := src.read(frame_bytes):
            dst.write(cctx.compress(chunk))
    return forms


def measure(path: Path, task_bytes: int) -> dict:
    source = {"type": "jsonl", "path": str(path), "task_bytes": task_bytes, "license": "CC0-1.0"}
    (src,) = parse_pipeline({"name": "b", "sources": [source]}, base_dir=path.parent).sources
    t = time.perf_counter()
    plan = src.plan()
    plan_s = time.perf_counter() - t
    digest = hashlib.sha256()
    times, docs = [], 0
    for task in plan:
        t = time.perf_counter()
        for doc in src.read(task):
            digest.update(doc.text.encode())
            docs += 1
        times.append(time.perf_counter() - t)
    skipped = sum(t.get("start", 0) - t.get("frame", (0, 0))[1] for t in plan)
    if path.suffix == ".jsonl":
        skipped = 0  # a plain file is seeked, not read through
    return {
        "stored_mb": round(path.stat().st_size / 1024**2, 1),
        "tasks": len(plan),
        "plan_s": round(plan_s, 1),
        "read_s_sum": round(sum(times), 1),
        "read_s_slowest_task": round(max(times), 1),
        "skip_decompressed_mb": round(skipped / 1024**2),
        "docs": docs,
        "text_sha256": digest.hexdigest()[:16],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size", type=parse_size, default=parse_size("256MB"))
    ap.add_argument("--task-bytes", type=parse_size, default=parse_size("16MB"))
    ap.add_argument("--frame-bytes", type=parse_size, default=parse_size("4MB"))
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "jpcorpus-scale")
    args = ap.parse_args()
    path, _ = big_file(args.data, args.size)
    out = Path(tempfile.mkdtemp(prefix="jpcorpus-zstd-bench-"))
    try:
        t = time.time()
        forms = write_forms(path, out, args.frame_bytes)
        print(
            f"input {path.stat().st_size / 1024**2:,.0f} MB; forms written in {time.time() - t:.0f} s"
        )
        rows = {}
        for form, p in forms.items():
            rows[form] = measure(p, args.task_bytes)
            print(form, json.dumps(rows[form]), flush=True)
        assert len({(r["docs"], r["text_sha256"]) for r in rows.values()}) == 1, "forms differ"
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
