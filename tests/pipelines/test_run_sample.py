"""The README's first command: the bundled sample becomes an audited release."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq

from corpus.schema import SHARD_SCHEMA
from manifests.release import accounting_holds
from tests.conftest import run_cli

DESIGN_COLUMNS = [
    "id", "text", "source", "source_id", "url", "license", "license_evidence", "attribution",
    "retrieved_at", "raw_sha256", "lang", "lang_score", "pii_redactions",
]  # fmt: skip


def test_sample_release_has_design_layout(sample_release):
    assert (sample_release / "manifest.json").is_file()
    assert (sample_release / "ATTRIBUTION.md").is_file()
    shards = sorted((sample_release / "shards").glob("*.parquet"))
    assert shards, "no shards written"
    manifest = json.loads((sample_release / "manifest.json").read_text())
    for key in ("name", "version", "created_at", "code_version", "config", "tool_versions",
                "shards", "licenses", "sources", "accounting"):  # fmt: skip
        assert key in manifest, key
    assert {s["path"] for s in manifest["shards"]} == {
        str(p.relative_to(sample_release)) for p in shards
    }
    assert accounting_holds(manifest["accounting"])
    assert manifest["accounting"]["kept"] > 0


def test_shards_open_in_pyarrow_and_duckdb_with_every_column(sample_release):
    table = pq.read_table(sample_release / "shards")
    assert table.schema.equals(SHARD_SCHEMA, check_metadata=False)
    for column in DESIGN_COLUMNS:
        assert column in table.column_names
    assert table["license"].null_count == 0
    assert (
        table.num_rows
        == json.loads((sample_release / "manifest.json").read_text())["accounting"]["kept"]
    )
    glob = str(sample_release / "shards" / "*.parquet")
    con = duckdb.connect()
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}')").fetchall()]
    assert cols[: len(DESIGN_COLUMNS)] == DESIGN_COLUMNS
    nulls, ids, rows = con.execute(
        f"SELECT count(*) FILTER (WHERE license IS NULL OR license = ''), count(DISTINCT id), "
        f"count(*) FROM read_parquet('{glob}')"
    ).fetchone()
    assert nulls == 0
    assert ids == rows, "ids must be unique within a release"


def test_audit_passes_on_the_sample(sample_release):
    proc = run_cli("audit", str(sample_release))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("OK")


def test_rerun_into_same_output_skips_and_gives_same_release(sample_release):
    before = json.loads((sample_release / "manifest.json").read_text())
    proc = run_cli("run", "--out", str(sample_release), "--quiet")
    assert proc.returncode == 0, proc.stderr
    after = json.loads((sample_release / "manifest.json").read_text())
    assert after["shards"] == before["shards"]
    assert after["accounting"] == before["accounting"]
