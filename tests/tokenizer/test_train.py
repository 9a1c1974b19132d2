"""Training from the sample release: outputs, card, held-out split, settings, HF export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as model_pb2

from manifests.release import read_manifest
from tests.tokenizer.conftest import HOLDOUT, SAMPLE_CHARS, VOCAB
from tokenizer.sample import is_held_out
from tokenizer.settings import SampleSpec
from tokenizer.symbols import reserved_symbols

TEST_TEXT = (
    "吾輩は猫である。名前はまだ無い。\n"
    "\u3000どこで生れたかとんと見当がつかぬ。2024年１２月、人口は1,001,450人。\n\n"
    "\u3000𠮷野家の鬱蒼とした庭で「Hello,  world!」と叫んだ😀\n"
    "  先頭に空白、末尾にも \n"
)


def _release_rows(release: Path) -> list[dict]:
    rows = []
    for shard in read_manifest(release)["shards"]:
        rows += pq.read_table(
            release / shard["path"], columns=["id", "text", "source", "license"]
        ).to_pylist()
    return rows


def test_outputs_and_card(trained):
    prefix, card = trained["prefix"], trained["card"]
    for suffix in (
        ".model",
        ".vocab",
        ".card.md",
        ".card.json",
        "-hf/tokenizer.json",
        "-hf/tokenizer_config.json",
    ):
        assert Path(f"{prefix}{suffix}").is_file(), suffix
    sp = spm.SentencePieceProcessor(model_file=str(trained["model"]))
    assert sp.get_piece_size() == VOCAB == card["vocab_size"]

    manifest = read_manifest(trained["release"])
    assert card["release"]["name"] == manifest["name"]
    assert card["release"]["version"] == manifest["version"]
    assert card["release"]["manifest_sha256"] == manifest["manifest_sha256"]
    sample = card["sample"]
    assert 0 < sample["chars"] <= SAMPLE_CHARS
    assert sum(sample["chars_by_source"].values()) == sample["chars"]
    assert sum(sample["chars_by_license"].values()) == sample["chars"]
    assert set(sample["chars_by_license"]) <= set(manifest["licenses"])
    assert card["training"]["train_seconds"] > 0 and card["training"]["peak_rss_bytes"] > 10 * 2**20

    text = Path(f"{prefix}.card.md").read_text(encoding="utf-8")
    assert f"**{manifest['name']}** version **{manifest['version']}**" in text
    for lic in sample["chars_by_license"]:
        assert f"| {lic} |" in text
    assert "| heldout:" in text  # the evaluation table on held-out documents


def test_sample_is_bounded_and_never_holds_heldout_text(trained):
    rows = _release_rows(trained["release"])
    spec = SampleSpec(max_chars=SAMPLE_CHARS, holdout=HOLDOUT)
    held = [r for r in rows if is_held_out(r["id"], spec)]
    assert held, "the sample release should hold out some documents at 10%"
    assert trained["card"]["sample"]["heldout_docs"] == len(held)

    train_lines = {
        ln for r in rows if not is_held_out(r["id"], spec) for ln in r["text"].split("\n")
    }
    sample_dir = Path(f"{trained['prefix']}.work") / "sample"
    sampled = set()
    chars = 0
    for path in sample_dir.glob("lines-*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            sampled.add(line)
            chars += len(line)
    assert chars == trained["card"]["sample"]["chars"]
    only_held = {ln for r in held for ln in r["text"].split("\n") if len(ln) >= 20} - train_lines
    assert only_held, "held-out documents should have lines of their own"
    assert not (only_held & sampled)


def test_settings_reach_the_model(trained):
    proto = model_pb2.ModelProto()
    proto.ParseFromString(trained["model"].read_bytes())
    assert proto.normalizer_spec.name == "identity"
    assert proto.trainer_spec.byte_fallback and proto.trainer_spec.split_digits
    user = {
        p.piece for p in proto.pieces if p.type == model_pb2.ModelProto.SentencePiece.USER_DEFINED
    }
    assert user == {"\n", *reserved_symbols()}

    sp = spm.SentencePieceProcessor(model_file=str(trained["model"]))
    pieces = sp.encode("2024年の\n\u3000春、<PERSON>", out_type=str)
    assert pieces[:2] == ["2", "024"]  # digit groups of three from the right
    assert "\n" in pieces and "<PERSON>" in pieces
    assert trained["card"]["training"]["model_edits"]["digit_pieces_added"] == 1100
    ids = sp.encode(TEST_TEXT)
    assert sp.unk_id() not in ids  # byte fallback instead of <unk>
    assert any(sp.is_byte(i) for i in ids)  # 𠮷 and 😀 are not in a 5,000-piece vocabulary
    assert sp.decode(ids) == TEST_TEXT  # identity normalization: exact round trip


def test_hf_export_gives_identical_ids(trained):
    from tokenizers import Tokenizer

    sp = spm.SentencePieceProcessor(model_file=str(trained["model"]))
    hf = Tokenizer.from_file(f"{trained['prefix']}-hf/tokenizer.json")
    heldout = [
        r["text"]
        for r in _release_rows(trained["release"])
        if is_held_out(r["id"], SampleSpec(holdout=HOLDOUT))
    ]
    texts = [
        TEST_TEXT,
        "",
        "<b>タグ</b>と<0x4>と<unk",
        *[ln for t in heldout for ln in t.split("\n")][:500],
    ]
    for text in texts:
        hf.encode_special_tokens = True  # as transformers does (split_special_tokens)
        enc = hf.encode(text, add_special_tokens=False)
        assert enc.ids == sp.encode(text), text[:50]
        assert hf.decode(enc.ids, skip_special_tokens=False) == sp.decode(enc.ids)
    config = json.loads(
        Path(f"{trained['prefix']}-hf/tokenizer_config.json").read_text(encoding="utf-8")
    )
    assert config["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert (config["unk_token"], config["bos_token"], config["eos_token"]) == (
        "<unk>",
        "<s>",
        "</s>",
    )
    assert config["pad_token"] == "<pad>" and config["split_special_tokens"] is True
    assert re.fullmatch(r"identical ids on ([\d,]+) of \1 texts", trained["card"]["hf_parity"])


@pytest.mark.parametrize(
    "bad", [["--vocab-size", "10"], ["--normalization", "nfc"], ["--holdout", "1.5"]]
)
def test_train_rejects_bad_values(sample_release, tmp_path, bad):
    from tests.conftest import run_cli

    args = [
        "tokenizer",
        "train",
        str(sample_release),
        "--vocab-size",
        "5000",
        "--out",
        str(tmp_path / "x"),
    ]
    args = [a for a in args if a != "5000" or "--vocab-size" not in bad]
    if "--vocab-size" in bad:
        args.remove("--vocab-size")
    proc = run_cli(*args, *bad)
    assert proc.returncode == 2
    assert proc.stderr.startswith("jpcorpus: error:") and proc.stderr.count("\n") == 1


def test_train_rejects_a_directory_that_is_not_a_release(tmp_path):
    from tests.conftest import run_cli

    proc = run_cli(
        "tokenizer", "train", str(tmp_path), "--vocab-size", "5000", "--out", str(tmp_path / "x")
    )
    assert proc.returncode == 2
    assert "not a release" in proc.stderr
