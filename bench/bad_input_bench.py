"""The bad-input corpus: its size, each case's outcome, and the worst time and memory per case.

Builds the corpus of ``tests/bad_input/corpus.py`` (the 200 MB document, the decompression
bombs, the hostile WARCs, the Aozora index that climbs out of its root …) in a temporary
folder and reads each file through the run's first step (:class:`pipelines.steps.SourceReader`)
in a forked process of its own, so that each peak is that file's alone; then the hostile
server cases (IRI links, a cut response, a slow drip, a huge Crawl-delay) and the pattern
matcher. Each case runs ``--repeat`` times; the worst time and the worst peak are printed.

    .venv/bin/python bench/bad_input_bench.py [--big-mb 200] [--repeat 3]

Peak memory is the growth of the process' high-water mark (VmHWM) over its resident set
when the case started (Linux ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.document import rejection  # noqa: E402
from pipelines.config import load_pipeline  # noqa: E402
from pipelines.steps import SourceReader  # noqa: E402
from tests.bad_input.corpus import MORE_PIPELINE, PIPELINE, POLICY, build, owner  # noqa: E402


def _high_water_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status)[1]) / 1024


def _resident_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024


def measured(fn: Callable[[], str]) -> tuple[str, float, float]:
    """``(outcome, seconds, peak MB over the start)`` of ``fn`` run in a forked child."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # the high-water mark starts again at the current resident set
        base = _resident_mb()
        started = time.perf_counter()
        try:
            outcome = fn()
        except BaseException as exc:  # noqa: BLE001 — the bench reports, it does not judge
            outcome = f"EXCEPTION {type(exc).__name__}: {exc}"[:200]
        seconds = time.perf_counter() - started
        with os.fdopen(write_end, "w") as f:
            json.dump([outcome, seconds, _high_water_mb() - base], f)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as f:
        data = f.read()
    os.waitpid(pid, 0)
    outcome, seconds, peak = json.loads(data)
    return outcome, seconds, peak


def _outcome(docs: list, name: str, names: list[str]) -> str:
    counts: Counter = Counter()
    for doc in docs:
        if owner(doc.metadata, names) != name:
            continue
        verdict = rejection(doc)
        counts[f"{verdict[0]}/{verdict[1]}" if verdict else "kept"] += 1
    return ", ".join(f"{k} ×{v}" if v > 1 else k for k, v in sorted(counts.items()))


def _per_file(source, task: dict) -> list[tuple[object, dict]]:
    """A source's task split so that each task reads one corpus file."""
    if "files" in task:
        return [(source, {"files": [f]}) for f in task["files"]]
    return [(source, task)]


def corpus_cases(root: Path, expected: dict) -> dict[str, Callable[[], str]]:
    plan = [
        one
        for name in ("pipeline.yaml", "more.yaml")
        for source in load_pipeline(root / name).sources
        for task in source.plan()
        for one in _per_file(source, task)
    ]
    names = list(expected)
    cases = {}
    for name in names:
        tasks = [
            (s, t)
            for s, t in plan
            if re.search(rf"[/\\]{re.escape(name)}\b", json.dumps(t, ensure_ascii=False))
            or (name.endswith(".csv") and "works" in t)
        ]

        def run(tasks=tasks, name=name) -> str:
            reader = SourceReader(tasks)
            docs = [d for rank in range(len(tasks)) for d in reader.run(rank=rank)]
            return _outcome(docs, name, names)

        cases[name] = run
    return cases


# --------------------------------------------------------------------------- hostile server


