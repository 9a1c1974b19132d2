"""Japanese quality filtering: boilerplate lines out, then named rules, every drop explained.

Each rule of :mod:`corpus.quality` has its bounds here as parameters; ``null`` turns a
bound off. Defaults start from published thresholds — the Swallow corpus code (Okazaki
et al. 2024), Gopher (Rae et al. 2021), FineWeb-2's ``jpn_Jpan`` config, HojiChar —
and were relaxed only where curated Japanese (Aozora literature incl. 旧字旧仮名, e-Gov
laws, Wikipedia) measured outside them; each parameter says which and why. Measurements
are in ``bench/RESULTS.md`` and reproduced by ``bench/langid_quality.py``.

The stage writes ``quality_signals`` (signal name → float) and, with
``remove_boilerplate``, keeps the text without its boilerplate lines.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, model_validator

from corpus.document import Document
from corpus.quality import (
    AverageSentenceLength,
    BulletLineFraction,
    DuplicateLines,
    DuplicateNgramFraction,
    DuplicateParagraphs,
    EllipsisFraction,
    HiraganaRatio,
    JapaneseRatio,
    KatakanaRatio,
    LinePunctuation,
    MaxClauseLength,
    MinLength,
    MojibakeRatio,
    NgWordRatio,
    Rule,
    SymbolRatio,
    TextProfile,
    TopNgramFraction,
    UrlRatio,
)
from corpus.stages.base import Decision, DocumentStage, Drop, Keep, StageParams, register_stage
from corpus.text.boilerplate import remove_boilerplate

Limit = Annotated[float, Field(ge=0.0, le=1.0)] | None
"""A share of characters, lines or words: between 0 and 1, or ``null`` (off)."""
Count = Annotated[int, Field(ge=0)] | None
"""A number of characters: 0 or more, or ``null`` (off)."""
Length = Annotated[float, Field(ge=0.0)] | None
"""An average length in characters: 0 or more, or ``null`` (off)."""
NgramShares = dict[Annotated[int, Field(ge=1, le=64)], Annotated[float, Field(ge=0.0, le=1.0)]]
"""n-gram size (1–64) → a share between 0 and 1."""


class QualityParams(StageParams):
    """Bounds of the quality rules. ``null`` turns one off."""

    remove_boilerplate: bool = True
    """Remove menu, paging, share-button, meta and copyright lines before scoring and keep
    the text without them (``corpus.text.boilerplate``)."""
    min_chars: Count = 200
    """HojiChar ``DocumentLengthFilter`` (200). Swallow's 400 drops short poems: 10 % of
    the Aozora works are under 400 characters."""
    min_hiragana_ratio: Limit = 0.2
    """Swallow (0.2). Katakana prose (旧法令 style) counts its katakana instead."""
    max_katakana_ratio: Limit = 0.5
    """Swallow (0.5). Not applied to katakana prose."""
    min_japanese_ratio: Limit = 0.5
    """Swallow (0.5)."""
    min_avg_sentence_length: Length = 10
    """Swallow uses 20; poems and short verse (one line, one "sentence") average 8–15,
    so 10 keeps Aozora poetry while menus and tag lists (3–8) still fall."""
    max_avg_sentence_length: Length = 1000
    """Swallow uses 90; 樋口一葉 and other 旧仮名 prose write whole paragraphs as one
    sentence joined by 、 and average up to 850 characters per sentence. 1000 only
    catches text with hardly any sentence punctuation; :class:`MaxClauseLength` is the
    limit that bites in every genre."""
    max_clause_length: Count = 250
    """Swallow limits sentences to 200 characters; applied to clauses (split also at 、，)
    and raised to 250 because law provisions run 200+ characters without a comma."""
    max_duplicate_line_fraction: Limit = 0.30
    """Gopher and Swallow (0.30). FineWeb-2 jpn: 0.375."""
    max_duplicate_line_char_fraction: Limit = 0.20
    """Gopher and Swallow (0.20)."""
    max_duplicate_paragraph_fraction: Limit = 0.30
    """Gopher (0.30)."""
    max_duplicate_paragraph_char_fraction: Limit = 0.20
    """Gopher (0.20)."""
    max_top_ngram_fraction: NgramShares = Field(default_factory=lambda: {2: 0.20, 3: 0.18, 4: 0.16})
    """Swallow ({2: 0.20, 3: 0.18, 4: 0.16}); the most frequent character n-gram's share."""
    max_duplicate_ngram_fraction: NgramShares = Field(
        default_factory=lambda: {5: 0.50, 6: 0.48, 7: 0.46, 8: 0.44, 9: 0.42, 10: 0.40}
    )
    """Swallow uses 0.15 (5-grams) down to 0.10 (10-grams) on web pages; statutes repeat
    their formulas (「…の規定により…」) so that the median e-Gov law page is at 0.27
    (5-grams) and 0.13 (10-grams). Raised to 0.50…0.40, above the 98th percentile of
    laws; repeated-line and spam pages run at 0.8–1.0."""
    max_ellipsis_fraction: Limit = 0.2
    """Swallow (0.2): sentences ending with … or ・・."""
    max_bullet_line_fraction: Limit = 0.9
    """Gopher (0.9)."""
    min_line_punctuation_fraction: Limit = None
    """Off. FineWeb-2's Japanese config uses 0.167 (lines ending with 。！？」… over all
    lines); verse has none, and 6 % of the Aozora works would fall. Set it for web crawls."""
    max_symbol_ratio: Limit = 0.1
    """Gopher's symbol-to-word limit (0.1), counted per character."""
    max_url_ratio: Limit = 0.2
    """Ours: clean documents measured below 0.05."""
    max_mojibake_ratio: Limit = 0.02
    """Ours: clean documents measured at 0."""
    max_ng_word_ratio: Limit = 0.05
    """Ours: HojiChar drops on any NG word, which on Aozora would drop ordinary words
    (女中, 自殺 …); the highest share measured on clean text is 0.04."""
    ng_words_path: str | None = None
    """Another NG-word list (one word per line); default the bundled HojiChar list."""

    @model_validator(mode="after")
    def _bounds_in_order(self) -> QualityParams:
        low, high = self.min_avg_sentence_length, self.max_avg_sentence_length
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_avg_sentence_length ({low}) exceeds max_avg_sentence_length")
        return self

    def rules(self) -> list[Rule]:
        """The rules in the order they run: cheap character counts first, n-grams last."""
        rules: list[Rule] = [
            MinLength(self.min_chars),
            JapaneseRatio(self.min_japanese_ratio),
            MojibakeRatio(self.max_mojibake_ratio),
            HiraganaRatio(self.min_hiragana_ratio),
            KatakanaRatio(self.max_katakana_ratio),
            SymbolRatio(self.max_symbol_ratio),
            UrlRatio(self.max_url_ratio),
            AverageSentenceLength(self.min_avg_sentence_length, self.max_avg_sentence_length),
            MaxClauseLength(self.max_clause_length),
            EllipsisFraction(self.max_ellipsis_fraction),
            BulletLineFraction(self.max_bullet_line_fraction),
            LinePunctuation(self.min_line_punctuation_fraction),
            DuplicateLines(self.max_duplicate_line_fraction, self.max_duplicate_line_char_fraction),
            DuplicateParagraphs(
                self.max_duplicate_paragraph_fraction, self.max_duplicate_paragraph_char_fraction
            ),
            TopNgramFraction(self.max_top_ngram_fraction),
            DuplicateNgramFraction(self.max_duplicate_ngram_fraction),
            NgWordRatio(self.max_ng_word_ratio, self.ng_words_path),
        ]
        return rules


