"""A slice of the PII evaluation on the bundled sample: the evaluation's goals must hold.

The full run (Tatoeba and Wikipedia carriers, 156 law files) is
``python -m corpus.pii.evaluation --data /work/shared/data``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.pii.entities import PiiType
from corpus.pii.evaluation import (
    NAME_RECALL_GOAL,
    PATTERN_RECALL_GOAL,
    PRECISION_GOAL,
    evaluate,
    generate,
    is_safe_carrier,
    load_carriers,
    load_law_docs,
    sample_inputs,
)
from corpus.pii.scrubber import PiiScrubber, ScrubberConfig

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inputs():
    carrier_paths, law_paths = sample_inputs(REPO)
    return load_carriers(carrier_paths), load_law_docs(law_paths)


@pytest.fixture(scope="module")
def report(inputs):
    carriers, laws = inputs
    docs = generate(carriers, 400, seed=3) + laws
    return evaluate(docs, PiiScrubber(ScrubberConfig(corporate_numbers=True)))


def test_carriers_are_real_and_clean(inputs):
    carriers, laws = inputs
    assert len(carriers) > 1000
    assert all(is_safe_carrier(s) for s in carriers)
    assert len(laws) == 14 and sum(len(d.text) for d in laws) > 200_000


def test_every_type_and_lookalike_is_injected(report):
    assert {t.value for t in PiiType} <= set(report.gold)
    assert {
        "date",
        "time",
        "law_number",
        "article",
        "isbn",
        "price",
        "version",
        "bad_checksum",
    } <= set(report.lookalikes)


def test_goals_met(report):
    print(report.table())
    for pii_type in PiiType:
        if pii_type is not PiiType.PERSON:
            assert report.recall(pii_type.value) >= PATTERN_RECALL_GOAL, pii_type
    assert report.recall(PiiType.PERSON.value) >= NAME_RECALL_GOAL
    assert report.precision() >= PRECISION_GOAL
    assert all(report.goals().values())


def test_no_lookalike_masked_in_law_text(report):
    assert report.law_chars > 200_000
    assert sum(report.law_masked.values()) == 0


def test_lookalikes_rarely_masked(report):
    masked, injected = sum(report.lookalikes_masked.values()), sum(report.lookalikes.values())
    assert masked <= 0.01 * injected, report.false_positives
