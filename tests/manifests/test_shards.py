"""Shard rows every loader reads, and even shards whose bytes do not depend on the task split.

Rows are real: the bundled sample's Wikipedia articles, with quality signals measured
by the quality rules and PII counts as the pii stage records them.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from corpus.document import make_document
from corpus.quality import TextProfile
from corpus.schema import (
    KEY_VALUE_COLUMNS,
    SHARD_SCHEMA,
    SHARD_SCHEMA_V1,
    as_dict,
    shard_row,
    upgrade_table,
)
from corpus.stages.quality import QualityParams
from manifests.shards import ShardsConfig, row_sizes, write_shards
from pipelines.config import parse_pipeline, sample_pipeline_path
from pipelines.errors import ConfigError

os.environ.setdefault("HF_HUB_OFFLINE", "1")

WIKI = sample_pipeline_path().parent / "wikipedia" / "jawiki-country.sample.json.gz"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    """Shard rows of the 40 sample articles; every third one with PII counts, one without signals."""
    rules = QualityParams().rules()[:6]
    out = []
    with gzip.open(WIKI, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            article = json.loads(line)
            doc = make_document(
                text=article["text"],
                source="wikipedia-ja",
                source_id=article["title"],
                license="CC-BY-SA-3.0",
                license_evidence="nlp100 readme",
                retrieved_at="2026-11-01T00:00:00+00:00",
            )
            if i != 5:
                profile = TextProfile(doc.text)
                doc.metadata["quality_signals"] = {
                    k: v for rule in rules for k, v in rule.measure(profile).items()
                }
            if i % 3 == 0:
                doc.metadata["pii_detail"] = {"PHONE": i + 1, "EMAIL": 1}
                doc.metadata["pii_redactions"] = i + 2
            out.append(shard_row(doc))
    return out


@pytest.fixture(scope="module")
def table(rows) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SHARD_SCHEMA)


@pytest.fixture(scope="module")
def shard(table, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("shard") / "part-00000.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


def test_named_values_are_sorted_key_value_lists(rows):
    first = rows[0]
    assert first["pii_detail"] == [{"key": "EMAIL", "value": 1}, {"key": "PHONE", "value": 1}]
    keys = [e["key"] for e in first["quality_signals"]]
    assert keys == sorted(keys) and "hiragana_ratio" in keys
    assert rows[5]["quality_signals"] is None and rows[1]["pii_detail"] is None
    assert not any(pa.types.is_map(f.type) for f in SHARD_SCHEMA)


def test_schema_read_back_equals_the_written_one(shard):
    assert pq.read_schema(shard).equals(SHARD_SCHEMA, check_metadata=False)


def test_round_trip_pyarrow_duckdb_polars_pandas(shard, table):
    import duckdb
    import pandas as pd
    import polars as pl

    con = duckdb.connect()
    via_duckdb = con.sql(f"SELECT * FROM read_parquet('{shard}')").to_arrow_table()
    via_polars = pl.read_parquet(shard).to_arrow()
    via_pandas = pa.Table.from_pandas(
        pd.read_parquet(shard), schema=SHARD_SCHEMA, preserve_index=False
    )
    for name, back in (("duckdb", via_duckdb), ("polars", via_polars), ("pandas", via_pandas)):
        assert back.cast(SHARD_SCHEMA).equals(table), name
    # a signal reads as a map in DuckDB without any conversion on our side
    ratio = con.execute(
        f"SELECT map_from_entries(quality_signals)['hiragana_ratio'] "
        f"FROM read_parquet('{shard}') LIMIT 1"
    ).fetchone()[0]
    assert ratio == as_dict(table["quality_signals"][0].as_py())["hiragana_ratio"]


def test_round_trip_datasets(shard, table, tmp_path):
    import datasets

    ds = datasets.Dataset.from_parquet(str(shard), cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == table.num_rows
    assert ds.data.table.cast(SHARD_SCHEMA).equals(table)
    assert ds[0]["pii_detail"] == [{"key": "EMAIL", "value": 1}, {"key": "PHONE", "value": 1}]
    streamed = datasets.load_dataset(
        "parquet",
        data_files=str(shard),
        split="train",
        streaming=True,
        cache_dir=str(tmp_path / "cache"),
    )
    assert [r["id"] for r in streamed] == table["id"].to_pylist()


def test_version_1_rows_upgrade_to_the_current_layout(table):
    old_columns = {
        name: pa.array(
            [
                None if v is None else [(e["key"], e["value"]) for e in v]
                for v in table[name].to_pylist()
            ],
            KEY_VALUE_COLUMNS[name],
        )
        for name in KEY_VALUE_COLUMNS
    }
    old = table
    for name, column in old_columns.items():
        old = old.set_column(old.column_names.index(name), name, column)
    assert old.cast(SHARD_SCHEMA_V1).schema.equals(SHARD_SCHEMA_V1)
    assert upgrade_table(old, 1).cast(SHARD_SCHEMA).equals(table)


def _write_parts(table: pa.Table, folder: Path, split: list[int]) -> None:
    folder.mkdir(parents=True)
    start = 0
    for rank, n in enumerate(split):
        pq.write_table(table.slice(start, n), folder / f"part-{rank:05d}.parquet", row_group_size=7)
        start += n
    assert start == table.num_rows


CONFIG = ShardsConfig(max_bytes="200KiB", row_group_bytes="64KiB")


def test_shards_have_the_same_bytes_whatever_the_task_split(table, tmp_path):
    results = []
    for i, split in enumerate(([40], [1, 2, 30, 7], [3] * 13 + [1])):
        _write_parts(table, tmp_path / f"parts{i}", split)
        results.append(write_shards(str(tmp_path / f"parts{i}"), str(tmp_path / f"rel{i}"), CONFIG))
    assert results[0] == results[1] == results[2]
    entries = results[0]
    assert len(entries) >= 3
    back = pa.concat_tables(pq.read_table(tmp_path / "rel0" / e["path"]) for e in entries)
    assert back.cast(SHARD_SCHEMA).equals(table), "rows, order and values kept"
    assert sum(e["rows"] for e in entries) == table.num_rows
    for e in entries[:-1]:
        assert 0.6 * CONFIG.max_bytes <= e["bytes"] <= 1.15 * CONFIG.max_bytes, e
    for e in entries:
        f = pq.ParquetFile(tmp_path / "rel0" / e["path"])
        groups = [f.metadata.row_group(g) for g in range(f.num_row_groups)]
        sizes = [int(row_sizes(f.read_row_group(g)).sum()) for g in range(f.num_row_groups)]
        # every group but a shard's last reaches the target; none is more than one row over
        assert all(s >= CONFIG.row_group_bytes for s in sizes[:-1])
        assert sum(g.num_rows for g in groups) == e["rows"]


def test_row_limit_cuts_exactly(table, tmp_path):
    _write_parts(table, tmp_path / "parts", [11, 29])
    config = ShardsConfig(max_bytes=None, max_rows=15, row_group_bytes="1MiB")
    entries = write_shards(str(tmp_path / "parts"), str(tmp_path / "rel"), config)
    assert [e["rows"] for e in entries] == [15, 15, 10]
    assert [e["path"] for e in entries] == [f"shards/part-{i:05d}.parquet" for i in range(3)]


def test_a_finished_compaction_is_not_redone(table, tmp_path):
    _write_parts(table, tmp_path / "parts", [40])
    first = write_shards(str(tmp_path / "parts"), str(tmp_path / "rel"), CONFIG)
    for part in (tmp_path / "parts").glob("*.parquet"):
        part.unlink()  # a finished run deletes its parts
    assert write_shards(str(tmp_path / "parts"), str(tmp_path / "rel"), CONFIG) == first


def test_shards_section_is_validated_with_its_key_path(tmp_path):
    raw = {**yaml.safe_load(sample_pipeline_path().read_text("utf-8")), "stages": []}
    base = sample_pipeline_path().parent
    sized = {**raw, "shards": {"max_bytes": "1GB", "max_rows": 5000}}
    sizes = parse_pipeline(sized, base_dir=base, check_inputs=False).shards
    assert (sizes.max_bytes, sizes.max_rows) == (10**9, 5000)
    default = parse_pipeline(raw, base_dir=base, check_inputs=False).shards
    assert default.max_bytes == 256 * 2**20
    for bad, key in (
        ({"max_byte": 1}, "shards.max_byte"),
        ({"max_rows": 0}, "shards.max_rows"),
        ({"max_bytes": "lots"}, "shards.max_bytes"),
        ({"max_bytes": None}, "shards"),
    ):
        with pytest.raises(ConfigError) as err:
            parse_pipeline({**raw, "shards": bad}, base_dir=base, check_inputs=False)
        assert str(err.value).startswith(key), (bad, str(err.value))


@pytest.mark.parametrize("module", ["corpus.schema", "manifests.shards", "manifests.card"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted and not result.failed
