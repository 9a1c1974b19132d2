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
        "comments",
        "sidebar",
        "embedded",
        "protocol-relative",
        "legalcode",
        "footer words only",
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


@pytest.mark.parametrize(
    ("html", "why"),
    [
        # a license for the readers' comments, in the comment form
        (
            '<article><p>本文。</p></article><section id="comments"><p>コメントは '
            '<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>'
            " で公開されます。</p></section>",
            "comments_scope",
        ),
        # a sidebar about another work, with the work's badge
        (
            '<main><p>本文。</p></main><aside class="sidebar"><p>『ある本』は CC BY 4.0 です。</p>'
            '<a rel="license" href="//creativecommons.org/licenses/by/4.0/">'
            '<img src="https://i.creativecommons.org/l/by/4.0/88x31.png"></a></aside>',
            "part_scope",
        ),
        # the footer speaks of the comments only
        (
            "<main><p>本文。</p></main><footer>User comments are licensed under CC BY-SA 4.0.</footer>",
            "part_scope",
        ),
    ],
)
def test_a_license_for_part_of_the_page_is_set_aside(html: str, why: str) -> None:
    page = detect_license(html)
    assert page.license is None
    assert why in {s.why for s in page.set_aside}


def test_a_sidebar_sentence_that_names_the_site_speaks_for_it() -> None:
    page = detect_license(
        '<main><p>本文。</p></main><aside class="sidebar"><section class="widget">'
        '<p>このブログの記事は <a rel="license" href="https://creativecommons.org/licenses/by/4.0/deed.ja">'
        "CC BY 4.0</a> で提供しています。</p></section></aside>"
    )
    assert page.license == "CC-BY-4.0"


def test_all_rights_reserved_for_the_photos_only_leaves_the_text_license() -> None:
    page = detect_license(
        "<main><p>本文。</p></main><footer>Text licensed under CC BY 4.0. "
        "Photos © Hanako Sato, all rights reserved.</footer>"
    )
    assert page.license == "CC-BY-4.0"
    assert (
        detect_license(
            "<main><p>本文。</p></main><footer>CC BY 4.0。当サイトの文章・画像の無断転載を禁止します。</footer>"
        ).license
        == "LicenseRef-AllRightsReserved"
    )


def test_utility_classes_do_not_make_the_footer_a_part() -> None:
    footer = '<main><p>本文。</p></main><footer><p class="text-secondary pr-3">© 2024 · CC BY 4.0</p></footer>'
    assert detect_license(footer).license == "CC-BY-4.0"
    assert (
        detect_license(
            '<main><p>本文。</p></main><div class="ad-widget"><p>CC BY 4.0</p></div>'
        ).license
        is None
    )


def test_footer_widget_area_keeps_the_site_license() -> None:
    page = (
        '<main><p>本文。</p></main><footer id="colophon"><aside class="widget-area" role="complementary">'
        '<section class="widget"><p>CC BY-SA 4.0</p></section></aside></footer>'
    )
    assert detect_license(page).license == "CC-BY-SA-4.0"
