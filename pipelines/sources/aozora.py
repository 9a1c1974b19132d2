"""The ``aozora`` source: Aozora Bunko works with their license established per work.

Driven by the index (``index``: ``list_person_all_extended_utf8.csv``); the card texts
live under ``root`` (``cards/<人物ID>/files/<name>/<name>.txt`` or the official
``…/<name>.zip``). Both are local paths or fsspec URLs (``s3://bucket/aozora``); a
tree reads the same (documents, ids, rejections) wherever it is stored. Per work:

* every index row ``なし`` → ``LicenseRef-PublicDomain-JP``, evidence the flags of all rows;
* any ``あり`` → admitted only on a Creative Commons license its footer declares; when
  the footer's words and link disagree the stricter reading is taken (the license gate
  then refuses NC/ND); no license in the footer → rejected ``no_license_in_footer``;
* no text file → rejected ``text_file_missing``; a text URL whose path would leave
  ``root`` (``cards/../../secret/notes.zip``, or a local symlink out of it) → rejected
  ``unsafe_path``, never read.

The text is the title/author lines and the body without notation; the footer's facts
(底本, 入力, 校正, 作成日) go into ``attribution``.
"""

from __future__ import annotations

import errno
import zipfile
import zlib
from collections.abc import Iterator
from functools import reduce
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from corpus import storage
from corpus.document import Document, make_document, reject
from corpus.storage import UnsafePath
from corpus.text.encoding import UndecodableText, decode_japanese
from licenses import license_from_statement, license_from_url, stricter
from pipelines.errors import ConfigError
from pipelines.sources.aozora_index import (
    AozoraWork,
    IndexFormatError,
    read_index_file,
)
from pipelines.sources.aozora_text import (
    FooterLicenseText,
    card_plain_text,
    footer_facts,
    footer_license_text,
    split_card,
)
from pipelines.sources.base import Source, SourceParams, file_time, register_source
from pipelines.sources.files import InputRejected, read_bounded, read_file_bounded

PUBLIC_DOMAIN = "LicenseRef-PublicDomain-JP"
SOURCE_NAME = "aozora"
WORKS_PER_TASK = 64
_STATEMENT_CHARS = 120


class AozoraParams(SourceParams):
    type: str = "aozora"
    index: str
    """``list_person_all_extended_utf8.csv`` (``.gz`` too): a local path or a URL."""
    root: str | None = None
    """Folder holding ``cards/`` (a local path or a URL); default: the index's folder."""
    works_per_task: int = Field(WORKS_PER_TASK, ge=1)


def footer_license(found: FooterLicenseText) -> tuple[str | None, str]:
    """The license a footer declares and how it was read; the stricter reading on conflict.

    >>> footer_license(FooterLicenseText(
    ...     urls=("http://creativecommons.org/licenses/by-nc-nd/2.1/jp/",),
    ...     statements=("※本作品は「クリエイティブ・コモンズ 表示 2.1 日本 ライセンス」（）の下に提供されています。",)))[0]
    'LicenseRef-CC-BY-NC-ND-2.1-JP'
    >>> footer_license(FooterLicenseText(urls=(), statements=()))
    (None, '')
    """
    readings: list[tuple[str, str]] = []
    for url in found.urls:
        license_id = license_from_url(url)
        if license_id:
            readings.append((f"url={url}", license_id))
    for statement in found.statements:
        license_id = license_from_statement(statement)
        if license_id:
            readings.append((f"statement={statement[:_STATEMENT_CHARS]}", license_id))
    if not readings:
        return None, ""
    ids = [license_id for _, license_id in readings]
    chosen = reduce(stricter, ids)
    parts = [f"{where}→{license_id}" for where, license_id in readings]
    if len(set(ids)) > 1:
        parts.append(f"conflict→stricter {chosen}")
    return chosen, "aozora-footer:" + ";".join(parts)


def read_card_bytes(path: str | Path) -> bytes:
    """The card text's bytes: the file itself, or the ``.txt`` inside an official zip.

    ``path`` is a local path or a URL (a zip on object storage is read through a
    seekable file object: its directory and the one member, not the whole archive).
    Raises :class:`DocumentTooLarge` past :data:`~pipelines.sources.limits.MAX_DOC_BYTES`
    (a zip member is read only that far, whatever its header claims).
    """
    name = str(path).rstrip("/").rsplit("/", 1)[-1]
    if not name.lower().endswith(".zip"):
        return read_file_bounded(path)
    with storage.open_read(str(path)) as f, zipfile.ZipFile(f) as zf:
        names = sorted(n for n in zf.namelist() if n.lower().endswith(".txt"))
        if not names:
            raise FileNotFoundError(f"{name}: no .txt inside")
        with zf.open(names[0]) as member:
            return read_bounded(member, f"{name}:{names[0]}")


