"""Dictionary-word boundaries from SudachiPy: for pre-segmentation and for judging pieces.

A *boundary* is a character offset strictly inside a text where one unit ends and
the next begins. The word boundaries of a text are those of SudachiPy's split
(mode A, the shortest dictionary units, unless told otherwise) plus every offset
next to whitespace, since spaces and newlines are not words whichever way the
analyser happens to group them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Literal

SplitModeName = Literal["A", "B", "C"]

MAX_CHUNK_BYTES = 40_000
"""SudachiPy refuses input over 49,149 UTF-8 bytes; texts are cut into chunks below this."""

PRESEGMENT_DELIMITER = "\u241f"
"""Marks word boundaries in a pre-segmented training sample (SYMBOL FOR UNIT SEPARATOR).

SentencePiece's ``pretokenization_delimiter`` keeps pieces from crossing it and
drops it from the vocabulary; it does not occur in Japanese text.
"""

_local = threading.local()


def _tokenizer(mode: SplitModeName):
    """One SudachiPy tokenizer per thread and mode (the dictionary loads once)."""
    cache = getattr(_local, "tokenizers", None)
    if cache is None:
        cache = _local.tokenizers = {}
    if mode not in cache:
        from sudachipy import Dictionary, SplitMode

        cache[mode] = Dictionary(dict="core").create(getattr(SplitMode, mode))
    return cache[mode]


def chunks(text: str, max_bytes: int = MAX_CHUNK_BYTES) -> Iterator[tuple[int, str]]:
    """``(offset, chunk)`` pieces of ``text`` small enough for SudachiPy, cut after newlines
    (or after 。 or anywhere, for very long lines).

    >>> list(chunks("一行目\\n二行目", max_bytes=12))
    [(0, '一行目\\n'), (4, '二行目')]
    """
    start = 0
    while start < len(text):
        end = start
        size = 0
        cut = -1
        while end < len(text):
            size += len(text[end].encode("utf-8"))
            if size > max_bytes:
                break
            end += 1
            if text[end - 1] in "\n。":
                cut = end
        if end < len(text) and cut > start:
            end = cut
        yield start, text[start:end]
        start = end


def word_spans(text: str, mode: SplitModeName = "A") -> list[tuple[int, int]]:
    """SudachiPy's words as ``(begin, end)`` character offsets.

    >>> [(b, e) for b, e in word_spans("東京都庁へ行った")]
    [(0, 2), (2, 4), (4, 5), (5, 7), (7, 8)]
    """
    tok = _tokenizer(mode)
    spans: list[tuple[int, int]] = []
    for offset, chunk in chunks(text):
        spans.extend((offset + m.begin(), offset + m.end()) for m in tok.tokenize(chunk))
    return spans


def word_boundaries(text: str, mode: SplitModeName = "A") -> set[int]:
    """Offsets inside ``text`` that fall between two dictionary words (or beside whitespace).

    >>> sorted(word_boundaries("行ったので"))
    [2, 3, 4]
    >>> sorted(word_boundaries("国際連合\\n　です"))
    [2, 4, 5, 6]
    """
    bounds = {end for _, end in word_spans(text, mode)}
    for i, ch in enumerate(text):
        if ch.isspace():
            bounds.add(i)
            bounds.add(i + 1)
    bounds.discard(0)
    bounds.discard(len(text))
    return bounds


def presegment(text: str, mode: SplitModeName = "C", delimiter: str = PRESEGMENT_DELIMITER) -> str:
    """``text`` with ``delimiter`` between dictionary words, for training only.

    >>> presegment("吾輩は猫である", delimiter="|")
    '吾輩|は|猫|で|ある'
    """
    return delimiter.join(text[b:e] for b, e in word_spans(text, mode))


def boundary_precision(pieces: Iterable[tuple[int, int]], words: set[int]) -> tuple[int, int]:
    """``(on_word_boundary, total)`` over the boundaries between consecutive pieces.

    ``pieces`` are ``(begin, end)`` character spans in order; empty spans (the
    leading byte-fallback pieces of one character) add nothing, so a character
    spelled in bytes adds no boundary inside itself.

    >>> boundary_precision([(0, 2), (2, 3), (3, 5)], {2, 4})
    (1, 2)
    """
    ends = sorted({e for b, e in pieces if e > b})
    inner = ends[:-1]
    return sum(1 for e in inner if e in words), len(inner)
