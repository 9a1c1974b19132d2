"""Japanese quality rules: one small class per rule, each with its reason string.

Rules measure a :class:`~corpus.quality.profile.TextProfile` (computed once per text)
and return ``Keep()`` or ``Drop('<signal><<bound>')``. The ``quality`` stage
(:mod:`corpus.stages.quality`) builds them from its parameters.
"""

from corpus.quality.base import Rule
from corpus.quality.layout import BulletLineFraction, EllipsisFraction, LinePunctuation
from corpus.quality.length import AverageSentenceLength, MaxClauseLength, MinLength
from corpus.quality.ngwords import NgWordRatio
from corpus.quality.profile import TextProfile
from corpus.quality.repetition import (
    DuplicateLines,
    DuplicateNgramFraction,
    DuplicateParagraphs,
    TopNgramFraction,
)
from corpus.quality.script import (
    HiraganaRatio,
    JapaneseRatio,
    KatakanaRatio,
    MojibakeRatio,
    SymbolRatio,
    UrlRatio,
)

__all__ = [
    "AverageSentenceLength",
    "BulletLineFraction",
    "DuplicateLines",
    "DuplicateNgramFraction",
    "DuplicateParagraphs",
    "EllipsisFraction",
    "HiraganaRatio",
    "JapaneseRatio",
    "KatakanaRatio",
    "LinePunctuation",
    "MaxClauseLength",
    "MinLength",
    "MojibakeRatio",
    "NgWordRatio",
    "Rule",
    "SymbolRatio",
    "TextProfile",
    "TopNgramFraction",
    "UrlRatio",
]
