"""The ``text_dir`` source: a folder of ``.txt`` files whose rights the user holds.

Files may be UTF-8, Shift_JIS, EUC-JP or ISO-2022-JP without declaration. A file that
decodes as none of them (or holds NUL bytes) is rejected at stage ``read`` as
``undecodable_text``; one larger than :data:`~pipelines.sources.limits.MAX_DOC_BYTES`
as ``document_too_large`` without being read; one that cannot be read as
``unreadable_file``. Each file is judged on its own: one bad file never takes the
other files of its task with it.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from corpus.document import Document, make_document, reject
from corpus.text.encoding import UndecodableText, decode_japanese
from pipelines.sources.base import SourceParams, file_time, register_source
from pipelines.sources.files import FileSetSource, InputRejected, read_file_bounded

FILES_PER_TASK = 64


class TextDirParams(SourceParams):
    type: str = "text_dir"
    path: str
    license: str | None = None
    license_evidence: str = ""
    attribution: str = ""
    name: str = "text"
    """Value of the ``source`` column for these documents."""
    files_per_task: int = Field(FILES_PER_TASK, ge=1)


@register_source
class TextDirSource(FileSetSource):
    suffixes: ClassVar[tuple[str, ...]] = (".txt",)
    source_type: ClassVar[str] = "text_dir"
    Params = TextDirParams

    def read_file(self, path: str, rel: str) -> Document:
        p = self.params
        try:
            raw = read_file_bounded(path)
            text, _ = decode_japanese(raw)
        except InputRejected as exc:
            return self._rejected(path, rel, exc.reason, str(exc))
        except OSError as exc:
            return self._rejected(path, rel, "unreadable_file", f"{type(exc).__name__}: {exc}")
        except UndecodableText as exc:
            return self._rejected(path, rel, "undecodable_text", str(exc), raw=raw)
        return make_document(
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

    def _rejected(
        self, path: str, rel: str, reason: str, detail: str, raw: bytes | None = None
    ) -> Document:
        try:
            at = file_time(path)
        except OSError:
            at = None
        doc = make_document(
            text="",
            source=self.params.name,
            source_id=rel,
            url=f"{self.params.name}:{rel}",
            raw=raw if raw is not None else rel,
            license=self.params.license,
            retrieved_at=at,
        )
        doc.metadata["reject_detail"] = f"{rel}: {detail}"[:500]
        return reject(doc, "read", reason)
