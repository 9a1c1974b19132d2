"""Tokenizer benchmark: Japanese settings vs SentencePiece defaults vs llm-jp-tokenizer, per genre.

Prerequisites (run from the repository root):

    .venv/bin/python bench/tokenizer_corpus_prep.py
    .venv/bin/jpcorpus run bench/tokenizer_corpus.yaml --quiet     # out/tokenizer-train
    .venv/bin/jpcorpus run bench/tokenizer_heldout.yaml --quiet    # out/tokenizer-heldout

Then ``.venv/bin/python bench/tokenizer_bench.py`` trains every configuration below
with ``jpcorpus tokenizer train`` (the exact commands are printed), evaluates all of
them and the llm-jp baselines on the held-out release with the same code as
``jpcorpus tokenizer eval``, and prints Markdown tables. Models trained before are
reused unless ``--retrain``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sentencepiece import SentencePieceProcessor  # noqa: E402

from tokenizer.evaluate import Scores, evaluate, load_texts  # noqa: E402

BASELINES = {
    "llm-jp 100k ver3.0b1": Path(
        "/work/shared/baselines/llm-jp-tokenizer/llm-jp-tokenizer-100k.ver3.0b1.model"
    ),
    "llm-jp 100k ver3.1": Path(
        "/work/shared/baselines/llm-jp-tokenizer/llm-jp-tokenizer-100k.ver3.1.model"
    ),
}
GENRES = {"aozora": "literature", "wikipedia-ja": "encyclopedia", "egov-law": "laws"}
UNIT = 3_000_000
"""1× sample: 3 M characters (the training release holds about 12 M)."""
VOCAB = 48_000

NUMBER_HEAVY = "encyclopedia, number-heavy paragraphs"
NUMBER_HEAVY_SHARE = 0.10
"""Held-out encyclopedia paragraphs with at least this share of digits form their own group."""

# name -> (extra arguments, sample sizes in units). Earlier figures for the other
# settings (nfkc, SudachiPy pre-segmentation, no script split, 1x/2x) are in
# bench/RESULTS.md; add them back here to rerun them.
CONFIGS: dict[str, tuple[list[str], tuple[int, ...]]] = {
    "spm-default": (["--preset", "spm-default"], (2,)),
    "japanese": ([], (2,)),
    "japanese-single-digits": (["--numbers", "digits"], (2,)),
}


def digit_share(texts: list[str]) -> float:
    """Share of characters that are decimal digits (ASCII or full width)."""
    chars = sum(map(len, texts)) or 1
    return sum(ch.isdecimal() for t in texts for ch in t) / chars


def number_heavy(texts: list[str], share: float = NUMBER_HEAVY_SHARE) -> list[str]:
    """Paragraphs (lines) of ``texts`` whose digit share is at least ``share``."""
    return [ln for t in texts for ln in t.split("\n") if ln.strip() and digit_share([ln]) >= share]


def hf_parity(model: Path, groups: dict[str, list[str]]) -> str:
    """Identical ids in SentencePiece and the Hugging Face export, on lines and whole documents."""
    from tokenizer.hf_export import parity_mismatches

    docs = [t for texts in groups.values() for t in texts]
    lines = [ln for t in docs for ln in t.split("\n") if ln.strip()]
    tok = Path(f"{model.with_suffix('')}-hf/tokenizer.json")
    bad_lines = len(parity_mismatches(model, tok, lines))
    bad_docs = len(parity_mismatches(model, tok, docs))
    return (
        f"{len(lines) - bad_lines:,} of {len(lines):,} lines, "
        f"{len(docs) - bad_docs} of {len(docs)} documents"
    )


def train_command(
    name: str, extra: list[str], units: int, release: Path, out_dir: Path
) -> list[str]:
    return [
        ".venv/bin/jpcorpus", "tokenizer", "train", str(release),
        "--vocab-size", str(VOCAB), "--out", str(out_dir / f"{name}-{units}x"),
        "--sample-chars", str(units * UNIT), "--holdout", "0", *extra,
    ]  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train-release", type=Path, default=Path("out/tokenizer-train"))
    ap.add_argument("--heldout-release", type=Path, default=Path("out/tokenizer-heldout"))
    ap.add_argument("--out-dir", type=Path, default=Path("out/tokenizer-bench"))
    ap.add_argument("--only", action="append", help="train/evaluate only these configurations")
    ap.add_argument("--retrain", action="store_true")
    args = ap.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)

    models: dict[str, Path] = {}
    runs: dict[str, dict] = {}
    baseline_vocab: dict[str, int] = {}
    for name, (extra, sizes) in CONFIGS.items():
        if args.only and name not in args.only:
            continue
        for units in sizes:
            label = f"{name} {units}x"
            cmd = train_command(name, extra, units, args.train_release, args.out_dir)
            prefix = Path(cmd[cmd.index("--out") + 1])
            card_path = Path(f"{prefix}.card.json")
            if args.retrain or not card_path.is_file():
                print("$", shlex.join(cmd), flush=True)
                start = time.perf_counter()
                subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
                print(f"  {time.perf_counter() - start:.0f} s", flush=True)
            card = json.loads(card_path.read_text(encoding="utf-8"))
            models[label] = Path(f"{prefix}.model")
            runs[label] = {
                "config": name,
                "units": units,
                "sample_chars": card["sample"]["chars"],
                "sample_seconds": card["training"]["sample_seconds"],
                "train_seconds": card["training"]["train_seconds"],
                "train_cpu_seconds": card["training"].get("train_cpu_seconds"),
                "peak_rss_mib": card["training"]["peak_rss_bytes"] / 2**20,
                "vocab": card["vocab_size"],
                "hf_parity": card["hf_parity"],
            }
    for label, path in BASELINES.items():
        if path.is_file():
            models[label] = path
            baseline_vocab[label] = SentencePieceProcessor(model_file=str(path)).get_piece_size()

    groups = {GENRES.get(k, k): v for k, v in load_texts([args.heldout_release]).items()}
    parity = {label: hf_parity(models[label], groups) for label in runs}
    groups[NUMBER_HEAVY] = number_heavy(groups.get("encyclopedia", []))
    start = time.perf_counter()
    scores = evaluate(list(models.values()), groups, names=list(models))
    print(
        f"\nevaluated {len(models)} models on {sum(map(len, groups.values()))} held-out documents in {time.perf_counter() - start:.0f} s\n"
    )
    (args.out_dir / "scores.json").write_text(
        json.dumps(
            {"runs": runs, "scores": [s.as_dict() for s in scores]}, ensure_ascii=False, indent=2
        )
        + "\n",
        encoding="utf-8",
    )
    vocab = {**{label: r["vocab"] for label, r in runs.items()}, **baseline_vocab}
    print(goal_table(scores, groups, vocab))
    print()
    print(detail_table(scores))
    print()
    if any(len(sizes) > 1 for _, sizes in CONFIGS.values()):
        print(scaling_table(runs, scores))
        print()
    print(
        "| run | sample chars | SentencePiece training s (CPU s) | peak MiB | HF export: identical ids |"
    )
    print("|---|---:|---:|---:|---|")
    for label, r in runs.items():
        print(
            f"| {label} | {r['sample_chars']:,} | {r['train_seconds']:.1f} "
            f"({r['train_cpu_seconds'] or 0:.1f}) | {r['peak_rss_mib']:,.0f} | {parity[label]} |"
        )
    print()
    pair = [
        label
        for label in ("spm-default 2x", "japanese-single-digits 2x", "japanese 2x")
        if label in models
    ]
    if pair:
        print(token_kinds_table({label: models[label] for label in pair}, groups))
    return 0


def _by(scores: list[Scores]) -> dict[tuple[str, str], Scores]:
    return {(s.model, s.group): s for s in scores}


def goal_table(scores: list[Scores], groups: dict[str, list[str]], vocab: dict[str, int]) -> str:
    """chars/token and word-boundary share per genre, one row per model."""
    by = _by(scores)
    genres = [g for g in [*GENRES.values(), NUMBER_HEAVY] if g in groups]
    shares = ", ".join(
        f"{g} {len(groups[g])} texts, {sum(map(len, groups[g])):,} chars, "
        f"{digit_share(groups[g]):.2%} digits"
        for g in genres
    )
    head = (
        "| model | vocab | "
        + " | ".join(f"{g} chars/token | {g} on-word (no digit pairs)" for g in genres)
        + " |"
    )
    lines = [f"Held out: {shares}.", "", head, "|---|---:|" + "---:|---:|" * len(genres)]
    for model in dict.fromkeys(s.model for s in scores):
        cells = []
        for g in genres:
            s = by[(model, g)]
            cells += [
                f"{s.chars_per_token:.3f}",
                f"{s.on_word_share:.3f} ({s.on_word_share_nondigit:.3f})",
            ]
        size = vocab.get(model) or 0
        lines.append(f"| {model} | {size:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def detail_table(scores: list[Scores]) -> str:
    """Fallbacks, round trip and off-word boundaries per genre and model."""
    lines = [
        "| genre | model | byte fallback | unknown | exact round trip | off-word boundaries per 1k chars |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for s in sorted(scores, key=lambda s: s.group):
        lines.append(
            f"| {s.group} | {s.model} | {s.byte_rate:.2%} | {s.unk_rate:.2%} | {s.roundtrip:.0%} | {s.off_word_per_kchar:.1f} |"
        )
    return "\n".join(lines)


def scaling_table(runs: dict[str, dict], scores: list[Scores]) -> str:
    """Time, peak memory and compactness at 1×, 2×, 4× sample sizes."""
    by = _by(scores)
    genres = list(GENRES.values())
    lines = [
        "| run | sample chars | sampling (Ray) s | SentencePiece training s (CPU s) | peak training memory MiB | "
        + " | ".join(f"{g} chars/token" for g in genres)
        + " | HF export |",
        "|---|---:|---:|---:|---:|" + "---:|" * len(genres) + "---|",
    ]
    scaled = {name for name, (_, sizes) in CONFIGS.items() if len(sizes) > 1}
    for label, r in runs.items():
        if r["config"] not in scaled:
            continue
        cpt = [f"{by[(label, g)].chars_per_token:.3f}" if (label, g) in by else "–" for g in genres]
        lines.append(
            f"| {label} | {r['sample_chars']:,} | {r['sample_seconds']:.1f} | {r['train_seconds']:.1f} "
            f"({r['train_cpu_seconds'] or 0:.1f}) | "
            f"{r['peak_rss_mib']:,.0f} | " + " | ".join(cpt) + f" | {r['hf_parity']} |"
        )
    return "\n".join(lines)


def token_kinds(model: Path, texts: list[str]) -> dict[str, int]:
    """Tokens by kind: whitespace only, digits, byte fallback, unknown, the rest."""
    sp = SentencePieceProcessor(model_file=str(model))
    kinds = dict.fromkeys(("tokens", "whitespace", "digits", "bytes", "unknown"), 0)
    for ids in sp.encode(texts):
        for i in ids:
            kinds["tokens"] += 1
            piece = sp.id_to_piece(i)
            if sp.is_byte(i):
                kinds["bytes"] += 1
            elif i == sp.unk_id():
                kinds["unknown"] += 1
            elif not piece.strip("\u2581\n\u3000 "):
                kinds["whitespace"] += 1
            elif piece.strip("\u2581").isdecimal():
                kinds["digits"] += 1
    return kinds


def token_kinds_table(models: dict[str, Path], groups: dict[str, list[str]]) -> str:
    """Where the tokens go: the difference between two tokenizers, by kind of token."""
    lines = [
        "| genre | model | tokens | whitespace-only | digit | byte fallback | unknown |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for genre, texts in groups.items():
        for label, path in models.items():
            k = token_kinds(path, texts)
            lines.append(
                f"| {genre} | {label} | {k['tokens']:,} | {k['whitespace']:,} | {k['digits']:,} "
                f"| {k['bytes']:,} | {k['unknown']:,} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
