"""The Japanese pre-filter on raw page bytes, alone and in the ``warc`` source."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from faker import Faker

from corpus.document import rejection
from pipelines.crawler.fetch import FetchResult
from pipelines.crawler.warc_out import WarcRecorder
from pipelines.sources.prefilter import looks_japanese
from pipelines.sources.warc import WarcParams, WarcSource
from tests.conftest import SHARED_DATA

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "fixtures" / "web" / "pages"
WARC_FIXTURES = REPO / "tests" / "fixtures" / "warc"

#: real Japanese pages of the license page set: UTF-8, Shift_JIS and EUC-JP
JAPANESE_PAGES = [
    "s_comments_cc_ja.html",
    "s_arr_sjis_comments_cc.html",
    "s_bysa21jp_legalcode_euc.html",
    "h_cc_jp_chooser_ncsa.html",
]


#: labels a server or template leaves on a page whatever its bytes: none, Japanese ones,
#: single-byte legacy ones (no kana in them at all) and another CJK one
DECLARED = [None, "UTF-8", "Shift_JIS", "EUC-JP", "ISO-8859-1", "windows-1252", "windows-1251",
            "KOI8-R", "Big5"]  # fmt: skip


@pytest.mark.parametrize("name", JAPANESE_PAGES)
@pytest.mark.parametrize("declared", DECLARED)
def test_japanese_pages_pass_whatever_charset_they_declare(name: str, declared: str | None) -> None:
    verdict = looks_japanese((PAGES / name).read_bytes(), declared)
    assert verdict.japanese, verdict
    assert verdict.kana > 20


@pytest.mark.skipif(not (SHARED_DATA / "egov_laws").exists(), reason="needs shared/data")
def test_real_shift_jis_law_pages_pass() -> None:
    pages = sorted((SHARED_DATA / "egov_laws" / "html_2013").glob("*.html"))[:20]
    assert pages
    for page in pages:
        body = page.read_bytes()
        assert looks_japanese(body, None).japanese, page
        for label in ("ISO-8859-1", "windows-1252", "KOI8-R"):  # as a misconfigured server says
            verdict = looks_japanese(body, label)
            assert verdict.japanese and verdict.encoding == "cp932", (page, label, verdict)


@pytest.mark.parametrize(
    ("locale", "encoding", "charset"),
    [
        ("zh_CN", "gbk", "GBK"),
        ("zh_CN", "gbk", None),
        ("zh_TW", "big5", "Big5"),
        ("zh_TW", "big5", None),
        ("zh_TW", "utf-8", "utf-8"),
        ("ru_RU", "koi8_r", None),
        ("de_DE", "iso-8859-1", None),
        ("th_TH", "tis-620", None),
    ],
)
def test_other_languages_are_skipped(locale: str, encoding: str, charset: str | None) -> None:
    fake = Faker(locale)
    fake.seed_instance(3)
    for _ in range(5):
        text = "".join(f"<p>{fake.paragraph(nb_sentences=8)}</p>" for _ in range(4))
        body = f"<html><body>{text}</body></html>".encode(encoding, errors="xmlcharrefreplace")
        verdict = looks_japanese(body, charset)
        assert not verdict.japanese, (locale, encoding, verdict)


def _aozora_paragraphs() -> str:
    """Real prose: the first paragraphs of an Aozora Bunko text (Shift_JIS as distributed)."""
    path = sorted((SHARED_DATA / "aozora" / "cards").glob("*/files/*/*.txt"))[0]
    body = path.read_bytes().decode("cp932").split("-" * 55)[-1]  # after the notation block
    return "".join(f"<p>{p}</p>" for p in body.splitlines()[1:40] if p.strip())


def _russian_paragraphs(n: int = 4) -> str:
    fake = Faker("ru_RU")  # real Russian words from Faker's word list
    fake.seed_instance(7)
    return "".join(f"<p>{fake.paragraph(nb_sentences=8)}</p>" for _ in range(n))


@pytest.mark.skipif(not (SHARED_DATA / "aozora").exists(), reason="needs shared/data")
@pytest.mark.parametrize("label", ["KOI8-R", "windows-1251", "windows-1252", "ISO-8859-1"])
def test_a_legacy_label_neither_hides_japanese_bytes_nor_lets_its_own_language_in(
    label: str,
) -> None:
    """Japanese bytes under a wrong single-byte label pass, read in their real encoding;
    a page really in that charset, under the same label, is skipped."""
    japanese = (
        f"<html><head><meta charset='{label}'></head><body>{_aozora_paragraphs()}</body></html>"
    )
    for encoding in ("cp932", "euc_jp", "utf-8", "iso2022_jp_ext"):
        verdict = looks_japanese(japanese.encode(encoding), label)
        assert verdict.japanese and verdict.encoding == encoding, (encoding, verdict)
        assert verdict.kana > 100
    codec = {"KOI8-R": "koi8_r", "windows-1251": "cp1251"}.get(label)
    if codec:  # Russian in its own legacy charset: Cyrillic read as Shift_JIS is no kana
        native = _russian_paragraphs().encode(codec)
    else:  # German and French in Latin-1 / windows-1252
        fake = Faker(["de_DE", "fr_FR"])
        fake.seed_instance(7)
        native = "".join(f"<p>{fake.paragraph(nb_sentences=8)}</p>" for _ in range(6)).encode(
            "cp1252"
        )
    body = f"<html><head><meta charset='{label}'></head><body>".encode() + native
    for declared in (label, None):
        verdict = looks_japanese(body, declared)
        assert not verdict.japanese and verdict.kana == 0, (declared, verdict)


def test_utf8_with_a_few_bad_bytes_is_still_read_as_utf8() -> None:
    """A capture cut inside a character, or one stray Latin-1 byte, is still a UTF-8 page."""
    page = (PAGES / "s_comments_cc_ja.html").read_bytes()
    cut = page[: page.rindex("。".encode()) + 1]  # ends inside 。 (E3 80 82)
    stray = page.replace("。".encode(), b"\xe9", 1)  # é in Latin-1
    for body in (cut, stray):
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        for declared in (None, "KOI8-R", "windows-1252"):
            verdict = looks_japanese(body, declared)
            assert verdict.japanese and verdict.encoding == "utf-8", (declared, verdict)
    # more than a few bad bytes: UTF-8 still when the page says so (and has the kana for it)
    many = page.replace("。".encode(), b"\xe9", 8)
    assert looks_japanese(many, "UTF-8").encoding == "utf-8"


@pytest.mark.parametrize("label", ["punycode", "rot13", "zlib", "utf-16", "x-user-defined", "hz"])
def test_a_label_that_is_no_charset_is_ignored(label: str) -> None:
    """Python codec names and decoders that give no text are not read: no error, no guess."""
    sjis = (PAGES / "s_arr_sjis_comments_cc.html").read_bytes()
    verdict = looks_japanese(sjis, label)
    assert verdict.japanese and verdict.encoding == "cp932", verdict
    assert not looks_japanese(_russian_paragraphs().encode("koi8_r"), label).japanese


def test_english_page_with_a_few_japanese_words_is_skipped() -> None:
    body = (WARC_FIXTURES / "example.warc").read_bytes()  # example.com, as captured
    assert not looks_japanese(body).japanese
    switcher = (
        b"<html lang='en'><p>Language: English | \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e</p></html>"
    )
    assert not looks_japanese(switcher).japanese  # 日本語 has no kana


def test_a_short_page_passes_only_with_a_japanese_hint() -> None:
    short = "<p>ありがとう。</p>"
    assert not looks_japanese(short.encode()).japanese
    assert looks_japanese(f"<html lang='ja'>{short}</html>".encode()).reason == "kana+hint"
    assert looks_japanese(short.encode("cp932"), "Shift_JIS").reason == "kana+hint"


@pytest.mark.skipif(not (SHARED_DATA / "egov_laws").exists(), reason="needs shared/data")
def test_warc_source_skips_other_pages_and_reads_japanese_in_the_right_encoding(
    tmp_path: Path,
) -> None:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    sjis = (PAGES / "s_arr_sjis_comments_cc.html").read_bytes()
    english = (
        b"<html lang='en'><body><main><p>"
        + b"The quick brown fox. " * 20
        + b"</p></main></body></html>"
    )
    law = sorted((SHARED_DATA / "egov_laws" / "html_2013").glob("*.html"))[0].read_bytes()
    russian = f"<html><body><main>{_russian_paragraphs()}</main></body></html>".encode("koi8_r")
    path = tmp_path / "mix.warc.gz"
    with WarcRecorder(path) as w:
        for url, body, ct in [
            ("https://ja.example/1", sjis, "text/html; charset=ISO-8859-1"),  # a wrong declaration
            ("https://en.example/1", english, "text/html; charset=utf-8"),
            ("https://law.example/1", law, "text/html; charset=KOI8-R"),  # real Shift_JIS page
            ("https://ru.example/1", russian, "text/html; charset=KOI8-R"),
            ("https://ru.example/2", russian, "text/html"),
        ]:
            w.record(
                FetchResult(
                    url=url, started=when, status=200, headers=[("Content-Type", ct)], body=body
                )
            )
    source = WarcSource(WarcParams(path=str(path), japanese_prefilter=True), REPO)
    docs = {d.metadata["url"]: d for task in source.plan() for d in source.read(task)}
    assert rejection(docs["https://en.example/1"]) == ("prefilter", "not_japanese")
    assert docs["https://en.example/1"].metadata["reject_detail"] == "kana=0 kanji=0 reading=utf-8"
    ja = docs["https://ja.example/1"]
    assert rejection(ja) is None or rejection(ja)[0] != "prefilter"
    assert "秋" in ja.text or "山" in ja.text, ja.text[:200]
    law_doc = docs["https://law.example/1"]  # no license on the page: rejected after reading
    assert rejection(law_doc) == ("license", "no-license")
    assert law_doc.metadata["http_charset"] == "cp932" and "第一条" in law_doc.text
    for url in ("https://ru.example/1", "https://ru.example/2"):
        assert rejection(docs[url]) == ("prefilter", "not_japanese")
        assert docs[url].metadata["reject_detail"].startswith("kana=0 ")


def test_the_warc_source_skips_by_default(tmp_path: Path) -> None:
    path = tmp_path / "one.warc.gz"
    with WarcRecorder(path) as w:
        body = b"<html lang='en'><body><p>" + b"The quick brown fox. " * 20 + b"</p></body></html>"
        w.record(FetchResult(url="https://en.example/", started=datetime(2026, 11, 1, tzinfo=UTC),
                             status=200, headers=[("Content-Type", "text/html")], body=body))  # fmt: skip
    for params, outcome in [
        ({}, ("prefilter", "not_japanese")),
        ({"japanese_prefilter": False}, ("license", "no-license")),
    ]:
        source = WarcSource(WarcParams(path=str(path), **params), REPO)
        (doc,) = [d for task in source.plan() for d in source.read(task)]
        assert rejection(doc) == outcome, params
