"""Rules on which characters a text is made of: kana, kanji, symbols, URLs, mojibake."""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np

from corpus.quality.base import Bounds, Rule
from corpus.quality.profile import TextProfile
from corpus.text.chars import CharClass


class HiraganaRatio(Rule):
    """Drop text whose hiragana share of the Japanese letters is below ``min_ratio``.

    Japanese prose is carried by hiragana; lists, menus and Chinese are not. In katakana
    prose (旧法令 style) katakana plays that part and is counted instead.
    Default 0.2: Swallow corpus (Okazaki et al. 2024).

    >>> HiraganaRatio(0.2).check("吾輩は猫である。名前はまだ無い。")
    Keep()
    >>> HiraganaRatio(0.2).check("東京都千代田区千代田一丁目")
    Drop('hiragana_ratio<0.2')
    >>> HiraganaRatio(0.2).check("第一条　私権ノ享有ハ出生ニ始マル")
    Keep()
    """

    name: ClassVar[str] = "hiragana_ratio"

    def __init__(self, min_ratio: float | None = 0.2) -> None:
        self.min_ratio = min_ratio

    def measure(self, profile: TextProfile) -> dict[str, float]:
        return {"hiragana_ratio": profile.hiragana_ratio}

    def bounds(self) -> Bounds:
        return {"hiragana_ratio": (self.min_ratio, None)}


class KatakanaRatio(Rule):
    """Drop text whose katakana share of the Japanese letters is above ``max_ratio``.

    Catches product lists and keyword lines made of loanwords. Not applied to katakana
    prose, where katakana is the grammar. Default 0.5: Swallow corpus.

    >>> KatakanaRatio(0.5).check("ダイエットサプリ　ランキング　プロテイン　ショップ")
    Drop('katakana_ratio>0.5')
    >>> KatakanaRatio(0.5).check("人工知能（エーアイ）とは、計算機科学の一分野である。")
    Keep()
    """

    name: ClassVar[str] = "katakana_ratio"

    def __init__(self, max_ratio: float | None = 0.5) -> None:
        self.max_ratio = max_ratio

    def measure(self, profile: TextProfile) -> dict[str, float]:
        return {"katakana_ratio": profile.katakana_ratio}

    def bounds(self) -> Bounds:
        return {"katakana_ratio": (None, self.max_ratio)}


class JapaneseRatio(Rule):
    """Drop text whose Japanese letters (kana, kanji, 、，。．！？) are below ``min_ratio`` of it.

    Default 0.5: Swallow corpus.

    >>> JapaneseRatio(0.5).check("吾輩は猫である。名前はまだ無い。")
    Keep()
    >>> JapaneseRatio(0.5).check("SALE 50% OFF!! 今すぐ CLICK HERE >>> www.example.com")
    Drop('japanese_ratio<0.5')
    """

    name: ClassVar[str] = "japanese_ratio"

    def __init__(self, min_ratio: float | None = 0.5) -> None:
        self.min_ratio = min_ratio

    def measure(self, profile: TextProfile) -> dict[str, float]:
        return {"japanese_ratio": profile.japanese_ratio}

    def bounds(self) -> Bounds:
        return {"japanese_ratio": (self.min_ratio, None)}


class SymbolRatio(Rule):
    """Drop text in which symbols (★■→※＃＠$%&*+=|<> …) exceed ``max_ratio`` of the characters.

    Punctuation such as 「」（）・… is not a symbol here. Gopher (Rae et al. 2021) limits
    the symbol-to-word ratio to 0.1; counted per character as here, clean Japanese stays
    far below that (measured: 99th percentile < 0.02 on Aozora, laws and Wikipedia).

    >>> SymbolRatio(0.1).check("吾輩は猫である。名前はまだ無い。")
    Keep()
    >>> SymbolRatio(0.1).check("★★★激安★★★\\n■■送料無料■■\\n→→→今すぐ←←←")
    Drop('symbol_ratio>0.1')
    """

    name: ClassVar[str] = "symbol_ratio"

    def __init__(self, max_ratio: float | None = 0.1) -> None:
        self.max_ratio = max_ratio

    def measure(self, profile: TextProfile) -> dict[str, float]:
        n = profile.char_count
        return {"symbol_ratio": profile.counts[CharClass.SYMBOL] / n if n else 0.0}

    def bounds(self) -> Bounds:
        return {"symbol_ratio": (None, self.max_ratio)}


