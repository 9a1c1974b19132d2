"""A run's shards have the same bytes however its input is split into tasks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from manifests.audit import audit_release
from manifests.release import read_manifest
from tests.conftest import run_cli
from tests.manifests.conftest import light_pipeline


def _with(path: Path, works_per_task: int) -> Path:
    raw = yaml.safe_load(path.read_text("utf-8"))
    raw["sources"][0]["works_per_task"] = works_per_task
    raw["shards"] = {"max_bytes": "64KiB", "row_group_bytes": "32KiB"}
    out = path.with_name(f"{path.stem}-{works_per_task}.yaml")
    out.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return out


@pytest.mark.slow
def test_two_task_splits_give_identical_shards(tmp_path):
    base = light_pipeline(tmp_path)
    releases = []
    for works in (8, 3):
        out = tmp_path / f"release-{works}"
        run_cli("run", str(_with(base, works)), "--out", str(out), "--quiet", check=True)
        releases.append(out)
    a, b = (read_manifest(r) for r in releases)
    assert a["run"]["tasks"] != b["run"]["tasks"]
    assert len(a["shards"]) >= 2
    assert a["shards"] == b["shards"]
    for release in releases:
        assert audit_release(release) == []
