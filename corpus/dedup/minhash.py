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

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Literal, NamedTuple

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
        """datasketch's ``(a, b)`` for this seed and width (uint32 arrays).

        Drawn as ``datasketch.MinHash._init_permutations`` draws them for its ``affine32``
        scheme (odd ``a``), without importing datasketch: its package imports SciPy,
        ~0.6 s in every worker process. ``tests/corpus/test_dedup_minhash.py`` checks
        the arrays against datasketch's own for several seeds and widths.
        """
        gen = np.random.RandomState(self.seed)
        a = gen.randint(0, 1 << 31, self.num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, self.num_perm, dtype=np.uint32)
        return np.ascontiguousarray(a), np.ascontiguousarray(b)


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


def _windows(cp: np.ndarray, n: int) -> np.ndarray:
    """Hashes of every window of ``n`` code points of ``cp`` (uint64 array of code points)."""
    m = len(cp) - n + 1
    h = cp[:m].copy()
    for j in range(1, n):
        h *= _POLY
        h += cp[j : j + m]
    return (fmix64(h) >> np.uint64(32)).astype(np.uint32)


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


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
    return _windows(_code_points(normalized), min(ngram, len(normalized)))


class ShingleBatch(NamedTuple):
    """The shingle hashes of a batch of documents, concatenated, and how many each has."""

    hashes: np.ndarray
    counts: np.ndarray

    def of(self, i: int) -> np.ndarray:
        start = int(self.counts[:i].sum())
        return self.hashes[start : start + int(self.counts[i])]


def batch_shingle_hashes(texts: Sequence[str], ngram: int) -> ShingleBatch:
    """:func:`shingle_hashes` of many documents, concatenated.

    >>> batch = batch_shingle_hashes(["吾輩は猫である", "猫", "", "名前はまだ無い"], 5)
    >>> batch.counts.tolist()
    [3, 1, 0, 3]
    >>> bool((batch.of(3) == shingle_hashes("名前はまだ無い", 5)).all())
    True
    """
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    full = lengths >= ngram
    counts = np.where(full, lengths - ngram + 1, np.minimum(lengths, 1))
    hashes = np.empty(int(counts.sum()), dtype=np.uint32)
    out_starts = np.cumsum(counts) - counts
    # every window of the texts joined end to end, in a few array operations for the whole
    # batch (per document, numpy's per-call cost outweighs the work on 500 characters);
    # the windows that cross from one text into the next are never taken
    if full.any():
        joined = _windows(_code_points("".join(texts)), ngram)
        text_starts = np.cumsum(lengths) - lengths
        n = counts[full]
        within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        hashes[np.repeat(out_starts[full], n) + within] = joined[
            np.repeat(text_starts[full], n) + within
        ]
    for i in np.flatnonzero(~full & (lengths > 0)):  # shorter than ngram: one shingle
        hashes[out_starts[i]] = shingle_hashes(texts[i], ngram)[0]
    return ShingleBatch(hashes, counts)


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

    Consecutive documents are permuted together, ``chunk`` shingles at a time, and
    ``block`` permutations at a time, so that the three passes over the permuted values
    (multiply, add, segmented minimum) run in a buffer that stays in the CPU cache and is
    reused between calls (a fresh array per group costs about as much in page faults as
    the arithmetic). Not thread-safe: one computer per thread.

    >>> sc = SignatureComputer(MinHashScheme(num_perm=16))
    >>> sigs = sc.signatures(["吾輩は猫である。名前はまだ無い。", "吾輩は猫である。名前はまだ無い。"])
    >>> sigs.shape, bool((sigs[0] == sigs[1]).all())
    ((2, 16), True)
    """

    def __init__(self, scheme: MinHashScheme, chunk: int = 1 << 14, block: int = 8) -> None:
        self.scheme = scheme
        a, b = scheme.permutations
        self._a = a[:, None]
        self._b = b[:, None]
        self.chunk = chunk
        self.block = block
        self._buffer: np.ndarray | None = None

    def signatures(self, normalized_texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), num_perm)`` uint32 signatures."""
        return self.signatures_of(batch_shingle_hashes(normalized_texts, self.scheme.ngram))

    def signatures_of(self, batch: ShingleBatch) -> np.ndarray:
        """Signatures of a :class:`ShingleBatch` (documents without shingles keep the
        empty value, as in datasketch)."""
        counts = batch.counts
        out = np.full((len(counts), self.scheme.num_perm), _EMPTY, dtype=np.uint32)
        ends = np.cumsum(counts)
        i = 0
        while i < len(counts):
            start = ends[i] - counts[i]
            if counts[i] >= self.chunk:
                self._one_large(batch.hashes[start : ends[i]], out[i])
                i += 1
                continue
            stop = max(int(np.searchsorted(ends, start + self.chunk, side="right")), i + 1)
            group = np.arange(i, stop)
            group = group[counts[i:stop] > 0]
            if len(group):
                offsets = ends[group] - counts[group] - start
                mixed = fmix32(batch.hashes[start : ends[stop - 1]])
                for cols, permuted in self._blocks(mixed):
                    out[group, cols] = np.minimum.reduceat(permuted, offsets, axis=1).T
            i = stop
        return out

    def _blocks(self, mixed: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
        """``(columns, a[columns]·h + b[columns] mod 2³²)`` for each block of permutations."""
        if self._buffer is None:
            self._buffer = np.empty(self.block * self.chunk, dtype=np.uint32)
        h = mixed[None, :]
        step = self._block_for(len(mixed))
        for k in range(0, self.scheme.num_perm, step):
            a, b = self._a[k : k + step], self._b[k : k + step]
            phv = self._buffer[: len(a) * len(mixed)].reshape(len(a), len(mixed))
            np.multiply(a, h, out=phv)
            np.add(phv, b, out=phv)
            yield slice(k, k + len(a)), phv

    def _block_for(self, shingles: int) -> int:
        """Permutations per block: as many as fit the buffer (``block × chunk`` values)."""
        return int(
            min(max(self.block * self.chunk // max(shingles, 1), self.block), self.scheme.num_perm)
        )

    def _one_large(self, h: np.ndarray, row: np.ndarray) -> None:
        for start in range(0, len(h), self.chunk):
            for cols, permuted in self._blocks(fmix32(h[start : start + self.chunk])):
                np.minimum(row[cols], permuted.min(axis=1), out=row[cols])


def estimated_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray | float:
    """Share of equal signature positions (datasketch's ``MinHash.jaccard``), row-wise."""
    eq = np.asarray(sig_a) == np.asarray(sig_b)
    return eq.mean(axis=-1)
