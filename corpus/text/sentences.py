"""Splitting Japanese text into lines, paragraphs, sentences and clauses.

A sentence ends at 。！？ (and ．!?) together with any closing brackets after it, or at
a line end — the Swallow corpus quality code splits the same way (line by line, then
on 。．！？!?). A clause also ends at 、，: classical prose such as 樋口一葉's runs whole
paragraphs as one sentence held together by 、, so length limits meant to catch text
without any structure are applied to clauses.
"""

from __future__ import annotations

import re

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
