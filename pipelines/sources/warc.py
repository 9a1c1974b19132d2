"""The ``warc`` source: web pages from WARC/ARC files, license detected per page.

Each HTML page captured in the archive (a ``response`` with HTTP 200, or a
``resource`` record of HTML) becomes one document of source ``web``:

- ``source_id`` and ``url``: the ``WARC-Target-URI``; ``retrieved_at``: the ``WARC-Date``;
- ``raw_sha256``: sha256 of the HTTP payload as stored in the record (what the
  ``WARC-Payload-Digest`` covers, which is verified when present);
- ``text``: the main text by trafilatura;
- ``license`` and ``license_evidence``: read from the raw HTML by
  :func:`licenses.web.assess_page` (where each marker was found, then every opt-out
  check: robots.txt and ``/.well-known/tdmrep.json`` responses found in the same
  archive, the ``tdm-reservation`` and ``X-Robots-Tag`` headers, the page's meta);
- ``attribution``: page title / site name / URL.

A PDF response (``application/pdf``) becomes a document the same way, its text and its
license read from the PDF itself as the ``pdf`` source reads them
(:mod:`pipelines.sources.pdf_extract`, :func:`licenses.pdf.detect_pdf_license`), the
site's opt-out signals checked as for a page; a PDF that yields no text is rejected at
stage ``read`` with the ``pdf`` source's reasons (``no_text_layer``, ``encrypted_pdf`` …).

Records that are not pages (requests, warcinfo, metadata, revisits, redirects and
errors, images, scripts, robots.txt) are not documents and are skipped. A bad page
is a rejected record and the run goes on: stage ``read`` for ``truncated_record``,
``malformed_record`` (no or an unknown ``WARC-Type``, a target URI that is no URL),
``payload_digest_mismatch``, ``payload_too_large``, ``undecodable_bytes``,
``empty_payload``, ``no_main_text``, ``malformed_archive:<error>``,
``duplicate_capture`` (a URL seen earlier in the same file), ``markup_too_deep`` /
``markup_too_large`` (past libxml2's nesting/text limits, where the parser would
silently cut the page), ``empty_file`` (a 0-byte archive); the rest of an archive is one
record ``decompression_bomb`` when it expands past
:data:`~pipelines.sources.limits.MAX_EXPANSION_RATIO`, or
``malformed_archive:HeaderLineTooLong`` when a header line passes
:data:`~pipelines.sources.limits.MAX_HEADER_LINE`, or ``malformed_archive:HeadersTooLarge``
when one record's headers pass :data:`~pipelines.sources.limits.MAX_HEADER_LINES` lines or
:data:`~pipelines.sources.limits.MAX_HEADER_BYTES` bytes; stage ``prefilter`` for
``not_japanese`` (no Japanese in the raw bytes, :mod:`pipelines.sources.prefilter`;
unless ``japanese_prefilter: false``); stage ``optout`` for a
page that reserves its rights (``optout:robots.txt``, ``optout:tdm-reservation``,
``optout:noai``); stage ``license`` for ``no-license``, ``license_unrecognized`` and
``license_conflict``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import posixpath
import re
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any, ClassVar, Literal
from urllib.parse import urlsplit

from lxml import etree
from pydantic import Field
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import (
    StatusAndHeaders,
    StatusAndHeadersParser,
    StatusAndHeadersParserException,
)

from corpus import storage
from corpus.document import Document, make_document, reject
from corpus.text.encoding import UndecodableText, decode_japanese, whatwg_codec
from licenses.html import parse_html
from licenses.optout import AI_AGENTS, RobotsTxt, TdmRep, check_page
from licenses.pdf import detect_pdf_license
from licenses.web import PageAssessment, assess_page
from pipelines.crawler.crawl import PRODUCT_TOKEN
from pipelines.sources.base import Source, SourceParams, register_source
from pipelines.sources.files import DecompressionBomb, InputRejected, expand_urls, open_url
from pipelines.sources.limits import (
    EXPANSION_FLOOR,
    MAX_EXPANSION_RATIO,
    MAX_HEADER_BYTES,
    MAX_HEADER_LINE,
    MAX_HEADER_LINES,
    MAX_HELD_BYTES,
)
from pipelines.sources.markup import parse_html_within_limits
from pipelines.sources.pdf_extract import PdfRejected, extract_pdf
from pipelines.sources.prefilter import REJECT_REASON as PREFILTER_REASON
from pipelines.sources.prefilter import looks_japanese

SOURCE_NAME = "web"
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
#: pages larger than this are rejected unread (a 50 MB page is not a web page we want).
MAX_PAYLOAD_BYTES = 8 * 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")
_READ_CHUNK = 1 << 16
#: robots.txt / tdmrep.json responses larger than this are not read (Google reads 500 KiB)
_SITE_FILE_BYTES = 600 * 1024


class WarcParams(SourceParams):
    type: str = "warc"
    path: str
    """A WARC/ARC file, a folder (searched recursively) or a glob; gzip or plain."""
    name: str = SOURCE_NAME
    """Value of the ``source`` column."""
    max_payload_bytes: int = Field(MAX_PAYLOAD_BYTES, gt=0)
    on_conflict: Literal["stricter", "drop"] = "stricter"
    """Disagreeing license markers on one page: take the stricter license, or drop the page."""
    ai_agents: tuple[str, ...] = AI_AGENTS
    """robots.txt groups honoured as AI-training opt-outs (besides ``*``)."""
    min_text_chars: int = Field(1, ge=0)
    """Pages whose extracted main text is shorter are rejected (``no_main_text``)."""
    japanese_prefilter: bool = True
    """Skip pages whose raw bytes show no Japanese before extraction (stage ``prefilter``,
    reason ``not_japanese``; :mod:`pipelines.sources.prefilter`); ``false`` extracts every
    page (an archive of pages in other languages kept for their licenses, say)."""


@register_source
class WarcSource(Source):
    source_type: ClassVar[str] = "warc"
    Params = WarcParams

    def _files(self) -> list[str]:
        return expand_urls(self.locate(self.params.path), "path", WARC_SUFFIXES)

    def check(self) -> None:
        self._files()

    def plan(self) -> list[dict[str, Any]]:
        return [{"file": str(p)} for p in self._files()]

    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        yield from WarcReader(self.params).read(task["file"])


# --------------------------------------------------------------------------- reading


@dataclass
class _Capture:
    """One HTTP response or resource record, read and checked."""

    url: str
    date: datetime
    status: int | None
    headers: dict[str, str]
    content_type: str
    payload: bytes | None  # None when too large (only hashed)
    payload_sha256: str
    problem: str = ""  # a read-stage reject reason
    detail: str = ""
    target: str | None = None  # the full WARC-Target-URI of a response or resource record


@dataclass
class _Page:
    """A page capture decoded, waiting for its license and opt-out checks."""

    capture: _Capture
    html_text: str
    encoding: str


@dataclass
class _Waiting:
    """A page or PDF whose document needs the archive's site files: ``finish(site)``."""

    finish: Callable[[_SiteFiles], Document]
    size: int  # bytes held for it


