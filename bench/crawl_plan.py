"""A cost model for one Common Crawl snapshot through jpcorpus, from measured figures.

Every input figure is printed with its source: *measured here* (the command that
measures it, run by ``--measure`` where it is cheap), *RESULTS.md* (the section of
``bench/RESULTS.md`` that recorded it, with its command there), or *assumption*.
Output: CPU-hours per stage, memory per node, object-store traffic and wall time on a
1,000-core Ray cluster, and the dedup job's scratch and memory at 10⁸–10⁹ documents
(read from ``bench/dedup_at_scale.py --json`` when given).

Usage::

    .venv/bin/python bench/crawl_plan.py                          # stored figures
    .venv/bin/python bench/crawl_plan.py --measure                # re-measure the read side (~1 min)
    .venv/bin/python bench/crawl_plan.py --dedup-json /tmp/dedup.json --manifest out/sample/manifest.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

MEASURE_CMD = "OMP_NUM_THREADS=1 .venv/bin/python bench/crawl_plan.py --measure"


@dataclass
class Figure:
    """One input of the model: value, unit and where it comes from."""

    name: str
    value: float
    unit: str
    source: str


def figures() -> dict[str, Figure]:
    """The model's inputs (read-side values are replaced by ``--measure``)."""
    f = [
        # ---- the crawl (assumptions)
        Figure("warc_bytes", 100e12, "B", "assumption (brief): one CC snapshot, ~100 TB of gzip WARC"),
        Figure("pages", 3.0e9, "pages", "assumption: CC snapshots hold 2.5–3.5 × 10⁹ pages; 33 KB of WARC per page"),
        Figure("ja_share", 0.05, "", "assumption (brief): ~5 % of pages Japanese"),
        Figure("ja_text_chars", 2500, "chars/page", "assumption: main text of a kept Japanese page (the real-text pieces of the dedup rate run average 2,823)"),
        Figure("bytes_per_char", 3.0, "B/char", "UTF-8 of Japanese text (kana/kanji 3 bytes)"),
        # ---- read side: stored_read_side() / --measure
        Figure("prefilter_pass_other", 0.0175, "", "RESULTS.md, pre-filter: 50 of 2,850 other-language pages pass (5 % mix)"),
        Figure("prefilter_recall", 0.9886, "", "RESULTS.md, pre-filter: 174/176 on the 5 % mix"),
        # ---- Japanese stages per MB of text (RESULTS.md)
        Figure("langid_mb_s", 21.73, "MB/s per core", "RESULTS.md, language ID: model on every window (the slow case; kana-settled text runs 1,323 MB/s)"),
        Figure("quality_mb_s", 14.97, "MB/s per core", "RESULTS.md, language ID and quality: quality rules, one core"),
        Figure("dedup_s_per_100mb", 8.0, "CPU s / 100 MB", "RESULTS.md, dedup: the stage at 1×/2×/4× (all steps, all tasks)"),
        Figure("pii_mb_s", 2.5, "MB/s per core", "RESULTS.md, PII speed: patterns + fast names (web default), Wikipedia 2.5 (Aozora 1.06, laws 3.5)"),
        Figure("write_s_per_mb", 0.05, "CPU s / MB", "assumption: Parquet (zstd) write + read of a segment's output; the scale bench's whole run is 0.39 CPU s/MB of which the stages above are ~0.3"),
        # ---- keep rates (assumptions except langid)
        Figure("langid_keep", 0.93, "", "RESULTS.md, pre-filter 5 % mix: langid keeps 186 of the ~200 pages passed"),
        Figure("quality_keep", 0.60, "", "assumption: web text loses far more to the quality rules than curated text (8 % here)"),
        Figure("dedup_keep", 0.76, "", "assumption: 30 % of documents in duplicate clusters → 24–26 % removed (bench/dedup_at_scale.py synthetic mix)"),
        # ---- output sizes
        Figure("parquet_ratio", 5.6, "× text bytes", "RESULTS.md, MCP bench: 690 M chars (≈2.07 GB UTF-8) in 354 MiB (371 MB) of zstd Parquet"),
        Figure("rejected_row_bytes", 60, "B/row", "assumption: a rejected/ row (id, url, stage, reason; no text) after zstd"),
        # ---- dedup scratch (from corpus/dedup/job.py)
        Figure("sig_bytes", 512, "B/doc", "corpus/dedup/job.py: 128 × uint32 signature (sig/*.npy)"),
        Figure("band_bytes", 12 * 26, "B/doc", "corpus/dedup/job.py: 12 BAND_RECORDs of 26 B"),
        Figure("shingle_bytes_per_char", 4, "B/char", "corpus/dedup/job.py: one uint32 shingle hash per character (verify: exact)"),
        Figure("node_bytes", 100, "B/doc", "assumption: node + docs Parquet rows (id, hashes), zstd"),
        # ---- memory (RESULTS.md / stage_costs)
        Figure("worker_rss_mb", 574, "MB", "RESULTS.md, scale: largest worker at 1 GB input (flat 1×–4×)"),
        Figure("driver_rss_mb", 257, "MB", "RESULTS.md, scale: driver at 1 GB input"),
        Figure("ray_system_mb", 90, "MB", "RESULTS.md, scale: Ray's own processes"),
        # ---- the cluster (assumptions)
        Figure("warc_files", 9.0e4, "files", "assumption: CC WARC files are ~1.1 GB each; one segment task per file"),
        Figure("extract_ms_bench_page", 3.43, "ms/page", f"measured here: {MEASURE_CMD} (decode + trafilatura per page on the 5 % mix, 1.4 KB pages)"),
        Figure("cores", 1000, "cores", "brief: 1,000-core Ray cluster"),
        Figure("node_cores", 16, "cores/node", "assumption: 16-vCPU nodes"),
        Figure("node_gb", 64, "GB/node", "assumption: 64 GB per node (4 GB per core)"),
        Figure("node_gbit", 12.5, "Gbit/s per node", "assumption: network per node (object store in region)"),
        Figure("efficiency", 0.8, "", "assumption: share of core-time in stage work at scale (scheduling, stragglers, Ray start)"),
    ]  # fmt: skip
    out = {x.name: x for x in f}
    out.update(stored_read_side())
    return out


