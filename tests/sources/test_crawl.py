"""The ``crawl`` source against a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from corpus.document import rejection
from pipelines.crawler import CrawlConfig, Crawler
from pipelines.sources.crawl import CrawlParams, CrawlSource

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "fixtures" / "web" / "pages"


class Site:
    """Routes ``path -> (status, headers, body)`` and a log of ``(time, path, user agent)``."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.log: list[tuple[float, str, str]] = []

    def page(self, path: str, body: bytes | str, status: int = 200, **headers: str) -> None:
        data = body.encode() if isinstance(body, str) else body
        hdrs = {"Content-Type": "text/html; charset=utf-8"}
        hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
        self.routes[path] = (status, hdrs, data)

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.log]


@pytest.fixture()
def site() -> Iterator[tuple[Site, str]]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 — http.server's name
            state.log.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
            status, headers, body = state.routes.get(
                self.path, (404, {"Content-Type": "text/plain"}, b"not found")
            )
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def crawl(base: str, seeds: list[str], tmp_path: Path, **params) -> list:
    params.setdefault("rate_per_host", 50.0)
    params.setdefault("allow_private_addresses", True)
    source = CrawlSource(
        CrawlParams(seeds=[base + s for s in seeds], warc_out=str(tmp_path / "warc"), **params),
        tmp_path,
    )
    source.check()
    (task,) = source.plan()
    return list(source.read(task))


def outcomes(docs: list, base: str) -> dict[str, tuple]:
    return {
        d.metadata["url"].removeprefix(base): rejection(d) or ("kept", d.metadata["license"])
        for d in docs
    }


def cc_page(title: str = "町の歴史") -> bytes:
    return (
        f'<html><head><title>{title}</title><link rel="license" '
        f'href="https://creativecommons.org/licenses/by/4.0/"></head>'
        f"<body><p>{title}について。この町は江戸時代、宿場町として栄えた。</p></body></html>"
    ).encode()


def the_warc(tmp_path: Path) -> Path:
    (path,) = (tmp_path / "warc").glob("*.warc.gz")
    return path


def test_robots_disallow_is_honoured(site, tmp_path: Path) -> None:
    state, base = site
    state.page(
        "/robots.txt",
        "User-agent: *\nDisallow: /private/\n\nUser-agent: GPTBot\nDisallow: /no-ai/\n",
        Content_Type="text/plain",
    )
    state.page("/open.html", cc_page())
    state.page("/private/x.html", cc_page("秘密"))
    state.page("/no-ai/y.html", cc_page("AI不可"))
    docs = crawl(base, ["/open.html", "/private/x.html", "/no-ai/y.html"], tmp_path)
    assert outcomes(docs, base) == {
        "/private/x.html": ("optout", "optout:robots.txt"),
        "/no-ai/y.html": ("optout", "optout:robots.txt"),
        "/open.html": ("kept", "CC-BY-4.0"),
    }
    assert state.paths() == ["/robots.txt", "/.well-known/tdmrep.json", "/open.html"]
    assert "jpcorpus" in state.log[0][2]
    kept = next(d for d in docs if not rejection(d))
    assert "robots.txt=none(ok:allows all)" in kept.metadata["license_evidence"]


def test_tdmrep_is_honoured(site, tmp_path: Path) -> None:
    state, base = site
    state.page(
        "/.well-known/tdmrep.json",
        '[{"location": "/reserved/*", "tdm-reservation": 1}]',
        Content_Type="application/json",
    )
    state.page("/reserved/a.html", cc_page())
    state.page("/free.html", cc_page())
    state.page("/header.html", cc_page(), tdm_reservation="1")
    state.page("/meta.html", (PAGES / "tdm_meta_reserved.html").read_bytes())
    docs = crawl(base, ["/reserved/a.html", "/free.html", "/header.html", "/meta.html"], tmp_path)
    assert outcomes(docs, base) == {
        "/reserved/a.html": ("optout", "optout:tdm-reservation"),  # not fetched at all
        "/free.html": ("kept", "CC-BY-4.0"),
        "/header.html": ("optout", "optout:tdm-reservation"),  # fetched, reserved by its header
        "/meta.html": ("optout", "optout:tdm-reservation"),  # fetched, reserved by its meta
    }
    assert "/reserved/a.html" not in state.paths()


