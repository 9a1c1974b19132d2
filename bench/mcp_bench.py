"""How fast ``jpcorpus mcp`` answers ``search_documents`` on a release of a million rows.

The release is synthetic but its text is real: every document is a run of sentences
drawn from one genre of the shared data's openly licensed pool (Aozora Bunko public-
domain works, e-Gov laws, Japanese Wikipedia; ``bench/scale_data.py`` loads it), with
the genre's license, evidence and attribution. A fourth source, ``web``, spreads
CC-BY-4.0 pages over 1,000 hosts so that a domain or URL-prefix search is selective.
Shards are written once with the release's Arrow schema (``corpus.schema``) and a
manifest that lists them; later runs reuse the folder.

Each query is timed cold (first call) and warm (median of ``--repeat``), wall clock and
the process's CPU time, through the tool function, and once end to end through the MCP
SDK's in-memory client::

    .venv/bin/python bench/mcp_bench.py --rows 1000000 --out /tmp/jpcorpus-mcp-bench
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from corpus.schema import SHARD_SCHEMA  # noqa: E402
from manifests.layout import file_sha256  # noqa: E402
from manifests.release import manifest_digest  # noqa: E402

WEB_HOSTS = 1000
SENTENCES = (2, 10)
"""Sentences per document (uniform): a few hundred characters, like a short page."""


def _genres():
    from scale_data import load_genres

    genres = load_genres()
    web = genres["wikipedia-ja"]
    return [
        ("aozora", genres["aozora"], lambda i: f"https://www.aozora.gr.jp/cards/{i % 2000:06d}/card{i}.html"),
        ("egov-law", genres["egov-law"], lambda i: f"https://laws.e-gov.go.jp/law/{i:09d}"),
        ("wikipedia-ja", web, lambda i: f"https://ja.wikipedia.org/wiki/記事{i}"),
        ("web", web, lambda i: f"https://site{i % WEB_HOSTS}.example.jp/page/{i}.html"),
    ]  # fmt: skip


def build_release(out: Path, rows: int, shards: int, seed: int = 0) -> dict:
    """Write ``rows`` documents in ``shards`` files and the manifest listing them."""
    rng = random.Random(seed)
    genres = _genres()
    licenses: dict[str, dict[str, int]] = {}
    sources: dict[str, dict] = {}
    entries = []
    now = datetime.now(UTC)
    (out / "shards").mkdir(parents=True, exist_ok=True)
    per_shard = -(-rows // shards)
    for s in range(shards):
        first, last = s * per_shard, min(rows, (s + 1) * per_shard)
        cols: dict[str, list] = {f.name: [] for f in SHARD_SCHEMA}
        for i in range(first, last):
            source, genre, url = genres[i % len(genres)]
            lic = "CC-BY-4.0" if source == "web" else genre.license
            text = "".join(rng.choices(genre.sentences, k=rng.randint(*SENTENCES)))
            row = {
                "id": f"{source}-{i:08x}", "text": text, "source": source,
                "source_id": str(i), "url": url(i), "license": lic,
                "license_evidence": genre.license_evidence, "attribution": genre.attribution,
                "retrieved_at": now, "raw_sha256": hashlib.sha256(text.encode()).hexdigest(),
                "lang": "ja", "lang_score": 0.99, "pii_redactions": 0, "char_count": len(text),
            }  # fmt: skip
            for name in cols:
                cols[name].append(row.get(name))
            counts = licenses.setdefault(lic, {"documents": 0, "characters": 0})
            counts["documents"] += 1
            counts["characters"] += len(text)
            src = sources.setdefault(source, {"input": 0, "kept": 0, "dropped": {}})
            src["input"] += 1
            src["kept"] += 1
        rel = f"shards/part-{s:05d}.parquet"
        pq.write_table(pa.table(cols, schema=SHARD_SCHEMA), out / rel, compression="zstd")
        entries.append({"path": rel, "sha256": file_sha256(out / rel), "rows": last - first,
                        "bytes": (out / rel).stat().st_size})  # fmt: skip
        print(f"  wrote {rel}: {last - first:,} rows", flush=True)
    manifest = {
        "name": "mcp-bench", "version": "bench", "created_at": now.isoformat(timespec="seconds"),
        "schema_version": 1, "shards": entries, "rejected": [], "licenses": licenses,
        "sources": sources, "accounting": {"input": rows, "kept": rows, "dropped": {}},
    }  # fmt: skip
    manifest["manifest_sha256"] = manifest_digest(manifest)
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    (out / "ATTRIBUTION.md").write_text("# Attribution — mcp-bench\n", encoding="utf-8")
    return manifest


def _timed(fn, repeat: int) -> tuple[float, float, float, dict]:
    """Cold wall time, warm wall time (median) and warm CPU time of the process (median;
    DuckDB's threads included), which the machine's load does not inflate."""
    start = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - start
    warm, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        warm.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return cold, statistics.median(warm), statistics.median(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path("/tmp/jpcorpus-mcp-bench"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from manifests.mcp_server import CorpusTarget, search_documents

    release = args.out / f"release-{args.rows}"
    if not (release / "manifest.json").is_file():
        print(f"building {release} ({args.rows:,} rows)", flush=True)
        start = time.perf_counter()
        build_release(release, args.rows, args.shards)
        print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)
    size = sum(p.stat().st_size for p in (release / "shards").glob("*.parquet"))
    print(f"release: {release} ({args.rows:,} rows, {size / 2**20:,.0f} MiB of Parquet)")

    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
    target = CorpusTarget(release)
    rare = "該当する文書のない語句"
    queries = {
        "no filter, limit 50": {},
        "license=CC-BY-SA-3.0": {"license": "CC-BY-SA-3.0"},
        "source=web domain=site123.example.jp": {"source": "web", "domain": "site123.example.jp"},
        "domain=site7.example.jp limit 1000": {"domain": "site7.example.jp", "limit": 1000},
        "url_prefix=…/wiki/記事99": {"url_prefix": "https://ja.wikipedia.org/wiki/記事99"},
        "text_contains=日本": {"text_contains": "日本"},
        "license+text_contains=政府, limit 1000": {
            "license": "CC-BY-SA-3.0", "text_contains": "政府", "limit": 1000,
        },
        f"text_contains={rare} (no match: every text read)": {"text_contains": rare},
    }  # fmt: skip
    print(f"{'query':<52} {'rows':>5} {'cold s':>7} {'warm s':>7} {'cpu s':>7}")
    for label, kwargs in queries.items():
        cold, warm, cpu, result = _timed(
            lambda k=kwargs: search_documents(target, **k), args.repeat
        )
        print(
            f"{label:<52} {len(result['documents']):>5} {cold:>7.3f} {warm:>7.3f} {cpu:>7.3f}",
            flush=True,
        )

    import anyio
    from mcp import Client

    from manifests.mcp_server import build_server

    async def over_mcp() -> float:
        async with Client(build_server(target)) as client:
            start = time.perf_counter()
            result = await client.call_tool(
                "search_documents", {"domain": "site123.example.jp", "limit": 50}
            )
            assert not result.is_error, result.content
            return time.perf_counter() - start

    print(f"MCP in-memory client, search_documents domain=site123.example.jp: "
          f"{anyio.run(over_mcp):.3f} s")  # fmt: skip
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
