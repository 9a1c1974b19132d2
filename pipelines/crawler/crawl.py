"""The crawl loop: seeds (and optionally their same-site links), politely, into one WARC."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from corpus.text.encoding import UndecodableText, decode_japanese
from corpus.urls import BadUrl, to_uri
from licenses.html import parse_html
from licenses.optout import AI_AGENTS, RobotsTxt, TdmRep
from pipelines.crawler.addresses import AddressPolicy, AddressRefused
from pipelines.crawler.fetch import Fetcher, FetchResult
from pipelines.crawler.politeness import HostRateLimiter
from pipelines.crawler.warc_out import WarcRecorder

__all__ = ["CrawlConfig", "CrawlSkip", "CrawlReport", "Crawler", "USER_AGENT", "PRODUCT_TOKEN"]

#: our robots.txt product token (RFC 9309 §2.2.1) and User-Agent header.
PRODUCT_TOKEN = "jpcorpus"
USER_AGENT = (
    f"Mozilla/5.0 (compatible; {PRODUCT_TOKEN}/0.1; corpus crawler honouring robots.txt and TDMRep)"
)
#: RFC 9309 §2.3.1.2: follow at least five consecutive redirects for robots.txt.
MAX_REDIRECTS = 5
_HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_CRAWL_DELAY_S = 60.0
"""The longest robots.txt ``Crawl-delay`` honoured by waiting (seconds)."""


class CrawlConfig(BaseModel):
    """How far and how politely to crawl."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    max_pages: int = Field(100, ge=1)
    """Pages fetched at most (robots.txt and tdmrep.json not counted)."""
    max_bytes: int = Field(200 * 1024 * 1024, ge=1)
    """Response bytes fetched at most, all requests together."""
    max_page_bytes: int = Field(8 * 1024 * 1024, ge=1)
    """A response body is cut here and its record marked ``WARC-Truncated``."""
    rate_per_host: float = Field(1.0, gt=0)
    """Requests per second to one host, at most (a larger robots.txt Crawl-delay wins)."""
    follow_links: bool = False
    """Also fetch links found on fetched pages (same host only), breadth first."""
    max_depth: int = Field(1, ge=0)
    timeout_s: float = Field(20.0, gt=0)
    """Total time for one request: connecting, headers and body together."""
    max_crawl_delay_s: float = Field(MAX_CRAWL_DELAY_S, gt=0)
    """A host whose robots.txt asks for a longer ``Crawl-delay`` is not crawled at all (its
    URLs are skipped as ``crawl_delay_too_long``): waiting would stall the crawl, and
    asking faster than the host allows is not polite."""
    allow_private_addresses: bool = False
    """Allow loopback/private/link-local addresses: for tests against a local server only."""
    ai_agents: tuple[str, ...] = AI_AGENTS
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class CrawlSkip:
    """A URL the crawler did not turn into a page, and why (becomes a rejected record)."""

    url: str
    stage: str  # crawl | optout
    reason: str
    detail: str = ""


@dataclass
class CrawlReport:
    warc: Path
    pages: int = 0
    bytes: int = 0
    requests: int = 0
    skipped: list[CrawlSkip] = field(default_factory=list)


@dataclass
class _Site:
    robots: RobotsTxt
    tdmrep: TdmRep
    refused: CrawlSkip | None = None
    """Why none of the site's pages is fetched (a ``Crawl-delay`` over the cap)."""


