"""Fixtures for the audit-trail tests: catalogs made from the bundled sample's release."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from manifests.catalog import Catalog
from manifests.release import read_manifest

DATA = Path(__file__).parent / "data"


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
