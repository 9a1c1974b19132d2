"""A dedup job over Parquet files: exact and MinHash near-duplicates, clustered on Ray.

Steps (each a set of independent tasks; data moves through files in ``work/``, and
every shuffle is a file per (producer, partition) pair, so no task ever reads more
than one partition):

1. **sign** — per input file: normalize, exact hash, MinHash signature (vectorized),
   band keys. Writes the file's signatures (``sig/<file>.npy``, read back by row),
   band records and node records partitioned by key.
2. **bucket** — per partition of band keys: documents sharing a band key are
   candidates, paired with the key's first member; **verify** — per partition of
   candidate pairs (so a pair found in several bands is checked once): estimated
   Jaccard, and the exact Jaccard of the shingle sets where the estimate is too close
   to the threshold to call. Pairs that pass are the graph's edges.
3. **components** — alternating large-star / small-star rounds
   (:mod:`corpus.dedup.components`), two shuffles per round, until the edge set
   stops changing.
4. **label** — per node partition: each clustered node gets its component's label
   and is joined to its node record (license, length, id).
5. **cluster** — per label partition: the keep policy picks the survivor; every
   member gets cluster id (the survivor's id), size and, for the others, the
   duplicate's reason.
6. **finalize** — per input file: the decisions of its documents
   (``decisions/part-<rank>.parquet``) and its part of the persisted index.

Nodes are ``file << 32 | row``; documents of earlier releases (``against``) are
files after the current ones and always win their cluster.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

from corpus import storage
from corpus.dedup import components as cc
from corpus.dedup.index import (
    SIGNATURES,
    check_compatible,
    index_schema,
    read_index,
    write_index_info,
)
from corpus.dedup.keep import KeepPolicy
from corpus.dedup.lsh import DEFAULT_THRESHOLD, Banding, band_keys
from corpus.dedup.minhash import (
    MinHashScheme,
    ShingleBatch,
    SignatureComputer,
    batch_shingle_hashes,
    fmix64,
)
from corpus.dedup.normalize import EXACT_HASH_BYTES, exact_hash, normalize_for_dedup
from corpus.dedup.tasks import TaskRunner, peak_rss_mb

EXACT = "exact_duplicate"
NEAR = "near_duplicate"
DECISIONS = "decisions"

_CURRENT, _EARLIER = 1, 0
_ROW_BITS = 32
_SALT = np.uint64(0x2545F4914F6CDD1D)

BAND_RECORD = np.dtype([("band", "<u2"), ("key", "<u8"), ("idkey", "<u8"), ("node", "<i8")])

NODE_SCHEMA = pa.schema(
    [
        ("node", pa.int64()),
        ("id", pa.string()),
        ("klass", pa.int8()),
        ("license_rank", pa.int16()),
        ("length", pa.int64()),
        ("exact_hash", pa.binary(EXACT_HASH_BYTES)),
    ]
)

DECISION_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("dedup_cluster_id", pa.string()),
        ("dedup_cluster_size", pa.int32()),
        ("duplicate_of", pa.string()),
        ("reason", pa.string()),
        ("earlier_release", pa.bool_()),
    ]
)


Verify = Literal["none", "estimate", "exact"]
"""How candidate pairs are checked: not at all, by estimated Jaccard (signature
agreement), or by estimated Jaccard with the exact Jaccard of the two shingle sets
computed wherever the estimate is within 5 standard errors of the threshold."""


class DedupConfig(BaseModel):
    """Everything a dedup job needs to know (validated from the stage's parameters)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minhash: MinHashScheme = MinHashScheme()
    banding: Banding
    threshold: float = Field(DEFAULT_THRESHOLD, gt=0.0, le=1.0)
    near: bool = True
    verify: Verify = "exact"
    keep: KeepPolicy = KeepPolicy()
    partitions: int = Field(4, ge=1, le=4096)
    batch_docs: int = Field(256, ge=1)
    flush_records: int = Field(2_000_000, ge=1000)


@dataclass(frozen=True)
class InputFile:
    """One Parquet file of the job: a segment part (current) or an earlier index part."""

    index: int
    path: str
    rank: int
    earlier: bool = False


def rank_of(path: str, default: int) -> int:
    """The task rank in a ``part-<rank>.parquet`` name.

    >>> rank_of("/x/part-00012.parquet", 0), rank_of("/x/other.parquet", 7)
    (12, 7)
    """
    match = re.search(r"part-(\d+)\.parquet$", path)
    return int(match.group(1)) if match else default


def partition_of(keys: np.ndarray, partitions: int) -> np.ndarray:
    """Partition of each uint64/int64 key (a hash of the key modulo ``partitions``)."""
    mixed = fmix64(keys.astype(np.uint64) ^ _SALT)
    return (mixed % np.uint64(partitions)).astype(np.int64)


def id_key(doc_id: str) -> int:
    """64-bit key of a document id: orders bucket members the same way in every run."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode(), digest_size=8).digest(), "little")


# ---------------------------------------------------------------- files of the job


class JobFiles:
    """Names of the job's intermediate files under ``work``."""

    def __init__(self, work: str | Path) -> None:
        self.work = Path(work)

    def sig(self, f: int) -> Path:
        return self.work / "sig" / f"{f:05d}.npy"

    def shingles(self, f: int) -> tuple[Path, Path]:
        """Shingle hashes of each document, concatenated (values, offsets)."""
        return self.work / "shingles" / f"{f:05d}.u32", self.work / "shingles" / f"{f:05d}.off.npy"

    def docs(self, f: int) -> Path:
        return self.work / "docs" / f"{f:05d}.parquet"

    def bands(self, f: int, chunk: int, p: int) -> Path:
        return self.work / "bands" / f"{f:05d}.{chunk:03d}-{p:04d}.npy"

    def bands_of(self, p: int) -> list[Path]:
        return sorted((self.work / "bands").glob(f"*-{p:04d}.npy"))

    def nodes(self, f: int, chunk: int, p: int) -> Path:
        return self.work / "nodes" / f"{f:05d}.{chunk:03d}-{p:04d}.parquet"

    def nodes_of(self, p: int) -> list[Path]:
        return sorted((self.work / "nodes").glob(f"*-{p:04d}.parquet"))

    def candidates(self, src: int, dst: int) -> Path:
        return self.work / "candidates" / f"{src:04d}-{dst:04d}.npy"

    def candidates_of(self, dst: int) -> list[Path]:
        return sorted((self.work / "candidates").glob(f"*-{dst:04d}.npy"))

    def edges(self, round_: int, phase: str, src: int, dst: int) -> Path:
        return self.work / "cc" / f"{round_:03d}-{phase}" / f"{src:04d}-{dst:04d}.npy"

    def edges_of(self, round_: int, phase: str, dst: int) -> list[Path]:
        return sorted((self.work / "cc" / f"{round_:03d}-{phase}").glob(f"*-{dst:04d}.npy"))

    def members(self, src: int, dst: int) -> Path:
        return self.work / "members" / f"{src:04d}-{dst:04d}.parquet"

    def members_of(self, dst: int) -> list[Path]:
        return sorted((self.work / "members").glob(f"*-{dst:04d}.parquet"))

    def decided(self, src: int, f: int) -> Path:
        return self.work / "decided" / f"{src:04d}-{f:05d}.parquet"

    def decided_of(self, f: int) -> list[Path]:
        return sorted((self.work / "decided").glob(f"*-{f:05d}.parquet"))


def _save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, array)


