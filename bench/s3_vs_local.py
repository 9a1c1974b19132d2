"""The same pipeline run into a local folder and into S3 (moto on loopback): wall, CPU.

Input: the scale benchmark's 1× input (``bench/scale_data.py``, real text of
shared/data in files of one genre each), the full stage list, one ``jpcorpus run`` in
a fresh process each, first ``--out`` a local folder, then ``--out s3://…`` served by
moto's server mode in this process (``AWS_ENDPOINT_URL`` points the run at it). CPU
seconds are the run's process tree (driver, Ray workers, Ray system); the store's own
CPU (moto, in this process) is printed apart. The two releases must have the same
shard hashes.

    .venv/bin/python bench/s3_vs_local.py                 # 256 MB, 8 files (the 1× scale)
    .venv/bin/python bench/s3_vs_local.py --size 8MB      # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))

from scale_bench import FULL_STAGES, measured_run, parse_size, write_pipeline  # noqa: E402
from scale_data import GENRE_CYCLE, ensure_files  # noqa: E402


def run(pipeline: Path, out: str, env: dict[str, str]) -> dict:
    store_cpu = time.process_time()
    wall, sampler, _ = measured_run(
        [sys.executable, "-m", "pipelines.cli", "run", str(pipeline), "--out", out, "--quiet"],
        f"run into {out}",
        env=env,
    )
    return {
        "wall": wall,
        "cpu": sampler.cpu_seconds(),
        "store_cpu": time.process_time() - store_cpu,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size", type=parse_size, default=parse_size("256MB"))
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "jpcorpus-scale")
    args = ap.parse_args()
    if args.files % len(GENRE_CYCLE):
        ap.error(f"--files must be a multiple of {len(GENRE_CYCLE)}")
    file_bytes = args.size // args.files
    data = args.data / f"{file_bytes}B"
    files = ensure_files(data, args.files, file_bytes)

    import s3fs
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    os.environ.update(env)
    s3fs.S3FileSystem().mkdir("bench")
    work = Path(tempfile.mkdtemp(prefix="jpcorpus-s3bench-"))
    try:
        pipeline = write_pipeline(work, files, data, list(FULL_STAGES))
        local = run(pipeline, str(work / "local"), {})
        print(f"local: {local['wall']:.0f} s", flush=True)
        remote = run(pipeline, "s3://bench/release", env)
        print(f"s3:    {remote['wall']:.0f} s", flush=True)
        fs = s3fs.S3FileSystem()
        m_local = json.loads((work / "local" / "manifest.json").read_text())
        m_s3 = json.loads(fs.cat_file("bench/release/manifest.json"))
        same = [(s["path"], s["sha256"]) for s in m_local["shards"]] == [
            (s["path"], s["sha256"]) for s in m_s3["shards"]
        ] and m_local["accounting"] == m_s3["accounting"]
        objects = len(fs.find("bench/release"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        server.stop()
    size_mb = sum(f["bytes"] for f in files) / 1024**2
    print()
    print(f"input {size_mb:.0f} MB in {len(files)} files; {os.cpu_count()} CPUs; "
          f"docs in {m_local['accounting']['input']:,}, kept {m_local['accounting']['kept']:,}")  # fmt: skip
    print("| output | wall s | CPU s (run) | CPU s (moto) |")
    print("|---|---|---|---|")
    print(f"| local disk | {local['wall']:.0f} | {local['cpu']:.0f} | – |")
    print(f"| moto S3 | {remote['wall']:.0f} | {remote['cpu']:.0f} | {remote['store_cpu']:.0f} |")
    print(f"same shard hashes and accounting: {same}; objects written to S3: {objects}")


if __name__ == "__main__":
    main()
