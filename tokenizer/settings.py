"""What a tokenizer is trained with: SentencePiece settings and the training sample's bounds.

Two presets, each one home for its values:

- ``japanese`` (the default): unigram, byte fallback (no unknown tokens), ASCII
  digits in groups of at most three from the right (``1|234|567``), newline, the
  chat control symbols and the PII placeholders as user-defined symbols (one token
  each), identity normalization with whitespace kept, so decoding gives back the exact input.
- ``spm-default``: SentencePiece's own defaults (``nmt_nfkc``, dummy prefix, extra
  whitespace removed, no byte fallback, digits learned like any text) — the reference
  the Japanese settings are compared with.

Every preset has ``<unk>``, ``<s>``, ``</s>`` and ``<pad>`` at ids 0–3 (the Hugging Face
export needs a padding token).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tokenizer.model_edit import added_digit_pieces
from tokenizer.segment import SplitModeName
from tokenizer.symbols import reserved_symbols

MAX_SENTENCE_CHARS = 2000
"""Training lines longer than this are cut after 。 (SentencePiece skips lines over
``max_sentence_length`` bytes; 2,000 characters stay under the 8,192 bytes we allow)."""

MAX_SENTENCE_BYTES = 8192

REQUIRED_CHARS = "".join(chr(c) for c in range(0x21, 0x7F))
"""Printable ASCII is always in the vocabulary, so text that spells a control or byte
piece (``<s>``, ``<0x41>``) always has a cheaper reading in ordinary pieces, in
SentencePiece and in the Hugging Face export alike."""

SPECIAL_IDS = {"unk_id": 0, "bos_id": 1, "eos_id": 2, "pad_id": 3}
"""``<unk>``, ``<s>``, ``</s>``, ``<pad>``: SentencePiece's default ids, with padding on."""

NumberStyle = Literal["groups", "digits", "learned"]


