"""Rules on repeated content: duplicate lines and paragraphs, frequent and duplicated n-grams."""

from __future__ import annotations

from typing import ClassVar

from corpus.quality.base import Bounds, Rule
from corpus.quality.profile import TextProfile
from corpus.text.ngrams import duplicate_share, top_fraction


class DuplicateLines(Rule):
    """Drop text in which lines repeat earlier lines too often (by count and by characters).

    Defaults 0.30 and 0.20: Gopher (Rae et al. 2021) and Swallow, which call these
    duplicate line ("paragraph" in Swallow) fractions.

    >>> DuplicateLines().check("吾輩は猫である。\\n名前はまだ無い。\\nどこで生れたかとんと見当がつかぬ。")
    Keep()
    >>> DuplicateLines().check("\\n".join(["今すぐ無料で登録！"] * 5 + ["詳しくはこちら"]))
    Drop('duplicate_line_fraction>0.3')
    """

    name: ClassVar[str] = "duplicate_lines"

    def __init__(
        self, max_fraction: float | None = 0.30, max_char_fraction: float | None = 0.20
    ) -> None:
        self.max_fraction, self.max_char_fraction = max_fraction, max_char_fraction

    def measure(self, profile: TextProfile) -> dict[str, float]:
        n, chars = profile.duplicate_lines
        return {"duplicate_line_fraction": n, "duplicate_line_char_fraction": chars}

    def bounds(self) -> Bounds:
        return {
            "duplicate_line_fraction": (None, self.max_fraction),
            "duplicate_line_char_fraction": (None, self.max_char_fraction),
        }


class DuplicateParagraphs(Rule):
    """Drop text in which paragraphs (blocks between blank lines) repeat too often.

    Defaults 0.30 by count and 0.20 by characters: Gopher.

    >>> DuplicateParagraphs().check("一つ目の段落。\\n\\n二つ目の段落。")
    Keep()
    >>> DuplicateParagraphs().check("\\n\\n".join(["同じ段落です。\\n二行目。"] * 4))
    Drop('duplicate_paragraph_fraction>0.3')
    """

    name: ClassVar[str] = "duplicate_paragraphs"

    def __init__(
        self, max_fraction: float | None = 0.30, max_char_fraction: float | None = 0.20
    ) -> None:
        self.max_fraction, self.max_char_fraction = max_fraction, max_char_fraction

    def measure(self, profile: TextProfile) -> dict[str, float]:
        n, chars = profile.duplicate_paragraphs
        return {"duplicate_paragraph_fraction": n, "duplicate_paragraph_char_fraction": chars}

    def bounds(self) -> Bounds:
        return {
            "duplicate_paragraph_fraction": (None, self.max_fraction),
            "duplicate_paragraph_char_fraction": (None, self.max_char_fraction),
        }


class TopNgramFraction(Rule):
    """Drop text whose most frequent character n-gram is too large a share of all n-grams.

    ``limits`` maps n to the maximum share. Swallow: {2: 0.20, 3: 0.18, 4: 0.16}.

    >>> TopNgramFraction({2: 0.2}).check("吾輩は猫である。名前はまだ無い。")
    Keep()
    >>> TopNgramFraction({2: 0.2}).check("激安激安激安激安激安激安激安")
    Drop('top_2gram_fraction>0.2')
    """

    name: ClassVar[str] = "top_ngram"

    def __init__(self, limits: dict[int, float] | None = None) -> None:
        self.limits = dict(
            sorted((limits if limits is not None else {2: 0.20, 3: 0.18, 4: 0.16}).items())
        )

    def measure(self, profile: TextProfile) -> dict[str, float]:
        return {f"top_{n}gram_fraction": top_fraction(profile.ngram_counts(n)) for n in self.limits}

    def bounds(self) -> Bounds:
        return {f"top_{n}gram_fraction": (None, v) for n, v in self.limits.items()}


class DuplicateNgramFraction(Rule):
    """Drop text in which too many distinct character n-grams occur more than once.

    ``limits`` maps n to the maximum share. Swallow: 5→0.15, 6→0.14, …, 10→0.10.

    >>> DuplicateNgramFraction({5: 0.15}).check("吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。")
    Keep()
    >>> DuplicateNgramFraction({5: 0.15}).check("格安ホテル予約なら格安ホテル予約ナビ、格安ホテル予約の比較")
    Drop('duplicate_5gram_fraction>0.15')
    """

    name: ClassVar[str] = "duplicate_ngram"

    def __init__(self, limits: dict[int, float] | None = None) -> None:
        default = {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10}
        self.limits = dict(sorted((limits if limits is not None else default).items()))

    def measure(self, profile: TextProfile) -> dict[str, float]:
        return {
            f"duplicate_{n}gram_fraction": duplicate_share(profile.ngram_counts(n))
            for n in self.limits
        }

    def bounds(self) -> Bounds:
        return {f"duplicate_{n}gram_fraction": (None, v) for n, v in self.limits.items()}