@dataclass
class _Stopped:
    """Reading the archive stopped at a bad input (:class:`InputRejected`)."""

    error: InputRejected


#: bytes counted for a held document that does not wait (a rejected record: its metadata)
_HELD_DOCUMENT = 1024


def _release(held: deque[Document | _Waiting], site: _SiteFiles) -> Iterator[Document]:
    """The held documents in order, the waiting ones finished with ``site``."""
    while held:
        item = held.popleft()
        yield item.finish(site) if isinstance(item, _Waiting) else item


@dataclass
class _SiteFiles:
    """robots.txt and tdmrep.json responses found in the archive, by ``scheme://host``."""

    robots: dict[str, RobotsTxt] = field(default_factory=dict)
    tdmrep: dict[str, TdmRep] = field(default_factory=dict)


class WarcReader:
    """Reads one archive file into documents (see the module docstring)."""

    def __init__(self, params: WarcParams) -> None:
        self.params = params

    def read(self, path: str | Path) -> Iterator[Document]:
        """The documents of the archive at ``path`` (a local path or an fsspec URL).

        A page's opt-out check needs the robots.txt and tdmrep.json responses of the
        whole archive, wherever they lie in it. They are collected while the archive is
        read, and the pages and PDFs that need them wait (with every document after them,
        so the order stays the archive's) until the archive is read to its end or to where
        it breaks. When the waiting documents pass :data:`MAX_HELD_BYTES` (an archive of
        mostly Japanese pages), a first pass over the archive finds the site files
        instead (:meth:`_site_files`), and the rest is read page by page.
        """
        path = str(path)
        if storage.size(path) == 0:
            yield self._broken_archive(path, "0 bytes", reason="empty_file")
            return
        found = _SiteFiles()
        site: _SiteFiles | None = None  # the archive's site files, once all are known
        held: deque[Document | _Waiting] = deque()
        held_bytes = 0
        items = self._pages(path, found)
        try:
            while True:
                try:
                    item = next(items)
                except StopIteration:
                    break
                except Exception:  # as the site files of the whole archive would have had it
                    yield from _release(held, site or self._site_files(path))
                    raise
                if isinstance(item, _Stopped):  # the archive broke off here: found them all
                    yield from _release(held, site or found)
                    exc = item.error
                    yield self._broken_archive(path, str(exc), reason=exc.reason)
                    return
                held.append(item)
                if site is None:
                    held_bytes += item.size if isinstance(item, _Waiting) else _HELD_DOCUMENT
                    if held_bytes <= MAX_HELD_BYTES:
                        continue
                    site = self._site_files(path)
                yield from _release(held, site)
            yield from _release(held, site or found)
        except InputRejected as exc:  # one rejected record for the rest
            yield self._broken_archive(path, str(exc), reason=exc.reason)

    def _pages(self, path: str, found: _SiteFiles) -> Iterator[Document | _Waiting | _Stopped]:
        """The archive's documents, those that need its site files as :class:`_Waiting`;
        the robots.txt and tdmrep.json responses met are added to ``found`` on the way,
        as :meth:`_site_files` reads them."""
        seen: set[str] = set()
        records = _records(path, self.params.max_payload_bytes)
        while True:
            try:
                item = next(records)
            except StopIteration:
                return
            except InputRejected as exc:  # a bomb: the first pass stops here too
                yield _Stopped(exc)
                return
            if isinstance(item, str):  # the archive broke: one rejected record for the rest
                yield self._broken_archive(path, item)
                return
            capture = item
            if capture.target is not None and _is_site_file(capture.target):
                self._add_site_file(found, _as_site_file(capture))
            if capture.problem == "malformed_record":
                yield self._page(capture)
                continue
            if _is_pdf(capture) and not capture.problem:
                if capture.url in seen:
                    yield reject(self._bare(capture), "read", "duplicate_capture")
                    continue
                seen.add(capture.url)
                yield _Waiting(partial(self.pdf_document, capture), len(capture.payload or b""))
                continue
            if not _is_page(capture) and not (capture.problem and not capture.content_type):
                continue  # a broken record whose HTTP headers never came may be a page: kept
            if capture.url in seen and not capture.problem:
                doc = self._bare(capture)
                yield reject(doc, "read", "duplicate_capture")
                continue
            seen.add(capture.url)
            page = self._page(capture)
            if isinstance(page, Document):
                yield page
            else:
                yield _Waiting(partial(self._assessed, page), sys.getsizeof(page.html_text))

    def _page(self, capture: _Capture) -> Document | _Page:
        """The page decoded, or its rejection for what its bytes alone tell."""
        if capture.problem:
            doc = self._bare(capture)
            doc.metadata["reject_detail"] = capture.detail
            return reject(doc, "read", capture.problem)
        assert capture.payload is not None
        body, cut = _decoded_body(capture.payload, capture.headers, self.params.max_payload_bytes)
        if cut:
            doc = self._bare(capture)
            doc.metadata["reject_detail"] = (
                f"Content-Encoding {capture.headers.get('Content-Encoding', '')!r}: "
                f"decoded body > {self.params.max_payload_bytes} bytes"
            )
            return reject(doc, "read", "payload_too_large")
        if not body.strip():
            return reject(self._bare(capture), "read", "empty_payload")
        declared = _declared_charset(capture.content_type, body)
        if self.params.japanese_prefilter:
            verdict = looks_japanese(body, declared)
            if not verdict.japanese:
                doc = self._bare(capture)
                doc.metadata["reject_detail"] = verdict.detail
                return reject(doc, "prefilter", PREFILTER_REASON)
            declared = verdict.charset  # where the kana were: beats a wrong declaration
        try:
            html_text, encoding = decode_japanese(body, declared)
        except UndecodableText as exc:
            doc = self._bare(capture)
            doc.metadata["reject_detail"] = str(exc)
            return reject(doc, "read", "undecodable_bytes")
        return _Page(replace(capture, payload=None), html_text, encoding)  # bytes done with

    def _assessed(self, page: _Page, site: _SiteFiles) -> Document:
        """The document of a decoded page: its license, opt-out signals and main text."""
        capture, html_text, encoding = page.capture, page.html_text, page.encoding
        try:
            root = parse_html_within_limits(html_text, capture.url)
        except InputRejected as exc:
            doc = self._bare(capture)
            doc.metadata["reject_detail"] = str(exc)[:1000]
            return reject(doc, "read", exc.reason)
        except (etree.ParserError, ValueError):
            root = None
        origin = _origin(capture.url)
        assessment = assess_page(
            capture.url,
            html_text,
            capture.headers,
            robots=site.robots.get(origin),
            tdmrep=site.tdmrep.get(origin),
            agents=(PRODUCT_TOKEN, *self.params.ai_agents),
            on_conflict=self.params.on_conflict,
        )
        text, title, site_name = _main_text(html_text, capture.url, root)
        doc = make_document(
            text=text,
            source=self.params.name,
            source_id=capture.url,
            url=capture.url,
            license=assessment.license,
            license_evidence=assessment.license_evidence,
            attribution=_attribution(title, site_name, capture.url),
            retrieved_at=capture.date,
            raw=b"",
            optout_checks=str(assessment.optout),
            http_charset=encoding,
        )
        doc.metadata["raw_sha256"] = capture.payload_sha256
        return _verdict(doc, assessment, len(text), self.params.min_text_chars)

    def pdf_document(self, capture: _Capture, site: _SiteFiles) -> Document:
        """The document for one PDF response: its text layer, its license from the PDF
        itself (:func:`licenses.pdf.detect_pdf_license`) and the site's opt-out signals."""
        assert capture.payload is not None
        body, cut = _decoded_body(capture.payload, capture.headers, self.params.max_payload_bytes)
        if cut:
            return reject(self._bare(capture), "read", "payload_too_large")
        try:
            pdf = extract_pdf(body)
        except PdfRejected as exc:
            doc = self._bare(capture)
            doc.metadata["reject_detail"] = str(exc)[:1000]
            return reject(doc, "read", exc.reason)
        origin = _origin(capture.url)
        optout = check_page(
            capture.url,
            capture.headers,
            None,
            robots=site.robots.get(origin),
            tdmrep=site.tdmrep.get(origin),
            agents=(PRODUCT_TOKEN, *self.params.ai_agents),
        )
        found = detect_pdf_license(pdf.pages, pdf.info, pdf.xmp, pdf.links)
        evidence = f"{found.evidence or 'pdf:none'} | optout: {optout}"
        title = pdf.info.get("Title", "").strip()
        doc = make_document(
            text=pdf.text,
            source=self.params.name,
            source_id=capture.url,
            url=capture.url,
            license=found.license,
            license_evidence=evidence,
            attribution=_attribution(title, urlsplit(capture.url).hostname or "", capture.url),
            retrieved_at=capture.date,
            raw=b"",
            optout_checks=str(optout),
        )
        doc.metadata["raw_sha256"] = capture.payload_sha256
        doc.metadata["pdf_page_offsets"] = pdf.page_offsets()
        if optout.reason:
            doc.metadata["reject_detail"] = str(optout.reserved)
            return reject(doc, "optout", optout.reason)
        if found.license is None:
            return reject(doc, "license", "no-license")
        return doc

    def _bare(self, capture: _Capture) -> Document:
        doc = make_document(
            text="",
            source=self.params.name,
            source_id=capture.url,
            url=capture.url,
            retrieved_at=capture.date,
            raw=b"",
        )
        doc.metadata["raw_sha256"] = capture.payload_sha256
        return doc

    def _broken_archive(self, path: str, error: str, reason: str = "") -> Document:
        """One rejected record for the rest of an archive that cannot be read further."""
        reason = reason or f"malformed_archive:{error.split(':', 1)[0]}"
        locator = f"{posixpath.basename(path)}#{reason}"
        doc = make_document(
            text="", source=self.params.name, source_id=locator, url="", raw=locator
        )
        doc.metadata["reject_detail"] = f"{path}: {error}"[:1000]
        return reject(doc, "read", reason)

    def _site_files(self, path: str) -> _SiteFiles:
        """First pass: the robots.txt and tdmrep.json responses in this archive."""
        site = _SiteFiles()
        try:
            for item in _records(path, _SITE_FILE_BYTES, only=_is_site_file):
                if isinstance(item, str):
                    break
                self._add_site_file(site, item)
        except InputRejected:  # the second pass meets it again and records it
            pass
        return site

    @staticmethod
    def _add_site_file(site: _SiteFiles, item: _Capture) -> None:
        origin = _origin(item.url)
        # like Google, read the first 500 KiB of robots.txt and ignore the rest
        body, _ = _decoded_body(item.payload or b"", item.headers, _SITE_FILE_BYTES)
        if urlsplit(item.url).path == "/robots.txt":
            site.robots.setdefault(origin, RobotsTxt.from_response(item.status, body))
        elif item.status == 200:
            site.tdmrep.setdefault(origin, TdmRep.parse(body))
        else:
            site.tdmrep.setdefault(origin, TdmRep())


