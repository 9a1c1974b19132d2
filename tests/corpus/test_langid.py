"""Language ID on real Japanese (literature, 旧字旧仮名, laws incl. katakana style, Wikipedia)
and on Chinese, Korean, English, mixed and mojibake text."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from faker import Faker

import corpus.stages.langid as langid_module
import corpus.text.normalize
from corpus.document import make_document, rejection
from corpus.stages.base import Drop, Keep, build_stage
from corpus.stages.langid import MODEL_PATH, LangId, LanguageIdentifier
from corpus.text.encoding import decode_japanese
from tests.corpus.labelled_data import load_labelled_data

REPO = Path(__file__).resolve().parents[2]


DATA = load_labelled_data()

# Texts written for these tests (not copied): Chinese, Korean, English.
CHINESE = (
    "北京是中华人民共和国的首都，也是全国的政治和文化中心。这座城市有三千多年的历史，"
    "拥有故宫、天坛和长城等许多著名的名胜古迹。每年都有大量的游客来这里参观。"
)
KOREAN = (
    "서울은 대한민국의 수도이며 가장 큰 도시이다. 한강이 도시의 중심을 흐르고 있으며, "
    "많은 사람들이 지하철을 이용하여 출퇴근한다. 경복궁과 남산타워는 유명한 관광지이다."
)
ENGLISH = (
    "The library opens at nine in the morning and closes at six in the evening. "
    "Visitors may borrow up to five books at a time and keep them for two weeks."
)
KANJI_ONLY = "別表第一　東京都　神奈川県　埼玉県　千葉県　茨城県　栃木県　群馬県　山梨県　長野県"


@pytest.fixture(scope="module")
def lid() -> LanguageIdentifier:
    return LanguageIdentifier()


@pytest.fixture(scope="module")
def clean():
    return DATA.clean_docs(per_genre=40)


def test_model_is_the_bundled_file_with_its_notice():
    assert MODEL_PATH.is_file() and MODEL_PATH.stat().st_size == 938_013
    notice = (MODEL_PATH.parent / "LICENSE-lid176.md").read_text("utf-8")
    assert "CC BY-SA 3.0" in notice and "8f3472cfe8738a7b" in notice


@pytest.mark.parametrize("genre", ["aozora", "aozora-kyuji", "law", "wikipedia"])
def test_real_japanese_is_ja_by_genre(lid, clean, genre):
    docs = [d for d in clean if d.genre == genre and len(d.text) > 200]
    assert len(docs) >= 5, f"no {genre} documents found"
    results = lid.identify_many([d.text for d in docs])
    wrong = [(d.id, r) for d, r in zip(docs, results, strict=True) if r[0] != "ja"]
    assert not wrong, wrong
    assert min(score for _, score in results) >= 0.65


def test_katakana_law_and_katakana_literature_stay_japanese(lid):
    katakana_law = [d for d in DATA.clean_docs() if d.genre == "law-katakana"]
    aozora_katakana = [
        d for d in DATA.clean_docs() if d.genre == "aozora-kyuji" and d.text.count("ヲ") > 10
    ]
    docs = katakana_law + aozora_katakana[:5]
    assert katakana_law and aozora_katakana
    for doc, (label, score) in zip(docs, lid.identify_many([d.text for d in docs]), strict=True):
        assert label == "ja", (doc.id, label, score)


def test_chinese_korean_english(lid):
    assert lid.identify(CHINESE)[0] == "zh"
    assert lid.identify(KOREAN)[0] == "ko"
    assert lid.identify(ENGLISH)[0] == "en"


def test_kanji_only_passage_goes_with_the_rest_of_the_document(lid, clean):
    prose = next(d.text for d in clean if d.genre == "aozora" and 3000 < len(d.text) < 20000)
    # a long kanji-only table in the middle of Japanese prose: its window has no say of its own
    table = "\n".join([KANJI_ONLY] * 40)
    doc = prose[:1500] + "\n" + table + "\n" + prose[-1500:]
    windows = corpus.text.normalize.sample_windows(doc, 1000, 3)
    assert not any(ch in windows[1] for ch in "あいうえおのはをにがでと")  # middle is kanji only
    assert lid.identify(doc)[0] == "ja"
    # without any kana anywhere the stage does not take it for Japanese prose
    stage = LangId()
    assert stage.process(make_document(text=table, source="t", source_id="1")) in (
        Drop("ja_without_kana"),
        Drop("lang=zh"),
    )


def test_mixed_documents_follow_their_majority(lid, clean):
    prose = next(d.text for d in clean if d.genre == "wikipedia" and len(d.text) > 4000)
    assert lid.identify(prose[:3000] + "\n" + ENGLISH)[0] == "ja"
    assert lid.identify((ENGLISH + "\n") * 8 + "吾輩は猫である。")[0] == "en"


def test_mojibake_is_not_japanese(lid, clean):
    text = next(d.text for d in clean if d.genre == "aozora" and len(d.text) > 2000)[:2000]
    for broken in (
        text.encode("utf-8").decode("latin-1"),
        text.encode("utf-8").decode("cp1252", errors="replace"),
    ):
        assert lid.identify(broken)[0] != "ja"
    # Shift_JIS read as Latin-1 fools the model (it answers ja); the quality stage's
    # mojibake rule is what drops it (tests/corpus/test_quality.py)


def test_cyrillic_read_as_shift_jis_is_not_japanese(lid):
    """Undeclared KOI8-R Russian often decodes cleanly as Shift_JIS, into half-width katakana
    and a few kanji that the model calls ``ja``: half-width katakana alone is not kana."""
    fake = Faker("ru_RU")  # real Russian words from Faker's word list
    fake.seed_instance(7)
    texts = [" ".join(fake.paragraph(nb_sentences=8) for _ in range(3)) for _ in range(12)]
    mojibake = [
        text
        for text, encoding in (decode_japanese(t.encode("koi8_r")) for t in texts)
        if encoding == "cp932"
    ]
    assert mojibake, "no KOI8-R text read as Shift_JIS"
    assert all(label == "ja" for label, _ in lid.identify_many(mojibake))
    stage = LangId()
    for i, text in enumerate(mojibake):
        assert stage.process(make_document(text=text, source="t", source_id=str(i))) == Drop(
            "ja_without_kana"
        )


def test_stage_records_lang_and_drops_with_reasons():
    stage = build_stage("langid", {"min_score": 0.65})
    stage.setup()
    docs = [
        make_document(text=t, source="t", source_id=str(i))
        for i, t in enumerate(["吾輩は猫である。名前はまだ無い。", CHINESE, KOREAN, ENGLISH])
    ]
    decisions = stage.process_batch(docs)
    assert decisions == [Keep(), Drop("lang=zh"), Drop("lang=ko"), Drop("lang=en")]
    assert docs[0].metadata["lang"] == "ja" and docs[0].metadata["lang_score"] >= 0.9
    assert docs[1].metadata["lang"] == "zh"


def test_script_overrules_the_model_on_kana(lid):
    waka = "かきくらす涙か雲かしらねども"
    label, _ = lid.identify_many([waka])[0]
    raw = lid.model.predict([waka], k=1)[0][0][0]
    assert raw != "__label__ja"  # the model alone gets it wrong
    assert label == "ja"


def test_threshold_is_configurable(lid):
    # half Japanese prose, half English: the score is the Japanese share of the windows
    text = (
        "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。" * 10
        + "\n"
        + ENGLISH * 5
    )
    label, score = lid.identify(text)
    assert label == "ja" and 0.5 < score < 0.9
    doc = make_document(text=text, source="t", source_id="1")
    assert LangId(min_score=0.9).process(doc) == Drop("lang_score<0.9")
    assert LangId(min_score=0.5).process(doc) == Keep()


def test_kanji_only_japanese_title_needs_kana_unless_told_otherwise():
    title = make_document(text="日本国憲法", source="t", source_id="1")
    assert LangId().process(title) == Drop("ja_without_kana")
    assert LangId(require_kana=False).process(title) == Keep()


def test_run_passes_earlier_drops_through_and_marks_new_ones():
    stage = LangId()
    first = make_document(text="吾輩は猫である。", source="t", source_id="a")
    earlier = make_document(text=ENGLISH, source="t", source_id="b")
    earlier.metadata["_rejected"] = ("license", "license_unknown")
    english = make_document(text=ENGLISH, source="t", source_id="c")
    out = {
        d.metadata["source_id"]: rejection(d) for d in stage.run(iter([first, earlier, english]))
    }
    assert out == {"a": None, "b": ("license", "license_unknown"), "c": ("langid", "lang=en")}
    assert "lang" not in earlier.metadata


def test_bad_parameters_and_missing_model_are_reported():
    with pytest.raises(ValueError):
        build_stage("langid", {"min_score": 2})
    with pytest.raises(ValueError):
        build_stage("langid", {"threshold": 0.5})
    with pytest.raises(FileNotFoundError, match="language ID model not found"):
        LangId(model_path="/nonexistent/lid.176.bin").setup()


def test_doctests():
    for module in (langid_module, corpus.text.normalize):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed
