"""The ``egov_law`` source on the bundled sample and the shared law pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from corpus.document import rejection
from pipelines.sources.egov_law import EgovLawParams, EgovLawSource
from tests.conftest import SHARED_DATA

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "pipelines" / "sample" / "laws"
SHARED = SHARED_DATA / "egov_laws"
ART13 = "LicenseRef-JP-Copyright-Act-Art13"


def read_all(path: Path, **params) -> list:
    source = EgovLawSource(EgovLawParams(path=str(path), **params), REPO)
    source.check()
    return [doc for task in source.plan() for doc in source.read(task)]


def titles_by_file(index: Path) -> dict[str, str]:
    lines = index.read_text("utf-8").splitlines()[1:]
    return {ln.split("\t")[0].split("/")[-1]: ln.split("\t")[1] for ln in lines}


def test_sample_laws_are_art13_with_law_and_number_in_evidence():
    docs = read_all(SAMPLE, files_per_task=3)
    assert len(docs) == 14
    titles = titles_by_file(
        SAMPLE / "index.tsv"
    )  # e.g. 著作権法（昭和四十五年五月六日法律第四十八号）
    for doc in docs:
        meta = doc.metadata
        assert rejection(doc) is None
        assert meta["license"] == ART13 and meta["source"] == "egov-law"
        assert meta["license_evidence"].endswith("; Copyright Act Art.13")
        name = meta["url"].rsplit("/", 1)[-1]
        if name in titles:  # HTML: the index's title and number, verbatim
            assert titles[name] in meta["license_evidence"]
            assert meta["source_id"].startswith(titles[name].rsplit("（", 1)[1].rstrip("）"))
    assert len({d.id for d in docs}) == 14


def test_xml_revisions_stay_distinct_and_name_the_law():
    docs = [d for d in read_all(SAMPLE / "xml")]
    assert sorted(d.metadata["source_id"] for d in docs) == [
        "平成五年法律第八十八号@20180401_429AC0000000004",
        "平成五年法律第八十八号@20240401_504AC0100000052",
    ]
    for doc in docs:
        assert "e-gov-law:行政手続法（平成五年法律第八十八号）" in doc.metadata["license_evidence"]
        assert doc.metadata["url"].startswith("https://laws.e-gov.go.jp/law/405AC0000000088/")
        assert doc.text.startswith("行政手続法\n平成五年法律第八十八号\n")
        assert "\n（目的等）\n第一条　この法律は、処分、行政指導及び届出に関する手続" in doc.text
        assert "\n２　処分、行政指導及び届出に関する手続並びに" in doc.text


def test_html_text_is_readable_without_markup_or_navigation():
    docs = {d.metadata["source_id"]: d for d in read_all(SAMPLE / "html")}
    gyosei = next(d for k, d in docs.items() if k.startswith("平成五年十一月十二日法律第八十八号"))
    text = gyosei.text
    assert text.startswith("行政手続法\n（平成五年十一月十二日法律第八十八号）\n")
    assert "第一章　総則（第一条―第四条）" not in text  # the table of contents (links) is gone
    assert "\n第一章　総則\n（目的等）\n第一条　この法律は、処分、行政指導及び届出" in text
    constitution = next(d for k, d in docs.items() if k == "昭和二十一年十一月三日憲法")
    assert "第二条　皇位は、世襲のものであつて、国会の議決した皇室典範の定めるところにより" in (
        constitution.text
    )
    for doc in docs.values():
        assert not re.search(r"<[A-Za-z/!]|&[a-z]+;|HREF|NAME=", doc.text), doc.metadata["url"]


def test_non_law_html_is_not_labelled_art13(tmp_path):
    white_paper = (
        "<html><head><meta charset='shift_jis'><title>令和5年版 情報通信白書</title></head>"
        "<body><h1>令和5年版 情報通信白書</h1><p>第1部　特集　新時代に求められる強靱・健全な"
        "データ流通社会の実現に向けて</p><p>総務省は、情報通信の現況と政策動向を報告する。</p></body></html>"
    )
    (tmp_path / "hakusho.html").write_bytes(white_paper.encode("cp932"))
    (tmp_path / "broken.xml").write_bytes(b"<Law><LawNum>")
    shutil.copy(next((SAMPLE / "html").glob("*.html")), tmp_path / "law.html")
    docs = {d.metadata["source_id"]: d for d in read_all(tmp_path)}
    assert rejection(docs["hakusho.html"]) == ("license", "not_law_text")
    assert docs["hakusho.html"].metadata["license"] is None
    assert rejection(docs["broken.xml"]) == ("read", "malformed_xml")
    assert sum(rejection(d) is None for d in docs.values()) == 1


def test_shared_law_pages_all_come_through():
    if not (SHARED / "html_2013").is_dir():
        pytest.skip("shared/data/egov_laws not available")
    docs = read_all(SHARED)
    assert len(docs) == 156
    assert all(rejection(d) is None and d.metadata["license"] == ART13 for d in docs)
    assert len({d.id for d in docs}) == len(docs)


def test_sample_release_has_the_laws(sample_release):
    glob = str(sample_release / "shards" / "*.parquet")
    rows = duckdb.sql(
        f"SELECT license, count(*) FROM read_parquet('{glob}') WHERE source = 'egov-law' GROUP BY 1"
    ).fetchall()
    rejected = str(sample_release / "rejected" / "*.parquet")
    dropped_later = duckdb.sql(
        f"SELECT license, count(*) FROM read_parquet('{rejected}') WHERE source = 'egov-law' "
        "GROUP BY 1"
    ).fetchall()
    # every law page enters as Art. 13 text; later stages (dedup of the two revisions) may drop some
    assert [lic for lic, _ in rows + dropped_later] == [ART13] * len(rows + dropped_later)
    assert sum(n for _, n in rows + dropped_later) == 14
    assert rows[0][1] >= 12


@pytest.mark.parametrize(
    "module", ["pipelines.sources.egov_law", "pipelines.sources.egov_law_text"]
)
def test_doctests_of_the_text_rules(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
