"""A big compressed JSON Lines file on S3 (moto on loopback) is split and read in ranges.

Each task of a many-frame ``.jsonl.zst`` reads the object from its own frame on (a ranged
GET), and the documents are those of the same file on local disk.
"""

from __future__ import annotations

from pathlib import Path

from corpus import storage
from pipelines.config import parse_pipeline
from tests.sources.test_jsonl_split import _documents, pack_zstd_frames, write_jsonl

TASK = 128 * 1024


def _without_time(docs: list[tuple]) -> list[tuple]:
    return [(i, t, [kv for kv in m if kv[0] != "retrieved_at"]) for i, t, m in docs]


def test_a_zstd_file_on_s3_is_split_and_reads_as_on_disk(bucket: str, tmp_path: Path) -> None:
    plain = tmp_path / "plain.jsonl"
    write_jsonl(plain, 1024 * 1024)
    local = tmp_path / "tatoeba.jsonl.zst"
    local.write_bytes(pack_zstd_frames(plain.read_bytes(), 100_000))
    storage.put_file(local, f"{bucket}/ja/tatoeba.jsonl.zst")

    raw = {"name": "s3", "sources": [{"type": "jsonl", "path": f"{bucket}/ja", "task_bytes": TASK}]}
    (source,) = parse_pipeline(raw, base_dir=tmp_path).sources
    assert sum("frame" in task for task in source.plan()) >= 4  # read from a later frame on

    many, remote = _documents(tmp_path, f"{bucket}/ja", TASK)
    one, on_disk = _documents(tmp_path, local.name, 64 * 1024 * 1024)
    assert many >= 8 and one == 1
    assert _without_time(remote) == _without_time(on_disk)
