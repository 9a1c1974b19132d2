"""Rules on how lines and sentences are laid out: trailing ellipses, bullet lists."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from corpus.quality.base import Bounds, Rule
from corpus.quality.profile import TextProfile

#: A sentence ends with an ellipsis when its last character is … or ‥, or ・ or . doubled.
_SINGLE_ELLIPSIS = np.array([ord("…"), ord("‥")], dtype=np.uint32)
_DOUBLED_ELLIPSIS = np.array([ord("・"), ord(".")], dtype=np.uint32)
BULLETS = tuple("・●○◎■□◆◇▪▫►▶▷★☆※-*•＊－")


class EllipsisFraction(Rule):
    """Drop text in which too many sentences end with an ellipsis (truncated snippets).

    Default 0.2: Swallow (sentences ending with … or ・). Gopher uses 0.3 on lines.

    >>> EllipsisFraction(0.2).check("吾輩は猫である。名前はまだ無い。")
    Keep()
    >>> EllipsisFraction(0.2).check("東京の格安ホテルを比較して…\\n人気のランキングはこちらから…\\n口コミで評判の…")
    Drop('ellipsis_fraction>0.2')
    """

    name: ClassVar[str] = "ellipsis_fraction"

    def __init__(self, max_fraction: float | None = 0.2) -> None:
        self.max_fraction = max_fraction

    def measure(self, profile: TextProfile) -> dict[str, float]:
        lengths, last = profile.sentence_ends
        if not len(last):
            return {"ellipsis_fraction": 0.0}
        cps = profile.code_points
        end = cps[last]
        before = cps[np.maximum(last - 1, 0)]
        single = np.isin(end, _SINGLE_ELLIPSIS)
        double = np.isin(end, _DOUBLED_ELLIPSIS) & (before == end)
        return {"ellipsis_fraction": float(np.count_nonzero(single | double) / len(last))}

    def bounds(self) -> Bounds:
        return {"ellipsis_fraction": (None, self.max_fraction)}


class BulletLineFraction(Rule):
    """Drop text in which nearly every line starts with a bullet mark.

    Default 0.9: Gopher.

    >>> BulletLineFraction(0.9).check("・りんご\\n・みかん\\n・ぶどう")
    Drop('bullet_line_fraction>0.9')
    >>> BulletLineFraction(0.9).check("買うもの：\\n・りんご\\n・みかん\\n以上を買ってきてください。")
    Keep()
    """

    name: ClassVar[str] = "bullet_line_fraction"

    def __init__(self, max_fraction: float | None = 0.9) -> None:
        self.max_fraction = max_fraction

    def measure(self, profile: TextProfile) -> dict[str, float]:
        lines = profile.lines
        n = sum(1 for x in lines if x.startswith(BULLETS))
        return {"bullet_line_fraction": n / len(lines) if lines else 0.0}

    def bounds(self) -> Bounds:
        return {"bullet_line_fraction": (None, self.max_fraction)}


#: Characters that end a line of prose: sentence punctuation and the brackets closing it.
LINE_END_PUNCTUATION = tuple("。．！？!?」』）)…")


class LinePunctuation(Rule):
    """Drop text in which too few lines end with sentence punctuation (lists, tag clouds).

    FineWeb-2's Japanese config keeps documents with at least 0.167 of their lines so
    ended (``line_punct_thr``). Verse has no line-end punctuation, so the stage leaves
    this rule off by default.

    >>> LinePunctuation(0.167).check("吾輩は猫である。\\n名前はまだ無い。")
    Keep()
    >>> LinePunctuation(0.167).check("2024年1月5日　新商品のお知らせ\\n2024年1月9日　営業時間の変更\\n2024年2月1日　臨時休業")
    Drop('line_punctuation_fraction<0.167')
    """

    name: ClassVar[str] = "line_punctuation_fraction"

    def __init__(self, min_fraction: float | None = 0.167) -> None:
        self.min_fraction = min_fraction

    def measure(self, profile: TextProfile) -> dict[str, float]:
        lines = profile.lines
        n = sum(1 for x in lines if x.endswith(LINE_END_PUNCTUATION))
        return {"line_punctuation_fraction": n / len(lines) if lines else 0.0}

    def bounds(self) -> Bounds:
        return {"line_punctuation_fraction": (self.min_fraction, None)}
