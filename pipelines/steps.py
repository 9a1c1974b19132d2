"""Pipeline steps that read a task's input: from a source, or from an earlier segment."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from corpus.document import make_document, reject
from corpus.schema import document_from_row
from pipelines.sources.base import Source

MAX_DOC_CHARS = 20_000_000
"""Documents longer than this are rejected at ``read`` (``document_too_large``)."""


class SourceReader(PipelineStep):
    """Reads task ``rank`` of the plan; a failure mid-file becomes a quarantine record.

    Documents read before the failure go on; the rest of the file is recorded in
    rejected/ (stage ``read``, reason ``read_error:<type>``) so nothing is lost silently.
    """

    name = "source reader"
    type = "📖 - READER"

    def __init__(
        self, tasks: list[tuple[Source, dict[str, Any]]], max_doc_chars: int = MAX_DOC_CHARS
    ):
        super().__init__()
        self.tasks = tasks
        self.max_doc_chars = max_doc_chars

    def run(
        self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1
    ) -> DocumentsPipeline:
        source, task = self.tasks[rank]
        count = 0
        try:
            for doc in source.read(task):
                count += 1
                self.stat_update("documents")
                if not doc.text and not doc.metadata.get("_rejected"):
                    reject(doc, "read", "empty_text")
                elif len(doc.text) > self.max_doc_chars:
                    doc.metadata["reject_detail"] = f"{len(doc.text)} characters"
                    doc.text = ""
                    reject(doc, "read", "document_too_large")
                yield doc
        except Exception as exc:  # noqa: BLE001 — bad input is quarantined, not fatal
            locator = f"{task}#after-{count}-documents"
            doc = make_document(
                text="",
                source=getattr(source.params, "name", source.source_type),
                source_id=locator,
                raw=locator,
                license=None,
            )
            detail = "".join(traceback.format_exception_only(exc)).strip()
            doc.metadata["reject_detail"] = detail[:1000]
            self.stat_update("read_errors")
            yield reject(doc, "read", f"read_error:{type(exc).__name__}")


class SegmentReader(PipelineStep):
    """Reads the documents an earlier segment kept for this task (``part-<rank>.parquet``)."""

    name = "segment reader"
    type = "📖 - READER"

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def run(
        self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1
    ) -> DocumentsPipeline:
        path = Path(self.folder) / f"part-{rank:05d}.parquet"
        if not path.exists():
            return
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1000):
            for row in batch.to_pylist():
                self.stat_update("documents")
                yield document_from_row(row)
