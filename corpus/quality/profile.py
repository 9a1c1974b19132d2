"""What the quality rules measure, computed once per document and shared by all rules."""

from __future__ import annotations

import re
from functools import cached_property

import numpy as np

from corpus.text.chars import (
    CharClass,
    CharClassCounts,
    char_class_counts,
    code_point_classes,
    code_points,
)
from corpus.text.ngrams import duplicate_fraction, ngram_counts, ngram_hashes
from corpus.text.sentences import (
    lines,
    max_clause_length,
    paragraphs,
    sentence_ends,
    split_sentences,
)

#: Lines and paragraphs shorter than this are left out of the duplicate fractions:
#: section numbers (一, ２), separators (＊　＊　＊) and one-word headings repeat in
#: every long work of literature and law (Gopher and Swallow count every line).
MIN_REPEAT_CHARS = 6

_KATAKANA_RUN = re.compile(r"[ァ-ヺー]+")
_KANJI = re.compile(r"[々〆〇〻\u3400-\u9FFF\uF900-\uFAFF]")


def is_katakana_prose(text: str, counts: CharClassCounts | None = None) -> bool:
    """Whether katakana, not hiragana, carries the grammar (旧法令 style, 漢文訓読体).

    In such text katakana comes in short runs right after kanji — particles and
    inflections (私権ノ享有ハ出生ニ始マル) — while loanwords are longer runs; and the
    particle ヲ, which no loanword uses, is frequent (children's stories written all in
    katakana: ムラノ　コドモタチガ　ウグヒスブエヲ　フキマシタ).

    >>> is_katakana_prose("第一条　私権ノ享有ハ出生ニ始マル")
    True
    >>> is_katakana_prose("ホテル予約サイトランキング　格安ホテル　ビジネスホテル")
    False
    >>> is_katakana_prose("吾輩は猫である。名前はまだ無い。")
    False
    >>> is_katakana_prose("ムラノ　コドモタチガ　ウグヒスブエヲ　フキマシタ。ミンナデ　フエヲ　フキマシタ。")
    True
    """
    counts = counts or char_class_counts(text)
    katakana = counts[CharClass.KATAKANA]
    if katakana <= counts[CharClass.HIRAGANA]:
        return False
    if text.count("ヲ") >= 0.005 * katakana:
        return True
    runs = after_kanji = 0
    for m in _KATAKANA_RUN.finditer(text):
        runs += 1
        start = m.start()
        if len(m.group()) <= 3 and start and _KANJI.match(text, start - 1):
            after_kanji += 1
    return runs > 0 and after_kanji >= 0.5 * runs


class TextProfile:
    """Lazily computed measurements of one text; each is computed at most once.

    >>> p = TextProfile("吾輩は猫である。名前はまだ無い。")
    >>> p.char_count, round(p.hiragana_ratio, 3), p.sentences
    (16, 0.5, ['吾輩は猫である。', '名前はまだ無い。'])
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def code_points(self) -> np.ndarray:
        return code_points(self.text)

    @cached_property
    def classes(self) -> np.ndarray:
        return code_point_classes(self.code_points)

    @cached_property
    def counts(self) -> CharClassCounts:
        return char_class_counts(self.classes)

    @cached_property
    def char_count(self) -> int:
        """Characters other than whitespace."""
        return self.counts.total - self.counts[CharClass.SPACE]

    @cached_property
    def katakana_prose(self) -> bool:
        return is_katakana_prose(self.text, self.counts)

    @cached_property
    def hiragana_ratio(self) -> float:
        """Hiragana share of the Japanese letters (katakana's share in katakana prose)."""
        c = self.counts
        kana = c.kana - c[CharClass.HIRAGANA] if self.katakana_prose else c[CharClass.HIRAGANA]
        return kana / c.japanese if c.japanese else 0.0

    @cached_property
    def katakana_ratio(self) -> float:
        """Katakana share of the Japanese letters (0 in katakana prose, where it is the grammar)."""
        c = self.counts
        if self.katakana_prose:
            return 0.0
        return (
            (c[CharClass.KATAKANA] + c[CharClass.HALFWIDTH_KATAKANA]) / c.japanese
            if c.japanese
            else 0.0
        )

    @cached_property
    def japanese_ratio(self) -> float:
        """Japanese letters (kana, kanji, 、，。．！？) over all characters."""
        total = self.counts.total
        return self.counts.japanese / total if total else 0.0

    @cached_property
    def lines(self) -> list[str]:
        return lines(self.text)

    @cached_property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.text)

    @cached_property
    def sentences(self) -> list[str]:
        return split_sentences(self.text)

    @cached_property
    def sentence_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Lengths and last-character indexes of the sentences (vectorized)."""
        return sentence_ends(self.code_points)

    @cached_property
    def max_clause_length(self) -> int:
        return max_clause_length(self.code_points)

    @cached_property
    def duplicate_lines(self) -> tuple[float, float]:
        """Duplicate line fractions over lines of at least :data:`MIN_REPEAT_CHARS`."""
        return duplicate_fraction([x for x in self.lines if len(x) >= MIN_REPEAT_CHARS])

    @cached_property
    def duplicate_paragraphs(self) -> tuple[float, float]:
        """Duplicate paragraph fractions over paragraphs of at least :data:`MIN_REPEAT_CHARS`."""
        return duplicate_fraction([x for x in self.paragraphs if len(x) >= MIN_REPEAT_CHARS])

    def ngram_counts(self, n: int) -> np.ndarray:
        """Occurrence counts of the distinct character n-grams (hashes built once, up to 10)."""
        cache = self.__dict__.setdefault("_ngram_counts", {})
        if n not in cache:
            chain = self.__dict__.setdefault("_ngram_hashes", {})
            if n not in chain:
                chain.update(ngram_hashes(self.code_points, range(1, max(n, 10) + 1)))
            cache[n] = ngram_counts(chain.get(n, np.empty(0, np.uint64)))
        return cache[n]
