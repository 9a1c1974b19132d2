"""Presidio analyzers configured for Japanese, built without downloading anything.

Presidio's default ``AnalyzerEngine()`` loads (and downloads) an English spaCy model.
Here the NLP engine is built explicitly:

* :func:`pattern_analyzer` — a blank spaCy ``ja`` pipeline (SudachiPy from the installed
  ``sudachidict-core``, split mode A) gives tokens and lemmas to presidio's context
  enhancer; the Japanese pattern recognizers of :mod:`corpus.pii.recognizers` do the
  finding;
* :func:`ner_analyzer` — GiNZA (``ja_ginza``, loaded from its installed package) tags
  persons; its ``Person`` label maps to ``PERSON`` at a score (0.5) below every
  pattern score, so patterns win wherever the two overlap (GiNZA tags some e-mail
  addresses as persons).

The context enhancer looks at 6 tokens before and 2 after a match (Japanese puts
honorifics and labels on either side) and matches context words as substrings of
tokens, because Japanese compounds (電話番号, 口座番号) carry them inside.
"""

from __future__ import annotations

from collections.abc import Callable

import regex as re
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from corpus.pii.entities import PiiType
from corpus.pii.lexicon import NameLexicon
from corpus.pii.presidio import (
    AnalyzerEngine,
    LemmaContextAwareEnhancer,
    NerModelConfiguration,
    RecognizerRegistry,
    SpacyNlpEngine,
    SpacyRecognizer,
)
from corpus.pii.recognizers import LANGUAGE, pattern_recognizers

#: Results below this score are dropped (presidio's engine-wide threshold).
SCORE_THRESHOLD = 0.5
#: Score of a GiNZA person: at the threshold, under every pattern.
NER_SCORE = 0.5
#: GiNZA components the person tagger does not need (it listens to tok2vec only).
GINZA_UNUSED = ("parser", "morphologizer", "compound_splitter", "bunsetu_recognizer")


class JapaneseNlpEngine(SpacyNlpEngine):
    """A spaCy NLP engine for ``ja`` whose pipeline comes from a factory, never a download."""

    def __init__(
        self,
        make_pipeline: Callable[[], Language],
        ner_model_configuration: NerModelConfiguration | None = None,
    ) -> None:
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": "factory"}],
            ner_model_configuration=ner_model_configuration,
        )
        self._make_pipeline = make_pipeline

    def load(self) -> None:
        self.nlp = {LANGUAGE: self._make_pipeline()}


class SudachiLemmaTokenizer:
    """SudachiPy surfaces and dictionary forms as a spaCy ``Doc``, nothing else.

    spaCy's own Japanese tokenizer also builds readings, tags and inflections that the
    context enhancer never reads; this one is about three times faster.

    >>> doc = blank_japanese()("自宅に住んでいます")
    >>> [(t.text, t.lemma_) for t in doc]
    [('自宅', '自宅'), ('に', 'に'), ('住ん', '住む'), ('で', 'で'), ('い', 'いる'), ('ます', 'ます')]
    """

    def __init__(self, vocab: Vocab) -> None:
        from sudachipy import Dictionary, SplitMode

        self.vocab = vocab
        self._tokenizer = Dictionary().create(SplitMode.A)

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        lemmas: list[str] = []
        pos = 0
        for m in self._tokenizer.tokenize(text):
            begin, end = m.begin(), m.end()
            if begin > pos:  # never leave a gap: offsets must tile the text
                words.append(text[pos:begin])
                lemmas.append(text[pos:begin])
            if end > max(begin, pos):
                words.append(text[max(begin, pos) : end])
                lemmas.append(m.dictionary_form() or words[-1])
                pos = end
        if pos < len(text):
            words.append(text[pos:])
            lemmas.append(text[pos:])
        return Doc(self.vocab, words=words, spaces=[False] * len(words), lemmas=lemmas)


def blank_japanese() -> Language:
    """A blank spaCy ``ja`` pipeline (no model) with :class:`SudachiLemmaTokenizer`."""
    nlp = spacy.blank("ja")
    nlp.tokenizer = SudachiLemmaTokenizer(nlp.vocab)
    return nlp


def ginza_japanese() -> Language:
    """GiNZA's ``ja_ginza`` from its installed package, reduced to what NER needs."""
    import ja_ginza

    return ja_ginza.load(exclude=list(GINZA_UNUSED))


