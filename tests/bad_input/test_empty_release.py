"""Every document dropped before ``dedup``: a valid, empty release that audits OK."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.dedup.index import read_index
from corpus.dedup.job import DedupConfig, run_dedup
from corpus.dedup.lsh import optimal_banding
from corpus.dedup.tasks import LocalTasks
from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[2]
TEXT = REPO / "pipelines" / "sample" / "wikipedia" / "text"


def test_dedup_of_nothing_writes_an_empty_index(tmp_path: Path) -> None:
    """The release folder does not exist yet when no document reached dedup."""
    index_dir = tmp_path / "release" / "dedup"
    cfg = DedupConfig(banding=optimal_banding(0.8, 128))
    summary = run_dedup([], str(tmp_path / "work"), cfg, LocalTasks(), index_dir=str(index_dir))
    assert summary["documents"] == 0
    folder, info = read_index(str(index_dir))
    assert info.documents == 0 and info.parts == []


@pytest.mark.slow
def test_everything_dropped_before_dedup_is_an_empty_release(tmp_path: Path) -> None:
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text(
        f"name: empty\nsources:\n  - type: text_dir\n    path: {TEXT}\n"
        "    license: CC-BY-SA-3.0\n    license_evidence: test\n"
        "stages:\n  - quality: {min_chars: 100000}\n  - dedup: {}\n",
        encoding="utf-8",
    )
    out = tmp_path / "release"
    proc = run_cli("run", str(pipeline), "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    accounting = json.loads((out / "manifest.json").read_text("utf-8"))["accounting"]
    assert accounting["kept"] == 0
    assert accounting["input"] == sum(accounting["dropped"]["quality"].values()) >= 1
    audit = run_cli("audit", str(out))
    assert audit.returncode == 0, audit.stdout + audit.stderr
