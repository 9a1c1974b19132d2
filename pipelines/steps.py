"""Pipeline steps that read a task's input: from a source, or from an earlier segment."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from corpus import storage
from corpus.document import Document, make_document, reject, rejection
from corpus.schema import document_from_row
from corpus.stages.cost import timed_iter
from manifests.publish import relative_to
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
        public = _PathScrubber(task, getattr(source, "base_dir", None) or Path.cwd())
        count = 0
        try:
            for doc in timed_iter(self, source.read(task)):
                count += 1
                self.stat_update("documents")
                if not rejection(doc):
                    self._check_text(doc)
                if rejection(doc):
                    public.scrub(doc)
                yield doc
        except FileNotFoundError as exc:
            if exc.filename is None:  # a source's own verdict about a file's content
                yield self._quarantined(source, task, count, exc, public)
                return
            # the plan named this input and it is not here: a worker that cannot see the
            # driver's files (a relative path, a disk the node does not share), or a file
            # removed since planning. Fail the task — never "0 kept, exit 0".
            raise FileNotFoundError(
                f"input named by the plan is not readable on this worker: {exc.filename}"
            ) from exc
        except Exception as exc:  # noqa: BLE001 — bad input is quarantined, not fatal
            yield self._quarantined(source, task, count, exc, public)

    def _quarantined(
        self,
        source: Source,
        task: dict[str, Any],
        count: int,
        exc: Exception,
        public: _PathScrubber,
    ) -> Document:
        """A record of the rest of a task's input that could not be read (no local paths)."""
        where = {k: v for k, v in task.items() if k != "earlier"}  # ids carried, not a place
        locator = public(f"{where}#after-{count}-documents")
        doc = make_document(
            text="",
            source=_source_name(source),
            source_id=locator,
            raw=locator,
            license=None,
        )
        detail = "".join(traceback.format_exception_only(exc)).strip()
        doc.metadata["reject_detail"] = public(detail)[:1000]
        self.stat_update("read_errors")
        reason = exc.reason if isinstance(exc, InputRejected) else None
        return reject(doc, "read", reason or f"read_error:{type(exc).__name__}")

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


class _PathScrubber:
    """Makes the task's absolute input paths relative to the pipeline file's folder in what
    a rejected row says (``source_id``, ``reject_detail``): a published release names no
    local path."""

    def __init__(self, task: dict[str, Any], base_dir: Path) -> None:
        found = {v for v in task.values() if isinstance(v, str) and relative_to(v, base_dir) != v}
        pairs = [(v, relative_to(v, base_dir)) for v in found]
        base = str(base_dir).rstrip("/")
        if base and base != ".":
            pairs.append((base + "/", ""))
        self.pairs = sorted(pairs, key=lambda p: -len(p[0]))  # longest first

    def __call__(self, text: str) -> str:
        for old, new in self.pairs:
            text = text.replace(old, new)
        return text

    def scrub(self, doc: Document) -> None:
        meta = doc.metadata
        for key in ("source_id", "reject_detail"):
            if isinstance(meta.get(key), str):
                meta[key] = self(meta[key])


def _source_name(source: Source) -> str:
    """The ``source`` column value of this source's documents, as best known."""
    return (
        getattr(source, "source_name", None)
        or getattr(source.params, "name", None)
        or source.source_type
    )


class SegmentReader(PipelineStep):
    """Reads the documents an earlier segment kept for this task (``part-<rank>.parquet``).

    ``expected`` are the ranks whose earlier task reported a shard: a missing file
    for one of them fails the task (a worker that cannot see the folder must not
    pass for a task that kept nothing).
    """

    name = "segment reader"
    type = "📖 - READER"

    def __init__(self, folder: str, expected: list[int] | None = None) -> None:
        super().__init__()
        self.folder = folder
        self.expected = set(expected or ())

    def run(
        self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1
    ) -> DocumentsPipeline:
        path = storage.join(self.folder, f"part-{rank:05d}.parquet")
        if rank not in self.expected and not storage.exists(path):
            return
        try:
            f = storage.open_read(path)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"shard of the earlier segment is not readable on this worker: {path}"
            ) from None
        with f:
            # small batches: a batch may span two row groups, and each of its rows becomes
            # a Python document while the batch is alive
            for batch in pq.ParquetFile(f).iter_batches(batch_size=128):
                for row in batch.to_pylist():
                    self.stat_update("documents")
                    yield document_from_row(row)