class TrainSettings(BaseModel):
    """SentencePiece trainer and normalizer settings (names follow SentencePiece's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vocab_size: int = Field(48_000, ge=300, le=1_000_000)
    """Pieces in the finished model (digit groups included)."""
    model_type: Literal["unigram", "bpe"] = "unigram"
    normalization: Literal["identity", "nfkc", "nmt_nfkc"] = "identity"
    """``identity`` keeps text as is (exact round trip); ``nfkc`` folds full-width
    alphanumerics and symbols (１→1, ！→!) and loses that distinction on decode."""
    character_coverage: float = Field(0.9995, ge=0.98, le=1.0)
    """SentencePiece's recommendation for Japanese/Chinese (rarer characters go to bytes)."""
    byte_fallback: bool = True
    numbers: NumberStyle = "groups"
    """How digits become tokens. ``groups``: ASCII digits in groups of at most three
    from the right, every group one token (1,100 pieces added after training, within
    ``vocab_size``; a digit keeps its place value: ``12|345``, ``2|024``; see
    :mod:`tokenizer.model_edit`); ``digits``: one token per digit;
    ``learned``: SentencePiece learns digit strings like any other text (``2024``
    may be one piece and ``2025`` two)."""
    reserve_symbols: bool = True
    """The chat control symbols and the PII placeholders (``<EMAIL>``, ``<PERSON>`` …)
    as user-defined symbols, one token each (:mod:`tokenizer.symbols`)."""
    user_symbols: tuple[str, ...] = ("\n",)
    """Always one token each. Only symbols that no learned piece can overlap give the
    same ids in SentencePiece and the Hugging Face export: ``\\n\\u3000`` (a paragraph
    opening) loses to ``\\n`` + a learned run of ``\\u3000`` in SentencePiece, where
    ``transformers`` matches added tokens first, so it is not one."""
    max_piece_length: int = Field(16, ge=1, le=64)
    """Characters per piece. Measured 8/16/24 on our release: within 1% of each other."""
    split_by_script: bool = True
    """Keep pieces within one script (kana and kanji count as one); off lets pieces
    span punctuation, which is more compact but crosses more word boundaries."""
    add_dummy_prefix: bool = False
    remove_extra_whitespaces: bool = False
    allow_whitespace_only_pieces: bool = True
    presegment: Literal["none", "A", "B", "C"] = "none"
    """Restrict candidate pieces to SudachiPy words of this split mode and their
    parts, so no piece crosses a dictionary-word boundary (``none``: off)."""
    num_threads: int = Field(0, ge=0)
    """SentencePiece threads; 0 means one per CPU."""

    @field_validator("user_symbols", mode="before")
    @classmethod
    def _symbols(cls, value: Any) -> tuple[str, ...]:
        return tuple(value or ())

    @model_validator(mode="after")
    def _room_for_digit_groups(self) -> TrainSettings:
        if self.numbers == "groups" and self.model_type != "unigram":
            raise ValueError(
                "numbers: groups needs model_type unigram (a BPE model merges by piece "
                "order, not by the path with the fewest pieces); use numbers: digits"
            )
        if self.numbers == "groups" and self.trained_vocab_size < 1000:
            raise ValueError(
                f"vocab_size {self.vocab_size} leaves fewer than 1,000 pieces beside the "
                f"{added_digit_pieces():,} digit groups (numbers: groups)"
            )
        return self

    @property
    def presegment_mode(self) -> SplitModeName | None:
        return None if self.presegment == "none" else self.presegment

    def spm_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``SentencePieceTrainer.train`` (input and prefix excluded)."""
        kwargs: dict[str, Any] = {
            "vocab_size": self.trained_vocab_size,
            "model_type": self.model_type,
            "normalization_rule_name": self.normalization,
            "character_coverage": self.character_coverage,
            "byte_fallback": self.byte_fallback,
            "split_digits": self.numbers != "learned",
            "max_sentencepiece_length": self.max_piece_length,
            "split_by_unicode_script": self.split_by_script,
            "add_dummy_prefix": self.add_dummy_prefix,
            "remove_extra_whitespaces": self.remove_extra_whitespaces,
            "allow_whitespace_only_pieces": self.allow_whitespace_only_pieces,
            "max_sentence_length": MAX_SENTENCE_BYTES,
            "shuffle_input_sentence": True,
            "hard_vocab_limit": self.presegment == "none",
            "required_chars": REQUIRED_CHARS,
            **SPECIAL_IDS,
        }
        symbols = self.user_defined_symbols()
        if symbols:
            kwargs["user_defined_symbols"] = list(symbols)
        return kwargs

    @property
    def trained_vocab_size(self) -> int:
        """Pieces SentencePiece learns: ``vocab_size`` less the digit groups added after.

        >>> TrainSettings().trained_vocab_size, TrainSettings(numbers="digits").trained_vocab_size
        (46900, 48000)
        """
        return self.vocab_size - (added_digit_pieces() if self.numbers == "groups" else 0)

    def user_defined_symbols(self) -> tuple[str, ...]:
        """Reserved symbols, then ``user_symbols`` (in that order of ids).

        >>> s = TrainSettings().user_defined_symbols()
        >>> s[:3], "<PERSON>" in s, s[-1], len(s)
        (('<|im_start|>', '<|im_end|>', '<EMAIL>'), True, '\\n', 13)
        """
        symbols = reserved_symbols() if self.reserve_symbols else ()
        return tuple(dict.fromkeys(symbols + self.user_symbols))


PRESETS: dict[str, TrainSettings] = {
    "japanese": TrainSettings(),
    "spm-default": TrainSettings(
        normalization="nmt_nfkc",
        byte_fallback=False,
        numbers="learned",
        reserve_symbols=False,
        user_symbols=(),
        add_dummy_prefix=True,
        remove_extra_whitespaces=True,
        allow_whitespace_only_pieces=False,
    ),
}


def preset(name: str, **overrides: Any) -> TrainSettings:
    """A preset with some values replaced (``None`` values are ignored).

    >>> preset("japanese", vocab_size=32000).vocab_size
    32000
    >>> preset("spm-default").normalization
    'nmt_nfkc'
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    given = {k: v for k, v in overrides.items() if v is not None}
    return TrainSettings(**{**PRESETS[name].model_dump(), **given})


class SampleSpec(BaseModel):
    """How the bounded training sample is drawn from a release."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_chars: int = Field(20_000_000, ge=1_000)
    """Upper bound on the sample's characters (lines are drawn at the rate that fills it)."""
    holdout: float = Field(0.02, ge=0.0, lt=1.0)
    """Share of documents (by a hash of their id) never sampled; evaluated in the card."""
    holdout_max_chars: int = Field(2_000_000, ge=0)
    """Cap on the held-out text kept for the card's evaluation."""
    seed: int = 0
    """Changes which lines and held-out documents are drawn."""