def test_rate_limit_is_observed(site, tmp_path: Path) -> None:
    state, base = site
    for i in range(4):
        state.page(f"/p{i}.html", cc_page(f"頁{i}"))
    rate = 8.0
    crawl(base, [f"/p{i}.html" for i in range(4)], tmp_path, rate_per_host=rate)
    times = [t for t, _, _ in state.log]
    assert len(times) == 6  # robots.txt, tdmrep.json, four pages
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 1 / rate, gaps


def test_crawl_delay_in_robots_slows_down_further(site, tmp_path: Path) -> None:
    state, base = site
    state.page("/robots.txt", "User-agent: *\nCrawl-delay: 0.3\n", Content_Type="text/plain")
    state.page("/a.html", cc_page())
    crawl(base, ["/a.html"], tmp_path, rate_per_host=100.0)
    times = [t for t, _, _ in state.log]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.3


def test_warc_is_written_and_readable_again(site, tmp_path: Path) -> None:
    state, base = site
    state.page("/robots.txt", "User-agent: *\nAllow: /\n", Content_Type="text/plain")
    body = cc_page("読み返し")
    state.page("/a.html", body)
    docs = crawl(base, ["/a.html"], tmp_path)
    with open(the_warc(tmp_path), "rb") as f:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(f, check_digests=True)
        ]
    kinds = [(kind, uri.removeprefix(base) if uri else None) for kind, uri, _ in records]
    assert kinds == [
        ("warcinfo", None),
        ("request", "/robots.txt"),
        ("response", "/robots.txt"),
        ("request", "/.well-known/tdmrep.json"),
        ("response", "/.well-known/tdmrep.json"),
        ("request", "/a.html"),
        ("response", "/a.html"),
    ]
    assert records[-1][2] == body
    (doc,) = docs
    assert doc.metadata["url"] == base + "/a.html" and "読み返し" in doc.text
    import hashlib

    assert doc.metadata["raw_sha256"] == hashlib.sha256(body).hexdigest()


def test_loopback_refused_unless_allowed(site, tmp_path: Path) -> None:
    state, base = site
    state.page("/a.html", cc_page())
    docs = crawl(base, ["/a.html"], tmp_path, allow_private_addresses=False)
    assert outcomes(docs, base) == {"/a.html": ("crawl", "address_refused:loopback")}
    assert state.log == []


def test_caps_and_redirects(site, tmp_path: Path) -> None:
    state, base = site
    state.page("/old.html", "", status=301, Location="/new.html")
    state.page("/new.html", cc_page("新"))
    state.page("/big.html", cc_page("大" * 5000))
    state.page("/third.html", cc_page())
    docs = crawl(
        base, ["/old.html", "/big.html", "/third.html"], tmp_path, max_pages=3, max_page_bytes=4000
    )
    assert outcomes(docs, base) == {
        "/third.html": ("crawl", "cap_reached:max_pages"),  # old + new + big = 3 fetches
        "/new.html": ("kept", "CC-BY-4.0"),
        "/big.html": ("read", "truncated_record"),
    }


def test_robots_status_semantics(site, tmp_path: Path) -> None:
    state, base = site
    state.page("/robots.txt", "oops", status=503, Content_Type="text/plain")
    state.page("/a.html", cc_page())
    docs = crawl(base, ["/a.html"], tmp_path)
    assert outcomes(docs, base) == {"/a.html": ("optout", "optout:robots.txt")}
    assert "/a.html" not in state.paths()


def test_follow_links_stays_on_the_site(site, tmp_path: Path) -> None:
    state, base = site
    state.page(
        "/index.html",
        '<html><head><link rel="license" href="https://creativecommons.org/licenses/by/4.0/"></head><body>'
        "<p>目次のページです。各章へのリンクを並べています。</p>"
        '<a href="/c1.html">一</a> <a href="c2.html#top">二</a> <a href="https://example.org/x">外</a>'
        '<a href="mailto:a@example.jp">m</a></body></html>',
    )
    state.page("/c1.html", cc_page("第一章"))
    state.page("/c2.html", cc_page("第二章"))
    docs = crawl(base, ["/index.html"], tmp_path, follow_links=True, max_depth=1)
    assert set(outcomes(docs, base)) == {"/index.html", "/c1.html", "/c2.html"}
    assert all(not p.startswith("http") for p in state.paths())


