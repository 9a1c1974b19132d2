"""The ``jsonl`` source: one JSON object per line, the license declared by the user.

Each line is ``{"id": …, "text": …, "url"?: …, "license"?: …, "attribution"?: …,
"license_evidence"?: …}``, UTF-8; a line's ``license`` overrides the source's. A bad
line becomes a rejected record (stage ``read``), never a crash: ``malformed_jsonl`` (not a
JSON object, or a provenance field that is not a string), ``invalid_utf8``,
``missing_text``, ``duplicate_id`` (an ``id`` seen earlier in the same file) and
``document_too_large`` (a line over :data:`~pipelines.sources.limits.MAX_DOC_BYTES`,
skipped without being held); a file without any line is one ``empty_file`` record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any, ClassVar

from corpus.document import Document, make_document, reject, rejection
from corpus.storage import filesystem
from pipelines.sources.base import Source, SourceParams, register_source, url_time
from pipelines.sources.files import (
    COMPRESSED,
    InputRejected,
    Line,
    expand_urls,
    open_url,
    relative_name,
    zstd_frames,
)
from pipelines.sources.limits import MAX_DOC_BYTES
from pipelines.sources.split import (
    DEFAULT_TASK_BYTES,
    TaskBytes,
    even_part,
    range_lines,
    split_lines,
    start_frames,
)

#: per-line fields that must be strings when present
_TEXT_FIELDS = ("url", "license", "license_evidence", "attribution")
_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz", ".json.zst")
_COMPRESSED_EXPANSION = 8
"""Compressed JSON Lines of Japanese text expand 2.5–4× (the bundled Wikipedia JSONL.gz
2.7×); a compressed file over ``task_bytes / 8`` is read through once while planning to
find where to cut it, a smaller one is one task."""


class JsonlParams(SourceParams):
    type: str = "jsonl"
    path: str
    license: str | None = None
    license_evidence: str = ""
    attribution: str = ""
    name: str = "jsonl"
    """Value of the ``source`` column for these documents."""
    task_bytes: TaskBytes = DEFAULT_TASK_BYTES
    """A file larger than this is read as several tasks of about this many bytes."""


@register_source
class JsonlSource(Source):
    source_type: ClassVar[str] = "jsonl"
    Params = JsonlParams

    def _root(self) -> str:
        return self.locate(self.params.path)

    def _files(self) -> list[str]:
        return expand_urls(self._root(), "path", _SUFFIXES)

    def check(self) -> None:
        self._files()

    def plan(self) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = []
        for url in self._files():
            size = _stored_size(url) * _expansion(url)
            if size <= self.params.task_bytes:
                tasks.append({"file": url})
                continue
            rel = relative_name(self._root(), url)
            target = even_part(size, self.params.task_bytes)
            try:
                with open_url(url) as f:
                    ranges = split_lines(f, target, partial(self._id_of, rel=rel))
                    start_frames(ranges, zstd_frames(f))
            except InputRejected:  # a bomb or broken file: one task records what is wrong
                ranges = []
            if len(ranges) <= 1:
                tasks.append({"file": url})
            else:
                tasks += [{"file": url, **r} for r in ranges]
        return tasks

    def _id_of(self, line: Line, *, rel: str) -> str | None:
        """The id a line would be kept under, if it is a document with an id of its own."""
        if line.data is None or not line.data.strip():
            return None
        try:
            obj = _parse(line.data)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return None
        if not isinstance(obj.get("text"), str):
            return None
        return _source_id(obj, f"{rel}:{line.number}")

    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        url = task["file"]
        fs, inner = filesystem(url)
        retrieved_at = url_time(fs, inner)
        rel = relative_name(self._root(), url)
        first_line: dict[str, int] = {}  # document id -> line it came from
        earlier = task.get("earlier", {})  # source id -> its line, in an earlier task
        lines = 0
        with open_url(url, tuple(task.get("frame", (0, 0)))) as f:
            for line in range_lines(f, task):
                if line.data is not None and not line.data.strip():
                    continue
                lines += 1
                doc = self._document(line, rel, retrieved_at)
                if not rejection(doc):
                    source_id = doc.metadata["source_id"]
                    earliest = earlier.get(source_id) or first_line.setdefault(doc.id, line.number)
                    if earliest != line.number:
                        doc.text = ""
                        doc.metadata["reject_detail"] = (
                            f"{rel}:{line.number}: id {source_id!r} already on line {earliest}"
                        )
                        reject(doc, "read", "duplicate_id")
                yield doc
        if lines == 0 and "end" not in task:
            yield self._rejected(
                f"{rel}#empty", rel.encode(), retrieved_at, "empty_file", f"{rel}: no JSON lines"
            )

    def _rejected(
        self, locator: str, raw: bytes | str, retrieved_at: Any, reason: str, detail: str
    ) -> Document:
        doc = make_document(
            text="",
            source=self.params.name,
            source_id=locator,
            raw=raw,
            retrieved_at=retrieved_at,
            license=self.params.license,
        )
        doc.metadata["reject_detail"] = detail[:500]
        return reject(doc, "read", reason)

    def _document(self, line: Line, rel: str, retrieved_at: Any) -> Document:
        p = self.params
        locator = f"{rel}:{line.number}"
        raw = line.data
        if raw is None:
            return self._rejected(
                locator,
                locator,
                retrieved_at,
                "document_too_large",
                f"{locator}: line of {line.size} bytes > {MAX_DOC_BYTES}",
            )
        try:
            obj = _parse(raw)
        except UnicodeDecodeError as exc:
            detail = f"{locator}: not UTF-8 ({exc}); JSON Lines must be UTF-8"
            return self._rejected(locator, raw, retrieved_at, "invalid_utf8", detail)
        except (ValueError, RecursionError) as exc:  # RecursionError: too deeply nested
            return self._rejected(
                locator, raw, retrieved_at, "malformed_jsonl", f"{locator}: {exc}"
            )
        source_id = _source_id(obj, locator)
        text = obj.get("text")
        doc = make_document(
            text=text if isinstance(text, str) else "",
            source=p.name,
            source_id=source_id,
            url=obj.get("url") or "",
            license=obj.get("license") or p.license,
            license_evidence=line_evidence(obj, locator, p.license, p.license_evidence),
            attribution=obj.get("attribution") or p.attribution,
            retrieved_at=retrieved_at,
            raw=raw,
        )
        if not isinstance(text, str):
            doc.metadata["reject_detail"] = f"{locator}: no string 'text'"
            return reject(doc, "read", "missing_text")
        return doc


def _parse(raw: bytes) -> dict[str, Any]:
    """One line as a JSON object with string provenance fields.

    Raises ``UnicodeDecodeError`` (not UTF-8) or ``ValueError`` (anything else wrong).
    """
    obj = json.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    if not isinstance(obj, dict):
        raise ValueError(f"line is a JSON {type(obj).__name__}, not an object")
    for key in _TEXT_FIELDS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise ValueError(f"{key!r} is a {type(obj[key]).__name__}, not a string")
    if obj.get("id") is not None and not isinstance(obj["id"], str | int):
        raise ValueError(f"'id' is a {type(obj['id']).__name__}, not a string")
    return obj


def _source_id(obj: dict[str, Any], locator: str) -> str:
    return str(obj.get("id") or obj.get("title") or locator)


def _stored_size(url: str) -> int:
    fs, inner = filesystem(url)
    return int(fs.size(inner))


def _expansion(url: str) -> int:
    """How much bigger than stored a file is assumed to be read, to decide whether it may
    need splitting (a compressed one is measured by reading it through)."""
    return 1 if not url.lower().endswith(COMPRESSED) else _COMPRESSED_EXPANSION


def line_evidence(obj: dict, locator: str, license: str | None, evidence: str) -> str:
    """A line's own license evidence and the source's, both kept: the line's says why its
    license differs, the source's says where the file came from.

    >>> line_evidence({"license": "CC0-1.0"}, "a.jsonl:3", "CC-BY-4.0", "terms page, 2026-11-01")
    'jsonl line license field (a.jsonl:3); source CC-BY-4.0: terms page, 2026-11-01'
    >>> line_evidence({}, "a.jsonl:3", "CC-BY-4.0", "terms page, 2026-11-01")
    'terms page, 2026-11-01'
    """
    own = obj.get("license_evidence") or (
        f"jsonl line license field ({locator})" if obj.get("license") else ""
    )
    if not own:
        return evidence
    source = f"source {license}: {evidence}" if license else f"source: {evidence}"
    return f"{own}; {source}" if evidence else own