def _as_site_file(capture: _Capture) -> _Capture:
    """``capture`` as :meth:`WarcReader._site_files` reads it (bodies past
    ``_SITE_FILE_BYTES`` are not kept there)."""
    if capture.payload is not None and len(capture.payload) > _SITE_FILE_BYTES:
        return replace(capture, payload=None)
    return capture


def _verdict(doc: Document, a: PageAssessment, text_chars: int, min_chars: int) -> Document:
    if a.optout.reason:
        doc.metadata["reject_detail"] = str(a.optout.reserved)
        return reject(doc, "optout", a.optout.reason)
    if a.drop_reason:
        doc.metadata["reject_detail"] = a.license_evidence[:1000]
        return reject(doc, "license", a.drop_reason)
    if text_chars < min_chars:
        return reject(doc, "read", "no_main_text")
    return doc


def _is_page(c: _Capture) -> bool:
    """An HTML page answered with 200 (or a resource record of HTML), not a site file."""
    return (
        c.status in (200, None)
        and c.content_type.split(";")[0].strip().lower() in HTML_TYPES
        and not _is_site_file(c.url)
    )


def _is_pdf(c: _Capture) -> bool:
    """A PDF answered with 200 (or a resource record of a PDF)."""
    return c.status in (200, None) and c.content_type.split(";")[0].strip().lower() in PDF_TYPES


