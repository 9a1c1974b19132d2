"""A release folder is a Hugging Face dataset folder: its README.md card, ``load_dataset``
on the folder (offline, streaming too), audit of the card and of earlier schema versions."""

from __future__ import annotations

import json
import os
import shutil

os.environ["HF_HUB_OFFLINE"] = "1"  # before datasets is imported: nothing is fetched

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus.schema import KEY_VALUE_COLUMNS, SHARD_SCHEMA_V1
from manifests.audit import audit_release
from manifests.card import card_metadata, split_front_matter
from manifests.layout import CARD, file_sha256
from manifests.pull import PullFilter, pull
from manifests.release import manifest_digest, read_manifest
from manifests.trace import trace_document


@pytest.fixture
def release(sample_release, tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(sample_release, copy)
    return copy


def _load(folder, tmp_path, **kwargs):
    import datasets

    return datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "hf-cache"), **kwargs)


def test_card_front_matter_describes_the_release(sample_release):
    manifest = read_manifest(sample_release)
    meta, body = split_front_matter((sample_release / CARD).read_text("utf-8"))
    assert meta == card_metadata(manifest)
    assert meta["language"] == ["ja"] and meta["task_categories"] == ["text-generation"]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["configs"][0]["data_files"] == [{"split": "train", "path": "shards/*.parquet"}]
    # the sample holds CC BY-SA 3.0 (a Hub license) and LicenseRef- ids (not on the Hub)
    assert "cc-by-sa-3.0" in meta["license"] and "other" in meta["license"]
    assert meta["license_link"] == "ATTRIBUTION.md"
    for lic, info in manifest["licenses"].items():
        assert f"`{lic}`" in body and f"{info['documents']:,}" in body
    for source in manifest["sources"]:
        assert f"`{source}`" in body
    acc = manifest["accounting"]
    assert f"input {acc['input']:,} = kept {acc['kept']:,}" in body
    for heading in ("## Personal data", "## Deduplication", "## Citation"):
        assert heading in body
    assert "Jaccard threshold 0.8" in body and "`<PHONE>`" in body
    assert manifest["manifest_sha256"] in body
    from huggingface_hub import DatasetCard  # the Hub's own card parser reads it the same

    hub = DatasetCard.load(sample_release / CARD).data.to_dict()
    assert {k: hub[k] for k in meta} == meta


def test_load_dataset_reads_only_the_shards(sample_release, tmp_path):
    manifest = read_manifest(sample_release)
    assert list((sample_release / "rejected").glob("*.parquet")), "the sample drops documents"
    assert any((sample_release / "dedup").rglob("*")), "and keeps a dedup index"
    ds = _load(sample_release, tmp_path)
    assert list(ds) == ["train"]
    assert ds["train"].num_rows == manifest["accounting"]["kept"]
    assert (
        ds["train"].column_names
        == pq.read_schema(sample_release / manifest["shards"][0]["path"]).names
    )
    shard_ids = sorted(
        i
        for e in manifest["shards"]
        for i in pq.read_table(sample_release / e["path"])["id"].to_pylist()
    )
    assert sorted(ds["train"]["id"]) == shard_ids
    streamed = _load(sample_release, tmp_path, split="train", streaming=True)
    assert sum(1 for _ in streamed) == manifest["accounting"]["kept"]


def test_schema_version_is_recorded(sample_release):
    assert read_manifest(sample_release)["schema_version"] == 2


def test_audit_checks_the_card(release):
    assert audit_release(release) == []
    card = (release / CARD).read_text("utf-8")
    (release / CARD).write_text(card.replace("- cc-by-sa-3.0\n", ""), "utf-8")
    assert any("front matter license" in p for p in audit_release(release))
    (release / CARD).write_text(
        card.replace("path: shards/*.parquet", "path: rejected/*.parquet"), "utf-8"
    )
    assert any("front matter configs" in p for p in audit_release(release))
    (release / CARD).unlink()
    assert audit_release(release) == ["README.md: missing (the dataset card)"]


def _as_version_1(release) -> None:
    """Rewrite a release as the code before schema versions wrote it: maps, no card."""
    manifest = read_manifest(release)
    for entry in manifest["shards"]:
        path = release / entry["path"]
        table = pq.read_table(path)
        for name, map_type in KEY_VALUE_COLUMNS.items():
            pairs = [
                None if v is None else [(e["key"], e["value"]) for e in v]
                for v in table[name].to_pylist()
            ]
            table = table.set_column(
                table.column_names.index(name), name, pa.array(pairs, map_type)
            )
        pq.write_table(table.cast(SHARD_SCHEMA_V1), path, compression="zstd")
        entry.update(sha256=file_sha256(path), bytes=path.stat().st_size)
    del manifest["schema_version"]
    (release / CARD).unlink()
    manifest["manifest_sha256"] = manifest_digest(manifest)
    (release / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


def test_audit_and_trace_read_version_1_and_audit_names_an_unknown_version(release):
    _as_version_1(release)
    assert audit_release(release) == []
    row = pq.read_table(release / read_manifest(release)["shards"][0]["path"]).to_pylist()[0]
    signals = trace_document(release, row["id"])["signals"]
    assert signals["quality_signals"] == dict(row["quality_signals"])  # a map's pairs
    manifest = read_manifest(release)
    manifest["schema_version"] = 3
    manifest["manifest_sha256"] = manifest_digest(manifest)
    (release / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    (problem,) = audit_release(release)
    assert "schema_version 3" in problem and "reads versions 1-2" in problem


def test_pull_of_a_version_1_release_is_a_loadable_version_2_copy(release, tmp_path):
    from tests.manifests.conftest import publish_copy

    _as_version_1(release)
    catalog = publish_copy(release, tmp_path / "catalog")
    kept = read_manifest(release)["licenses"]
    wanted = sorted(kept)[0]
    dest = tmp_path / "pulled"
    manifest = pull(catalog.url, str(dest), pull_filter=PullFilter(licenses=(wanted,)))
    assert manifest["schema_version"] == 2
    assert audit_release(dest) == []
    meta, body = split_front_matter((dest / CARD).read_text("utf-8"))
    assert meta["pretty_name"].endswith("(pulled)") and "filtered copy" in body
    ds = _load(dest, tmp_path, split="train")
    assert ds.num_rows == kept[wanted]["documents"] == manifest["accounting"]["kept"]
    assert set(ds["license"]) == {wanted}
