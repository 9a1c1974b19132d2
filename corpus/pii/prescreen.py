"""Cheap candidate search: only windows around a possible PII reach presidio.

Presidio's engine costs a spaCy pass per text (about 130 k characters per second with
a blank ``ja`` pipeline); a corpus document rarely holds personal data. One compiled
``re`` alternation finds *anchors* — an ``@``, a digit group shaped like a phone,
card, My Number, postal code or IP address, a 丁目/番地 block, a Kyoto 上ル/下ル
address, and (when names are
masked) a kanji word before an honorific, a name label, or a lexicon full name. The
windows around anchors (merged, widened so no number or word is cut) are all the
engine sees; a document without an anchor is never analyzed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from corpus.pii.lexicon import NAME_LABELS, NameLexicon, alternation

_D = "[0-9０-９]"
_SEP = "[-‐‑–—−－ー― 　()（）]"
#: not the continuation of a number (「2013-02-02」 holds no phone number 「02-02」)
_NOT_AFTER_NUMBER = "(?<![0-9０-９])(?<![0-9０-９][-‐－ー−―])"

#: Anchors of pattern PII (always searched). Kept as separate expressions: ``re`` is
#: many times faster on each alone than on their alternation.
PATTERN_ANCHORS: tuple[str, ...] = tuple(
    [
        "[@＠]",
        "[+＋][ 　]?[8８][1１]",
        # a telephone number in groups: 0 + area code, then two more groups
        f"{_NOT_AFTER_NUMBER}[(（]?[0０]{_D}{{0,4}}{_SEP}{{1,3}}{_D}{{1,4}}{_SEP}{{1,3}}{_D}{{3}}",
        # unseparated numbers (phone, My Number, card, account …), not inside URLs or codes
        f"(?<![/=_A-Za-z]){_D}{{6,}}",
        # three groups of four (My Number, card)
        f"{_NOT_AFTER_NUMBER}{_D}{{4}}[-‐－ー−― 　]{_D}{{4}}[-‐－ー−― 　]{_D}{{4}}",
        # a postal code
        f"{_NOT_AFTER_NUMBER}{_D}{{3}}[-‐－ー−―]{_D}{{4}}(?![0-9０-９])",
        r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}",
        "[0-9A-Fa-f]{1,4}::|::[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){4,}",
        "丁目|番地|〒",
        # a Kyoto address: crossing street, direction, town, then a bare number
        "(?:上|下|西入|東入)[ルる][^\\n、。]{0,12}?[0-9０-９]",
        "[0-9０-９一二三四五六七八九十]番[0-9０-９一二三四五六七八九十]",
        f"[市区町村][^\\n、。]{{0,14}}?{_D}{{1,4}}[-‐－ー−―]{_D}",
    ]
)

_HAN = "[\u3400-\u9fff\uf900-\ufaff々〆ヶ]"
#: Anchors of person names (searched only where names are masked).
NAME_ANCHORS: tuple[str, ...] = tuple(
    [
        f"{_HAN}(?:さん|様|さま|氏|君|くん|ちゃん|先生|殿)",
        alternation(NAME_LABELS),
    ]
)

#: Characters a window edge must not fall between (numbers, addresses, words).
_JOINED = re.compile(
    r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ@＠._:\-‐－ー−―\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヶ]"
)


@dataclass(frozen=True)
class Prescreen:
    """Finds the windows of a text that may hold PII.

    >>> p = Prescreen(margin=8)
    >>> text = "吾輩は猫である。名前はまだ無い。連絡先は090-1234-5678です。"
    >>> [text[a:b] for a, b in p.windows(text, names=False)]
    ['名前はまだ無い。連絡先は090-1234-5678です。']
    >>> p.windows("吾輩は猫である。", names=True)
    []
    """

    margin: int = 64
    #: how far a window edge may move to avoid cutting a word or number
    max_extend: int = 32

    @cached_property
    def _patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in PATTERN_ANCHORS)

    @cached_property
    def _with_names(self) -> tuple[re.Pattern[str], ...]:
        lex = NameLexicon.bundled()
        full_name = lex.family_alternation(min_len=2) + "[ 　]?" + lex.given_alternation(2, True)
        names = tuple(re.compile(p) for p in (*NAME_ANCHORS, full_name))
        return self._patterns + names

    def anchors(self, text: str, names: bool) -> list[tuple[int, int]]:
        """Sorted ``(start, end)`` of every anchor."""
        found = [
            m.span()
            for p in (self._with_names if names else self._patterns)
            for m in p.finditer(text)
        ]
        return sorted(found)

    def windows(self, text: str, names: bool) -> list[tuple[int, int]]:
        """Sorted, disjoint ``(start, end)`` windows around every anchor."""
        windows: list[tuple[int, int]] = []
        for a_start, a_end in self.anchors(text, names):
            if windows and a_start + self.margin <= windows[-1][1]:
                start = windows[-1][0]
            else:
                start = self._left_edge(text, max(0, a_start - self.margin))
            end = self._right_edge(text, min(len(text), a_end + self.margin))
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
            else:
                windows.append((start, end))
        return windows

    def _left_edge(self, text: str, start: int) -> int:
        limit = max(0, start - self.max_extend)
        while start > limit and _JOINED.match(text, start - 1):
            start -= 1
        return start

    def _right_edge(self, text: str, end: int) -> int:
        limit = min(len(text), end + self.max_extend)
        while end < limit and _JOINED.match(text, end):
            end += 1
        return end
