"""The dedup job at 10⁸–10⁹ documents: candidate-pair rate on real text, then the job's own
per-partition steps on synthetic band records, memory per step, extrapolated.

Two parts (``--part rate``, ``--part simulate``; both by default), and a check:

* **rate** — ``run_dedup`` (in-process tasks) on a few thousand pieces of real text of the
  shared data (Aozora works, e-Gov laws, Wikipedia articles, cut into pieces of
  ``--piece-chars``): candidate pairs, edges and exact checks per document, the share of
  band keys shared, and the largest bucket. These are the rates the simulation is given.
* **simulate** — synthetic band records (the job's ``BAND_RECORD`` layout, 12 bands) for
  ``n`` documents: every key is unique except where a document belongs to a duplicate
  cluster (it shares the cluster's key in each band with probability ``--band-agree``,
  at least one band) or is a false candidate (one band key copied from a random other
  document, at the measured rate of candidates that verification rejects). Cluster sizes
  follow a power law (``--zipf``) with the largest cluster ``--max-cluster-share`` of the
  documents. The files are written where the job's ``JobFiles`` expects them, and the
  job's own step functions run on them — bucket, verify (``verify: none``: the pair
  bookkeeping; signature reads are in fixed chunks of 8,192 pairs), the large/small-star
  rounds, label, cluster, finalize — each partition in a forked child process whose peak
  RSS (``VmHWM``) less the fork's baseline is the step's memory.

A partition's work depends on how many records reach it, not on the corpus size: with the
stage's cap of 1,024 partitions, one partition at 10⁹ documents holds the band records of
~10⁶ documents. So one partition of an ``n``-document run here stands for one partition
of a ``1024·n``-document run, apart from skew (the largest duplicate cluster lands whole in
one label partition and its hub's edges in one node partition), which is measured
separately with single clusters of growing size and extrapolated.

``--part check`` runs the real job (real sentences, 15 % near and 5 % exact copies) in one
partition beside synthetic records of the same size and duplication, to compare their memory.

Usage::

    .venv/bin/python bench/dedup_at_scale.py --part rate --docs 4000
    .venv/bin/python bench/dedup_at_scale.py --part check --check-mb 100
    .venv/bin/python bench/dedup_at_scale.py --part simulate --scales 1e5,1e6 --json /tmp/x.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from corpus.dedup import job  # noqa: E402
from corpus.dedup.lsh import optimal_banding  # noqa: E402
from corpus.dedup.tasks import LocalTasks, StepUsage, peak_rss_mb  # noqa: E402

BANDING = optimal_banding(0.8, 128)
"""The stage's default banding (12 bands × 10 rows)."""
MAX_PARTITIONS = 1024
"""The dedup stage's cap on shuffle partitions (``corpus/stages/dedup.py``)."""


# ---------------------------------------------------------------- part 1: the rate on real text


