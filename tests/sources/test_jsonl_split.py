"""A big JSON Lines file is read as many tasks, and gives the same documents as one task.

The input is real text: Tatoeba's Japanese sentences (CC BY 2.0 FR), ten to a document,
with the bad lines a real dump has (a truncated last line, a line that is not UTF-8, a
line that is not an object, a line without text, blank lines, an id repeated far from
its first use).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from corpus.document import REJECTION_KEY
from pipelines.config import parse_pipeline
from pipelines.runner import run_pipeline
from tests.conftest import SHARED_DATA

TATOEBA = SHARED_DATA / "tatoeba" / "jpn-eng.manythings.shared.tsv"
SMALL_TASK = 256 * 1024


def _sentences() -> list[str]:
    lines = TATOEBA.read_text("utf-8").splitlines()
    return [line.split("\t")[1] for line in lines if "\t" in line]


def write_jsonl(path: Path, target_bytes: int) -> None:
    """Documents of ten consecutive Tatoeba sentences until ``target_bytes``, bad lines among them."""
    sentences = _sentences()
    out: list[bytes] = []
    size, i, n = 0, 0, 0
    while size < target_bytes:
        text = "".join(sentences[(i + k) % len(sentences)] for k in range(10))
        doc = {"id": f"tatoeba-{n}", "text": text, "url": f"https://tatoeba.org/#{n}"}
        if n % 97 == 5:
            del doc["id"]  # located by file and line instead
        line = json.dumps(doc, ensure_ascii=False).encode() + b"\n"
        out.append(line)
        size += len(line)
        i += 7
        n += 1
    q = len(out) // 4
    out.insert(q, b"\n")
    out.insert(q + 1, b'{"id": "bad-utf8", "text": "\xff\xfe"}\n')
    out.insert(2 * q, b'["not", "an", "object"]\n')
    out.insert(2 * q + 1, b'{"id": "no-text", "url": "https://tatoeba.org/"}\n')
    out.insert(3 * q, b'{"id": "tatoeba-3", "text": "\xe5\x90\x8c\xe3\x81\x98id"}\n')  # "同じid"
    out.append(b'{"id": "cut-off", "text": "\xe9\x80\x94\xe4\xb8\xad')  # truncated last line
    path.write_bytes(b"".join(out))


def _documents(pipeline_dir: Path, path: str, task_bytes: int) -> tuple[int, list[tuple]]:
    raw = {
        "name": "split",
        "sources": [
            {"type": "jsonl", "path": path, "license": "CC-BY-2.0", "task_bytes": task_bytes}
        ],
    }
    (source,) = parse_pipeline(raw, base_dir=pipeline_dir).sources
    plan = source.plan()
    docs = [d for task in plan for d in source.read(task)]
    return len(plan), [(d.id, d.text, sorted(d.metadata.items())) for d in docs]


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("split") / "tatoeba.jsonl"
    write_jsonl(path, 3 * 1024 * 1024)
    return path


def test_split_reads_the_same_documents_as_one_task(big_jsonl: Path) -> None:
    one, whole = _documents(big_jsonl.parent, big_jsonl.name, 64 * 1024 * 1024)
    many, split = _documents(big_jsonl.parent, big_jsonl.name, SMALL_TASK)
    assert one == 1 and many >= 8
    assert split == whole
    reasons = {}
    for _, _, meta in whole:
        meta = dict(meta)
        if meta.get(REJECTION_KEY):
            reasons[meta["source_id"]] = (meta[REJECTION_KEY][1], meta.get("reject_detail", ""))
    assert reasons["tatoeba-3"][0] == "duplicate_id"
    assert "already on line 4" in reasons["tatoeba-3"][1]
    by_reason = sorted(r for r, _ in reasons.values())
    assert by_reason == [
        "duplicate_id",
        "invalid_utf8",
        "malformed_jsonl",
        "malformed_jsonl",
        "missing_text",
    ]
    lines = big_jsonl.read_bytes().count(b"\n") + 1
    assert len(whole) == lines - 1  # every line but the blank one is a document


def test_split_gzip_and_file_url_read_the_same(big_jsonl: Path, tmp_path: Path) -> None:
    gz = tmp_path / "tatoeba.jsonl.gz"
    gz.write_bytes(gzip.compress(big_jsonl.read_bytes(), mtime=0))
    os.utime(gz, (0, 0))
    one, whole = _documents(tmp_path, gz.name, 64 * 1024 * 1024)
    many, split = _documents(tmp_path, f"file://{gz}", SMALL_TASK)
    assert one == 1 and many >= 8
    assert split == whole


def _rows(release: Path, folder: str) -> list[dict]:
    table = pq.read_table(release / folder)
    return sorted(table.to_pylist(), key=lambda r: (r["id"], r.get("stage", "")))


def test_runner_on_ray_gives_the_same_release_for_any_split(big_jsonl: Path, tmp_path: Path):
    releases = {}
    for task_bytes in (SMALL_TASK, 64 * 1024 * 1024):
        raw = {
            "name": "split",
            "output": str(tmp_path / f"out-{task_bytes}"),
            "sources": [
                {
                    "type": "jsonl",
                    "path": str(big_jsonl),
                    "license": "CC-BY-2.0",
                    "attribution": "Tatoeba (https://tatoeba.org), via manythings.org",
                    "task_bytes": task_bytes,
                }
            ],
            "stages": [{"langid": {}}, {"dedup": {}}],
        }
        pipeline = parse_pipeline(raw, base_dir=tmp_path)
        releases[task_bytes] = run_pipeline(pipeline, progress=False, num_cpus=2)
    small, whole = (json.loads((r / "manifest.json").read_text()) for r in releases.values())
    assert small["run"]["tasks"] >= 8 and whole["run"]["tasks"] == 1
    assert small["accounting"] == whole["accounting"]
    assert small["licenses"] == whole["licenses"]
    lines = big_jsonl.read_bytes().count(b"\n") + 1
    assert small["accounting"]["input"] == lines - 1
    for folder in ("shards", "rejected"):
        assert _rows(releases[SMALL_TASK], folder) == _rows(releases[64 * 1024 * 1024], folder)
    for release in releases.values():
        shutil.rmtree(release)


def test_no_document_is_lost_when_a_cut_falls_in_a_long_line(tmp_path: Path) -> None:
    """Ranges are cut only between lines: a line longer than a task is read whole by one."""
    long_text = "".join(_sentences()[:3000])  # about 60 KB
    lines = [
        json.dumps({"id": f"d{i}", "text": long_text[i:]}, ensure_ascii=False) for i in range(6)
    ]
    path = tmp_path / "long.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    n, docs = _documents(tmp_path, path.name, 16 * 1024)
    assert n == 6
    assert [d[1] for d in docs] == [long_text[i:] for i in range(6)]
    assert not any(dict(meta).get(REJECTION_KEY) for _, _, meta in docs)
