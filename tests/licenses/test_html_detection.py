"""License detection on the hand-written web page set: precision must be 1.0."""

from __future__ import annotations

import pytest

from licenses.html import detect_license
from tests.fixtures.web.cases import load_cases, run_case, scores

CASES = load_cases()


def test_page_set_covers_every_marker_and_negative() -> None:
    markers = " ".join(c["marker"] for c in CASES)
    for needed in [
        "head link[rel=license]",
        "a[rel=license]",
        "badge",
        "deed",
        "meta dcterms.license",
        "JSON-LD",
        "itemprop=license",
        "Japanese statement",
        "政府標準利用規約",
        "All Rights Reserved",
        "無断転載",
        "figure",
        "conflict",
        "tdm-reservation",
        "noai",
        "robots.txt",
        "tdmrep.json",
    ]:
        assert needed in markers, needed


def test_precision_is_one() -> None:
    s = scores([run_case(c) for c in CASES])
    assert s["id_precision"] == 1.0, s
    assert s["admission_precision"] == 1.0, s
    assert s["admission_recall"] >= 0.9, s  # regressions in recall show up here


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['page']}:{c['marker']}")
def test_case(case: dict) -> None:
    outcome = run_case(case)
    a = outcome.assessment
    assert (a.license, a.drop_reason) == (case.get("license"), case.get("reason", "")), (
        a.license_evidence,
        a.page.set_aside,
    )
    if a.license is not None:
        assert a.page.evidence, "a license is never given without evidence"


def test_evidence_names_where_it_was_found() -> None:
    page = detect_license(
        '<html><head><link rel="license" href="https://creativecommons.org/licenses/by/4.0/">'
        "</head><body><footer>この作品はクリエイティブ・コモンズ 表示 4.0 国際 ライセンスの下に提供されています。"
        "</footer></body></html>"
    )
    assert page.license == "CC-BY-4.0" and page.reason == "agreeing"
    assert page.evidence.startswith(
        "html:head/link[rel=license]=https://creativecommons.org/licenses/by/4.0/; html:text="
    )


def test_conflict_can_drop_instead_of_taking_the_stricter() -> None:
    html = (
        '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">'
        "<footer>このブログは CC BY-NC 4.0 で公開しています。</footer>"
    )
    assert detect_license(html).license == "CC-BY-NC-4.0"
    dropped = detect_license(html, on_conflict="drop")
    assert dropped.license is None and dropped.reason == "conflict_dropped"


@pytest.mark.parametrize("html", ["", "   ", b"", "<html></html>", "<html><head></head></html>"])
def test_pages_without_content_have_no_license(html: str | bytes) -> None:
    assert detect_license(html).license is None


def test_except_photos_still_licenses_the_text() -> None:
    page = detect_license(
        "<footer>このサイトの写真以外のコンテンツは CC BY 4.0 で提供しています。</footer>"
    )
    assert page.license == "CC-BY-4.0"


def test_xhtml_with_xml_declaration_is_read() -> None:
    page = (
        '<?xml version="1.0" encoding="Shift_JIS"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/"/></head>'
        "<body><p>本文</p></body></html>"
    )
    assert detect_license(page).license == "CC-BY-4.0"
