"""``jpcorpus tokenizer eval`` on the sample release and the measures behind it."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest
import sentencepiece as spm

import tokenizer.evaluate
import tokenizer.sample
import tokenizer.segment
import tokenizer.settings
from tests.conftest import run_cli
from tokenizer.evaluate import evaluate, load_texts, piece_ends
from tokenizer.segment import word_boundaries

LLM_JP = Path("/work/shared/baselines/llm-jp-tokenizer/llm-jp-tokenizer-100k.ver3.0b1.model")


@pytest.mark.parametrize(
    "module", [tokenizer.evaluate, tokenizer.sample, tokenizer.segment, tokenizer.settings]
)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_eval_command_by_source(trained, tmp_path):
    """Evaluated on the documents the training held out, grouped by their source."""
    heldout = sorted((Path(f"{trained['prefix']}.work") / "sample").glob("heldout-*.jsonl.gz"))
    assert heldout
    out = tmp_path / "scores.json"
    baselines = ["--baseline", str(LLM_JP)] if LLM_JP.is_file() else []
    proc = run_cli(
        "tokenizer",
        "eval",
        str(trained["model"]),
        *map(str, heldout),
        *baselines,
        "--json",
        str(out),
        check=True,
    )
    rows = json.loads(out.read_text(encoding="utf-8"))
    sources = set(load_texts(heldout))
    models = {r["model"] for r in rows}
    assert {r["group"] for r in rows} == sources
    assert len(rows) == len(sources) * (1 + bool(baselines)) == len(models) * len(sources)
    ours = [r for r in rows if r["model"] == trained["model"].stem]
    for r in ours:
        assert r["roundtrip"] == 1.0 and r["unk_rate"] == 0.0
        assert 1.0 < r["chars_per_token"] < 6.0
        assert 0.5 < r["on_word_share"] <= 1.0
        assert r["on_word"] <= r["boundaries"] < r["tokens"]
        assert f"| {r['group']} | {r['model']} |" in proc.stdout


def test_word_alignment_counts_match_a_direct_count(trained):
    """The evaluator's boundary counts equal counting piece ends against SudachiPy words by hand."""
    text = "吾輩は猫である。名前はまだ無い。\n\u3000どこで生れたかとんと見当がつかぬ。"
    [row] = evaluate([trained["model"]], {"t": [text]})
    sp = spm.SentencePieceProcessor(model_file=str(trained["model"]))
    pieces = sp.encode(text, out_type=str)
    ends, pos = [], 0
    for p in pieces[:-1]:
        pos += len(p)
        ends.append(pos)
    words = word_boundaries(text)
    assert row.boundaries == len(ends)
    assert row.on_word == sum(1 for e in ends if e in words)
    assert piece_ends(text, sp.encode(text, return_type="proto").pieces) == ends
    assert row.tokens == len(pieces) and row.chars == len(text)


def test_load_texts_groups_files(tmp_path):
    (tmp_path / "a.txt").write_text("本文一", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(
        '{"text": "本文二"}\n{"text": "本文三", "source": "x"}\n', encoding="utf-8"
    )
    groups = load_texts([tmp_path / "a.txt", tmp_path / "b.jsonl"])
    assert groups == {"a": ["本文一"], "b": ["本文二"], "x": ["本文三"]}
    with pytest.raises(ValueError, match="no such file"):
        load_texts([tmp_path / "missing.txt"])


def test_eval_rejects_missing_model(tmp_path):
    proc = run_cli("tokenizer", "eval", str(tmp_path / "none.model"), str(tmp_path))
    assert proc.returncode == 2
    assert "model file not found" in proc.stderr
