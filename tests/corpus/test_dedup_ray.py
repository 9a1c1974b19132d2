"""The dedup stage on Ray: 2 and 4 workers give the same survivors, and ``- dedup: {}``
in a pipeline file runs end to end through the runner (one Ray session for the module)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from corpus.dedup.evaluation import edit_characters, write_parts
from corpus.dedup.index import read_index
from corpus.dedup.job import read_decisions, run_dedup
from corpus.dedup.tasks import RayTasks
from corpus.ray_runtime import ray_session
from corpus.stages.base import build_stage
from manifests.audit import audit_release
from pipelines.config import load_pipeline
from pipelines.errors import ConfigError
from pipelines.runner import run_pipeline
from tests.corpus.test_dedup_job import config
from tests.corpus.test_dedup_minhash import alice, wiki_texts


@pytest.fixture(scope="module")
def ray_cluster():
    with ray_session(num_cpus=4) as resources:
        yield resources


def test_two_and_four_workers_give_identical_survivors(tmp_path, ray_cluster):
    rng = random.Random(5)
    texts = dict(zip(("alice-a", "alice-b"), alice(), strict=True))
    for i, t in enumerate(wiki_texts()):
        texts[f"w{i:02d}"] = t
        if i % 3 == 0:
            texts[f"w{i:02d}-near"] = edit_characters(t, 0.008, rng)
        if i % 5 == 0:
            texts[f"w{i:02d}-copy"] = t
    paths = write_parts(texts, str(tmp_path / "in"), 4)
    outcomes = []
    for workers in (2, 4):
        runner = RayTasks(max_in_flight=workers)
        out = tmp_path / f"out{workers}"
        summary = run_dedup(paths, str(out), config(partitions=workers), runner)
        assert (
            runner.usage.peak_rss_mb["sign_file"] > 0
            and "verify_partition" in runner.usage.cpu_seconds
        )
        got = {}
        for rank in range(4):
            got.update(read_decisions(str(out), rank))
        outcomes.append(
            ({k: (v.cluster_id, v.duplicate_of, v.reason) for k, v in got.items()}, summary)
        )
    (two, s2), (four, s4) = outcomes
    assert two == four
    assert s2["duplicates"] == s4["duplicates"]
    survivors = {v[0] for v in two.values()}
    dropped = {k for k, v in two.items() if v[1]}
    assert (
        "alice-a" in two
        and len(dropped) == sum(1 for k in texts if k.endswith(("-near", "-copy"))) + 1
    )
    assert not survivors & dropped


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def pipeline_file(folder: Path, stages: list) -> Path:
    """Wikipedia articles (CC BY-SA), Alice's two editions (CC BY) and a public-domain
    folder holding an exact copy and a near copy of two articles."""
    wiki = wiki_texts()
    a, b = alice()
    write_jsonl(
        folder / "wiki" / "a.jsonl", [{"id": f"w{i}", "text": t} for i, t in enumerate(wiki[:12])]
    )
    write_jsonl(
        folder / "alice" / "a.jsonl", [{"id": "057320", "text": a}, {"id": "060551", "text": b}]
    )
    write_jsonl(
        folder / "pd" / "a.jsonl",
        [
            {"id": "copy-w0", "text": wiki[0]},
            {"id": "near-w1", "text": edit_characters(wiki[1], 0.01, random.Random(2))},
        ],
    )

    def source(name: str, lic: str) -> dict:
        return {
            "type": "jsonl",
            "name": name,
            "path": str(folder / name),
            "license": lic,
            "license_evidence": "test fixture",
            "attribution": name,
        }

    spec = {
        "name": "dedup-e2e",
        "output": str(folder / "out"),
        "sources": [
            source("wiki", "CC-BY-SA-3.0"),
            source("alice", "CC-BY-4.0"),
            source("pd", "CC0-1.0"),
        ],
        "stages": stages,
        "policy": "default",
    }
    path = folder / "pipeline.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), "utf-8")
    return path


@pytest.fixture(scope="module")
def release(tmp_path_factory, ray_cluster) -> Path:
    folder = tmp_path_factory.mktemp("dedup-e2e")
    pipeline = load_pipeline(pipeline_file(folder, [{"dedup": {}}]))
    return run_pipeline(pipeline, out=str(folder / "release"), progress=False)


def test_release_audits_and_accounts_for_every_duplicate(release):
    assert audit_release(release) == []
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["accounting"]["dropped"]["dedup"] == {"exact_duplicate": 1, "near_duplicate": 2}


def test_duplicates_name_their_kept_survivor_and_every_row_has_a_cluster(release):
    shards = pq.read_table(release / "shards")
    rejected = pq.read_table(release / "rejected")
    dups = rejected.filter(pc.equal(rejected["stage"], "dedup")).to_pylist()
    kept = dict(zip(shards["id"].to_pylist(), shards["source_id"].to_pylist(), strict=True))
    by_source_id = {d["source_id"]: d for d in dups}
    # public domain beats CC BY-SA for the same text; the longer Alice edition survives
    assert kept[by_source_id["w0"]["duplicate_of"]] == "copy-w0"
    assert by_source_id["w0"]["reason"] == "exact_duplicate"
    assert kept[by_source_id["w1"]["duplicate_of"]] == "near-w1"
    assert set(by_source_id) == {"w0", "w1", "060551"}
    assert shards["dedup_cluster_id"].null_count == 0
    sizes = dict(
        zip(shards["source_id"].to_pylist(), shards["dedup_cluster_size"].to_pylist(), strict=True)
    )
    assert sizes["copy-w0"] == sizes["057320"] == 2 and sizes["w5"] == 1


def test_the_release_keeps_its_dedup_index(release):
    folder, info = read_index(release)
    assert folder == release / "dedup"
    assert info.documents == 16 and info.minhash.num_perm == 128
    rows = pq.read_table(folder / "signatures")
    assert rows.num_rows == 16 and rows["duplicate_of"].null_count == 13


def test_against_an_earlier_release_is_validated_before_work_starts(tmp_path, release):
    stage = build_stage("dedup", {"against": [str(release)]})
    assert stage.params.against == [str(release)]
    with pytest.raises(ValueError, match="no dedup index"):
        build_stage("dedup", {"against": [str(tmp_path)]})
    with pytest.raises(ConfigError, match=r"stages\[0\]\.dedup\.against"):
        load_pipeline(pipeline_file(tmp_path, [{"dedup": {"against": [str(tmp_path / "nope")]}}]))


@pytest.mark.slow
def test_a_second_run_against_the_first_release_drops_everything_it_kept(tmp_path, release):
    spec = load_pipeline(pipeline_file(tmp_path, [{"dedup": {"against": [str(release)]}}]))
    out = run_pipeline(spec, out=str(tmp_path / "second"), progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["accounting"]["kept"] == 0
    assert sum(manifest["accounting"]["dropped"]["dedup"].values()) == 16
