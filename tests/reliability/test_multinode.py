"""The sample pipeline on a Ray cluster of three hosts gives the same release as a local run.

The hosts are network namespaces on this machine (see ``netns.py``); the driver
runs in the head's namespace and joins by address, as on a real cluster.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO, run_cli
from tests.reliability.netns import NetnsRayCluster, NetnsUnavailable


def _rows(release: Path) -> dict[str, str]:
    table = pq.read_table(release / "shards", columns=["id", "text"])
    return dict(zip(table["id"].to_pylist(), table["text"].to_pylist(), strict=True))


def _shards(manifest: dict) -> list[tuple[str, str, int]]:
    return sorted((s["path"], s["sha256"], s["rows"]) for s in manifest["shards"])


@pytest.fixture
def cluster():
    c = NetnsRayCluster(workers=2)
    try:
        try:
            c.start()
        except NetnsUnavailable as exc:
            pytest.skip(f"multi-node test needs network namespaces: {exc}")
        except Exception:
            raise AssertionError(f"the Ray cluster did not come up:\n{c.logs()}") from None
        yield c
    finally:
        c.stop()


def test_sample_on_three_hosts_equals_local_run(cluster, sample_release, tmp_path):
    out = tmp_path / "cluster-release"
    proc = cluster.run_on_head(
        [sys.executable, "-m", "pipelines.cli", "run", "--ray-address", cluster.address,
         "--out", str(out), "--quiet"],
        cwd=REPO, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, f"{proc.stderr}\n{cluster.logs()}"

    manifest = json.loads((out / "manifest.json").read_text())
    nodes = manifest["nodes"]
    assert len(nodes) == manifest["run"]["tasks"] * manifest["run"]["segments"]
    ids = {n["node_id"] for n in nodes}  # opaque ids: a manifest names no host or address
    assert len(ids) > 1, f"every task ran on one node: {ids}"
    text = (out / "manifest.json").read_text()
    assert not [ip for ip in cluster.node_ips if ip in text], "a node address in the manifest"

    local = json.loads((sample_release / "manifest.json").read_text())
    assert _rows(out) == _rows(sample_release)
    assert _shards(manifest) == _shards(local)
    assert manifest["accounting"] == local["accounting"]
    assert run_cli("audit", str(out)).returncode == 0
