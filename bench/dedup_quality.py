"""Precision and recall of the dedup stage on a labelled near-duplicate set.

The set: pieces of real Aozora Bunko works and Japanese Wikipedia articles from
``/work/shared/data`` (or the bundled sample with ``--sample``), each paired with
one changed copy (character edits, sentences removed or inserted, boilerplate,
reformatting; see ``corpus.dedup.evaluation.CHANGES``), labelled by exact 5-gram
Jaccard, plus the natural duplicates listed in ``aozora/SOURCE.md`` (two
editions of one work). Runs the real job (all six steps) and prints a table.

    .venv/bin/python bench/dedup_quality.py                 # default settings
    .venv/bin/python bench/dedup_quality.py --compare       # also other bandings / no verification
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import tempfile
import time
from pathlib import Path

from corpus.dedup.evaluation import (
    build_labelled_set,
    clusters_of,
    score,
    strip_aozora,
    write_parts,
)
from corpus.dedup.job import DedupConfig, run_dedup
from corpus.dedup.lsh import optimal_banding
from corpus.dedup.tasks import LocalTasks

SHARED = Path("/work/shared/data")
REPO = Path(__file__).resolve().parents[1]

NATURAL = {
    # group: {作品ID: path under aozora/}; exact Jaccards are computed, not assumed
    "alice": ["057320", "060551"],
    "takekurabe": ["000389", "055671", "056041"],
    "sorekara": ["001746", "056143"],
    "yamanashi": ["046605", "000472"],
}
EDITION_TITLES = {
    "たけくらべ",
    "にごりえ",
    "十三夜",
    "それから",
    "銀河鉄道の夜",
    "やまなし",
    "どんぐりと山猫",
    "注文の多い料理店",
    "羅生門",
    "杜子春",
    "アグニの神",
    "お伽草紙",
    "ダス・ゲマイネ",
    "舞姫",
    "山月記",
    "名人伝",
    "檸檬",
    "アリスはふしぎの国で",
}  # works present in several editions (SOURCE.md): kept out of the random pieces


def aozora_manifest() -> list[dict[str, str]]:
    with open(SHARED / "aozora" / "MANIFEST.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def read_aozora(path: Path) -> str:
    return strip_aozora(path.read_bytes().decode("cp932", errors="replace"))


def shared_bases() -> tuple[list[str], dict[str, dict[str, str]]]:
    rows = aozora_manifest()
    by_id = {r["work_id"]: r for r in rows}
    seen: set[str] = set()
    bases = []
    for r in sorted(rows, key=lambda r: r["work_id"]):
        if r["title"] in EDITION_TITLES or r["title"] in seen:
            continue
        seen.add(r["title"])
        bases.append(read_aozora(SHARED / "aozora" / r["path"]))
    with gzip.open(
        SHARED / "jawiki" / "jawiki-country.shared.json.gz", "rt", encoding="utf-8"
    ) as f:
        bases += [json.loads(line)["text"] for line in f]
    natural = {
        g: {f"{g}-{w}": read_aozora(SHARED / "aozora" / by_id[w]["path"]) for w in works}
        for g, works in NATURAL.items()
    }
    return bases, natural


def sample_bases() -> tuple[list[str], dict[str, dict[str, str]]]:
    sample = REPO / "pipelines" / "sample"
    with gzip.open(sample / "wikipedia" / "jawiki-country.sample.json.gz", "rt") as f:
        bases = [json.loads(line)["text"] for line in f]
    bases.append((sample / "wikipedia" / "text" / "ai.ja.txt").read_text("utf-8"))
    cards = sample / "aozora" / "cards" / "001393" / "files"
    natural = {
        "alice": {
            f"alice-{w}": read_aozora(next(cards.glob(f"{int(w)}_ruby_*/*.txt")))
            for w in NATURAL["alice"]
        }
    }
    return bases, natural


def evaluate(labelled, cfg: DedupConfig, parts: int = 4) -> tuple[object, float]:
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_parts(labelled.texts, f"{tmp}/in", parts)
        started = time.perf_counter()
        run_dedup(paths, f"{tmp}/out", cfg, LocalTasks())
        seconds = time.perf_counter() - started
        return score(labelled, clusters_of(f"{tmp}/out", range(parts))), seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", action="store_true", help="use only the bundled sample")
    ap.add_argument("--groups", type=int, default=3000, help="labelled pairs from random pieces")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compare", action="store_true", help="also other bandings / no verification")
    args = ap.parse_args()

    bases, natural = sample_bases() if args.sample or not SHARED.exists() else shared_bases()
    labelled = build_labelled_set(bases, seed=args.seed, max_groups=args.groups, natural=natural)
    print(f"labelled set: {len(labelled.texts)} documents, {len(labelled.pairs)} labelled pairs")
    for kind, a, b, j in labelled.pairs:
        if kind.startswith("natural"):
            print(f"  natural pair {a} / {b}: exact Jaccard {j:.3f}")

    b12 = optimal_banding(0.8, 128)
    variants = {"default: 12×10 bands, verify exact": DedupConfig(banding=b12)}
    if args.compare:
        b9 = optimal_banding(0.8, 128, (0.5, 0.5))
        variants["12×10, verify estimate"] = DedupConfig(banding=b12, verify="estimate")
        variants["12×10, no verification"] = DedupConfig(banding=b12, verify="none")
        variants["9×13 (equal weights), verify exact"] = DedupConfig(banding=b9)
        variants["9×13, verify estimate"] = DedupConfig(banding=b9, verify="estimate")
        variants["9×13, no verification"] = DedupConfig(banding=b9, verify="none")
    for name, cfg in variants.items():
        scores, seconds = evaluate(labelled, cfg)
        print(f"\n### {name}  ({seconds:.1f} s)\n")
        print(scores.format())
        for a, b, j in scores.false_pairs[:10]:
            print(f"  merged below 0.8: {a} / {b} (J = {j:.3f})")


if __name__ == "__main__":
    main()