READ_SIDE = {
    # name: (set, key, unit, what)
    "gunzip_s_per_mb": ("real_size", "gunzip_s_per_mb", "CPU s / MB of gzip WARC",
                        "warcio reading every record of web-size pages"),
    "expand_ratio": ("real_size", "expand_ratio", "×", "record bytes / gzip bytes, web-size pages"),
    "prefilter_s_per_mb": ("real_size", "prefilter_other_s_per_mb", "CPU s / MB of HTML",
                           "looks_japanese on web-size pages it skips (English, UTF-8)"),
    "prefilter_us_per_page": ("mix", "prefilter_us_per_page", "µs / page",
                              "looks_japanese per page on the 5 % mix (13 languages, legacy charsets)"),
    "extract_s_per_mb": ("real_size", "extract_s_per_mb", "CPU s / MB of HTML",
                         "decode + trafilatura on the e-Gov law pages (53 KB each)"),
}  # fmt: skip
"""Read-side figures: which measurement of ``--measure`` gives each."""

STORED = {
    "gunzip_s_per_mb": 0.01715,
    "expand_ratio": 4.007,
    "prefilter_s_per_mb": 0.004081,
    "prefilter_us_per_page": 24.89,
    "extract_s_per_mb": 0.6044,
}
"""The read-side figures as last measured (bench/RESULTS.md, "Plan for a whole crawl")."""


def stored_read_side() -> dict[str, Figure]:
    return {
        k: Figure(k, STORED[k], unit, f"measured here: {MEASURE_CMD} ({what})")
        for k, (_, _, unit, what) in READ_SIDE.items()
    }


