"""``jpcorpus trace``: one document from source to shard, kept or dropped."""

from __future__ import annotations

import json

import pytest

from corpus.schema import as_dict
from manifests.release import read_manifest
from manifests.trace import TraceError, stage_order, trace_document
from pipelines.cli import main
from tests.manifests.conftest import rejected_rows, shard_rows


def test_trace_of_a_kept_document_matches_its_shard_row(sample_release):
    row = next(r for r in shard_rows(sample_release) if r["url"].startswith("https://"))
    trace = trace_document(sample_release, row["id"])
    assert trace["status"] == "kept"
    assert trace["origin"]["source"] == row["source"]
    assert trace["origin"]["source_id"] == row["source_id"]
    assert trace["origin"]["url"] == row["url"]
    assert trace["origin"]["raw_sha256"] == row["raw_sha256"]
    assert trace["license"]["id"] == row["license"]
    assert trace["license"]["evidence"] == row["license_evidence"]
    assert trace["license"]["attribution"] == row["attribution"]
    assert trace["license"]["admitted"] is True
    assert trace["signals"]["char_count"] == len(row["text"])
    assert trace["signals"].get("pii_redactions", 0) == row["pii_redactions"]
    assert trace["signals"]["quality_signals"] == as_dict(row["quality_signals"])
    assert row["text"].startswith(trace["text_preview"].rstrip("…"))
    manifest = read_manifest(sample_release)
    assert [s["stage"] for s in trace["stages"]] == stage_order(manifest)
    assert {s["decision"] for s in trace["stages"]} == {"kept"}
    shard = next(e for e in manifest["shards"] if e["path"] == trace["location"]["file"])
    assert trace["location"]["sha256"] == shard["sha256"]


def test_trace_of_a_dropped_document_names_the_stage_and_reason(sample_release):
    rejected = rejected_rows(sample_release)
    if not rejected:
        pytest.skip("the sample release dropped nothing")
    row = rejected[0]
    trace = trace_document(sample_release, row["id"])
    assert trace["status"] == "dropped"
    assert "signals" not in trace or "char_count" not in trace["signals"]  # no text kept
    stages = trace["stages"]
    at = next(i for i, s in enumerate(stages) if s["decision"] == "dropped")
    assert stages[at]["stage"] == row["stage"] and stages[at]["reason"] == row["reason"]
    assert all(s["decision"] == "kept" for s in stages[:at])
    assert all(s["decision"] == "not reached" for s in stages[at + 1 :])
    assert trace["license"]["id"] == row["license"]


def test_a_url_naming_one_document_finds_it(sample_release):
    rows = shard_rows(sample_release, ["id", "url"])
    urls = [r["url"] for r in rows]
    row = next(r for r in rows if r["url"] and urls.count(r["url"]) == 1)
    assert trace_document(sample_release, row["url"])["id"] == row["id"]


def test_unknown_id_is_bad_input(sample_release, capsys):
    with pytest.raises(TraceError):
        trace_document(sample_release, "no-such-document")
    assert main(["trace", str(sample_release), "no-such-document"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-document" in err


def test_trace_command_prints_json_and_text(sample_release, capsys):
    row = shard_rows(sample_release, ["id", "license"])[0]
    assert main(["trace", str(sample_release), row["id"], "--json"]) == 0
    trace = json.loads(capsys.readouterr().out)
    assert trace["id"] == row["id"] and trace["license"]["id"] == row["license"]
    assert main(["trace", str(sample_release), row["id"]]) == 0
    out = capsys.readouterr().out
    assert row["id"] in out and "stages" in out and "license" in out


def test_trace_in_a_catalog_lists_the_versions(catalog, sample_release):
    row = shard_rows(sample_release, ["id"])[0]
    from manifests.trace import trace_in_catalog

    trace = trace_in_catalog(catalog.url, row["id"])
    assert trace["status"] == "kept"
    assert trace["catalog"]["versions"] == [
        {"version": catalog.current().version, "status": "current",
         "reason": "latest version", "document": "kept"}
    ]  # fmt: skip
