"""Presidio recognizers for Japanese personal data.

Each recognizer is a presidio ``PatternRecognizer`` for one :class:`PiiType`, written
for Japanese text:

* no ``\\b`` word boundaries: kana and kanji are word characters, so
  「電話09012345678」 has no boundary before the 0. Edges are digit (or ASCII)
  look-arounds instead;
* full-width digits (０-９) and the dashes Japanese text uses (－, ー, −, ‐) count;
* check digits decide for 個人番号, 法人番号 and card numbers (``validate_result``),
  the numbering plan for telephone numbers (``invalidate_result``);
* weak patterns (a bare 7-digit number, a 10-digit run) score below the threshold
  and are raised above it only by presidio's context enhancer when a context word
  (口座, 電話, 郵便 …) is near.

Scores: validated identifiers 1.0, strong patterns 0.6–0.9, NER persons 0.5 (see
:mod:`corpus.pii.analyzer`), so a pattern wins wherever it overlaps an NER span.
"""

from __future__ import annotations

import ipaddress

import regex

from corpus.pii.checksums import (
    ascii_digits,
    is_corporate_number,
    is_japanese_phone_number,
    is_my_number,
    is_payment_card,
)
from corpus.pii.entities import PiiType
from corpus.pii.lexicon import (
    HONORIFICS,
    NAME_LABELS,
    NameLexicon,
    alternation,
    kana_municipalities,
    prefectures,
)
from corpus.pii.presidio import Pattern as PresidioPattern
from corpus.pii.presidio import PatternRecognizer

LANGUAGE = "ja"
#: Flags for every pattern: no IGNORECASE (case-insensitive parts say ``(?i:…)``).
FLAGS = regex.DOTALL | regex.MULTILINE

D = "[0-9０-９]"
DASH = "[-‐‑–—−－ー―]"
SEP = f"(?:[ 　]|{DASH})"
#: not inside a longer number: no digit (optionally joined by a dash or dot) right before
NO_DIGIT_BEFORE = rf"(?<!{D}(?:{DASH}|[.,．，])?)"
#: not followed by more digits (optionally joined by a dash or dot)
NO_DIGIT_AFTER = rf"(?!(?:{DASH}|[.,．，])?{D})"
#: not the tail of a longer grouped number or of a code such as 「A-20240917-2425」
NO_CODE_BEFORE = rf"(?<!{D}{SEP}|[A-Za-z]{DASH}?){NO_DIGIT_BEFORE}"
#: not followed by another group with the same separator (「4111 1111 1111 1111」 is no
#: My Number); needs the pattern's separator captured as ``sep``
NO_GROUP_AFTER = rf"(?!(?P=sep){D}){NO_DIGIT_AFTER}"
#: between the groups of a telephone number: a dash, a space or a bracket (03(1234)5678)
PHONE_SEP = rf"(?:[ 　]?[()（）][ 　]?|[ 　]?{DASH}[ 　]?|[ 　])"


_compile = regex.compile


class Pattern(PresidioPattern):
    """A presidio ``Pattern`` compiled once, with the flags it is matched with.

    presidio compiles each pattern without flags to check it and again with the
    recognizer's flags when it first matches; the person-name lexicon alone (tries of
    thousands of names) took 1.3 s of CPU each time, in every worker. An invalid
    pattern still raises ``regex.error`` here.

    >>> Pattern("ex", r"[0-9０-９]{3}", 0.5).compiled_regex.findall("電話１２３")
    ['１２３']
    """

    def __init__(self, name: str, regex: str, score: float) -> None:
        # not presidio's __init__, which would compile once more to validate
        self.name, self.regex, self.score = name, regex, score
        self.compiled_regex = _compile(regex, flags=FLAGS)
        self.compiled_with_flags = FLAGS