class Crawler:
    """Fetches ``seeds`` into ``warc_path``; see the package docstring for the rules."""

    def __init__(
        self,
        config: CrawlConfig,
        limiter: HostRateLimiter | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.config = config
        self.limiter = limiter or HostRateLimiter(config.rate_per_host)
        self.fetcher = fetcher or Fetcher(
            config.user_agent,
            AddressPolicy(allow_private=config.allow_private_addresses),
            timeout=config.timeout_s,
            max_body_bytes=config.max_page_bytes,
        )
        self._sites: dict[str, _Site] = {}
        self._visited: set[str] = set()
        self.report: CrawlReport | None = None

    @property
    def agents(self) -> tuple[str, ...]:
        return (PRODUCT_TOKEN, *self.config.ai_agents)

    def run(self, seeds: Iterable[str], warc_path: Path) -> CrawlReport:
        """Crawl into ``warc_path``. The report so far stays in :attr:`report` if this raises."""
        report = self.report = CrawlReport(warc_path)
        queue: deque[tuple[str, int, bool]] = deque()
        queued: set[str] = set()
        for seed in seeds:
            url = self._uri(seed, report)
            if url and url not in queued:
                queued.add(url)
                queue.append((url, 0, True))
        with WarcRecorder(warc_path) as warc:
            while queue:
                url, depth, is_seed = queue.popleft()
                if report.pages >= self.config.max_pages or report.bytes >= self.config.max_bytes:
                    if is_seed:
                        cap = "max_pages" if report.pages >= self.config.max_pages else "max_bytes"
                        report.skipped.append(CrawlSkip(url, "crawl", f"cap_reached:{cap}"))
                    continue
                page = self._page(url, warc, report)
                if page is None or not self.config.follow_links or depth >= self.config.max_depth:
                    continue
                for href in _links(page):
                    link = self._uri(href, report)
                    if link and link not in queued and _same_host(link, url):
                        queued.add(link)
                        queue.append((link, depth + 1, False))
        return report

    # ------------------------------------------------------------------ one page

    @staticmethod
    def _uri(url: str, report: CrawlReport) -> str | None:
        """``url`` as the URI to fetch (IRIs percent-encoded); a bad one is skipped alone."""
        try:
            return to_uri(url)
        except BadUrl as exc:
            report.skipped.append(CrawlSkip(url[:2000], "crawl", exc.reason, str(exc)))
            return None

    def _page(self, url: str, warc: WarcRecorder, report: CrawlReport) -> FetchResult | None:
        """Fetch one page (following redirects, each hop vetted); the 200 HTML result or None."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if current in self._visited:
                return None  # reached again through another redirect: fetched once
            self._visited.add(current)
            try:
                site = self._site(current, warc, report)
            except AddressRefused as exc:
                report.skipped.append(CrawlSkip(current, "crawl", exc.reason, str(exc)))
                return None
            if site.refused is not None:
                report.skipped.append(replace(site.refused, url=current))
                return None
            robots = site.robots.check(current, self.agents)
            if robots.reserved:
                report.skipped.append(
                    CrawlSkip(current, "optout", "optout:robots.txt", robots.detail)
                )
                return None
            reservation = site.tdmrep.reservation(current)
            if reservation is not None and reservation[0] == 1:
                report.skipped.append(
                    CrawlSkip(current, "optout", "optout:tdm-reservation", "tdmrep.json")
                )
                return None
            result = self._fetch(current, warc, report, self.config.max_page_bytes)
            if result is None:
                return None
            report.pages += 1
            if result.error:
                report.skipped.append(CrawlSkip(current, "crawl", "fetch_error", result.error))
                return None
            if result.status in (301, 302, 303, 307, 308) and result.location:
                current = self._uri(_joined(current, result.location), report)
                if current is None:
                    return None
                continue
            if result.status != 200:
                report.skipped.append(CrawlSkip(current, "crawl", f"http_status:{result.status}"))
                return None
            kind = result.header("content-type").split(";")[0].strip().lower()
            if kind not in _HTML_TYPES:
                report.skipped.append(CrawlSkip(current, "crawl", "not_html", kind or "no type"))
                return None
            return result
        report.skipped.append(CrawlSkip(url, "crawl", "too_many_redirects"))
        return None

    def _fetch(
        self, url: str, warc: WarcRecorder, report: CrawlReport, cap: int
    ) -> FetchResult | None:
        """One polite request, recorded in the WARC. Raises :class:`AddressRefused`."""
        host = (urlsplit(url).hostname or "").lower()
        self.limiter.wait(host)
        try:
            result = self.fetcher.get(url, max_body_bytes=cap)
        except AddressRefused as exc:
            report.skipped.append(CrawlSkip(url, "crawl", exc.reason, str(exc)))
            return None
        finally:
            self.limiter.done(host)
        report.requests += 1
        report.bytes += len(result.body)
        warc.record(result)
        return result

    # ------------------------------------------------------------------ per site

    def _site(self, url: str, warc: WarcRecorder, report: CrawlReport) -> _Site:
        """robots.txt and tdmrep.json of ``url``'s origin, fetched once, before any page."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        site = self._sites.get(origin)
        if site is None:
            self.fetcher.addresses.vet(url)  # refuse before asking anything of the host
            robots = self._robots(origin, warc, report)
            host = (parts.hostname or "").lower()
            delays = [d for a in self.agents if (d := robots.crawl_delay(a)) is not None]
            delay = max(delays, default=0.0)
            if not delay <= self.config.max_crawl_delay_s:  # NaN and inf too
                refused = CrawlSkip(
                    url,
                    "crawl",
                    "crawl_delay_too_long",
                    f"robots.txt Crawl-delay {delay} s > {self.config.max_crawl_delay_s} s",
                )
                site = self._sites[origin] = _Site(robots, TdmRep(), refused)
                return site
            self.limiter.set_crawl_delay(host, delay)
            site = self._sites[origin] = _Site(robots, self._tdmrep(origin, warc, report))
        return site

    def _robots(self, origin: str, warc: WarcRecorder, report: CrawlReport) -> RobotsTxt:
        url = f"{origin}/robots.txt"
        for _ in range(MAX_REDIRECTS + 1):
            result = self._fetch(url, warc, report, 512 * 1024)
            if result is None or result.error:
                return RobotsTxt.from_response(None)
            if result.status in (301, 302, 303, 307, 308) and result.location:
                try:
                    url = to_uri(_joined(url, result.location))
                except BadUrl:
                    return RobotsTxt.from_response(None)
                continue
            return RobotsTxt.from_response(result.status, result.body)
        return RobotsTxt.from_response(None)

    def _tdmrep(self, origin: str, warc: WarcRecorder, report: CrawlReport) -> TdmRep:
        result = self._fetch(f"{origin}/.well-known/tdmrep.json", warc, report, 512 * 1024)
        if result is None or result.error or result.status != 200:
            return TdmRep()
        return TdmRep.parse(result.body)


def _page_text(page: FetchResult) -> str | bytes:
    """The page decoded as its HTTP charset says (a WHATWG label), else as detected: lxml
    alone would read undeclared UTF-8 as Latin-1 and turn ``/wiki/日本`` into mojibake."""
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", page.header("content-type"), re.I)
    try:
        return decode_japanese(page.body, m[1] if m else None)[0]
    except UndecodableText:
        return page.body


def _links(page: FetchResult) -> list[str]:
    root = parse_html(_page_text(page))
    if root is None:
        return []
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        link = _joined(page.url, href)
        if link.split(":", 1)[0].lower() in ("http", "https"):
            out.append(link)
    return list(dict.fromkeys(out))


def _joined(base: str, href: str) -> str:
    """``href`` resolved against ``base``, without its fragment; as written if it cannot be
    (``http://[::1``), so that :func:`to_uri` refuses it by name."""
    try:
        return urldefrag(urljoin(base, href))[0]
    except ValueError:
        return href


def _same_host(a: str, b: str) -> bool:
    return urlsplit(a).netloc.lower() == urlsplit(b).netloc.lower()