def server_cases(tmp: Path) -> dict[str, Callable[[], str]]:
    from pipelines.sources.crawl import CrawlParams, CrawlSource

    page = (
        '<html><head><title>{0}</title><link rel="license" '
        'href="https://creativecommons.org/licenses/by/4.0/"></head><body>{1}'
        "<p>{0}について。この町は江戸時代、宿場町として栄えた。</p></body></html>"
    )
    routes: dict[str, Callable] = {}

    def send(h, body: bytes, length: int | None = None, ctype: str = "text/html") -> None:
        h.send_response(200)
        h.send_header("Content-Type", f"{ctype}; charset=utf-8")
        h.send_header("Content-Length", str(len(body) if length is None else length))
        h.end_headers()
        h.wfile.write(body)

    routes["/iri.html"] = lambda h: send(
        h, page.format("目次", '<a href="/wiki/日本">日本</a><a href="http://[::1">x</a>').encode()
    )
    routes["/wiki/%E6%97%A5%E6%9C%AC"] = lambda h: send(h, page.format("日本", "").encode())
    routes["/cut.html"] = lambda h: send(h, page.format("途中", "").encode()[:542], 36200)

    def drip(h) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "10000")
        h.end_headers()
        try:
            for _ in range(10000):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass

    routes["/drip.html"] = drip

    class Serve(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            host = self.headers.get("Host", "")
            if self.path == "/robots.txt" and host.startswith("localhost"):
                send(self, b"User-agent: *\nCrawl-delay: 100000\n", ctype="text/plain")
                return
            handler = routes.get(self.path)
            if handler is None:
                self.send_error(404)
            else:
                handler(self)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Serve)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]

    def crawl(seeds: list[str], **params) -> Callable[[], str]:
        def run() -> str:
            folder = Path(tempfile.mkdtemp(dir=tmp))
            source = CrawlSource(
                CrawlParams(
                    seeds=seeds,
                    warc_out=str(folder),
                    allow_private_addresses=True,
                    rate_per_host=100,
                    **params,
                ),
                folder,
            )
            docs = list(source.read(source.plan()[0]))
            counts = Counter("/".join(rejection(d)) if rejection(d) else "kept" for d in docs)
            return ", ".join(f"{k} ×{v}" if v > 1 else k for k, v in sorted(counts.items()))

        return run

    base = f"http://127.0.0.1:{port}"
    return {
        "crawl: IRI link + broken link (item 3)": crawl([base + "/iri.html"], follow_links=True),
        "crawl: Content-Length 36,200, 542 bytes sent (item 5)": crawl([base + "/cut.html"]),
        "crawl: Crawl-delay 100000 (item 8)": crawl([f"http://localhost:{port}/iri.html"]),
        "crawl: 1 byte / 0.5 s, timeout_s 1.0 (item 10)": crawl(
            [base + "/drip.html"], timeout_s=1.0
        ),
    }


def matcher_cases() -> dict[str, Callable[[], str]]:
    from corpus.stages.takedown import TakedownRules
    from licenses.optout import TdmRep

    def tdmrep() -> str:
        rules = TdmRep.parse(
            json.dumps([{"location": "/" + "*a" * 10 + "*b", "tdm-reservation": 1}])
        )
        hits = [rules.reservation("https://a.jp/" + "a" * n) for n in (40, 4000, 400_000)]
        return f"no match ×{hits.count(None)}"

    def takedown() -> str:
        rules = TakedownRules(url_prefixes=("https://example.jp/blog/",))
        urls = ["https://EXAMPLE.jp/blog/1", "https://example.jp:443/blog/1",
                "http://example.jp/blog/1", "https://example.jp./blog/1"]  # fmt: skip
        return f"matched {sum(rules.match('d', u, 'web') is not None for u in urls)}/4"

    return {
        "TDMRep /*a*a*a*a*a*a*a*a*a*a*b vs 40…400,000 chars (item 9)": tdmrep,
        "takedown prefix vs 4 spellings (item 17)": takedown,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-mb", type=int, default=200, help="size of the one huge document")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bad-input-bench-") as name:
        root = Path(name)
        started = time.perf_counter()
        expected = build(root / "corpus", args.big_mb * 1024**2)
        (root / "corpus" / "pipeline.yaml").write_text(PIPELINE, encoding="utf-8")
        (root / "corpus" / "more.yaml").write_text(MORE_PIPELINE, encoding="utf-8")
        (root / "corpus" / "policy.yaml").write_text(POLICY, encoding="utf-8")
        files = [p for p in (root / "corpus").rglob("*") if p.is_file() and p.name in expected]
        size = sum(p.stat().st_size for p in files)
        print(f"corpus: {len(files)} files, {size / 1024**2:.1f} MB on disk, built in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        cases = corpus_cases(root / "corpus", expected)
        cases |= server_cases(root)
        cases |= matcher_cases()
        print("| case | outcome | worst time (s) | worst peak RSS growth (MB) |")
        print("|---|---|---:|---:|")
        for label, fn in cases.items():
            runs = [measured(fn) for _ in range(args.repeat)]
            outcomes = {r[0] for r in runs}
            outcome = " / ".join(sorted(outcomes))
            print(
                f"| {label} | {outcome} | {max(r[1] for r in runs):.2f} | "
                f"{max(r[2] for r in runs):.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