def real_size_pages(data: Path, seed: int) -> list[Any]:
    """Pages of web size: the 154 real e-Gov law pages as served (Shift_JIS, ~53 KB) and as
    many English pages of real Tatoeba sentences in the bench template, ~50 KB each."""
    import random

    from prefilter_data import EN_CHROME, Page, render

    rng = random.Random(seed)
    laws = sorted((data / "egov_laws" / "html_2013").glob("*.html"))
    pages = [Page(f"https://law.example.jp/{i}", p.read_bytes(), "text/html", "ja-law")
             for i, p in enumerate(laws)]  # fmt: skip
    lines = (data / "tatoeba" / "jpn-eng.manythings.shared.tsv").read_text("utf-8").splitlines()
    english = [line.partition("\t")[0] for line in lines]
    for i in range(len(laws)):
        start = rng.randrange(len(english) - 1200)
        paras = [" ".join(english[k : k + 12]) for k in range(start, start + 1200, 12)]
        html = render(english[start][:30], paras, EN_CHROME, "en", "utf-8")
        pages.append(
            Page(f"https://en.example.com/{i}", html.encode(), "text/html; charset=utf-8", "en")
        )
    rng.shuffle(pages)
    return pages


def measure_pages(built: list[Any]) -> dict[str, float]:
    """Read-side costs of one page set, per byte and per page (CPU time of this process)."""
    from prefilter_data import write_warc
    from warcio.archiveiterator import ArchiveIterator

    from corpus.text.encoding import UndecodableText, decode_japanese
    from pipelines.sources.prefilter import looks_japanese
    from pipelines.sources.warc import WarcParams, WarcSource, _declared_charset, _main_text

    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "pages.warc.gz"
        write_warc(built, warc)
        gz = warc.stat().st_size
        pages, raw = [], 0
        started = time.process_time()
        with warc.open("rb") as f:
            for rec in ArchiveIterator(f):
                body = rec.content_stream().read()
                raw += len(body)
                if rec.rec_type == "response":
                    ct = rec.http_headers.get_header("Content-Type") or ""
                    pages.append((rec.rec_headers.get_header("WARC-Target-URI"), ct, body))
        gunzip = time.process_time() - started
        html = sum(len(b) for _, _, b in pages)
        started = time.process_time()
        verdicts = [looks_japanese(b, _declared_charset(ct, b)) for _, ct, b in pages]
        pre = time.process_time() - started
        other = [(b, ct) for (_, ct, b), v in zip(pages, verdicts, strict=True) if not v.japanese]
        started = time.process_time()
        for b, ct in other:
            looks_japanese(b, _declared_charset(ct, b))
        pre_other = time.process_time() - started
        passed = [(u, ct, b) for (u, ct, b), v in zip(pages, verdicts, strict=True) if v.japanese]
        started = time.process_time()
        for url, ct, body in passed:
            try:
                text, _ = decode_japanese(body, _declared_charset(ct, body))
                _main_text(text, url)
            except UndecodableText:
                pass
        extract = time.process_time() - started
        passed_bytes = sum(len(b) for _, _, b in passed)
        other_bytes = sum(len(b) for b, _ in other)
        source = WarcSource(WarcParams(path=str(warc), japanese_prefilter=True), Path(tmp))
        started = time.process_time()
        n_out = sum(1 for task in source.plan() for _ in source.read(task))
        whole = time.process_time() - started
    mb = 1e6
    return {
        "pages": len(pages),
        "mean_page_kb": html / len(pages) / 1e3,
        "gzip_mb": gz / mb,
        "passed": len(passed),
        "documents_out": n_out,
        "gunzip_s_per_mb": gunzip / (gz / mb),
        "expand_ratio": raw / gz,
        "prefilter_s_per_mb": pre / (html / mb),
        "prefilter_other_s_per_mb": pre_other / max(1e-9, other_bytes / mb),
        "prefilter_us_per_page": pre / len(pages) * 1e6,
        "extract_s_per_mb": extract / max(1e-9, passed_bytes / mb),
        "extract_ms_per_page": extract / max(1, len(passed)) * 1e3,
        "warc_source_s_per_page": whole / len(pages),
        "warc_source_s_per_gzip_mb": whole / (gz / mb),
    }


def measure_read_side(japanese: int, other: int, seed: int) -> dict[str, dict[str, float]]:
    """The pre-filter benchmark's mix (small pages) and pages of web size."""
    from prefilter_data import MixBuilder

    data = Path("/work/shared/data")
    return {
        "mix": measure_pages(MixBuilder(data, seed).build(japanese, other)),
        "real_size": measure_pages(real_size_pages(data, seed)),
    }


def hours(seconds: float) -> float:
    return seconds / 3600


