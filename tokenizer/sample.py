"""Drawing a bounded training sample from a release's shards, in parallel on Ray.

Two passes over the shards, one Ray task per row-group range:

1. *measure*: characters of the documents that may be trained on, and of the
   held-out ones (a hash of the document id decides, so the split does not depend
   on sharding or on the sample size);
2. *draw*: each task keeps every training line whose hash falls under the rate
   that fills ``max_chars`` and stops at its share of that bound, writing its lines
   to its own file (SentencePiece reads the files as they are). Held-out documents
   go to a separate file for evaluation; with pre-segmentation the task also counts
   SudachiPy words.

Memory stays bounded: no task holds more than one row group, and the driver only
adds up small statistics (and, with pre-segmentation, word counts).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

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


def shard_paths(release: str | Path) -> list[Path]:
    """The release's shard files, in manifest order."""
    release = Path(release)
    manifest = read_manifest(release)
    paths = [release / s["path"] for s in manifest.get("shards", [])]
    if not paths:
        paths = sorted((release / SHARDS).glob("*.parquet"))
    return paths


def plan_parts(
    release: str | Path, row_groups_per_task: int = ROW_GROUPS_PER_TASK
) -> list[ShardPart]:
    parts: list[ShardPart] = []
    for path in shard_paths(release):
        n = pq.ParquetFile(path).num_row_groups
        for start in range(0, n, row_groups_per_task):
            groups = tuple(range(start, min(n, start + row_groups_per_task)))
            parts.append(ShardPart(str(path), groups, len(parts)))
    return parts


def _rows(part: ShardPart) -> Iterator[dict[str, Any]]:
    pf = pq.ParquetFile(part.path)
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
    """What one draw task wrote and counted."""

    lines_path: str
    heldout_path: str | None
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
    work_dir: str,
    presegment: SplitModeName | None = None,
) -> PartSample:
    """Write this part's sampled lines (and held-out documents) under ``work_dir``."""
    lines_path = os.path.join(work_dir, f"lines-{part.index:05d}.txt")
    heldout_path = os.path.join(work_dir, f"heldout-{part.index:05d}.jsonl.gz")
    out = PartSample(lines_path, heldout_path if heldout_quota > 0 else None)
    words: Counter | None = Counter() if presegment else None
    with open(lines_path, "w", encoding="utf-8") as f, _maybe_gzip(out.heldout_path) as held:
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
                f.write(line + "\n")
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
    out.words = words
    return out


class _NoFile:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _maybe_gzip(path: str | None):
    return gzip.open(path, "wb") if path else _NoFile()


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
    release: str | Path,
    spec: SampleSpec,
    work_dir: str | Path,
    presegment: SplitModeName | None = None,
) -> Sample:
    """Draw the bounded sample with one Ray task per part (Ray must be initialised)."""
    import ray

    work_dir = str(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    parts = plan_parts(release)
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
        futures.append(draw.remote(p, spec, rate, quota, hq, work_dir, presegment))
    results: list[PartSample] = ray.get(futures)
    return _combine(results, train_chars, rate, presegment is not None)


def _combine(results: list[PartSample], train_chars: int, rate: float, with_words: bool) -> Sample:
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
        line_files=[r.lines_path for r in results if r.lines],
        heldout_files=[r.heldout_path for r in results if r.heldout_path and r.heldout_docs],
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
