"""Training a tokenizer from a release: sample (Ray) → SentencePiece → HF export → evaluation → card.

Outputs beside ``PREFIX``: ``PREFIX.model``, ``PREFIX.vocab``, ``PREFIX-hf/tokenizer.json``
(+ its config files), ``PREFIX.card.md`` and ``PREFIX.card.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.ray_runtime import ray_session
from manifests.release import read_manifest
from tokenizer.card import card_markdown
from tokenizer.evaluate import Scores, evaluate, load_texts
from tokenizer.hf_export import HF_DIR_SUFFIX, export_hf, parity_mismatches
from tokenizer.model_edit import finish_model
from tokenizer.sample import Sample, draw_sample
from tokenizer.settings import SampleSpec, TrainSettings
from tokenizer.spm_worker import run_training

SAMPLING_OBJECT_STORE_BYTES = 512 * 1024**2
"""The sampling tasks pass only small statistics through the object store."""

PARITY_LINES = 2000
"""Held-out lines (or sample lines) checked for identical ids in the Hugging Face export."""


class ReleaseError(ValueError):
    """The directory is not a release we can train from."""


@dataclass
class TrainResult:
    model_path: Path
    hf_dir: Path
    card_path: Path
    card: dict[str, Any]
    scores: list[Scores]


def _release_info(release: Path) -> dict[str, Any]:
    try:
        manifest = read_manifest(release)
    except FileNotFoundError as exc:
        raise ReleaseError(f"{release}: not a release (no manifest.json)") from exc
    return {
        "path": str(release),
        "name": manifest.get("name"),
        "version": manifest.get("version"),
        "created_at": manifest.get("created_at"),
        "manifest_sha256": manifest.get("manifest_sha256"),
        "code_version": manifest.get("code_version"),
        "policy": manifest.get("policy"),
        "licenses": {k: v.get("documents") for k, v in manifest.get("licenses", {}).items()},
    }


def write_word_counts(words: Counter, path: Path) -> Path:
    """``word<TAB>count`` lines, most frequent first: SentencePiece's ``tsv`` input."""
    with open(path, "w", encoding="utf-8") as f:
        for word, count in words.most_common():
            if "\t" in word or "\n" in word or not word:
                continue
            f.write(f"{word}\t{count}\n")
    return path


def _training_input(sample: Sample, settings: TrainSettings, work: Path) -> dict[str, Any]:
    if settings.presegment_mode:
        assert sample.words is not None
        return {
            "input": str(write_word_counts(sample.words, work / "words.tsv")),
            "input_format": "tsv",
        }
    return {"input": sample.line_files}


def _parity_texts(heldout: dict[str, list[str]], sample: Sample) -> list[str]:
    lines = [ln for texts in heldout.values() for t in texts for ln in t.split("\n") if ln.strip()]
    if len(lines) < PARITY_LINES:
        for path in sample.line_files:
            with open(path, encoding="utf-8") as f:
                lines += [ln.rstrip("\n") for _, ln in zip(range(PARITY_LINES), f, strict=False)]
            if len(lines) >= PARITY_LINES:
                break
    docs = [t for texts in heldout.values() for t in texts][:20]
    return lines[:PARITY_LINES] + docs


def train_tokenizer(
    release: str | Path,
    out_prefix: str | Path,
    settings: TrainSettings,
    spec: SampleSpec,
    *,
    preset_name: str = "custom",
    ray_address: str | None = None,
    eval_paths: Sequence[str | Path] = (),
    baselines: Sequence[str | Path] = (),
    keep_sample: bool = False,
    log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr),
) -> TrainResult:
    release = Path(release)
    info = _release_info(release)
    out_prefix = Path(out_prefix)
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    work = Path(f"{out_prefix}.work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    t0 = time.perf_counter()
    with ray_session(ray_address, object_store_bytes=SAMPLING_OBJECT_STORE_BYTES):
        sample = draw_sample(release, spec, work / "sample", settings.presegment_mode)
    sample_seconds = time.perf_counter() - t0
    log(
        f"sample: {sample.chars:,} characters in {sample.lines:,} lines from {sample.docs:,} documents ({sample_seconds:.1f} s)"
    )

    kwargs = {
        **settings.spm_kwargs(),
        **_training_input(sample, settings, work),
        "model_prefix": str(out_prefix),
        "num_threads": settings.num_threads or os.cpu_count() or 1,
    }
    run = run_training(kwargs, work)
    model_path = Path(f"{out_prefix}.model")
    edits = finish_model(model_path, digit_groups_on=settings.numbers == "groups")
    log(
        f"trained {model_path} in {run.seconds:.1f} s, {run.cpu_seconds:.1f} s CPU "
        f"(peak {run.peak_rss_bytes / 2**20:,.0f} MiB)"
    )

    hf_dir = Path(f"{out_prefix}{HF_DIR_SUFFIX}")
    tokenizer_json = export_hf(model_path, hf_dir)
    heldout = load_texts(sample.heldout_files) if sample.heldout_files else {}
    parity_texts = _parity_texts(heldout, sample)
    mismatches = parity_mismatches(model_path, tokenizer_json, parity_texts)
    parity = (
        f"identical ids on {len(parity_texts) - len(mismatches):,} of {len(parity_texts):,} texts"
    )
    log(f"exported {tokenizer_json}: {parity}")

    groups = {f"heldout:{k}": v for k, v in heldout.items()}
    if eval_paths:
        groups.update(load_texts(eval_paths))
    scores = evaluate([model_path, *baselines], groups) if groups else []

    card = {
        "name": out_prefix.name,
        "preset": preset_name,
        "vocab_size": _vocab_size(model_path),
        "files": {
            "model": model_path.name,
            "vocab": f"{out_prefix.name}.vocab",
            "hf": hf_dir.name,
            "card": f"{out_prefix.name}.card.md",
        },
        "release": info,
        "settings": settings.model_dump(mode="json"),
        "sample_spec": spec.model_dump(mode="json"),
        "sample": sample.summary(),
        "training": {
            "sample_seconds": round(sample_seconds, 2),
            "train_seconds": round(run.seconds, 2),
            "train_cpu_seconds": round(run.cpu_seconds, 2),
            "peak_rss_bytes": run.peak_rss_bytes,
            "spm_kwargs": {k: v for k, v in kwargs.items() if k not in ("input", "model_prefix")},
            "model_edits": edits,
        },
        "hf_parity": parity,
        "evaluation": [s.as_dict() for s in scores],
    }
    card_path = Path(f"{out_prefix}.card.md")
    card_path.write_text(card_markdown(card, scores), encoding="utf-8")
    Path(f"{out_prefix}.card.json").write_text(
        json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    if not keep_sample:
        shutil.rmtree(work, ignore_errors=True)
    return TrainResult(model_path, hf_dir, card_path, card, scores)


def _vocab_size(model_path: Path) -> int:
    from sentencepiece import SentencePieceProcessor

    return SentencePieceProcessor(model_file=str(model_path)).get_piece_size()
