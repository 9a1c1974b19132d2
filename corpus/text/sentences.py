"""Splitting Japanese text into lines, paragraphs, sentences and clauses.

A sentence ends at 。！？ (and ．!?) together with any closing brackets after it, or at
a line end — the Swallow corpus quality code splits the same way (line by line, then
on 。．！？!?). A clause also ends at 、，: classical prose such as 樋口一葉's runs whole
paragraphs as one sentence held together by 、, so length limits meant to catch text
without any structure are applied to clauses.
"""

from __future__ import annotations

import re

import numpy as np

_SENTENCE = re.compile(r"[^。．！？!?\n]+(?:[。．！？!?]+[」』）)〕］】〉》”’]*)?|[。．！？!?]+")
_CLAUSE = re.compile(
    r"[^。．！？!?、，\n]+(?:[。．！？!?、，]+[」』）)〕］】〉》”’]*)?|[。．！？!?、，]+"
)
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


def lines(text: str) -> list[str]:
    """Non-blank lines, stripped of surrounding whitespace.

    >>> lines("吾輩は猫である。\\n\\n　名前はまだ無い。\\n")
    ['吾輩は猫である。', '名前はまだ無い。']
    """
    return [s for s in (ln.strip() for ln in text.split("\n")) if s]


def paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, stripped.

    >>> paragraphs("一行目\\n二行目\\n\\n次の段落")
    ['一行目\\n二行目', '次の段落']
    """
    return [s for s in (p.strip() for p in _BLANK_LINE.split(text)) if s]


def split_sentences(text: str) -> list[str]:
    """Sentences: split at 。．！？!? (closing brackets stay with their sentence) and at line ends.

    >>> split_sentences("「おい、待て。」と彼は言った。本当か？\\n見出し")
    ['「おい、待て。」', 'と彼は言った。', '本当か？', '見出し']
    """
    return [s for s in (m.strip() for m in _SENTENCE.findall(text)) if s]


def split_clauses(text: str) -> list[str]:
    """Clauses: sentences further split at 、，.

    >>> split_clauses("廻れば大門の見返り柳いと長けれど、お齒ぐろ溝に燈火うつる")
    ['廻れば大門の見返り柳いと長けれど、', 'お齒ぐろ溝に燈火うつる']
    """
    return [s for s in (m.strip() for m in _CLAUSE.findall(text)) if s]


_TERMINATOR, _COMMA, _CLOSER, _SPACE, _NEWLINE = 1, 2, 4, 8, 16


def _flag_table() -> np.ndarray:
    """Punctuation flags of every BMP code point (one lookup classifies a whole text)."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for chars, flag in (
        ("。．！？!?", _TERMINATOR),
        ("、，", _COMMA),
        ("」』）)〕］】〉》”’", _CLOSER),
        (" \t\r\x0b\x0c\u3000", _SPACE),
        ("\n", _NEWLINE | _SPACE),
    ):
        for ch in chars:
            table[ord(ch)] |= flag
    return table


_FLAGS = _flag_table()


def _flags(cps: np.ndarray) -> np.ndarray:
    return _FLAGS[np.minimum(cps, 0xFFFF)]


def sentence_ends(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Length and last counted character's index of every sentence of the code points ``cps``.

    Same splitting as :func:`split_sentences` (a run of 。．！？!? ends a sentence, and a
    line end does), computed without a Python loop; whitespace and closing brackets do
    not count toward a length, and a piece made only of them is not a sentence.

    >>> from corpus.text.chars import code_points
    >>> lengths, last = sentence_ends(code_points("「おい、待て。」と彼は言った。本当か！？\\n見出し"))
    >>> lengths.tolist(), last.tolist()
    ([7, 7, 5, 3], [6, 14, 19, 23])
    """
    n = len(cps)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    flags = _flags(cps)
    term = (flags & _TERMINATOR).astype(bool)
    last_of_run = term & ~np.append(term[1:], False)
    cuts = np.flatnonzero(last_of_run | (flags & _NEWLINE).astype(bool)) + 1
    if not len(cuts) or cuts[-1] != n:
        cuts = np.append(cuts, n)
    content = (flags & (_SPACE | _CLOSER)) == 0
    cum = np.concatenate(([0], np.cumsum(content)))
    lengths = cum[cuts] - cum[np.concatenate(([0], cuts[:-1]))]
    last_content = np.maximum.accumulate(np.where(content, np.arange(n), -1))
    keep = lengths > 0
    return lengths[keep], last_content[cuts[keep] - 1]


def sentence_lengths(cps: np.ndarray) -> np.ndarray:
    """Length of every sentence (see :func:`sentence_ends`)."""
    return sentence_ends(cps)[0]


def max_clause_length(cps: np.ndarray) -> int:
    """The longest stretch of characters without 。．！？!?、， or a line end.

    >>> from corpus.text.chars import code_points
    >>> max_clause_length(code_points("廻れば大門の見返り柳いと長けれど、お齒ぐろ溝に燈火うつる"))
    16
    """
    if not len(cps):
        return 0
    stops = np.flatnonzero(_flags(cps) & (_TERMINATOR | _COMMA | _NEWLINE))
    edges = np.concatenate(([-1], stops, [len(cps)]))
    return int(np.diff(edges).max() - 1)
