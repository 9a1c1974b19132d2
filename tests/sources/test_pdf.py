"""The pdf source: Japanese text in reading order, license per document, hostile PDFs
rejected with a reason in bounded time and memory."""

from __future__ import annotations

import doctest
import io
import zlib
from pathlib import Path

import pytest

import corpus.text.pdf_text as pdf_text
import licenses.pdf as pdf_licenses
from licenses.pdf import ART13, detect_pdf_license
from pipelines.sources.pdf import PdfParams, PdfSource
from pipelines.sources.pdf_extract import PdfRejected, extract_pdf
from tests.conftest import SHARED_DATA
from tests.fixtures.pdf.make import LAYOUTS, cer, make_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"


def test_doctests() -> None:
    assert doctest.testmod(pdf_text).failed == 0
    assert doctest.testmod(pdf_licenses).failed == 0


@pytest.fixture(scope="module")
def extracted() -> dict[str, object]:
    out: dict[str, object] = {}
    for path in sorted(FIXTURES.glob("*.pdf")):
        try:
            out[path.name] = extract_pdf(path.read_bytes())
        except PdfRejected as exc:
            out[path.name] = exc.reason
    return out


@pytest.mark.parametrize("layout", LAYOUTS)
def test_known_text_reads_back(layout: str) -> None:
    data, want = make_pdf(layout, 4500 if layout == "furniture" else 1500)
    got = extract_pdf(data).text
    # character error rate 0 (spaces aside): every character, in reading order
    assert "".join(got.split()) == "".join(want.split()), f"{layout}: CER {cer(got, want):.3f}"
    if layout == "ruby":
        assert "じゃちぼうぎゃく" not in got and "邪智暴虐の王" in got
    if layout == "furniture":
        assert "走れメロス（太宰治）" not in got and "- 2 -" not in got


def test_vertical_writing_in_reading_order(extracted) -> None:
    text = extracted["jo_haru_to_shura_preface_vertical.pdf"].text
    assert text.startswith("序\nわたくしといふ現象は\n假定された有機交流電燈の")
    assert "".join(extracted["pdfjs_vertical.pdf"].text.split()) == "あいうえお日本語"


def test_kangxi_radicals_normalised_and_art13_notice(extracted) -> None:
    pdf = extracted["koyobun_kanji_kunrei_2010.pdf"]
    assert "公用文における漢字使用等について" in pdf.text
    assert not any(0x2F00 <= ord(ch) <= 0x2FDF for ch in pdf.text)
    found = detect_pdf_license(pdf.pages, pdf.info, pdf.xmp, pdf.links)
    assert (found.license, found.evidence) == (ART13, "pdf:text[art13] p.1=内閣訓令第1号")


def test_judgment_is_art13_with_court_and_case_number(extracted) -> None:
    pdf = extracted["hanrei_2024_092891_criminal.pdf"]
    found = detect_pdf_license(pdf.pages, pdf.info, pdf.xmp, pdf.links)
    assert found.license == ART13
    assert "福島地方裁判所" in found.evidence and "令和5年第213号" in found.evidence


def test_encrypted_without_user_password_is_read(extracted) -> None:
    pdf = extracted["gairaigo_no_hyoki_1991_kokuji.pdf"]
    assert pdf.encrypted and "外来語の表記" in pdf.text
    assert detect_pdf_license(pdf.pages).evidence == "pdf:text[art13] p.1=内閣告示第二号"


def test_fixtures_without_license_statement_have_no_license(extracted) -> None:
    for name in (
        "pdfjs_vertical.pdf",
        "pdfjs_noembed-sjis.pdf",
        "jo_haru_to_shura_preface_vertical.pdf",
    ):
        pdf = extracted[name]
        assert detect_pdf_license(pdf.pages, pdf.info, pdf.xmp, pdf.links).license is None
    assert extracted["pdfjs_noembed-sjis.pdf"].text == "あいうえお"
    assert extracted["pdfjs_issue3521_chinese_gbk.pdf"].text == "我们都是黑体字"


def test_scanned_page_has_no_text_layer(extracted) -> None:
    assert extracted["ocrmypdf_c02-22_scanned_english.pdf"] == "no_text_layer"


@pytest.mark.parametrize(
    "text",
    [
        # cites notices in running text: a guide, not a notice
        "漢字の使用は、平成22年11月30日内閣告示第2号の「常用漢字表」に準じます。\n本書は日本翻訳連盟が作成した。",
        # a council's report that reprints a notice's title
        "国語審議会報告\n「外来語の表記」（平成3年内閣告示第2号）について審議した結果を報告する。",
        # CC explained, not granted
        "クリエイティブ・コモンズ・ライセンス（CC BY 4.0）とは、著作物の利用条件を示すためのツールです。",
        # an earlier version's license in a revision history
        "第2.0版 クリエイティブ・コモンズ（表示-継承4.0-国際）を設定。",
    ],
)
def test_not_a_license_of_this_document(text: str) -> None:
    assert detect_pdf_license(text.split("\f")).license is None


