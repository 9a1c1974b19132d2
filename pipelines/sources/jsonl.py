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
from pathlib import Path
from typing import Any, ClassVar

from corpus.document import Document, make_document, reject, rejection
from pipelines.sources.base import Source, SourceParams, file_time, register_source
from pipelines.sources.files import Line, bounded_lines, expand_paths, open_binary
from pipelines.sources.limits import MAX_DOC_BYTES

#: per-line fields that must be strings when present
_TEXT_FIELDS = ("url", "license", "license_evidence", "attribution")


class JsonlParams(SourceParams):
    type: str = "jsonl"
    path: str
    license: str | None = None
    license_evidence: str = ""
    attribution: str = ""
    name: str = "jsonl"
    """Value of the ``source`` column for these documents."""


@register_source
class JsonlSource(Source):
    source_type: ClassVar[str] = "jsonl"
    Params = JsonlParams

    def _files(self) -> list[Path]:
        return expand_paths(
            self.resolve(self.params.path), "path", (".jsonl", ".jsonl.gz", ".json", ".json.gz")
        )

    def check(self) -> None:
        self._files()

    def plan(self) -> list[dict[str, Any]]:
        return [{"file": str(p)} for p in self._files()]

    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        path = Path(task["file"])
        retrieved_at = file_time(path)
        root = self.resolve(self.params.path)
        rel = path.name if root == path or not root.is_dir() else str(path.relative_to(root))
        first_line: dict[str, int] = {}  # document id -> line it came from
        lines = 0
        with open_binary(path) as f:
            for line in bounded_lines(f):
                if line.data is not None and not line.data.strip():
                    continue
                lines += 1
                doc = self._document(line, rel, retrieved_at)
                if not rejection(doc):
                    earlier = first_line.setdefault(doc.id, line.number)
                    if earlier != line.number:
                        doc.text = ""
                        doc.metadata["reject_detail"] = (
                            f"{rel}:{line.number}: id {doc.metadata['source_id']!r} "
                            f"already on line {earlier}"
                        )
                        reject(doc, "read", "duplicate_id")
                yield doc
        if lines == 0:
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
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            detail = f"{locator}: not UTF-8 ({exc}); JSON Lines must be UTF-8"
            return self._rejected(locator, raw, retrieved_at, "invalid_utf8", detail)
        try:
            obj = json.loads(decoded.removeprefix("\ufeff"))
            if not isinstance(obj, dict):
                raise ValueError(f"line is a JSON {type(obj).__name__}, not an object")
            for key in _TEXT_FIELDS:
                if obj.get(key) is not None and not isinstance(obj[key], str):
                    raise ValueError(f"{key!r} is a {type(obj[key]).__name__}, not a string")
            if obj.get("id") is not None and not isinstance(obj["id"], str | int):
                raise ValueError(f"'id' is a {type(obj['id']).__name__}, not a string")
        except (ValueError, RecursionError) as exc:  # RecursionError: too deeply nested
            return self._rejected(
                locator, raw, retrieved_at, "malformed_jsonl", f"{locator}: {exc}"
            )
        source_id = str(obj.get("id") or obj.get("title") or locator)
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
