"""What a published manifest says about the machine that made it: no paths, hosts or IPs."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import manifests.publish
from manifests.publish import PolicyUnavailable, policy_of, policy_record
from pipelines.config import load_pipeline

REPO = Path(__file__).resolve().parents[2]
TEXT = REPO / "pipelines" / "sample" / "wikipedia" / "text"


def test_doctests() -> None:
    result = doctest.testmod(manifests.publish)
    assert result.attempted > 0 and result.failed == 0


def test_resolved_config_names_inputs_relative_to_the_pipeline_file(tmp_path: Path) -> None:
    (tmp_path / "strict.yaml").write_text("name: strict\nrefuse_obligations: [share_alike]\n")
    (tmp_path / "pipeline.yaml").write_text(
        f"output: {tmp_path / 'out'}\npolicy: strict.yaml\nsources:\n"
        f"  - type: text_dir\n    path: {TEXT}\n    license: CC-BY-SA-3.0\n"
        "    license_evidence: test\n"
        f"  - type: warc\n    path: s3://bucket/crawl/\n",
        encoding="utf-8",
    )
    resolved = load_pipeline(tmp_path / "pipeline.yaml", check_inputs=False).resolved()
    assert resolved["output"] == "out"
    assert resolved["policy"] == "strict.yaml"
    path = resolved["sources"][0]["path"]
    assert not path.startswith("/") and (tmp_path / path).resolve() == TEXT.resolve()
    assert resolved["sources"][1]["path"] == "s3://bucket/crawl/"


def test_policy_travels_inside_the_manifest(tmp_path: Path) -> None:
    policy_file = tmp_path / "strict.yaml"
    policy_file.write_text("name: strict\nrefuse_obligations: [share_alike]\n")
    manifest = policy_record(str(policy_file))
    assert manifest["policy"] == "strict" and str(tmp_path) not in str(manifest)
    policy_file.unlink()  # another machine
    policy = policy_of(manifest)
    assert policy.admits("CC-BY-4.0") and not policy.admits("CC-BY-SA-4.0")
    manifest["policy_definition"]["yaml"] += "allow: [CC-BY-SA-4.0]\n"
    with pytest.raises(PolicyUnavailable, match="sha256"):
        policy_of(manifest)
    assert policy_of({"policy": "default"}).name == "default"  # older manifests
    with pytest.raises(PolicyUnavailable, match="not built in"):
        policy_of({"policy": "/home/someone/policy.yaml"})