@register_source
class AozoraSource(Source):
    source_type: ClassVar[str] = "aozora"
    Params = AozoraParams
    source_name: ClassVar[str] = SOURCE_NAME

    def _index(self) -> str:
        """The index as a local path or URL (relative paths against the pipeline file)."""
        return storage.resolve(self.params.index, self.base_dir)

    def _root(self) -> str:
        if self.params.root:
            return storage.resolve(self.params.root, self.base_dir)
        return storage.parent(self._index())

    def _works(self) -> list[AozoraWork]:
        index = self._index()
        if not storage.isfile(index):
            raise ConfigError("index", f"file not found: {index}")
        try:
            return read_index_file(index)
        except (IndexFormatError, UnicodeDecodeError) as exc:
            raise ConfigError("index", f"{index}: not an Aozora index ({exc})") from None
        except InputRejected as exc:
            raise ConfigError("index", f"cannot be read: {exc}") from None

    def check(self) -> None:
        root = self._root()
        if not storage.isdir(root):
            raise ConfigError("root", f"folder not found: {root}")
        self._works()

    def plan(self) -> list[dict[str, Any]]:
        works = [w.to_task() for w in self._works()]
        n = max(1, self.params.works_per_task)
        return [{"works": works[i : i + n]} for i in range(0, len(works), n)]

    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        root = self._root()
        index_time = file_time(self._index())
        if not storage.isdir(root):  # planned on the driver, not visible here: fail the task
            raise FileNotFoundError(errno.ENOENT, "planned Aozora root is missing", root)
        for data in task["works"]:
            yield self._document(AozoraWork.from_task(data), root, index_time)

    def _document(self, work: AozoraWork, root: str, index_time: Any) -> Document:
        """One work's document. Rejections name the text by its path under ``root``
        (``cards/…``), so a tree reads the same wherever it is stored."""
        try:
            rel = work.text_path(root)
        except UnsafePath as exc:
            doc = self._make(work, text="", raw=work.text_url, at=index_time)
            doc.metadata["reject_detail"] = str(exc)[:500]
            return reject(doc, "read", "unsafe_path")
        url = storage.join(root, rel) if rel else ""
        if not url or not storage.isfile(url):
            doc = self._make(work, text="", raw=work.text_url or work.work_id, at=index_time)
            doc.metadata["reject_detail"] = (
                f"no text file at {rel}" if rel else "the index names no text file"
            )
            return reject(doc, "read", "text_file_missing")
        name = rel.rsplit("/", 1)[-1]
        try:
            raw = read_card_bytes(url)
        except (OSError, zipfile.BadZipFile, zlib.error) as exc:
            doc = self._make(work, text="", raw=rel, at=file_time(url))
            doc.metadata["reject_detail"] = f"{name}: {exc}"[:500]
            return reject(doc, "read", "unreadable_text_file")
        except InputRejected as exc:
            doc = self._make(work, text="", raw=rel, at=file_time(url))
            doc.metadata["reject_detail"] = str(exc)[:500]
            return reject(doc, "read", exc.reason)
        try:
            decoded, _ = decode_japanese(raw, declared="shift_jis")
        except UndecodableText as exc:
            doc = self._make(work, text="", raw=raw, at=file_time(url))
            doc.metadata["reject_detail"] = f"{name}: {exc}"
            return reject(doc, "read", "undecodable_text")
        card = split_card(decoded.replace("\r\n", "\n").replace("\r", "\n"))
        facts = footer_facts(card.footer)
        attribution = "; ".join(
            [f"{work.credit()}「{work.title}」青空文庫 {work.card_url}", *facts.attribution_parts()]
        )
        text = card_plain_text(card)
        if work.public_domain:
            return self._make(
                work,
                text=text,
                raw=raw,
                at=file_time(url),
                license=PUBLIC_DOMAIN,
                license_evidence=work.flags_evidence(),
                attribution=attribution,
            )
        license_id, how = footer_license(footer_license_text(card.footer))
        doc = self._make(
            work,
            text=text,
            raw=raw,
            at=file_time(url),
            license=license_id,
            license_evidence=f"{how}; {work.flags_evidence()}" if license_id else "",
            attribution=attribution,
        )
        if license_id is None:
            doc.metadata["reject_detail"] = work.flags_evidence()
            return reject(doc, "license", "no_license_in_footer")
        return doc

    def _make(
        self, work: AozoraWork, *, text: str, raw: bytes | str, at: Any, **kw: Any
    ) -> Document:
        return make_document(
            text=text,
            source=SOURCE_NAME,
            source_id=work.work_id,
            url=work.card_url or work.text_url,
            retrieved_at=at,
            raw=raw,
            **kw,
        )
