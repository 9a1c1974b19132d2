"""Residency: tasks run only on Ray nodes with the required label, and the manifest says where.

Two Ray nodes on this machine's loopback (``ray.cluster_utils.Cluster``): an
unlabelled head with more CPUs and a node labelled ``region=jp``. Separate network
namespaces are the multi-node test's business; labels work the same on one host.
"""

from __future__ import annotations

import pytest
import yaml

from corpus.ray_runtime import make_private
from pipelines.cli import main
from pipelines.config import parse_pipeline
from pipelines.errors import ConfigError
from tests.conftest import run_cli
from tests.manifests.conftest import light_pipeline


@pytest.fixture(scope="module")
def cluster():
    """An unlabelled head (2 CPUs) and a ``region=jp`` node (1 CPU), both on 127.0.0.1.

    ``cluster_utils`` starts its nodes without Ray's token authentication while a
    driver finding ``~/.ray/auth_token`` turns it on, and the nodes then refuse the
    driver; this loopback-only test cluster runs with authentication off throughout.
    """
    make_private()
    from ray.cluster_utils import Cluster

    mp = pytest.MonkeyPatch()
    mp.setenv("RAY_AUTH_MODE", "disabled")

    node = {"object_store_memory": 80 * 1024**2, "node_ip_address": "127.0.0.1"}
    c = Cluster(
        initialize_head=True,
        head_node_args={**node, "num_cpus": 2, "include_dashboard": False},
    )
    jp = c.add_node(**node, num_cpus=1, labels={"region": "jp"})
    c.wait_for_nodes()
    try:
        yield c.address, jp.node_id
    finally:
        c.shutdown()
        mp.undo()


def test_work_lands_only_on_the_labelled_node(cluster, tmp_path):
    address, jp_node = cluster
    release = tmp_path / "out"
    # the driver in its own process, as a user runs it (one Ray session per process)
    proc = run_cli(
        "run", str(light_pipeline(tmp_path, {"require_label": {"region": "jp"}})),
        "--out", str(release), "--ray-address", address, "--quiet",
        env={"RAY_AUTH_MODE": "disabled"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    from manifests.release import read_manifest

    manifest = read_manifest(release)
    nodes = manifest["nodes"]
    assert len(nodes) == manifest["run"]["tasks"] >= 3
    assert {n["node_id"] for n in nodes} == {jp_node}
    assert {n["region"] for n in nodes} == {"jp"}
    assert all(n["labels"] == {"region": "jp"} for n in nodes)
    assert manifest["residency"] == {
        "require_label": {"region": "jp"}, "eligible_nodes": [jp_node], "verified": True,
    }  # fmt: skip
    assert main(["audit", str(release)]) == 0


def test_no_labelled_node_fails_before_any_work(cluster, tmp_path, capsys):
    address, _ = cluster
    path = light_pipeline(tmp_path, {"require_label": {"region": "us"}})
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--ray-address", address, "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(
        "jpcorpus: error: residency.require_label: no alive Ray node has region=us"
    )
    assert "region=jp" in err[0]  # it lists what the nodes do carry
    assert not (out / "manifest.json").exists() and not (out / ".work" / "seg0").exists()


@pytest.mark.parametrize(
    "value, message",
    [
        ({"require_label": {}}, "residency.require_label: "),
        ({"require_label": {"region": "jp"}, "nodes": 2}, "residency.nodes: unknown key"),
        ({"require_label": "jp"}, "residency.require_label: "),
    ],
)
def test_residency_is_validated(tmp_path, value, message):
    raw = yaml.safe_load(light_pipeline(tmp_path, value).read_text("utf-8"))
    with pytest.raises(ConfigError) as err:
        parse_pipeline(raw, base_dir=tmp_path)
    assert str(err.value).startswith(message)
