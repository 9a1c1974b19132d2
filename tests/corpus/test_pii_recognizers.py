"""The Japanese recognizers through presidio's analyzer: every type in the forms Japanese
text uses, context words, and the look-alikes that must stay."""

from __future__ import annotations

import pytest

from corpus.pii.analyzer import pattern_analyzer
from corpus.pii.recognizers import LANGUAGE
from corpus.pii.replace import Detection, resolve
from corpus.pii.scrubber import PiiScrubber, ScrubberConfig


@pytest.fixture(scope="module")
def analyzer():
    return pattern_analyzer(corporate_numbers=True)


@pytest.fixture(scope="module")
def scrubber():
    scrubber = PiiScrubber(ScrubberConfig(corporate_numbers=True))
    scrubber.load()
    return scrubber


def found(analyzer, text: str) -> list[tuple[str, str]]:
    """(type, text) of the resolved detections."""
    results = analyzer.analyze(text, language=LANGUAGE)
    spans = resolve([Detection(r.start, r.end, r.entity_type, r.score) for r in results])
    return [(str(d.type), text[d.start : d.end]) for d in spans]


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("ご連絡はtaro.yamada@example.co.jpまでお願いします", "EMAIL", "taro.yamada@example.co.jp"),
        ("メール：hanako_01@mail.example.ne.jpです", "EMAIL", "hanako_01@mail.example.ne.jp"),
        ("携帯は090-1234-5678です", "PHONE", "090-1234-5678"),
        ("電話０３－１２３４－５６７８まで", "PHONE", "０３－１２３４－５６７８"),
        ("ＴＥＬ：０９０ー１２３４ー５６７８", "PHONE", "０９０ー１２３４ー５６７８"),
        ("代表（03）1234-5678へ", "PHONE", "（03）1234-5678"),
        ("お問い合わせ 0120-123-456", "PHONE", "0120-123-456"),
        ("海外からは+81-3-1234-5678", "PHONE", "+81-3-1234-5678"),
        ("携帯09012345678に", "PHONE", "09012345678"),
        ("電話番号は0312345678です", "PHONE", "0312345678"),
        ("マイナンバー：1234 5678 9018", "MY_NUMBER", "1234 5678 9018"),
        ("個人番号１２３４５６７８９０１８を記入", "MY_NUMBER", "１２３４５６７８９０１８"),
        ("法人番号7000012050002の", "CORPORATE_NUMBER", "7000012050002"),
        ("登録番号：T1180301018771", "CORPORATE_NUMBER", "T1180301018771"),
        ("カード番号 4111-1111-1111-1111 で決済", "CREDIT_CARD", "4111-1111-1111-1111"),
        ("アメックス3782 822463 10005です", "CREDIT_CARD", "3782 822463 10005"),
        ("〒100-0005", "POSTAL_CODE", "100-0005"),
        ("郵便番号：１００－０００５", "POSTAL_CODE", "１００－０００５"),
        ("100-0005 東京都千代田区", "POSTAL_CODE", "100-0005"),
        ("接続元IP 203.0.113.45 から", "IP_ADDRESS", "203.0.113.45"),
        ("アドレスは2001:db8::8a2e:370:7334です", "IP_ADDRESS", "2001:db8::8a2e:370:7334"),
        ("口座番号：1234567", "BANK_ACCOUNT", "1234567"),
        ("三井住友銀行 渋谷支店 普通 7654321", "BANK_ACCOUNT", "7654321"),
        ("住所：東京都千代田区丸の内1-2-3", "ADDRESS", "東京都千代田区丸の内1-2-3"),
        ("大阪府大阪市北区梅田三丁目1番3号に移転", "ADDRESS", "大阪府大阪市北区梅田三丁目1番3号"),
        ("京都市左京区吉田本町36番地1に", "ADDRESS", "京都市左京区吉田本町36番地1"),
        (
            "札幌市中央区北1条西2丁目1-1 サンハイツ203号室",
            "ADDRESS",
            "札幌市中央区北1条西2丁目1-1 サンハイツ203号室",
        ),
        ("住所 東京都渋谷区渋谷一丁目五番六号", "ADDRESS", "東京都渋谷区渋谷一丁目五番六号"),
        ("山田太郎さんから電話", "PERSON", "山田太郎"),
        ("佐藤 陽子様へ", "PERSON", "佐藤 陽子"),
        ("佐藤 花子様へ", "PERSON", "佐藤 花子"),  # given name outside the lexicon
        ("菊田 花子さん", "PERSON", "菊田 花子"),  # neither name in the lexicon
        ("鈴木氏によれば", "PERSON", "鈴木"),
        ("氏名：高橋一郎", "PERSON", "高橋一郎"),
        ("担当 渡辺", "PERSON", "渡辺"),
        ("お名前　東雲一輝", "PERSON", "東雲一輝"),  # family name outside the lexicon
        ("陽子ちゃんが泣いた", "PERSON", "陽子"),
        ("著者の中川文雄は", "PERSON", "中川文雄"),  # bare full name, both parts in the lexicon
    ],
)
def test_finds(analyzer, text, kind, value):
    assert (kind, value) in found(analyzer, text)


