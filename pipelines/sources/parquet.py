"""The ``parquet`` source: rows of Parquet files, one document per row, license declared.

``path`` is a file, a folder (searched recursively, so Hugging Face dataset folders such
as ``data/train-00000-of-00002.parquet`` or ``<config>/<split>/….parquet`` read as they
are), a glob or an fsspec URL; ``split`` keeps only one split of such a folder.
``columns`` maps the document fields to column names (defaults: the field's own name);
a row's ``license`` column, when present and set, overrides the source's ``license``.

Files are planned by row groups — a task reads consecutive row groups of about
``task_bytes`` (uncompressed) — and read a batch at a time with only the mapped
columns, never a whole file. A bad row becomes a rejected record (stage ``read``):
``missing_text`` (null text) or ``duplicate_id`` (an id already used by an earlier row
of the same file, whichever task read it); a file without rows is one ``empty_file`` record.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict

from corpus.document import Document, make_document, reject
from corpus.storage import filesystem
from pipelines.errors import ConfigError
from pipelines.sources.base import Source, SourceParams, register_source, url_time
from pipelines.sources.files import expand_urls, relative_name
from pipelines.sources.split import DEFAULT_TASK_BYTES, FirstSeen, TaskBytes

BATCH_ROWS = 256
"""Rows decoded at a time: a few MB of text, whatever the row group's size."""


