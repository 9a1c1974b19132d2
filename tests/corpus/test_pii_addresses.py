"""Addresses in every written form are masked as one span; look-alikes stay.

The cases (``tests/corpus/address_forms.py``) are built from the gimei address list;
``bench/pii_address_eval.py`` runs the same cases at a larger size.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from corpus.pii.scrubber import PiiScrubber, ScrubberConfig
from tests.corpus.address_forms import AddressForms, judge

FOLLOWED = "address + other words after it"


@pytest.fixture(scope="module")
def verdicts():
    scrubber = PiiScrubber(ScrubberConfig())
    scrubber.load()
    by_form = defaultdict(list)
    for case, verdict, masked in judge(scrubber, AddressForms(seed=1).cases(per_form=8)):
        by_form[case.form].append((case, verdict, masked))
    return by_form


def test_every_form_is_masked_as_one_whole_span(verdicts):
    forms = [f for f, rows in verdicts.items() if rows[0][0].gold is not None and f != FOLLOWED]
    assert len(forms) >= 20
    for form in forms:
        wrong = [(c.text, v, m) for c, v, m in verdicts[form] if v != "exact"]
        assert not wrong, (form, wrong)


def test_words_after_an_address_stay_outside_its_span(verdicts):
    for case, verdict, masked in verdicts[FOLLOWED]:
        if verdict == "missed":
            # only an address wholly in kanji numerals without a context word: the style of laws
            assert not any(ch.isdigit() for ch in case.address), (case.text, masked)
        else:
            assert verdict == "exact", (case.text, verdict, masked)


def test_lookalikes_are_kept(verdicts):
    masked = [(c.text, m) for rows in verdicts.values() for c, v, m in rows if c.gold is None and m]
    assert not masked
    kinds = {c.form for rows in verdicts.values() for c, _, _ in rows if c.gold is None}
    assert {"law article (第3条)", "title (三丁目の夕日)", "date", "price / quantity"} <= kinds
