"""Opt-out signals: a site or page reserving its content from crawling or AI use.

Three families are read, each into an :class:`OptOutCheck` recorded for every page:

- **robots.txt** (RFC 9309) with :mod:`protego` (longest match, ``*`` and ``$``,
  allow wins ties, the most specific user-agent group). Fetch outcomes follow RFC 9309
  §2.3.1: a 4xx robots.txt means no rules (allowed); a 5xx or an unreachable host
  means everything is disallowed. The page is reserved when robots.txt disallows it
  for our crawler or for any AI agent of :data:`AI_AGENTS`.
- **TDMRep** (W3C Community Group, Text and Data Mining Reservation Protocol): the
  ``tdm-reservation`` HTTP header, ``<meta name="tdm-reservation">`` and the site's
  ``/.well-known/tdmrep.json``; the value ``1`` reserves TDM rights.
- **noai**: ``noai`` in ``<meta name="robots">`` (or a bot-named robots meta) and in
  the ``X-Robots-Tag`` header.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree
from protego import Protego

__all__ = [
    "AI_AGENTS",
    "ROBOTS_MAX_BYTES",
    "OptOutCheck",
    "OptOutReport",
    "RobotsTxt",
    "TdmRep",
    "check_page",
    "noai_check",
    "tdm_meta",
]

#: AI crawler product tokens whose robots.txt groups are honoured as training opt-outs.
AI_AGENTS: tuple[str, ...] = (
    "GPTBot",
    "CCBot",
    "Google-Extended",
    "ClaudeBot",
    "anthropic-ai",
    "Applebot-Extended",
)

#: RFC 9309 §2.5: crawlers must parse at least the first 500 KiB.
ROBOTS_MAX_BYTES = 500 * 1024


@dataclass(frozen=True)
class OptOutCheck:
    """One signal checked: its name, whether it reserves the page, and what was seen."""

    signal: str  # robots.txt | tdm-reservation | noai
    reserved: bool
    detail: str

    def __str__(self) -> str:
        return f"{self.signal}={'reserved' if self.reserved else 'none'}({self.detail})"


@dataclass(frozen=True)
class OptOutReport:
    checks: tuple[OptOutCheck, ...]

    @property
    def reserved(self) -> OptOutCheck | None:
        """The first signal that reserves the page, if any."""
        return next((c for c in self.checks if c.reserved), None)

    @property
    def reason(self) -> str:
        """Drop reason, e.g. ``optout:robots.txt`` (empty when nothing reserves the page)."""
        c = self.reserved
        return f"optout:{c.signal}" if c else ""

    def __str__(self) -> str:
        return "; ".join(str(c) for c in self.checks)


# --------------------------------------------------------------------------- robots.txt


@dataclass(frozen=True)
class RobotsTxt:
    """A site's robots.txt as fetched: ``status`` is ``ok``, ``unavailable`` (4xx, no rules),
    ``unreachable`` (5xx or network error: disallow all) or ``unchecked`` (not fetched)."""

    status: str
    body: str = ""

    @classmethod
    def from_response(cls, status_code: int | None, body: bytes = b"") -> RobotsTxt:
        """RFC 9309 §2.3.1 outcomes from the final HTTP status (after redirects).

        >>> RobotsTxt.from_response(404).allows("https://a.jp/x", "GPTBot")
        True
        >>> RobotsTxt.from_response(503).allows("https://a.jp/x", "GPTBot")
        False
        """
        if status_code is None or status_code >= 500:
            return cls("unreachable")
        if 400 <= status_code < 500:
            return cls("unavailable")
        if 200 <= status_code < 300:
            text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
            return cls("ok", text)
        return cls("unreachable")  # 1xx/3xx left after redirects: treat as unreachable

    @property
    def _parser(self) -> Protego:
        return _parse_robots(self.body)

    def allows(self, url: str, agent: str) -> bool:
        """Whether ``agent`` may fetch ``url``.

        >>> r = RobotsTxt("ok", "User-agent: GPTBot\\nDisallow: /\\n\\nUser-agent: *\\nAllow: /\\n")
        >>> r.allows("https://a.jp/page", "GPTBot"), r.allows("https://a.jp/page", "jpcorpus")
        (False, True)
        """
        if self.status == "unreachable":
            return False
        if self.status in ("unavailable", "unchecked") or not self.body.strip():
            return True
        return self._parser.can_fetch(url, agent)

    def crawl_delay(self, agent: str) -> float | None:
        if self.status != "ok":
            return None
        return self._parser.crawl_delay(agent)

    def check(self, url: str, agents: Iterable[str]) -> OptOutCheck:
        """Which of ``agents`` robots.txt blocks for ``url`` (any one reserves the page)."""
        if self.status == "unchecked":
            return OptOutCheck("robots.txt", False, "unchecked")
        blocked = [a for a in agents if not self.allows(url, a)]
        if blocked:
            return OptOutCheck("robots.txt", True, f"{self.status}:disallows " + ",".join(blocked))
        return OptOutCheck("robots.txt", False, f"{self.status}:allows all")


_ROBOTS_CACHE: dict[str, Protego] = {}


def _parse_robots(body: str) -> Protego:
    parser = _ROBOTS_CACHE.get(body)
    if parser is None:
        if len(_ROBOTS_CACHE) > 256:
            _ROBOTS_CACHE.clear()
        parser = _ROBOTS_CACHE[body] = Protego.parse(body)
    return parser


# --------------------------------------------------------------------------- TDMRep


@dataclass(frozen=True)
class TdmRep:
    """A site's ``/.well-known/tdmrep.json`` rules: ``(location pattern, reservation, policy)``.

    Locations use robots.txt path syntax (``*`` any run of characters, ``$`` end); the
    longest matching location applies.

    >>> t = TdmRep.parse(b'[{"location": "/news/*", "tdm-reservation": 1}, {"location": "/*", "tdm-reservation": 0}]')
    >>> t.reservation("https://a.jp/news/1.html"), t.reservation("https://a.jp/blog/")
    ((1, ''), (0, ''))
    """

    rules: tuple[tuple[str, int, str], ...] = ()
    status: str = "absent"  # ok | absent | invalid

    @classmethod
    def parse(cls, body: bytes | str | None) -> TdmRep:
        if body is None:
            return cls()
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than json allows
            return cls(status="invalid")
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            return cls(status="invalid")
        rules = []
        for item in data:
            if not isinstance(item, dict) or "location" not in item:
                continue
            try:
                reservation = int(item.get("tdm-reservation", 0))
            except (TypeError, ValueError):
                continue
            rules.append((str(item["location"]), reservation, str(item.get("tdm-policy") or "")))
        return cls(tuple(rules), "ok")

    def reservation(self, url: str) -> tuple[int, str] | None:
        """``(tdm-reservation, tdm-policy)`` of the longest matching location, or ``None``."""
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        best: tuple[int, int, str] | None = None
        for location, reservation, policy in self.rules:
            if path_matches(location, path) and (best is None or len(location) > best[0]):
                best = (len(location), reservation, policy)
        return None if best is None else (best[1], best[2])


def path_matches(pattern: str, path: str) -> bool:
    """Whether ``path`` matches a robots.txt-style ``pattern`` (``*`` any run, ``$`` end).

    Linear in the length of the path: the pattern's literal pieces are found left to
    right, each at its first place after the previous one (with only ``*`` between
    them, the first place is always the best one), so no pattern can make it
    backtrack — ``/*a*a*a*a*a*a*a*a*a*a*b`` costs what ``/a`` does.

    >>> path_matches("/news/*.html$", "/news/2025/猫.html")
    True
    >>> path_matches("/news/*.html$", "/news/2025/猫.html?x=1")
    False
    >>> path_matches("/*a*a*a*a*a*a*a*a*a*a*b", "/" + "a" * 40)
    False
    >>> path_matches("news", "/news/1")
    True
    """
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    anchored = pattern.endswith("$")
    pieces = (pattern[:-1] if anchored else pattern).split("*")
    first, *middle = pieces
    if not path.startswith(first):
        return False
    if not middle:  # no ``*``: a prefix, or the whole path when anchored
        return not anchored or path == first
    last = middle.pop()
    at = len(first)
    for piece in middle:
        found = path.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    if anchored:
        return len(path) - len(last) >= at and path.endswith(last)
    return path.find(last, at) >= 0


def tdm_meta(root: etree._Element | None) -> tuple[str, str]:
    """``(tdm-reservation, tdm-policy)`` from the page's ``<meta>`` (empty strings when absent)."""
    reservation = policy = ""
    if root is None:
        return reservation, policy
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if name == "tdm-reservation":
            reservation = (meta.get("content") or "").strip()
        elif name == "tdm-policy":
            policy = (meta.get("content") or "").strip()
    return reservation, policy


def tdm_check(
    url: str,
    headers: Mapping[str, str],
    root: etree._Element | None,
    tdmrep: TdmRep | None,
) -> OptOutCheck:
    """TDM reservation from the HTTP header, the page's meta and the site's tdmrep.json."""
    seen = []
    header = _header(headers, "tdm-reservation")
    if header:
        seen.append(("header", header.strip()))
    meta, _ = tdm_meta(root)
    if meta:
        seen.append(("meta", meta))
    if tdmrep is not None:
        rule = tdmrep.reservation(url)
        if rule is not None:
            seen.append(("tdmrep.json", str(rule[0])))
    reserving = [where for where, value in seen if value == "1"]
    detail = ",".join(f"{w}:{v}" for w, v in seen) or (
        "absent" if tdmrep is None or tdmrep.status != "invalid" else "tdmrep.json invalid"
    )
    return OptOutCheck("tdm-reservation", bool(reserving), detail)


# --------------------------------------------------------------------------- noai

_NOAI_RE = re.compile(r"(?:^|[\s,:;])noai(?:$|[\s,;])", re.I)
_ROBOTS_META_NAMES = frozenset({"robots", *(a.lower() for a in AI_AGENTS)})


def noai_check(headers: Mapping[str, str], root: etree._Element | None) -> OptOutCheck:
    """``noai`` in ``X-Robots-Tag`` or a robots ``<meta>`` (``noimageai`` alone reserves only images).

    >>> noai_check({"X-Robots-Tag": "noai, noimageai"}, None).reserved
    True
    >>> noai_check({"X-Robots-Tag": "noimageai"}, None).reserved
    False
    """
    seen = []
    header = _header(headers, "x-robots-tag")
    if header and _NOAI_RE.search(header):
        seen.append(f"X-Robots-Tag:{header.strip()}")
    if root is not None:
        for meta in root.iter("meta"):
            name = (meta.get("name") or "").strip().lower()
            content = meta.get("content") or ""
            if name in _ROBOTS_META_NAMES and _NOAI_RE.search(content):
                seen.append(f"meta[{name}]:{content.strip()}")
    return OptOutCheck("noai", bool(seen), ",".join(seen) or "absent")


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def check_page(
    url: str,
    headers: Mapping[str, str],
    root: etree._Element | None,
    robots: RobotsTxt | None = None,
    tdmrep: TdmRep | None = None,
    agents: Iterable[str] = AI_AGENTS,
) -> OptOutReport:
    """Every opt-out signal for one page. ``robots``/``tdmrep`` are the site's files
    (``None`` when they were not fetched, e.g. a page read from someone else's WARC)."""
    robots = robots or RobotsTxt("unchecked")
    return OptOutReport(
        (
            robots.check(url, agents),
            tdm_check(url, headers, root, tdmrep),
            noai_check(headers, root),
        )
    )
