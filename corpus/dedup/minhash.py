"""MinHash signatures of character n-grams, vectorized with numpy.

The signatures are datasketch's (2.x, permutation scheme ``affine32``: the 32-bit
shingle hash is pre-mixed with the MurmurHash3 finalizer, then permuted by
``a·h + b mod 2³²`` with datasketch's own ``a``, ``b`` for the seed): a signature
computed here equals ``datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash)``
updated with the same shingles. What differs is how: every n-gram of a document is
hashed at once from its code points (a polynomial hash over the code point array,
then a 64-bit finalizer), and all permutations of all shingles of a batch of
documents are one ``(num_perm × shingles)`` array operation followed by a segmented
minimum. No Python code runs per shingle.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from corpus.dedup.normalize import Whitespace

SHINGLE_HASH = "codepoint-poly64-fmix64-hi32/v1"
"""Name of the shingle hash below; stored with every persisted index."""

_POLY = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the code point polynomial
_M64 = (1 << 64) - 1
_EMPTY = np.uint32(0xFFFFFFFF)  # datasketch's value for "no shingle seen"


class MinHashScheme(BaseModel):
    """Everything that must match for two signatures to be comparable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    num_perm: int = Field(128, ge=8, le=1024)
    seed: int = Field(1, ge=0)
    ngram: int = Field(5, ge=1, le=64)
    whitespace: Whitespace = "fold"
    scheme: Literal["affine32"] = "affine32"
    shingle_hash: Literal["codepoint-poly64-fmix64-hi32/v1"] = SHINGLE_HASH

    @cached_property
    def permutations(self) -> tuple[np.ndarray, np.ndarray]:
        """datasketch's ``(a, b)`` for this seed and width (uint32 arrays)."""
        from datasketch import MinHash

        a, b = MinHash(num_perm=self.num_perm, seed=self.seed, scheme=self.scheme).permutations
        return np.ascontiguousarray(a, dtype=np.uint32), np.ascontiguousarray(b, dtype=np.uint32)


def fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer on a uint64 array (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def fmix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer on a uint32 array (datasketch's pre-mix)."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    return x ^ (x >> np.uint32(16))


def shingle_hashes(normalized: str, ngram: int) -> np.ndarray:
    """32-bit hashes of every character ``ngram`` of ``normalized`` (uint32 array).

    Text shorter than ``ngram`` characters is one shingle; empty text has none.

    >>> shingle_hashes("吾輩は猫である", 5).shape
    (3,)
    >>> int(shingle_hashes("吾輩は猫である", 5)[0]) == shingle_hash("吾輩は猫で")
    True
    >>> shingle_hashes("猫", 5).shape, shingle_hashes("", 5).shape
    ((1,), (0,))
    """
    if not normalized:
        return np.empty(0, dtype=np.uint32)
    cp = np.frombuffer(normalized.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = min(ngram, len(cp))
    m = len(cp) - n + 1
    h = cp[:m].copy()
    for j in range(1, n):
        h *= _POLY
        h += cp[j : j + m]
    return (fmix64(h) >> np.uint64(32)).astype(np.uint32)


def shingle_hash(shingle: str | bytes) -> int:
    """The hash of one shingle, scalar reference of :func:`shingle_hashes`.

    Usable as datasketch's ``hashfunc`` (bytes are read as UTF-8).
    """
    if isinstance(shingle, bytes):
        shingle = shingle.decode("utf-8")
    h = 0
    for ch in shingle:
        h = (h * int(_POLY) + ord(ch)) & _M64
    return int(fmix64(np.array([h], dtype=np.uint64))[0] >> np.uint64(32))


def shingles(normalized: str, ngram: int) -> list[str]:
    """The character n-grams themselves (for reference implementations and tests).

    >>> shingles("吾輩は猫である", 5)
    ['吾輩は猫で', '輩は猫であ', 'は猫である']
    """
    if not normalized:
        return []
    n = min(ngram, len(normalized))
    return [normalized[i : i + n] for i in range(len(normalized) - n + 1)]


class SignatureComputer:
    """Computes MinHash signatures for batches of normalized texts.

    >>> sc = SignatureComputer(MinHashScheme(num_perm=16))
    >>> sigs = sc.signatures(["吾輩は猫である。名前はまだ無い。", "吾輩は猫である。名前はまだ無い。"])
    >>> sigs.shape, bool((sigs[0] == sigs[1]).all())
    ((2, 16), True)
    """

    def __init__(self, scheme: MinHashScheme, chunk_shingles: int = 1 << 14) -> None:
        self.scheme = scheme
        a, b = scheme.permutations
        self._a = a[:, None]
        self._b = b[:, None]
        self.chunk = chunk_shingles

    def signatures(self, normalized_texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), num_perm)`` uint32 signatures."""
        return self.signatures_of_hashes(
            [shingle_hashes(t, self.scheme.ngram) for t in normalized_texts]
        )

    def signatures_of_hashes(self, hashes: Sequence[np.ndarray]) -> np.ndarray:
        """Signatures from per-document shingle hashes (uint32 arrays)."""
        out = np.full((len(hashes), self.scheme.num_perm), _EMPTY, dtype=np.uint32)
        group: list[int] = []
        size = 0
        for i, h in enumerate(hashes):
            if len(h) == 0:
                continue
            if len(h) >= self.chunk:
                self._one_large(h, out[i])
                continue
            if size + len(h) > self.chunk:
                self._group(hashes, group, out)
                group, size = [], 0
            group.append(i)
            size += len(h)
        if group:
            self._group(hashes, group, out)
        return out

    def _permuted(self, h: np.ndarray) -> np.ndarray:
        phv = self._a * fmix32(h)[None, :]
        phv += self._b
        return phv

    def _group(self, hashes: Sequence[np.ndarray], group: list[int], out: np.ndarray) -> None:
        parts = [hashes[i] for i in group]
        offsets = np.zeros(len(parts), dtype=np.int64)
        np.cumsum([len(p) for p in parts[:-1]], out=offsets[1:])
        mins = np.minimum.reduceat(self._permuted(np.concatenate(parts)), offsets, axis=1)
        out[group] = mins.T

    def _one_large(self, h: np.ndarray, row: np.ndarray) -> None:
        for start in range(0, len(h), self.chunk):
            np.minimum(row, self._permuted(h[start : start + self.chunk]).min(axis=1), out=row)


def estimated_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray | float:
    """Share of equal signature positions (datasketch's ``MinHash.jaccard``), row-wise."""
    eq = np.asarray(sig_a) == np.asarray(sig_b)
    return eq.mean(axis=-1)