def _is_site_file(url: str) -> bool:
    """A robots.txt or tdmrep.json URL; a URL that does not parse is not one (and does not
    stop the site files after it from being read)."""
    try:
        return urlsplit(url).path in ("/robots.txt", "/.well-known/tdmrep.json")
    except ValueError:
        return False


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def _records(path: str, max_payload: int, only: Any = None) -> Iterator[_Capture | str]:
    """Response/resource captures of an archive; a ``str`` (the error) if the file breaks.

    A gzip file that is one single member (not per-record gzip) is read again as one
    decompressed stream, skipping the records already read. :class:`InputRejected`
    (a decompression bomb, an over-long header line) is raised, not yielded.
    """
    done = 0
    try:
        with storage.open_read(path) as f:
            for capture in _iterate(f, max_payload, only):
                done += 1
                yield capture
        return
    except InputRejected:
        raise
    except ArchiveLoadFailed as exc:
        message = " ".join(str(exc).split())
        if "non-chunked gzip" not in message:
            yield f"ArchiveLoadFailed: {message}"[:500]
            return
    except Exception as exc:  # noqa: BLE001 — warcio fails on broken input in many ways
        yield f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:500]
        return
    try:  # one gzip member around the whole file: read it as a plain stream
        with open_url(path) as f:
            for i, capture in enumerate(_iterate(f, max_payload, only)):
                if i >= done:
                    yield capture
    except InputRejected:
        raise
    except Exception as exc:  # noqa: BLE001
        yield f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:500]


