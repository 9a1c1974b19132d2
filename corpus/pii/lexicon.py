"""Word lists the recognizers use: family and given names, prefectures, honorifics.

Names come from the MIT-licensed gimei lists bundled in ``corpus/pii/data/gimei``
(see its SOURCE.md). They are read once per process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data" / "gimei"

#: Suffixes that mark the word before them as a person's name (「山田さん」「鈴木様」).
HONORIFICS: tuple[str, ...] = ("さん", "様", "さま", "氏", "君", "くん", "ちゃん", "先生", "殿")

#: Labels after which a name follows (「氏名：山田太郎」「担当 鈴木」).
NAME_LABELS: tuple[str, ...] = (
    "氏名",
    "お名前",
    "名前",
    "担当者",
    "担当",
    "記入者",
    "申込者",
    "申請者",
    "連絡者",
    "代表者",
    "投稿者",
    "作成者",
    "責任者",
)

#: Words written with kanji that take さん/様/氏 but are not names (「社長さん」「ご先祖様」).
NOT_NAMES: frozenset[str] = frozenset(
    """
    皆 奥 客 神 王 殿 姉 兄 娘 嫁 妹 弟 母 父 祖母 祖父 叔母 叔父 伯母 伯父 息子 旦那 主人
    先祖 両親 親御 子供 子ども 赤子 坊 嬢 仏 観音 地蔵 天道 明神 稲荷 大黒 恵比寿 天神 菩薩 如来
    苦労 馳走 世話 互い 疲 待遠 気の毒 同 両 某 故 各 諸 貴 御 其 彼 彼女 此 当 該 本人 他 私
    先生 社長 部長 課長 係長 店長 院長 校長 会長 議長 所長 局長 署長 組長 総裁 大臣 知事 市長 町長 村長
    区長 首相 天皇 皇后 陛下 殿下 閣下 将軍 大名 家老 住職 和尚 神父 牧師 教授 博士 委員 理事 監督 選手
    医者 歯医者 患者 看護師 運転手 店員 駅員 車掌 大家 家主 八百屋 魚屋 酒屋 本屋 花屋 肉屋 米屋 床屋
    会員 利用者 購入者 お客 顧客 担当者 関係者 参加者 応募者 読者 視聴者 相談者 保護者 皆々 各位
    赤 婦 妊婦 主婦 看護婦 夫 妻 王女 王子 皇子 皇女 姫 人形 坊主 小僧 旦那 若旦那 女房
    未定 不明 不在 無し 募集 募集中 同上 本人 代理 代理人 匿名 名無し 空欄 記入 省略 非公開 調整中
    隣 近所 友達 友人 仲間 親戚 家族 夫婦 新郎 新婦 花嫁 婿 孫 曾孫 女将 若女将 大将 親方 師匠 弟子
    """.split()
)

#: Endings of kanji words that name a role, not a person (「八百屋」「相談員」「弁護士」).
NOT_NAME_ENDINGS: tuple[str, ...] = (
    "屋", "者", "員", "師", "長", "手", "士", "家", "官", "人", "生", "主", "方", "達", "様", "氏",
    "職", "業", "局", "社", "課", "部", "会", "店", "院", "所", "室", "庁", "省", "党", "団", "協",
    "校", "園", "館", "組", "軍", "隊",
)  # fmt: skip


@dataclass(frozen=True)
class NameLexicon:
    """Family and given names written in kanji (or kanji with kana), longest first."""

    family_names: tuple[str, ...]
    given_names: tuple[str, ...]

    @classmethod
    @cache
    def bundled(cls) -> NameLexicon:
        """The gimei lists shipped in ``corpus/pii/data/gimei/names.yaml``."""
        data = _load_yaml(DATA_DIR / "names.yaml")
        family = {row[0] for row in data["last_name"]}
        given = {row[0] for sex in ("male", "female") for row in data["first_name"][sex]}
        return cls(
            family_names=tuple(sorted(family, key=lambda s: (-len(s), s))),
            given_names=tuple(sorted(given, key=lambda s: (-len(s), s))),
        )

    @cached_property
    def _family_set(self) -> frozenset[str]:
        return frozenset(self.family_names)

    @cached_property
    def _given_set(self) -> frozenset[str]:
        return frozenset(self.given_names)

    def is_name(self, word: str) -> bool:
        """A family name, a given name, or a family name followed by a given name.

        >>> lex = NameLexicon.bundled()
        >>> lex.is_name("山田太郎"), lex.is_name("山田"), lex.is_name("社長")
        (True, True, False)
        """
        family, given = self._family_set, self._given_set
        if word in family or word in given:
            return True
        return any(word[:i] in family and word[i:] in given for i in range(1, len(word)))

    def is_not_a_name(self, word: str) -> bool:
        """A word that ends in a role or kin word (「社長」「先月奥」「八百屋」) and is no lexicon name.

        Spaces are ignored; a role ending (屋, 者, 長 …) is forgiven when the word ends in
        a lexicon given name (「中園直人」).

        >>> lex = NameLexicon.bundled()
        >>> [lex.is_not_a_name(w) for w in ("社長", "先月奥", "八百屋", "山田 太郎", "中園直人", "東雲")]
        [True, True, True, False, False, False]
        """
        word = word.replace(" ", "").replace("　", "")
        if self.is_name(word):
            return False
        if any(word[i:] in NOT_NAMES for i in range(len(word))):
            return True
        if word.endswith(NOT_NAME_ENDINGS):
            return not any(word[i:] in self._given_set for i in range(1, len(word) - 1))
        return False

    def family_alternation(self, min_len: int = 1) -> str:
        """Regex alternation of family names of at least ``min_len`` characters."""
        return alternation(n for n in self.family_names if len(n) >= min_len)

    def given_alternation(self, min_len: int = 1, kanji_only: bool = False) -> str:
        """Regex alternation of given names (``kanji_only`` drops 「より」-style kana names)."""
        return alternation(
            n for n in self.given_names if len(n) >= min_len and (not kanji_only or is_all_kanji(n))
        )


@cache
def prefectures() -> tuple[str, ...]:
    """The 47 prefectures as written in addresses (from the gimei address list).

    >>> prefectures()[:3], len(prefectures())
    (('北海道', '青森県', '岩手県'), 47)
    """
    data = _load_yaml(DATA_DIR / "addresses.yaml")
    return tuple(row[0] for row in data["addresses"]["prefecture"])


@cache
def kana_municipalities() -> tuple[str, ...]:
    """Municipalities whose names hold hiragana (さいたま市, 東かがわ市, 上北郡おいらせ町), each
    also without its 郡 (from the gimei address list): a kana run before 市/町 is otherwise
    a sentence's own words.

    >>> m = kana_municipalities()
    >>> "ひたちなか市" in m, "上北郡おいらせ町" in m, "おいらせ町" in m, "札幌市" in m
    (True, True, True, False)
    """
    data = _load_yaml(DATA_DIR / "addresses.yaml")
    names = {row[0] for row in data["addresses"]["city"] if re.search("[\u3041-\u309f]", row[0])}
    names |= {name.split("郡", 1)[1] for name in names if "郡" in name}
    names |= {re.sub("[^市区町村]+区$", "", name) for name in names}  # さいたま市 of さいたま市西区
    return tuple(sorted(names))


def alternation(words: Iterable[str]) -> str:
    """A non-capturing regex matching any of the literal ``words``, built as a trie.

    A trie (shared prefixes factored out) is many times faster than a flat
    alternation of thousands of names; the longest word still wins.

    >>> alternation(["山", "山田", "田中"])
    '(?:山(?:田)?|田中)'
    >>> bool(re.fullmatch(alternation(["佐藤", "佐々木"]), "佐々木"))
    True
    """
    trie: dict = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(trie.items()) if ch]
    return "(?:" + "|".join(branches) + ")"


def _trie_regex(node: dict) -> str:
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    if len(branches) == 1 and "" not in node:
        return branches[0]
    group = "(?:" + "|".join(branches) + ")"
    return group + "?" if "" in node else group


_KANJI = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff々〆ヶ]+$")


def is_all_kanji(word: str) -> bool:
    """True if every character is a kanji (or 々, 〆, ヶ).

    >>> is_all_kanji("佐々木"), is_all_kanji("より"), is_all_kanji("みどり子")
    (True, False, False)
    """
    return bool(_KANJI.match(word))


def _load_yaml(path: Path) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)
