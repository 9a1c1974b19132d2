"""A labelled near-duplicate set and the precision/recall of a dedup run on it.

Each labelled group is one base text and one changed copy, so groups are
independent and a co-clustered pair from two groups is a false merge. Copies
are made by the edits near-duplicates show in practice — random character
edits, sentences removed, sentences from elsewhere inserted, boilerplate added,
whitespace and width changes — and labelled by their *exact* Jaccard
similarity (character n-gram sets of the normalized texts), not by the edit
rate. Natural duplicates (two editions of one work) join as groups of their own.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from corpus.dedup.minhash import shingles
from corpus.dedup.normalize import normalize_for_dedup

_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?\n]|[^。！？!?\n]+$")
_AOZORA_RULE = re.compile(r"^-{10,}\s*$", re.M)
_AOZORA_FOOTER = re.compile(r"^(底本|翻訳の底本)：", re.M)
_AOZORA_NOTATION = re.compile(r"《[^《》]*》|［＃[^［］]*］|[｜※]")

BOILERPLATE = (
    "この記事は利用規約に基づき転載しています。無断転載を禁じます。お問い合わせは編集部まで。",
    "【広告】今なら送料無料キャンペーン実施中！詳しくは公式サイトをご覧ください。",
    "トップページ ＞ 読み物 ＞ 文学 ＞ 本文　｜　前のページ　次のページ　｜　このページの先頭へ",
)


def strip_aozora(text: str) -> str:
    """Body of an Aozora Bunko file: no header, footer, ruby or annotations.

    (A minimal version for building test sets; the ``aozora`` source does the full job.)

    >>> strip_aozora("題\\n-----------\\n記号\\n-----------\\n霜月｜酉《とり》の日［＃「日」に傍点］\\n底本：某")
    '霜月酉の日'
    """
    rules = list(_AOZORA_RULE.finditer(text))
    if len(rules) >= 2:
        text = text[rules[1].end() :]
    footer = _AOZORA_FOOTER.search(text)
    if footer:
        text = text[: footer.start()]
    return _AOZORA_NOTATION.sub("", text).strip()


def sentences(text: str) -> list[str]:
    """Sentences ending in 。！？ or a line break (kept with their end).

    >>> sentences("吾輩は猫である。名前はまだ無い。どこで生れたか")
    ['吾輩は猫である。', '名前はまだ無い。', 'どこで生れたか']
    """
    return [s for s in _SENTENCE.findall(text) if s]


def char_jaccard(a: str, b: str, ngram: int = 5, whitespace: str = "fold") -> float:
    """Exact Jaccard similarity of the character n-gram sets of the normalized texts.

    >>> char_jaccard("吾輩は猫である。名前はまだ無い。", "吾輩は猫である。名前はまだ無い。")
    1.0
    >>> round(char_jaccard("吾輩は猫である。名前はまだ無い。", "吾輩は犬である。名前はまだ無い。"), 3)
    0.5
    """
    sa = set(shingles(normalize_for_dedup(a, whitespace), ngram))  # type: ignore[arg-type]
    sb = set(shingles(normalize_for_dedup(b, whitespace), ngram))  # type: ignore[arg-type]
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


# ------------------------------------------------------------------ changes


def edit_characters(text: str, rate: float, rng: random.Random) -> str:
    """Replace, delete or insert characters at ``rate`` random positions."""
    chars = list(text)
    pool = "あいうえおかきくけこ日本語文字的一二三、。"
    for _ in range(max(1, round(len(chars) * rate))):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.5:
            chars[i] = rng.choice(pool)
        elif op < 0.75 and len(chars) > 1:
            del chars[i]
        else:
            chars.insert(i, rng.choice(pool))
    return "".join(chars)


def remove_sentences(text: str, share: float, rng: random.Random) -> str:
    parts = sentences(text)
    drop = set(rng.sample(range(len(parts)), max(1, round(len(parts) * share))))
    return "".join(s for i, s in enumerate(parts) if i not in drop)


def insert_sentences(text: str, donor: Sequence[str], share: float, rng: random.Random) -> str:
    parts = sentences(text)
    for _ in range(max(1, round(len(parts) * share))):
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(donor))
    return "".join(parts)


def add_boilerplate(text: str, rng: random.Random) -> str:
    head, tail = rng.sample(BOILERPLATE, 2)
    return f"{head}\n{text}\n{tail}"


def reformat(text: str, rng: random.Random) -> str:
    """The same text once NFKC and whitespace folding are applied: full-width digits,
    doubled line breaks and spaces."""
    table = str.maketrans("0123456789", "０１２３４５６７８９")
    return text.translate(table).replace("\n", "\n\n").replace(" ", "　 ")


Change = Callable[[str, random.Random, Sequence[str]], str]


def _edit(percent: float) -> Change:
    return lambda text, rng, donor: edit_characters(text, percent / 100, rng)


def _remove(percent: float) -> Change:
    return lambda text, rng, donor: remove_sentences(text, percent / 100, rng)


def _insert(percent: float) -> Change:
    return lambda text, rng, donor: insert_sentences(text, donor, percent / 100, rng)


CHANGES: dict[str, Change] = {
    "copy": lambda text, rng, donor: text,
    "reformat": lambda text, rng, donor: reformat(text, rng),
    "boilerplate": lambda text, rng, donor: add_boilerplate(text, rng),
    **{f"edit_{p}%": _edit(p) for p in (0.3, 0.6, 1, 1.5, 2, 3, 5, 8)},
    **{f"remove_{p}%": _remove(p) for p in (3, 6, 10, 15, 25, 40)},
    **{f"insert_{p}%": _insert(p) for p in (3, 6, 10, 15, 25, 40)},
}
"""Named changes; each turns a base text into its labelled copy."""


# ------------------------------------------------------------------ the set


@dataclass
class LabelledSet:
    """Documents (id → text, license) and the labelled pairs among them."""

    texts: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    """document id → group name (documents of different groups are unrelated)."""
    pairs: list[tuple[str, str, str, float]] = field(default_factory=list)
    """(kind, id_a, id_b, exact Jaccard)."""

    def add_group(self, group: str, docs: dict[str, str], kind: str) -> None:
        ids = sorted(docs)
        for doc_id in ids:
            self.texts[doc_id] = docs[doc_id]
            self.groups[doc_id] = group
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                self.pairs.append((kind, a, b, char_jaccard(docs[a], docs[b])))


def chunks(text: str, rng: random.Random, low: int = 800, high: int = 5000) -> list[str]:
    """``text`` cut at sentence ends into pieces of ``low``–``high`` characters."""
    out, current, target = [], [], rng.randint(low, high)
    for s in sentences(text):
        current.append(s)
        if sum(map(len, current)) >= target:
            out.append("".join(current))
            current, target = [], rng.randint(low, high)
    if current and sum(map(len, current)) >= low:
        out.append("".join(current))
    return out


def build_labelled_set(
    base_texts: Iterable[str],
    *,
    seed: int = 0,
    max_groups: int | None = None,
    natural: dict[str, dict[str, str]] | None = None,
) -> LabelledSet:
    """Pieces of ``base_texts``, each paired with one changed copy (changes in turn).

    ``natural`` adds groups of real duplicates: group name → {doc id → text}.
    """
    rng = random.Random(seed)
    pieces = [p for t in base_texts for p in chunks(t, rng)]
    rng.shuffle(pieces)
    if max_groups is not None:
        pieces = pieces[:max_groups]
    donor = [s for p in pieces[-50:] for s in sentences(p)][:2000] or ["無関係な文です。"]
    names = sorted(CHANGES)
    out = LabelledSet()
    for i, piece in enumerate(pieces):
        kind = names[i % len(names)]
        changed = CHANGES[kind](piece, rng, donor)
        out.add_group(f"g{i:05d}", {f"g{i:05d}-a": piece, f"g{i:05d}-b": changed}, kind)
    for group, docs in (natural or {}).items():
        out.add_group(group, docs, f"natural:{group}")
    return out


# ------------------------------------------------------------------ scoring

BINS = ((1.0, 1.01), (0.95, 1.0), (0.9, 0.95), (0.8, 0.9), (0.7, 0.8), (0.5, 0.7), (0.0, 0.5))


@dataclass
class Scores:
    precision: float
    recall_090: float
    recall_080: float
    predicted_pairs: int
    false_pairs: list[tuple[str, str, float]]
    table: list[tuple[str, int, int]]
    """(Jaccard bin, labelled pairs, predicted duplicate)."""

    def format(self) -> str:
        lines = ["| Jaccard | pairs | merged | share merged |", "|---|---:|---:|---:|"]
        for name, n, hit in self.table:
            share = f"{hit / n:.3f}" if n else "–"
            lines.append(f"| {name} | {n} | {hit} | {share} |")
        lines.append("")
        lines.append(
            f"recall (J ≥ 0.9) = {self.recall_090:.4f}; recall (J ≥ 0.8) = {self.recall_080:.4f}; "
            f"precision (merged pairs with J ≥ 0.8) = {self.precision:.4f} "
            f"of {self.predicted_pairs} merged pairs"
        )
        return "\n".join(lines)


def score(labelled: LabelledSet, cluster_of: dict[str, str], positive: float = 0.8) -> Scores:
    """Score clusters (document id → cluster id) against the labels.

    Predicted duplicates are all pairs of documents in one cluster. A merged pair is
    correct when its exact Jaccard is at least ``positive``; pairs across groups are
    computed too (a merge across groups is an error unless the texts really are that
    similar).
    """
    labels = {(a, b): j for _, a, b, j in labelled.pairs}
    members: dict[str, list[str]] = {}
    for doc_id in labelled.texts:
        members.setdefault(cluster_of.get(doc_id, doc_id), []).append(doc_id)
    predicted: dict[tuple[str, str], float] = {}
    for ids in members.values():
        ids.sort()
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                j = labels.get((a, b))
                if j is None:
                    j = char_jaccard(labelled.texts[a], labelled.texts[b])
                predicted[(a, b)] = j
    correct = sum(1 for j in predicted.values() if j >= positive)
    table = []
    for low, high in BINS:
        name = "1.0" if low == 1.0 else f"[{low:.2f}, {high:.2f})"
        inside = [(a, b) for (a, b), j in labels.items() if low <= j < high]
        table.append((name, len(inside), sum(1 for p in inside if p in predicted)))

    def recall(threshold: float) -> float:
        wanted = [p for p, j in labels.items() if j >= threshold]
        return sum(1 for p in wanted if p in predicted) / len(wanted) if wanted else 1.0

    return Scores(
        precision=correct / len(predicted) if predicted else 1.0,
        recall_090=recall(0.9),
        recall_080=recall(positive),
        predicted_pairs=len(predicted),
        false_pairs=sorted((a, b, j) for (a, b), j in predicted.items() if j < positive),
        table=table,
    )


# ------------------------------------------------------------------ running on a set


def write_parts(
    texts: dict[str, str],
    folder: str,
    parts: int,
    licenses: dict[str, str] | None = None,
    seed: int = 0,
) -> list[str]:
    """Write documents as ``part-<rank>.parquet`` files of the shard schema (shuffled)."""
    from pathlib import Path

    import pyarrow as pa
    import pyarrow.parquet as pq

    from corpus.schema import SHARD_SCHEMA

    ids = sorted(texts)
    random.Random(seed).shuffle(ids)
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for rank in range(parts):
        rows = [
            {
                "id": doc_id,
                "text": texts[doc_id],
                "source": "labelled",
                "source_id": doc_id,
                "license": (licenses or {}).get(doc_id, "CC-BY-4.0"),
                "license_evidence": "test set",
            }
            for doc_id in ids[rank::parts]
        ]
        path = root / f"part-{rank:05d}.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=SHARD_SCHEMA), path)
        paths.append(str(path))
    return paths


def clusters_of(out_dir: str, ranks: Iterable[int]) -> dict[str, str]:
    """Document id → cluster id, from a finished job's decisions (clustered documents only)."""
    from corpus.dedup.job import read_decisions

    out: dict[str, str] = {}
    for rank in ranks:
        out.update({k: v.cluster_id for k, v in read_decisions(out_dir, rank).items()})
    return out
