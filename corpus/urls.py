"""URLs read from pages, archives and requests: made ASCII to fetch, normalised to compare.

Links on Japanese pages are often IRIs (``<a href="/wiki/日本">``); HTTP wants URIs.
:func:`to_uri` maps one to the other as RFC 3987 §3.1 says (the host through IDNA,
every other non-ASCII or disallowed character percent-encoded as UTF-8), using
urllib3's RFC 3986 parser rather than rules of our own. :func:`url_key` goes further
for matching: two spellings of the same page (``HTTPS://Example.JP:443/a``,
``http://example.jp./a``, ``https://example.jp/%61``) get the same key.
"""

from __future__ import annotations

import re

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

__all__ = ["BadUrl", "to_uri", "url_key", "host_key"]

DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


class BadUrl(ValueError):
    """A string that is no usable http(s) URL: ``reason`` is ``scheme_refused`` (another
    scheme) or ``bad_url``; the message says what is wrong."""

    def __init__(self, message: str, reason: str = "bad_url") -> None:
        super().__init__(message)
        self.reason = reason


def _split(url: str):
    text = url.strip()
    if _CONTROL.search(text.replace(" ", "")):
        raise BadUrl(f"control character in URL: {text[:200]!r}")
    try:
        parts = parse_url(text)
    except (LocationParseError, ValueError, UnicodeError) as exc:
        raise BadUrl(f"not a URL: {text[:200]!r} ({type(exc).__name__})") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise BadUrl(f"only http and https URLs are fetched: {text[:200]!r}", "scheme_refused")
    if not parts.host:
        raise BadUrl(f"no host in URL: {text[:200]!r}")
    return parts


def to_uri(url: str) -> str:
    """``url`` (an IRI or URI) as an ASCII http(s) URI without its fragment.

    Raises :class:`BadUrl` for anything else (no host, another scheme, a bad port,
    control characters).

    >>> to_uri("https://ja.wikipedia.org/wiki/日本")
    'https://ja.wikipedia.org/wiki/%E6%97%A5%E6%9C%AC'
    >>> to_uri("http://例え.jp/検索?q=猫 犬#上")
    'http://xn--r8jz45g.jp/%E6%A4%9C%E7%B4%A2?q=%E7%8C%AB%20%E7%8A%AC'
    >>> to_uri("http://[::1")
    Traceback (most recent call last):
    ...
    corpus.urls.BadUrl: not a URL: 'http://[::1' (LocationParseError)
    """
    return _split(url)._replace(fragment=None).url


def _unescape_unreserved(part: str) -> str:
    """``%7e`` → ``~``, ``%e6`` → ``%E6``: one spelling per character (RFC 3986 §6.2.2)."""

    def one(m: re.Match[str]) -> str:
        byte = int(m[1], 16)
        return chr(byte) if byte in _UNRESERVED else f"%{m[1].upper()}"

    return _ESCAPE.sub(one, part)


def host_key(host: str) -> str:
    """A host name as compared: ASCII (IDNA), lower case, without the root's trailing dot.

    >>> host_key("EXAMPLE.jp.")
    'example.jp'
    >>> host_key("例え.JP")
    'xn--r8jz45g.jp'
    """
    try:
        return _split(f"http://{host.strip()}/").host.rstrip(".")
    except BadUrl:
        return host.strip().lower().rstrip(".")


def url_key(url: str) -> str:
    """The form two URLs of one page share; non-http(s) locators are kept as given.

    Scheme and host in lower case, http and https as one (a takedown or an opt-out
    covers the page whichever way it was fetched), no default port, no trailing dot
    on the host, percent-escapes in one spelling, non-ASCII percent-encoded, an empty
    path as ``/``, no fragment.

    >>> url_key("HTTP://EXAMPLE.jp.:80/blog/%7e1")
    'https://example.jp/blog/~1'
    >>> url_key("https://example.jp:443") == url_key("https://example.jp/")
    True
    >>> url_key("https://example.jp/ブログ/1") == url_key("https://example.jp/%e3%83%96%e3%83%ad%e3%82%b0/1")
    True
    >>> url_key("aozora:000879/127")
    'aozora:000879/127'
    """
    try:
        parts = _split(url)
    except BadUrl:
        return url.strip()
    port = None if parts.port == DEFAULT_PORTS[parts.scheme] else parts.port
    return parts._replace(
        scheme="https",
        host=parts.host.rstrip("."),
        port=port,
        path=_unescape_unreserved(parts.path or "/"),
        query=None if parts.query is None else _unescape_unreserved(parts.query),
        fragment=None,
        auth=None,
    ).url
