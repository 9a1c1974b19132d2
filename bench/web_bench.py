"""jpcorpus against datatrove on a crawl segment: pages and MB per CPU-second, pages kept.

Both tools read the same gzip WARC files (``bench/web_data.py``) on the same machine:

* jpcorpus — one ``jpcorpus run`` (``python -m pipelines.cli run``) of a pipeline file with
  a ``warc`` source (``japanese_prefilter: true``) and the stages langid, quality, dedup,
  pii, policy ``default`` (embedded local Ray, all CPUs; or its local worker processes with
  ``--jpcorpus-executor processes``);
* datatrove — its own equivalent with ``LocalPipelineExecutor(workers=2)``: ``WarcReader``
  → ``Trafilatura(favour_precision=True)`` → ``LanguageFilter(languages=["ja"])`` with the
  lid.176 model bundled at ``corpus/models/lid.176.ftz`` → the FineWeb-2 Japanese quality
  filters (``GopherRepetitionFilter``, ``FineWebQualityFilter``, ``GopherQualityFilter``
  with the thresholds and stop words of FineWeb-2's ``configs/jpn_Jpan.yml`` and the
  arguments of its ``fineweb-2-pipeline.py``) → ``JsonlWriter`` → MinHash dedup
  (``MinhashDedupSignature`` / ``Buckets`` / ``Cluster`` / ``Filter`` with FineWeb-2's
  ``MinhashConfig``: xxhash 64-bit, 14 buckets × 8 hashes, 5-grams) → ``PIIFormatter``
  → ``JsonlWriter``.

Each tool runs in a fresh process; CPU seconds are user+system of its whole process tree
(sampled with psutil as in ``bench/scale_bench.py``: Ray's processes are ended, not
reaped, so ``RUSAGE_CHILDREN`` would miss them). "Pages" are the HTML pages in the input (200 responses,
``truth.jsonl``); MB is the WARC bytes on disk. Japanese pages kept are the output URLs that
``truth.jsonl`` lists as built Japanese.

datatrove's ``WarcReader`` imports ``cchardet`` and ``magic`` (its ``processing`` extra):
``.venv/bin/pip install faust-cchardet python-magic`` before running this.

    .venv/bin/python bench/web_bench.py --size 100MB --japanese-share 0.05
    .venv/bin/python bench/web_bench.py --size 100MB --japanese-share 1.0
    .venv/bin/python bench/web_bench.py --tools jpcorpus --jpcorpus-executor processes
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml
from datatrove.utils.lid import FT176LID

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from scale_bench import measured_run  # noqa: E402
from web_data import parse_size, write_segment  # noqa: E402

LID_MODEL = REPO / "corpus" / "models" / "lid.176.ftz"
# FineWeb-2 configs/jpn_Jpan.yml
JPN_JPAN = {
    "dup_line_frac": 0.375,
    "dup_n_grams": [(5, 0.307), (6, 0.283), (7, 0.264), (8, 0.248), (9, 0.234), (10, 0.223)],
    "line_punct_thr": 0.167,
    "max_avg_word_length": 5,
    "max_non_alpha_words_ratio": 0.759,
    "min_avg_word_length": 1,
    "new_line_ratio": 0.162,
    "stopwords": [
        "の",
        "に",
        "を",
        "は",
        "た",
        "て",
        "が",
        "と",
        "で",
        "年",
        "し",
        "・",
        "月",
        "れ",
        "さ",
    ],
    "top_n_grams": [(2, 0.121), (3, 0.129), (4, 0.145)],
}


# --------------------------------------------------------------------------- datatrove side
class BundledFT176(FT176LID):
    """lid.176 read from the bundled file (nothing is downloaded at run time)."""

    @property
    def model(self):  # noqa: ANN201
        if self._model is None:
            from fasttext.FastText import _FastText

            self._model = _FastText(str(LID_MODEL))
        return self._model


def datatrove_pipeline(warcs: Path, work: Path, tasks: int, workers: int) -> None:
    """datatrove's own pipeline for Japanese web text, run with LocalPipelineExecutor."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupBuckets
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import (
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        LanguageFilter,
    )
    from datatrove.pipeline.formatters import PIIFormatter
    from datatrove.pipeline.readers import JsonlReader, WarcReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    language_filter = LanguageFilter(languages=["ja"])
    language_filter.model = BundledFT176(["ja"])
    cfg = JPN_JPAN
    minhash = MinhashConfig(
        hash_config=HashConfig(hash_fc="xxhash", precision=64),
        num_buckets=14,
        hashes_per_bucket=8,
        n_grams=5,
    )
    logs = work / "logs"
    filtered, mh = work / "filtered", work / "minhash"
    run = dict(logging_dir=None, skip_completed=False)
    LocalPipelineExecutor(
        pipeline=[
            WarcReader(str(warcs), glob_pattern="*.warc.gz"),
            Trafilatura(favour_precision=True),
            language_filter,
            GopherRepetitionFilter(
                language="jpn_Jpan", dup_para_frac=0, dup_line_char_frac=0, dup_para_char_frac=0,
                dup_line_frac=cfg["dup_line_frac"], top_n_grams=cfg["top_n_grams"], dup_n_grams=cfg["dup_n_grams"],
            ),
            FineWebQualityFilter(
                language="jpn_Jpan", short_line_thr=999, char_duplicates_ratio=0.1,
                line_punct_thr=cfg["line_punct_thr"], new_line_ratio=cfg["new_line_ratio"],
            ),
            GopherQualityFilter(
                language="jpn_Jpan", max_avg_word_length=cfg["max_avg_word_length"],
                min_avg_word_length=cfg["min_avg_word_length"], stop_words=cfg["stopwords"],
                max_non_alpha_words_ratio=cfg["max_non_alpha_words_ratio"], min_stop_words=2,
            ),
            JsonlWriter(str(filtered)),
            MinhashDedupSignature(output_folder=str(mh / "signatures"), config=minhash, language="jpn_Jpan"),
        ],
        tasks=tasks, workers=workers, logging_dir=str(logs / "1"), **{k: v for k, v in run.items() if k != "logging_dir"},
    ).run()  # fmt: skip
    LocalPipelineExecutor(
        pipeline=[MinhashDedupBuckets(input_folder=str(mh / "signatures"), output_folder=str(mh / "buckets"),
                                      config=minhash)],
        tasks=minhash.num_buckets, workers=workers, logging_dir=str(logs / "2"), skip_completed=False,
    ).run()  # fmt: skip
    LocalPipelineExecutor(
        pipeline=[MinhashDedupCluster(input_folder=str(mh / "buckets"), output_folder=str(mh / "remove_ids"),
                                      config=minhash)],
        tasks=1, workers=1, logging_dir=str(logs / "3"), skip_completed=False,
    ).run()  # fmt: skip
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(filtered)),
            MinhashDedupFilter(input_folder=str(mh / "remove_ids")),
            PIIFormatter(),
            JsonlWriter(str(work / "output")),
        ],
        tasks=tasks, workers=workers, logging_dir=str(logs / "4"), skip_completed=False,
    ).run()  # fmt: skip


