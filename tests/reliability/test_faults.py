"""Fault injection: a killed worker (Ray's or a local process) or a killed driver does not
change the release."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from pipelines.executor import WORKER_TITLE
from tests.conftest import JPCORPUS, REPO, run_cli


def _release_facts(release: Path) -> tuple[list, dict]:
    manifest = json.loads((release / "manifest.json").read_text())
    return manifest["shards"], manifest["accounting"]


def _start_run(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*JPCORPUS, "run", "--out", str(out), "--quiet", *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _rank_workers(pid: int) -> list[psutil.Process]:
    """Worker processes busy with a pipeline task: Ray's (titled ``ray::_run_rank``) or
    the processes executor's (named ``jpcorpus-task``)."""
    found = []
    for proc in _tree(pid):
        try:
            if "ray::_run_rank" in " ".join(proc.cmdline()) or proc.name() == WORKER_TITLE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _completed(out: Path) -> int:
    return len(list((out / ".work" / "seg0" / "logs" / "completions").glob("*")))


def _kill_tree(pid: int) -> None:
    for proc in reversed(_tree(pid)):
        try:
            proc.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass


@pytest.mark.parametrize("executor", ["ray", "processes"])
def test_killed_worker_is_retried_and_the_release_is_identical(sample_release, tmp_path, executor):
    out = tmp_path / "release"
    run = _start_run(out, "--executor", executor)
    killed = None
    deadline = time.time() + 300
    while run.poll() is None and time.time() < deadline and killed is None:
        workers = _rank_workers(run.pid)
        if workers and _completed(out) >= 1:
            killed = workers[0]
            killed.send_signal(signal.SIGKILL)
        time.sleep(0.1)
    _, err = run.communicate(timeout=600)
    assert killed is not None, "the run ended before a worker could be killed"
    assert run.returncode == 0, err
    assert _release_facts(out) == _release_facts(sample_release)
    assert run_cli("audit", str(out)).returncode == 0


def test_killed_driver_rerun_finishes_only_missing_tasks(sample_release, tmp_path):
    out = tmp_path / "release"
    run = _start_run(out)
    deadline = time.time() + 300
    while run.poll() is None and time.time() < deadline and _completed(out) < 2:
        time.sleep(0.05)
    assert run.poll() is None, "the run finished before the driver could be killed"
    _kill_tree(run.pid)
    run.wait(timeout=60)
    assert not (out / "manifest.json").exists(), "an interrupted run must not leave a manifest"
    done = sorted((out / ".work" / "seg0" / "logs" / "completions").glob("*"))
    reports = out / ".work" / "seg0" / "reports"
    stamps = {p.name: (reports / f"{p.name}.json").stat().st_mtime_ns for p in done}
    assert stamps, "no task had completed before the kill"
    for shard in (out / "shards").glob("*.parquet"):  # no partial shard under a final name
        pq.ParquetFile(shard)

    proc = run_cli("run", "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    for name, mtime in stamps.items():
        assert (reports / f"{name}.json").stat().st_mtime_ns == mtime, f"task {name} ran again"
    assert _release_facts(out) == _release_facts(sample_release)
    assert not list(out.rglob(".*.tmp")), "temporary files left behind"
    assert run_cli("audit", str(out)).returncode == 0
