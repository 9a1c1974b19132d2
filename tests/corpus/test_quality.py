"""Japanese quality rules: real documents of every genre kept, generated junk dropped, reasons
recorded; the pure text functions they rest on."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from corpus.document import make_document, rejection
from corpus.quality import DuplicateLines, HiraganaRatio, KatakanaRatio, MojibakeRatio, TextProfile
from corpus.stages.base import Drop, Keep, build_stage
from corpus.stages.quality import Quality, QualityParams
from tests.corpus.labelled_data import load_labelled_data

REPO = Path(__file__).resolve().parents[2]

DOCTEST_MODULES = [
    "corpus.text.chars",
    "corpus.text.sentences",
    "corpus.text.ngrams",
    "corpus.text.boilerplate",
    "corpus.text.wordlist",
    "corpus.quality.profile",
    "corpus.quality.script",
    "corpus.quality.length",
    "corpus.quality.repetition",
    "corpus.quality.layout",
    "corpus.quality.ngwords",
    "corpus.stages.quality",
]


DATA = load_labelled_data()


@pytest.fixture(scope="module")
def clean():
    return DATA.clean_docs(per_genre=60)


@pytest.fixture(scope="module")
def junk(clean):
    return DATA.junk_docs(clean, per_kind=20, seed=7)


def _verdict(stage: Quality, text: str):
    doc = make_document(text=text, source="t", source_id="x")
    return stage.process(doc), doc


@pytest.mark.parametrize("module", DOCTEST_MODULES)
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted and not result.failed


def test_real_documents_of_every_genre_are_kept(clean):
    stage = Quality()
    by_genre: dict[str, list] = {}
    for doc in clean:
        by_genre.setdefault(doc.genre, []).append(_verdict(stage, doc.text)[0])
    assert {"aozora", "aozora-kyuji", "law", "wikipedia"} <= set(by_genre)
    for genre, verdicts in by_genre.items():
        kept = sum(1 for v in verdicts if v == Keep())
        if len(verdicts) >= 10:
            assert kept / len(verdicts) > 0.9, (
                genre,
                Counter(v.reason for v in verdicts if v != Keep()),
            )


def test_katakana_laws_and_katakana_literature_are_kept():
    docs = DATA.clean_docs()
    katakana = [d for d in docs if d.genre == "law-katakana" and len(d.text) > 1000]
    katakana += [d for d in docs if d.genre == "aozora-kyuji" and d.text.count("ヲ") > 20][:8]
    assert len(katakana) >= 5
    stage = Quality()
    for doc in katakana:
        profile = TextProfile(doc.text)
        assert profile.katakana_prose, doc.id
        assert HiraganaRatio().check(profile) == Keep()
        assert KatakanaRatio().check(profile) == Keep()
        assert _verdict(stage, doc.text)[0] == Keep(), doc.id


def test_every_junk_kind_is_mostly_dropped_with_a_reason(junk):
    stage = Quality()
    for kind in DATA.JUNK_KINDS:
        docs = [d for d in junk if d.kind == kind]
        verdicts = [_verdict(stage, d.text)[0] for d in docs]
        dropped = [v for v in verdicts if isinstance(v, Drop)]
        assert len(dropped) / len(docs) >= 0.8, (kind, len(dropped))
        assert all(("<" in v.reason or ">" in v.reason) for v in dropped)


def test_mojibake_that_fools_the_language_model_is_dropped(clean):
    text = next(d.text for d in clean if d.genre == "aozora" and len(d.text) > 2000)[:2000]
    sjis_as_latin1 = text.encode("cp932").decode("latin-1")
    utf8_as_sjis = text.encode("utf-8").decode("cp932", errors="replace")
    for broken in (sjis_as_latin1, utf8_as_sjis):
        assert MojibakeRatio().check(broken) == Drop("mojibake_ratio>0.02")


def test_signals_are_recorded_and_boilerplate_removed_from_kept_text(clean):
    article = next(d.text for d in clean if d.genre == "wikipedia" and len(d.text) > 3000)
    page = "\n".join(
        [
            "ホーム",
            "ホーム > 国・地域 > 記事",
            "ログイン",
            article,
            "この記事をシェアする",
            "前へ 1 2 3 次へ",
            "Copyright © 2015 Example. All Rights Reserved.",
        ]
    )
    decision, doc = _verdict(Quality(), page)
    assert decision == Keep()
    assert doc.text == article.strip()
    signals = doc.metadata["quality_signals"]
    assert signals["boilerplate_lines"] == 6
    assert {"hiragana_ratio", "duplicate_10gram_fraction", "ng_word_ratio"} <= set(signals)
    assert all(isinstance(v, float) for v in signals.values())


def test_boilerplate_is_not_found_in_real_documents(clean):
    from corpus.text.boilerplate import is_boilerplate_line

    hits = [(d.id, ln) for d in clean for ln in d.text.split("\n") if is_boilerplate_line(ln)]
    assert len(hits) <= 2, hits[:5]


def test_repeated_lines_are_dropped_by_name():
    lines = ["本日のおすすめ商品はこちらです。", "今すぐ無料で会員登録しましょう！"] * 15
    assert DuplicateLines().check("\n".join(lines)) == Drop("duplicate_line_fraction>0.3")


def test_params_from_a_pipeline_file_and_rules_turned_off():
    stage = build_stage(
        "quality",
        {"min_chars": 10, "min_hiragana_ratio": None, "max_top_ngram_fraction": {2: 0.5}},
    )
    assert isinstance(stage, Quality)
    names = {type(r).__name__: r for r in stage.params.rules()}
    assert names["TopNgramFraction"].limits == {2: 0.5}
    listing = "東京都千代田区千代田一丁目一番地　皇居外苑"
    assert _verdict(stage, listing)[0] == Keep()  # hiragana rule off
    assert _verdict(Quality(min_chars=10), listing)[0] == Drop("hiragana_ratio<0.2")
    with pytest.raises(ValueError):
        build_stage("quality", {"min_hiragana": 0.1})


def test_every_default_says_where_it_comes_from():
    import ast
    import inspect

    source = inspect.getsource(QualityParams)
    tree = ast.parse(source)
    body = tree.body[0].body
    documented = {
        node.target.id
        for node, nxt in zip(body, body[1:], strict=False)
        if isinstance(node, ast.AnnAssign)
        and isinstance(nxt, ast.Expr)
        and isinstance(nxt.value, ast.Constant)
        and isinstance(nxt.value.value, str)
    }
    assert set(QualityParams.model_fields) <= documented


def test_stage_run_marks_drops_and_passes_earlier_ones_through(junk, clean):
    docs = [
        make_document(text=clean[0].text, source="t", source_id="clean"),
        make_document(
            text=next(d.text for d in junk if d.kind == "repeated_lines"),
            source="t",
            source_id="rep",
        ),
    ]
    earlier = make_document(text="x", source="t", source_id="earlier")
    earlier.metadata["_rejected"] = ("langid", "lang=en")
    out = {d.metadata["source_id"]: rejection(d) for d in Quality().run(iter([*docs, earlier]))}
    assert out["clean"] is None
    assert out["rep"][0] == "quality" and out["rep"][1].startswith("duplicate_")
    assert out["earlier"] == ("langid", "lang=en")


def test_release_manifest_counts_drops_by_stage_and_reason(tmp_path, clean, junk):
    """``jpcorpus run`` with langid and quality: every drop reason reaches the manifest."""
    import json

    from tests.conftest import run_cli

    rows = [{"id": d.id, "text": d.text} for d in clean[:20]]
    rows += [{"id": d.id, "text": d.text} for d in junk[::4]]
    rows += [{"id": "english", "text": "The library opens at nine in the morning. " * 20}]
    (tmp_path / "docs.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8"
    )
    (tmp_path / "pipeline.yaml").write_text(
        "name: lq\nsources:\n  - type: jsonl\n    name: mixed\n    path: docs.jsonl\n"
        "    license: CC0-1.0\n    license_evidence: test data\n"
        "stages:\n  - langid: {}\n  - quality: {}\n",
        "utf-8",
    )
    out = tmp_path / "out"
    run_cli("run", str(tmp_path / "pipeline.yaml"), "--out", str(out), "--quiet", check=True)
    assert run_cli("audit", str(out)).returncode == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    dropped = manifest["sources"]["mixed"]["dropped"]
    assert dropped["langid"].get("lang=en", 0) >= 1
    assert sum(dropped["quality"].values()) >= 0.8 * len(junk[::4]) - sum(
        dropped["langid"].values()
    )
    assert all(("<" in r or ">" in r) for r in dropped["quality"])
    assert manifest["sources"]["mixed"]["kept"] >= 18