class JapaneseContextEnhancer(LemmaContextAwareEnhancer):
    """Presidio's lemma context enhancer, reading the words after the *end* of a match.

    Presidio counts the following words from the first token of the match; a Japanese
    address or grouped number spans many tokens, so its own tokens would use up the
    window and 「…二丁目三番四号に住んでいます」 would never see 住む.
    """

    def _extract_surrounding_words(self, nlp_artifacts, word: str, start: int) -> list[str]:
        if not nlp_artifacts.tokens:
            return [""]
        indices = nlp_artifacts.tokens_indices
        first = self._find_index_of_match_token(word, start, nlp_artifacts.tokens, indices)
        end = start + len(word)
        last = first
        while last + 1 < len(indices) and indices[last + 1] < end:
            last += 1
        lemmas, keywords = nlp_artifacts.lemmas, nlp_artifacts.keywords
        before = self._add_n_words_backward(first, self.context_prefix_count, lemmas, keywords)
        after = self._add_n_words_forward(last, self.context_suffix_count, lemmas, keywords)
        return list(set(before + after))


def japanese_context_enhancer() -> LemmaContextAwareEnhancer:
    """The context enhancer with a Japanese window and substring matching."""
    return JapaneseContextEnhancer(
        context_similarity_factor=0.35,
        min_score_with_context_similarity=0.55,
        context_prefix_count=6,
        context_suffix_count=2,
        context_matching_mode="substring",
    )


def pattern_analyzer(*, corporate_numbers: bool = False) -> AnalyzerEngine:
    """The analyzer of the pattern recognizers (and the fast person-name recognizer)."""
    registry = RecognizerRegistry(
        recognizers=pattern_recognizers(corporate_numbers=corporate_numbers),
        supported_languages=[LANGUAGE],
    )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=JapaneseNlpEngine(blank_japanese),
        supported_languages=[LANGUAGE],
        default_score_threshold=SCORE_THRESHOLD,
        context_aware_enhancer=japanese_context_enhancer(),
    )


def ner_analyzer() -> AnalyzerEngine:
    """The analyzer of GiNZA persons (slow: about 2 k characters per second per core)."""
    config = NerModelConfiguration(
        model_to_presidio_entity_mapping={"Person": PiiType.PERSON.value},
        default_score=NER_SCORE,
        labels_to_ignore=[],
    )
    engine = _GinzaPersonEngine(ginza_japanese, ner_model_configuration=config)
    registry = RecognizerRegistry(
        recognizers=[GinzaPersonRecognizer()], supported_languages=[LANGUAGE]
    )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=engine,
        supported_languages=[LANGUAGE],
        default_score_threshold=SCORE_THRESHOLD,
        context_aware_enhancer=japanese_context_enhancer(),
    )


class GinzaPersonRecognizer(SpacyRecognizer):
    """GiNZA ``Person`` entities that look like a Japanese name.

    GiNZA also tags e-mail addresses, 「法人番号 2141572878143」, 「Python 3.10.8」 and
    bank branches (「秋山支店」) as persons; a span is kept only if it is 2–10 kanji/kana
    (spaces and ・ allowed), not a role or kin word (「社長」) and not followed by a
    place or organisation word (支店, 駅, 市 …).

    >>> r = GinzaPersonRecognizer()
    >>> [r.looks_like_a_name(w) for w in ("米野美稀恵", "ジョン・スミス", "Python 3.10.8", "社長")]
    [True, True, False, False]
    """

    _NAME = re.compile(r"^[\p{Han}\p{Hiragana}\p{Katakana}々〆ヶー・ 　]{2,10}$")

    def __init__(self) -> None:
        super().__init__(
            supported_language=LANGUAGE,
            supported_entities=[PiiType.PERSON.value],
            ner_strength=NER_SCORE,
        )
        self._lexicon = NameLexicon.bundled()

    def looks_like_a_name(self, span: str) -> bool:
        return bool(self._NAME.match(span)) and not self._lexicon.is_not_a_name(span)

    #: a span followed by these names a place or an organisation (「秋山支店」「野沢駅」)
    _PLACE_AFTER = re.compile(r"支店|銀行|信用金庫|駅|[市区町村県都府]|店|社|大学|病院|学校|高校")

    def analyze(self, text, entities, nlp_artifacts=None):
        results = super().analyze(text, entities, nlp_artifacts)
        return [
            r
            for r in results
            if self.looks_like_a_name(text[r.start : r.end])
            and not self._PLACE_AFTER.match(text, r.end)
            and "銀行" not in text[r.start : r.end]
        ]


class _GinzaPersonEngine(JapaneseNlpEngine):
    """GiNZA engine that keeps only ``Person`` entities (its other ~200 labels are dropped)."""

    def _get_updated_entities(self, entities, scores):
        kept = [(e, s) for e, s in zip(entities, scores, strict=True) if e.label_ == "Person"]
        return super()._get_updated_entities([e for e, _ in kept], [s for _, s in kept])