_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL = re.compile(rf"(?:https?|ftp)://{_URL_CHARS}+|www\.[A-Za-z0-9.-]+{_URL_CHARS}*")


class UrlRatio(Rule):
    """Drop text of which URLs make up more than ``max_ratio`` of the characters.

    Link farms and lists of links are not prose. Default 0.2: ours (clean Japanese
    documents measured below 0.05; a page of links is above 0.5).

    >>> UrlRatio(0.2).check("この催しの日程と会場は、主催する団体の公式サイト https://example.jp に載っています。参加を希望する方は、前日までに申し込んでください。"
    ...     "当日は混雑が予想されますので、公共の交通機関をご利用ください。")
    Keep()
    >>> UrlRatio(0.2).check("リンク集\\nhttps://a.example.com/x\\nhttps://b.example.com/y\\nhttp://c.example.net/")
    Drop('url_ratio>0.2')
    """

    name: ClassVar[str] = "url_ratio"

    def __init__(self, max_ratio: float | None = 0.2) -> None:
        self.max_ratio = max_ratio

    def measure(self, profile: TextProfile) -> dict[str, float]:
        n = profile.char_count
        if not n or ("://" not in profile.text and "www." not in profile.text):
            return {"url_ratio": 0.0}
        return {"url_ratio": sum(len(m) for m in _URL.findall(profile.text)) / n}

    def bounds(self) -> Bounds:
        return {"url_ratio": (None, self.max_ratio)}


#: Characters that text decoded with the wrong encoding is full of: Latin-1 supplement
#: and C1 controls (UTF-8 or Shift_JIS read as Latin-1/cp1252), U+FFFD, and 縺繧繝 —
#: what the UTF-8 lead bytes of hiragana and katakana (E3 81–83) become when read as cp932.
_MOJIBAKE_KANJI = np.array([ord("縺"), ord("繧"), ord("繝")], dtype=np.uint32)


class MojibakeRatio(Rule):
    """Drop text in which signs of a wrong decoding exceed ``max_ratio`` of the characters.

    Default 0.02: ours (clean Japanese measured at 0 on Aozora, laws and Wikipedia;
    mojibake of Japanese runs from 0.3 to 0.9).

    >>> MojibakeRatio(0.02).check("吾輩は猫である。名前はまだ無い。")
    Keep()
    >>> MojibakeRatio(0.02).check("吾輩は猫である。".encode("utf-8").decode("latin-1"))
    Drop('mojibake_ratio>0.02')
    >>> MojibakeRatio(0.02).check("吾輩は猫である。".encode("utf-8").decode("cp932", "replace"))
    Drop('mojibake_ratio>0.02')
    """

    name: ClassVar[str] = "mojibake_ratio"

    def __init__(self, max_ratio: float | None = 0.02) -> None:
        self.max_ratio = max_ratio

    def measure(self, profile: TextProfile) -> dict[str, float]:
        n = profile.char_count
        if not n:
            return {"mojibake_ratio": 0.0}
        cps = profile.code_points
        latin1 = np.count_nonzero((cps >= 0x80) & (cps <= 0xFF))
        broken = profile.counts[CharClass.BROKEN]
        misread = np.count_nonzero(np.isin(cps, _MOJIBAKE_KANJI))
        return {"mojibake_ratio": (int(latin1) + broken + int(misread)) / n}

    def bounds(self) -> Bounds:
        return {"mojibake_ratio": (None, self.max_ratio)}
