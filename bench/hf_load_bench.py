"""Loading a large release: Hugging Face ``datasets`` against plain pyarrow.

Builds a release of about ``--gb`` GB of Parquet shards from real Japanese text (the
bundled sample's Wikipedia articles, their paragraphs recombined per document with a
fixed seed), through the same compaction a run ends with
(:func:`manifests.shards.write_shards`) and the same dataset card, then times:

- compaction of the task parts into even shards;
- pyarrow: ``pq.read_table`` of the shards; a pass over ``iter_batches`` summing text
  lengths (columnar); a pass producing Python dicts row by row;
- ``datasets``: ``load_dataset(DIR)`` (first call, which converts to its Arrow cache),
  a second call (cache hit), a pass over rows, a pass over Arrow-formatted batches,
  and ``load_dataset(DIR, streaming=True)`` row by row.

Run offline (nothing is fetched)::

    HF_HUB_OFFLINE=1 .venv/bin/python bench/hf_load_bench.py --gb 1 --work /tmp/hfbench
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from corpus.document import make_document  # noqa: E402
from corpus.schema import SHARD_SCHEMA, shard_row  # noqa: E402
from manifests.card import dataset_card  # noqa: E402
from manifests.shards import ShardsConfig, write_shards  # noqa: E402
from pipelines.config import sample_pipeline_path  # noqa: E402

WIKI = sample_pipeline_path().parent / "wikipedia" / "jawiki-country.sample.json.gz"


def paragraphs() -> list[str]:
    out = []
    with gzip.open(WIKI, "rt", encoding="utf-8") as f:
        for line in f:
            out += [p for p in json.loads(line)["text"].split("\n") if len(p) > 40]
    return out


def write_parts(folder: Path, target_bytes: int, rows_per_part: int = 2000) -> int:
    """Task parts of recombined paragraphs until ``target_bytes`` of Parquet; rows written."""
    folder.mkdir(parents=True, exist_ok=True)
    paras = paragraphs()
    rng = random.Random(20261130)
    written = rows = part = 0
    while written < target_bytes:
        batch = []
        for _ in range(rows_per_part):
            text = "\n".join(rng.choices(paras, k=rng.randint(3, 40)))
            doc = make_document(
                text=text,
                source="wikipedia-ja",
                source_id=f"doc-{rows}",
                license="CC-BY-SA-3.0",
                license_evidence="bench",
                attribution="Wikipedia contributors",
            )
            doc.metadata["quality_signals"] = {
                "hiragana_ratio": 0.3,
                "char_count": float(len(text)),
            }
            batch.append(shard_row(doc))
            rows += 1
        path = folder / f"part-{part:05d}.parquet"
        pq.write_table(pa.Table.from_pylist(batch, schema=SHARD_SCHEMA), path, compression="zstd")
        written += path.stat().st_size
        part += 1
    return rows


def timed(label: str, fn, results: dict) -> object:
    start = time.perf_counter()
    value = fn()
    results[label] = time.perf_counter() - start
    print(f"{label:<48} {results[label]:8.2f} s", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gb", type=float, default=1.0, help="Parquet size of the release")
    parser.add_argument("--work", default="/tmp/hfbench", help="scratch folder (deleted first)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    release, parts, cache = work / "release", work / "parts", work / "hf-cache"
    results: dict[str, float] = {}

    rows = timed("generate task parts", lambda: write_parts(parts, int(args.gb * 1e9)), results)
    entries = timed(
        "compact parts into shards (write_shards)",
        lambda: write_shards(str(parts), str(release), ShardsConfig()),
        results,
    )
    total = sum(e["bytes"] for e in entries)
    manifest = {
        "name": "bench",
        "version": "0",
        "schema_version": 2,
        "licenses": {"CC-BY-SA-3.0": {"documents": rows, "characters": 0}},
        "accounting": {"input": rows, "kept": rows, "dropped": {}},
        "shards": entries,
    }
    (release / "README.md").write_text(dataset_card(manifest), "utf-8")
    shutil.rmtree(parts)
    print(f"release: {rows:,} rows, {len(entries)} shards, {total / 1e9:.2f} GB Parquet")
    groups = [pq.ParquetFile(release / e["path"]).num_row_groups for e in entries]
    print(f"shard sizes (MB): {[round(e['bytes'] / 1e6) for e in entries]}; row groups: {groups}")

    files = [str(release / e["path"]) for e in entries]
    table = timed("pyarrow read_table (all columns)", lambda: pq.read_table(files), results)
    in_memory = table.nbytes
    del table

    def arrow_columnar() -> int:
        n = 0
        for f in files:
            for batch in pq.ParquetFile(f).iter_batches(columns=["text"], batch_size=10_000):
                n += pc.sum(pc.utf8_length(batch["text"])).as_py()
        return n

    def arrow_rows() -> int:
        n = 0
        for f in files:
            for batch in pq.ParquetFile(f).iter_batches(batch_size=1000):
                for row in batch.to_pylist():
                    n += len(row["text"])
        return n

    chars = timed("pyarrow iter_batches, text lengths (columnar)", arrow_columnar, results)
    timed("pyarrow iter_batches -> Python dicts", arrow_rows, results)

    import datasets

    def load():
        return datasets.load_dataset(str(release), split="train", cache_dir=str(cache))

    ds = timed("datasets load_dataset (first: builds cache)", load, results)
    ds = timed("datasets load_dataset (cached)", load, results)
    assert ds.num_rows == rows

    def ds_rows() -> int:
        return sum(len(r["text"]) for r in ds)

    def ds_arrow() -> int:
        n = 0
        for batch in ds.with_format("arrow").iter(batch_size=10_000):
            n += pc.sum(pc.utf8_length(batch["text"])).as_py()
        return n

    def ds_stream() -> int:
        stream = datasets.load_dataset(
            str(release), split="train", streaming=True, cache_dir=str(cache)
        )
        return sum(len(r["text"]) for r in stream)

    assert timed("datasets iterate rows (Python dicts)", ds_rows, results) == chars
    assert timed("datasets iterate Arrow batches (columnar)", ds_arrow, results) == chars
    assert timed("datasets streaming=True, rows", ds_stream, results) == chars

    gb = total / 1e9
    print(
        f"\nrows {rows:,}; characters {chars:,}; Parquet {gb:.2f} GB; in memory {in_memory / 1e9:.2f} GB"
    )
    for label in (
        "pyarrow iter_batches -> Python dicts",
        "datasets iterate rows (Python dicts)",
        "datasets streaming=True, rows",
    ):
        print(f"{label:<48} {rows / results[label]:>10,.0f} rows/s")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
