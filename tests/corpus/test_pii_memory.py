"""The PII scrubber keeps no trace of the texts it scrubbed (Ray reuses its process)."""

from __future__ import annotations

import json
from pathlib import Path

from corpus.pii.recognizers import LANGUAGE
from corpus.pii.scrubber import PiiScrubber, ScrubberConfig

EXCERPTS = Path(__file__).parents[1] / "manifests" / "data" / "aozora-excerpts.jsonl"


def test_scrubbing_leaves_the_spacy_vocabulary_as_it_was():
    texts = [json.loads(line)["text"] for line in EXCERPTS.read_text("utf-8").splitlines()]
    texts += [f"担当の山田太郎さん（090-1234-{i:04d}）まで。{t}" for i, t in enumerate(texts)]
    scrubber = PiiScrubber(ScrubberConfig())
    strings = scrubber.pattern_analyzer.nlp_engine.nlp[LANGUAGE].vocab.strings
    scrubber.scrub(texts[:1], [True])  # what loading and a first call add for good
    before = len(strings)
    results = scrubber.scrub(texts, [True] * len(texts))
    assert sum(r.detail["PHONE"] for r in results) == len(texts) // 2
    assert len(strings) == before, f"{len(strings) - before} strings kept from the texts"
    assert "羅生門" not in strings
