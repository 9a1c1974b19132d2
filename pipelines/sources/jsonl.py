"""The ``jsonl`` source: one JSON object per line, the license declared by the user.

Each line is ``{"id": …, "text": …, "url"?: …, "license"?: …, "attribution"?: …,
"license_evidence"?: …}``; a line's ``license`` overrides the source's. A malformed
line becomes a rejected record (stage ``read``), never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from corpus.document import Document, make_document, reject
from pipelines.sources.base import Source, SourceParams, file_time, register_source
from pipelines.sources.files import expand_paths, open_binary


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
        with open_binary(path) as f:
            for lineno, raw in enumerate(f, start=1):
                if not raw.strip():
                    continue
                yield self._document(raw, rel, lineno, retrieved_at)

    def _document(self, raw: bytes, rel: str, lineno: int, retrieved_at: Any) -> Document:
        p = self.params
        locator = f"{rel}:{lineno}"
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise ValueError("line is not a JSON object")
        except ValueError as exc:
            doc = make_document(
                text="",
                source=p.name,
                source_id=locator,
                raw=raw,
                retrieved_at=retrieved_at,
                license=p.license,
            )
            doc.metadata["reject_detail"] = f"{locator}: {exc}"[:500]
            return reject(doc, "read", "malformed_jsonl")
        source_id = str(obj.get("id") or obj.get("title") or locator)
        text = obj.get("text")
        doc = make_document(
            text=text if isinstance(text, str) else "",
            source=p.name,
            source_id=source_id,
            url=str(obj.get("url") or ""),
            license=obj.get("license") or p.license,
            license_evidence=obj.get("license_evidence")
            or (
                f"jsonl line license field ({locator})"
                if obj.get("license")
                else p.license_evidence
            ),
            attribution=obj.get("attribution") or p.attribution,
            retrieved_at=retrieved_at,
            raw=raw,
        )
        if not isinstance(text, str):
            return reject(doc, "read", "missing_text")
        return doc
