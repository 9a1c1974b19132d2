"""A Ray cluster whose nodes share no output folder: only S3 in common.

Three hosts in network namespaces (``netns.py``); each worker node sees the output
folder as an empty tmpfs of its own (a mount namespace per node), and an S3 server
(moto) runs on the head's address. A release written to ``s3://`` equals the local
run's; a release written to the unshared local folder fails with a clear error
instead of coming out scattered across the nodes. The sample pipeline names its inputs
relative to its file; they resolve on the driver, whatever folder the workers run in.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import pytest

from corpus import storage
from manifests.release import read_manifest
from tests.conftest import REPO
from tests.reliability.netns import NetnsRayCluster, NetnsUnavailable

S3_PORT = 9571


@pytest.fixture
def cluster():
    private = Path(tempfile.mkdtemp(prefix="jpcorpus-unshared-"))
    c = NetnsRayCluster(workers=2, private_on_workers=(private,))
    endpoint = f"http://{c.network.host_ip(0)}:{S3_PORT}"
    c.extra_env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "cluster-test",
            "AWS_SECRET_ACCESS_KEY": "cluster-test",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    try:
        try:
            c.start()
        except NetnsUnavailable as exc:
            pytest.skip(f"multi-node test needs network namespaces: {exc}")
        except Exception:
            raise AssertionError(f"the Ray cluster did not come up:\n{c.logs()}") from None
        moto = str(Path(sys.executable).with_name("moto_server"))
        c.start_on_head([moto, "-H", c.network.host_ip(0), "-p", str(S3_PORT)], "moto.log")
        _wait_for_s3(c, endpoint)
        c.private = private
        c.endpoint = endpoint
        yield c
    finally:
        c.stop()
        storage.remove(str(private), recursive=True)


def _wait_for_s3(c: NetnsRayCluster, endpoint: str, timeout: float = 60) -> None:
    probe = [sys.executable, "-c", f"import urllib.request; urllib.request.urlopen('{endpoint}')"]
    deadline = time.time() + timeout
    while time.time() < deadline:
        if c.run_on_head(probe, cwd=REPO, timeout=20).returncode == 0:
            # create the bucket from the head's namespace
            make = [sys.executable, "-c", "import s3fs; s3fs.S3FileSystem().mkdir('cluster')"]
            assert c.run_on_head(make, cwd=REPO, timeout=60).returncode == 0
            return
        time.sleep(1)
    raise AssertionError(f"the S3 server did not come up:\n{(c.root / 'moto.log').read_text()}")


def _jpcorpus(c: NetnsRayCluster, *args: str):
    return c.run_on_head([sys.executable, "-m", "pipelines.cli", *args], cwd=REPO, timeout=600)


def _shards(manifest: dict) -> list[tuple[str, str, int]]:
    return sorted((s["path"], s["sha256"], s["rows"]) for s in manifest["shards"])


@pytest.mark.slow
def test_s3_release_from_nodes_sharing_no_disk_equals_local_run(cluster, sample_release):
    url = "s3://cluster/jp/sample"
    proc = _jpcorpus(cluster, "run", "--ray-address", cluster.address, "--out", url, "--quiet")
    assert proc.returncode == 0, f"{proc.stderr}\n{cluster.logs()}"
    # read it back from the head's namespace (the S3 server lives there)
    dump = cluster.run_on_head(
        [sys.executable, "-c",
         "import json, sys; from manifests.release import read_manifest; "
         f"json.dump(read_manifest('{url}'), sys.stdout)"],
        cwd=REPO, timeout=120,
    )  # fmt: skip
    assert dump.returncode == 0, dump.stderr
    manifest = json.loads(dump.stdout)
    local = read_manifest(sample_release)
    assert _shards(manifest) == _shards(local)
    assert manifest["accounting"] == local["accounting"]
    # a manifest keeps node ids, not addresses (manifests.publish.NODE_KEYS)
    nodes = {n["node_id"] for n in manifest["nodes"]}
    assert len(nodes) > 1, f"every task ran on one node: {nodes}"
    assert _jpcorpus(cluster, "audit", url).returncode == 0


@pytest.mark.slow
def test_local_output_not_shared_by_the_nodes_fails_clearly(cluster):
    out = cluster.private / "release"
    proc = _jpcorpus(cluster, "run", "--ray-address", cluster.address, "--out", str(out), "--quiet")
    assert proc.returncode == 1, f"{proc.stdout}\n{proc.stderr}"
    assert "not shared between the Ray nodes" in proc.stderr, proc.stderr
    assert not (out / "manifest.json").exists()
