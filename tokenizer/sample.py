"""Drawing a bounded training sample from a release's shards, in parallel on Ray.

Two passes over the shards, one Ray task per row-group range:

1. *measure*: characters of the documents that may be trained on, and of the
   held-out ones (a hash of the document id decides, so the split does not depend
   on sharding or on the sample size);
2. *draw*: each task keeps every training line whose hash falls under the rate
   that fills ``max_chars`` and stops at its share of that bound, and returns its
   lines; the driver writes them to one local file per task (SentencePiece reads
   the files as they are). Held-out documents go to a separate file for
   evaluation; with pre-segmentation the task also counts SudachiPy words.

Shards are read where they are (a local path or an fsspec URL such as
``s3://bucket/jp/corpus``), so the tasks may run on any node of a cluster; only the
driver's disk holds the sample. Memory stays bounded: no task holds more than one
row group and its share of the sample, and the driver holds the sample's bound.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from corpus import storage
from manifests.release import SHARDS, read_manifest
from tokenizer.segment import SplitModeName, word_spans
from tokenizer.settings import MAX_SENTENCE_CHARS, SampleSpec

ROW_GROUPS_PER_TASK = 4
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


def unit_hash(key: str) -> float:
    """A stable number in [0, 1) for ``key``.

    >>> unit_hash("doc-1") == unit_hash("doc-1")
    True
    >>> 0.0 <= unit_hash("doc-2") < 1.0
    True
    """
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def is_held_out(doc_id: str, spec: SampleSpec) -> bool:
    return spec.holdout > 0 and unit_hash(f"holdout:{spec.seed}:{doc_id}") < spec.holdout


def training_lines(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> Iterator[str]:
    """The non-blank lines of ``text``; a line longer than ``max_chars`` is cut after
    sentence ends (or, failing that, every ``max_chars`` characters).

    >>> list(training_lines("吾輩は猫である。\\n\\n　名前はまだ無い。"))
    ['吾輩は猫である。', '\\u3000名前はまだ無い。']
    >>> list(training_lines("一文目。二文目。三文目。", max_chars=5))
    ['一文目。', '二文目。', '三文目。']
    """
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if len(line) <= max_chars:
            yield line
            continue
        buf = ""
        for sentence in _SENTENCE_END.split(line):
            while len(sentence) > max_chars:
                if buf:
                    yield buf
                    buf = ""
                yield sentence[:max_chars]
                sentence = sentence[max_chars:]
            if len(buf) + len(sentence) > max_chars and buf:
                yield buf
                buf = ""
            buf += sentence
        if buf.strip():
            yield buf


@dataclass(frozen=True)
class ShardPart:
    """A range of row groups of one shard: the unit of work of one Ray task."""

    path: str
    row_groups: tuple[int, ...]
    index: int


PROCESS_LOCAL = ("memory",)
"""fsspec protocols whose files live only in the driver's process: Ray workers cannot
read them, so their shards are copied to the driver's disk first."""


def shard_paths(release: str) -> list[str]:
    """The release's shard files (paths or URLs), in manifest order.

    A shard path in the manifest must stay inside the release
    (:func:`corpus.storage.safe_relpath`); one that does not raises ``UnsafePath``.
    """
    release = str(release)
    manifest = read_manifest(release)
    paths = [storage.join(release, s["path"]) for s in manifest.get("shards", [])]
    if not paths:
        folder = storage.join(release, SHARDS)
        names = [n for n in storage.listdir(folder) if n.endswith(".parquet")]
        paths = [storage.join(folder, n) for n in names]
    return paths


def readable_by_workers(paths: list[str], stage_dir: str | Path) -> list[str]:
    """``paths`` as Ray workers can read them: files of a process-local filesystem
    (``memory://``) are copied under ``stage_dir``; other paths and URLs are kept."""
    out = []
    for i, path in enumerate(paths):
        if storage.protocol(path) in PROCESS_LOCAL:
            local = Path(stage_dir) / f"{i:05d}-{os.path.basename(path)}"
            storage.get_file(path, local)
            path = str(local)
        out.append(path)
    return out