def real_pieces(n: int, piece_chars: int, seed: int = 0) -> list[tuple[str, str]]:
    """``(id, text)`` pieces of real documents, consecutive and non-overlapping, shuffled."""
    from langid_quality_data import clean_docs

    rng = random.Random(seed)
    out = []
    for d, doc in enumerate(clean_docs()):
        text = doc.text
        for k, start in enumerate(range(0, max(1, len(text) - piece_chars // 2), piece_chars)):
            piece = text[start : start + piece_chars]
            if len(piece) >= 200:
                out.append((f"{doc.genre}/{d}/{k}", piece))
    rng.shuffle(out)
    return out[:n]


def measure_rate(n_docs: int, piece_chars: int, work: Path) -> dict[str, Any]:
    """Run the dedup job on real pieces; counts per document and bucket sizes."""
    import pyarrow.parquet as pq

    pieces = real_pieces(n_docs, piece_chars)
    work.mkdir(parents=True, exist_ok=True)
    inputs = []
    per_file = max(1, len(pieces) // 4)
    for f in range(0, len(pieces), per_file):
        chunk = pieces[f : f + per_file]
        path = work / f"part-{f // per_file:05d}.parquet"
        pq.write_table(
            pa.table(
                {
                    "id": [i for i, _ in chunk],
                    "text": [t for _, t in chunk],
                    "license": ["CC-BY-4.0"] * len(chunk),
                }
            ),
            path,
        )
        inputs.append(str(path))
    cfg = job.DedupConfig(banding=BANDING, partitions=4)
    started = time.process_time()
    summary = job.run_dedup(inputs, str(work / "out"), cfg, LocalTasks(), keep_work=True)
    cpu = time.process_time() - started
    files = job.JobFiles(work / "out" / "work")
    rec = np.concatenate([np.load(p) for p in sorted((files.work / "bands").glob("*.npy"))])
    _, sizes = np.unique(np.stack([rec["band"].astype(np.uint64), rec["key"]]), axis=1,
                         return_counts=True)  # fmt: skip
    n = summary["documents"]
    chars = sum(len(t) for _, t in pieces)
    return {
        "documents": n,
        "mean_chars": round(chars / n),
        "candidate_pairs": summary["candidate_pairs"],
        "edges": summary["edges"],
        "rejected": summary["rejected_by_verification"],
        "exact_checks": summary["exact_jaccard_checks"],
        "duplicates": summary["duplicates"],
        "candidates_per_doc": summary["candidate_pairs"] / n,
        "edges_per_doc": summary["edges"] / n,
        "rejected_per_doc": summary["rejected_by_verification"] / n,
        "band_keys_shared": float((sizes > 1).sum() / len(sizes)),
        "largest_bucket": int(sizes.max()),
        "cpu_s": round(cpu, 2),
        "cpu_s_per_step": summary["cpu_seconds"],
    }


# ---------------------------------------------------------------- part 2: synthetic records


def cluster_sizes(rng: np.random.Generator, n: int, dup_share: float, zipf: float,
                  max_cluster: int) -> np.ndarray:  # fmt: skip
    """Sizes (≥ 2) of duplicate clusters covering about ``dup_share`` of ``n`` documents;
    power law with exponent ``zipf``, the largest exactly ``max_cluster``."""
    target = int(n * dup_share)
    sizes = [max_cluster] if max_cluster >= 2 else []
    total = sum(sizes)
    while total < target:
        draw = rng.zipf(zipf, size=max(1024, (target - total) // 4)) + 1
        draw = draw[draw <= max_cluster]
        for s in draw.tolist():
            if total >= target:
                break
            sizes.append(s)
            total += s
    return np.array(sizes, dtype=np.int64)


def synthetic_records(n: int, files: int, dup_share: float, false_per_doc: float, zipf: float,
                      max_cluster: int, band_agree: float, seed: int = 0) -> dict[str, Any]:  # fmt: skip
    """Band records of ``n`` synthetic documents spread over ``files`` input files."""
    rng = np.random.default_rng(seed)
    bands = BANDING.bands
    keys = rng.integers(0, 2**63, size=(n, bands), dtype=np.uint64) | np.uint64(1 << 63)
    order = rng.permutation(n)  # cluster members are spread over files
    sizes = cluster_sizes(rng, n, dup_share, zipf, max_cluster)
    at = 0
    for s in sizes.tolist():
        members = order[at : at + s]
        at += s
        share = rng.random((s, bands)) < band_agree
        share[np.arange(s), rng.integers(0, bands, size=s)] = True  # every member: ≥ 1 band
        share[0] = True  # the cluster's first member carries its keys
        cluster_keys = keys[members[0]]
        sub = keys[members]
        sub[share] = np.broadcast_to(cluster_keys, (s, bands))[share]
        keys[members] = sub
    n_false = int(n * false_per_doc)
    a, b = rng.integers(0, n, size=n_false), rng.integers(0, n, size=n_false)
    band = rng.integers(0, bands, size=n_false)
    keys[a, band] = keys[b, band]
    per_file = -(-n // files)
    i = np.arange(n, dtype=np.int64)
    nodes = ((i // per_file) << job._ROW_BITS) | (i % per_file)
    idkeys = rng.integers(0, 2**63, size=n, dtype=np.uint64)
    rec = np.empty(n * bands, dtype=job.BAND_RECORD)
    rec["band"] = np.tile(np.arange(bands, dtype=np.uint16), n)
    rec["key"] = keys.ravel()
    rec["idkey"] = np.repeat(idkeys, bands)
    rec["node"] = np.repeat(nodes, bands)
    return {"records": rec, "nodes": nodes, "per_file": per_file, "clusters": sizes}


def write_inputs(work: Path, cfg: job.DedupConfig, syn: dict[str, Any], files: int) -> None:
    """Band and node files as ``sign_file`` leaves them (one chunk per input file)."""
    jf = job.JobFiles(work)
    rec, nodes, per_file = syn["records"], syn["nodes"], syn["per_file"]
    bands = BANDING.bands
    P = cfg.partitions
    for f in range(files):
        lo, hi = f * per_file, min(len(nodes), (f + 1) * per_file)
        if lo >= hi:
            continue
        r = rec[lo * bands : hi * bands]
        job._write_partitioned(
            r, job.partition_of(r["key"], P), P, lambda p, f=f: jf.bands(f, 0, p)
        )
        k = hi - lo
        node_table = pa.table(
            {
                "node": nodes[lo:hi],
                "id": [
                    f"https://site{(lo + i) % 99991}.example.jp/page/{lo + i}" for i in range(k)
                ],
                "klass": np.ones(k, np.int8),
                "license_rank": np.zeros(k, np.int16),
                "length": np.full(k, 3000, np.int64),
                "exact_hash": pa.array(
                    [(lo + i).to_bytes(16, "little") for i in range(k)], pa.binary(16)
                ),  # fmt: skip
            },
            schema=job.NODE_SCHEMA,
        )
        job._write_table_partitioned(
            node_table, job.partition_of(nodes[lo:hi], P), P, lambda p, f=f: jf.nodes(f, 0, p)
        )


def _child(conn: Any, fn: Any, args: tuple) -> None:
    started = time.process_time()
    result = fn(*args)
    conn.send((result, peak_rss_mb(), time.process_time() - started))
    conn.close()


def forked(fn: Any, *args: Any) -> tuple[Any, float, float]:
    """``fn(*args)`` in a forked child: result, peak RSS MB, CPU s."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args))
    proc.start()
    child.close()
    out = parent.recv()
    proc.join()
    return out


def _noop() -> None:
    return None


class ForkedTasks:
    """Each call in a fresh forked child; per step the largest peak RSS above the fork's
    baseline and the CPU seconds."""

    def __init__(self) -> None:
        self.baseline = forked(_noop)[1]
        self.peak: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.usage = StepUsage()  # what run_dedup reads

    def map(self, fn: Any, calls: list[tuple]) -> list[Any]:
        results = []
        for args in calls:
            result, rss, cpu = forked(fn, *args)
            name = fn.__name__
            self.peak[name] = max(self.peak.get(name, 0.0), rss - self.baseline)
            self.cpu[name] = self.cpu.get(name, 0.0) + cpu
            self.usage.record(name, rss, cpu)
            results.append(result)
        return results


def simulate(n: int, partitions: int, files: int, rates: dict[str, float], root: Path,
             seed: int = 0) -> dict[str, Any]:  # fmt: skip
    """Every step after ``sign`` on ``n`` synthetic documents in ``partitions`` partitions."""
    work = root / f"sim-{n}-{partitions}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cfg = job.DedupConfig(banding=BANDING, partitions=partitions, verify="none")
    t0 = time.perf_counter()
    syn = synthetic_records(
        n, files, rates["dup_share"], rates["false_per_doc"], rates["zipf"],
        max(2, int(n * rates["max_cluster_share"])), rates["band_agree"], seed,
    )  # fmt: skip
    write_inputs(work, cfg, syn, files)
    del syn["records"]
    gen_s = time.perf_counter() - t0
    runner = ForkedTasks()
    w = str(work)
    P = partitions
    wall: dict[str, float] = {}

    def step(name: str, fn: Any, calls: list[tuple]) -> list[Any]:
        t = time.perf_counter()
        out = runner.map(fn, calls)
        wall[name] = wall.get(name, 0.0) + time.perf_counter() - t
        return out

    candidates = sum(step("bucket", job.bucket_partition, [(cfg, w, p) for p in range(P)]))
    checked = step("verify", job.verify_partition, [(cfg, w, q) for q in range(P)])
    t = time.perf_counter()
    rounds = job.connected_components(cfg, w, runner)
    wall["components"] = time.perf_counter() - t
    clustered = sum(step("label", job.label_partition, [(cfg, w, rounds, q) for q in range(P)]))
    clusters = sum(step("cluster", job.cluster_partition, [(cfg, w, r) for r in range(P)]))
    inputs = [job.InputFile(index=f, path="", rank=f) for f in range(files)]
    (work / "out").mkdir(exist_ok=True)
    step("finalize", job.finalize_file, [(cfg, w, str(work / "out"), None, i) for i in inputs])
    disk = sum(p.stat().st_size for p in work.rglob("*") if p.is_file())
    shutil.rmtree(work, ignore_errors=True)
    return {
        "documents": n,
        "partitions": P,
        "files": files,
        "band_records_per_partition": n * BANDING.bands / P,
        "candidate_pairs": int(candidates),
        "edges": int(sum(c["edges"] for c in checked)),
        "clustered": int(clustered),
        "clusters": int(clusters),
        "largest_cluster": int(syn["clusters"].max()) if len(syn["clusters"]) else 0,
        "rounds": int(rounds),
        "peak_mb": {k: round(v, 1) for k, v in runner.peak.items()},
        "cpu_s": {k: round(v, 2) for k, v in runner.cpu.items()},
        "wall_s": {k: round(v, 2) for k, v in wall.items()},
        "baseline_mb": round(runner.baseline, 1),
        "generate_s": round(gen_s, 1),
        "disk_mb_left_by_cluster_step": round(disk / 1e6, 1),
    }


def skew(cluster: int, root: Path) -> dict[str, Any]:
    """One duplicate cluster of ``cluster`` members, all in one partition: the label
    partition and the hub's node partition at their worst."""
    rates = {"dup_share": 1.0, "false_per_doc": 0.0, "zipf": 2.0,
             "max_cluster_share": 1.0, "band_agree": 0.5}  # fmt: skip
    return simulate(cluster, 1, max(1, cluster // 50_000), rates, root)


def check(megabytes: float, root: Path) -> dict[str, Any]:
    """The real job on the dedup benchmark's corpus (real sentences, 15 % near and 5 % exact
    copies) in one partition, then the synthetic records at the same size and duplication:
    per-step memory of both, to see that the synthetic input loads the steps alike."""
    from dedup_bench import make_corpus

    folder = root / "check"
    shutil.rmtree(folder, ignore_errors=True)
    made = make_corpus(folder / "in", megabytes, parts=4)
    inputs = sorted(str(p) for p in (folder / "in").glob("*.parquet"))
    runner = ForkedTasks()
    cfg = job.DedupConfig(banding=BANDING, partitions=1)
    summary = job.run_dedup(inputs, str(folder / "out"), cfg, runner)
    shutil.rmtree(folder, ignore_errors=True)
    n = summary["documents"]
    removed = summary["duplicates"]["exact_duplicate"] + summary["duplicates"]["near_duplicate"]
    # the corpus copies each original at most once: a cluster is mostly a pair
    rates = {"dup_share": 2 * removed / n, "false_per_doc": summary["rejected_by_verification"] / n,
             "zipf": 2.0, "max_cluster_share": 2 / n, "band_agree": 0.5}  # fmt: skip
    synthetic = simulate(n, 1, 4, rates, root)
    return {
        "corpus": made,
        "real": {
            "documents": n,
            "candidate_pairs": summary["candidate_pairs"],
            "edges": summary["edges"],
            "duplicates": summary["duplicates"],
            "rounds": summary["component_rounds"],
            "peak_mb": {k: round(v, 1) for k, v in runner.peak.items()},
            "cpu_s": {k: round(v, 2) for k, v in runner.cpu.items()},
            "baseline_mb": round(runner.baseline, 1),
        },
        "synthetic": synthetic,
    }


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares ``y = a + b·x``."""
    b, a = np.polyfit(np.array(xs, float), np.array(ys, float), 1)
    return float(a), float(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", choices=["rate", "simulate", "check", "all"], default="all")
    ap.add_argument("--check-mb", type=float, default=100.0, help="corpus size for --part check")
    ap.add_argument("--docs", type=int, default=4000, help="real pieces for the rate")
    ap.add_argument("--piece-chars", type=int, default=3000)
    ap.add_argument("--scales", default="1e5,1e6", help="documents per simulated run (P=1)")
    ap.add_argument("--skew", default="1e5,1e6", help="single-cluster sizes for skew")
    ap.add_argument("--dup-share", type=float, default=0.3,
                    help="assumed share of web documents in a duplicate cluster")  # fmt: skip
    ap.add_argument("--zipf", type=float, default=2.0)
    ap.add_argument("--max-cluster-share", type=float, default=1e-3)
    ap.add_argument("--band-agree", type=float, default=0.5)
    ap.add_argument("--node-gb", type=float, default=64.0)
    ap.add_argument("--cores-per-node", type=int, default=16)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "dedup-at-scale")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    out: dict[str, Any] = {"banding": BANDING.model_dump()}
    if args.json and args.json.exists():
        out.update(json.loads(args.json.read_text()))
    if args.part in ("rate", "all"):
        shutil.rmtree(args.root / "rate", ignore_errors=True)
        rate = measure_rate(args.docs, args.piece_chars, args.root / "rate")
        shutil.rmtree(args.root / "rate", ignore_errors=True)
        out["rate"] = rate
        print("## Candidate-pair rate on real text (run_dedup, default settings)\n")
        for k, v in rate.items():
            print(f"- {k}: {round(v, 5) if isinstance(v, float) else v}")
        print()
    if args.part in ("simulate", "all"):
        rate = out.get("rate") or {}
        rates = {
            "dup_share": args.dup_share,
            "false_per_doc": max(rate.get("rejected_per_doc", 0.0), 0.01),
            "zipf": args.zipf,
            "max_cluster_share": args.max_cluster_share,
            "band_agree": args.band_agree,
        }
        out["sim_rates"] = rates
        runs = []
        for n in [int(float(s)) for s in args.scales.split(",")]:
            r = simulate(n, 1, max(4, n // 25_000), rates, args.root)
            runs.append(r)
            print(json.dumps(r))
        out["runs"] = runs
        skews = [skew(int(float(s)), args.root) for s in args.skew.split(",")]
        for r in skews:
            print(json.dumps(r))
        out["skew"] = skews
        report(out, args.node_gb, args.cores_per_node)
    if args.part == "check":
        got = check(args.check_mb, args.root)
        out["check"] = got
        real, syn = got["real"], got["synthetic"]
        print(f"corpus: {got['corpus']}")
        print(f"real: {real['documents']} docs, {real['candidate_pairs']} candidates, "
              f"{real['edges']} edges, {real['duplicates']}, {real['rounds']} rounds")  # fmt: skip
        print(f"synthetic: {syn['documents']} docs, {syn['candidate_pairs']} candidates, "
              f"{syn['edges']} edges, {syn['clustered']} clustered, {syn['rounds']} rounds\n")  # fmt: skip
        print("| step | real corpus MB | synthetic MB |")
        print("|---|---:|---:|")
        for step in real["peak_mb"]:
            print(f"| {step} | {real['peak_mb'][step]:.0f} | "
                  f"{syn['peak_mb'].get(step, float('nan')):.0f} |")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


def report(out: dict[str, Any], node_gb: float, cores: int) -> None:
    """Per step: memory of one partition at 10⁸ and 10⁹ documents (1,024 partitions),
    from the measured runs, plus the largest cluster's skew."""
    runs, skews = out["runs"], out["skew"]
    steps = ["bucket_partition", "verify_partition", "large_star_partition",
             "small_star_partition", "label_partition", "cluster_partition", "finalize_file"]  # fmt: skip
    share = out["sim_rates"]["max_cluster_share"]
    print(f"\n## Memory per task, one partition (node: {node_gb:.0f} GB, {cores} cores → "
          f"{node_gb / cores:.1f} GB per concurrent task)\n")  # fmt: skip
    head = "| step | " + " | ".join(
        f"measured, {r['documents']:.0e} docs in 1 partition" for r in runs
    )
    print(head + " | fit MB per 10⁶ docs in the partition | 10⁸ docs / 1,024 | 10⁹ docs / 1,024 "
          "| 10⁹ + the largest cluster in this partition |")  # fmt: skip
    print("|---" * (len(runs) + 5) + "|")
    rows = {}
    for s in steps:
        xs = [r["documents"] / 1e6 for r in runs]
        ys = [r["peak_mb"].get(s, 0.0) for r in runs]
        a, b = fit(xs, ys) if len(runs) > 1 else (0.0, ys[0] / xs[0])
        at8, at9 = a + b * 1e8 / MAX_PARTITIONS / 1e6, a + b * 1e9 / MAX_PARTITIONS / 1e6
        sx = [r["documents"] / 1e6 for r in skews]
        sy = [r["peak_mb"].get(s, 0.0) for r in skews]
        sa, sb = fit(sx, sy) if len(skews) > 1 else (0.0, sy[0] / sx[0])
        big = 1e9 * share / 1e6
        sk = sa + sb * big if s in ("cluster_partition", "large_star_partition",
                                    "small_star_partition", "label_partition") else 0.0  # fmt: skip
        rows[s] = {"fit_a": a, "fit_b": b, "at_1e8": at8, "at_1e9": at9, "skew_1e9": sk}
        cells = " | ".join(f"{y:,.0f} MB" for y in ys)
        print(f"| {s} | {cells} | {b:,.0f} | {at8:,.0f} MB | {at9:,.0f} MB | "
              f"{at9 + sk:,.0f} MB |")  # fmt: skip
    out["extrapolated"] = rows
    worst = max(v["at_1e9"] + v["skew_1e9"] for v in rows.values())
    print(f"\nWorst task at 10⁹ documents: {worst:,.0f} MB (+ ~250 MB of imported libraries "
          f"per worker) vs {node_gb * 1024 / cores:,.0f} MB per concurrent task, "
          f"{node_gb * 1024:,.0f} MB per node.")  # fmt: skip


if __name__ == "__main__":
    main()
