"""The NG-word rule: text dense with adult / spam vocabulary.

The word list ``data/ng_words_ja.txt`` is HojiChar's ``adult_keywords_ja.txt``
(Apache-2.0, see ``data/LICENSE-ng_words_ja.md``). HojiChar drops a document on the first
match; in literature many of these words are ordinary (女中, 自殺, 乞食 …), so we drop
only when matches make up a share of the characters.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import ClassVar

from corpus.quality.base import Bounds, Rule
from corpus.quality.profile import TextProfile
from corpus.text.wordlist import WordMatcher

NG_WORDS_PATH = Path(__file__).resolve().parent / "data" / "ng_words_ja.txt"


@cache
def _matcher(path: str) -> WordMatcher:
    return WordMatcher(Path(path).read_text("utf-8").split("\n"))


class NgWordRatio(Rule):
    """Drop text in which NG-word matches cover more than ``max_ratio`` of the characters.

    Default 0.05: ours — on Aozora, laws and Wikipedia the highest measured share is
    0.04 (one word in a 50-character note); adult spam pages run far above.

    >>> NgWordRatio(0.05).check("その家には女中が一人いて、朝早くから台所で働いていた。主人は書斎で本を読んでいた。")
    Keep()
    >>> NgWordRatio(0.05).check("アダルト動画 無修正 人妻 熟女 セフレ 出会い系 エロ動画 無料")
    Drop('ng_word_ratio>0.05')
    """

    name: ClassVar[str] = "ng_word_ratio"

    def __init__(
        self, max_ratio: float | None = 0.05, words_path: str | Path | None = None
    ) -> None:
        self.max_ratio = max_ratio
        self.words_path = str(words_path or NG_WORDS_PATH)

    def measure(self, profile: TextProfile) -> dict[str, float]:
        n = profile.char_count
        if not n:
            return {"ng_word_ratio": 0.0}
        return {"ng_word_ratio": _matcher(self.words_path).matched_chars(profile.text) / n}

    def bounds(self) -> Bounds:
        return {"ng_word_ratio": (None, self.max_ratio)}