class _CountingFile(io.RawIOBase):
    """The archive file as warcio reads it, checking warcio's output against its input.

    warcio inflates each 16 KiB block it reads; before handing it the next block this
    raises :class:`DecompressionBomb` when the bytes decompressed so far pass
    :data:`EXPANSION_FLOOR` and :data:`MAX_EXPANSION_RATIO` times the bytes read.
    """

    def __init__(self, raw: IO[bytes], name: str) -> None:
        self._raw = raw
        self.name = name
        self.count = 0
        self.reader: DecompressingBufferedReader | None = None

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._raw.tell()

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        produced = self.reader.tell() if self.reader is not None else 0
        if produced > EXPANSION_FLOOR and produced > MAX_EXPANSION_RATIO * max(self.count, 1):
            raise DecompressionBomb(
                f"{self.name}: {produced} bytes out of {self.count} compressed bytes "
                f"(more than {MAX_EXPANSION_RATIO}x); decompression stopped"
            )
        data = self._raw.read(size)
        self.count += len(data)
        return data


class _BoundedLineReader(DecompressingBufferedReader):
    """warcio's reader with header lines bounded: each by :data:`MAX_HEADER_LINE`, and per
    record by :data:`MAX_HEADER_LINES` and :data:`MAX_HEADER_BYTES` (:meth:`next_record`
    starts the count again).

    warcio reads WARC and HTTP header lines without a length limit (and by repeated
    concatenation, quadratic in the line's length), and as many as come; a line without
    end, or a record with endless headers, is malformed.

    A line that ends inside the current decompressed block (nearly every header line) is
    taken from the block in one call; any other is read again by :meth:`_readline`, which
    goes through warcio's buffer filling: the same line either way.
    """

    header_lines = 0
    header_bytes = 0

    def next_record(self) -> None:
        self.header_lines = self.header_bytes = 0

    def readline(self, length: int | None = None) -> bytes:
        buff = self.buff
        if buff is not None and length != 0 and buff.tell() < self.buff_size:
            limit = MAX_HEADER_LINE + 1 if length is None or length > MAX_HEADER_LINE else length
            line = buff.readline(limit)
            if not (line.endswith(b"\n") or len(line) >= limit):
                buff.seek(-len(line), io.SEEK_CUR)  # the line goes on in the next block
                line = self._readline(length)
            elif limit > MAX_HEADER_LINE and len(line) > MAX_HEADER_LINE:
                raise HeaderLineTooLong(f"a header line longer than {MAX_HEADER_LINE} bytes")
        else:
            line = self._readline(length)
        self.header_lines += 1
        self.header_bytes += len(line)
        if self.header_lines > MAX_HEADER_LINES or self.header_bytes > MAX_HEADER_BYTES:
            raise HeadersTooLarge(
                f"a record with more than {MAX_HEADER_LINES} header lines "
                f"or {MAX_HEADER_BYTES} header bytes"
            )
        return line

    def _readline(self, length: int | None) -> bytes:
        if length is not None and length <= MAX_HEADER_LINE:
            return super().readline(length)
        parts: list[bytes] = []
        size = 0
        while size <= MAX_HEADER_LINE:  # warcio's readline(n) may stop short of n: loop
            part = super().readline(MAX_HEADER_LINE + 1 - size)
            if not part:
                break
            parts.append(part)
            size += len(part)
            if part.endswith(b"\n"):
                break
        if size > MAX_HEADER_LINE:
            raise HeaderLineTooLong(f"a header line longer than {MAX_HEADER_LINE} bytes")
        return b"".join(parts)


