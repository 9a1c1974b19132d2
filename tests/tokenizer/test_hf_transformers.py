"""The Hugging Face export as ``transformers`` users load it: ``AutoTokenizer.from_pretrained``.

A small model is trained in-process on the bundled sample text (Aozora Bunko works and
the 人工知能 article, first half); the Wikipedia articles (raw wikitext, dense with
numbers), one held-out Aozora work, the article's second half and the law XML are
never trained on and are where ids are compared.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
import sentencepiece as spm

from corpus.pii.entities import PiiType
from tokenizer.hf_export import CHAT_TEMPLATE, export_hf
from tokenizer.model_edit import finish_model
from tokenizer.settings import TrainSettings
from tokenizer.symbols import CHAT_TURN_END, CHAT_TURN_START, split_digit_groups

os.environ["HF_HUB_OFFLINE"] = "1"
transformers = pytest.importorskip("transformers")

SAMPLE = Path(__file__).resolve().parents[2] / "pipelines" / "sample"
VOCAB = 5000
TRAIN_CHARS = 300_000


def _aozora_texts() -> list[str]:
    files = sorted((SAMPLE / "aozora" / "cards").glob("*/files/*/*.txt"))
    return [f.read_bytes().decode("cp932", errors="replace") for f in files]


def _split_article() -> tuple[str, str]:
    text = (SAMPLE / "wikipedia" / "text" / "ai.ja.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    return "\n".join(lines[: len(lines) // 2]), "\n".join(lines[len(lines) // 2 :])


@pytest.fixture(scope="module")
def heldout() -> list[str]:
    with gzip.open(SAMPLE / "wikipedia" / "jawiki-country.sample.json.gz", "rt") as f:
        wiki = [json.loads(line)["text"] for line in f][:6]
    laws = [p.read_text(encoding="utf-8") for p in sorted((SAMPLE / "laws" / "xml").glob("*.xml"))]
    return [*wiki, _aozora_texts()[-1], _split_article()[1], *laws[:1]]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> dict:
    """SentencePiece with the default (``japanese``) settings, finished and exported."""
    work = tmp_path_factory.mktemp("hf")
    lines = [ln for t in [*_aozora_texts()[:-1], _split_article()[0]] for ln in t.split("\n")]
    text = "\n".join(ln for ln in lines if ln.strip())[:TRAIN_CHARS]
    (work / "train.txt").write_text(text + "\n", encoding="utf-8")
    settings = TrainSettings(vocab_size=VOCAB, character_coverage=0.98, num_threads=1)
    spm.SentencePieceTrainer.train(
        **settings.spm_kwargs(),
        input=str(work / "train.txt"),
        model_prefix=str(work / "tiny"),
        num_threads=1,
        minloglevel=2,
    )
    model_path = work / "tiny.model"
    finish_model(model_path, digit_groups_on=True)
    export_hf(model_path, work / "tiny-hf")
    return {
        "sp": spm.SentencePieceProcessor(model_file=str(model_path)),
        "dir": work / "tiny-hf",
        "tok": transformers.AutoTokenizer.from_pretrained(work / "tiny-hf"),
    }


def test_special_tokens_and_defaults(model):
    tok, sp = model["tok"], model["sp"]
    assert sp.get_piece_size() == len(tok) == VOCAB
    assert (tok.unk_token, tok.bos_token, tok.eos_token, tok.pad_token) == (
        "<unk>",
        "<s>",
        "</s>",
        "<pad>",
    )
    assert (tok.unk_token_id, tok.bos_token_id, tok.eos_token_id, tok.pad_token_id) == (
        sp.unk_id(),
        sp.bos_id(),
        sp.eos_id(),
        sp.pad_id(),
    )
    text = "吾輩は猫である。"
    assert tok(text).input_ids == [sp.bos_id(), *sp.encode(text)]  # add_bos_token, no eos
    packing = transformers.AutoTokenizer.from_pretrained(
        model["dir"], add_bos_token=True, add_eos_token=True
    )
    assert packing(text).input_ids == [sp.bos_id(), *sp.encode(text), sp.eos_id()]
    ids = packing(text).input_ids
    assert tok.decode(ids, skip_special_tokens=True) == text
    assert tok.decode(ids) == f"<s>{text}</s>"
    batch = tok(["猫", "吾輩は猫である。"], padding=True).input_ids
    assert batch[0][-1] == sp.pad_id() and len(batch[0]) == len(batch[1])


def test_ids_equal_sentencepiece_on_heldout_text(model, heldout):
    tok, sp = model["tok"], model["sp"]
    texts = [*heldout, *[ln for t in heldout for ln in t.split("\n")][:1500]]
    assert sum(map(len, heldout)) > 100_000
    for text in texts:
        ids = tok(text, add_special_tokens=False).input_ids
        assert ids == sp.encode(text), text[:60]
    for doc in heldout:
        assert tok.decode(tok(doc).input_ids, skip_special_tokens=True) == doc


def test_literal_special_token_text_stays_text(model):
    tok, sp = model["tok"], model["sp"]
    text = "タグ<s>と</s>と<unk>と<pad>、<0x41>も"
    ids = tok(text, add_special_tokens=False).input_ids
    assert ids == sp.encode(text)
    assert not set(ids) & {sp.bos_id(), sp.eos_id(), sp.unk_id(), sp.pad_id()}
    assert tok.decode(ids, skip_special_tokens=True) == text


@pytest.mark.parametrize("placeholder", [t.placeholder for t in PiiType])
def test_placeholders_are_one_token(model, placeholder):
    tok, sp = model["tok"], model["sp"]
    text = f"連絡先：{placeholder}（担当）、{placeholder}まで"
    ids = tok(text, add_special_tokens=False).input_ids
    assert ids == sp.encode(text)
    assert tok.convert_ids_to_tokens(ids).count(placeholder) == 2
    assert sp.piece_to_id(placeholder) in ids


def test_numbers_are_groups_of_three_from_the_right(model):
    tok, sp = model["tok"], model["sp"]
    for number in ["7", "42", "2024", "12345", "1234567", "1000000000", "0012", "3.14159"]:
        text = f"人口は{number}人"
        pieces = sp.encode(text, out_type=str)
        digits = [p for p in pieces if p.isdigit()]
        assert digits == split_digit_groups(text), number
        assert tok.tokenize(text) == pieces
    assert sp.encode("1,234,567円", out_type=str)[:5] == ["1", ",", "234", ",", "567"]


def test_chat_template(model):
    tok, sp = model["tok"], model["sp"]
    messages = [
        {"role": "system", "content": "日本語で答える。"},
        {"role": "user", "content": "猫の名前は？"},
    ]
    text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert text == (
        f"{CHAT_TURN_START}system\n日本語で答える。{CHAT_TURN_END}\n"
        f"{CHAT_TURN_START}user\n猫の名前は？{CHAT_TURN_END}\n{CHAT_TURN_START}assistant\n"
    )
    ids = tok.apply_chat_template(messages, tokenize=True, add_generation_prompt=True)
    ids = ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids
    assert ids == sp.encode(text)
    assert ids.count(sp.piece_to_id(CHAT_TURN_START)) == 3
    config = json.loads((model["dir"] / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert config["chat_template"] == CHAT_TEMPLATE


def test_digit_groups_need_room_in_the_vocabulary():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="digit groups"):
        TrainSettings(vocab_size=2000)
    assert TrainSettings(vocab_size=2000, numbers="digits").trained_vocab_size == 2000
    with pytest.raises(ValidationError, match="unigram"):
        TrainSettings(model_type="bpe")
    assert TrainSettings(model_type="bpe", numbers="digits").trained_vocab_size == 48_000
    assert TrainSettings(vocab_size=48_000).trained_vocab_size == 46_900
