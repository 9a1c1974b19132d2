"""Character classes of Japanese text, counted fast.

Every code point maps to one :class:`CharClass`; :func:`char_class_counts` counts a
whole text at once with a lookup table over NumPy (a few milliseconds per megabyte),
so the quality rules never loop over characters in Python.

The ranges follow the Swallow corpus quality code (Okazaki et al. 2024, MIT):
hiragana U+3041–3096, katakana U+30A1–30FA, kanji 々〇〻 U+3400–9FFF U+F900–FAFF and
the supplementary ideographs; its "Japanese letters" are those plus 、，。．！？.
We add what Japanese literature and laws need: the iteration marks ゝゞヽヾ and the
long vowel mark ー count as kana, 〆 as kanji, half-width katakana as katakana.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from functools import cache

import numpy as np


class CharClass(IntEnum):
    OTHER = 0  # letters of other scripts (Cyrillic, Thai, …) and anything unlisted
    HIRAGANA = 1
    KATAKANA = 2
    KANJI = 3
    JA_PUNCT = 4  # 、，。．！？ — the sentence punctuation counted as Japanese by Swallow
    PUNCT = 5  # other punctuation and brackets: 「」（）・…, ASCII .,;:!?'"()
    SYMBOL = 6  # ★■→※＃＠$%&*+=|<>~^ and other Unicode symbols
    LATIN = 7  # A–Z a–z, full-width Ａ–Ｚ, accented Latin letters
    DIGIT = 8  # 0–9, full-width ０–９, other decimal digits
    SPACE = 9  # whitespace including the ideographic space U+3000
    HANGUL = 10
    HALFWIDTH_KATAKANA = 11  # ｱ–ﾝ: rare in clean text, common in mojibake
    BROKEN = 12  # U+FFFD, C0/C1 controls other than whitespace, private use, unassigned


#: 、，。．！？ in full width: the Swallow "kuten/toten" counted as Japanese letters.
JA_SENTENCE_PUNCT = "、，。．！？"

_N_CLASSES = len(CharClass)


def _classify(cp: int) -> CharClass:
    ch = chr(cp)
    if 0x3041 <= cp <= 0x3096 or cp in (0x309D, 0x309E):
        return CharClass.HIRAGANA
    if 0x30A1 <= cp <= 0x30FA or cp in (0x30FC, 0x30FD, 0x30FE) or 0x31F0 <= cp <= 0x31FF:
        return CharClass.KATAKANA
    if 0xFF66 <= cp <= 0xFF9F:
        return CharClass.HALFWIDTH_KATAKANA
    if (
        0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or cp in (0x3005, 0x3006, 0x3007, 0x303B)
    ):
        return CharClass.KANJI
    if ch in JA_SENTENCE_PUNCT:
        return CharClass.JA_PUNCT
    if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return CharClass.HANGUL
    if ch.isspace():
        return CharClass.SPACE
    if cp == 0xFFFD:
        return CharClass.BROKEN
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cs", "Co", "Cn"):
        return CharClass.BROKEN
    if cat == "Nd" or ("0" <= ch <= "9"):
        return CharClass.DIGIT
    if cat.startswith("L"):
        name = unicodedata.name(ch, "")
        return CharClass.LATIN if "LATIN" in name else CharClass.OTHER
    if cat.startswith("P"):
        return CharClass.PUNCT
    if cat.startswith("S") or cat.startswith("N"):
        return CharClass.SYMBOL
    return CharClass.OTHER


@cache
def _table() -> np.ndarray:
    """Class of every BMP code point (built once per process, ~0.1 s)."""
    return np.fromiter((_classify(cp) for cp in range(0x10000)), dtype=np.uint8, count=0x10000)


def char_class(ch: str) -> CharClass:
    """The class of one character.

    >>> char_class("ゞ"), char_class("ヲ"), char_class("々"), char_class("。")
    (<CharClass.HIRAGANA: 1>, <CharClass.KATAKANA: 2>, <CharClass.KANJI: 3>, <CharClass.JA_PUNCT: 4>)
    >>> char_class("\U00020b9f")  # 𠮟, outside the BMP
    <CharClass.KANJI: 3>
    """
    return CharClass(int(code_point_classes(ch)[0]))


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as a uint32 array (one C-level encode)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def code_point_classes(text: str | np.ndarray) -> np.ndarray:
    """:class:`CharClass` of every character, as a uint8 array."""
    cps = code_points(text) if isinstance(text, str) else text
    classes = _table()[np.minimum(cps, 0xFFFF)]
    astral = cps > 0xFFFF
    if astral.any():
        ideograph = (cps >= 0x20000) & (cps <= 0x3FFFF)
        classes = np.where(
            astral, np.where(ideograph, CharClass.KANJI, CharClass.OTHER), classes
        ).astype(np.uint8)
    return classes


@dataclass(frozen=True)
class CharClassCounts:
    """How many characters of each class a text holds."""

    counts: tuple[int, ...]

    def __getitem__(self, cls: CharClass) -> int:
        return self.counts[cls]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def japanese(self) -> int:
        """Swallow's "Japanese letters": hiragana, katakana, kanji and 、，。．！？."""
        c = self.counts
        return (
            c[CharClass.HIRAGANA]
            + c[CharClass.KATAKANA]
            + c[CharClass.HALFWIDTH_KATAKANA]
            + c[CharClass.KANJI]
            + c[CharClass.JA_PUNCT]
        )

    @property
    def kana(self) -> int:
        c = self.counts
        return c[CharClass.HIRAGANA] + c[CharClass.KATAKANA] + c[CharClass.HALFWIDTH_KATAKANA]


def char_class_counts(text: str | np.ndarray) -> CharClassCounts:
    """Count the characters of ``text`` by class.

    >>> c = char_class_counts("吾輩は猫である。名前はまだ無い。")
    >>> c[CharClass.HIRAGANA], c[CharClass.KANJI], c[CharClass.JA_PUNCT], c.japanese
    (8, 6, 2, 16)
    >>> c = char_class_counts("第一条　私権ノ享有ハ出生ニ始マル")
    >>> c[CharClass.KATAKANA], c[CharClass.HIRAGANA], c[CharClass.SPACE]
    (5, 0, 1)
    """
    classes = text if isinstance(text, np.ndarray) and text.dtype == np.uint8 else None
    if classes is None:
        classes = code_point_classes(text)
    return CharClassCounts(tuple(int(n) for n in np.bincount(classes, minlength=_N_CLASSES)))


def has_kana(text: str) -> bool:
    """Whether ``text`` holds any hiragana or (full-width) katakana: Japanese prose always does.

    Half-width katakana alone is not Japanese text but what Cyrillic or Latin bytes read
    as Shift_JIS turn into (KOI8-R ``мир`` read as Shift_JIS is ``ﾍﾉﾒ``).

    >>> has_kana("吾輩は猫である"), has_kana("中华人民共和国"), has_kana("第一条")
    (True, False, False)
    >>> has_kana("мир".encode("koi8_r").decode("cp932")), has_kana("ｿﾆｰのﾍｯﾄﾞﾎﾝ")
    (False, True)
    """
    c = char_class_counts(text)
    return c[CharClass.HIRAGANA] + c[CharClass.KATAKANA] > 0
