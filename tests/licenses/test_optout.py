"""Opt-out signals: robots.txt with RFC 9309 semantics, TDMRep, noai."""

from __future__ import annotations

import pytest

from licenses.html import parse_html
from licenses.optout import AI_AGENTS, RobotsTxt, TdmRep, check_page, noai_check, tdm_check

URL = "https://example.jp/articles/page.html"


def robots(text: str) -> RobotsTxt:
    return RobotsTxt("ok", text)


@pytest.mark.parametrize(
    "text, agent, url, allowed",
    [
        # longest match wins (RFC 9309 §2.2.2), whatever the order of the lines
        ("User-agent: *\nAllow: /articles/page\nDisallow: /articles/\n", "jpcorpus", URL, True),
        ("User-agent: *\nDisallow: /articles/\nAllow: /articles/page\n", "jpcorpus", URL, True),
        ("User-agent: *\nDisallow: /articles/page\nAllow: /articles/\n", "jpcorpus", URL, False),
        # equal length: allow wins
        ("User-agent: *\nDisallow: /articles\nAllow: /articles\n", "jpcorpus", URL, True),
        # wildcards and end anchor
        ("User-agent: *\nDisallow: /*.html$\n", "jpcorpus", URL, False),
        ("User-agent: *\nDisallow: /*.html$\n", "jpcorpus", URL + "?q=1", True),
        ("User-agent: *\nDisallow: /*/page\n", "jpcorpus", URL, False),
        # product tokens match case-insensitively; the most specific group applies
        ("User-agent: gptbot\nDisallow: /\n", "GPTBot", URL, False),
        ("User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "CCBot", URL, True),
        ("User-agent: *\nDisallow: /\n\nUser-agent: CCBot\nAllow: /\n", "CCBot", URL, True),
        # a group with several user-agent lines
        (
            "User-agent: ClaudeBot\nUser-agent: Google-Extended\nDisallow: /articles/\n",
            "Google-Extended",
            URL,
            False,
        ),
        # an empty Disallow allows everything
        ("User-agent: *\nDisallow:\n", "jpcorpus", URL, True),
        # robots.txt itself is always allowed
        ("User-agent: *\nDisallow: /\n", "jpcorpus", "https://example.jp/robots.txt", True),
        # comments and unknown lines are ignored
        (
            "# hi\nUser-agent: * # all\nFoo: bar\nDisallow: /articles/ # no\n",
            "jpcorpus",
            URL,
            False,
        ),
    ],
)
def test_robots_rules(text: str, agent: str, url: str, allowed: bool) -> None:
    assert robots(text).allows(url, agent) is allowed


def test_robots_fetch_outcomes_follow_rfc9309() -> None:
    assert RobotsTxt.from_response(404).allows(URL, "GPTBot")  # unavailable: no rules
    assert RobotsTxt.from_response(410).allows(URL, "GPTBot")
    assert not RobotsTxt.from_response(500).allows(URL, "GPTBot")  # unreachable: disallow all
    assert not RobotsTxt.from_response(None).allows(URL, "GPTBot")
    ok = RobotsTxt.from_response(200, b"User-agent: *\nDisallow: /articles/\n")
    assert not ok.allows(URL, "jpcorpus")


def test_robots_parses_at_most_500_kib() -> None:
    body = b"User-agent: *\n" + b"# padding\n" * 60_000 + b"Disallow: /\n"
    assert len(body) > 500 * 1024
    assert RobotsTxt.from_response(200, body).allows(URL, "jpcorpus")


def test_any_ai_agent_blocked_reserves_the_page() -> None:
    check = robots("User-agent: ClaudeBot\nDisallow: /\n").check(URL, AI_AGENTS)
    assert check.reserved and "ClaudeBot" in check.detail
    assert not robots("User-agent: SomeOtherBot\nDisallow: /\n").check(URL, AI_AGENTS).reserved


def test_tdmrep_json() -> None:
    rep = TdmRep.parse(
        '[{"location": "/articles/*.html$", "tdm-reservation": 1, "tdm-policy": "https://example.jp/p.json"},'
        ' {"location": "/*", "tdm-reservation": 0}]'
    )
    assert rep.reservation(URL) == (1, "https://example.jp/p.json")
    assert rep.reservation("https://example.jp/about") == (0, "")
    assert TdmRep.parse("not json").status == "invalid"
    assert tdm_check(URL, {}, None, rep).reserved
    assert not tdm_check("https://example.jp/about", {}, None, rep).reserved


def test_tdm_header_and_meta() -> None:
    assert tdm_check(URL, {"TDM-Reservation": "1"}, None, None).reserved
    assert not tdm_check(URL, {"tdm-reservation": "0"}, None, None).reserved
    root = parse_html(
        '<html><head><meta name="tdm-reservation" content="1"></head><body>x</body></html>'
    )
    assert tdm_check(URL, {}, root, None).reserved


@pytest.mark.parametrize(
    "headers, html, reserved",
    [
        ({"X-Robots-Tag": "noai"}, "", True),
        ({"x-robots-tag": "noindex, noai"}, "", True),
        ({"X-Robots-Tag": "noimageai"}, "", False),
        ({}, '<meta name="robots" content="noai,noimageai">', True),
        ({}, '<meta name="CCBot" content="noai">', True),
        ({}, '<meta name="robots" content="noindex, nofollow">', False),
        ({}, '<meta name="description" content="noai">', False),
    ],
)
def test_noai(headers: dict, html: str, reserved: bool) -> None:
    root = parse_html(f"<html><head>{html}</head><body>x</body></html>")
    assert noai_check(headers, root).reserved is reserved


def test_check_page_records_every_signal() -> None:
    report = check_page(URL, {}, None)
    assert [c.signal for c in report.checks] == ["robots.txt", "tdm-reservation", "noai"]
    assert report.reserved is None and report.reason == ""
    assert (
        str(report) == "robots.txt=none(unchecked); tdm-reservation=none(absent); noai=none(absent)"
    )
