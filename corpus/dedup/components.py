"""Connected components by alternating large-star and small-star rounds.

The algorithm of Kiveris et al., "Connected Components in MapReduce and Beyond"
(SoCC 2014): each round is two shuffles keyed by node, and after O(log² n)
rounds every component is a star whose centre is its smallest node. Each
function here is the reduce side for one partition of nodes, on numpy arrays of
int64 pairs; :mod:`corpus.dedup.job` moves the pairs between partitions on Ray,
so no process ever holds more than one partition's edges.

Edges arrive as directed pairs ``(x, y)`` keyed by ``x``:

* large star (input: both directions of every edge) — for each node ``u`` with
  ``m = min(u, neighbours)``, link every larger neighbour ``v > u`` to ``m``;
* small star (input: ``(a, b)`` with ``a > b``, keyed by ``a``) — with
  ``m = min(b)``, link ``a`` and every ``b`` to ``m``.

The edge set entering small star stops changing exactly when the stars are
complete; :func:`edge_fingerprint` lets the driver see that from per-partition
sums.
"""

from __future__ import annotations

import numpy as np

from corpus.dedup.minhash import fmix64

Pairs = np.ndarray
"""``(k, 2)`` int64 array of directed pairs."""

_FP_MUL = np.uint64(0x9FB21C651E98DF25)


def unique_pairs(pairs: Pairs) -> Pairs:
    """Distinct pairs, sorted by first then second node.

    >>> unique_pairs(np.array([[3, 1], [1, 2], [3, 1]])).tolist()
    [[1, 2], [3, 1]]
    """
    if len(pairs) == 0:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.ascontiguousarray(pairs, dtype=np.int64)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    pairs = pairs[order]
    keep = np.ones(len(pairs), dtype=bool)
    keep[1:] = (pairs[1:] != pairs[:-1]).any(axis=1)
    return pairs[keep]


def _group_min(sorted_pairs: Pairs) -> tuple[np.ndarray, np.ndarray]:
    """For pairs sorted by first node: per-row ``min(first, min(second of its group))``."""
    x = sorted_pairs[:, 0]
    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    mins = np.minimum(np.minimum.reduceat(sorted_pairs[:, 1], starts), x[starts])
    sizes = np.diff(np.r_[starts, len(x)])
    return np.repeat(mins, sizes), starts


def large_star(pairs: Pairs) -> Pairs:
    """Large-star step for one partition; returns ``(v, m)`` pairs with ``v > m``.

    >>> large_star(np.array([[2, 5], [2, 7], [5, 2], [7, 2], [7, 9], [9, 7]])).tolist()
    [[5, 2], [7, 2], [9, 2]]
    """
    pairs = unique_pairs(pairs)
    if len(pairs) == 0:
        return pairs
    m, _ = _group_min(pairs)
    larger = pairs[:, 1] > pairs[:, 0]
    return np.stack([pairs[larger, 1], m[larger]], axis=1)


def small_star(pairs: Pairs) -> Pairs:
    """Small-star step for one partition (pairs ``(a, b)``, ``a > b``); returns edges ``(u, m)``.

    >>> small_star(np.array([[9, 7], [9, 3], [5, 2]])).tolist()
    [[5, 2], [9, 3], [7, 3]]
    """
    pairs = unique_pairs(pairs)
    if len(pairs) == 0:
        return pairs
    m, starts = _group_min(pairs)
    heads = np.stack([pairs[starts, 0], m[starts]], axis=1)
    others = pairs[:, 1] != m
    tails = np.stack([pairs[others, 1], m[others]], axis=1)
    return np.concatenate([heads, tails])


def both_directions(edges: Pairs) -> Pairs:
    """Each edge as two directed pairs (the input form of large star)."""
    return np.concatenate([edges, edges[:, ::-1]]) if len(edges) else edges.reshape(0, 2)


def larger_first(edges: Pairs) -> Pairs:
    """Each edge as ``(max, min)`` (the input form of small star)."""
    return np.sort(edges, axis=1)[:, ::-1] if len(edges) else edges.reshape(0, 2)


def edge_fingerprint(pairs: Pairs) -> tuple[int, int]:
    """``(count, sum of pair hashes mod 2⁶⁴)`` of distinct pairs; partitions add up."""
    pairs = unique_pairs(pairs)
    if len(pairs) == 0:
        return 0, 0
    h = fmix64(pairs[:, 0].astype(np.uint64) * _FP_MUL + pairs[:, 1].astype(np.uint64))
    return len(pairs), int(h.sum(dtype=np.uint64))


def star_labels(pairs: Pairs) -> tuple[np.ndarray, np.ndarray]:
    """Once converged: ``(nodes, labels)`` from one partition's pairs (both directions).

    A node's label is the smallest node of its component.

    >>> nodes, labels = star_labels(both_directions(np.array([[5, 2], [7, 2]])))
    >>> nodes.tolist(), labels.tolist()
    ([2, 5, 7], [2, 2, 2])
    """
    pairs = unique_pairs(pairs)
    if len(pairs) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    m, starts = _group_min(pairs)
    return pairs[starts, 0], m[starts]
