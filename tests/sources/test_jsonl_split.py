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
import struct
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import zstandard

from corpus.document import REJECTION_KEY, rejection
from corpus.ray_runtime import ray_session
from pipelines.config import parse_pipeline
from pipelines.runner import run_pipeline
from pipelines.sources.files import CorruptCompressedFile
from pipelines.sources.zstd import FRAME_SPACING
from pipelines.steps import SourceReader
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


def pack_zstd_frames(data: bytes, frame_bytes: int) -> bytes:
    """``data`` as independent Zstandard frames of ``frame_bytes`` (cut anywhere, as pzstd
    cuts), with a skippable frame after the first, as the seekable format writes them."""
    frames = [
        zstandard.ZstdCompressor().compress(data[i : i + frame_bytes])
        for i in range(0, len(data), frame_bytes)
    ]
    skippable = struct.pack("<II", 0x184D2A5E, 8) + b"seektabl"
    return frames[0] + skippable + b"".join(frames[1:])


@pytest.mark.parametrize("frame_bytes", [None, 200_000])
def test_split_zstd_reads_the_same_documents_as_one_task(
    big_jsonl: Path, tmp_path: Path, frame_bytes: int | None
) -> None:
    data = big_jsonl.read_bytes()
    zst = tmp_path / "tatoeba.jsonl.zst"
    packed = pack_zstd_frames(data, frame_bytes) if frame_bytes else zstandard.compress(data)
    zst.write_bytes(packed)
    one, whole = _documents(tmp_path, zst.name, 64 * 1024 * 1024)
    many, split = _documents(tmp_path, f"file://{zst}", SMALL_TASK)
    assert one == 1 and many >= 8
    assert split == whole
    _, plain = _documents(big_jsonl.parent, big_jsonl.name, 64 * 1024 * 1024)
    assert [d[1] for d in whole] == [d[1] for d in plain]  # ids of id-less lines name the file