def _load_all(paths: list[Path], empty: np.ndarray) -> np.ndarray:
    arrays = [np.load(p) for p in paths]
    return np.concatenate(arrays) if arrays else empty


def _write_partitioned(array: np.ndarray, part: np.ndarray, partitions: int, path_for: Any) -> None:
    """Write ``array`` rows to one ``.npy`` file per non-empty partition."""
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(partitions + 1))
    for p in range(partitions):
        if bounds[p] < bounds[p + 1]:
            _save(path_for(p), array[order[bounds[p] : bounds[p + 1]]])


def _write_table_partitioned(
    table: pa.Table, part: np.ndarray, partitions: int, path_for: Any
) -> None:
    order = np.argsort(part, kind="stable")
    table = table.take(pa.array(order))
    bounds = np.searchsorted(part[order], np.arange(partitions + 1))
    for p in range(partitions):
        if bounds[p] < bounds[p + 1]:
            path = path_for(p)
            path.parent.mkdir(parents=True, exist_ok=True)
            chunk = table.slice(int(bounds[p]), int(bounds[p + 1] - bounds[p]))
            pq.write_table(chunk, path, compression="zstd")


class SignatureStore:
    """Reads signatures of nodes back from the per-file arrays.

    Each call maps the files it needs and unmaps them before returning, so the pages
    it touched do not stay in the process (its memory stays that of one call).
    """

    def __init__(self, files: JobFiles) -> None:
        self.files = files

    def __call__(self, nodes: np.ndarray) -> np.ndarray:
        file_ids = nodes >> _ROW_BITS
        rows = nodes & ((1 << _ROW_BITS) - 1)
        out: np.ndarray | None = None
        for f in np.unique(file_ids).tolist():
            sel = file_ids == f
            mapped = np.load(self.files.sig(f), mmap_mode="r")
            got = np.array(mapped[rows[sel]])
            del mapped
            if out is None:
                out = np.empty((len(nodes), got.shape[1]), dtype=np.uint32)
            out[sel] = got
        return out if out is not None else np.empty((0, 0), dtype=np.uint32)


