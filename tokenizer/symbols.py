"""Pieces that are always one token each: control symbols, PII placeholders, digit groups.

- Control symbols mark the turns of a conversation (the chat template in
  :mod:`tokenizer.hf_export` writes them); they are ordinary user-defined symbols,
  matched in text wherever they occur, by SentencePiece and ``transformers`` alike.
- PII placeholders are what the PII stage writes in place of a span (``<EMAIL>``,
  ``<PHONE>``, ``<PERSON>`` …); their one home is :class:`corpus.pii.entities.PiiType`.
- Digit groups: every string of one to three ASCII digits. A run of digits is read
  in groups of three **from the right**, as people group thousands, so a digit
  keeps its place value in its token: ``1234567`` → ``1|234|567``, ``1,234`` →
  ``1|,|234``, ``2024`` → ``2|024``. They are ordinary pieces added after training
  (:mod:`tokenizer.model_edit` says why both SentencePiece and the Hugging Face
  export cut runs this way); :func:`split_digit_groups` is the reference.
"""

from __future__ import annotations

import re
from itertools import product

from corpus.pii.entities import PiiType

CHAT_TURN_START = "<|im_start|>"
CHAT_TURN_END = "<|im_end|>"
CONTROL_SYMBOLS: tuple[str, ...] = (CHAT_TURN_START, CHAT_TURN_END)
"""Turn markers of the chat template (``<|im_start|>role\\n…<|im_end|>``)."""

PLACEHOLDER_SYMBOLS: tuple[str, ...] = tuple(t.placeholder for t in PiiType)
"""The PII stage's placeholders, in :class:`~corpus.pii.entities.PiiType` order."""

DIGIT_GROUP_MAX = 3
DIGIT_GROUP_PATTERN = r"[0-9]{1,3}(?=(?:[0-9]{3})*(?![0-9]))"
"""A group of one to three ASCII digits followed by whole groups of three up to the
end of the digit run: matched left to right, it cuts runs into groups from the right."""

_DIGIT_GROUP = re.compile(DIGIT_GROUP_PATTERN)


def digit_groups(max_len: int = DIGIT_GROUP_MAX) -> tuple[str, ...]:
    """Every string of 1 to ``max_len`` ASCII digits (1,110 for three), shortest first.

    >>> groups = digit_groups()
    >>> len(groups), groups[:3], groups[-1]
    (1110, ('0', '1', '2'), '999')
    """
    return tuple(
        "".join(digits) for n in range(1, max_len + 1) for digits in product("0123456789", repeat=n)
    )


def is_digit_group(piece: str) -> bool:
    """Whether ``piece`` is one of :func:`digit_groups`.

    >>> is_digit_group("024"), is_digit_group("1234"), is_digit_group("２")
    (True, False, False)
    """
    return 0 < len(piece) <= DIGIT_GROUP_MAX and all("0" <= c <= "9" for c in piece)


def split_digit_groups(text: str) -> list[str]:
    """The digit groups of ``text`` in order (the reference for both tokenizers).

    Full-width digits (２０２４) are not ASCII digits and are left to the model.

    >>> split_digit_groups("人口は1234567人、2024年")
    ['1', '234', '567', '2', '024']
    >>> split_digit_groups("1,001,450")
    ['1', '001', '450']
    """
    return _DIGIT_GROUP.findall(text)


def reserved_symbols() -> tuple[str, ...]:
    """Control symbols, then PII placeholders: the user-defined symbols every preset
    that reserves them starts with (their ids are the same in every such model)."""
    return CONTROL_SYMBOLS + PLACEHOLDER_SYMBOLS
