"""Catalog publishing and ``jpcorpus pull`` (filtered copies that audit on their own)."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pyarrow.parquet as pq
import pytest

from manifests.audit import audit_release
from manifests.catalog import Catalog, CatalogError
from manifests.layout import file_sha256
from manifests.markdown import md_plain
from manifests.release import read_manifest
from pipelines.cli import main
from tests.manifests.conftest import publish_copy, rejected_rows, shard_rows


def test_published_version_is_indexed_with_its_digest(catalog, sample_release):
    manifest = read_manifest(sample_release)
    (record,) = catalog.versions()
    assert record.version == str(manifest["version"])
    assert record.manifest_sha256 == manifest["manifest_sha256"]
    assert record.created_at == manifest["created_at"]
    assert (record.status, record.parent, record.documents) == (
        "current", None, manifest["accounting"]["kept"],
    )  # fmt: skip
    assert audit_release(catalog.version_path(record.version)) == []


def test_versions_are_immutable(catalog, sample_release):
    with pytest.raises(CatalogError, match="immutable"):
        catalog.publish(sample_release, catalog.current().version)


def test_a_tampered_release_is_not_published(sample_release, tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(sample_release, copy)
    shard = sorted((copy / "shards").glob("*.parquet"))[0]
    data = bytearray(shard.read_bytes())
    data[100] ^= 0xFF
    shard.write_bytes(bytes(data))
    with pytest.raises(CatalogError) as err:
        publish_copy(copy, tmp_path / "catalog")
    assert err.value.exit_code == 1 and "sha256 mismatch" in str(err.value)
    assert not Catalog(tmp_path / "catalog").versions()


def test_pull_by_license(catalog, sample_release, tmp_path, capsys):
    licenses = read_manifest(sample_release)["licenses"]
    wanted = sorted(licenses, key=lambda k: licenses[k]["documents"])[:2]
    dest = tmp_path / "pulled"
    args = ["pull", catalog.url, str(dest)] + [x for w in wanted for x in ("--license", w)]
    assert main(args) == 0
    assert audit_release(dest) == []
    assert main(["audit", str(dest)]) == 0

    rows = shard_rows(dest)
    assert {r["license"] for r in rows} == set(wanted)
    expected = [r for r in shard_rows(sample_release) if r["license"] in wanted]
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in expected)
    assert {r["id"]: r["text"] for r in rows} == {r["id"]: r["text"] for r in expected}

    manifest = read_manifest(dest)
    parent = read_manifest(sample_release)
    acc = manifest["accounting"]
    assert acc["input"] == parent["accounting"]["kept"]
    assert acc["kept"] == len(expected)
    assert acc["dropped"] == {"pull": {"filtered_license": acc["input"] - len(expected)}}
    assert manifest["pull"]["filter"] == {"license": wanted, "source": []}
    assert manifest["parent"]["manifest_sha256"] == parent["manifest_sha256"]
    assert {k: v["documents"] for k, v in manifest["licenses"].items()} == {
        w: licenses[w]["documents"] for w in wanted
    }
    # rejected/ accounts for every document not pulled, without text
    not_pulled = rejected_rows(dest)
    assert len(not_pulled) == acc["input"] - acc["kept"]
    assert {r["reason"] for r in not_pulled} == {"filtered_license"}
    assert "text" not in pq.read_schema(dest / manifest["rejected"][0]["path"]).names

    # ATTRIBUTION.md: exactly the pulled documents' credits
    attribution = (dest / "ATTRIBUTION.md").read_text("utf-8")
    credits = {md_plain(line[2:]) for line in attribution.splitlines() if line.startswith("- ")}
    assert credits == {r["attribution"] for r in expected if r["attribution"]}
    assert {
        line[3:].split(" — ")[0] for line in attribution.splitlines() if line.startswith("## ")
    } <= set(wanted)


def test_pull_by_source_from_an_fsspec_catalog(sample_release, tmp_path):
    """A catalog behind an fsspec URL (memory://) publishes and pulls like a folder."""
    import fsspec

    url = f"memory://catalog-{tmp_path.name}"
    try:
        publish_copy(sample_release, url)
        sources = Counter(r["source"] for r in shard_rows(sample_release, ["source"]))
        source = min(sources, key=sources.get)
        dest = tmp_path / "pulled"
        assert main(["pull", url, str(dest), "--source", source]) == 0
        assert audit_release(dest) == []
        assert Counter(r["source"] for r in shard_rows(dest, ["source"])) == {
            source: sources[source]
        }
        dropped = read_manifest(dest)["accounting"]["dropped"]
        assert dropped == {"pull": {"filtered_source": sum(sources.values()) - sources[source]}}
    finally:
        fsspec.filesystem("memory").rm(url.removeprefix("memory://"), recursive=True)


def test_pull_refuses_unknown_filter_values(catalog, tmp_path, capsys):
    assert main(["pull", catalog.url, str(tmp_path / "x"), "--license", "CC-BY-NC-4.0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jpcorpus: error: --license CC-BY-NC-4.0: not in this release")
    assert not (tmp_path / "x").exists()


def test_pull_detects_a_changed_shard_in_the_catalog(catalog, tmp_path, capsys):
    record = catalog.current()
    version_dir = tmp_path / "catalog" / "versions" / record.version
    shard = sorted((version_dir / "shards").glob("*.parquet"))[0]
    data = bytearray(shard.read_bytes())
    data[len(data) // 3] ^= 0x01
    shard.write_bytes(bytes(data))
    assert main(["pull", catalog.url, str(tmp_path / "x")]) == 1
    assert "sha256 differs" in capsys.readouterr().err


def test_pull_detects_an_edited_manifest_in_the_catalog(catalog, tmp_path, capsys):
    path = tmp_path / "catalog" / "versions" / catalog.current().version / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["policy"] = "permissive"
    path.write_text(json.dumps(manifest))
    assert main(["pull", catalog.url, str(tmp_path / "x")]) == 1
    assert "digest does not match" in capsys.readouterr().err


def test_pulled_shards_load_in_duckdb(catalog, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    dest = tmp_path / "pulled"
    assert main(["pull", catalog.url, str(dest)]) == 0
    manifest = read_manifest(dest)
    con = duckdb.connect()
    rows = con.execute(
        "SELECT license, count(*) FROM read_parquet(?) GROUP BY license",
        [str(dest / "shards" / "*.parquet")],
    ).fetchall()
    assert dict(rows) == {k: v["documents"] for k, v in manifest["licenses"].items()}
    # an unfiltered pull is byte-identical shard for shard
    parent = read_manifest(catalog.version_path(catalog.current().version))
    assert [s["sha256"] for s in manifest["shards"]] == [s["sha256"] for s in parent["shards"]]
    assert all(file_sha256(dest / s["path"]) == s["sha256"] for s in manifest["shards"])
