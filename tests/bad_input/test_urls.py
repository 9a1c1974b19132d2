"""URLs from pages and requests: IRIs fetched as URIs, takedowns matched however spelled."""

from __future__ import annotations

import pytest

from corpus.urls import BadUrl, to_uri, url_key
from manifests.takedown import rules_from_cli

SPELLINGS = [
    "https://example.jp/blog/1",
    "https://EXAMPLE.jp/blog/1",
    "https://example.jp:443/blog/1",
    "http://example.jp/blog/1",
    "http://example.jp:80/blog/1",
    "https://example.jp./blog/1",
    "https://example.jp/%62log/1",
    "HTTPS://Example.JP/blog/1#comments",
]


@pytest.mark.parametrize("url", SPELLINGS)
def test_takedown_prefix_matches_every_spelling(url: str) -> None:
    rules = rules_from_cli([], ["https://example.jp/blog/*"], [])
    assert rules.match("web-1", url, "web") == "url_prefix:https://example.jp/blog/"
    exact = rules_from_cli([], ["https://example.jp/blog/1"], [])
    assert exact.match("web-1", url, "web") == "url"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.jp.evil.test/blog/1",
        "https://example.jp/blogs/1",
        "https://example.jp:8443/blog/1",
        "https://other.example.jp/blog/1",
    ],
)
def test_takedown_prefix_misses_other_pages(url: str) -> None:
    rules = rules_from_cli([], ["https://example.jp/blog/*"], [])
    assert rules.match("web-1", url, "web") is None


def test_japanese_urls_match_encoded_or_not() -> None:
    rules = rules_from_cli([], ["https://ja.wikipedia.org/wiki/日本*", "例え.jp"], [])
    assert rules.match("w", "https://ja.wikipedia.org/wiki/%E6%97%A5%E6%9C%AC%E8%AA%9E", "w")
    assert rules.match("w", "https://ja.wikipedia.org/wiki/%e6%97%a5%e6%9c%ac", "w")
    assert rules.match("w", "https://www.xn--r8jz45g.jp/a", "w") == "domain:例え.jp"
    assert rules.match("w", "https://ja.wikipedia.org/wiki/東京", "w") is None


@pytest.mark.parametrize(
    ("iri", "uri"),
    [
        ("https://ja.wikipedia.org/wiki/日本", "https://ja.wikipedia.org/wiki/%E6%97%A5%E6%9C%AC"),
        ("http://例え.jp/a b?q=猫#x", "http://xn--r8jz45g.jp/a%20b?q=%E7%8C%AB"),
    ],
)
def test_iris_become_uris(iri: str, uri: str) -> None:
    assert to_uri(iri) == uri
    assert url_key(iri) == url_key(uri)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("http://[::1", "bad_url"),
        ("http://a.jp:99999/", "bad_url"),
        ("http:///nohost", "bad_url"),
        ("http://a.jp/\x00x", "bad_url"),
        ("ftp://a.jp/x", "scheme_refused"),
        ("javascript:alert(1)", "scheme_refused"),
    ],
)
def test_bad_urls_are_named(bad: str, reason: str) -> None:
    with pytest.raises(BadUrl) as exc:
        to_uri(bad)
    assert exc.value.reason == reason
    assert url_key(bad) == bad.strip()  # kept as given: matched only exactly
