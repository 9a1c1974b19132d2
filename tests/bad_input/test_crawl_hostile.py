"""A hostile web server against the crawler: IRIs and broken links, bodies cut short,
a byte every so often, huge Crawl-delays, patterns that make backtracking matchers hang."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from corpus.document import rejection
from licenses.optout import TdmRep, path_matches
from pipelines.crawler.addresses import AddressPolicy
from pipelines.crawler.fetch import Fetcher
from pipelines.sources.crawl import CrawlParams, CrawlSource

CC_PAGE = (
    '<html><head><title>{title}</title><link rel="license" '
    'href="https://creativecommons.org/licenses/by/4.0/"></head>'
    "<body>{links}<p>{title}について。この町は江戸時代、宿場町として栄えた。</p></body></html>"
)

Handler = Callable[[BaseHTTPRequestHandler], None]


def page(title: str, links: str = "") -> Handler:
    body = CC_PAGE.format(title=title, links=links).encode()

    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return send


def cut_short(h: BaseHTTPRequestHandler) -> None:
    """Content-Length 36,200; 542 bytes sent; the connection closed."""
    body = CC_PAGE.format(title="途中まで", links="").encode().ljust(36200, b" ")
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", "36200")
    h.end_headers()
    h.wfile.write(body[:542])
    h.wfile.flush()
    h.close_connection = True


def drip(h: BaseHTTPRequestHandler) -> None:
    """One byte every 0.1 s, for much longer than the fetch's timeout."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", "200")
    h.end_headers()
    try:
        for _ in range(200):
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass


def text(status: int, body: str) -> Handler:
    def send(h: BaseHTTPRequestHandler) -> None:
        data = body.encode()
        h.send_response(status)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return send


@pytest.fixture()
def server() -> Iterator[tuple[dict[str, Handler], str]]:
    routes: dict[str, Handler] = {}

    class Serve(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 — http.server's name
            routes.get(self.path, text(404, "not found"))(self)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Serve)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield routes, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def crawl(base: str, seeds: list[str], tmp_path: Path, **params) -> dict[str, tuple]:
    """``{url without base: (stage, reason) or ("kept", license)}``."""
    params.setdefault("rate_per_host", 100.0)
    source = CrawlSource(
        CrawlParams(
            seeds=[base + s for s in seeds],
            warc_out=str(tmp_path / "warc"),
            allow_private_addresses=True,
            **params,
        ),
        tmp_path,
    )
    source.check()
    (task,) = source.plan()
    return {
        d.metadata["url"].removeprefix(base): rejection(d) or ("kept", d.metadata["license"])
        for d in source.read(task)
    }


def test_iri_links_are_fetched_and_a_bad_link_fails_alone(server, tmp_path: Path) -> None:
    routes, base = server
    routes["/index.html"] = page(
        "目次", '<a href="/wiki/日本">日本</a> <a href="http://[::1">壊れた</a>'
    )
    routes["/wiki/%E6%97%A5%E6%9C%AC"] = page("日本")
    got = crawl(base, ["/index.html"], tmp_path, follow_links=True)
    assert got == {
        "/index.html": ("kept", "CC-BY-4.0"),
        "/wiki/%E6%97%A5%E6%9C%AC": ("kept", "CC-BY-4.0"),
        "http://[::1": ("crawl", "bad_url"),
    }


def test_a_response_cut_short_is_rejected_as_truncated(server, tmp_path: Path) -> None:
    routes, base = server
    routes["/cut.html"] = cut_short
    routes["/ok.html"] = page("全部")
    got = crawl(base, ["/cut.html", "/ok.html"], tmp_path)
    assert got == {"/cut.html": ("read", "truncated_record"), "/ok.html": ("kept", "CC-BY-4.0")}


def test_a_fetch_has_one_deadline(server) -> None:
    routes, base = server
    routes["/drip.html"] = drip
    fetcher = Fetcher("test", AddressPolicy(allow_private=True), timeout=1.0)
    started = time.monotonic()
    result = fetcher.get(base + "/drip.html")
    took = time.monotonic() - started
    assert took < 2.0, took  # 20 s of dripping otherwise
    assert result.status == 200 and result.truncated == "time" and 0 < len(result.body) < 200


def test_a_dripping_page_is_dropped_and_the_crawl_goes_on(server, tmp_path: Path) -> None:
    routes, base = server
    routes["/drip.html"] = drip
    routes["/ok.html"] = page("全部")
    started = time.monotonic()
    got = crawl(base, ["/drip.html", "/ok.html"], tmp_path, timeout_s=0.5)
    assert time.monotonic() - started < 5
    assert got == {"/drip.html": ("read", "truncated_record"), "/ok.html": ("kept", "CC-BY-4.0")}


@pytest.mark.parametrize("delay", ["100000", "1e300"])
def test_a_huge_crawl_delay_skips_the_host(server, tmp_path: Path, delay: str) -> None:
    routes, base = server
    routes["/robots.txt"] = text(200, f"User-agent: *\nCrawl-delay: {delay}\nAllow: /\n")
    routes["/a.html"] = page("一")
    routes["/b.html"] = page("二")
    started = time.monotonic()
    got = crawl(base, ["/a.html", "/b.html"], tmp_path)
    assert time.monotonic() - started < 5
    assert got == {p: ("crawl", "crawl_delay_too_long") for p in ("/a.html", "/b.html")}


def test_a_crawl_delay_under_the_cap_is_honoured(server, tmp_path: Path) -> None:
    routes, base = server
    routes["/robots.txt"] = text(200, "User-agent: *\nCrawl-delay: 0.3\n")
    routes["/a.html"] = page("一")
    routes["/b.html"] = page("二")
    started = time.monotonic()
    got = crawl(base, ["/a.html", "/b.html"], tmp_path, max_crawl_delay_s=1)
    assert set(got.values()) == {("kept", "CC-BY-4.0")}
    assert time.monotonic() - started >= 0.3 * 3  # robots.txt, tdmrep.json, a, b


def test_tdmrep_patterns_match_in_linear_time() -> None:
    hostile = "/" + "*a" * 30 + "*b"
    rules = TdmRep.parse(f'[{{"location": "{hostile}", "tdm-reservation": 1}}]'.encode())
    started = time.monotonic()
    for n in (40, 4000, 400_000):
        assert rules.reservation("https://a.jp/" + "a" * n) is None
        assert rules.reservation("https://a.jp/" + "a" * n + "b") == (1, "")
    assert time.monotonic() - started < 0.5
    assert path_matches("/a*b$", "/aXb") and not path_matches("/a*b$", "/aXbc")


def test_a_crawl_that_fails_keeps_the_pages_already_fetched(server, tmp_path, monkeypatch):
    """Fault injection: link extraction breaks after the first page (where the IRI bug was)."""
    import pipelines.crawler.crawl as crawl_module

    def broken(page):
        raise UnicodeEncodeError("ascii", "日本", 0, 1, "injected")

    routes, base = server
    routes["/index.html"] = page("目次", '<a href="/a.html">一</a>')
    monkeypatch.setattr(crawl_module, "_links", broken)
    got = crawl(base, ["/index.html"], tmp_path, follow_links=True)
    assert got.pop("/index.html") == ("kept", "CC-BY-4.0")
    assert list(got.values()) == [("crawl", "crawl_error:UnicodeEncodeError")]
