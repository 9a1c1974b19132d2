"""CPU of the ``warc`` source alone (the ``read`` stage), in this process, file by file.

Reads each WARC file of a folder as a ``warc`` source with ``japanese_prefilter: true``
and prints, per file and in all, CPU seconds of this process (the PDF extracting child
not counted), HTML pages per CPU second and peak RSS. For the crawl mix of
``bench/web_bench.py``:

    .venv/bin/python bench/web_bench.py --size 100MB --japanese-share 0.05 --tools jpcorpus
    .venv/bin/python bench/warc_read_bench.py /tmp/jpcorpus-web/104857600B-ja5-s0
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from pipelines.sources.warc import WarcParams, WarcReader


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", type=Path, help="a folder of *.warc.gz (and web_data's truth.jsonl)")
    args = ap.parse_args()
    files = sorted(args.folder.glob("*.warc.gz"))
    truth = args.folder / "truth.jsonl"
    pages = sum(1 for _ in truth.open()) if truth.exists() else None
    import trafilatura  # noqa: F401 — imported before the clock starts, as a worker has it

    reader = WarcReader(WarcParams(path=str(args.folder), japanese_prefilter=True))
    list(reader.read(files[0]))  # warm: lxml, the license registry, the PDF child
    total = 0.0
    for path in files:
        start = time.process_time()
        docs = sum(1 for _ in reader.read(path))
        cpu = time.process_time() - start
        total += cpu
        print(f"{path.name}: {docs:,} documents, {cpu:.2f} CPU s", flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row = {"files": len(files), "cpu_s": round(total, 2), "peak_rss_mb": round(rss)}
    if pages:
        row["pages_per_cpu_s"] = round(pages / total, 1)
    print(json.dumps(row))


if __name__ == "__main__":
    main()