class JapaneseRecognizer(PatternRecognizer):
    """A pattern recognizer for Japanese text; subclasses set ENTITY, PATTERNS, CONTEXT."""

    ENTITY: PiiType
    PATTERNS: list[Pattern] = []
    CONTEXT: list[str] = []

    def __init__(self, patterns: list[Pattern] | None = None) -> None:
        super().__init__(
            supported_entity=self.ENTITY.value,
            name=type(self).__name__,
            supported_language=LANGUAGE,
            patterns=patterns or [Pattern(p.name, p.regex, p.score) for p in self.PATTERNS],
            context=list(self.CONTEXT),
            global_regex_flags=FLAGS,
        )


class EmailRecognizer(JapaneseRecognizer):
    """E-mail addresses, ASCII only so that neighbouring kana are never taken in.

    >>> r = EmailRecognizer()
    >>> [("メールはtaro.yamada@example.co.jpまで。"[x.start:x.end]) for x in r.analyze("メールはtaro.yamada@example.co.jpまで。", ["EMAIL"])]
    ['taro.yamada@example.co.jp']
    """

    ENTITY = PiiType.EMAIL
    PATTERNS = [
        Pattern(
            "email",
            r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}[@＠]"
            r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
            r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}"
            r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])",
            0.9,
        )
    ]
    CONTEXT = ["メール", "mail", "連絡", "アドレス"]


class PhoneRecognizer(JapaneseRecognizer):
    """Japanese telephone numbers: mobiles, landlines, 0120/0800, ``+81``.

    Grouped forms (hyphens, spaces, brackets, full-width digits, ー/－ dashes) score
    0.7; an unseparated mobile 0.6; an unseparated 10-digit landline 0.4, which needs
    a context word (電話, TEL, 携帯 …). The digit count must fit the numbering plan.

    >>> r = PhoneRecognizer()
    >>> t = "お問い合わせ：０３（１２３４）５６７８／携帯（090-1234-5678）／(06) 6123-4567"
    >>> [t[x.start:x.end] for x in sorted(r.analyze(t, ["PHONE"]), key=lambda x: x.start)]
    ['０３（１２３４）５６７８', '090-1234-5678', '(06) 6123-4567']
    >>> r.analyze("2023-04-01 と 1234-5678", ["PHONE"])
    []
    """

    ENTITY = PiiType.PHONE
    PATTERNS = [
        Pattern(
            "phone_grouped",
            rf"{NO_DIGIT_BEFORE}(?:[(（][ 　]?[0０]{D}{{0,4}}[ 　]?[)）][ 　]?|[0０]{D}{{0,4}}{PHONE_SEP})"
            rf"{D}{{1,4}}{PHONE_SEP}{D}{{3,4}}{NO_DIGIT_AFTER}",
            0.7,
        ),
        Pattern(
            "phone_mobile_unseparated",
            rf"{NO_DIGIT_BEFORE}[0０][5789５７８９][0０]{D}{{8}}{NO_DIGIT_AFTER}",
            0.6,
        ),
        Pattern(
            "phone_unseparated", rf"{NO_DIGIT_BEFORE}[0０][1-9１-９]{D}{{8}}{NO_DIGIT_AFTER}", 0.4
        ),
        Pattern(
            "phone_international",
            rf"[+＋][ 　]?[8８][1１]{SEP}?(?:[(（][0０][)）]{SEP}?)?{D}{{1,4}}"
            rf"(?:{SEP}?{D}{{1,4}}){{0,2}}{NO_DIGIT_AFTER}",
            0.7,
        ),
    ]
    CONTEXT = [
        "電話",
        "tel",
        "携帯",
        "連絡",
        "fax",
        "ファックス",
        "ファクス",
        "問い合わせ",
        "問合せ",
        "問合わせ",
        "☎",
        "℡",
        "phone",
    ]

    def invalidate_result(self, pattern_text: str) -> bool:
        return not is_japanese_phone_number(pattern_text)


