"""``jpcorpus audit`` catches every kind of tampering with a release."""

from __future__ import annotations

import json
import shutil

import pytest

from manifests.audit import audit_release
from pipelines.cli import main


@pytest.fixture
def release(sample_release, tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(sample_release, copy)
    return copy


def _audit(path, capsys) -> tuple[int, str]:
    code = main(["audit", str(path)])
    return code, capsys.readouterr().out


def test_untouched_release_passes(release, capsys):
    assert audit_release(release) == []
    assert _audit(release, capsys)[0] == 0


def test_one_byte_change_in_a_shard_fails(release, capsys):
    shard = sorted((release / "shards").glob("*.parquet"))[0]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    code, out = _audit(release, capsys)
    assert code == 1
    assert f"shards/{shard.name}: sha256 mismatch" in out


def test_deleted_shard_fails(release, capsys):
    shard = sorted((release / "shards").glob("*.parquet"))[0]
    shard.unlink()
    code, out = _audit(release, capsys)
    assert code == 1
    assert f"shards/{shard.name}: missing" in out


def test_extra_shard_fails(release, capsys):
    shard = sorted((release / "shards").glob("*.parquet"))[0]
    shutil.copy(shard, release / "shards" / "part-99999.parquet")
    code, out = _audit(release, capsys)
    assert code == 1
    assert "shards/part-99999.parquet: file not in the manifest" in out


def test_edited_manifest_fails(release, capsys):
    path = release / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["accounting"]["kept"] += 1
    path.write_text(json.dumps(manifest))
    code, out = _audit(release, capsys)
    assert code == 1
    assert "digest mismatch" in out
    assert "accounting" in out


def test_refused_license_in_a_shard_fails(release, capsys):
    """A shard rewritten with an NC row (and a re-signed manifest) is still caught."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from manifests.layout import file_sha256
    from manifests.release import manifest_digest

    shard = sorted((release / "shards").glob("*.parquet"))[0]
    table = pq.read_table(shard)
    licenses = table["license"].to_pylist()
    licenses[0] = "CC-BY-NC-4.0"
    table = table.set_column(
        table.column_names.index("license"), table.schema.field("license"),
        pa.array(licenses, pa.string()),
    )  # fmt: skip
    pq.write_table(table, shard, compression="zstd")
    path = release / "manifest.json"
    manifest = json.loads(path.read_text())
    for entry in manifest["shards"]:
        if entry["path"] == f"shards/{shard.name}":
            entry["sha256"] = file_sha256(shard)
            entry["bytes"] = shard.stat().st_size
    manifest["manifest_sha256"] = manifest_digest(manifest)
    path.write_text(json.dumps(manifest))
    code, out = _audit(release, capsys)
    assert code == 1
    assert "license CC-BY-NC-4.0 is refused by policy default" in out


def test_not_a_release_fails(tmp_path, capsys):
    code, out = _audit(tmp_path, capsys)
    assert code == 1
    assert "no manifest.json" in out
