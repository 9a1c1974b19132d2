"""The ``wikipedia`` source: a tiny MediaWiki dump written here, and the sample JSONL."""

from __future__ import annotations

import bz2
import gzip
import json
import re
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import pytest

from corpus.document import rejection
from pipelines.sources.wikipedia import WikipediaParams, WikipediaSource
from tests.conftest import SHARED_DATA

REPO = Path(__file__).resolve().parents[2]
SAMPLE_JSONL = REPO / "pipelines" / "sample" / "wikipedia" / "jawiki-country.sample.json.gz"
SHARED_JSONL = SHARED_DATA / "jawiki" / "jawiki-country.shared.json.gz"
MARKUP = re.compile(r"\{\{|\}\}|\[\[|\]\]|<ref|</?[a-z]+[ >]|\{\||\|\}|'''|^=+|^\*|thumb\|", re.M)


def sample_articles(n: int) -> list[dict[str, str]]:
    with gzip.open(SAMPLE_JSONL, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f][:n]


def _page(title: str, ns: int, text: str, revision: int, redirect: str | None = None) -> str:
    redirect_el = f'<redirect title="{escape(redirect)}" />' if redirect else ""
    return (
        f"<page><title>{escape(title)}</title><ns>{ns}</ns><id>{revision}</id>{redirect_el}"
        f"<revision><id>{revision * 10}</id><timestamp>2015-03-01T00:00:00Z</timestamp>"
        f'<text bytes="{len(text.encode())}" xml:space="preserve">{escape(text)}</text>'
        "</revision></page>"
    )


def write_dump(folder: Path, compression: str) -> Path:
    """A MediaWiki export (schema 0.10) of two real sample articles, a redirect and a talk page."""
    articles = sample_articles(2)
    pages = [_page(a["title"], 0, a["text"], i + 1) for i, a in enumerate(articles)]
    pages.append(_page("埃及", 0, "#転送 [[エジプト]]", 7, redirect="エジプト"))
    pages.append(_page("ノート:エジプト", 1, "議論です。", 8))
    xml = (
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10" xml:lang="ja">'
        "<siteinfo><sitename>Wikipedia</sitename><dbname>jawiki</dbname></siteinfo>"
        + "".join(pages)
        + "</mediawiki>\n"
    ).encode()
    name = "jawiki-tiny-pages-articles.xml"
    if compression == "bz2":
        path, data = folder / f"{name}.bz2", bz2.compress(xml)
    elif compression == "gz":
        path, data = folder / f"{name}.gz", gzip.compress(xml)
    else:
        path, data = folder / name, xml
    path.write_bytes(data)
    return path


def read_all(path: Path, **params) -> list:
    source = WikipediaSource(WikipediaParams(path=str(path), **params), REPO)
    source.check()
    return [doc for task in source.plan() for doc in source.read(task)]


@pytest.mark.parametrize("compression", ["bz2", "gz", "plain"])
def test_dump_articles_become_plain_text_documents(tmp_path, compression):
    docs = {d.metadata["source_id"]: d for d in read_all(write_dump(tmp_path, compression))}
    assert rejection(docs["埃及"]) == ("read", "redirect")
    assert rejection(docs["ノート:エジプト"]) == ("read", "not_article_namespace")
    egypt = docs["エジプト"]
    assert rejection(egypt) is None
    meta = egypt.metadata
    assert meta["source"] == "wikipedia-ja"
    assert meta["url"] == "https://ja.wikipedia.org/wiki/エジプト"
    assert meta["license"] == "CC-BY-SA-3.0"
    assert (
        meta["attribution"]
        == "Wikipedia contributors, 「エジプト」, https://ja.wikipedia.org/wiki/エジプト"
    )
    assert "rev 10 2015-03-01T00:00:00Z" in meta["license_evidence"]
    assert egypt.text.startswith(
        "エジプト・アラブ共和国（エジプト・アラブきょうわこく）、通称エジプトは、"
    )
    assert not MARKUP.search(egypt.text), MARKUP.search(egypt.text)


def test_license_is_configurable_for_newer_dumps(tmp_path):
    docs = read_all(write_dump(tmp_path, "bz2"), license="CC-BY-SA-4.0", lang="ja")
    assert {d.metadata["license"] for d in docs} == {"CC-BY-SA-4.0"}


def test_jsonl_matches_dump_text_and_links_keep_their_words():
    docs = read_all(SAMPLE_JSONL)
    assert len(docs) == 40 and all(rejection(d) is None for d in docs)
    egypt = next(d for d in docs if d.metadata["source_id"] == "エジプト")
    # [[ナイル川]] and [[紅海]] are links in the wikitext; their words stay
    assert "北は地中海、東は紅海に面している。南北に流れるナイル川の河谷" in egypt.text
    for doc in docs:
        assert not MARKUP.search(doc.text), (doc.metadata["source_id"], MARKUP.search(doc.text))


def test_large_plain_jsonl_is_split_into_byte_ranges_without_loss(tmp_path):
    plain = tmp_path / "articles.jsonl"
    with gzip.open(SAMPLE_JSONL, "rb") as f:
        plain.write_bytes(b"".join(f.readlines()[:12]))
    whole = read_all(plain)
    source = WikipediaSource(WikipediaParams(path=str(plain), bytes_per_task=20_000), REPO)
    tasks = source.plan()
    assert len(tasks) > 5
    parts = [d for t in tasks for d in source.read(t)]
    assert [(d.id, d.text) for d in parts] == [(d.id, d.text) for d in whole]


def test_malformed_jsonl_line_is_rejected_and_reading_goes_on(tmp_path):
    path = tmp_path / "x.jsonl"
    good = json.dumps({"title": "猫", "text": "'''猫'''は[[哺乳類]]である。"}, ensure_ascii=False)
    path.write_text(f"{good}\n{{not json\n", encoding="utf-8")
    docs = read_all(path)
    assert docs[0].text == "猫は哺乳類である。"
    assert rejection(docs[1]) == ("read", "malformed_jsonl")


def test_shared_jsonl_has_no_markup_left():
    if not SHARED_JSONL.is_file():
        pytest.skip("shared/data/jawiki not available")
    docs = read_all(SHARED_JSONL)
    assert len(docs) == 185
    for doc in docs:
        assert rejection(doc) is None
        assert not re.search(r"\{\{|\[\[|<ref|\{\|", doc.text), doc.metadata["source_id"]


def test_sample_release_has_the_wikipedia_articles(sample_release):
    glob = str(sample_release / "shards" / "*.parquet")
    [(n,)] = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{glob}') WHERE source = 'wikipedia-ja' "
        "AND license = 'CC-BY-SA-3.0' AND url LIKE 'https://ja.wikipedia.org/wiki/%'"
    ).fetchall()
    assert n >= 40


@pytest.mark.parametrize("module", ["pipelines.sources.wikipedia", "pipelines.sources.wikitext"])
def test_doctests_of_the_text_rules(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