def _decode_header(line: bytes | str) -> str:
    """warcio's ``StatusAndHeadersParser.decode_header``: UTF-8, else ISO-8859-1."""
    if isinstance(line, bytes):
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError:
            return line.decode("iso-8859-1")
    return line


class _HeaderParser(StatusAndHeadersParser):
    """warcio's status-line-and-headers parser, line for line the same result (the same
    lines read, the same :class:`StatusAndHeaders`, the same errors) in fewer Python calls
    per line: parsing every WARC and HTTP header was most of reading an archive."""

    def parse(self, stream: Any, full_statusline: bytes | str | None = None) -> StatusAndHeaders:
        readline = stream.readline
        if full_statusline is None:
            full_statusline = readline()
        full_statusline = _decode_header(full_statusline)
        statusline = full_statusline.rstrip()
        total_read = len(full_statusline)
        headers: list[tuple[str, str]] = []
        if total_read == 0:
            raise EOFError()
        if not statusline:
            return _status_and_headers(statusline, headers, "", total_read)
        if self.verify:
            protocol_status = self.split_prefix(statusline, self.statuslist)
            if not protocol_status:
                msg = "Expected Status Line starting with {0} - Found: {1}"
                msg = msg.format(self.statuslist, statusline)
                raise StatusAndHeadersParserException(msg, full_statusline)
        else:
            protocol_status = statusline.split(" ", 1)
        raw = _decode_header(readline())
        total_read += len(raw)
        line = raw.rstrip()
        while line:
            name, colon, value = line.partition(":")
            if colon:
                name = name.rstrip(" \t")
                value = value.lstrip()
            raw = _decode_header(readline())
            total_read += len(raw)
            next_line = raw.rstrip()
            while next_line and next_line[0] in " \t":  # continuation lines
                if colon:
                    value += next_line
                raw = _decode_header(readline())
                total_read += len(raw)
                next_line = raw.rstrip()
            if colon:
                headers.append((name, value))
            line = next_line
        statusline = protocol_status[1].strip() if len(protocol_status) > 1 else ""
        return _status_and_headers(statusline, headers, protocol_status[0], total_read)