class QualityJudge:
    """Runs the rules on one text: ``(signals, reason or None)``; stops at the first drop.

    >>> judge = QualityJudge(QualityParams(min_chars=10).rules())
    >>> judge.judge("吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。")[1] is None
    True
    >>> judge.judge("ホーム\\n会社概要\\n採用情報\\nお問い合わせ\\nサイトマップ")[1]
    'hiragana_ratio<0.2'
    """

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules

    def judge(self, text: str) -> tuple[dict[str, float], str | None]:
        profile = TextProfile(text)
        signals: dict[str, float] = {}
        for rule in self.rules:
            measured = rule.measure(profile)
            signals.update(measured)
            reason = rule.reason(measured)
            if reason:
                return signals, reason
        return signals, None


@register_stage
class Quality(DocumentStage):
    """Score Japanese text with the quality rules; drop with the first failing rule's reason.

    >>> from corpus.document import make_document
    >>> stage = Quality(min_chars=10); stage.setup()
    >>> doc = make_document(text="ホーム\\n吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。",
    ...                     source="t", source_id="1")
    >>> stage.process(doc), doc.text
    (Keep(), '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。')
    >>> stage.process(make_document(text="格安 ホテル 予約 " * 30, source="t", source_id="2"))
    Drop('hiragana_ratio<0.2')
    """

    stage_name: ClassVar[str] = "quality"
    Params = QualityParams

    def setup(self) -> None:
        self.judge = QualityJudge(self.params.rules())

    def process(self, doc: Document) -> Decision:
        if not self._ready:
            self.setup()
            self._ready = True
        text = doc.text
        removed = 0
        if self.params.remove_boilerplate:
            text, removed = remove_boilerplate(text)
        signals, reason = self.judge.judge(text)
        signals["boilerplate_lines"] = float(removed)
        doc.metadata["quality_signals"] = {k: round(v, 6) for k, v in signals.items()}
        if reason:
            return Drop(reason)
        if removed:
            doc.text = text.strip()
        return Keep()
