"""A polite crawler that saves every response as WARC.

robots.txt first (RFC 9309), TDMRep's ``/.well-known/tdmrep.json`` next, a per-host
rate limit, caps on pages and bytes, http/https only, and no private, link-local or
loopback addresses unless explicitly allowed. The WARC it writes is the evidence of
what each page said when it was fetched; the ``crawl`` source then reads it exactly
as the ``warc`` source reads any archive.
"""

from pipelines.crawler.addresses import AddressPolicy, AddressRefused
from pipelines.crawler.crawl import CrawlConfig, Crawler, CrawlSkip
from pipelines.crawler.fetch import Fetcher, FetchResult
from pipelines.crawler.politeness import HostRateLimiter
from pipelines.crawler.warc_out import WarcRecorder

__all__ = [
    "AddressPolicy",
    "AddressRefused",
    "CrawlConfig",
    "CrawlSkip",
    "Crawler",
    "FetchResult",
    "Fetcher",
    "HostRateLimiter",
    "WarcRecorder",
]
