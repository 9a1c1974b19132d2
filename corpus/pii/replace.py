"""Choosing among overlapping detections and writing typed placeholders."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from corpus.pii.entities import PiiType


class Detection(NamedTuple):
    """A span of ``text[start:end]`` found to be ``type`` with confidence ``score``."""

    start: int
    end: int
    type: PiiType
    score: float


def resolve(detections: list[Detection]) -> list[Detection]:
    """Non-overlapping detections, sorted by position.

    Overlapping spans of one type merge into their union (「大林」 found as 「林」 by
    the lexicon and 「大林」 by the kanji rule is masked whole). Between types the
    higher score wins, then the longer span: a checked identifier (1.0) beats a
    pattern (0.6–0.9), which beats an NER person (0.5).

    >>> resolve([Detection(0, 3, PiiType.PERSON, 0.5), Detection(0, 15, PiiType.EMAIL, 0.9),
    ...          Detection(20, 22, PiiType.PERSON, 0.85), Detection(19, 22, PiiType.PERSON, 0.6)])
    [Detection(start=0, end=15, type=<PiiType.EMAIL: 'EMAIL'>, score=0.9), Detection(start=19, end=22, type=<PiiType.PERSON: 'PERSON'>, score=0.85)]
    """
    merged: list[Detection] = []
    for det in sorted(detections, key=lambda d: (d.type, d.start, -d.end)):
        last = merged[-1] if merged else None
        if last is not None and last.type == det.type and det.start < last.end:
            merged[-1] = Detection(
                last.start, max(last.end, det.end), last.type, max(last.score, det.score)
            )
        else:
            merged.append(det)
    chosen: list[Detection] = []
    for det in sorted(merged, key=lambda d: (-d.score, -(d.end - d.start), d.start)):
        if all(det.end <= c.start or det.start >= c.end for c in chosen):
            chosen.append(det)
    return sorted(chosen, key=lambda d: d.start)


def redact(text: str, detections: list[Detection]) -> tuple[str, Counter[str]]:
    """Replace each resolved detection by its placeholder; count by type.

    >>> text = "連絡先：090-1234-5678（山田）"
    >>> redact(text, [Detection(4, 17, PiiType.PHONE, 0.7), Detection(18, 20, PiiType.PERSON, 0.85)])
    ('連絡先：<PHONE>（<PERSON>）', Counter({'PHONE': 1, 'PERSON': 1}))
    """
    parts: list[str] = []
    counts: Counter[str] = Counter()
    pos = 0
    for det in resolve(detections):
        parts.append(text[pos : det.start])
        parts.append(det.type.placeholder)
        counts[det.type.value] += 1
        pos = det.end
    parts.append(text[pos:])
    return "".join(parts), counts
