"""Pipeline steps that read a task's input: from a source, or from an earlier segment."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from corpus.document import Document, make_document, reject, rejection
from corpus.schema import document_from_row
from pipelines.sources.base import Source
from pipelines.sources.files import InputRejected
from pipelines.sources.limits import MAX_DOC_CHARS

__all__ = ["MAX_DOC_CHARS", "SegmentReader", "SourceReader"]


class SourceReader(PipelineStep):
    """Reads task ``rank`` of the plan; a failure mid-file becomes a quarantine record.

    Documents read before the failure go on; the rest of the file is recorded in
    rejected/ (stage ``read``) so nothing is lost silently: with the reason the source
    named (:class:`InputRejected`: ``decompression_bomb``, ``truncated_compressed_file``,
    ``corrupt_compressed_file``, ``document_too_large``), else ``read_error:<type>``.
    Documents a source let through are rejected here when their text is empty or only
    whitespace (``empty_text``), holds NUL characters (``nul_in_text``) or is longer
    than ``max_doc_chars`` (``document_too_large``).
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
                if not rejection(doc):
                    self._check_text(doc)
                yield doc
        except Exception as exc:  # noqa: BLE001 — bad input is quarantined, not fatal
            where = {k: v for k, v in task.items() if k != "earlier"}  # ids carried, not a place
            locator = f"{where}#after-{count}-documents"
            doc = make_document(
                text="",
                source=_source_name(source),
                source_id=locator,
                raw=locator,
                license=None,
            )
            detail = "".join(traceback.format_exception_only(exc)).strip()
            doc.metadata["reject_detail"] = detail[:1000]
            self.stat_update("read_errors")
            reason = exc.reason if isinstance(exc, InputRejected) else None
            yield reject(doc, "read", reason or f"read_error:{type(exc).__name__}")

    def _check_text(self, doc: Document) -> None:
        if len(doc.text) > self.max_doc_chars:
            doc.metadata["reject_detail"] = f"{len(doc.text)} characters > {self.max_doc_chars}"
            doc.text = ""
            reject(doc, "read", "document_too_large")
        elif not doc.text.strip():
            reject(doc, "read", "empty_text")
        elif "\x00" in doc.text:
            doc.metadata["reject_detail"] = f"NUL at character {doc.text.index(chr(0))}"
            doc.text = ""
            reject(doc, "read", "nul_in_text")


def _source_name(source: Source) -> str:
    """The ``source`` column value of this source's documents, as best known."""
    return (
        getattr(source, "source_name", None)
        or getattr(source.params, "name", None)
        or source.source_type
    )


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
