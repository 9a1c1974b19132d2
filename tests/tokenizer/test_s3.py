"""``jpcorpus tokenizer train|eval`` against a real S3 endpoint (moto on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sentencepiece as spm

from corpus import storage
from manifests.release import read_manifest
from pipelines.cli import main
from tests.conftest import run_cli
from tests.storage.conftest import SECRET, bucket, s3_endpoint  # noqa: F401 (fixtures)
from tests.tokenizer.conftest import HOLDOUT, SAMPLE_CHARS, VOCAB


@pytest.mark.slow
def test_train_and_eval_on_s3(trained, bucket: str) -> None:  # noqa: F811
    """Release in a bucket, outputs to the bucket, evaluation from the bucket: the same
    sample as from local disk, and the credentials nowhere in what was written."""
    fs, root = storage.filesystem(f"{bucket}/release")
    fs.put(str(trained["release"]), root, recursive=True)
    fs.invalidate_cache()
    release, prefix = f"{bucket}/release", f"{bucket}/tok/sample-ja"

    proc = run_cli(
        "tokenizer",
        "train",
        release,
        "--vocab-size",
        str(VOCAB),
        "--out",
        prefix,
        "--sample-chars",
        str(SAMPLE_CHARS),
        "--holdout",
        str(HOLDOUT),
        "--keep-sample",
    )
    assert proc.returncode == 0, proc.stderr
    assert f"model: {prefix}.model" in proc.stdout
    files = storage.files_under(f"{bucket}/tok")
    for name in (
        "sample-ja.model",
        "sample-ja.vocab",
        "sample-ja.card.md",
        "sample-ja-hf/tokenizer.json",
    ):
        assert name in files, files
    heldout = [f for f in files if f.startswith("sample-ja.work/sample/heldout-")]
    assert heldout

    card = json.loads(storage.read_text(f"{prefix}.card.json"))
    assert card["release"]["path"] == release
    assert (
        card["release"]["manifest_sha256"] == read_manifest(trained["release"])["manifest_sha256"]
    )
    assert card["sample"] == trained["card"]["sample"]
    sp = spm.SentencePieceProcessor(model_proto=storage.read_bytes(f"{prefix}.model"))
    assert sp.get_piece_size() == VOCAB

    texts = [f"{bucket}/tok/{f}" for f in heldout]
    ev = run_cli("tokenizer", "eval", f"{prefix}.model", *texts, "--json", f"{bucket}/scores.json")
    assert ev.returncode == 0, ev.stderr
    rows = {r["group"]: r for r in json.loads(storage.read_text(f"{bucket}/scores.json"))}
    in_card = {r["group"].removeprefix("heldout:"): r for r in card["evaluation"]}
    assert rows.keys() == in_card.keys() and rows
    for group, row in rows.items():  # the held-out documents the card was evaluated on
        assert (row["docs"], row["chars"], row["tokens"]) == (
            in_card[group]["docs"],
            in_card[group]["chars"],
            in_card[group]["tokens"],
        )

    # credentials come from the environment and appear nowhere in what was written
    name = bucket.removeprefix("s3://")
    written = "".join(fs.cat_file(p).decode("utf-8", "replace") for p in fs.find(name))
    assert SECRET not in written + proc.stdout + proc.stderr + ev.stdout + ev.stderr


def test_eval_from_s3_matches_local(trained, bucket: str, tmp_path, capsys) -> None:  # noqa: F811
    """``eval`` of a model and texts in a bucket gives the scores of the local files."""
    heldout = sorted(Path(f"{trained['prefix']}.work/sample").glob("heldout-*.jsonl.gz"))
    fs, root = storage.filesystem(f"{bucket}/eval")
    for path in [trained["model"], *heldout]:
        fs.put_file(str(path), f"{root}/{path.name}")
    remote = [f"{bucket}/eval/{p.name}" for p in [trained["model"], *heldout]]
    local = [str(p) for p in [trained["model"], *heldout]]

    assert main(["tokenizer", "eval", *remote, "--json", f"{bucket}/eval/scores.json"]) == 0
    assert main(["tokenizer", "eval", *local, "--json", str(tmp_path / "scores.json")]) == 0
    out = capsys.readouterr().out
    assert json.loads(storage.read_text(f"{bucket}/eval/scores.json")) == json.loads(
        (tmp_path / "scores.json").read_text(encoding="utf-8")
    )
    assert out.count("| chars/token |") == 2 and SECRET not in out

    assert main(["tokenizer", "eval", f"{bucket}/eval/none.model", *remote[1:]]) == 2
    assert "model file not found" in capsys.readouterr().err
    code = main(["tokenizer", "train", f"{bucket}/nothing", "--vocab-size", "5000", "--out", "x"])
    assert code == 2
    assert (
        capsys.readouterr().err
        == f"jpcorpus: error: {bucket}/nothing: not a release (no manifest.json)\n"
    )
