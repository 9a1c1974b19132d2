"""Dedup benchmarks: MinHash signatures per core, and the whole stage at 1×, 2×, 4× corpus size.

Part 1 — signatures per second on one core, the same documents in the same run:
datasketch's ``MinHash.update`` loop (default SHA-1 and xxhash 32-bit hash), its
batch paths ``update_batch`` and ``MinHash.bulk`` (xxhash), datatrove's
``MinhashDedupSignature`` stage (Japanese word 5-grams, 16×8 = 128 hashes, its
``run`` including writing and sorting its files), and ours (per document and
batched). Input: ~1,500-character pieces of real Japanese text (Aozora Bunko,
Wikipedia), already normalized, character 5-grams, 128 permutations.

Part 2 — the ``dedup`` stage's ``run_global`` on Ray (fresh local Ray per size, in a
child process so its peak RSS is the stage's own) over a corpus made by replicating
and perturbing the real texts: 80 % new documents (runs of sentences of the real
texts, shuffled), 15 % near copies of earlier new documents (0.5–2 % character
edits), 5 % exact copies; each new document is copied at most once, so the
duplicate structure is the same at every size.

    .venv/bin/python bench/dedup_bench.py                  # ~16 MB base corpus (a few minutes)
    .venv/bin/python bench/dedup_bench.py --big            # 100 MB base: 100, 200, 400 MB
    .venv/bin/python bench/dedup_bench.py --part 1         # signatures only
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.dedup.evaluation import chunks, edit_characters, sentences, strip_aozora  # noqa: E402
from corpus.dedup.minhash import (  # noqa: E402
    MinHashScheme,
    SignatureComputer,
    shingle_hash,
    shingles,
)
from corpus.dedup.normalize import normalize_for_dedup  # noqa: E402

SHARED = Path("/work/shared/data")


def real_texts() -> list[str]:
    """Aozora bodies and Wikipedia articles (the shared slice, or the bundled sample)."""
    texts: list[str] = []
    if SHARED.exists():
        with open(SHARED / "aozora" / "MANIFEST.tsv", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                raw = (SHARED / "aozora" / row["path"]).read_bytes()
                texts.append(strip_aozora(raw.decode("cp932", errors="replace")))
        wiki = SHARED / "jawiki" / "jawiki-country.shared.json.gz"
    else:
        wiki = REPO / "pipelines" / "sample" / "wikipedia" / "jawiki-country.sample.json.gz"
    with gzip.open(wiki, "rt", encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f]
    return texts


def pieces(texts: list[str], n: int, size: int = 1500, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = [p for t in texts for p in chunks(t, rng, size, size + 100)]
    rng.shuffle(out)
    return [normalize_for_dedup(p)[:size] for p in out[:n]]


def rate(fn, docs: list, repeat: int = 1) -> float:
    """Documents per CPU second of this process (best of ``repeat``): the machine is
    shared, and CPU time does not count the time other processes held the core."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        fn(docs)
        best = min(best, time.process_time() - started)
    return len(docs) / best


