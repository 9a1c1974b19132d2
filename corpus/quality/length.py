"""Rules on how long a text, its sentences and its clauses are."""

from __future__ import annotations

from typing import ClassVar

from corpus.quality.base import Bounds, Rule
from corpus.quality.profile import TextProfile


class MinLength(Rule):
    """Drop text shorter than ``min_chars`` characters (whitespace not counted).

    Default 200: HojiChar's ``DocumentLengthFilter``. Swallow uses 400 for web pages; on
    curated literature that drops short poems and essays (10 % of Aozora is under 400).

    >>> MinLength(10).check("吾輩は猫である。名前はまだ無い。")
    Keep()
    >>> MinLength(200).check("ホーム\\n会社概要")
    Drop('char_count<200')
    """

    name: ClassVar[str] = "char_count"

    def __init__(self, min_chars: int | None = 200) -> None:
        self.min_chars = min_chars

    def measure(self, profile: TextProfile) -> dict[str, float]:
        return {"char_count": float(profile.char_count)}

    def bounds(self) -> Bounds:
        return {"char_count": (self.min_chars, None)}


class AverageSentenceLength(Rule):
    """Drop text whose mean sentence length (characters, split at 。！？ and line ends) is out of range.

    Too short: menus, tag lists, tables. Too long: text without sentence punctuation.
    Swallow uses 20–90; see the stage's parameters for the defaults we measured.

    >>> AverageSentenceLength(10, 250).check("吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。")
    Keep()
    >>> AverageSentenceLength(10, 250).check("ホーム\\n会社概要\\n採用情報\\nお問い合わせ")
    Drop('avg_sentence_length<10')
    """

    name: ClassVar[str] = "avg_sentence_length"

    def __init__(self, min_chars: float | None = 20, max_chars: float | None = 90) -> None:
        self.min_chars, self.max_chars = min_chars, max_chars

    def measure(self, profile: TextProfile) -> dict[str, float]:
        lengths = profile.sentence_ends[0]
        return {"avg_sentence_length": float(lengths.mean()) if len(lengths) else 0.0}

    def bounds(self) -> Bounds:
        return {"avg_sentence_length": (self.min_chars, self.max_chars)}


class MaxClauseLength(Rule):
    """Drop text with a stretch longer than ``max_chars`` characters without 。！？、， or a line end.

    Swallow drops documents with a sentence over 200 characters. Classical prose
    (樋口一葉) and laws write whole paragraphs as one sentence joined by 、, so the
    limit is applied to clauses: a run-on without any punctuation is what it catches.

    >>> MaxClauseLength(200).check("廻れば大門の見返り柳いと長けれど、お齒ぐろ溝に燈火うつる三階の騷ぎも手に取る如く、")
    Keep()
    >>> MaxClauseLength(200).check(" ".join(["激安", "格安ホテル", "通販", "最安値"] * 20))
    Drop('max_clause_length>200')
    """

    name: ClassVar[str] = "max_clause_length"

    def __init__(self, max_chars: int | None = 200) -> None:
        self.max_chars = max_chars

    def measure(self, profile: TextProfile) -> dict[str, float]:
        return {"max_clause_length": float(profile.max_clause_length)}

    def bounds(self) -> Bounds:
        return {"max_clause_length": (None, self.max_chars)}
