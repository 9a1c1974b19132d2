"""Creative Commons URL and statement parsing, on every form of URL and on the real Aozora footers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from licenses import get_license, license_from_statement, license_from_url, stricter
from licenses.creative_commons import licenses_in_statement, parse_license_id

AOZORA_MANIFEST = Path("/work/shared/data/aozora/MANIFEST.tsv")


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
        ("http://creativecommons.org/licenses/by/4.0", "CC-BY-4.0"),
        ("https://www.creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
        ("//creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/deed.ja", "CC-BY-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/deed.zh-hant", "CC-BY-4.0"),
        ("https://creativecommons.org/licenses/by-nc/4.0/legalcode", "CC-BY-NC-4.0"),
        ("https://creativecommons.org/licenses/by-nc/4.0/legalcode.ja", "CC-BY-NC-4.0"),
        ("https://creativecommons.org/licenses/by-nd/4.0/?ref=chooser-v1", "CC-BY-ND-4.0"),
        ("https://creativecommons.org/licenses/by-nc-sa/3.0/#fragment", "CC-BY-NC-SA-3.0"),
        ("HTTPS://CreativeCommons.org/licenses/by/3.0/", "CC-BY-3.0"),
        ("http://creativecommons.org/licenses/by/2.1/jp/", "LicenseRef-CC-BY-2.1-JP"),
        ("http://creativecommons.org/licenses/by/2.1/jp", "LicenseRef-CC-BY-2.1-JP"),
        ("http://creativecommons.org/licenses/by/2.1/jp/deed.ja", "LicenseRef-CC-BY-2.1-JP"),
        ("http://creativecommons.org/licenses/by/2.1/jp/legalcode", "LicenseRef-CC-BY-2.1-JP"),
        ("http://creativecommons.org/licenses/by-sa/2.1/jp/", "CC-BY-SA-2.1-JP"),
        ("http://creativecommons.org/licenses/by-nd/2.1/jp/", "LicenseRef-CC-BY-ND-2.1-JP"),
        ("http://creativecommons.org/licenses/by-nc-nd/2.1/jp/", "LicenseRef-CC-BY-NC-ND-2.1-JP"),
        ("http://creativecommons.org/licenses/by-nc/2.1/jp/", "LicenseRef-CC-BY-NC-2.1-JP"),
        ("http://creativecommons.org/licenses/by-nc-sa/2.0/jp/", "LicenseRef-CC-BY-NC-SA-2.0-JP"),
        ("https://creativecommons.org/licenses/by/3.0/de/", "CC-BY-3.0-DE"),
        ("https://creativecommons.org/licenses/by-sa/3.0/igo/", "CC-BY-SA-3.0-IGO"),
        ("https://creativecommons.org/licenses/by-nd-nc/1.0/", "CC-BY-NC-ND-1.0"),
        ("https://creativecommons.org/licenses/sa/1.0/", "CC-SA-1.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/deed.ja", "CC0-1.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/legalcode", "CC0-1.0"),
        ("http://creativecommons.org/publicdomain/mark/1.0/", "CC-PDM-1.0"),
        ("https://creativecommons.org/licenses/publicdomain/", "CC-PDDC"),
        ("https://i.creativecommons.org/l/by-sa/4.0/88x31.png", "CC-BY-SA-4.0"),
        ("https://licensebuttons.net/l/by-nc-nd/2.1/jp/80x15.png", "LicenseRef-CC-BY-NC-ND-2.1-JP"),
        ("https://i.creativecommons.org/p/zero/1.0/88x31.png", "CC0-1.0"),
    ],
)
def test_license_from_url(url: str, expected: str) -> None:
    assert license_from_url(url) == expected
    assert get_license(expected) is not None, (
        "every id the parser returns for CC/JP is in the registry"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/licenses/by/4.0/",
        "https://creativecommons.org/",
        "https://creativecommons.org/licenses/",
        "https://creativecommons.org/licenses/by/",
        "https://creativecommons.org/licenses/by/4.0/jp/",  # 4.0 has no ports
        "https://creativecommons.org/licenses/by/9.9/",
        "https://creativecommons.org/licenses/by-sa-nd/4.0/",
        "https://creativecommons.org/licenses/nc/4.0/",  # only 1.0 had licenses without BY
        "ftp://creativecommons.org/licenses/by/4.0/",
        "https://creativecommons.org/about/cclicenses/",
        "https://mirrors.creativecommons.org/presskit/buttons/88x31/png/by.png",  # no version
        "https://creativecommons.jp/licenses/",
        "not a url",
        "",
    ],
)
def test_license_from_url_refuses_non_licenses(url: str) -> None:
    assert license_from_url(url) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("クリエイティブ・コモンズ 表示 2.1 日本 ライセンス", "LicenseRef-CC-BY-2.1-JP"),
        (
            "クリエイティブ・コモンズ「表示 - 非営利 - 改変禁止 2.1 日本」",
            "LicenseRef-CC-BY-NC-ND-2.1-JP",
        ),
        ("クリエイティブ・コモンズ 表示-非営利-改変禁止 2.1 日本", "LicenseRef-CC-BY-NC-ND-2.1-JP"),
        ("クリエイティブ・コモンズ 表示 4.0 国際 ライセンス", "CC-BY-4.0"),
        ("クリエイティブ・コモンズ 表示 - 継承 4.0 国際 ライセンス", "CC-BY-SA-4.0"),
        ("クリエイティブ・コモンズ 表示 - 継承 2.1 日本", "CC-BY-SA-2.1-JP"),
        ("クリエイティブ・コモンズ 表示-継承 3.0 非移植 ライセンス", "CC-BY-SA-3.0"),
        ("クリエイティブ・コモンズ・ライセンス（表示4.0 国際）", "CC-BY-4.0"),
        ("クリエイティブ・コモンズ 表示 - 非営利 - 継承 4.0 国際", "CC-BY-NC-SA-4.0"),
        ("Creative Commons Attribution 4.0 International License", "CC-BY-4.0"),
        (
            "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International",
            "CC-BY-NC-ND-4.0",
        ),
        ("Creative Commons Attribution-NoDerivs 2.1 Japan License", "LicenseRef-CC-BY-ND-2.1-JP"),
        ("Creative Commons Attribution-ShareAlike 3.0 Unported", "CC-BY-SA-3.0"),
        ("licensed CC BY-SA 4.0", "CC-BY-SA-4.0"),
        ("Creative Commons CC-BY-SA 3.0 の下で公開します", "CC-BY-SA-3.0"),
        ("CC BY 2.1 JP", "LicenseRef-CC-BY-2.1-JP"),
        ("この作品は CC0 で提供されます", "CC0-1.0"),
        ("CC0 1.0 全世界 パブリック・ドメイン提供", "CC0-1.0"),
        ("Public Domain Mark 1.0", "CC-PDM-1.0"),
    ],
)
def test_license_from_statement(text: str, expected: str) -> None:
    assert license_from_statement(text) == expected
    assert get_license(expected) is not None


@pytest.mark.parametrize(
    "text",
    [
        "無断転載を禁じます。",
        "Copyright © 2024 Example Inc. All rights reserved.",
        "画面に表示 2.0 倍",  # 表示 without Creative Commons
        "クリエイティブ・コモンズについて",  # no license named
        "クリエイティブ・コモンズ 表示 ライセンス",  # no version
        "この作品は、クリエイティブ・コモンズ（http://creativecommons.org/licenses/by-nd/2.1/jp/）の下でライセンスされています。",
        "ACCBY 4.0",
    ],
)
def test_license_from_statement_refuses(text: str) -> None:
    assert license_from_statement(text) is None


def test_conflicting_statements_take_the_stricter() -> None:
    text = "CC BY 4.0 ... Creative Commons Attribution-NonCommercial 4.0 International"
    assert licenses_in_statement(text) == ["CC-BY-4.0", "CC-BY-NC-4.0"]
    assert license_from_statement(text) == "CC-BY-NC-4.0"


def _aozora_cc_rows() -> list[dict[str, str]]:
    with AOZORA_MANIFEST.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["license"] != "public-domain-jp"]


def test_every_real_aozora_footer_reads() -> None:
    """Every CC work's footer: its URLs parse, and its words agree with them or are stricter."""
    rows = _aozora_cc_rows()
    assert len(rows) == 16
    for row in rows:
        urls = [u for u in row["license_urls_in_footer"].split() if u]
        from_urls = {license_from_url(u) for u in urls}
        assert None not in from_urls, row
        words = license_from_statement(row["license_statement_in_footer"])
        if not urls:  # 人生は擬似体験ゲーム: words only
            assert words == "LicenseRef-CC-BY-2.1-JP"
            continue
        (url_license,) = from_urls
        assert words in (None, url_license) or row["license_urls_in_footer"].endswith(
            "by-nc-nd/2.1/jp/"
        ), row
        # the 老人と海 footer says 表示 2.1 but links BY-NC-ND: the stricter reading is NC-ND
        assert stricter(words, url_license) == url_license


def test_parse_license_id_round_trips_registry_cc_ids() -> None:
    from licenses.registry import registry

    for license_id in registry():
        cc = parse_license_id(license_id)
        if cc is not None:
            assert cc.license_id == license_id
            assert license_from_url(cc.url) == license_id


def test_stricter() -> None:
    assert stricter("CC-BY-4.0", "CC-BY-SA-4.0") == "CC-BY-SA-4.0"
    assert stricter("CC-BY-ND-4.0", "CC-BY-SA-4.0") == "CC-BY-ND-4.0"
    assert stricter("CC0-1.0", "CC-BY-4.0") == "CC-BY-4.0"
    assert stricter("CC-BY-4.0", "LicenseRef-AllRightsReserved") == "LicenseRef-AllRightsReserved"
    assert stricter(None, "CC-BY-4.0") == "CC-BY-4.0"
    assert stricter("CC-BY-4.0", None) == "CC-BY-4.0"