class ParquetColumns(BaseModel):
    """Which column holds each document field (``text`` required; the rest optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = "text"
    id: str = "id"
    url: str = "url"
    license: str = "license"
    license_evidence: str = "license_evidence"
    attribution: str = "attribution"
    title: str = "title"
    """Used as the id when there is no id column (as in Wikipedia dumps)."""


class ParquetParams(SourceParams):
    type: str = "parquet"
    path: str
    columns: ParquetColumns = ParquetColumns()
    license: str | None = None
    license_evidence: str = ""
    attribution: str = ""
    name: str = "parquet"
    """Value of the ``source`` column for these documents."""
    split: str | None = None
    """Only files of this split of a dataset folder (``train`` keeps ``train-….parquet``
    and files under a ``train/`` folder)."""
    task_bytes: TaskBytes = DEFAULT_TASK_BYTES
    """Uncompressed bytes of row groups one task reads (at least one row group)."""


def _in_split(rel: str, split: str) -> bool:
    """``train``: ``data/train-00000-of-00002.parquet``, ``default/train/0000.parquet``.

    >>> _in_split("data/train-00000-of-00002.parquet", "train"), _in_split("test/0.parquet", "train")
    (True, False)
    """
    *folders, name = rel.split("/")
    return split in folders or name.startswith((f"{split}-", f"{split}.", f"{split}_"))


@register_source
class ParquetSource(Source):
    source_type: ClassVar[str] = "parquet"
    Params = ParquetParams

    def _root(self) -> str:
        return self.locate(self.params.path)

    def _files(self) -> list[str]:
        files = expand_urls(self._root(), "path", (".parquet", ".pq"))
        if self.params.split is None:
            return files
        root = self._root()
        kept = [f for f in files if _in_split(relative_name(root, f), self.params.split)]
        if not kept:
            raise ConfigError("split", f"no file of split {self.params.split!r} under {root}")
        return kept

    def _mapping(self, url: str, schema: pa.Schema) -> dict[str, str]:
        """Field -> column present in this file; a missing text column (or a column named
        explicitly but absent) is a :class:`ConfigError` naming the key."""
        cols = self.params.columns
        explicit = cols.model_fields_set
        mapping = {}
        for field, column in cols.model_dump().items():
            if column in schema.names:
                mapping[field] = column
            elif field == "text" or field in explicit:
                raise ConfigError(
                    f"columns.{field}",
                    f"no column {column!r} in {url} (columns: {', '.join(schema.names)})",
                )
        kind = schema.field(mapping["text"]).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            raise ConfigError(
                "columns.text", f"column {mapping['text']!r} in {url} is {kind}, not text"
            )
        return mapping

    def check(self) -> None:
        for url in self._files():
            with _open(url) as pf:
                self._mapping(url, pf.schema_arrow)

    def plan(self) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = []
        for url in self._files():
            with _open(url) as pf:
                mapping = self._mapping(url, pf.schema_arrow)
                groups = _group_row_groups(pf.metadata, self.params.task_bytes)
                if pf.metadata.num_rows == 0:
                    groups = groups[:1]
                file_tasks = [{"file": url, **g} for g in groups]
                if len(file_tasks) > 1 and ("id" in mapping or "title" in mapping):
                    parts = _earlier_ids(pf, mapping, groups)
                    for task, earlier in zip(file_tasks, parts, strict=True):
                        task["earlier"] = earlier
            tasks += file_tasks or [{"file": url, "row_groups": [], "first_row": 0}]
        return tasks

    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        url = task["file"]
        fs, inner = filesystem(url)
        retrieved_at = url_time(fs, inner)
        rel = relative_name(self._root(), url)
        earlier: dict[str, int] = task.get("earlier", {})
        first_row: dict[str, int] = {}  # source id -> row it came from
        with _open(url) as pf:
            if pf.metadata.num_rows == 0:
                doc = make_document(
                    text="", source=self.params.name, source_id=f"{rel}#empty", raw=rel,
                    retrieved_at=retrieved_at, license=self.params.license,
                )  # fmt: skip
                doc.metadata["reject_detail"] = f"{rel}: no rows"
                yield reject(doc, "read", "empty_file")
                return
            mapping = self._mapping(url, pf.schema_arrow)
            names = list(dict.fromkeys(mapping.values()))
            row = task["first_row"]
            batches = pf.iter_batches(
                batch_size=BATCH_ROWS, row_groups=task["row_groups"], columns=names
            )
            for batch in batches:
                for values in batch.to_pylist():
                    doc = self._document(values, mapping, f"{rel}#{row}", retrieved_at)
                    key = _key(values, mapping)  # rows without text count too, as in planning
                    if key is not None:
                        earliest = earlier.get(key, first_row.setdefault(key, row))
                        if earliest != row and doc.metadata.get("reject_detail") is None:
                            source_id = doc.metadata["source_id"]
                            doc.text = ""
                            doc.metadata["reject_detail"] = (
                                f"{rel}#{row}: id {source_id!r} already in row {earliest}"
                            )
                            reject(doc, "read", "duplicate_id")
                    yield doc
                    row += 1

    def _document(
        self, values: dict[str, Any], mapping: dict[str, str], locator: str, retrieved_at: Any
    ) -> Document:
        p = self.params

        def get(field: str) -> str:
            value = values.get(mapping[field]) if field in mapping else None
            return "" if value is None else str(value)

        text = values.get(mapping["text"])
        row_license = get("license")
        doc = make_document(
            text=text if isinstance(text, str) else "",
            source=p.name,
            source_id=get("id") or get("title") or locator,
            url=get("url"),
            license=row_license or p.license,
            license_evidence=get("license_evidence")
            or (f"parquet license column ({locator})" if row_license else p.license_evidence),
            attribution=get("attribution") or p.attribution,
            retrieved_at=retrieved_at,
        )
        if not isinstance(text, str):
            doc.metadata["reject_detail"] = f"{locator}: no string {mapping['text']!r}"
            return reject(doc, "read", "missing_text")
        return doc


class _open:  # noqa: N801 — used as ``with _open(url) as pf``
    """A Parquet file on any fsspec filesystem, closed on exit."""

    def __init__(self, url: str) -> None:
        fs, inner = filesystem(url)
        self._file = fs.open(inner, "rb")
        self.pf = pq.ParquetFile(self._file)

    def __enter__(self) -> pq.ParquetFile:
        return self.pf

    def __exit__(self, *exc: object) -> None:
        self.pf.close()
        self._file.close()


def _group_row_groups(meta: pq.FileMetaData, task_bytes: int) -> list[dict[str, Any]]:
    """Consecutive row groups of about ``task_bytes`` uncompressed bytes each."""
    groups: list[dict[str, Any]] = []
    size, first_row, row = 0, 0, 0
    current: list[int] = []
    for i in range(meta.num_row_groups):
        rg = meta.row_group(i)
        if current and size + rg.total_byte_size > task_bytes:
            groups.append({"row_groups": current, "first_row": first_row})
            current, size, first_row = [], 0, row
        current.append(i)
        size += rg.total_byte_size
        row += rg.num_rows
    if current:
        groups.append({"row_groups": current, "first_row": first_row})
    return groups


def _earlier_ids(
    pf: pq.ParquetFile, mapping: dict[str, str], groups: list[dict[str, Any]]
) -> list[dict[str, int]]:
    """Per task, the ids it repeats from an earlier task (reading only the id columns)."""
    names = list(dict.fromkeys(mapping[f] for f in ("id", "title") if f in mapping))
    seen = FirstSeen()
    row = 0
    for n, group in enumerate(groups):
        if n:
            seen.next_part(row)
        rows = pf.iter_batches(batch_size=4096, row_groups=group["row_groups"], columns=names)
        for batch in rows:
            for values in batch.to_pylist():
                seen.add(_key(values, mapping), row)
                row += 1
    return seen.parts


def _key(values: dict[str, Any], mapping: dict[str, str]) -> str | None:
    """A row's own id (its ``id``, else its ``title``), ``None`` if it has neither."""
    for field in ("id", "title"):
        value = values.get(mapping[field]) if field in mapping else None
        if value is not None and str(value):
            return str(value)
    return None
