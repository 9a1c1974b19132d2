"""Relative paths resolve on the driver before anything ships; a task that cannot
find the input the plan named fails instead of counting "0 kept"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from corpus import storage
from pipelines.config import load_pipeline
from pipelines.steps import SegmentReader, SourceReader

DOCS = [
    {"id": "a", "text": "吾輩は猫である。名前はまだ無い。", "license": "CC0-1.0"},
    {"id": "b", "text": "どこで生れたかとんと見当がつかぬ。", "license": "CC0-1.0"},
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """tmp/pipes/p.yaml reading data/docs.jsonl relative to itself; cwd = tmp."""
    pipes = tmp_path / "pipes"
    (pipes / "data").mkdir(parents=True)
    (pipes / "data" / "docs.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DOCS), "utf-8"
    )
    spec = {
        "name": "rel",
        "output": "out/rel",
        "sources": [
            {"type": "jsonl", "name": "docs", "path": "data/docs.jsonl", "license": "CC0-1.0"}
        ],
        "stages": [],
    }
    (pipes / "p.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_inputs_resolve_against_the_pipeline_file_output_against_the_cwd(
    project: Path, monkeypatch
) -> None:
    pipeline = load_pipeline("pipes/p.yaml")  # a relative pipeline path
    plan = [(s, t) for s in pipeline.sources for t in s.plan()]
    assert plan[0][1]["file"] == str(project / "pipes" / "data" / "docs.jsonl")
    assert storage.resolve(pipeline.output) == str(project / "out" / "rel")
    # a worker runs in another folder: the shipped plan still reads the same file
    elsewhere = project / "worker-cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    docs = list(SourceReader(plan).run(rank=0))
    assert [d.text for d in docs] == [d["text"] for d in DOCS]


def test_a_missing_planned_input_fails_the_task(project: Path) -> None:
    pipeline = load_pipeline("pipes/p.yaml")
    plan = [(s, t) for s in pipeline.sources for t in s.plan()]
    (project / "pipes" / "data" / "docs.jsonl").unlink()  # not where the plan said
    with pytest.raises(FileNotFoundError, match="input named by the plan .*docs.jsonl"):
        list(SourceReader(plan).run(rank=0))


def test_a_missing_earlier_shard_fails_the_task(tmp_path: Path) -> None:
    # rank 3 kept nothing in the earlier segment: no file, no documents
    assert list(SegmentReader(str(tmp_path), expected=[0]).run(rank=3)) == []
    # rank 0 reported a shard: not finding it is an error, not an empty task
    with pytest.raises(FileNotFoundError, match="part-00000.parquet"):
        list(SegmentReader(str(tmp_path), expected=[0]).run(rank=0))
