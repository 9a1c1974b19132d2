"""Throughput of the PII scrubber, in MB of UTF-8 text per second on one core.

Time is the process's CPU time (``time.process_time``) with BLAS/OpenMP threads at 1,
so the figures hold per core on a shared machine.

Modes (one ``PiiScrubber`` each, built once, as a worker does):

* ``patterns``        — pattern PII only (names off: aozora / laws / Wikipedia default)
* ``patterns+names``  — plus the fast gimei-lexicon name recognizer (web default)
* ``+ner``            — plus GiNZA NER over the whole text (``ner: true``), on a slice
* ``no prescreen``    — presidio on the whole text, no candidate windows (for contrast), on a slice

Corpora: real text from the shared data folder (Aozora novels, Wikipedia wikitext,
e-Gov law pages, Tatoeba sentences) and the PII-dense evaluation documents.

    OMP_NUM_THREADS=1 .venv/bin/python bench/pii_bench.py --data /work/shared/data
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import glob  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from corpus.pii.evaluation import (  # noqa: E402
    generate,
    load_carriers,
    load_law_docs,
    load_real_texts,
    shared_data_inputs,
)
from corpus.pii.recognizers import LANGUAGE  # noqa: E402
from corpus.pii.scrubber import PiiScrubber, ScrubberConfig  # noqa: E402
from corpus.text.encoding import decode_japanese  # noqa: E402


def corpora(root: Path, limit_mb: float) -> dict[str, list[str]]:
    """Named lists of texts, each cut to about ``limit_mb`` MB."""
    carriers, laws = shared_data_inputs(root)
    found = {
        "aozora": [
            decode_japanese(Path(p).read_bytes())[0]
            for p in sorted(glob.glob(str(root / "aozora/cards/*/files/*/*.txt")))
        ],
        "wikipedia": [
            json.loads(line)["text"]
            for line in gzip.open(root / "jawiki/jawiki-country.shared.json.gz", "rt")
        ],
        "laws": [d.text for d in load_law_docs(laws)],
        "tatoeba": load_real_texts(carriers[:1]),
        "eval (PII-dense)": [d.text for d in generate(load_carriers(carriers), 3000, seed=1)],
    }
    return {name: _cut(texts, limit_mb) for name, texts in found.items()}


def _cut(texts: list[str], limit_mb: float) -> list[str]:
    out, size = [], 0
    for text in texts:
        out.append(text)
        size += len(text.encode())
        if size >= limit_mb * 1e6:
            break
    return out


def throughput(scrubber: PiiScrubber, texts: list[str], names: bool) -> tuple[float, float]:
    """(MB/s, characters/s) of ``scrubber.scrub`` over ``texts`` in batches of 64."""
    size = sum(len(t.encode()) for t in texts)
    chars = sum(len(t) for t in texts)
    start = time.process_time()
    for i in range(0, len(texts), 64):
        batch = texts[i : i + 64]
        scrubber.scrub(batch, [names] * len(batch))
    elapsed = time.process_time() - start
    return size / 1e6 / elapsed, chars / elapsed


def no_prescreen(scrubber: PiiScrubber, texts: list[str]) -> tuple[float, float]:
    """Presidio over whole texts (line chunks), no windows: what the prescreen saves."""
    from corpus.pii.scrubber import line_chunks

    analyzer = scrubber.pattern_analyzer
    chunks = [t[a:b] for t in texts for a, b in line_chunks(t, 2000)]
    size = sum(len(t.encode()) for t in texts)
    chars = sum(len(t) for t in texts)
    start = time.process_time()
    for chunk in chunks:
        analyzer.analyze(chunk, language=LANGUAGE)
    elapsed = time.process_time() - start
    return size / 1e6 / elapsed, chars / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--mb", type=float, default=4.0, help="MB per corpus (patterns)")
    parser.add_argument(
        "--slow-kb", type=float, default=40.0, help="KB per corpus (NER, no prescreen)"
    )
    args = parser.parse_args()

    texts = corpora(args.data, args.mb)
    fast = PiiScrubber(ScrubberConfig())
    start = time.perf_counter()
    fast.load()
    print(f"analyzer build: {time.perf_counter() - start:.1f} s (once per worker)")
    ner = PiiScrubber(ScrubberConfig(ner=True))
    start = time.perf_counter()
    ner.load()
    print(f"analyzer build with GiNZA: {time.perf_counter() - start:.1f} s\n")

    print(
        f"{'corpus':<18}{'MB':>6}{'patterns':>14}{'+names':>14}{'+ner':>14}{'no prescreen':>16}"
        "   (MB/s per core; k chars/s in brackets)"
    )
    for name, corpus in texts.items():
        small = _cut(corpus, args.slow_kb / 1000)
        if len(small[0]) > args.slow_kb * 400:  # one long document: take its head
            small = [small[0][: int(args.slow_kb * 400)]]
        rows = [
            throughput(fast, corpus, names=False),
            throughput(fast, corpus, names=True),
            throughput(ner, small, names=True),
            no_prescreen(fast, small),
        ]
        cells = "".join(f"{mb:>8.2f} ({cps / 1000:>4.0f}k)" for mb, cps in rows)
        print(f"{name:<18}{sum(len(t.encode()) for t in corpus) / 1e6:>6.1f}{cells}")


if __name__ == "__main__":
    main()
