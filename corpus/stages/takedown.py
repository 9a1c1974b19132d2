"""Takedown rules, and the stage that keeps taken-down documents out of every later run.

A takedown request names documents by id, by URL (exact, prefix or domain) or by
source. The catalog keeps every request; a run that publishes into the catalog (or
whose pipeline file names a takedown list) inserts :class:`TakedownStage` first, so a
page that was taken down does not come back with the next crawl. The same
:class:`TakedownRules` decide which rows a ``jpcorpus takedown`` removes from the
current release: one home for the matching rule.
"""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import field_validator

from corpus.document import Document
from corpus.stages.base import Decision, DocumentStage, Drop, Keep, StageParams, register_stage
from corpus.urls import host_key, url_key

TAKEN_DOWN = "taken_down"
"""The drop reason of a document removed by a takedown request."""


def url_host(url: str) -> str:
    """The host of ``url`` as compared (:func:`corpus.urls.host_key`; "" when it has none).

    >>> url_host("https://JA.Wikipedia.org./wiki/日本")
    'ja.wikipedia.org'
    >>> url_host("aozora:000879/127")
    ''
    """
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return ""
    return host_key(host) if host else ""


def host_in_domain(host: str, domain: str) -> bool:
    """Whether ``host`` is ``domain`` or one of its subdomains.

    >>> host_in_domain("ja.wikipedia.org", "wikipedia.org")
    True
    >>> host_in_domain("notwikipedia.org", "wikipedia.org")
    False
    """
    domain = host_key(domain.strip("."))
    return bool(host) and (host == domain or host.endswith("." + domain))


class TakedownRules(StageParams):
    """What a set of takedown requests removes.

    >>> rules = TakedownRules(url_prefixes=["https://ja.wikipedia.org/wiki/人工"])
    >>> rules.match("wikipedia-ja-1", "https://ja.wikipedia.org/wiki/人工知能", "wikipedia-ja")
    'url_prefix:https://ja.wikipedia.org/wiki/人工'
    >>> rules.match("wikipedia-ja-2", "https://ja.wikipedia.org/wiki/日本", "wikipedia-ja") is None
    True
    >>> TakedownRules(domains=["example.jp"]).match("web-1", "https://www.example.jp/a", "web")
    'domain:example.jp'

    URLs are compared by :func:`corpus.urls.url_key` on both sides: scheme (http and
    https alike), host case, default port, the root's trailing dot and percent-encoding
    do not matter.

    >>> rules = TakedownRules(url_prefixes=["https://example.jp/blog/"])
    >>> [rules.match("d", u, "web") is not None for u in ("https://EXAMPLE.jp/blog/1",
    ...  "https://example.jp:443/blog/1", "http://example.jp/blog/1", "https://example.jp./blog/1",
    ...  "https://example.jp/%62log/1", "https://example.jp/blogs/1")]
    [True, True, True, True, True, False]
    """

    ids: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    """Exact URLs."""
    url_prefixes: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    """A domain matches itself and its subdomains."""
    sources: tuple[str, ...] = ()

    @field_validator("domains")
    @classmethod
    def _lower_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(d.lower().strip(".") for d in value)

    def is_empty(self) -> bool:
        return not (self.ids or self.urls or self.url_prefixes or self.domains or self.sources)

    def merged(self, other: TakedownRules) -> TakedownRules:
        """The union of two rule sets (sorted, without repeats)."""
        fields = ("ids", "urls", "url_prefixes", "domains", "sources")
        return TakedownRules(
            **{f: tuple(sorted(set(getattr(self, f)) | set(getattr(other, f)))) for f in fields}
        )

    def match(self, doc_id: str, url: str | None, source: str | None) -> str | None:
        """Which rule removes this document (e.g. ``id``, ``domain:example.jp``), or None."""
        if doc_id in self._ids:
            return "id"
        if source and source in self._sources:
            return f"source:{source}"
        if url:
            key = url_key(url)
            if key in self._urls:
                return "url"
            for prefix, prefix_key in self._prefixes:
                if key.startswith(prefix_key):
                    return f"url_prefix:{prefix}"
            if self.domains:
                host = url_host(url)
                for domain in self.domains:
                    if host_in_domain(host, domain):
                        return f"domain:{domain}"
        return None

    @cached_property
    def _ids(self) -> frozenset[str]:
        return frozenset(self.ids)

    @cached_property
    def _urls(self) -> frozenset[str]:
        return frozenset(url_key(u) for u in self.urls)

    @cached_property
    def _prefixes(self) -> tuple[tuple[str, str], ...]:
        """``(prefix as requested, its key)``. A prefix naming only a site gets the path ``/``
        in its key, so ``https://example.jp`` does not cover ``https://example.jp.evil.com``."""
        return tuple((p, url_key(p)) for p in self.url_prefixes)

    @cached_property
    def _sources(self) -> frozenset[str]:
        return frozenset(self.sources)


@register_stage
class TakedownStage(DocumentStage):
    """Drop documents that a takedown request removed from an earlier release.

    >>> from corpus.document import make_document
    >>> stage = TakedownStage(urls=["https://ja.wikipedia.org/wiki/日本"])
    >>> stage.process(make_document(text="日本国は…", source="wikipedia-ja",
    ...     source_id="日本", url="https://ja.wikipedia.org/wiki/日本"))
    Drop('taken_down')
    >>> stage.process(make_document(text="人工知能は…", source="wikipedia-ja",
    ...     source_id="人工知能", url="https://ja.wikipedia.org/wiki/人工知能"))
    Keep()
    """

    stage_name: ClassVar[str] = "takedown"
    Params = TakedownRules

    def process(self, doc: Document) -> Decision:
        meta = doc.metadata
        rule = self.params.match(doc.id, meta.get("url"), meta.get("source"))
        return Drop(TAKEN_DOWN, rule) if rule else Keep()