class MyNumberRecognizer(JapaneseRecognizer):
    """個人番号 (My Number): 12 digits, 4-4-4 groups allowed, valid check digit only.

    >>> r = MyNumberRecognizer()
    >>> [x.score for x in r.analyze("マイナンバー：1234 5678 9018", ["MY_NUMBER"])]
    [1.0]
    >>> r.analyze("注文番号 1234 5678 9019", ["MY_NUMBER"])
    []
    """

    ENTITY = PiiType.MY_NUMBER
    PATTERNS = [
        Pattern(
            "my_number",
            rf"{NO_CODE_BEFORE}{D}{{4}}(?P<sep>{SEP}?){D}{{4}}(?P=sep){D}{{4}}{NO_GROUP_AFTER}",
            0.5,
        )
    ]
    CONTEXT = ["マイナンバー", "個人番号"]

    def validate_result(self, pattern_text: str) -> bool:
        return is_my_number(pattern_text)


class CorporateNumberRecognizer(JapaneseRecognizer):
    """法人番号 (13 digits, leading check digit), also as an invoice number ``T…``.

    Public information; masked only when the stage asks for it.

    >>> r = CorporateNumberRecognizer()
    >>> t = "登録番号：T7000012050002（ISBN9784101010014 は別）"
    >>> [t[x.start:x.end] for x in r.analyze(t, ["CORPORATE_NUMBER"])]
    ['T7000012050002']
    """

    ENTITY = PiiType.CORPORATE_NUMBER
    PATTERNS = [
        Pattern(
            "corporate_number",
            rf"(?<!(?i:isbn|jan|ean)[ 　:：\-]{{0,2}}){NO_DIGIT_BEFORE}(?:[TＴ][ 　]?)?{D}{{13}}{NO_DIGIT_AFTER}",
            0.5,
        )
    ]
    CONTEXT = ["法人番号", "登録番号", "インボイス"]

    def validate_result(self, pattern_text: str) -> bool:
        return is_corporate_number(pattern_text)


class CreditCardRecognizer(JapaneseRecognizer):
    """Payment card numbers: 13–19 digits in 4-digit groups (or Amex 4-6-5), Luhn-valid.

    >>> r = CreditCardRecognizer()
    >>> t = "カード番号４１１１－１１１１－１１１１－１１１１でお支払い"
    >>> [t[x.start:x.end] for x in r.analyze(t, ["CREDIT_CARD"])]
    ['４１１１－１１１１－１１１１－１１１１']
    """

    ENTITY = PiiType.CREDIT_CARD
    PATTERNS = [
        Pattern(
            "card_grouped",
            rf"{NO_CODE_BEFORE}{D}{{4}}(?P<sep>{SEP}?){D}{{4}}(?P=sep){D}{{4}}(?P=sep){D}{{1,7}}{NO_GROUP_AFTER}",
            0.5,
        ),
        Pattern(
            "card_amex",
            rf"{NO_CODE_BEFORE}[3３]{D}{{3}}(?P<sep>{SEP}?){D}{{6}}(?P=sep){D}{{5}}{NO_GROUP_AFTER}",
            0.5,
        ),
    ]
    CONTEXT = ["カード", "card", "クレジット"]

    def validate_result(self, pattern_text: str) -> bool:
        return is_payment_card(pattern_text)


class PostalCodeRecognizer(JapaneseRecognizer):
    """郵便番号: after 〒 or 郵便番号, before a prefecture, or bare with context.

    >>> r = PostalCodeRecognizer()
    >>> t = "〒100-0005 東京都千代田区丸の内"
    >>> [(t[x.start:x.end], x.score) for x in r.analyze(t, ["POSTAL_CODE"])]
    [('100-0005', 0.9)]
    """

    ENTITY = PiiType.POSTAL_CODE
    CONTEXT = ["郵便", "〒", "住所", "所在地", "送付先", "届け先"]

    def __init__(self) -> None:
        postal = rf"{D}{{3}}{DASH}{D}{{4}}"
        marked = r"(?<=(?:〒|〠|郵便番号|郵便|ゆうびん)[ 　]{0,2}[:：]?[ 　]{0,2})"
        super().__init__(
            [
                Pattern("postal_marked", rf"{marked}(?:{postal}|{D}{{7}}){NO_DIGIT_AFTER}", 0.9),
                Pattern(
                    "postal_before_prefecture",
                    rf"{NO_DIGIT_BEFORE}{postal}(?=[ 　]{{0,2}}{alternation(prefectures())})",
                    0.8,
                ),
                Pattern("postal_bare", rf"{NO_DIGIT_BEFORE}{postal}{NO_DIGIT_AFTER}", 0.3),
            ]
        )


