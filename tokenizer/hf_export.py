"""Export a SentencePiece model as a Hugging Face tokenizer folder that ``transformers`` loads.

``export_hf`` writes ``tokenizer.json``, ``tokenizer_config.json`` and
``special_tokens_map.json``; ``AutoTokenizer.from_pretrained(folder)`` then gives:

- the same ids as SentencePiece: the same normalizer (identity or the model's
  precompiled NFKC map, whitespace escaped as ``▁``, optional dummy prefix and
  whitespace clean-up), the same pieces and scores (digit groups included, see
  :mod:`tokenizer.model_edit`), byte fallback, and the user-defined symbols
  (newline, chat control symbols, PII placeholders) as added tokens matched before
  normalization, one token each;
- ``<unk>``, ``<s>``, ``</s>``, ``<pad>`` as its unk/bos/eos/pad tokens, special, so
  ``decode(…, skip_special_tokens=True)`` drops them;
- ``<s>`` at the start of every sequence and no ``</s>`` (the post-processor in
  ``tokenizer.json``; ``add_bos_token``/``add_eos_token`` in the config say the same).
  For packing documents, load with ``add_bos_token=True, add_eos_token=True``
  (``transformers`` 5 resets whichever of the two is not passed to false);
- ``split_special_tokens`` true: text that spells ``<s>`` or ``</s>`` stays text, as in
  SentencePiece, which never matches control pieces in text. (With the ``tokenizers``
  library alone, set ``tok.encode_special_tokens = True`` for the same.)
- an optional chat template (:data:`CHAT_TEMPLATE`): nothing else depends on it.

:func:`parity_mismatches` checks the ids on given texts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from sentencepiece import SentencePieceProcessor
from sentencepiece import sentencepiece_model_pb2 as model_pb2

from tokenizer.model_edit import load_proto
from tokenizer.symbols import CHAT_TURN_END, CHAT_TURN_START

HF_DIR_SUFFIX = "-hf"
"""``PREFIX-hf/`` holds ``tokenizer.json`` and the config files ``transformers`` reads."""

UNREACHABLE_SCORE = -1e6

ADD_BOS_TOKEN = True
ADD_EOS_TOKEN = False

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    f"{CHAT_TURN_START}{{{{ message['role'] }}}}\n{{{{ message['content'] }}}}{CHAT_TURN_END}\n"
    "{% endfor %}"
    f"{{% if add_generation_prompt %}}{CHAT_TURN_START}assistant\n{{% endif %}}"
)
"""ChatML-style turns with our control symbols (each one token). It writes no ``<s>``:
``split_special_tokens`` keeps that text as text, and ``apply_chat_template`` encodes
without special tokens, so a conversation starts with ``<|im_start|>``."""

_Piece = model_pb2.ModelProto.SentencePiece
_UNIGRAM = model_pb2.TrainerSpec.UNIGRAM
_BPE = model_pb2.TrainerSpec.BPE


def _score(piece: model_pb2.ModelProto.SentencePiece) -> float:
    if piece.type in (_Piece.NORMAL, _Piece.USER_DEFINED):
        return piece.score  # user-defined pieces are added tokens, matched before the model
    return UNREACHABLE_SCORE  # control, unknown, byte: never matched in text


def build_hf_tokenizer(model_path: str | Path):
    """A ``tokenizers.Tokenizer`` giving the same ids as the SentencePiece model."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    proto = load_proto(model_path)
    spec, norm = proto.trainer_spec, proto.normalizer_spec
    unk_id = spec.unk_id
    if spec.model_type == _UNIGRAM:
        vocab = [(p.piece, _score(p)) for p in proto.pieces]
        model = models.Unigram(vocab, unk_id=unk_id, byte_fallback=spec.byte_fallback)
    elif spec.model_type == _BPE:
        vocab_ids = {p.piece: i for i, p in enumerate(proto.pieces)}
        model = models.BPE(
            vocab=vocab_ids,
            merges=_bpe_merges(proto, vocab_ids),
            unk_token=proto.pieces[unk_id].piece,
            fuse_unk=True,
            byte_fallback=spec.byte_fallback,
        )
    else:
        raise ValueError(f"{model_path}: only unigram and BPE models can be exported")
    tok = Tokenizer(model)

    steps = []
    if norm.precompiled_charsmap:
        steps.append(normalizers.Precompiled(norm.precompiled_charsmap))
    if norm.remove_extra_whitespaces:
        steps += [
            normalizers.Strip(left=True, right=True),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    has_user_symbols = any(p.type == _Piece.USER_DEFINED for p in proto.pieces)
    prepend = "never"
    if norm.add_dummy_prefix and not has_user_symbols:
        # in the normalizer, so text whose leading whitespace was stripped still gets it
        steps.append(normalizers.Prepend("▁"))
    elif norm.add_dummy_prefix:
        prepend = "first"  # per segment between added tokens: only the text's start
    if steps:
        tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme=prepend, split=False
    )
    dec = [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()]
    if norm.add_dummy_prefix:
        dec.append(decoders.Strip(" ", 1, 0))
    tok.decoder = decoders.Sequence(dec)

    # <unk>, <s>, </s>, <pad>: special (skipped when decoding); matched in text only
    # while encode_special_tokens is off, which transformers turns on
    tok.add_special_tokens(
        [
            AddedToken(p.piece, special=True, normalized=False)
            for p in proto.pieces
            if p.type in (_Piece.CONTROL, _Piece.UNKNOWN)
        ]
    )
    # user-defined symbols (newline, chat control symbols, PII placeholders): one token
    # each wherever they occur, as in SentencePiece
    tok.add_tokens(
        [
            AddedToken(p.piece, special=False, normalized=False)
            for p in proto.pieces
            if p.type == _Piece.USER_DEFINED
        ]
    )
    bos, eos = _piece(proto, spec.bos_id), _piece(proto, spec.eos_id)
    tok.post_processor = _template(processors, bos, eos, spec.bos_id, spec.eos_id)
    return tok


