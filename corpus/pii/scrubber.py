"""Finding and replacing personal data in batches of Japanese texts.

:class:`PiiScrubber` holds the analyzers (build it once per worker) and runs:

1. the :class:`~corpus.pii.prescreen.Prescreen` on each text — texts without an
   anchor stop here;
2. presidio's pattern analyzer over the windows of the whole batch at once (one spaCy
   ``pipe``; names requested only for texts whose source allows them);
3. optionally GiNZA NER over the full text of name-masked texts, in line-aligned
   chunks under SudachiPy's input limit;
4. :func:`~corpus.pii.replace.redact`: overlaps resolved, typed placeholders written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache, cached_property

from corpus.pii.entities import PATTERN_TYPES, PiiType
from corpus.pii.prescreen import Prescreen
from corpus.pii.presidio import AnalyzerEngine, BatchAnalyzerEngine
from corpus.pii.recognizers import LANGUAGE
from corpus.pii.replace import Detection, redact

#: GiNZA chunk size in characters (SudachiPy refuses inputs over 49,149 bytes).
NER_CHUNK_CHARS = 2000


@dataclass(frozen=True)
class ScrubberConfig:
    """What to find. Pattern types are always found; the rest is chosen here."""

    corporate_numbers: bool = False
    ner: bool = False
    #: texts sent to spaCy in one ``pipe`` call
    batch_size: int = 64
    prescreen: Prescreen = field(default_factory=Prescreen)


@dataclass(frozen=True)
class ScrubResult:
    """A scrubbed text and what was replaced, by type."""

    text: str
    detail: Counter[str]

    @property
    def redactions(self) -> int:
        return sum(self.detail.values())


class PiiScrubber:
    """Detects and replaces PII; build once, reuse for every batch.

    >>> scrubber = PiiScrubber()
    >>> [r.text for r in scrubber.scrub(["担当の山田太郎さん（090-1234-5678）まで。"], names=[True])]
    ['担当の<PERSON>さん（<PHONE>）まで。']
    >>> [r.text for r in scrubber.scrub(["山田太郎さん（090-1234-5678）"], names=[False])]
    ['山田太郎さん（<PHONE>）']
    """

    def __init__(self, config: ScrubberConfig | None = None) -> None:
        self.config = config or ScrubberConfig()

    @staticmethod
    @cache
    def shared(config: ScrubberConfig) -> PiiScrubber:
        """One loaded scrubber per process and configuration (Ray reuses worker processes
        across tasks; the analyzers take seconds to build)."""
        scrubber = PiiScrubber(config)
        scrubber.load()
        return scrubber

    @cached_property
    def pattern_analyzer(self) -> AnalyzerEngine:
        from corpus.pii.analyzer import pattern_analyzer

        return pattern_analyzer(corporate_numbers=self.config.corporate_numbers)

    @cached_property
    def ner_analyzer(self) -> AnalyzerEngine:
        from corpus.pii.analyzer import ner_analyzer

        return ner_analyzer()

    def load(self) -> None:
        """Build the analyzers now (otherwise on first use)."""
        _ = self.pattern_analyzer
        if self.config.ner:
            _ = self.ner_analyzer

    def entities(self, names: bool) -> list[str]:
        """Presidio entity names requested for a text."""
        types = [t for t in PATTERN_TYPES if t is not PiiType.CORPORATE_NUMBER]
        if self.config.corporate_numbers:
            types.append(PiiType.CORPORATE_NUMBER)
        if names:
            types.append(PiiType.PERSON)
        return [t.value for t in types]

    def detect(self, texts: list[str], names: list[bool]) -> list[list[Detection]]:
        """All detections per text (unresolved, offsets into the text)."""
        found: list[list[Detection]] = [[] for _ in texts]
        for names_on in (False, True):
            jobs = [
                (i, start, end)
                for i, text in enumerate(texts)
                if names[i] is names_on
                for start, end in self.config.prescreen.windows(text, names_on)
            ]
            self._analyze(self.pattern_analyzer, texts, jobs, self.entities(names_on), found)
        if self.config.ner:
            jobs = [
                (i, start, end)
                for i, text in enumerate(texts)
                if names[i]
                for start, end in line_chunks(text, NER_CHUNK_CHARS)
            ]
            self._analyze(self.ner_analyzer, texts, jobs, [PiiType.PERSON.value], found)
        return found

    def scrub(self, texts: list[str], names: list[bool]) -> list[ScrubResult]:
        """Scrubbed texts with per-type counts, in input order."""
        return [
            ScrubResult(*redact(text, detections))
            for text, detections in zip(texts, self.detect(texts, names), strict=True)
        ]

    def _analyze(
        self,
        analyzer: AnalyzerEngine,
        texts: list[str],
        jobs: list[tuple[int, int, int]],
        entities: list[str],
        found: list[list[Detection]],
    ) -> None:
        if not jobs:
            return
        # every new word spaCy meets stays in its vocabulary for the life of the process
        # (a reused worker grew by ~150 MB over 1 GB of text); a memory zone drops what the
        # batch added once its results are plain detections
        with analyzer.nlp_engine.nlp[LANGUAGE].memory_zone():
            results = BatchAnalyzerEngine(analyzer).analyze_iterator(
                [texts[i][start:end] for i, start, end in jobs],
                language=LANGUAGE,
                batch_size=self.config.batch_size,
                entities=entities,
            )
            for (i, start, _), window_results in zip(jobs, results, strict=True):
                found[i].extend(
                    Detection(start + r.start, start + r.end, PiiType(r.entity_type), r.score)
                    for r in window_results
                )


def line_chunks(text: str, size: int) -> list[tuple[int, int]]:
    """``(start, end)`` chunks of at most ``size`` characters, cut after a newline or 。 if possible.

    >>> line_chunks("一行目。\\n二行目。\\n三行目。", 7)
    [(0, 5), (5, 10), (10, 14)]
    """
    chunks: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind("。", start, end))
            if cut > start:
                end = cut + 1
        chunks.append((start, end))
        start = end
    return chunks