class IpAddressRecognizer(JapaneseRecognizer):
    """IPv4 and IPv6 addresses (IPv6 checked by :mod:`ipaddress`); not version numbers.

    >>> r = IpAddressRecognizer()
    >>> t = "接続元は192.168.10.25、v2.10.3.1 は版番号"
    >>> [t[x.start:x.end] for x in r.analyze(t, ["IP_ADDRESS"])]
    ['192.168.10.25']
    """

    ENTITY = PiiType.IP_ADDRESS
    _OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    PATTERNS = [
        Pattern(
            "ipv4",
            rf"(?<![0-9.]|(?i:v|ver\.?|version|バージョン)[ 　]?){_OCTET}(?:\.{_OCTET}){{3}}(?![0-9]|\.[0-9])",
            0.6,
        ),
        Pattern(
            "ipv6",
            r"(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:])",
            0.5,
        ),
    ]
    CONTEXT = ["ip", "アドレス", "サーバ", "ホスト", "接続"]

    def validate_result(self, pattern_text: str) -> bool | None:
        if ":" not in pattern_text:
            return None
        if sum(ch not in ":" for ch in pattern_text) < 4:
            return False
        try:
            ipaddress.IPv6Address(pattern_text)
        except ValueError:
            return False
        return True


class BankAccountRecognizer(JapaneseRecognizer):
    """口座番号: 7 digits after 口座/普通/当座, or near 支店/預金 (context enhancer).

    >>> r = BankAccountRecognizer()
    >>> t = "振込先：みずほ銀行 新宿支店 普通預金 1234567"
    >>> [(t[x.start:x.end], x.score) for x in r.analyze(t, ["BANK_ACCOUNT"])]
    [('1234567', 0.85)]
    """

    ENTITY = PiiType.BANK_ACCOUNT
    _ACCOUNT = rf"{NO_DIGIT_BEFORE}{D}{{6,8}}{NO_DIGIT_AFTER}"
    PATTERNS = [
        Pattern(
            "account_after_label",
            rf"(?<=(?:口座番号|口座|普通|当座|総合|貯蓄)(?:預金)?[ 　]{{0,2}}[:：）)]?[ 　]{{0,2}}(?:No\.?|番号)?[ 　:：]{{0,2}}){_ACCOUNT}",
            0.85,
        ),
        Pattern("account_bare", _ACCOUNT, 0.2),
    ]
    CONTEXT = ["口座", "支店", "普通", "当座", "預金", "振込", "振り込み", "銀行"]


