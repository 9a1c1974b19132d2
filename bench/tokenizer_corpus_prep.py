"""Split ``/work/shared/data`` into training and held-out inputs for the tokenizer benchmark.

Three genres, each split so that held-out text is never trained on:

- literature (Aozora Bunko): held out **by person** — works sharing an author or
  translator stay on one side, so other editions of a held-out work cannot leak;
- encyclopedia (Japanese Wikipedia): by article;
- laws (e-Gov): by law (the two 行政手続法 XML revisions and its HTML page together).

Groups are taken in a fixed hash order until they hold about 10% of the genre's
bytes. Writes, under ``OUT``: ``{train,heldout}/aozora_index.csv`` (rows of the
official index), ``{train,heldout}/jawiki.jsonl.gz`` (+ ``jawiki-plain.jsonl`` for the
already-extracted 人工知能 article), ``{train,heldout}/laws/`` (links to the law
files) and ``aozora/cards`` (a link to the texts). ``bench/tokenizer_corpus.yaml`` and
``bench/tokenizer_heldout.yaml`` turn them into two releases with the real connectors.

    .venv/bin/python bench/tokenizer_corpus_prep.py --data /work/shared/data --out out/tokenizer-data
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

HOLDOUT_SHARE = 0.10


def _rank(group: str) -> str:
    return hashlib.sha256(group.encode("utf-8")).hexdigest()


def held_out_groups(sizes: dict[str, int], share: float = HOLDOUT_SHARE) -> set[str]:
    """Groups, in a fixed hash order, held out until they hold ``share`` of the total.

    A group that would take the slice past 1.5 times the aimed share is skipped, so
    one big author or law cannot make up the whole held-out slice.

    >>> sorted(held_out_groups({"a": 5, "b": 5, "c": 90}, share=0.1))
    ['a', 'b']
    """
    total = sum(sizes.values())
    chosen: set[str] = set()
    taken = 0
    for group in sorted(sizes, key=_rank):
        if taken >= share * total:
            break
        if taken + sizes[group] > 1.5 * share * total:
            continue
        chosen.add(group)
        taken += sizes[group]
    return chosen


class _Persons:
    """Union-find over person ids: works sharing any person end up in one group."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        while self.parent.setdefault(x, x) != x:
            x = self.parent[x]
        return x

    def join(self, ids: list[str]) -> None:
        for other in ids[1:]:
            self.parent[self.find(other)] = self.find(ids[0])


def split_aozora(data: Path, out: Path) -> dict[str, int]:
    work_group: dict[str, str] = {}
    work_bytes: dict[str, int] = {}
    persons = _Persons()
    rows = list(csv.DictReader(open(data / "MANIFEST.tsv", encoding="utf-8"), delimiter="\t"))
    for row in rows:
        persons.join(re.findall(r"(\d{6}):", row["persons"]))
    for row in rows:
        work_group[row["work_id"]] = persons.find(re.findall(r"(\d{6}):", row["persons"])[0])
        work_bytes[row["work_id"]] = work_bytes.get(row["work_id"], 0) + int(row["bytes"])
    sizes: dict[str, int] = {}
    for work, group in work_group.items():
        sizes[group] = sizes.get(group, 0) + work_bytes[work]
    held = held_out_groups(sizes)
    with open(data / "index_works.csv", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        index_rows = list(reader)
    work_col = header.index("作品ID")
    counts = {"train_works": 0, "heldout_works": 0}
    for part in ("train", "heldout"):
        with open(out / part / "aozora_index.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(header)
            works = set()
            for r in index_rows:
                group = work_group.get(r[work_col])
                if group is None or (group in held) != (part == "heldout"):
                    continue
                writer.writerow(r)
                works.add(r[work_col])
            counts[f"{part}_works"] = len(works)
    link = out / "aozora"
    link.mkdir(exist_ok=True)
    if not (link / "cards").exists():
        os.symlink((data / "cards").resolve(), link / "cards")
    return counts


def split_wikipedia(data: Path, out: Path) -> dict[str, int]:
    with gzip.open(data / "jawiki-country.shared.json.gz", "rt", encoding="utf-8") as f:
        articles = [json.loads(line) for line in f]
    sizes = {a["title"]: len(a["text"]) for a in articles}
    ai_text = (data / "ai.ja.txt").read_text(encoding="utf-8")
    sizes["人工知能"] = len(ai_text)
    held = held_out_groups(sizes)
    counts = {}
    for part in ("train", "heldout"):
        chosen = [a for a in articles if (a["title"] in held) == (part == "heldout")]
        with gzip.open(out / part / "jawiki.jsonl.gz", "wt", encoding="utf-8") as f:
            for a in chosen:
                f.write(
                    json.dumps({"title": a["title"], "text": a["text"]}, ensure_ascii=False) + "\n"
                )
        with open(out / part / "jawiki-plain.jsonl", "w", encoding="utf-8") as f:
            if ("人工知能" in held) == (part == "heldout"):
                f.write(
                    json.dumps({"title": "人工知能", "text": ai_text}, ensure_ascii=False) + "\n"
                )
                chosen.append({"title": "人工知能"})
        counts[f"{part}_articles"] = len(chosen)
    return counts


def law_group(title: str) -> str:
    """行政手続法 (XML revisions and HTML page) is one law; every other page its own.

    >>> law_group("行政手続法（平成五年十一月十二日法律第八十八号）"), law_group("行政手続法施行令（…）")
    ('行政手続法', '行政手続法施行令（…）')
    """
    return "行政手続法" if title.startswith("行政手続法") and "施行" not in title else title


def split_laws(data: Path, out: Path) -> dict[str, int]:
    rows = list(csv.DictReader(open(data / "index.tsv", encoding="utf-8"), delimiter="\t"))
    files: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for r in rows:
        group = law_group(r["title_with_number"])
        files[r["file"]] = group
        sizes[group] = sizes.get(group, 0) + int(r["bytes"])
    for xml in sorted((data / "xml").glob("*.xml")):
        rel = f"xml/{xml.name}"
        if rel not in files:
            files[rel] = "行政手続法"
            sizes["行政手続法"] = sizes.get("行政手続法", 0) + xml.stat().st_size
    held = held_out_groups(sizes)
    counts = {"train_files": 0, "heldout_files": 0}
    for rel, group in sorted(files.items()):
        part = "heldout" if group in held else "train"
        target = out / part / "laws" / Path(rel).name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink((data / rel).resolve(), target)
        counts[f"{part}_files"] += 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="/work/shared/data", type=Path)
    ap.add_argument("--out", default="out/tokenizer-data", type=Path)
    args = ap.parse_args()
    for part in ("train", "heldout"):
        shutil.rmtree(args.out / part, ignore_errors=True)
        (args.out / part).mkdir(parents=True)
    print("literature", split_aozora(args.data / "aozora", args.out))
    print("encyclopedia", split_wikipedia(args.data / "jawiki", args.out))
    print("laws", split_laws(args.data / "egov_laws", args.out))


if __name__ == "__main__":
    main()