class ShingleStore:
    """Reads documents' shingle sets back (positioned reads); ``None`` where none were kept.

    The sets of the most recently used documents are cached: a bucket's first member
    is compared with every other member.
    """

    def __init__(self, files: JobFiles, cache: int = 256) -> None:
        self.files = files
        self._files: dict[int, tuple[int, np.ndarray] | None] = {}
        self._sets: dict[int, np.ndarray | None] = {}
        self._cache = cache

    def _raw(self, node: int) -> np.ndarray | None:
        f, row = node >> _ROW_BITS, node & ((1 << _ROW_BITS) - 1)
        if f not in self._files:
            values, offsets = self.files.shingles(f)
            self._files[f] = (
                (os.open(values, os.O_RDONLY), np.load(offsets)) if offsets.exists() else None
            )
        found = self._files[f]
        if found is None:
            return None
        fd, offsets = found
        start, end = int(offsets[row]), int(offsets[row + 1])
        return np.frombuffer(os.pread(fd, 4 * (end - start), 4 * start), dtype="<u4")

    def close(self) -> None:
        for found in self._files.values():
            if found is not None:
                os.close(found[0])
        self._files.clear()

    def __call__(self, node: int) -> np.ndarray | None:
        """The sorted distinct shingle hashes of ``node``."""
        if node not in self._sets:
            if len(self._sets) >= self._cache:
                self._sets.pop(next(iter(self._sets)))
            raw = self._raw(node)
            if raw is not None:
                raw = np.sort(raw)
                raw = raw[np.concatenate(([True], raw[1:] != raw[:-1]))] if len(raw) else raw
            self._sets[node] = raw
        return self._sets[node]

    def jaccard(self, a: int, b: int) -> float | None:
        sa, sb = self(a), self(b)
        if sa is None or sb is None:
            return None
        if len(sa) == 0 or len(sb) == 0:
            return float(len(sa) == len(sb))
        at = np.searchsorted(sb, sa)
        inter = int((sb[np.minimum(at, len(sb) - 1)] == sa).sum())
        return inter / (len(sa) + len(sb) - inter)