def _status_and_headers(
    statusline: str, headers: list[tuple[str, str]], protocol: str, total_len: int
) -> StatusAndHeaders:
    """``StatusAndHeaders(statusline, headers, protocol, total_len)`` for ``str`` headers
    (its constructor copies them through a bytes-to-str conversion they do not need)."""
    parsed = StatusAndHeaders.__new__(StatusAndHeaders)
    parsed.statusline = statusline
    parsed.headers = headers
    parsed.protocol = protocol
    parsed.total_len = total_len
    parsed.headers_buff = None
    return parsed


class HeadersTooLarge(ValueError):
    """A record of the archive has more header lines or bytes than a real one ever has."""


class HeaderLineTooLong(ValueError):
    """The archive holds a header line longer than :data:`MAX_HEADER_LINE`."""


def _archive_records(stream: IO[bytes]) -> ArchiveIterator:
    """warcio's iterator over ``stream``, with decompression and header lines bounded."""
    counting = _CountingFile(stream, getattr(stream, "name", "archive"))
    records = ArchiveIterator(counting, arc2warc=True, check_digests=False)
    records.reader = _BoundedLineReader(records.fh)  # fh: ``counting``, maybe wrapped
    loader = records.loader
    for name in ("warc_parser", "http_parser", "http_req_parser"):
        parser = getattr(loader, name)
        setattr(loader, name, _HeaderParser(parser.statuslist, parser.verify))
    counting.reader = records.reader
    return records


def _iterate(stream: IO[bytes], max_payload: int, only: Any = None) -> Iterator[_Capture]:
    records = _archive_records(stream)
    seen = 0
    for record in records:
        records.reader.next_record()
        seen += 1
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        if record.rec_type not in _RECORD_TYPES:  # no or an unknown WARC-Type: a cut header
            if only is None:
                yield _malformed(record, url, f"WARC-Type {record.rec_type!r}")
            continue
        if record.rec_type not in ("response", "resource"):
            continue
        if only is not None and not only(url):
            continue
        if not _is_http_url(url):
            malformed = _malformed(record, url, "target URI is not an http(s) URL")
            malformed.target = url
            yield malformed
            continue
        yield _capture(record, url, max_payload)
    if not seen:  # bytes, but not one record: not an archive (never silently nothing)
        raise ArchiveLoadFailed("no WARC or ARC record in the file")


_RECORD_TYPES = frozenset(
    {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion",
     "continuation"}
)  # fmt: skip
"""WARC 1.1 §6 record types (ARC records come through warcio as ``response``)."""


def _is_http_url(url: str) -> bool:
    if not re.match(r"^https?://[^\s/]+", url, re.I):
        return False
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:  # "https://[::1": not a URL
        return False


def _malformed(record: ArcWarcRecord, url: str, detail: str) -> _Capture:
    date = _warc_date(record.rec_headers.get_header("WARC-Date"))
    return _Capture(url[:200], date, None, {}, "", None, "", "malformed_record", detail)


def _capture(record: ArcWarcRecord, url: str, max_payload: int) -> _Capture:
    headers: dict[str, str] = {}
    status: int | None = None
    if record.http_headers is not None and record.rec_type == "response":
        headers = {k: v for k, v in record.http_headers.headers}
        try:
            status = int(record.http_headers.get_statuscode())
        except (TypeError, ValueError):
            status = None
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    date = _warc_date(record.rec_headers.get_header("WARC-Date"))
    sha256, sha1 = hashlib.sha256(), hashlib.sha1()
    kept = bytearray()
    size = 0
    stream = record.raw_stream
    while chunk := stream.read(_READ_CHUNK):
        size += len(chunk)
        sha256.update(chunk)
        sha1.update(chunk)
        if size <= max_payload:
            kept += chunk
    capture = _Capture(url, date, status, headers, content_type, bytes(kept), sha256.hexdigest())
    capture.target = url
    remaining = getattr(stream, "limit", 0) or 0
    truncated_header = record.rec_headers.get_header("WARC-Truncated")
    promised = _http_content_length(headers)
    if remaining > 0 or truncated_header:
        capture.problem = "truncated_record"
        capture.detail = (
            f"WARC-Truncated: {truncated_header}"
            if truncated_header
            else f"{remaining} bytes missing"
        )
    elif promised is not None and size < promised:  # the server closed early, unflagged
        capture.problem = "truncated_record"
        capture.detail = f"HTTP Content-Length {promised}, {size} bytes stored"
    elif size > max_payload:
        capture.problem, capture.detail = "payload_too_large", f"{size} bytes > {max_payload}"
    elif not _digest_matches(record.rec_headers.get_header("WARC-Payload-Digest"), sha1, sha256):
        capture.problem = "payload_digest_mismatch"
        capture.detail = (
            f"WARC-Payload-Digest {record.rec_headers.get_header('WARC-Payload-Digest')}"
        )
    if capture.problem:
        capture.payload = None
    return capture