def _piece(proto: model_pb2.ModelProto, i: int) -> str | None:
    return proto.pieces[i].piece if 0 <= i < len(proto.pieces) else None


def _template(processors, bos: str | None, eos: str | None, bos_id: int, eos_id: int):
    """BOS/EOS around each sequence as ``ADD_BOS_TOKEN``/``ADD_EOS_TOKEN`` say. The
    config's ``add_bos_token``/``add_eos_token`` say the same; ``transformers`` 5 keeps
    this post-processor unless one of them is passed to ``from_pretrained``."""
    add_bos, add_eos = ADD_BOS_TOKEN and bos is not None, ADD_EOS_TOKEN and eos is not None
    single = " ".join([f"{bos}:0"] * add_bos + ["$A:0"] + [f"{eos}:0"] * add_eos)
    pair = single + " " + " ".join([f"{bos}:1"] * add_bos + ["$B:1"] + [f"{eos}:1"] * add_eos)
    special = [(bos, bos_id)] * add_bos + [(eos, eos_id)] * add_eos
    return processors.TemplateProcessing(single=single, pair=pair, special_tokens=special)


def _bpe_merges(proto: model_pb2.ModelProto, vocab_ids: dict[str, int]) -> list[tuple[str, str]]:
    """Merges in SentencePiece's order: a piece is made from two smaller pieces, earlier ids first."""
    merges = []
    for piece, pid in vocab_ids.items():
        if proto.pieces[pid].type != _Piece.NORMAL:
            continue
        for i in range(1, len(piece)):
            left, right = piece[:i], piece[i:]
            if left in vocab_ids and right in vocab_ids:
                merges.append((pid, vocab_ids[left], vocab_ids[right], left, right))
    merges.sort()
    return [(left, right) for *_, left, right in merges]


def export_hf(model_path: str | Path, out_dir: str | Path) -> Path:
    """Write ``tokenizer.json``, ``tokenizer_config.json`` and ``special_tokens_map.json``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tok = build_hf_tokenizer(model_path)
    tok.save(str(out_dir / "tokenizer.json"))
    proto = load_proto(model_path)
    spec = proto.trainer_spec
    special = {
        k: v
        for k, v in {
            "unk_token": _piece(proto, spec.unk_id),
            "bos_token": _piece(proto, spec.bos_id),
            "eos_token": _piece(proto, spec.eos_id),
            "pad_token": _piece(proto, spec.pad_id),
        }.items()
        if v is not None
    }
    symbols = {p.piece for p in proto.pieces if p.type == _Piece.USER_DEFINED}
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "add_bos_token": ADD_BOS_TOKEN,
        "add_eos_token": ADD_EOS_TOKEN,
        "split_special_tokens": True,
        "clean_up_tokenization_spaces": False,
        "model_max_length": 1_000_000_000,
        "padding_side": "right",
        **special,
    }
    if {CHAT_TURN_START, CHAT_TURN_END} <= symbols and "bos_token" in special:
        config["chat_template"] = CHAT_TEMPLATE
    (out_dir / "tokenizer_config.json").write_text(
        json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out_dir / "special_tokens_map.json").write_text(
        json.dumps(special, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return out_dir / "tokenizer.json"


def parity_mismatches(
    model_path: str | Path, tokenizer_json: str | Path, texts: Iterable[str]
) -> list[str]:
    """Texts whose ids differ between SentencePiece and the exported tokenizer (empty: identical)."""
    from tokenizers import Tokenizer

    sp = SentencePieceProcessor(model_file=str(model_path))
    hf = Tokenizer.from_file(str(tokenizer_json))
    hf.encode_special_tokens = True  # as transformers does with split_special_tokens
    return [t for t in texts if sp.encode(t) != hf.encode(t, add_special_tokens=False).ids]
