"""The ``crawl`` source: fetch seed pages politely, save every response as WARC, read it back.

The crawl (:mod:`pipelines.crawler`) runs as one task: robots.txt and
``/.well-known/tdmrep.json`` first for each site, a per-host rate limit, caps on
pages and bytes, http/https only, public addresses only (unless
``allow_private_addresses``, for tests on a local server). The WARC written to
``warc_out`` is then read by the ``warc`` source's reader, so a crawled page becomes
a document exactly as an archived one does. URLs the crawler did not fetch or that
gave no HTML page are rejected records: stage ``optout`` (``optout:robots.txt``,
``optout:tdm-reservation``) or ``crawl`` (``address_refused:<kind>``,
``scheme_refused``, ``bad_url`` (not a URL even after IRI percent-encoding), ``dns_error``,
``fetch_error`` (also a fetch past its ``timeout_s`` deadline), ``http_status:<code>``,
``not_html``, ``too_many_redirects``, ``crawl_delay_too_long`` (robots.txt asks for a
``Crawl-delay`` over ``max_crawl_delay_s``: every URL of the host), ``cap_reached:<cap>``
for seeds left over; ``crawl_error:<type>`` if the crawl itself fails, after which the
pages already fetched are read all the same). A page cut short (the byte cap, the
deadline, or the server closing before its ``Content-Length``) is written with
``WARC-Truncated`` and rejected by the reader as ``truncated_record``: a page's license
statement is usually in its footer, so its first part alone cannot be trusted to carry
the license it would show in full.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from corpus.document import Document, make_document, reject
from licenses.optout import AI_AGENTS
from pipelines.crawler import CrawlConfig, Crawler
from pipelines.crawler.crawl import MAX_CRAWL_DELAY_S, USER_AGENT
from pipelines.errors import ConfigError
from pipelines.sources.base import Source, SourceParams, register_source
from pipelines.sources.warc import MAX_PAYLOAD_BYTES, SOURCE_NAME, WarcParams, WarcReader


class CrawlParams(SourceParams):
    type: str = "crawl"
    seeds: list[str] = Field(min_length=1)
    """Start URLs (http/https)."""
    warc_out: str
    """Folder (or ``.warc.gz`` file) where the crawl's WARC is written."""
    max_pages: int = Field(100, ge=1)
    max_bytes: int = Field(200 * 1024 * 1024, ge=1)
    rate_per_host: float = Field(1.0, gt=0)
    """Requests per second to one host, at most."""
    max_page_bytes: int = Field(MAX_PAYLOAD_BYTES, ge=1)
    follow_links: bool = False
    max_depth: int = Field(1, ge=0)
    timeout_s: float = Field(20.0, gt=0)
    """Total seconds for one request (connect, headers and body together)."""
    max_crawl_delay_s: float = Field(MAX_CRAWL_DELAY_S, gt=0)
    """A host asking for a longer robots.txt ``Crawl-delay`` is skipped."""
    allow_private_addresses: bool = False
    """Only for tests against a local server: allow loopback/private/link-local addresses."""
    user_agent: str = USER_AGENT
    ai_agents: tuple[str, ...] = AI_AGENTS
    name: str = SOURCE_NAME
    on_conflict: Literal["stricter", "drop"] = "stricter"

    @field_validator("seeds")
    @classmethod
    def _http_only(cls, seeds: list[str]) -> list[str]:
        for seed in seeds:
            if not seed.lower().startswith(("http://", "https://")):
                raise ValueError(f"seed is not an http(s) URL: {seed!r}")
        return seeds


@register_source
class CrawlSource(Source):
    source_type: ClassVar[str] = "crawl"
    Params = CrawlParams

    def _warc_path(self) -> Path:
        out = self.resolve(self.params.warc_out)
        if out.name.endswith((".warc.gz", ".warc")):
            return out
        key = hashlib.sha256(json.dumps(self.params.seeds).encode()).hexdigest()[:12]
        return out / f"crawl-{key}.warc.gz"

    def check(self) -> None:
        parent = self._warc_path().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError("warc_out", f"cannot create {parent}: {exc}") from exc

    def plan(self) -> list[dict[str, Any]]:
        return [{"warc": str(self._warc_path())}]

    def config(self) -> CrawlConfig:
        p = self.params
        return CrawlConfig(
            max_pages=p.max_pages,
            max_bytes=p.max_bytes,
            max_page_bytes=p.max_page_bytes,
            rate_per_host=p.rate_per_host,
            follow_links=p.follow_links,
            max_depth=p.max_depth,
            timeout_s=p.timeout_s,
            max_crawl_delay_s=p.max_crawl_delay_s,
            allow_private_addresses=p.allow_private_addresses,
            ai_agents=p.ai_agents,
            user_agent=p.user_agent,
        )

    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        warc = Path(task["warc"])
        crawler = Crawler(self.config())
        now = datetime.now(UTC).replace(microsecond=0)
        try:
            report = crawler.run(self.params.seeds, warc)
        except Exception as exc:  # noqa: BLE001 — the pages fetched so far are still read
            report = crawler.report
            doc = make_document(
                text="", source=self.params.name, source_id=f"{warc.name}#crawl", retrieved_at=now
            )
            doc.metadata["reject_detail"] = f"{type(exc).__name__}: {exc}"[:1000]
            yield reject(doc, "crawl", f"crawl_error:{type(exc).__name__}")
            if report is None or not warc.is_file():
                return
        for skip in report.skipped:
            doc = make_document(
                text="", source=self.params.name, source_id=skip.url, url=skip.url, retrieved_at=now
            )
            doc.metadata["reject_detail"] = skip.detail[:1000]
            yield reject(doc, skip.stage, skip.reason)
        reader = WarcReader(
            WarcParams(
                path=str(warc),
                name=self.params.name,
                max_payload_bytes=self.params.max_page_bytes,
                on_conflict=self.params.on_conflict,
                ai_agents=self.params.ai_agents,
                japanese_prefilter=False,  # the seeds are the sites chosen: every page is read
            )
        )
        yield from reader.read(warc)