def test_crawler_alone_writes_one_warc(site, tmp_path: Path) -> None:
    state, base = site
    state.page("/a.html", cc_page())
    report = Crawler(CrawlConfig(allow_private_addresses=True, rate_per_host=50)).run(
        [base + "/a.html", "ftp://example.jp/x"], tmp_path / "x.warc.gz"
    )
    assert report.pages == 1 and report.requests == 3
    assert [(s.url, s.reason) for s in report.skipped] == [("ftp://example.jp/x", "scheme_refused")]


def test_params_are_validated() -> None:
    with pytest.raises(ValueError, match="seed is not an http"):
        CrawlParams(seeds=["file:///etc/passwd"], warc_out="w")
    with pytest.raises(ValueError):
        CrawlParams(seeds=[], warc_out="w")
    with pytest.raises(ValueError):
        CrawlParams(seeds=["https://example.jp/"], warc_out="w", rate_per_host=0)


@pytest.mark.parametrize("module", ["addresses", "politeness"])
def test_crawler_doctests(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"pipelines.crawler.{module}"))
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.slow  # a Ray run: 30-45 s on the shared machine
def test_pipeline_run_with_crawl_and_warc_sources_audits(site, tmp_path: Path) -> None:
    """`jpcorpus run` on Ray: a crawl of the local site plus the shared WARC fixtures."""
    import json

    import pyarrow.parquet as pq

    from manifests.release import accounting_holds
    from tests.conftest import run_cli

    state, base = site
    state.page("/robots.txt", "User-agent: GPTBot\nDisallow: /no-ai/\n", Content_Type="text/plain")
    state.page("/cc.html", (PAGES / "ja_statement_footer.html").read_bytes())
    state.page("/gov.html", (PAGES / "gov_terms_footer.html").read_bytes())
    state.page("/nc.html", (PAGES / "nc_page.html").read_bytes())
    state.page("/none.html", (PAGES / "no_marker.html").read_bytes())
    state.page("/no-ai/x.html", (PAGES / "head_link_rel_license.html").read_bytes())
    seeds = ["/cc.html", "/gov.html", "/nc.html", "/none.html", "/no-ai/x.html", "/missing.html"]
    pipeline = tmp_path / "web.yaml"
    pipeline.write_text(
        json.dumps(
            {
                "name": "web-test",
                "output": str(tmp_path / "release"),
                "sources": [
                    {
                        "type": "crawl",
                        "seeds": [base + s for s in seeds],
                        "max_pages": 20,
                        "rate_per_host": 20,
                        "warc_out": str(tmp_path / "warc"),
                        "allow_private_addresses": True,
                    },
                    {
                        "type": "warc",
                        "path": str(REPO / "tests" / "fixtures" / "warc"),
                    },
                ],
                "stages": [],
                "policy": "default",
            }
        ),
        encoding="utf-8",
    )
    run_cli("run", str(pipeline), "--quiet", check=True)
    release = tmp_path / "release"
    proc = run_cli("audit", str(release))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = json.loads((release / "manifest.json").read_text())
    assert accounting_holds(manifest["accounting"])
    rows = pq.read_table(release / "shards").to_pylist()
    assert sorted((r["url"].removeprefix(base), r["license"]) for r in rows) == [
        ("/cc.html", "CC-BY-4.0"),
        ("/gov.html", "LicenseRef-JP-Gov-Standard-Terms-2.0"),
    ]
    for row in rows:
        assert row["source"] == "web" and row["source_id"] == row["url"]
        assert row["license_evidence"].startswith("html:text")
        assert row["attribution"].endswith(row["url"]) and row["raw_sha256"]
        assert row["retrieved_at"] is not None
    rejected = {
        (r["url"].removeprefix(base), r["stage"], r["reason"])
        for r in pq.read_table(release / "rejected").to_pylist()
    }
    assert ("/nc.html", "license", "license_refused:non_commercial") in rejected
    assert ("/none.html", "license", "no-license") in rejected
    assert ("/no-ai/x.html", "optout", "optout:robots.txt") in rejected
    assert ("/missing.html", "crawl", "http_status:404") in rejected
    # the shared fixtures: a response cut short, and English pages the pre-filter skips
    assert ("http://example.com/", "read", "truncated_record") in rejected
    assert ("http://www.iana.org/", "prefilter", "not_japanese") in rejected
    assert (release / "ATTRIBUTION.md").read_text().count(base) == 2
