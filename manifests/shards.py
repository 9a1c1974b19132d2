"""Even shards: the kept rows of a run rewritten into shards of a target size.

Each task of a run writes its kept rows to a part file of its own, so part sizes
follow the inputs (one row from a small file, 3,000 from a big one). When every task
has finished, :func:`write_shards` reads the parts in task order — the order of the
planned inputs — and writes ``shards/part-00000.parquet`` … of about
``shards.max_bytes`` of Parquet each (and/or ``shards.max_rows`` rows), in row
groups of about ``shards.row_group_bytes`` of in-memory data so that streaming
readers hold one row group at a time.

Every cut is a function of the row sequence alone: row groups end where the running
size estimate of their rows (:func:`row_sizes`) reaches the target, and a shard ends
before the row group that would take its Parquet size past ``max_bytes`` (estimated
from the compression measured so far in that shard). How the input was split into
tasks or read in batches changes nothing, so a rerun over the same input gives
shards with the same bytes and hashes (with the same pyarrow).

A finished compaction leaves ``.work/shards.json``; a rerun into the same release
returns the shards it lists instead of compacting again.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Iterator
from typing import Any

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ByteSize, ConfigDict, Field, model_validator

from corpus import storage
from corpus.schema import SHARD_SCHEMA
from corpus.storage import join
from manifests.layout import SHARDS, WORK

MiB = 1 << 20
MARKER = "shards.json"
PART_GLOB = "part-*.parquet"


class ShardsConfig(BaseModel):
    """How kept rows are cut into shards (pipeline file ``shards:``; all optional).

    ``max_bytes`` and ``row_group_bytes`` take a number of bytes or a size such as
    ``256MiB`` or ``1GB``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_bytes: ByteSize | None = Field(default=ByteSize(256 * MiB), gt=0)
    """Parquet bytes a shard aims at (default 256 MiB, the size the Hugging Face Hub
    and most trainers' loaders work well with). ``null``: no byte limit."""
    max_rows: int | None = Field(default=None, ge=1, strict=True)
    """At most this many rows per shard (default: no row limit)."""
    row_group_bytes: ByteSize = Field(default=ByteSize(100 * MiB), gt=0)
    """In-memory size a row group aims at: 100 MiB, the low end of the 100–300 MB the
    Hugging Face dataset viewer recommends, so a streaming reader holds ~100 MiB."""

    @model_validator(mode="after")
    def _some_limit(self) -> ShardsConfig:
        if self.max_bytes is None and self.max_rows is None:
            raise ValueError("set max_bytes or max_rows (or both): shards need a size to aim at")
        return self


def _ints(array: pa.Array) -> np.ndarray:
    """An Arrow integer array as int64, nulls as 0, read from its buffers.

    pyarrow's own conversions (``to_numpy`` of an array with nulls, ``fill_null`` with a
    Python scalar) import pandas on first use: 0.2 s of a small run's driver.

    >>> _ints(pa.array([3, None, 5], pa.int32()).slice(1)).tolist()
    [0, 5]
    """
    if len(array) == 0:
        return np.zeros(0, dtype=np.int64)
    width = np.dtype(f"<i{array.type.bit_width // 8}")
    validity, data = array.buffers()[:2]
    values = np.frombuffer(data, dtype=width, count=array.offset + len(array))[array.offset :]
    values = values.astype(np.int64)
    if array.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        values[~bits[array.offset : array.offset + len(array)].astype(bool)] = 0
    return values


def row_sizes(batch: pa.RecordBatch | pa.Table) -> np.ndarray:
    """Each row's estimated in-memory size in bytes: its strings' UTF-8 bytes plus 8 per
    other value (key/value lists count each key's bytes and 8 per entry).

    The estimate depends on the row alone, never on the batch it was read in.

    >>> row_sizes(pa.table({"text": ["吾輩は猫である。", None], "n": [1, 2]})).tolist()
    [32, 8]
    """
    sizes = np.zeros(batch.num_rows, dtype=np.int64)
    for column, field in zip(batch.columns, batch.schema, strict=True):
        if isinstance(column, pa.ChunkedArray):
            column = pa.concat_arrays(column.chunks) if column.chunks else pa.array([], field.type)
        kind = field.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            sizes += _ints(pc.binary_length(column))
        elif pa.types.is_list(kind):
            entries = _ints(pc.list_value_length(column))
            keys = pc.list_flatten(column).field("key")
            key_bytes = np.zeros(batch.num_rows, dtype=np.int64)
            if len(keys):
                owners = _ints(pc.list_parent_indices(column))
                np.add.at(key_bytes, owners, _ints(pc.binary_length(keys)))
            sizes += 8 * entries + key_bytes
        else:
            sizes += 8
    return sizes