def plan_parts(paths: list[str], row_groups_per_task: int = ROW_GROUPS_PER_TASK) -> list[ShardPart]:
    """Ray tasks for the shards ``paths``: ranges of ``row_groups_per_task`` row groups."""
    parts: list[ShardPart] = []
    for path in paths:
        with storage.open_read(path) as f:
            n = pq.ParquetFile(f).num_row_groups
        for start in range(0, n, row_groups_per_task):
            groups = tuple(range(start, min(n, start + row_groups_per_task)))
            parts.append(ShardPart(str(path), groups, len(parts)))
    return parts


def _rows(part: ShardPart) -> Iterator[dict[str, Any]]:
    with storage.open_read(part.path) as f:
        pf = pq.ParquetFile(f)
        for rg in part.row_groups:
            table = pf.read_row_group(rg, columns=["id", "text", "source", "license"])
            yield from table.to_pylist()


@dataclass
class PartMeasure:
    train_chars: int = 0
    train_docs: int = 0
    heldout_chars: int = 0
    heldout_docs: int = 0


def measure_part(part: ShardPart, spec: SampleSpec) -> PartMeasure:
    m = PartMeasure()
    for row in _rows(part):
        n = len(row["text"])
        if is_held_out(row["id"], spec):
            m.heldout_chars += n
            m.heldout_docs += 1
        else:
            m.train_chars += n
            m.train_docs += 1
    return m


@dataclass
class PartSample:
    """What one draw task drew and counted: its lines (UTF-8, one per line) and its
    held-out documents (gzipped JSON lines); the driver writes them to its own disk."""

    index: int
    lines_data: bytes = b""
    heldout_data: bytes | None = None
    lines: int = 0
    chars: int = 0
    docs: int = 0
    heldout_docs: int = 0
    heldout_chars: int = 0
    by_source: Counter = field(default_factory=Counter)
    by_license: Counter = field(default_factory=Counter)
    docs_by_license: Counter = field(default_factory=Counter)
    words: Counter | None = None


def draw_part(
    part: ShardPart,
    spec: SampleSpec,
    rate: float,
    quota: int,
    heldout_quota: int,
    presegment: SplitModeName | None = None,
) -> PartSample:
    """This part's sampled lines (and held-out documents), and what they hold."""
    out = PartSample(part.index)
    words: Counter | None = Counter() if presegment else None
    lines_buf, held_buf = io.StringIO(), io.BytesIO()
    with _maybe_gzip(held_buf if heldout_quota > 0 else None) as held:
        for row in _rows(part):
            doc_id, text = row["id"], row["text"]
            if is_held_out(doc_id, spec):
                if held is not None and out.heldout_chars < heldout_quota:
                    record = {"id": doc_id, "source": row["source"], "text": text}
                    held.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
                    out.heldout_docs += 1
                    out.heldout_chars += len(text)
                continue
            if out.chars >= quota:
                continue
            taken = 0
            for i, line in enumerate(training_lines(text)):
                if rate < 1.0 and unit_hash(f"line:{spec.seed}:{doc_id}:{i}") >= rate:
                    continue
                if out.chars + len(line) > quota:
                    break
                lines_buf.write(line + "\n")
                out.lines += 1
                out.chars += len(line)
                taken += len(line)
                if words is not None:
                    words.update(line[b:e] for b, e in word_spans(line, presegment))
            if taken:
                out.docs += 1
                out.by_source[row["source"]] += taken
                out.by_license[row["license"]] += taken
                out.docs_by_license[row["license"]] += 1
    out.lines_data = lines_buf.getvalue().encode("utf-8")
    out.heldout_data = held_buf.getvalue() if heldout_quota > 0 else None
    out.words = words
    return out


class _NoFile:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _maybe_gzip(buffer: io.BytesIO | None):
    return gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) if buffer is not None else _NoFile()


def _write_part(result: PartSample, work_dir: str) -> tuple[str | None, str | None]:
    """The part's lines and held-out documents as files under ``work_dir`` (None: nothing)."""
    lines_path = heldout_path = None
    if result.lines:
        lines_path = os.path.join(work_dir, f"lines-{result.index:05d}.txt")
        Path(lines_path).write_bytes(result.lines_data)
    if result.heldout_data is not None and result.heldout_docs:
        heldout_path = os.path.join(work_dir, f"heldout-{result.index:05d}.jsonl.gz")
        Path(heldout_path).write_bytes(result.heldout_data)
    result.lines_data, result.heldout_data = b"", None  # written: no need to hold them
    return lines_path, heldout_path