class AddressRecognizer(JapaneseRecognizer):
    """Street addresses: (prefecture) + municipality + town + house number (+ building, room).

    An address stops being personal above house level, so a house number is required
    (「二丁目5番地」「2番3号」「1-2-3」, not 「砂津二丁目」); a building and room
    (「サンハイツ203号室」「ハイツ青葉 1302」「第2山田ビル 4階」, 「1-2-3-405」) go with it,
    as one span. The forms: 丁目/番地/号 with or without the last number, Sapporo's
    条・丁目 grid (「北3条西4丁目1-2」), Kyoto's streets (「河原町通三条上ル下丸屋町390」),
    大字/字, full-width digits and kanji numerals. Addresses written wholly in kanji
    numerals (「渋谷一丁目五番六号」) are the style of laws and official notices, where
    they name offices: they score below the threshold unless a context word (住所, 自宅,
    在住, 所在地, 会場 …) is near.

    >>> r = AddressRecognizer()
    >>> t = "住所：神奈川県横浜市西区みなとみらい二丁目3番1号に移転"
    >>> [t[x.start:x.end] for x in r.analyze(t, ["ADDRESS"])]
    ['神奈川県横浜市西区みなとみらい二丁目3番1号']
    >>> t = "京都市中京区河原町通三条上ル下丸屋町390 サンハイツ203号室まで"
    >>> [t[x.start:x.end] for x in r.analyze(t, ["ADDRESS"])]
    ['京都市中京区河原町通三条上ル下丸屋町390 サンハイツ203号室']
    >>> [x.score for x in r.analyze("東京都渋谷区渋谷一丁目五番六号", ["ADDRESS"])]
    [0.4]
    >>> r.analyze("平成十五年法律第五十七号第三条第二項", ["ADDRESS"])
    []
    """

    ENTITY = PiiType.ADDRESS
    CONTEXT = [
        "住所", "自宅", "実家", "在住", "住む", "送付", "届け", "宛先", "転居", "〒", "郵便",
        "所在地", "会場", "店舗", "本社", "事務所", "アクセス",
    ]  # fmt: skip
    #: score of an address without Arabic digits (raised only by context)
    KANJI_ONLY_SCORE = 0.4

    def __init__(self) -> None:
        num = r"(?<!第)(?:[0-9０-９]{1,4}|[一二三四五六七八九十百〇]{1,4})"
        arabic = r"[0-9０-９]{1,4}"
        # a building and room after the house number: 「サンハイツ203号室」「グリーンコート1005」
        # 「第2山田ビル 4階」「ハイツ青葉 B棟101」「MKビル5F」 (not 「午前7時」「営業時間10:00」)
        name = r"[\p{Katakana}\p{Han}ー・A-Za-zＡ-Ｚａ-ｚ&＆][\p{Katakana}\p{Han}ー・A-Za-zＡ-Ｚａ-ｚ0-9０-９&＆]{1,19}?"
        room = (
            rf"(?:{arabic}(?:号室|号|階|[FＦ](?![A-Za-z]))"
            rf"|(?:[A-ZＡ-Ｚ]棟[ 　]?)?{arabic}(?:号室?)?(?![.．:：0-9０-９\p{{Han}}A-Za-z]|{DASH}))"
        )
        building = rf"(?:[ 　]?{name}[ 　]?{room}|{DASH}{arabic}(?![0-9０-９]))?"
        house = (
            rf"(?:{num}丁目{num}(?:番地?|号|{DASH}{arabic}(?:{DASH}{arabic})?)?(?:の?{num}号?)?"
            rf"|{num}番地(?:の?{num})?(?:{DASH}{arabic})?"
            rf"|{num}番{num}号?"
            rf"|{arabic}(?:{DASH}{arabic}){{1,2}})"
            r"(?![0-9０-９])"
            f"{building}"
        )
        # one kana between kanji is part of a town name (丸の内, 霞が関, 薫る坂), and a kana
        # run before 町 (ききょう町), 通り (新通り); two elsewhere are not. Numbered 条/線 blocks belong to
        # the town (札幌市中央区北1条西).
        kanji_town = (
            r"(?:[\p{Han}\p{Katakana}ヶケ々ー]|(?<=[\p{Han}\p{Katakana}])\p{Hiragana}(?=[\p{Han}\p{Katakana}])"
            r"|(?<=\p{Han})\p{Hiragana}{2,5}(?=[町村])"
            r"|(?<=通)り"
            r"|[0-9０-９]{1,2}(?=[条線]))"
            r"{0,12}?"
        )
        town_after_pref = (
            rf"(?:\p{{Hiragana}}{{2,8}}(?=[\p{{Han}}\p{{Katakana}}0-9０-９]))?{kanji_town}"
        )
        town_after_city = rf"(?:\p{{Hiragana}}{{2,8}}(?=[\p{{Han}}\p{{Katakana}}]))?{kanji_town}"
        city_chars = r"[\p{Han}\p{Katakana}ヶケ々ノ]"
        # kana city names: after a 郡 (上北郡おいらせ町) or as a city (かほく市, さいたま市)
        city = (
            rf"(?:{alternation(kana_municipalities())}"
            rf"|{city_chars}{{1,5}}郡(?:\p{{Hiragana}}{{2,6}}[町村]|{city_chars}{{1,6}}?[町村])"
            rf"|(?<!\p{{Hiragana}})\p{{Hiragana}}{{2,6}}市"
            rf"|{city_chars}{{1,6}}?[市区町村])(?:[\p{{Han}}ヶ々]{{1,3}}?区)?"
        )
        city_after_pref = r"(?:[\p{Han}\p{Hiragana}\p{Katakana}ヶケ々ノ]{1,6}郡)?[\p{Han}\p{Hiragana}\p{Katakana}ヶケ々ノ]{1,8}?[市区町村](?:[\p{Han}ヶ々]{1,3}?区)?"
        pref = alternation(prefectures())
        # Kyoto: street (通), crossing street, direction (上ル 下ル 西入ル 東入ル, also る),
        # town, then the number, often bare: 「河原町通三条上ル下丸屋町390」
        direction = r"(?:上|下|西入|東入)[ルる]"
        kyoto_town = (
            r"(?:[\p{Han}\p{Katakana}ヶケ々ー]|(?<=[\p{Han}\p{Katakana}])\p{Hiragana}(?=[\p{Han}\p{Katakana}])"
            r"|(?<=[ルる])\p{Hiragana}{2,5}(?=\p{Han}))"
            r"{0,10}?"
        )
        kyoto = (
            rf"(?:京都府[ 　]?)?(?:京都市)?[\p{{Han}}]{{1,3}}区[ 　]?"
            rf"[\p{{Han}}ヶ々]{{1,8}}?{direction}(?:{direction})?"
            rf"{kyoto_town}(?:[0-9０-９]{{1,2}}丁目)?{kyoto_town}"
            rf"{arabic}(?:番地?)?(?:の?{arabic})?(?:{DASH}{arabic}){{0,2}}(?![0-9０-９]){building}"
        )
        super().__init__(
            [
                Pattern(
                    "address_with_prefecture",
                    rf"{pref}[ 　]?{city_after_pref}{town_after_pref}{house}",
                    0.75,
                ),
                Pattern(
                    "address_from_city", rf"(?<![\p{{Han}}ヶ々]){city}{town_after_city}{house}", 0.6
                ),
                Pattern("address_kyoto", rf"(?<![\p{{Han}}ヶ々]){kyoto}", 0.7),
            ]
        )

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for result in results:
            if not ascii_digits(text[result.start : result.end]):
                result.score = min(result.score, self.KANJI_ONLY_SCORE)
        return results