def model(v: dict[str, float]) -> dict[str, Any]:
    """Counts, CPU seconds, bytes and memory per stage."""
    pages = v["pages"]
    warc_mb = v["warc_bytes"] / 1e6
    html_mb_per_page = v["warc_bytes"] / pages * v["expand_ratio"] / 1e6 * 0.9  # 90 % payload
    ja_pages = pages * v["ja_share"]
    passed = ja_pages * v["prefilter_recall"] + (pages - ja_pages) * v["prefilter_pass_other"]
    extracted = passed  # every passed page is extracted
    text_mb_per_doc = v["ja_text_chars"] * v["bytes_per_char"] / 1e6
    after_langid = extracted * v["langid_keep"]
    after_quality = after_langid * v["quality_keep"]
    after_dedup = after_quality * v["dedup_keep"]
    mb_langid = after_langid * text_mb_per_doc  # stage inputs: extracted text of Japanese pages
    mb_in_langid = extracted * text_mb_per_doc
    stages = [
        ("read: fetch + gunzip + WARC parse", pages, pages, warc_mb * v["gunzip_s_per_mb"]),
        ("prefilter (raw bytes)", pages, passed, pages * (html_mb_per_page * v["prefilter_s_per_mb"] + v["prefilter_us_per_page"] / 1e6)),
        ("extract: decode + trafilatura", passed, extracted, passed * html_mb_per_page * v["extract_s_per_mb"]),
        ("langid", extracted, after_langid, mb_in_langid / v["langid_mb_s"]),
        ("quality", after_langid, after_quality, mb_langid / v["quality_mb_s"]),
        ("dedup (sign … finalize)", after_quality, after_dedup, after_quality * text_mb_per_doc * v["dedup_s_per_100mb"] / 100),
        ("pii", after_dedup, after_dedup, after_dedup * text_mb_per_doc / v["pii_mb_s"]),
        ("Parquet writes/reads (segments, shards)", after_langid, after_dedup, (after_langid + after_quality + after_dedup) * text_mb_per_doc * v["write_s_per_mb"]),
    ]  # fmt: skip
    total_cpu = sum(s[3] for s in stages)
    cores = v["cores"]
    wall = total_cpu / (cores * v["efficiency"])
    # object-store traffic
    seg1_out = after_quality * text_mb_per_doc * 1e6 / v["parquet_ratio"]
    shards = after_dedup * text_mb_per_doc * 1e6 / v["parquet_ratio"]
    rejected = (pages - after_dedup) * v["rejected_row_bytes"]
    traffic = [
        ("read WARC", v["warc_bytes"], 0.0),
        ("segment 1 output (kept after quality), written; read by dedup sign and segment 2", 2 * seg1_out, seg1_out),
        ("dedup index (signature + id per document; read only by later runs' `against`)", 0.0, after_quality * (v["sig_bytes"] + 60)),
        ("rejected/ rows (every dropped page, no text)", 0.0, rejected),
        ("release shards", 0.0, shards),
    ]  # fmt: skip
    net_s = v["warc_bytes"] / (cores / v["node_cores"] * v["node_gbit"] / 8 * 1e9)
    scratch_per_doc = (
        v["sig_bytes"] + v["band_bytes"] + v["node_bytes"]
        + v["ja_text_chars"] * v["shingle_bytes_per_char"]
    )  # fmt: skip
    return {
        "counts": {
            "pages": pages,
            "japanese": ja_pages,
            "passed": passed,
            "after_langid": after_langid,
            "after_quality": after_quality,
            "after_dedup": after_dedup,
            "html_kb_per_page": html_mb_per_page * 1e3,
        },  # fmt: skip
        "stages": stages,
        "total_cpu_s": total_cpu,
        "wall_s": wall,
        "network_floor_s": net_s,
        "traffic": traffic,
        "scratch_per_doc": scratch_per_doc,
        "dedup_docs": after_quality,
    }


def fmt(x: float) -> str:
    if x >= 1e12:
        return f"{x / 1e12:,.1f} TB"
    if x >= 1e9:
        return f"{x / 1e9:,.1f} GB"
    return f"{x / 1e6:,.0f} MB"


