"""The ``text_dir`` source: a folder of ``.txt`` files whose rights the user holds.

Files may be UTF-8, Shift_JIS, EUC-JP or ISO-2022-JP without declaration; a file
that decodes as none of them is rejected at stage ``read`` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from corpus.document import Document, make_document, reject
from corpus.text.encoding import UndecodableText, decode_japanese
from pipelines.sources.base import Source, SourceParams, file_time, register_source
from pipelines.sources.files import expand_paths

FILES_PER_TASK = 64


class TextDirParams(SourceParams):
    type: str = "text_dir"
    path: str
    license: str | None = None
    license_evidence: str = ""
    attribution: str = ""
    name: str = "text"
    """Value of the ``source`` column for these documents."""
    files_per_task: int = FILES_PER_TASK


@register_source
class TextDirSource(Source):
    source_type: ClassVar[str] = "text_dir"
    Params = TextDirParams

    def _root(self) -> Path:
        return self.resolve(self.params.path)

    def _files(self) -> list[Path]:
        return expand_paths(self._root(), "path", (".txt",))

    def check(self) -> None:
        self._files()

    def plan(self) -> list[dict[str, Any]]:
        files = [str(p) for p in self._files()]
        n = max(1, self.params.files_per_task)
        return [{"files": files[i : i + n]} for i in range(0, len(files), n)]

    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        root = self._root()
        for name in task["files"]:
            path = Path(name)
            rel = str(path.relative_to(root)) if root.is_dir() else path.name
            raw = path.read_bytes()
            p = self.params
            try:
                text, _ = decode_japanese(raw)
            except UndecodableText as exc:
                doc = make_document(
                    text="",
                    source=p.name,
                    source_id=rel,
                    raw=raw,
                    license=p.license,
                    retrieved_at=file_time(path),
                )
                doc.metadata["reject_detail"] = str(exc)
                yield reject(doc, "read", "undecodable_text")
                continue
            yield make_document(
                text=text.replace("\r\n", "\n"),
                source=p.name,
                source_id=rel,
                url=f"{p.name}:{rel}",
                license=p.license,
                license_evidence=p.license_evidence,
                attribution=p.attribution,
                retrieved_at=file_time(path),
                raw=raw,
            )
