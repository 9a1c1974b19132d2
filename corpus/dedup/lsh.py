"""Locality-sensitive hashing: cutting signatures into bands.

Two documents become candidates when all ``rows`` values of one of the ``bands``
bands agree; the probability for Jaccard ``s`` is ``1 - (1 - s^rows)^bands``.
``bands`` and ``rows`` come from datasketch's own optimisation
(``datasketch.lsh._optimal_param``), which weighs false positives against false
negatives around the threshold. Candidates are verified by their estimated
Jaccard afterwards, so the default weights favour recall (false negatives count
0.8, false positives 0.2): at threshold 0.8 and 128 permutations that gives
12 bands of 10 rows, which catches a pair at Jaccard 0.9 with probability 0.994
(the equal weights' 9×13 catch it with 0.93).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from corpus.dedup.minhash import fmix64

_BAND_POLY = np.uint64(0xD6E8FEB86659FD93)

DEFAULT_THRESHOLD = 0.8
"""Jaccard similarity of character 5-gram sets above which two documents are duplicates."""

DEFAULT_WEIGHTS = (0.2, 0.8)
"""(false positive, false negative) weights for the band optimiser: candidates are
verified afterwards, so a missed pair costs more than an extra candidate."""


class Banding(BaseModel):
    """How signatures are cut into bands."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bands: int = Field(ge=1)
    rows: int = Field(ge=1)

    def fits(self, num_perm: int) -> bool:
        return self.bands * self.rows <= num_perm

    def candidate_probability(self, jaccard: float) -> float:
        """Probability that a pair at ``jaccard`` shares at least one band.

        >>> round(Banding(bands=12, rows=10).candidate_probability(0.9), 3)
        0.994
        """
        return 1.0 - (1.0 - jaccard**self.rows) ** self.bands


def optimal_banding(
    threshold: float, num_perm: int, weights: tuple[float, float] = DEFAULT_WEIGHTS
) -> Banding:
    """datasketch's optimal ``(bands, rows)`` for ``threshold`` and ``(fp, fn)`` weights.

    >>> optimal_banding(0.8, 128)
    Banding(bands=12, rows=10)
    >>> optimal_banding(0.8, 128, weights=(0.5, 0.5))
    Banding(bands=9, rows=13)
    """
    known = KNOWN_OPTIMA.get((threshold, num_perm, tuple(weights)))
    if known is None:
        from datasketch.lsh import _optimal_param  # imports SciPy's integrate: ~0.6 s

        known = _optimal_param(threshold, num_perm, weights[0], weights[1])
    bands, rows = known
    return Banding(bands=bands, rows=rows)


KNOWN_OPTIMA: dict[tuple[float, int, tuple[float, float]], tuple[int, int]] = {
    (DEFAULT_THRESHOLD, 128, DEFAULT_WEIGHTS): (12, 10),
}
"""datasketch's answers for the default settings, so that a run with them does not import
SciPy (tests check each against ``_optimal_param``)."""


def band_keys(signatures: np.ndarray, banding: Banding) -> np.ndarray:
    """``(docs, bands)`` uint64 keys: one hash of each band's ``rows`` values."""
    n = signatures.shape[0]
    keys = np.empty((n, banding.bands), dtype=np.uint64)
    sig64 = signatures.astype(np.uint64)
    for band in range(banding.bands):
        h = np.full(n, np.uint64(band + 1), dtype=np.uint64)
        for col in range(band * banding.rows, (band + 1) * banding.rows):
            h *= _BAND_POLY
            h += sig64[:, col]
        keys[:, band] = fmix64(h)
    return keys
