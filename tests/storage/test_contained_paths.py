"""Paths read from a manifest or a catalog stay inside their release: ``audit`` fails
on any that leaves it or on a symbolic link; ``pull``, ``report`` and ``trace`` refuse
such a manifest and write nothing outside their destination."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from manifests.audit import audit_release
from manifests.release import manifest_digest, read_manifest
from pipelines.cli import main
from tests.manifests.conftest import publish_copy


def forge(release: Path, path: str) -> None:
    """Point the first shard entry of ``release``'s manifest at ``path``, digest recomputed
    (as whoever controls the files can)."""
    manifest = read_manifest(release)
    manifest["shards"][0]["path"] = path
    manifest["manifest_sha256"] = manifest_digest(manifest)
    (release / "manifest.json").write_text(json.dumps(manifest), "utf-8")


@pytest.fixture
def release(sample_release: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "release"
    shutil.copytree(sample_release, copy)
    return copy


@pytest.mark.parametrize(
    "path",
    ["../outside.parquet", "shards/../../outside.parquet", "/tmp/outside.parquet",
     "shards//part-00000.parquet", "rejected/seg0-00002.parquet", "s3://b/x.parquet"],
)  # fmt: skip
def test_audit_fails_on_a_path_outside_the_shards(release: Path, path: str) -> None:
    shard = release / read_manifest(release)["shards"][0]["path"]
    shutil.copy(shard, release.parent / "outside.parquet")
    forge(release, path)
    problems = audit_release(release)
    assert any("is not inside shards/" in p for p in problems), problems


def test_audit_fails_on_a_symlinked_shard(release: Path, tmp_path: Path) -> None:
    shard = release / read_manifest(release)["shards"][0]["path"]
    outside = tmp_path / "elsewhere.parquet"
    shutil.move(shard, outside)
    shard.symlink_to(outside)  # same bytes, same hash: only the link gives it away
    problems = audit_release(release)
    assert problems == [f"shards/{shard.name}: a symbolic link (a release holds files only)"]


def test_audit_fails_on_a_symlinked_shards_folder(release: Path, tmp_path: Path) -> None:
    shutil.move(release / "shards", tmp_path / "shards-elsewhere")
    (release / "shards").symlink_to(tmp_path / "shards-elsewhere")
    assert audit_release(release) == ["shards: a symbolic link (a release holds files only)"]


def _forge_in_catalog(catalog_dir: Path, path: str) -> None:
    index = json.loads((catalog_dir / "index.json").read_text())
    version = index["versions"][-1]["version"]
    forge(catalog_dir / "versions" / version, path)
    index["versions"][-1]["manifest_sha256"] = read_manifest(catalog_dir / "versions" / version)[
        "manifest_sha256"
    ]
    (catalog_dir / "index.json").write_text(json.dumps(index), "utf-8")


def test_pull_report_trace_refuse_a_manifest_naming_files_outside(
    sample_release: Path, tmp_path: Path, capsys
) -> None:
    catalog_dir = tmp_path / "catalog"
    publish_copy(sample_release, catalog_dir)
    _forge_in_catalog(catalog_dir, "../../../../escaped.parquet")
    dest = tmp_path / "a" / "b" / "c" / "pulled"
    assert main(["pull", str(catalog_dir), str(dest)]) == 1
    assert "outside the release" in capsys.readouterr().err
    assert not list(tmp_path.rglob("escaped.parquet"))
    assert not dest.exists()
    assert main(["report", str(catalog_dir)]) != 0
    assert "outside" in capsys.readouterr().err
    version_dir = next((catalog_dir / "versions").iterdir())
    assert main(["trace", str(version_dir), "anything"]) == 2
    assert "outside the release" in capsys.readouterr().err


def test_report_on_an_s3_catalog_refuses_a_path_outside(
    sample_release: Path, tmp_path: Path, bucket: str, capsys
) -> None:
    """``report`` copies a remote version to a temporary folder: a manifest path with
    ``..`` must not place a file outside it."""
    from corpus import storage

    catalog_dir = tmp_path / "catalog"
    publish_copy(sample_release, catalog_dir)
    name = f"escaped-{tmp_path.name}.parquet"
    _forge_in_catalog(catalog_dir, f"../../../../../../../../tmp/{name}")
    fs, root = storage.filesystem(f"{bucket}/catalog")
    fs.put(str(catalog_dir), root, recursive=True)
    assert main(["report", f"{bucket}/catalog"]) == 1
    assert "outside the release" in capsys.readouterr().err
    assert not (Path("/tmp") / name).exists()


def test_a_catalog_index_naming_a_version_outside_is_refused(
    sample_release: Path, tmp_path: Path, capsys
) -> None:
    catalog_dir = tmp_path / "catalog"
    publish_copy(sample_release, catalog_dir)
    index = json.loads((catalog_dir / "index.json").read_text())
    index["versions"][-1]["version"] = "../../elsewhere"
    (catalog_dir / "index.json").write_text(json.dumps(index), "utf-8")
    assert main(["pull", str(catalog_dir), str(tmp_path / "pulled")]) == 1
    assert "is not a plain folder name" in capsys.readouterr().err
    assert not (tmp_path / "pulled").exists()