def test_a_task_decompresses_from_the_frame_its_range_starts_in(big_jsonl: Path, tmp_path: Path):
    """Ranges of a many-frame file start in their own frames: the bytes before a task's
    frame are never read (here they are overwritten after planning, and the task's
    documents do not change)."""
    zst = tmp_path / "tatoeba.jsonl.zst"
    zst.write_bytes(pack_zstd_frames(big_jsonl.read_bytes(), 200_000))
    raw = {"name": "x", "sources": [{"type": "jsonl", "path": str(zst), "task_bytes": SMALL_TASK}]}
    (source,) = parse_pipeline(raw, base_dir=tmp_path).sources
    plan = source.plan()
    late = [t for t in plan if "frame" in t]
    assert len(late) >= len(plan) // 2
    for task in late:
        compressed, decompressed = task["frame"]
        assert 0 < task["start"] - decompressed < FRAME_SPACING + 200_000
    before = [list(source.read(t)) for t in late]
    stat = zst.stat()
    with zst.open("r+b") as f:  # the first frames become garbage
        f.write(b"\0" * late[0]["frame"][0])
    os.utime(zst, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert [list(source.read(t)) for t in late] == before
    with pytest.raises(CorruptCompressedFile):
        list(source.read(plan[0]))


def _rows(release: Path, folder: str) -> list[dict]:
    table = pq.read_table(release / folder)
    return sorted(table.to_pylist(), key=lambda r: (r["id"], r.get("stage", "")))


def _same_release_whatever_the_split(
    path: Path, out: Path, task_sizes: tuple[int, int], stages: list[dict]
) -> dict:
    """Run ``path`` on Ray (2 CPUs) with many and with one task; the releases must match."""
    releases = {}
    with ray_session(num_cpus=2):
        for task_bytes in task_sizes:
            raw = {
                "name": "split",
                "output": str(out / f"out-{task_bytes}"),
                "sources": [
                    {
                        "type": "jsonl",
                        "path": str(path),
                        "license": "CC-BY-2.0",
                        "license_evidence": "Tatoeba sentences are CC BY 2.0 FR (tatoeba.org)",
                        "attribution": "Tatoeba (https://tatoeba.org), via manythings.org",
                        "task_bytes": task_bytes,
                    }
                ],
                "stages": stages,
            }
            pipeline = parse_pipeline(raw, base_dir=out)
            releases[task_bytes] = run_pipeline(pipeline, progress=False)
    many, one = (json.loads((releases[t] / "manifest.json").read_text()) for t in task_sizes)
    assert many["run"]["tasks"] >= 8 and one["run"]["tasks"] == 1
    assert many["accounting"] == one["accounting"]
    assert many["licenses"] == one["licenses"]
    for folder in ("shards", "rejected"):
        assert _rows(releases[task_sizes[0]], folder) == _rows(releases[task_sizes[1]], folder)
    # shards are rewritten in task order, so even their bytes do not depend on the split
    assert [(s["sha256"], s["rows"]) for s in many["shards"]] == [
        (s["sha256"], s["rows"]) for s in one["shards"]
    ]
    for release in releases.values():
        shutil.rmtree(release)
    return many


def test_runner_on_ray_gives_the_same_release_for_any_split(tmp_path: Path):
    path = tmp_path / "tatoeba.jsonl"
    write_jsonl(path, 1536 * 1024)
    manifest = _same_release_whatever_the_split(
        path, tmp_path, (128 * 1024, 64 * 1024 * 1024), [{"langid": {}}]
    )
    lines = path.read_bytes().count(b"\n") + 1
    assert manifest["accounting"]["input"] == lines - 1
    assert manifest["accounting"]["kept"] > 0.9 * manifest["accounting"]["input"]


@pytest.mark.slow
def test_runner_on_ray_gives_the_same_release_for_any_split_of_a_zstd_file(tmp_path: Path):
    plain = tmp_path / "plain.jsonl"
    write_jsonl(plain, 1536 * 1024)
    path = tmp_path / "tatoeba.jsonl.zst"
    path.write_bytes(pack_zstd_frames(plain.read_bytes(), 200_000))
    manifest = _same_release_whatever_the_split(
        path, tmp_path, (128 * 1024, 64 * 1024 * 1024), [{"langid": {}}]
    )
    lines = plain.read_bytes().count(b"\n") + 1
    assert manifest["accounting"]["input"] == lines - 1


@pytest.mark.slow
def test_a_200mb_file_on_ray_gives_the_same_release_as_one_task(tmp_path: Path):
    path = tmp_path / "tatoeba.jsonl"
    write_jsonl(path, 200 * 1024 * 1024)
    manifest = _same_release_whatever_the_split(
        path, tmp_path, (24 * 1024 * 1024, 256 * 1024 * 1024), [{"langid": {}}, {"dedup": {}}]
    )
    assert manifest["accounting"]["input"] == path.read_bytes().count(b"\n")


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


def test_a_file_on_another_filesystem_is_split_and_read_through_fsspec(big_jsonl: Path):
    """The same bytes behind a ``memory://`` URL (any fsspec store) read as the local file."""
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe("/bigin-test/ja/tatoeba.jsonl", big_jsonl.read_bytes())
    try:
        many, remote = _documents(big_jsonl.parent, "memory://bigin-test/ja", SMALL_TASK)
    finally:
        fs.rm("/bigin-test", recursive=True)
    one, local = _documents(big_jsonl.parent, big_jsonl.name, 64 * 1024 * 1024)
    assert many >= 8

    def without_time(docs):
        return [(i, t, [kv for kv in m if kv[0] != "retrieved_at"]) for i, t, m in docs]

    assert without_time(remote) == without_time(local)


def test_a_file_cut_short_after_planning_is_recorded_not_lost(big_jsonl: Path, tmp_path: Path):
    path = tmp_path / "changing.jsonl"
    path.write_bytes(big_jsonl.read_bytes())
    raw = {"name": "x", "sources": [{"type": "jsonl", "path": str(path), "task_bytes": SMALL_TASK}]}
    (source,) = parse_pipeline(raw, base_dir=tmp_path).sources
    plan = [(source, task) for task in source.plan()]
    with path.open("r+b") as f:
        f.truncate(plan[-1][1]["end"] - 1000)
    docs = list(SourceReader(plan).run(rank=len(plan) - 1))
    assert rejection(docs[-1]) == ("read", "input_changed")
    assert "changed after planning" in docs[-1].metadata["reject_detail"]
