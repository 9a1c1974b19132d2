"""Fixtures for the audit-trail tests: catalogs made from the bundled sample's release."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from manifests.catalog import Catalog
from manifests.release import read_manifest
from pipelines.config import sample_pipeline_path

DATA = Path(__file__).parent / "data"


def light_pipeline(folder: Path, residency: dict | None = None) -> Path:
    """A quick pipeline file: the sample's first source (several tasks) and the Aozora
    excerpts, no processing stages."""
    sample = yaml.safe_load(sample_pipeline_path().read_text("utf-8"))
    source = dict(sample["sources"][0])
    for key in ("path", "index", "root"):
        if key in source and not Path(source[key]).is_absolute():
            source[key] = str(sample_pipeline_path().parent / source[key])
    raw = {
        "name": "light",
        "sources": [source, {"type": "jsonl", "name": "aozora-excerpts",
                             "path": str(DATA / "aozora-excerpts.jsonl")}],
        "stages": [],
        "execution": {"mem_per_task_gb": 0.25},
    }  # fmt: skip
    if residency is not None:
        raw["residency"] = residency
    path = folder / f"pipeline-{len(list(folder.glob('pipeline-*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def publish_copy(release: Path, catalog_dir: Path) -> Catalog:
    """A new catalog holding ``release`` under the version its manifest names."""
    catalog = Catalog(catalog_dir)
    catalog.publish(release, str(read_manifest(release)["version"]))
    return catalog


def shard_rows(release: Path | str, columns: list[str] | None = None) -> list[dict]:
    """Every kept row of a release (selected columns)."""
    release = Path(release)
    manifest = read_manifest(release)
    rows: list[dict] = []
    for entry in manifest["shards"]:
        rows += pq.read_table(release / entry["path"], columns=columns).to_pylist()
    return rows


def rejected_rows(release: Path | str) -> list[dict]:
    release = Path(release)
    manifest = read_manifest(release)
    rows: list[dict] = []
    for entry in manifest.get("rejected", []):
        rows += pq.read_table(release / entry["path"]).to_pylist()
    return rows


@pytest.fixture
def catalog(sample_release, tmp_path) -> Catalog:
    """A fresh catalog with the sample release published as its first version."""
    return publish_copy(sample_release, tmp_path / "catalog")