def datatrove_kept(work: Path) -> list[str]:
    urls = []
    for path in sorted((work / "output").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            urls += [json.loads(line)["metadata"]["url"] for line in f]
    return urls


# --------------------------------------------------------------------------- jpcorpus side
def jpcorpus_pipeline(warcs: Path, work: Path) -> Path:
    pipeline = {
        "name": "web-bench",
        "output": str(work / "release"),
        "sources": [{"type": "warc", "path": str(warcs), "japanese_prefilter": True}],
        "stages": [{"langid": {}}, {"quality": {}}, {"dedup": {}}, {"pii": {}}],
        "policy": "default",
    }
    path = work / "pipeline.yaml"
    path.write_text(yaml.safe_dump(pipeline, allow_unicode=True, sort_keys=False))
    return path


def jpcorpus_kept(work: Path) -> list[str]:
    import pyarrow.parquet as pq

    urls = []
    for path in sorted((work / "release" / "shards").glob("*.parquet")):
        urls += pq.read_table(path, columns=["source_id"]).column("source_id").to_pylist()
    return urls


# --------------------------------------------------------------------------- measuring
def print_jpcorpus_costs(manifest_path: Path) -> None:
    """Where jpcorpus spent its time: CPU s per stage (summed over tasks), wall per phase."""
    manifest = json.loads(manifest_path.read_text())
    stages = ", ".join(f"{c['stage']} {c['cpu_s']:.1f}" for c in manifest["stage_costs"])
    print(f"jpcorpus CPU s by stage: {stages}")
    phases = manifest["run"].get("phase_seconds", {})
    print("jpcorpus wall s by phase: " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))