def test_statements_in_text_and_metadata() -> None:
    gov = "本資料は、政府標準利用規約（第2.0版）に準拠して提供します。出典を記載してください。"
    assert detect_pdf_license([gov]).license == "LicenseRef-JP-Gov-Standard-Terms-2.0"
    assert (
        detect_pdf_license(["本書の無断転載を禁じます。"]).license == "LicenseRef-AllRightsReserved"
    )
    assert detect_pdf_license(["© 2024 例株式会社"]).license == "LicenseRef-AllRightsReserved"
    xmp = '<x:xmpmeta><rdf:Description xmpRights:WebStatement="https://creativecommons.org/licenses/by-sa/4.0/"/></x:xmpmeta>'
    found = detect_pdf_license(["本文"], xmp=xmp)
    assert found.license == "CC-BY-SA-4.0" and found.evidence.startswith(
        "pdf:xmp/xmpRights:WebStatement="
    )
    english = [
        "This report is licensed under a Creative Commons Attribution 4.0 International License."
    ]
    assert detect_pdf_license(english).license == "CC-BY-4.0"


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A minimal PDF with a correct cross-reference table around ``objects``."""
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.7\n")
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _page_with_stream(stream: bytes, extra: bytes = b"") -> bytes:
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + extra + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream",
        ]
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html>not a pdf</html>", "not_pdf"),
        (b"%PDF-1.7\n" + b"[" * 200_000, "broken_pdf"),
        (_page_with_stream(zlib.compress(b"0 0 m " * 10)), "no_text_layer"),
    ],
    ids=["not_pdf", "nested", "no_text"],
)
def test_hostile_pdfs_are_rejected_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PdfRejected) as info:
        extract_pdf(data, deadline_s=60)
    assert info.value.reason == reason


def test_password_protected_pdf_is_rejected() -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=StandardEncryption("secret", canPrint=0))
    c.drawString(50, 700, "hidden")
    c.save()
    with pytest.raises(PdfRejected) as info:
        extract_pdf(buf.getvalue())
    assert info.value.reason == "encrypted_pdf"


@pytest.mark.slow
def test_decompression_bomb_hits_the_memory_cap() -> None:
    bomb = zlib.compressobj(9)
    stream = b"".join(bomb.compress(b"\0" * (1 << 24)) for _ in range(40)) + bomb.flush()
    with pytest.raises(PdfRejected) as info:  # 640 MB of zeros in a 640 KB stream
        extract_pdf(_page_with_stream(stream), memory_bytes=512 * 1024**2, deadline_s=60)
    assert info.value.reason in ("pdf_memory", "broken_pdf")


def test_deadline() -> None:
    data, _ = make_pdf("horizontal", 2400)
    with pytest.raises(PdfRejected) as info:
        extract_pdf(data, deadline_s=0.001)
    assert info.value.reason == "pdf_timeout"


def test_javascript_is_never_run_and_text_is_read() -> None:
    data, want = make_pdf("horizontal", 300)
    js = data.replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>", 1
    )
    assert cer(extract_pdf(js).text, want) < 0.01


def test_source_reads_each_pdf_once_with_reasons(tmp_path: Path) -> None:
    src = PdfSource(PdfParams(type="pdf", path=str(FIXTURES)), tmp_path)
    docs = [d for task in src.plan() for d in src.read(task)]
    by_id = {d.metadata["source_id"]: d for d in docs}
    assert len(docs) == len(list(FIXTURES.glob("*.pdf")))
    scanned = by_id["ocrmypdf_c02-22_scanned_english.pdf"].metadata
    assert scanned["_rejected"] == ("read", "no_text_layer")
    hanrei = by_id["hanrei_2024_092891_criminal.pdf"]
    assert hanrei.metadata["license"] == ART13
    assert hanrei.metadata["license_evidence"].startswith("pdf:text[art13] p.1=judgment")
    assert len(hanrei.metadata["pdf_page_offsets"]) == 3
    vertical = by_id["pdfjs_vertical.pdf"].metadata
    assert vertical["license"] is None and vertical["license_evidence"] == "pdf:no-license-found"


def test_source_level_license_wins(tmp_path: Path) -> None:
    params = PdfParams(
        type="pdf",
        path=str(FIXTURES / "jo_haru_to_shura_preface_vertical.pdf"),
        license="LicenseRef-PublicDomain-JP",
        license_evidence="宮沢賢治 (1896-1933): 保護期間満了",
    )
    src = PdfSource(params, tmp_path)
    (doc,) = [d for task in src.plan() for d in src.read(task)]
    assert doc.metadata["license"] == "LicenseRef-PublicDomain-JP"
    assert doc.text.startswith("序")


JTF_PAGE_34 = """著作権
「JTF日本語標準スタイルガイド（翻訳用）」（以下、JTFスタイルガイド）およびその関連文書の著作権は、一般社団法人日本翻訳連盟が有します。
用許諾
JTFスタイルガイドは、クリエイティブ・コモンズ・ライセンス（表示 4.0 国際、CC BY
4.0）の下で提供されています。
リエイティブ・コモンズ・ライセンス（CC BY 4.0）の条件（下記1と2）に従う限り、ク
JTFスタイルガイドの利用に関して以下が許諾されます。"""


def test_cc_statement_about_the_document_by_its_name() -> None:
    links = [(34, "http://creativecommons.org/licenses/by/4.0/deed.ja")]
    pages = ["JTF日本語標準スタイルガイド（翻訳用）"] + ["本文"] * 32 + [JTF_PAGE_34]
    found = detect_pdf_license(pages, {"Title": "JTF日本語標準スタイルガイド 第3.0版"}, "", links)
    assert found.license == "CC-BY-4.0"
    assert found.evidence.startswith("pdf:text p.34=") and "pdf:link p.34=" in found.evidence


@pytest.mark.slow
def test_shared_pdfs_license_outcomes() -> None:
    folder = SHARED_DATA / "pdf"
    if not folder.is_dir():
        pytest.skip(f"shared PDFs not found at {folder}")
    want = {
        "jtf_style_guide_v3.0_ccby.pdf": "CC-BY-4.0",
        "hanrei_2024_092891_criminal.pdf": ART13,
        "koyobun_kanji_kunrei_2010.pdf": ART13,
        "gairaigo_no_hyoki_1991_kokuji.pdf": ART13,
    }
    for path in sorted(folder.glob("*.pdf")):
        try:
            pdf = extract_pdf(path.read_bytes())
        except PdfRejected as exc:
            assert (path.name, exc.reason) == (
                "ocrmypdf_c02-22_scanned_english.pdf",
                "no_text_layer",
            )
            continue
        found = detect_pdf_license(pdf.pages, pdf.info, pdf.xmp, pdf.links)
        assert found.license == want.get(path.name), path.name


def test_pdf_responses_in_a_warc_archive(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from pipelines.sources.warc import WarcParams, WarcSource

    path = tmp_path / "pdfs.warc.gz"
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for name, url in [
            ("hanrei_2024_092891_criminal.pdf", "https://www.courts.go.jp/hanrei/092891.pdf"),
            ("ocrmypdf_c02-22_scanned_english.pdf", "https://example.org/scan.pdf"),
            ("pdfjs_vertical.pdf", "https://example.org/vertical.pdf"),
        ]:
            data = (FIXTURES / name).read_bytes()
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "application/pdf")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(data), http_headers=headers
                )
            )
    src = WarcSource(WarcParams(type="warc", path=str(path)), tmp_path)
    docs = {d.metadata["url"]: d for task in src.plan() for d in src.read(task)}
    judgment = docs["https://www.courts.go.jp/hanrei/092891.pdf"]
    assert "_rejected" not in judgment.metadata and "被告人" in judgment.text
    assert judgment.metadata["license"] == ART13
    assert judgment.metadata["license_evidence"].startswith("pdf:text[art13] p.1=judgment")
    assert docs["https://example.org/scan.pdf"].metadata["_rejected"] == ("read", "no_text_layer")
    assert docs["https://example.org/vertical.pdf"].metadata["_rejected"] == (
        "license",
        "no-license",
    )


def test_broken_cross_reference_table_is_read_or_rejected_never_raised() -> None:
    data, want = make_pdf("horizontal", 300)
    at = data.rindex(b"startxref")
    broken = data[:at] + b"startxref\n999999\n%%EOF\n"  # the table is not where it says
    try:
        got = extract_pdf(broken).text
    except PdfRejected as exc:
        assert exc.reason == "broken_pdf"
    else:  # pdfminer falls back to scanning the objects
        assert "".join(got.split()) == "".join(want.split())


def test_huge_page_count_is_rejected_before_any_text_is_read() -> None:
    n = 3001
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * n
    with pytest.raises(PdfRejected) as info:
        extract_pdf(_raw_pdf(objects), deadline_s=120)
    assert info.value.reason == "too_many_pages"
