"""Training a tokenizer from a release: sample (Ray) → SentencePiece → HF export → evaluation → card.

Outputs beside ``PREFIX``: ``PREFIX.model``, ``PREFIX.vocab``, ``PREFIX-hf/tokenizer.json``
(+ its config files), ``PREFIX.card.md`` and ``PREFIX.card.json``.

The release and ``PREFIX`` are local paths or fsspec URLs (``s3://bucket/tok/ja``,
``file:///data/tok/ja``); relative paths resolve against the current directory.
SentencePiece works on local files: the sample and every output are made in a local
temporary folder, and the outputs are copied to ``PREFIX`` only once all of them
exist, each file appearing whole (:func:`corpus.storage.put_file`), the card last.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import storage
from corpus.ray_runtime import ray_session
from manifests.release import read_manifest
from tokenizer.card import card_markdown
from tokenizer.evaluate import Scores, evaluate, load_texts
from tokenizer.hf_export import HF_DIR_SUFFIX, export_hf, parity_mismatches
from tokenizer.model_edit import finish_model
from tokenizer.sample import Sample, draw_sample, plan_parts, readable_by_workers, shard_paths
from tokenizer.settings import SampleSpec, TrainSettings
from tokenizer.spm_worker import run_training

SAMPLING_OBJECT_STORE_BYTES = 512 * 1024**2
"""The sampling tasks pass only small statistics through the object store."""

PARITY_LINES = 2000
"""Held-out lines (or sample lines) checked for identical ids in the Hugging Face export."""


class ReleaseError(ValueError):
    """The directory is not a release we can train from."""


class PublishError(OSError):
    """The outputs could not be copied to ``PREFIX``; the trained files are kept locally."""


@dataclass
class TrainResult:
    model_path: str
    hf_dir: str
    card_path: str
    card: dict[str, Any]
    scores: list[Scores]


def _release_info(release: str) -> dict[str, Any]:
    try:
        manifest = read_manifest(release)
    except FileNotFoundError as exc:
        raise ReleaseError(f"{release}: not a release (no manifest.json)") from exc
    return {
        "path": release,
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


def prefix_name(prefix: str) -> str:
    """The last part of ``PREFIX``, which every output's name starts with.

    >>> prefix_name("s3://bucket/tok/sample-ja"), prefix_name("/data/tok/sample-ja")
    ('sample-ja', 'sample-ja')
    """
    _, inner = storage.filesystem(prefix)
    name = posixpath.basename(inner.rstrip("/"))
    bucket_only = storage.protocol(prefix) in storage.EXTRAS and "/" not in inner.strip("/")
    if not name or name in (".", "..") or bucket_only or prefix.endswith("/"):
        raise ValueError(
            f"{prefix}: --out is a prefix for files (like s3://bucket/tok/sample-ja), "
            "not a bucket or folder"
        )
    return name


def output_names(name: str, staged: Path) -> list[str]:
    """The files made for ``name`` under ``staged``, relative, in publishing order: the
    Hugging Face folder, the vocabulary and the model, then the card (last, so a prefix
    with a card is complete)."""
    card = [f"{name}.card.json", f"{name}.card.md"]
    files = storage.files_under(str(staged))
    return [f for f in files if f not in card] + [c for c in card if c in files]


def publish(files: Sequence[tuple[Path, str]]) -> None:
    """Copy each local file to its destination (a path or URL), each appearing whole.

    On failure the files already copied are removed (best effort) and
    :class:`PublishError` names the destination; the local files are left as they are.
    """
    done: list[str] = []
    try:
        for local, target in files:
            storage.put_file(local, target)
            done.append(target)
    except (OSError, ValueError) as exc:
        for target in done:
            try:
                storage.remove(target)
            except (OSError, ValueError):
                pass
        raise PublishError(f"{target}: could not write the outputs ({exc})") from exc


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
    """Train from the release ``release`` and write the outputs beside ``out_prefix``.

    Both are local paths or fsspec URLs. Nothing appears at ``out_prefix`` unless
    training, export and evaluation all succeeded; ``keep_sample`` also copies the
    sample to ``PREFIX.work/``.
    """
    release = storage.resolve(release)
    info = _release_info(release)
    out_prefix = storage.resolve(out_prefix)
    name = prefix_name(out_prefix)
    stage = Path(tempfile.mkdtemp(prefix="jpcorpus-tokenizer-"))
    try:
        result = _train_staged(
            release,
            info,
            stage,
            name,
            settings,
            spec,
            preset_name=preset_name,
            ray_address=ray_address,
            eval_paths=eval_paths,
            baselines=baselines,
            log=log,
        )
        outputs, work = stage / "out", stage / "work"
        files = [(outputs / f, out_prefix + f[len(name) :]) for f in output_names(name, outputs)]
        storage.remove(f"{out_prefix}.work", recursive=True)  # an earlier run's sample
        if keep_sample:
            kept = [(work / f, f"{out_prefix}.work/{f}") for f in storage.files_under(str(work))]
            files = kept + files
        try:
            publish(files)
        except PublishError as exc:
            kept_stage, stage = stage, None  # the trained files stay for the user
            raise PublishError(f"{exc}; the trained files are in {kept_stage / 'out'}") from exc
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
    log(f"wrote {len(files)} files beside {out_prefix}")
    return TrainResult(
        model_path=f"{out_prefix}.model",
        hf_dir=f"{out_prefix}{HF_DIR_SUFFIX}",
        card_path=f"{out_prefix}.card.md",
        card=result[0],
        scores=result[1],
    )


def _train_staged(
    release: str,
    info: dict[str, Any],
    stage: Path,
    name: str,
    settings: TrainSettings,
    spec: SampleSpec,
    *,
    preset_name: str,
    ray_address: str | None,
    eval_paths: Sequence[str | Path],
    baselines: Sequence[str | Path],
    log: Callable[[str], None],
) -> tuple[dict[str, Any], list[Scores]]:
    """Sample, train, export, evaluate and write the card, all under the local ``stage``:
    ``stage/work`` holds the sample, ``stage/out`` the outputs named ``name``."""
    work, outputs = stage / "work", stage / "out"
    work.mkdir()
    outputs.mkdir()
    out_prefix = outputs / name
    shards = readable_by_workers(shard_paths(release), work / "shards")
    parts = plan_parts(shards)

    t0 = time.perf_counter()
    with ray_session(ray_address, object_store_bytes=SAMPLING_OBJECT_STORE_BYTES):
        sample = draw_sample(
            parts, spec, work / "sample", settings.presegment_mode, release=release
        )
    shutil.rmtree(work / "shards", ignore_errors=True)
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
        f"trained {model_path.name} in {run.seconds:.1f} s, {run.cpu_seconds:.1f} s CPU "
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
    log(f"exported {hf_dir.name}/tokenizer.json: {parity}")

    groups = {f"heldout:{k}": v for k, v in heldout.items()}
    if eval_paths:
        groups.update(load_texts(eval_paths))
    scores = evaluate([model_path, *baselines], groups) if groups else []

    card = {
        "name": name,
        "preset": preset_name,
        "vocab_size": _vocab_size(model_path),
        "files": {
            "model": model_path.name,
            "vocab": f"{name}.vocab",
            "hf": hf_dir.name,
            "card": f"{name}.card.md",
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
    Path(f"{out_prefix}.card.md").write_text(card_markdown(card, scores), encoding="utf-8")
    Path(f"{out_prefix}.card.json").write_text(
        json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return card, scores


def _vocab_size(model_path: Path) -> int:
    from sentencepiece import SentencePieceProcessor

    return SentencePieceProcessor(model_file=str(model_path)).get_piece_size()
