"""A reused worker process starts its next task from what the last one kept, not more."""

from __future__ import annotations

import gc

import pyarrow as pa

from pipelines.executor import release_memory
from tests.manifests.test_writer import novels


def private_mb() -> float:
    """This process's private resident memory (``RssAnon``) in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("RssAnon:"))


def a_task_s_documents() -> None:
    """What a task leaves freed behind: Python rows and Arrow tables of real Japanese text."""
    lines = [line for text in novels() for line in text.splitlines() if line.strip()]
    rows = [{"id": f"{i}-{k}", "text": line * 3} for k in range(60) for i, line in enumerate(lines)]
    table = pa.Table.from_pylist(rows)
    assert table.num_rows == len(rows)


def test_a_finished_task_hands_back_what_it_freed():
    gc.collect()
    before = private_mb()
    a_task_s_documents()
    gc.collect()
    kept = private_mb()
    release_memory()
    after = private_mb()
    assert after - before < 80, f"{before:.0f} MB -> {kept:.0f} MB freed -> {after:.0f} MB"