def part1(n_docs: int, n_slow: int) -> list[tuple[str, float]]:
    import numpy as np
    import xxhash
    from datasketch import MinHash

    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    docs = pieces(real_texts(), n_docs)
    slow = docs[:n_slow]
    scheme = MinHashScheme()
    computer = SignatureComputer(scheme)
    h32 = xxhash.xxh32_intdigest
    print(
        f"documents: {len(docs)} × {sum(map(len, docs)) / len(docs):.0f} characters "
        f"({sum(len(d.encode()) for d in docs) / len(docs) / 1024:.1f} KB UTF-8), "
        f"{scheme.ngram}-grams, {scheme.num_perm} permutations, 1 core"
    )

    def loop(hashfunc):
        def run(batch):
            for d in batch:
                m = MinHash(num_perm=128, hashfunc=hashfunc) if hashfunc else MinHash(num_perm=128)
                for s in shingles(d, 5):
                    m.update(s.encode("utf-8"))

        return run

    def update_batch(batch):
        for d in batch:
            m = MinHash(num_perm=128, hashfunc=h32)
            m.update_batch([s.encode("utf-8") for s in shingles(d, 5)])

    def bulk(batch):
        MinHash.bulk(
            [[s.encode("utf-8") for s in shingles(d, 5)] for d in batch], num_perm=128, hashfunc=h32
        )

    def ours_per_doc(batch):
        for d in batch:
            computer.signatures([d])

    def ours_batched(batch):
        computer.signatures(batch)

    def datatrove(batch):
        from datatrove.data import Document
        from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature
        from datatrove.utils.hashing import HashConfig

        cfg = MinhashConfig(
            n_grams=5, num_buckets=16, hashes_per_bucket=8, hash_config=HashConfig(precision=32)
        )
        with tempfile.TemporaryDirectory() as tmp:
            step = MinhashDedupSignature(output_folder=tmp, config=cfg, language="ja")
            step.get_shingles("準備")  # load the tokenizer outside the timing
            started = time.process_time()
            step.run(
                iter(Document(text=d, id=str(i)) for i, d in enumerate(batch)), rank=0, world_size=1
            )
            return time.process_time() - started

    # ours equals datasketch fed the same shingle hash
    for d in docs[:20]:
        ref = MinHash(num_perm=128, hashfunc=shingle_hash)
        ref.update_batch([s.encode() for s in shingles(d, 5)])
        assert np.array_equal(ref.hashvalues, computer.signatures([d])[0])
    print("check: our signatures == datasketch MinHash(hashfunc=shingle_hash) on 20 documents")

    from datatrove.utils.logging import logger

    logger.remove()
    dt_seconds = datatrove(slow)
    results = [
        ("datasketch MinHash.update loop, default SHA-1", rate(loop(None), slow)),
        ("datasketch MinHash.update loop, xxh32", rate(loop(h32), slow)),
    ]
    # the fast methods take turns, three rounds, best of each: load from other
    # processes on the machine then weighs on all of them alike
    fast = {
        "datasketch MinHash.update_batch, xxh32": (update_batch, docs[: n_slow * 4]),
        "datasketch MinHash.bulk, xxh32": (bulk, docs[: n_slow * 4]),
        "ours, one document at a time": (ours_per_doc, docs),
        "ours, batched": (ours_batched, docs),
    }
    best = dict.fromkeys(fast, 0.0)
    for _ in range(3):
        for name, (fn, batch) in fast.items():
            best[name] = max(best[name], rate(fn, batch))
    results += list(best.items())[:2]
    results.append(("datatrove MinhashDedupSignature.run (ja words)", len(slow) / dt_seconds))
    results += list(best.items())[2:]
    ref_loop = results[1][1]
    ref_batch = max(results[2][1], results[3][1])
    print("\n| method | docs per CPU second | × update loop (xxh32) | × best batch path |")
    print("|---|---:|---:|---:|")
    for name, r in results:
        print(f"| {name} | {r:,.0f} | {r / ref_loop:.1f} | {r / ref_batch:.2f} |")
    return results


# ---------------------------------------------------------------- part 2


def make_corpus(folder: Path, megabytes: float, parts: int, seed: int = 0) -> dict:
    """Shard-schema Parquet files holding ``megabytes`` of UTF-8 text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corpus.schema import SHARD_SCHEMA

    rng = random.Random(seed)
    pool = [s for t in real_texts() for s in sentences(t) if len(s) > 4]
    folder.mkdir(parents=True, exist_ok=True)
    writers = [
        pq.ParquetWriter(folder / f"part-{i:05d}.parquet", SHARD_SCHEMA, compression="zstd")
        for i in range(parts)
    ]
    target = megabytes * 1024**2
    written, n, kinds = 0, 0, {"new": 0, "near": 0, "exact": 0}
    recent: list[str] = []
    buffers: list[list[dict]] = [[] for _ in range(parts)]
    licenses = ["CC-BY-SA-3.0", "CC-BY-4.0", "LicenseRef-PublicDomain-JP", "CC0-1.0"]
    while written < target:
        roll = rng.random()
        if roll < 0.20 and recent:
            i = rng.randrange(len(recent))
            original = recent[i]
            recent[i] = recent[-1]  # each original is copied once: clusters stay small
            recent.pop()
            if roll < 0.05:
                text, kind = original, "exact"
            else:
                text, kind = edit_characters(original, rng.uniform(0.005, 0.02), rng), "near"
        else:
            start = rng.randrange(len(pool) - 60)
            text = "".join(pool[start : start + rng.randint(8, 50)])
            text = "".join(rng.sample(sentences(text), k=len(sentences(text))))
            kind = "new"
            recent.append(text)
            if len(recent) > 5000:
                recent.pop(rng.randrange(len(recent)))
        kinds[kind] += 1
        part = n % parts
        buffers[part].append(
            {
                "id": f"bench-{n:09d}",
                "text": text,
                "source": "bench",
                "source_id": str(n),
                "license": licenses[n % len(licenses)],
                "license_evidence": "benchmark",
            }
        )
        if len(buffers[part]) >= 2000:
            writers[part].write_table(pa.Table.from_pylist(buffers[part], schema=SHARD_SCHEMA))
            buffers[part] = []
        written += len(text.encode("utf-8"))
        n += 1
    for part, rows in enumerate(buffers):
        if rows:
            writers[part].write_table(pa.Table.from_pylist(rows, schema=SHARD_SCHEMA))
        writers[part].close()
    return {"documents": n, "megabytes": written / 1024**2, **kinds}


def run_one(folder: Path, cpus: int) -> None:
    """Child process: the dedup stage's run_global on a fresh local Ray."""
    from corpus.ray_runtime import ray_session
    from corpus.stages.dedup import Dedup

    paths = sorted(str(p) for p in (folder / "in").glob("part-*.parquet"))
    work = folder / "work"
    with ray_session(num_cpus=cpus):
        started = time.perf_counter()
        Dedup(index_dir=str(folder / "index")).run_global(paths, str(work))
        seconds = time.perf_counter() - started
    summary = json.loads((work / "summary.json").read_text())
    summary["wall_seconds"] = seconds
    (folder / "result.json").write_text(json.dumps(summary))