_HONORIFIC_AHEAD = "(?=さん|様(?![式々子相態])|さま(?!ざ)|氏(?![名族子])|君(?![主臨])|くん|ちゃん|先生|殿(?![下様堂]))"
assert all(h in _HONORIFIC_AHEAD for h in HONORIFICS)
#: honorifics after a kanji word outside the lexicon: not 君 (also "you": 「今日君は」),
#: not 「ちゃんと」, not the 様 of 模様/多様/同様 …
_GENERIC_HONORIFIC_AHEAD = (
    "(?=さん|(?<![模多同異仕一有左紋文態])様(?![式々子相態])|さま(?!ざ)|氏(?![名族子])"
    "|ちゃん(?!と)|先生|殿(?![下様堂]))"
)


class PersonNameRecognizer(JapaneseRecognizer):
    """Person names, fast: gimei family/given names plus honorific or label context.

    * lexicon name before an honorific (「山田太郎さん」「鈴木様」「花子ちゃん」): 0.85
    * lexicon name after a label (「氏名：山田太郎」「担当 佐藤」): 0.85
    * any 2–6 kanji after a label or before an honorific, unless a role or kin
      word (「社長さん」「ご先祖様」 stay): 0.7 / 0.6
    * a bare lexicon full name, both parts ≥ 2 kanji (「中川文雄は」): 0.6

    >>> r = PersonNameRecognizer()
    >>> t = "担当の佐藤花子さんと社長さん、氏名：東雲一輝"
    >>> sorted(t[x.start:x.end] for x in r.analyze(t, ["PERSON"]))
    ['佐藤花子', '東雲一輝']
    """

    ENTITY = PiiType.PERSON

    def __init__(self, lexicon: NameLexicon | None = None) -> None:
        lex = lexicon or NameLexicon.bundled()
        self._lexicon = lex
        family = lex.family_alternation()
        given = lex.given_alternation()
        family2 = lex.family_alternation(min_len=2)
        given2_kanji = lex.given_alternation(min_len=2, kanji_only=True)
        labels = alternation(NAME_LABELS)
        han = r"[\p{Han}々〆ヶ]"
        # a given name after a space, unless a number follows (「篠田 午前10時」 is no name)
        spaced_given = rf"[ 　]{given}(?![0-9０-９])"
        super().__init__(
            [
                Pattern(
                    "lexicon_name_honorific",
                    rf"{family}(?:[ 　]?(?:{given}|{han}{{1,3}}))?{_HONORIFIC_AHEAD}",
                    0.85,
                ),
                Pattern(
                    "lexicon_given_honorific",
                    rf"(?<!{han}){given2_kanji}(?=さん|ちゃん|くん|君|様(?![式々子相態]))",
                    0.7,
                ),
                Pattern(
                    "lexicon_name_after_label",
                    rf"(?<={labels}[ 　]{{0,2}}[:：は]?[ 　]{{0,2}}){family}(?:{given}|{spaced_given})?(?!{han})",
                    0.85,
                ),
                Pattern(
                    "kanji_name_after_label",
                    rf"(?<={labels}(?:[ 　]{{0,2}}[:：][ 　]{{0,2}}|[ 　]{{1,2}}))"
                    rf"(?:{han}{{2,4}}[ 　](?![様々]){han}{{1,3}}(?![\p{{Han}}々0-9０-９])|{han}{{2,6}}(?!{han}))",
                    0.7,
                ),
                Pattern(
                    "kanji_name_honorific",
                    # not after a number: 「11時29分開始 佑珠ちゃん」 starts with a counter
                    rf"(?<![\p{{Han}}々0-9０-９])(?:{han}{{2,6}}|{han}{{1,4}}[ 　]{han}{{1,3}})"
                    rf"{_GENERIC_HONORIFIC_AHEAD}",
                    0.6,
                ),
                Pattern(
                    "lexicon_full_name",
                    rf"(?<!{han}){family2}(?:{given2_kanji}|[ 　]{given2_kanji}(?![0-9０-９]))",
                    0.6,
                ),
            ]
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Drop words ending in a role or kin word (「社長」「先月奥」) unless they are lexicon names."""
        return self._lexicon.is_not_a_name(pattern_text)


def pattern_recognizers(*, corporate_numbers: bool = False) -> list[JapaneseRecognizer]:
    """All Japanese pattern recognizers; the corporate number one only when asked."""
    recognizers: list[JapaneseRecognizer] = [
        EmailRecognizer(),
        PhoneRecognizer(),
        MyNumberRecognizer(),
        CreditCardRecognizer(),
        PostalCodeRecognizer(),
        IpAddressRecognizer(),
        BankAccountRecognizer(),
        AddressRecognizer(),
        PersonNameRecognizer(),
    ]
    if corporate_numbers:
        recognizers.append(CorporateNumberRecognizer())
    return recognizers


__all__ = [
    "AddressRecognizer",
    "BankAccountRecognizer",
    "CorporateNumberRecognizer",
    "CreditCardRecognizer",
    "EmailRecognizer",
    "IpAddressRecognizer",
    "MyNumberRecognizer",
    "PersonNameRecognizer",
    "PhoneRecognizer",
    "PostalCodeRecognizer",
    "ascii_digits",
    "pattern_recognizers",
]