class PairVerifier:
    """Decides whether candidate pairs of nodes are similar enough to link."""

    def __init__(self, cfg: DedupConfig, files: JobFiles) -> None:
        self.cfg = cfg
        self.signatures = SignatureStore(files)
        self.shingles = ShingleStore(files)
        t = cfg.threshold
        self.unsure = 5 * float(np.sqrt(max(t * (1 - t), 0.01) / cfg.minhash.num_perm))
        self.exact_checks = 0

    def __call__(self, a: np.ndarray, b: np.ndarray, chunk: int = 8192) -> np.ndarray:
        """Whether each pair ``(a[i], b[i])`` is similar (pairs taken ``chunk`` at a time)."""
        return np.concatenate(
            [self._chunk(a[i : i + chunk], b[i : i + chunk]) for i in range(0, len(a), chunk)]
            or [np.zeros(0, dtype=bool)]
        )

    def _chunk(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        t = self.cfg.threshold - 1e-9
        est = (self.signatures(a) == self.signatures(b)).mean(axis=1)
        ok = est >= t
        if self.cfg.verify != "exact":
            return ok
        for i in np.flatnonzero(np.abs(est - self.cfg.threshold) < self.unsure).tolist():
            exact = self.shingles.jaccard(int(a[i]), int(b[i]))
            if exact is not None:
                self.exact_checks += 1
                ok[i] = exact >= t
        return ok


# ---------------------------------------------------------------- step 1: sign


class _Sink:
    """Buffers one file's band and node records and writes them partitioned in chunks."""

    def __init__(self, cfg: DedupConfig, files: JobFiles, f: int) -> None:
        self.cfg, self.files, self.f = cfg, files, f
        self.bands: list[np.ndarray] = []
        self.nodes: list[pa.Table] = []
        self.buffered = 0
        self.chunk = 0

    def add(self, bands: np.ndarray, nodes: pa.Table) -> None:
        self.bands.append(bands)
        self.nodes.append(nodes)
        self.buffered += len(bands)
        if self.buffered >= self.cfg.flush_records:
            self.flush()

    def flush(self) -> None:
        if not self.bands:
            return
        P, f, chunk = self.cfg.partitions, self.f, self.chunk
        bands = np.concatenate(self.bands)
        _write_partitioned(
            bands, partition_of(bands["key"], P), P, lambda p: self.files.bands(f, chunk, p)
        )
        nodes = pa.concat_tables(self.nodes)
        node_part = partition_of(nodes["node"].to_numpy(), P)
        _write_table_partitioned(nodes, node_part, P, lambda p: self.files.nodes(f, chunk, p))
        self.bands, self.nodes, self.buffered = [], [], 0
        self.chunk += 1


class _ShingleWriter:
    """Appends each document's shingle hashes to the file's shingle file (sets are made
    only for the few pairs that need an exact check)."""

    def __init__(self, files: JobFiles, f: int) -> None:
        values, self._offsets_path = files.shingles(f)
        values.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(values, "wb")  # noqa: SIM115 — closed in close()
        self._offsets = [np.zeros(1, dtype=np.int64)]

    def add(self, batch: ShingleBatch) -> None:
        self._out.write(batch.hashes.astype("<u4").tobytes())
        self._offsets.append(self._offsets[-1][-1] + np.cumsum(batch.counts))

    def close(self) -> None:
        self._out.close()
        np.save(self._offsets_path, np.concatenate(self._offsets).astype(np.int64))


def _band_records(
    cfg: DedupConfig, sigs: np.ndarray, exact: list[bytes], nodes: np.ndarray, idkeys: np.ndarray
) -> np.ndarray:
    if cfg.near:
        keys = band_keys(sigs, cfg.banding)
    else:  # exact only: one "band", the exact hash
        keys = np.frombuffer(b"".join(h[:8] for h in exact), dtype="<u8").reshape(-1, 1)
    n, b = keys.shape
    rec = np.empty(n * b, dtype=BAND_RECORD)
    rec["band"] = np.tile(np.arange(b, dtype=np.uint16), n)
    rec["key"] = keys.ravel()
    rec["idkey"] = np.repeat(idkeys, b)
    rec["node"] = np.repeat(nodes, b)
    return rec


def sign_file(cfg: DedupConfig, work: str, inp: InputFile) -> dict[str, Any]:
    """Step 1 for one input file; returns ``{"documents": n}``."""
    files = JobFiles(work)
    pf = pq.ParquetFile(storage.open_read(inp.path) if storage.is_remote(inp.path) else inp.path)
    n = pf.metadata.num_rows
    files.sig(inp.index).parent.mkdir(parents=True, exist_ok=True)
    num_perm = cfg.minhash.num_perm
    if n == 0:
        np.save(files.sig(inp.index), np.empty((0, num_perm), dtype=np.uint32))
        return {"documents": 0}
    sig_out = np.lib.format.open_memmap(
        files.sig(inp.index), mode="w+", dtype=np.uint32, shape=(n, num_perm)
    )
    computer = SignatureComputer(cfg.minhash)
    sink = _Sink(cfg, files, inp.index)
    docs_writer = None
    if not inp.earlier:
        files.docs(inp.index).parent.mkdir(parents=True, exist_ok=True)
        docs_schema = pa.schema([("id", pa.string()), ("exact_hash", pa.binary(EXACT_HASH_BYTES))])
        docs_writer = pq.ParquetWriter(files.docs(inp.index), docs_schema, compression="zstd")
        columns = ["id", "text", "license"]
    else:
        columns = ["id", "exact_hash", "signature"]
    shingle_sets = (
        _ShingleWriter(files, inp.index) if cfg.verify == "exact" and not inp.earlier else None
    )
    row = 0
    for batch in pf.iter_batches(batch_size=cfg.batch_docs, columns=columns):
        ids = batch.column("id").to_pylist()
        k = len(ids)
        if inp.earlier:
            exact = batch.column("exact_hash").to_pylist()
            raw = pc.cast(batch.column("signature"), pa.binary()).to_pylist()
            sigs = np.frombuffer(b"".join(raw), dtype="<u4").reshape(k, num_perm)
            klass, ranks, lengths = _EARLIER, np.zeros(k, np.int16), np.zeros(k, np.int64)
        else:
            texts = batch.column("text").to_pylist()
            normalized = [normalize_for_dedup(t, cfg.minhash.whitespace) for t in texts]
            exact = [exact_hash(t) for t in normalized]
            shingled = batch_shingle_hashes(normalized, cfg.minhash.ngram)
            sigs = computer.signatures_of(shingled)
            if shingle_sets is not None:
                shingle_sets.add(shingled)
            klass = _CURRENT
            licenses = batch.column("license").to_pylist()
            rank_of = {x: cfg.keep.license_rank(x) for x in set(licenses)}  # a few licenses
            ranks = np.array([rank_of[x] for x in licenses], np.int16)
            lengths = np.array([len(t) for t in texts], np.int64)
            docs_writer.write_table(
                pa.table(
                    {"id": ids, "exact_hash": pa.array(exact, pa.binary(EXACT_HASH_BYTES))},
                    schema=docs_writer.schema,
                )
            )
        sig_out[row : row + k] = sigs
        nodes = (np.int64(inp.index) << _ROW_BITS) + np.arange(row, row + k, dtype=np.int64)
        idkeys = np.array([id_key(i) for i in ids], dtype=np.uint64)
        node_table = pa.table(
            {
                "node": nodes,
                "id": ids,
                "klass": np.full(k, klass, np.int8),
                "license_rank": ranks,
                "length": lengths,
                "exact_hash": pa.array(exact, pa.binary(EXACT_HASH_BYTES)),
            },
            schema=NODE_SCHEMA,
        )
        sink.add(_band_records(cfg, sigs, exact, nodes, idkeys), node_table)
        row += k
    sink.flush()
    sig_out.flush()
    del sig_out
    if docs_writer is not None:
        docs_writer.close()
    if shingle_sets is not None:
        shingle_sets.close()
    return {"documents": n}


# ---------------------------------------------------------------- step 2: bucket, verify


def bucket_partition(cfg: DedupConfig, work: str, p: int) -> int:
    """Step 2a for band partition ``p``: documents sharing a band key are candidates,
    paired with the key's first member (by id key). The pairs go to the verify
    partition of their pair hash, so a pair found in several bands is checked once."""
    files = JobFiles(work)
    rec = _load_all(files.bands_of(p), np.empty(0, dtype=BAND_RECORD))
    if len(rec) == 0:
        return 0
    rec = rec[np.lexsort((rec["node"], rec["idkey"], rec["key"], rec["band"]))]
    same = (rec["band"][1:] == rec["band"][:-1]) & (rec["key"][1:] == rec["key"][:-1])
    new_group = np.concatenate(([True], ~same))
    group = np.cumsum(new_group) - 1
    starts = np.flatnonzero(new_group)
    first = starts[group]
    other = np.arange(len(rec)) != first
    pairs = np.stack([rec["node"][first[other]], rec["node"][other]], axis=1)
    pairs = cc.unique_pairs(np.sort(pairs, axis=1))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    if len(pairs):
        P = cfg.partitions
        _write_partitioned(
            pairs, partition_of(_pair_key(pairs), P), P, lambda q: files.candidates(p, q)
        )
    return len(pairs)


def _pair_key(pairs: np.ndarray) -> np.ndarray:
    return fmix64(pairs[:, 0].astype(np.uint64) * _SALT + pairs[:, 1].astype(np.uint64))


def verify_partition(cfg: DedupConfig, work: str, q: int) -> dict[str, int]:
    """Step 2b for candidate partition ``q``: distinct candidate pairs that pass
    verification become edges (both directions, by node partition)."""
    files = JobFiles(work)
    pairs = cc.unique_pairs(_load_all(files.candidates_of(q), np.empty((0, 2), np.int64)))
    stats = {"candidates": len(pairs), "edges": 0, "rejected": 0, "exact_checks": 0}
    if len(pairs) and cfg.verify != "none":
        similar = PairVerifier(cfg, files)
        ok = similar(pairs[:, 0], pairs[:, 1])
        similar.shingles.close()
        stats["rejected"] = int((~ok).sum())
        stats["exact_checks"] = similar.exact_checks
        pairs = pairs[ok]
    stats["edges"] = len(pairs)
    if len(pairs):
        directed = cc.both_directions(pairs)
        P = cfg.partitions
        _write_partitioned(
            directed, partition_of(directed[:, 0], P), P, lambda d: files.edges(0, "large", q, d)
        )
    return stats


# ---------------------------------------------------------------- step 3: components


def large_star_partition(cfg: DedupConfig, work: str, round_: int, q: int) -> None:
    files = JobFiles(work)
    pairs = _load_all(files.edges_of(round_, "large", q), np.empty((0, 2), np.int64))
    out = cc.large_star(pairs)
    if len(out):
        P = cfg.partitions
        _write_partitioned(
            out, partition_of(out[:, 0], P), P, lambda d: files.edges(round_, "small", q, d)
        )


def small_star_partition(cfg: DedupConfig, work: str, round_: int, q: int) -> tuple[int, int]:
    files = JobFiles(work)
    pairs = _load_all(files.edges_of(round_, "small", q), np.empty((0, 2), np.int64))
    fingerprint = cc.edge_fingerprint(pairs)
    out = cc.both_directions(cc.small_star(pairs))
    if len(out):
        P = cfg.partitions
        _write_partitioned(
            out, partition_of(out[:, 0], P), P, lambda d: files.edges(round_ + 1, "large", q, d)
        )
    return fingerprint


def connected_components(cfg: DedupConfig, work: str, runner: TaskRunner) -> int:
    """Rounds until the edge set entering small star repeats; returns the final round."""
    files = JobFiles(work)
    P = cfg.partitions
    previous: tuple[int, int] | None = None
    round_ = 0
    while True:
        runner.map(large_star_partition, [(cfg, work, round_, q) for q in range(P)])
        prints = runner.map(small_star_partition, [(cfg, work, round_, q) for q in range(P)])
        fingerprint = (sum(c for c, _ in prints), sum(s for _, s in prints) % (1 << 64))
        for phase in ("large", "small"):
            shutil.rmtree(files.work / "cc" / f"{round_:03d}-{phase}", ignore_errors=True)
        round_ += 1
        if fingerprint == previous:
            return round_
        previous = fingerprint


# ---------------------------------------------------------------- step 4: label


def label_partition(cfg: DedupConfig, work: str, final_round: int, q: int) -> int:
    """Step 4 for node partition ``q``: clustered nodes with their labels and records."""
    files = JobFiles(work)
    pairs = _load_all(files.edges_of(final_round, "large", q), np.empty((0, 2), np.int64))
    nodes, labels = cc.star_labels(pairs)
    if len(nodes) == 0:
        return 0
    table = pq.read_table(files.nodes_of(q), schema=NODE_SCHEMA) if files.nodes_of(q) else None
    if table is None:
        raise RuntimeError(f"node partition {q} is empty but has edges")
    table = table.filter(pc.is_in(table["node"], pa.array(nodes)))
    table = table.take(pc.sort_indices(table, [("node", "ascending")]))
    if table.num_rows != len(nodes):
        raise RuntimeError(f"node partition {q}: {len(nodes)} clustered, {table.num_rows} records")
    table = table.append_column("label", pa.array(labels))
    P = cfg.partitions
    _write_table_partitioned(table, partition_of(labels, P), P, lambda r: files.members(q, r))
    return len(nodes)


# ---------------------------------------------------------------- step 5: cluster


def cluster_partition(cfg: DedupConfig, work: str, r: int) -> int:
    """Step 5 for label partition ``r``: survivor, size and reasons of each cluster."""
    files = JobFiles(work)
    paths = files.members_of(r)
    if not paths:
        return 0
    t = pq.read_table(paths)
    t = t.take(pc.sort_indices(t, [("label", "ascending"), *cfg.keep.sort_keys()]))
    label = t["label"].to_numpy()
    starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    sizes = np.diff(np.r_[starts, len(label)])
    head = np.repeat(starts, sizes)
    survivor_id = t["id"].take(pa.array(head))
    exact = t["exact_hash"].to_numpy(zero_copy_only=False)
    same_text = exact == exact[head]
    is_survivor = np.arange(len(label)) == head
    earlier = t["klass"].to_numpy()[head] == _EARLIER
    reason = np.where(is_survivor, None, np.where(same_text, EXACT, NEAR))
    out = pa.table(
        {
            "node": t["node"],
            "id": t["id"],
            "dedup_cluster_id": survivor_id,
            "dedup_cluster_size": pa.array(np.repeat(sizes, sizes).astype(np.int32)),
            "duplicate_of": pc.if_else(
                pa.array(is_survivor), pa.nulls(len(t), pa.string()), survivor_id
            ),
            "reason": pa.array(reason.tolist(), pa.string()),
            "earlier_release": pa.array(earlier & ~is_survivor),
        }
    )
    current = t["klass"].to_numpy() == _CURRENT
    out = out.filter(pa.array(current))
    file_of = (out["node"].to_numpy() >> _ROW_BITS).astype(np.int64)
    if len(file_of):
        n_files = int(file_of.max()) + 1
        _write_table_partitioned(out, file_of, n_files, lambda f: files.decided(r, f))
    return int(len(starts))


# ---------------------------------------------------------------- step 6: finalize


def finalize_file(
    cfg: DedupConfig, work: str, out_dir: str, index_dir: str | None, inp: InputFile
) -> dict[str, int]:
    """Step 6 for one current file: its decisions and its part of the persisted index."""
    files = JobFiles(work)
    paths = files.decided_of(inp.index)
    counts = {EXACT: 0, NEAR: 0, "clustered": 0, "earlier_release": 0}
    duplicate_of: dict[str, str] = {}
    decision_path = Path(out_dir) / DECISIONS / f"part-{inp.rank:05d}.parquet"
    decision_path.parent.mkdir(parents=True, exist_ok=True)
    if paths:
        t = pq.read_table(paths)
        t = t.take(pc.sort_indices(t, [("node", "ascending")])).drop_columns(["node"])
        t = t.cast(DECISION_SCHEMA)
        pq.write_table(t, decision_path, compression="zstd")
        counts["clustered"] = t.num_rows
        for reason in (EXACT, NEAR):
            counts[reason] = int(pc.sum(pc.equal(t["reason"], reason)).as_py() or 0)
        counts["earlier_release"] = int(pc.sum(t["earlier_release"]).as_py() or 0)
        dups = t.filter(pc.is_valid(t["duplicate_of"]))
        duplicate_of = dict(
            zip(dups["id"].to_pylist(), dups["duplicate_of"].to_pylist(), strict=True)
        )
    else:
        pq.write_table(DECISION_SCHEMA.empty_table(), decision_path, compression="zstd")
    if index_dir is not None:
        _write_index_part(cfg, files, Path(index_dir), inp, duplicate_of)
    return counts


def _write_index_part(
    cfg: DedupConfig, files: JobFiles, index_dir: Path, inp: InputFile, duplicate_of: dict
) -> None:
    docs = pq.ParquetFile(files.docs(inp.index))
    sig = np.load(files.sig(inp.index), mmap_mode="r")
    schema = index_schema(cfg.minhash.num_perm)
    path = index_dir / SIGNATURES / f"part-{inp.rank:05d}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    width = 4 * cfg.minhash.num_perm
    row = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in docs.iter_batches(batch_size=4096):
            k = batch.num_rows
            block = np.ascontiguousarray(sig[row : row + k]).astype("<u4").tobytes()
            signatures = pa.FixedSizeBinaryArray.from_buffers(
                pa.binary(width), k, [None, pa.py_buffer(block)]
            )
            ids = batch.column("id")
            writer.write_table(
                pa.table(
                    {
                        "id": ids,
                        "exact_hash": batch.column("exact_hash"),
                        "signature": signatures,
                        "duplicate_of": pa.array(
                            [duplicate_of.get(i) for i in ids.to_pylist()], pa.string()
                        ),
                    },
                    schema=schema,
                )
            )
            row += k


# ---------------------------------------------------------------- the job


def plan_inputs(
    input_paths: list[str], against: list[str], scheme: MinHashScheme
) -> list[InputFile]:
    """Current files first (their rank from the name), then the parts of earlier indexes."""
    inputs = [
        InputFile(index=i, path=str(p), rank=rank_of(str(p), i)) for i, p in enumerate(input_paths)
    ]
    for where in against:
        folder, info = read_index(where)
        check_compatible(folder, info, scheme)
        for part in info.parts:
            inputs.append(
                InputFile(
                    index=len(inputs), path=storage.join(str(folder), part), rank=-1, earlier=True
                )
            )
    return inputs


def run_dedup(
    input_paths: list[str],
    out_dir: str,
    cfg: DedupConfig,
    runner: TaskRunner,
    *,
    against: list[str] = (),
    index_dir: str | None = None,
    keep_work: bool = False,
) -> dict[str, Any]:
    """Run the whole job; decisions go to ``out_dir/decisions``, the index to ``index_dir``.

    Returns (and writes to ``out_dir/summary.json``) counts and timings.
    """
    out = Path(out_dir)
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(out / DECISIONS, ignore_errors=True)
    if index_dir is not None:
        shutil.rmtree(Path(index_dir) / SIGNATURES, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    inputs = plan_inputs(list(input_paths), list(against), cfg.minhash)
    current = [i for i in inputs if not i.earlier]
    seconds: dict[str, float] = {}
    P = cfg.partitions

    def timed(name: str, fn: Any, calls: list[tuple]) -> list[Any]:
        started = time.perf_counter()
        result = runner.map(fn, calls)
        seconds[name] = round(seconds.get(name, 0.0) + time.perf_counter() - started, 3)
        return result

    signed = timed("sign", sign_file, [(cfg, str(work), i) for i in inputs])
    timed("bucket", bucket_partition, [(cfg, str(work), p) for p in range(P)])
    checked = timed("verify", verify_partition, [(cfg, str(work), q) for q in range(P)])
    edges = sum(b["edges"] for b in checked)
    rounds = 0
    clusters = 0
    if edges:
        started = time.perf_counter()
        rounds = connected_components(cfg, str(work), runner)
        seconds["components"] = round(time.perf_counter() - started, 3)
        timed("label", label_partition, [(cfg, str(work), rounds, q) for q in range(P)])
        clusters = sum(timed("cluster", cluster_partition, [(cfg, str(work), r) for r in range(P)]))
    finals = timed(
        "finalize", finalize_file, [(cfg, str(work), str(out), index_dir, i) for i in current]
    )
    documents = sum(s["documents"] for s, i in zip(signed, inputs, strict=True) if not i.earlier)
    if index_dir is not None:
        write_index_info(Path(index_dir), cfg.minhash, cfg.banding, cfg.threshold, documents)
    totals: dict[str, int] = defaultdict(int)
    for f in finals:
        for k, v in f.items():
            totals[k] += v
    summary = {
        "documents": documents,
        "earlier_documents": sum(
            s["documents"] for s, i in zip(signed, inputs, strict=True) if i.earlier
        ),
        "candidate_pairs": sum(b["candidates"] for b in checked),
        "rejected_by_verification": sum(b["rejected"] for b in checked),
        "exact_jaccard_checks": sum(b["exact_checks"] for b in checked),
        "edges": edges,
        "clusters": clusters,
        "component_rounds": rounds,
        "duplicates": {EXACT: totals[EXACT], NEAR: totals[NEAR]},
        "against_earlier_release": totals["earlier_release"],
        "seconds": seconds,
        "cpu_seconds": runner.usage.cpu_seconds,
        "peak_rss_mb": {"driver": round(peak_rss_mb(), 1), **runner.usage.peak_rss_mb},
        "config": json.loads(cfg.model_dump_json()),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    if not keep_work:
        shutil.rmtree(work, ignore_errors=True)
    return summary


@dataclass(frozen=True)
class DocDecision:
    """What the dedup job decided for one clustered document."""

    cluster_id: str
    cluster_size: int
    duplicate_of: str | None
    reason: str | None
    earlier_release: bool


def read_decisions(out_dir: str, rank: int) -> dict[str, DocDecision]:
    """Decisions for the documents of task ``rank`` (only those in a cluster of 2 or more)."""
    path = storage.join(out_dir, DECISIONS, f"part-{rank:05d}.parquet")
    if not storage.exists(path):
        return {}
    with storage.open_read(path) as f:
        rows = pq.read_table(f).to_pylist()
    return {
        r["id"]: DocDecision(
            r["dedup_cluster_id"],
            r["dedup_cluster_size"],
            r["duplicate_of"],
            r["reason"],
            bool(r["earlier_release"]),
        )
        for r in rows
    }