def measure(cmd: list[str]) -> tuple[float, float, float]:
    """Run ``cmd``; wall seconds and CPU seconds of its whole process tree (sampled), and
    the largest peak RSS (MB) of a worker process (not the driver, not Ray's own)."""
    wall, sampler, _ = measured_run(cmd, " ".join(cmd[:4]))
    return wall, sampler.cpu_seconds(), sampler.peak_mb("ray worker")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size", type=parse_size, default=parse_size("100MB"))
    ap.add_argument("--japanese-share", type=float, default=0.05)
    ap.add_argument("--files", type=int, default=4, help="WARC files (= tasks)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument(
        "--input", type=Path, help="WARC folder (made here by web_data.py when missing)"
    )
    ap.add_argument("--tools", nargs="+", default=["jpcorpus", "datatrove"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--jpcorpus-executor", choices=["ray", "processes"], default="ray",
        help="jpcorpus run --executor (default: ray, the embedded local Ray)",
    )  # fmt: skip
    ap.add_argument("--datatrove-inner", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.datatrove_inner:
        warcs, work = args.datatrove_inner
        datatrove_pipeline(warcs, work, args.files, args.workers)
        return

    share = f"ja{round(args.japanese_share * 100)}"
    warcs = (
        args.input
        or Path(tempfile.gettempdir()) / "jpcorpus-web" / f"{args.size}B-{share}-s{args.seed}"
    )
    if not (warcs / "truth.jsonl").exists():
        t = time.time()
        write_segment(args.data, warcs, args.size, args.files, args.seed, args.japanese_share)
        print(f"input written to {warcs} in {time.time() - t:.0f} s", flush=True)
    truth = {}
    for line in (warcs / "truth.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        truth[row["url"]] = row
    files = sorted(warcs.glob("*.warc.gz"))
    mb = sum(p.stat().st_size for p in files) / 1024**2
    pages = len(truth)
    japanese = {u for u, r in truth.items() if r["lang"] == "ja"}
    licensed = {u for u in japanese if truth[u]["license"].startswith("CC-")}
    print(f"input: {len(files)} WARC files, {mb:.1f} MB, {pages:,} HTML pages, {len(japanese):,} built "
          f"Japanese ({len(licensed):,} of them CC BY / BY-SA in the footer); {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip

    rows = []
    for tool in args.tools:
        work = Path(tempfile.mkdtemp(prefix=f"web-bench-{tool}-"))
        try:
            if tool == "jpcorpus":
                cmd = [
                    sys.executable,
                    "-m",
                    "pipelines.cli",
                    "run",
                    str(jpcorpus_pipeline(warcs, work)),
                    "--quiet",
                    "--executor",
                    args.jpcorpus_executor,
                ]
            else:
                cmd = [sys.executable, str(Path(__file__).resolve()), "--files", str(len(files)),
                       "--workers", str(args.workers), "--datatrove-inner", str(warcs), str(work)]  # fmt: skip
            load = os.getloadavg()[0]
            wall, cpu, peak_worker = measure(cmd)
            kept = (jpcorpus_kept if tool == "jpcorpus" else datatrove_kept)(work)
            if tool == "jpcorpus":
                print_jpcorpus_costs(work / "release" / "manifest.json")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        kept_set = set(kept)
        row = {
            "tool": tool, "wall": wall, "cpu": cpu, "load": load, "peak_worker_mb": round(peak_worker),
            "kept": len(kept), "kept_ja": len(kept_set & japanese), "kept_cc_ja": len(kept_set & licensed),
            "kept_not_ja": len(kept_set - japanese),
        }  # fmt: skip
        rows.append(row)
        print(json.dumps(row), flush=True)

    print()
    print("| tool | wall s | CPU s | pages / CPU s | MB / CPU s | peak RSS per worker MB | "
          "pages kept | Japanese kept | CC-licensed Japanese kept | non-Japanese kept |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['tool']} | {r['wall']:.0f} | {r['cpu']:.0f} | {pages / r['cpu']:.1f} | "
              f"{mb / r['cpu']:.3f} | {r['peak_worker_mb']:,} | {r['kept']:,} | "
              f"{r['kept_ja']:,} / {len(japanese):,} | {r['kept_cc_ja']:,} / {len(licensed):,} | "
              f"{r['kept_not_ja']:,} |")  # fmt: skip
    by = {r["tool"]: r for r in rows}
    if {"jpcorpus", "datatrove"} <= by.keys():
        print(
            f"\njpcorpus / datatrove throughput per CPU second: {by['datatrove']['cpu'] / by['jpcorpus']['cpu']:.2f}×"
        )


if __name__ == "__main__":
    main()
