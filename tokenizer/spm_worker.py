"""Runs one SentencePiece training in its own process, so its time and peak memory are its own.

    python -m tokenizer.spm_worker ARGS.json

``ARGS.json`` holds the keyword arguments of ``SentencePieceTrainer.train``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TrainRun:
    seconds: float
    cpu_seconds: float
    """user + system CPU time of the training process (steady when the machine is shared)"""
    peak_rss_bytes: int
    log_path: str


PEAK_PREFIX = "peak_rss_kib="


class TrainingFailed(RuntimeError):
    """SentencePiece stopped with an error (its last log lines are in the message)."""


def run_training(kwargs: dict[str, Any], work_dir: str | Path) -> TrainRun:
    """Train in a child process; return its wall and CPU time and peak resident memory."""
    work_dir = Path(work_dir)
    args_path = work_dir / "spm_args.json"
    log_path = work_dir / "spm_train.log"
    args_path.write_text(json.dumps(kwargs, ensure_ascii=False), encoding="utf-8")
    start = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tokenizer.spm_worker", str(args_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "PYTHONPATH": _package_root() + os.pathsep + os.environ.get("PYTHONPATH", ""),
            },
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        raise TrainingFailed(f"SentencePiece training failed: {' | '.join(tail)}")
    cpu = usage.ru_utime + usage.ru_stime
    return TrainRun(seconds, cpu, _peak_rss_bytes(log_path, usage.ru_maxrss), str(log_path))


def _peak_rss_bytes(log_path: Path, ru_maxrss_kib: int) -> int:
    """The child's own peak, which it logs from ``VmHWM``.

    ``ru_maxrss`` of a child also counts the parent's pages it had between fork and
    exec, so it is only the fallback (systems without ``/proc``).
    """
    for line in reversed(log_path.read_text(encoding="utf-8", errors="replace").splitlines()):
        if line.startswith(PEAK_PREFIX):
            return int(line.removeprefix(PEAK_PREFIX)) * 1024
    return ru_maxrss_kib * 1024  # KiB on Linux


def _package_root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def main(argv: list[str]) -> int:
    import sentencepiece as spm

    kwargs = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    spm.SentencePieceTrainer.train(**kwargs)
    peak = own_peak_rss_kib()
    if peak is not None:
        print(f"{PEAK_PREFIX}{peak}", flush=True)
    return 0


def own_peak_rss_kib() -> int | None:
    """This process's peak resident memory since it started its program (Linux ``VmHWM``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
