"""The step at the end of every task: kept rows to a shard, dropped rows to rejected/.

Every document that reaches it is either written to the task's shard or recorded
in rejected/ with its stage and reason, and the task's report counts both, so the
manifest's accounting identity holds per task. Files appear under their final
name only when complete (temporary name, then rename).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from collections import Counter, defaultdict
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from corpus import storage
from corpus.document import rejection
from corpus.schema import REJECTED_SCHEMA, SHARD_SCHEMA, rejected_row, shard_row
from manifests.layout import REJECTED, atomic_write_json

ROWS_PER_GROUP = 2000
GROUP_TEXT_CHARS = 4_000_000
"""A row group is written once it holds this many characters of text (or
:data:`ROWS_PER_GROUP` rows): the rows a task holds before writing them, and the row
group the next segment and dedup read whole, stay a few MB whatever the documents'
length (2,000 novels would be hundreds of MB)."""


class _ParquetSink:
    """Streams rows of one schema into a Parquet file that appears only when complete.

    ``path`` is a local path or an fsspec URL: workers write straight to the release's
    destination (:func:`corpus.storage.open_atomic`).
    """

    def __init__(self, path: str, schema: pa.Schema) -> None:
        self.path = path
        self.schema = schema
        self.rows: list[dict[str, Any]] = []
        self.chars = 0
        self.count = 0
        self._writer: pq.ParquetWriter | None = None
        self._target: contextlib.AbstractContextManager | None = None
        self._file: Any = None

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        self.chars += len(row.get("text") or "")
        self.count += 1
        if len(self.rows) >= ROWS_PER_GROUP or self.chars >= GROUP_TEXT_CHARS:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        if self._writer is None:
            self._target = storage.open_atomic(self.path)
            self._file = self._target.__enter__()
            self._writer = pq.ParquetWriter(self._file, self.schema, compression="zstd")
        self._writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
        self.rows, self.chars = [], 0

    def close(self) -> dict[str, Any] | None:
        """Finish the file; returns its entry (path, sha256, rows, bytes) or None if empty."""
        self._flush()
        if self._writer is None:
            storage.remove(self.path)  # an empty shard left by an earlier try
            return None
        self._writer.close()
        self._target.__exit__(None, None, None)
        return {
            "sha256": self._file.sha256.hexdigest(),
            "rows": self.count,
            "bytes": self._file.size,
        }

    def abort(self, exc: BaseException) -> None:
        """Drop the unfinished file: nothing appears under its name."""
        if self._target is not None:
            with contextlib.suppress(BaseException):
                self._target.__exit__(type(exc), exc, exc.__traceback__)
            self._target = None


def ray_node() -> tuple[str, str, dict[str, str]]:
    """The Ray node's id, address and user labels (``ray.io/…`` left out); empty outside Ray."""
    ray = sys.modules.get("ray")  # a task outside Ray (local processes) never imports it
    if ray is None:
        return "", "", {}
    try:
        if not ray.is_initialized():
            return "", "", {}
        context = ray.get_runtime_context()
        labels = {k: v for k, v in context.get_node_labels().items() if not k.startswith("ray.io/")}
        return context.get_node_id() or "", ray.util.get_node_ip_address(), labels
    except Exception:  # noqa: BLE001 — a record of where we ran must never fail the task
        return "", "", {}


def node_info() -> dict[str, Any]:
    """Where this task ran (for residency records): Ray node id, host, address, region.

    ``region`` is the node's ``region`` label, else ``JPCORPUS_NODE_REGION``.
    """
    node_id, node_ip, labels = ray_node()
    return {
        "node_id": node_id,
        "hostname": socket.gethostname(),
        "node_ip": node_ip,
        "region": labels.get("region") or os.environ.get("JPCORPUS_NODE_REGION", ""),
        "labels": labels,
    }


class ReleaseWriter(PipelineStep):
    """Writes one task's kept and rejected documents and its report."""

    name = "release writer"
    type = "💾 - WRITER"

    def __init__(self, release_dir: str, kept_dir: str, segment: int, report_dir: str) -> None:
        super().__init__()
        self.release_dir = release_dir
        self.kept_dir = kept_dir
        self.segment = segment
        self.report_dir = report_dir

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        kept = _ParquetSink(storage.join(self.kept_dir, f"part-{rank:05d}.parquet"), SHARD_SCHEMA)
        rejected = _ParquetSink(
            storage.join(self.release_dir, REJECTED, f"seg{self.segment}-{rank:05d}.parquet"),
            REJECTED_SCHEMA,
        )
        try:
            report = self._write(data, rank, kept, rejected)
        except BaseException as exc:
            kept.abort(exc)
            rejected.abort(exc)
            raise
        atomic_write_json(storage.join(self.report_dir, f"{rank:05d}.json"), report)
        return
        yield  # a generator that yields nothing: the writer is the last step

    def _write(
        self, data: DocumentsPipeline, rank: int, kept: _ParquetSink, rejected: _ParquetSink
    ) -> dict[str, Any]:
        by_source: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"input": 0, "kept": 0, "dropped": defaultdict(Counter)}
        )
        licenses: dict[str, Counter] = defaultdict(Counter)
        attributions: set[tuple[str, str, str]] = set()
        for doc in data or ():
            meta = doc.metadata
            src = by_source[meta.get("source") or "unknown"]
            src["input"] += 1
            verdict = rejection(doc)
            if verdict:
                stage, reason = verdict
                src["dropped"][stage][reason] += 1
                rejected.add(rejected_row(doc))
                self.stat_update(f"dropped_{stage}")
            else:
                src["kept"] += 1
                kept.add(shard_row(doc))
                licenses[meta["license"]]["documents"] += 1
                licenses[meta["license"]]["characters"] += len(doc.text)
                if meta.get("attribution"):
                    attributions.add((meta["license"], meta["source"], meta["attribution"]))
                self.stat_update("kept")
        shard = kept.close()
        rejected_entry = rejected.close()
        return {
            "rank": rank,
            "segment": self.segment,
            "shard": ({"path": str(kept.path)} | shard) if shard else None,
            "rejected": ({"path": str(rejected.path)} | rejected_entry) if rejected_entry else None,
            "by_source": {
                name: {
                    "input": s["input"],
                    "kept": s["kept"],
                    "dropped": {st: dict(c) for st, c in s["dropped"].items()},
                }
                for name, s in sorted(by_source.items())
            },
            "licenses": {k: dict(v) for k, v in sorted(licenses.items())},
            "attributions": sorted(attributions),
            "node": node_info(),
        }
