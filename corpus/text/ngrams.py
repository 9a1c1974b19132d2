"""Character n-gram repetition statistics, computed with NumPy.

Definitions follow the Swallow corpus quality code (Okazaki et al. 2024, MIT), whose
thresholds we start from:

* top n-gram fraction — occurrences of the most frequent character n-gram divided by
  the number of n-gram occurrences;
* duplicate n-gram fraction — distinct character n-grams that occur more than once
  divided by the number of distinct n-grams.

N-grams are hashed (a 64-bit polynomial hash of the code points, built up one length at
a time) and counted with ``np.unique``; no Python loop runs per character.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from corpus.text.chars import code_points

_BASE = np.uint64(0x100000001B3)  # FNV prime: odd, so multiplication is a bijection mod 2**64


def ngram_hashes(cps: np.ndarray, sizes: Iterable[int]) -> dict[int, np.ndarray]:
    """Hash of every character n-gram of ``cps`` for each n in ``sizes``."""
    sizes = sorted(set(sizes))
    out: dict[int, np.ndarray] = {}
    if not sizes:
        return out
    h = cps.astype(np.uint64)
    with np.errstate(over="ignore"):
        for n in range(2, sizes[-1] + 1):
            if len(cps) < n:
                break
            h = h[:-1] * _BASE + cps[n - 1 :].astype(np.uint64)
            if n in sizes:
                out[n] = h
    if 1 in sizes:
        out[1] = cps.astype(np.uint64)
    return out


def ngram_counts(hashes: np.ndarray) -> np.ndarray:
    """How often each distinct hash occurs (order unspecified)."""
    if len(hashes) == 0:
        return hashes
    s = np.sort(hashes)
    starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    return np.diff(np.append(starts, len(s)))


def top_fraction(counts: np.ndarray) -> float:
    """Occurrences of the most frequent n-gram over all occurrences (Swallow's top fraction)."""
    return float(counts.max() / counts.sum()) if len(counts) else 0.0


def duplicate_share(counts: np.ndarray) -> float:
    """Distinct n-grams occurring more than once over distinct n-grams (Swallow's definition)."""
    return float(np.count_nonzero(counts > 1) / len(counts)) if len(counts) else 0.0


def repetition_stats(
    text: str | np.ndarray,
    top_sizes: Iterable[int] = (2, 3, 4),
    dup_sizes: Iterable[int] = range(5, 11),
) -> dict[str, float]:
    """Top and duplicate character n-gram fractions of ``text``.

    >>> s = repetition_stats("吾輩は猫である。名前はまだ無い。", (2,), (5,))
    >>> s["top_2gram_fraction"], s["duplicate_5gram_fraction"]
    (0.06666666666666667, 0.0)
    >>> spam = repetition_stats("格安ホテル予約" * 20, (2,), (5,))
    >>> round(spam["top_2gram_fraction"], 3), spam["duplicate_5gram_fraction"]
    (0.144, 1.0)
    """
    cps = code_points(text) if isinstance(text, str) else text
    top_sizes, dup_sizes = list(top_sizes), list(dup_sizes)
    hashes = ngram_hashes(cps, top_sizes + dup_sizes)
    out: dict[str, float] = {}
    for n in top_sizes:
        counts = ngram_counts(hashes.get(n, np.empty(0, np.uint64)))
        out[f"top_{n}gram_fraction"] = top_fraction(counts)
    for n in dup_sizes:
        counts = ngram_counts(hashes.get(n, np.empty(0, np.uint64)))
        out[f"duplicate_{n}gram_fraction"] = duplicate_share(counts)
    return out


def duplicate_fraction(items: list[str]) -> tuple[float, float]:
    """Share of items that repeat an earlier one, by count and by characters.

    >>> duplicate_fraction(["ホーム", "会社概要", "ホーム", "ホーム"])
    (0.5, 0.46153846153846156)
    """
    if not items:
        return 0.0, 0.0
    seen: set[str] = set()
    dup_n = dup_chars = total = 0
    for item in items:
        total += len(item)
        if item in seen:
            dup_n += 1
            dup_chars += len(item)
        else:
            seen.add(item)
    return dup_n / len(items), (dup_chars / total if total else 0.0)