class _RowStream:
    """Rows of the parts in order, handed out as row groups cut at row-determined points."""

    def __init__(self, batches: Iterator[pa.RecordBatch], row_group_bytes: int) -> None:
        self._batches = batches
        self._limit = row_group_bytes
        self._pending: pa.RecordBatch | None = None
        self._sizes = np.zeros(0, dtype=np.int64)

    def _fill(self) -> bool:
        while self._pending is None or self._pending.num_rows == 0:
            batch = next(self._batches, None)
            if batch is None:
                return False
            self._pending, self._sizes = batch, row_sizes(batch)
        return True

    def next_group(self, max_rows: int | None) -> tuple[pa.Table, int] | None:
        """The next row group (at most ``max_rows`` rows) and its estimated size."""
        pieces: list[pa.RecordBatch] = []
        size = rows = 0
        while (max_rows is None or rows < max_rows) and size < self._limit and self._fill():
            running = np.cumsum(self._sizes) + size
            take = min(len(running), int(np.searchsorted(running, self._limit, side="left")) + 1)
            if max_rows is not None:
                take = min(take, max_rows - rows)
            pieces.append(self._pending.slice(0, take))
            size += int(self._sizes[:take].sum())
            rows += take
            self._pending, self._sizes = self._pending.slice(take), self._sizes[take:]
        if not rows:
            return None
        return pa.Table.from_batches(pieces, schema=SHARD_SCHEMA), size


class _Shard:
    """One shard being written: Parquet bytes so far, estimated in-memory bytes, rows."""

    def __init__(self, fs: fsspec.AbstractFileSystem, root: str, index: int) -> None:
        self.fs, self.rel = fs, f"{SHARDS}/part-{index:05d}.parquet"
        self.path = join(root, self.rel)
        folder, name = posixpath.split(self.path)
        self.tmp = f"{folder}/.{name}.tmp"
        self._file = fs.open(self.tmp, "wb")
        self._writer = pq.ParquetWriter(self._file, SHARD_SCHEMA, compression="zstd")
        self.rows = self.estimated = 0

    @property
    def written(self) -> int:
        return self._file.tell()

    def predicted(self, estimated: int) -> int:
        """Parquet bytes after a row group of ``estimated`` in-memory bytes were added."""
        return self.written + estimated * self.written // max(self.estimated, 1)

    def add(self, group: pa.Table, estimated: int) -> None:
        self._writer.write_table(group.combine_chunks(), row_group_size=group.num_rows)
        self.rows += group.num_rows
        self.estimated += estimated

    def close(self) -> dict[str, Any]:
        self._writer.close()
        self._file.close()
        self.fs.mv(self.tmp, self.path)
        digest = hashlib.sha256()
        with self.fs.open(self.path, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        return {
            "path": self.rel,
            "sha256": digest.hexdigest(),
            "rows": self.rows,
            "bytes": self.fs.size(self.path),
        }


def _batches(fs: fsspec.AbstractFileSystem, paths: list[str]) -> Iterator[pa.RecordBatch]:
    for path in paths:
        with fs.open(path, "rb") as f:
            for batch in pq.ParquetFile(f).iter_batches(batch_size=4096):
                yield batch.cast(SHARD_SCHEMA)


def write_shards(parts_dir: str, release_dir: str, config: ShardsConfig) -> list[dict[str, Any]]:
    """Rewrite the part files of ``parts_dir`` into ``release_dir/shards``; their manifest
    entries (path relative to the release, sha256, rows, bytes), in order."""
    fs, root = storage.filesystem(str(release_dir))  # the client settings (retries) of every path
    marker = join(root, WORK, MARKER)
    if fs.exists(marker):
        with fs.open(marker, "rb") as f:
            done = json.load(f)
        if all(fs.exists(join(root, e["path"])) for e in done["shards"]):
            return done["shards"]
    shard_dir = join(root, SHARDS)
    fs.makedirs(shard_dir, exist_ok=True)
    for stale in fs.glob(join(shard_dir, "*.parquet")):  # an interrupted compaction's
        fs.rm(stale)
    parts_fs, parts_root = storage.filesystem(str(parts_dir))
    parts = sorted(parts_fs.glob(join(parts_root, PART_GLOB)))
    stream = _RowStream(_batches(parts_fs, parts), int(config.row_group_bytes))
    entries: list[dict[str, Any]] = []
    shard: _Shard | None = None
    while True:
        room = config.max_rows
        if room is not None and shard is not None:
            room -= shard.rows  # a row group never straddles a row-limited shard's end
        got = stream.next_group(room)
        if got is None:
            break
        group, estimated = got
        too_big = config.max_bytes is not None and shard is not None
        if too_big and shard.predicted(estimated) > config.max_bytes:
            entries.append(shard.close())
            shard = None
        if shard is None:
            shard = _Shard(fs, root, len(entries))
        shard.add(group, estimated)
        if config.max_rows is not None and shard.rows >= config.max_rows:
            entries.append(shard.close())
            shard = None
    if shard is not None:
        entries.append(shard.close())
    fs.makedirs(join(root, WORK), exist_ok=True)
    with fs.open(marker, "wb") as f:
        f.write(json.dumps({"config": config.model_dump(mode="json"), "shards": entries}).encode())
    return entries


def schema_version_of(manifest: dict[str, Any]) -> int:
    """The shard layout version a manifest records (1 when it records none).

    >>> schema_version_of({}), schema_version_of({"schema_version": 2})
    (1, 2)
    """
    return int(manifest.get("schema_version", 1))