def part2(base_mb: float, cpus: int, parts: int, root: Path) -> list[dict]:
    rows = []
    for scale in (1, 2, 4):
        folder = root / f"x{scale}"
        started = time.perf_counter()
        corpus = make_corpus(folder / "in", base_mb * scale, parts)
        made = time.perf_counter() - started
        subprocess.run(
            [sys.executable, __file__, "--run-one", str(folder), "--cpus", str(cpus)], check=True
        )
        result = json.loads((folder / "result.json").read_text())
        rows.append({"scale": scale, **corpus, "made_seconds": made, **result})
        print(
            f"{scale}×: {corpus['megabytes']:.0f} MB, {corpus['documents']:,} docs "
            f"({corpus['near']:,} near + {corpus['exact']:,} exact copies made) → "
            f"{result['wall_seconds']:.1f} s; found {result['duplicates']}; "
            f"wall s by step {result['seconds']}; CPU s by step {result['cpu_seconds']}; "
            f"peak RSS MB {result['peak_rss_mb']}; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    print(
        "\n| corpus | documents | dups found (exact / near) | wall s | CPU s (all tasks) "
        "| CPU s per 100 MB | peak RSS per worker MB | driver MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        workers = max(v for k, v in r["peak_rss_mb"].items() if k != "driver")
        d = r["duplicates"]
        cpu = sum(r["cpu_seconds"].values())
        print(
            f"| {r['scale']}× ({r['megabytes']:.0f} MB) | {r['documents']:,} "
            f"| {d['exact_duplicate']:,} / {d['near_duplicate']:,} | {r['wall_seconds']:.1f} "
            f"| {cpu:.1f} | {cpu / r['megabytes'] * 100:.1f} | {workers:.0f} "
            f"| {r['peak_rss_mb']['driver']:.0f} |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", type=int, choices=(1, 2))
    ap.add_argument("--docs", type=int, default=3000, help="documents for the fast methods")
    ap.add_argument("--slow-docs", type=int, default=150, help="documents for the update loops")
    ap.add_argument("--base-mb", type=float, default=16.0, help="1× corpus size (MB of text)")
    ap.add_argument("--big", action="store_true", help="1× = 100 MB (so 4× = 400 MB)")
    ap.add_argument("--cpus", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--files", type=int, default=8, help="input Parquet files")
    ap.add_argument("--work", type=Path, help="where to build corpora (default: a temp folder)")
    ap.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run_one:
        run_one(args.run_one, args.cpus)
        return
    if args.part in (None, 1):
        print("## Part 1: MinHash signatures per core\n")
        part1(args.docs, args.slow_docs)
    if args.part in (None, 2):
        base = 100.0 if args.big else args.base_mb
        print(f"\n## Part 2: dedup stage on Ray, {args.cpus} CPUs, {args.files} input files\n")
        if args.work:
            part2(base, args.cpus, args.files, args.work)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                part2(base, args.cpus, args.files, Path(tmp))


if __name__ == "__main__":
    main()