def _http_content_length(headers: dict[str, str]) -> int | None:
    """The HTTP ``Content-Length`` of an identity-transferred response, if it has one."""
    lower = {k.lower(): v for k, v in headers.items()}
    if "chunked" in (lower.get("transfer-encoding") or "").lower():
        return None
    value = (lower.get("content-length") or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def _digest_matches(header: str | None, sha1: Any, sha256: Any) -> bool:
    """Whether ``WARC-Payload-Digest`` (sha1/sha256, base32 or hex) matches; ``True`` if absent or unknown."""
    if not header or ":" not in header:
        return True
    algorithm, value = header.split(":", 1)
    digest = {"sha1": sha1, "sha256": sha256}.get(algorithm.strip().lower())
    if digest is None:
        return True
    value = value.strip()
    raw = digest.digest()
    return value.upper() == base64.b32encode(raw).decode() or value.lower() == raw.hex()


def _warc_date(value: str | None) -> datetime:
    if value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            pass
    return datetime(1970, 1, 1, tzinfo=UTC)


def _decoded_body(payload: bytes, headers: dict[str, str], limit: int) -> tuple[bytes, bool]:
    """The entity body (chunked transfer coding and gzip/deflate/br content coding removed)
    cut at ``limit`` bytes, and whether it was longer — a page that is a decompression
    bomb is cut off there, never inflated whole."""
    lower = {k.lower(): v for k, v in headers.items()}
    encoding = (lower.get("content-encoding") or "").strip().lower() or None
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    try:
        if (lower.get("transfer-encoding") or "").strip().lower() == "chunked":
            body = ChunkedDataReader(io.BytesIO(payload), decomp_type=encoding).read(limit + 1)
        elif encoding:
            body = BufferedReader(io.BytesIO(payload), decomp_type=encoding).read(limit + 1)
        else:
            body = payload
    except Exception:  # noqa: BLE001 — a broken coding is left to decoding, which rejects it
        body = payload
    return body[:limit], len(body) > limit


_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _declared_charset(content_type: str, body: bytes) -> str | None:
    """The charset named by the HTTP Content-Type, else by the page's first ``<meta>``."""
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type or "", re.I)
    if m:
        return m[1]
    m = _META_CHARSET_RE.search(body[:8192])
    if not m:
        return None
    label = m[1].decode("ascii")
    codec = whatwg_codec(label) or ""
    return "utf-8" if codec.startswith("utf-16") else label  # WHATWG prescan: ASCII markup


def _main_text(html_text: str, url: str, root: Any = None) -> tuple[str, str, str]:
    """``(main text, title, site name)``; the text is empty when the page has none.

    ``root`` is the page's parsed tree when the caller has it (title and site name).
    """
    import trafilatura

    text = trafilatura.extract(
        html_text,
        url=url,
        include_comments=False,
        include_tables=True,
        include_links=False,
        favor_precision=True,
        deduplicate=False,
    )
    if root is None:
        root = parse_html(html_text)
    title = site = ""
    if root is not None:
        found = root.find(".//title")
        title = " ".join((found.text_content() if found is not None else "").split())
        for meta in root.iter("meta"):
            if (meta.get("property") or meta.get("name") or "").lower() == "og:site_name":
                site = " ".join((meta.get("content") or "").split())
                break
    return (text or "").strip(), title, site or urlsplit(url).hostname or ""


def _attribution(title: str, site: str, url: str) -> str:
    """Title / site / URL, the credit line CC BY and the government terms ask for."""
    return " / ".join(p for p in (title, site, url) if p)