@pytest.mark.parametrize(
    "text",
    [
        "2023年4月1日に開催",
        "更新日 2023-04-01、2023/04/01 時点",
        "10:30に集合、18:45:10 終了、午前9時30分開始",
        "平成十五年法律第五十七号による",
        "第12条第3項、第三条第二項第一号、第二百五十二条の十九の規定",
        "ISBN978-4-10-101001-3",
        "ISBN 9784101010014",
        "ISBN4-00-310101-4",
        "価格は1,280円（税込）、¥12,800、１２，８００円",
        "v2.3.1 と Python 3.11.4 と Ver.10.2.0.1",
        "注文番号：A-20231105-0042",
        "人口は約1,234,567人",
        "マイナンバー 1234 5678 9019",  # check digit fails
        "カード 4111 1111 1111 1112",  # Luhn fails
        "法人番号 8000012050002",  # check digit fails
        "社長さん、お客様、皆さん、ご先祖様、お疲れ様、運転手さん、様々な意見",
        "空模様から判断すると多種多様だ",
        "来週君に手紙を書く",
        "北九州市小倉北区砂津二丁目",  # above house level
        "東京都渋谷区渋谷一丁目五番六号",  # kanji numerals only, no context: the style of laws
        "型番 123-4567",
        "1234567件",
    ],
)
def test_lookalikes_stay(analyzer, text):
    assert found(analyzer, text) == []


def test_context_raises_weak_patterns(analyzer):
    assert found(analyzer, "番号は1234567です") == []
    assert found(analyzer, "口座は普通預金で番号は1234567です") == [("BANK_ACCOUNT", "1234567")]
    assert found(analyzer, "0312345678") == []
    assert found(analyzer, "連絡先 0312345678") == [("PHONE", "0312345678")]
    assert found(analyzer, "番号は123-4567です") == []
    assert found(analyzer, "住所は123-4567です") == [("POSTAL_CODE", "123-4567")]


def test_kanji_address_context_after_the_address(analyzer):
    text = "東京都渋谷区渋谷一丁目五番六号に住んでいます"
    assert found(analyzer, text) == [("ADDRESS", "東京都渋谷区渋谷一丁目五番六号")]


def test_patterns_win_overlaps_with_names(scrubber):
    # a family name inside an e-mail address is not a separate name
    (result,) = scrubber.scrub(["連絡先 yamada.taro@example.jp 山田様"], names=[True])
    assert result.text == "連絡先 <EMAIL> <PERSON>様"


def test_scrub_replaces_with_typed_placeholders(scrubber):
    text = (
        "〒100-0005 東京都千代田区丸の内1-2-3\n担当：佐藤花子（TEL 03-1234-5678、"
        "sato@example.co.jp）\n振込先 みずほ銀行 新宿支店 普通 1234567"
    )
    (result,) = scrubber.scrub([text], names=[True])
    assert result.text == (
        "〒<POSTAL_CODE> <ADDRESS>\n担当：<PERSON>（TEL <PHONE>、<EMAIL>）\n"
        "振込先 みずほ銀行 新宿支店 普通 <BANK_ACCOUNT>"
    )
    assert result.detail == {
        "POSTAL_CODE": 1,
        "ADDRESS": 1,
        "PERSON": 1,
        "PHONE": 1,
        "EMAIL": 1,
        "BANK_ACCOUNT": 1,
    }
    assert result.redactions == 6


def test_names_off_keeps_names_but_not_patterns(scrubber):
    (result,) = scrubber.scrub(["山田太郎さん（090-1234-5678）"], names=[False])
    assert result.text == "山田太郎さん（<PHONE>）"


def test_corporate_numbers_only_when_asked():
    text = "法人番号7000012050002"
    off = PiiScrubber(ScrubberConfig(corporate_numbers=False))
    assert off.scrub([text], names=[False])[0].text == text