@dataclass
class Sample:
    """The training sample of one run: files for SentencePiece plus what they hold."""

    line_files: list[str]
    heldout_files: list[str]
    release_train_chars: int
    rate: float
    lines: int
    chars: int
    docs: int
    heldout_docs: int
    heldout_chars: int
    by_source: dict[str, int]
    by_license: dict[str, int]
    docs_by_license: dict[str, int]
    words: Counter | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "release_train_chars": self.release_train_chars,
            "rate": round(self.rate, 6),
            "lines": self.lines,
            "chars": self.chars,
            "docs": self.docs,
            "heldout_docs": self.heldout_docs,
            "heldout_chars": self.heldout_chars,
            "chars_by_source": dict(sorted(self.by_source.items())),
            "chars_by_license": dict(sorted(self.by_license.items())),
            "docs_by_license": dict(sorted(self.docs_by_license.items())),
            "distinct_words": len(self.words) if self.words is not None else None,
        }


def draw_sample(
    parts: list[ShardPart],
    spec: SampleSpec,
    work_dir: str | Path,
    presegment: SplitModeName | None = None,
    release: str = "release",
) -> Sample:
    """Draw the bounded sample of ``parts`` with one Ray task per part (Ray must be
    initialised); the sample's files are written under the local ``work_dir``."""
    import ray

    work_dir = str(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    if not parts:
        raise ValueError(f"{release}: the release has no shards to train on")
    measure = ray.remote(num_cpus=1)(measure_part)
    draw = ray.remote(num_cpus=1)(draw_part)
    measures: list[PartMeasure] = ray.get([measure.remote(p, spec) for p in parts])
    train_chars = sum(m.train_chars for m in measures)
    heldout_chars = sum(m.heldout_chars for m in measures)
    if train_chars == 0:
        raise ValueError(f"{release}: no training text (all documents held out or empty)")
    rate = min(1.0, spec.max_chars / train_chars)
    futures = []
    for p, m in zip(parts, measures, strict=True):
        quota = -(-spec.max_chars * m.train_chars // train_chars)  # ceiling
        quota = min(quota, spec.max_chars)
        hq = -(-spec.holdout_max_chars * m.heldout_chars // heldout_chars) if heldout_chars else 0
        futures.append(draw.remote(p, spec, rate, quota, hq, presegment))
    results: list[PartSample] = []
    files: dict[int, tuple[str | None, str | None]] = {}
    pending = futures
    while pending:  # write each part as it arrives: the driver holds one part's lines
        done, pending = ray.wait(pending, num_returns=1)
        result = ray.get(done[0])
        files[result.index] = _write_part(result, work_dir)
        results.append(result)
    results.sort(key=lambda r: r.index)
    return _combine(results, [files[r.index] for r in results], train_chars, rate, presegment)


def _combine(
    results: list[PartSample],
    files: list[tuple[str | None, str | None]],
    train_chars: int,
    rate: float,
    presegment: SplitModeName | None,
) -> Sample:
    with_words = presegment is not None
    by_source: Counter = Counter()
    by_license: Counter = Counter()
    docs_by_license: Counter = Counter()
    words: Counter | None = Counter() if with_words else None
    for r in results:
        by_source.update(r.by_source)
        by_license.update(r.by_license)
        docs_by_license.update(r.docs_by_license)
        if words is not None and r.words:
            words.update(r.words)
    return Sample(
        line_files=[lines for lines, _ in files if lines],
        heldout_files=[held for _, held in files if held],
        release_train_chars=train_chars,
        rate=rate,
        lines=sum(r.lines for r in results),
        chars=sum(r.chars for r in results),
        docs=sum(r.docs for r in results),
        heldout_docs=sum(r.heldout_docs for r in results),
        heldout_chars=sum(r.heldout_chars for r in results),
        by_source=dict(by_source),
        by_license=dict(by_license),
        docs_by_license=dict(docs_by_license),
        words=words,
    )
