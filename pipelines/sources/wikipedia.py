"""The ``wikipedia`` source: MediaWiki XML dumps and ``{title, text}`` JSONL, as plain text.

Input files may be plain, ``.gz`` or ``.bz2``; the format is recognised from the first
byte (``<`` dump, ``{`` JSONL). Articles (namespace 0) become documents; redirects and
pages of other namespaces are recorded as rejected so the accounting stays whole.

License: Wikipedia text is CC BY-SA — 3.0 for older dumps, 4.0 since the June 2023
terms change — so ``license`` is a key (default ``CC-BY-SA-3.0``). Attribution is the
article title, its URL and "Wikipedia contributors".

Tasks: one per file; an uncompressed JSONL file larger than ``bytes_per_task`` is
split into byte ranges (a line belongs to the range its first byte is in).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any, ClassVar, Literal

from pydantic import Field

from corpus.document import Document, make_document, reject
from corpus.storage import filesystem
from pipelines.sources.base import Source, SourceParams, file_time, register_source
from pipelines.sources.files import (
    InputRejected,
    Line,
    bounded_lines,
    expand_urls,
    open_url,
    relative_name,
)
from pipelines.sources.wikitext import wikitext_to_text

BYTES_PER_TASK = 64 * 1024 * 1024
_SUFFIXES = (".xml", ".xml.bz2", ".xml.gz", ".bz2", ".jsonl", ".jsonl.gz", ".json", ".json.gz")


class WikipediaParams(SourceParams):
    type: str = "wikipedia"
    path: str
    """MediaWiki XML dump (``.bz2``/``.gz`` too) or JSONL of ``{title, text}``; file, folder or glob"""
    lang: str = "ja"
    license: str = "CC-BY-SA-3.0"
    """``CC-BY-SA-4.0`` for dumps made after the June 2023 license change"""
    markup: Literal["wikitext", "plain"] = "wikitext"
    """what the JSONL ``text`` holds; dumps are always wikitext"""
    bytes_per_task: int = Field(BYTES_PER_TASK, ge=1)


def open_any(path: Path | str) -> IO[bytes]:
    """Open plain, gzip or bzip2 files (local or URL) for reading bytes (decompression bounded)."""
    return open_url(str(path))


def sniff_format(path: Path | str) -> Literal["xml", "jsonl"]:
    """``xml`` for a MediaWiki dump, ``jsonl`` for JSON lines (by the first byte)."""
    try:
        with open_any(path) as f:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except InputRejected:  # a broken .gz/.bz2: reading the task meets it again and records it
        return "jsonl"
    return "xml" if head.startswith(b"<") else "jsonl"


def article_url(lang: str, title: str) -> str:
    """The article's address.

    >>> article_url("ja", "人工知能")
    'https://ja.wikipedia.org/wiki/人工知能'
    >>> article_url("ja", "アメリカ合衆国 の 歴史")
    'https://ja.wikipedia.org/wiki/アメリカ合衆国_の_歴史'
    """
    return f"https://{lang}.wikipedia.org/wiki/{title.replace(' ', '_')}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def dump_pages(stream: IO[bytes]) -> Iterator[dict[str, Any]]:
    """Pages of a MediaWiki XML dump: ``title``, ``ns``, ``redirect``, ``text``, ``revision``,
    ``timestamp`` — streamed, memory bounded by one page."""
    context = ET.iterparse(stream, events=("start", "end"))
    root = None
    for event, elem in context:
        if event == "start":
            if root is None:
                root = elem
            continue
        if _local(elem.tag) != "page":
            continue
        page: dict[str, Any] = {"redirect": False, "ns": "0", "text": "", "revision": ""}
        page["timestamp"] = ""
        for child in elem:
            name = _local(child.tag)
            if name == "title":
                page["title"] = child.text or ""
            elif name == "ns":
                page["ns"] = (child.text or "0").strip()
            elif name == "redirect":
                page["redirect"] = True
            elif name == "revision":
                for part in child:
                    pname = _local(part.tag)
                    if pname == "text":
                        page["text"] = part.text or ""
                    elif pname == "id":
                        page["revision"] = (part.text or "").strip()
                    elif pname == "timestamp":
                        page["timestamp"] = (part.text or "").strip()
        yield page
        elem.clear()
        if root is not None:
            root.clear()


@register_source
class WikipediaSource(Source):
    source_type: ClassVar[str] = "wikipedia"
    Params = WikipediaParams

    @property
    def source_name(self) -> str:
        return f"wikipedia-{self.params.lang}"

    def _root(self) -> str:
        return self.locate(self.params.path)

    def _files(self) -> list[str]:
        return expand_urls(self._root(), "path", _SUFFIXES)

    def check(self) -> None:
        self._files()

    def plan(self) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = []
        step = max(1, self.params.bytes_per_task)
        for path in self._files():
            fmt = sniff_format(path)
            fs, inner = filesystem(path)
            size = fs.size(inner)
            compressed = path.lower().endswith((".gz", ".bz2"))
            if fmt == "jsonl" and not compressed and size > step:
                for start in range(0, size, step):
                    tasks.append(
                        {"file": str(path), "format": fmt, "start": start, "end": start + step}
                    )
            else:
                tasks.append({"file": str(path), "format": fmt})
        return tasks

    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        path = task["file"]
        rel = relative_name(self._root(), path)
        at = file_time(path)
        count = 0
        for doc in self._documents(task, path, rel, at):
            count += 1
            yield doc
        if count == 0 and "start" not in task:
            yield self._rejected(f"{rel}#empty", at, "empty_file", "no pages or JSON lines")

    def _documents(
        self, task: dict[str, Any], path: str, rel: str, at: datetime
    ) -> Iterator[Document]:
        if task["format"] == "xml":
            pages = 0
            try:
                with open_any(path) as f:
                    for page in dump_pages(f):
                        pages += 1
                        yield self._page_document(page, rel, at)
            except ET.ParseError as exc:  # a cut or broken dump: the rest is one record
                yield self._rejected(f"{rel}#after-{pages}-pages", at, "malformed_xml", str(exc))
            return
        for where, line in self._jsonl_lines(path, task.get("start"), task.get("end")):
            locator = f"{rel}:{where}"
            if line.data is None:
                detail = f"line of {line.size} bytes"
                yield self._rejected(locator, at, "document_too_large", detail)
                continue
            yield self._jsonl_document(line.data, locator, rel, at)

    def _rejected(self, locator: str, at: datetime, reason: str, detail: str) -> Document:
        doc = make_document(
            text="", source=self.source_name, source_id=locator, raw=locator, retrieved_at=at
        )
        doc.metadata["reject_detail"] = f"{locator}: {detail}"[:500]
        return reject(doc, "read", reason)

    def _jsonl_lines(
        self, path: str, start: int | None, end: int | None
    ) -> Iterator[tuple[int | str, Line]]:
        """Non-blank lines (over-long ones unread, ``data`` None) and where they are."""
        with open_any(path) as f:
            if start is None or end is None:
                for line in bounded_lines(f):
                    if line.data is None or line.data.strip():
                        yield line.number, line
                return
            if start > 0:
                f.seek(start - 1)
                # the line holding byte start-1 belongs to the previous range
                next(bounded_lines(f), None)
            lines = bounded_lines(f)
            while (pos := f.tell()) < end:
                line = next(lines, None)
                if line is None:
                    break
                if line.data is None or line.data.strip():
                    yield f"@{pos}", line

    def _jsonl_document(self, raw: bytes, locator: str, rel: str, at: datetime) -> Document:
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict) or not isinstance(obj.get("title"), str):
                raise ValueError("line is not a JSON object with a title")
        except (ValueError, RecursionError) as exc:  # RecursionError: too deeply nested
            doc = make_document(
                text="", source=self.source_name, source_id=locator, raw=raw, retrieved_at=at
            )
            doc.metadata["reject_detail"] = f"{locator}: {exc}"[:500]
            return reject(doc, "read", "malformed_jsonl")
        text = obj.get("text") if isinstance(obj.get("text"), str) else ""
        page = {"title": obj["title"], "ns": "0", "redirect": False, "text": text}
        return self._page_document(page, rel, at, raw=raw)

    def _page_document(
        self, page: dict[str, Any], rel: str, at: datetime, raw: bytes | None = None
    ) -> Document:
        p = self.params
        title = page.get("title") or ""
        url = article_url(p.lang, title)
        wikitext = page["text"]
        revision = (
            f" rev {page['revision']} {page['timestamp']}".rstrip() if page.get("revision") else ""
        )
        doc = make_document(
            text="",
            source=self.source_name,
            source_id=title,
            url=url,
            license=p.license,
            license_evidence=f"{self.source_name}:{rel}{revision}; Wikipedia text license {p.license}",
            attribution=f"Wikipedia contributors, 「{title}」, {url}",
            retrieved_at=at,
            raw=raw if raw is not None else wikitext,
        )
        if page["ns"] != "0":
            doc.metadata["reject_detail"] = f"namespace {page['ns']}"
            return reject(doc, "read", "not_article_namespace")
        if page["redirect"] or wikitext.lstrip().lower().startswith(("#redirect", "#転送")):
            return reject(doc, "read", "redirect")
        doc.text = wikitext if p.markup == "plain" else wikitext_to_text(wikitext)
        return doc
