"""Normalizing Japanese text for classifiers.

fastText reads one line of whitespace-separated tokens; Japanese text needs its lines
folded and full-width Latin letters and digits made ASCII (NFKC) to be read like the
model's training text. Long documents are read in a few windows spread over the text
rather than whole, so a table of contents at the top does not decide the language.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def fold_whitespace(text: str) -> str:
    """Runs of whitespace (newlines, ideographic spaces) become one space.

    >>> fold_whitespace("吾輩は\\n\\n猫である。\\u3000名前は　まだ無い。 ")
    '吾輩は 猫である。 名前は まだ無い。'
    """
    return _WHITESPACE.sub(" ", text).strip()


def normalize_for_classifier(text: str) -> str:
    """NFKC and folded whitespace: the form fastText language ID reads.

    >>> normalize_for_classifier("ＡＩは\\n人工知能（ｼﾞﾝｺｳﾁﾉｳ）")
    'AIは 人工知能(ジンコウチノウ)'
    """
    return fold_whitespace(unicodedata.normalize("NFKC", text))


def sample_windows(text: str, window: int, count: int) -> list[str]:
    """Up to ``count`` windows of about ``window`` characters spread evenly over ``text``.

    A text no longer than ``window * count`` is returned whole. Windows start and end
    at whitespace when one is near, so words are not cut.

    >>> sample_windows("短い文書。", 100, 3)
    ['短い文書。']
    >>> [len(w) for w in sample_windows("あ" * 1000, 100, 3)]
    [100, 100, 100]
    """
    if len(text) <= window * count or count <= 1:
        return [text] if len(text) <= window * max(count, 1) else [text[:window]]
    step = (len(text) - window) / (count - 1)
    out = []
    for i in range(count):
        start = int(i * step)
        end = start + window
        if i:
            space = text.find(" ", start, start + 50)
            start = space + 1 if space >= 0 else start
        space = text.rfind(" ", end - 50, end)
        end = space if space > start else end
        out.append(text[start:end])
    return out