def print_figures(figs: dict[str, Figure]) -> None:
    print("## Input figures\n")
    print("| figure | value | unit | source |")
    print("|---|---:|---|---|")
    for f in figs.values():
        val = f"{f.value:,.4g}" if f.value < 1e6 else f"{f.value:.3g}"
        print(f"| {f.name} | {val} | {f.unit} | {f.source} |")
    print()


def print_model(m: dict[str, Any], v: dict[str, float], dedup: dict[str, Any] | None) -> None:
    c = m["counts"]
    print("## Documents through the pipeline (one snapshot)\n")
    print(f"pages {c['pages']:.3g}, Japanese {c['japanese']:.3g}, passed by the pre-filter "
          f"{c['passed']:.3g}, after langid {c['after_langid']:.3g}, after quality "
          f"{c['after_quality']:.3g}, after dedup {c['after_dedup']:.3g}; "
          f"HTML per page {c['html_kb_per_page']:.0f} KB\n")  # fmt: skip
    print("## CPU per stage\n")
    print("| stage | docs in | docs out | CPU-hours | share | wall on the cluster (h) |")
    print("|---|---:|---:|---:|---:|---:|")
    total = m["total_cpu_s"]
    eff = v["cores"] * v["efficiency"]
    for name, n_in, n_out, cpu in m["stages"]:
        print(f"| {name} | {n_in:.3g} | {n_out:.3g} | {hours(cpu):,.0f} | {cpu / total:.1%} | "
              f"{hours(cpu / eff):.2f} |")  # fmt: skip
    print(f"| **total** | | | **{hours(total):,.0f}** | | **{hours(m['wall_s']):.1f}** |\n")
    print(f"Wall time on {v['cores']:.0f} cores at {v['efficiency']:.0%} efficiency: "
          f"{hours(m['wall_s']):.1f} h ({hours(total):,.0f} CPU-h / {v['cores']:.0f} cores / "
          f"{v['efficiency']}); reading 100 TB over {v['cores'] / v['node_cores']:.0f} nodes × "
          f"{v['node_gbit']} Gbit/s takes at least {hours(m['network_floor_s']):.2f} h, so the "
          "run is CPU-bound.\n")  # fmt: skip
    low = dict(v)
    html_kb = c["html_kb_per_page"]
    low["extract_s_per_mb"] = v["extract_ms_bench_page"] / 1e3 / (html_kb / 1e3)
    ml = model(low)
    print(f"Sensitivity: extraction is the plan's one large cost and its least certain figure "
          f"(per MB of the 53 KB law pages, scaled to {html_kb:.0f} KB pages: "
          f"{v['extract_s_per_mb'] * html_kb:.0f} ms/page). At the bench pages' "
          f"{v['extract_ms_bench_page']} ms/page it is {hours(ml['stages'][2][3]):,.0f} CPU-h, "
          f"the total {hours(ml['total_cpu_s']):,.0f} CPU-h and the wall time "
          f"{hours(ml['wall_s']):.1f} h.\n")  # fmt: skip
    print("## Object-store traffic\n")
    print("| what | read | written |")
    print("|---|---:|---:|")
    rd = wr = 0.0
    for name, r, w in m["traffic"]:
        rd, wr = rd + r, wr + w
        print(f"| {name} | {fmt(r) if r else '–'} | {fmt(w) if w else '–'} |")
    print(f"| **total** | **{fmt(rd)}** | **{fmt(wr)}** |\n")
    n_dd = m["dedup_docs"]
    print("## Memory per node\n")
    per_task = v["worker_rss_mb"]
    print(f"- Per-document stages (read … pii): tasks are one WARC file each; the largest worker "
          f"measured {per_task:.0f} MB, flat from 256 MB to 1 GB of input → "
          f"{v['node_cores']:.0f} workers × {per_task:.0f} MB + Ray {v['ray_system_mb']:.0f} MB = "
          f"{(v['node_cores'] * per_task + v['ray_system_mb']) / 1024:.1f} GB of a "
          f"{v['node_gb']:.0f} GB node; driver {v['driver_rss_mb']:.0f} MB.")  # fmt: skip
    print(f"- Dedup scratch (work/, on a filesystem every node mounts): "
          f"{m['scratch_per_doc'] / 1e3:.1f} KB per document (shingle sets "
          f"{v['ja_text_chars'] * v['shingle_bytes_per_char'] / 1e3:.0f} KB, signature "
          f"{v['sig_bytes']:.0f} B, band records {v['band_bytes']:.0f} B) → "
          f"{fmt(n_dd * m['scratch_per_doc'])} for this snapshot's {n_dd:.3g} documents, "
          f"{fmt(1e9 * m['scratch_per_doc'])} at 10⁹.")  # fmt: skip
    if dedup and "extrapolated" in dedup:
        worst = max(r["at_1e9"] + r["skew_1e9"] for r in dedup["extrapolated"].values())
        print(f"- Dedup tasks (bench/dedup_at_scale.py): the largest step at 10⁹ documents "
              f"needs {worst:,.0f} MB above a worker's {per_task:.0f} MB → "
              f"{(worst + per_task) / 1024:.1f} GB per task vs {v['node_gb'] / v['node_cores']:.0f} GB "
              f"per core and {v['node_gb']:.0f} GB per node.")  # fmt: skip
    P = 1024
    print(f"- Dedup shuffle files: the sign step writes one band file and one node file per "
          f"(input file, partition); with {v['warc_files']:.3g} segment parts and {P} partitions "
          f"that is up to {2 * v['warc_files'] * P:.2g} files of ~{n_dd / v['warc_files'] * 12 / P * 26:.0f} B "
          f"of records each, and every bucket/label task lists the folder and opens "
          f"{v['warc_files']:.3g} of them. Memory is unaffected (measured above); "
          "filesystem time is not, so coalesce the segment parts before dedup.")  # fmt: skip
    dd_cpu = m["stages"][5][3]
    print(f"- With the release on object storage the dedup job's tasks are pinned to the driver's "
          f"node (scratch on its local disk): {hours(dd_cpu):.0f} CPU-h / {v['node_cores']:.0f} cores = "
          f"{hours(dd_cpu) / v['node_cores']:.1f} h and {fmt(n_dd * m['scratch_per_doc'])} of local disk "
          f"for this snapshot; at 10⁹ documents {hours(dd_cpu) * 1e9 / n_dd / v['node_cores']:.0f} h "
          f"and {fmt(1e9 * m['scratch_per_doc'])}: use a filesystem every node mounts instead.")  # fmt: skip
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--measure", action="store_true", help="re-measure the read side here")
    ap.add_argument("--japanese", type=int, default=150)
    ap.add_argument("--other", type=int, default=2850)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dedup-json", type=Path, help="output of bench/dedup_at_scale.py --json")
    ap.add_argument("--manifest", type=Path, help="a run's manifest.json: print its stage_costs")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override an input figure (e.g. --set ja_share=0.06)")  # fmt: skip
    args = ap.parse_args()
    figs = figures()
    if args.measure:
        got = measure_read_side(args.japanese, args.other, args.seed)
        print("## Read side measured here\n")
        for which, vals in got.items():
            print(f"{which}: " + ", ".join(f"{k}={x:.5g}" for k, x in vals.items()))
        print()
        for k, (which, key, _, _) in READ_SIDE.items():
            figs[k].value = got[which][key]
    for item in args.set:
        name, _, value = item.partition("=")
        if name not in figs:
            raise SystemExit(f"--set: no figure {name!r}")
        figs[name].value = float(value)
        figs[name].source = "set on the command line"
    missing = [k for k, f in figs.items() if f.value == 0]
    if missing:
        raise SystemExit(f"figures not measured yet: {missing}; run with --measure")
    dedup = json.loads(args.dedup_json.read_text()) if args.dedup_json else None
    if args.manifest:
        print("## stage_costs of the manifest given\n")
        print("| stage | CPU s | wall s | docs in | docs out | peak RSS MB | tasks |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in json.loads(args.manifest.read_text())["stage_costs"]:
            print(f"| {r['stage']} | {r['cpu_s']} | {r['wall_s']} | {r['docs_in']} | "
                  f"{r['docs_out']} | {r['peak_rss_mb']} | {r['tasks']} |")  # fmt: skip
        print()
    print_figures(figs)
    v = {k: f.value for k, f in figs.items()}
    m = model(v)
    print_model(m, v, dedup)


if __name__ == "__main__":
    main()
