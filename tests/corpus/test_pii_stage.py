"""The ``pii`` stage: parameters, per-source name masking, row columns, batching, workers."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from pydantic import ValidationError

from corpus.document import make_document, reject, rejection
from corpus.pii.scrubber import PiiScrubber
from corpus.schema import shard_row
from corpus.stages.base import Keep, build_stage
from corpus.stages.pii import NAME_MASKING_DEFAULTS, PiiStage

REPO = Path(__file__).resolve().parents[2]
TEXT = "山田太郎さんの連絡先：090-1234-5678、yamada@example.jp"


@pytest.fixture(scope="module")
def stage() -> PiiStage:
    stage = build_stage("pii", {})
    stage.setup()
    return stage


def doc(source: str, text: str = TEXT, n: int = 0):
    return make_document(text=text, source=source, source_id=f"{source}-{n}", license="CC0-1.0")


def test_registered_with_defaults(stage):
    assert isinstance(stage, PiiStage)
    assert stage.params.names is True
    assert stage.params.corporate_numbers is False
    assert stage.params.ner is False


def test_unknown_or_bad_parameters_are_rejected():
    with pytest.raises(ValidationError):
        build_stage("pii", {"mask_everything": True})
    with pytest.raises(ValidationError):
        build_stage("pii", {"names_by_source": {"web": "perhaps"}})


def test_name_masking_per_source(stage):
    for source in NAME_MASKING_DEFAULTS:
        assert not stage.masks_names(source)
    assert stage.masks_names("web")
    assert stage.masks_names("forum")
    custom = PiiStage(names=False, names_by_source={"forum": True, "aozora": True})
    assert custom.masks_names("forum") and custom.masks_names("aozora")
    assert not custom.masks_names("web")
    assert not custom.masks_names("egov-law")  # defaults stay unless overridden


def test_writes_text_and_counts(stage):
    web, novel, law = doc("web"), doc("aozora"), doc("egov-law")
    assert stage.process_batch([web, novel, law]) == [Keep(), Keep(), Keep()]
    assert web.text == "<PERSON>さんの連絡先：<PHONE>、<EMAIL>"
    assert web.metadata["pii_redactions"] == 3
    assert web.metadata["pii_detail"] == {"PERSON": 1, "PHONE": 1, "EMAIL": 1}
    for kept_names in (novel, law):
        assert kept_names.text == "山田太郎さんの連絡先：<PHONE>、<EMAIL>"
        assert kept_names.metadata["pii_detail"] == {"PHONE": 1, "EMAIL": 1}


def test_clean_document_untouched_and_columns_filled(stage):
    clean = doc("web", "吾輩は猫である。名前はまだ無い。")
    stage.process_batch([clean])
    assert clean.text == "吾輩は猫である。名前はまだ無い。"
    row = shard_row(clean)
    assert row["pii_redactions"] == 0
    assert row["pii_detail"] == []
    row = shard_row(stage_processed(stage, doc("web")))
    assert row["pii_redactions"] == 3
    assert row["pii_detail"] == [
        {"key": "EMAIL", "value": 1},
        {"key": "PERSON", "value": 1},
        {"key": "PHONE", "value": 1},
    ]


def stage_processed(stage, document):
    stage.process_batch([document])
    return document


def test_documents_without_candidates_never_reach_presidio(stage, monkeypatch):
    calls: list[int] = []
    original = PiiScrubber._analyze

    def counting(self, analyzer, texts, jobs, entities, found):
        calls.append(len(jobs))
        return original(self, analyzer, texts, jobs, entities, found)

    monkeypatch.setattr(PiiScrubber, "_analyze", counting)
    aozora = (REPO / "pipelines/sample/aozora/cards/000879/files").glob("*/*.txt")
    novel = next(aozora).read_bytes().decode("cp932")
    stage.process_batch([doc("web", "今日はいい天気ですね。"), doc("aozora", novel)])
    assert sum(calls) == 0
    stage.process_batch([doc("web", "今日はいい天気ですね。"), doc("web", TEXT)])
    assert sum(calls) == 1  # one window, of the second document


def test_run_passes_rejected_documents_through(stage):
    dropped = reject(doc("web", n=1), "quality", "too_short")
    kept = doc("web", n=2)
    out = list(stage.run(iter([dropped, kept])))
    assert rejection(out[0]) == ("quality", "too_short")
    assert out[0].text == TEXT  # a dropped document is not scrubbed
    assert out[1].text.startswith("<PERSON>")


def test_ships_to_workers_without_its_analyzers(stage):
    clone = pickle.loads(pickle.dumps(stage))
    assert clone._scrubber is None and not clone._ready
    (result,) = [doc("web")]
    clone.process_batch([result])
    assert result.metadata["pii_redactions"] == 3


def test_ner_adds_persons_outside_the_lexicon():
    stage = PiiStage(ner=True)
    stage.setup()
    text = "昨日、米野美稀恵が来ました。メールはyoneno@example.jpです。"
    (result,) = [doc("web", text)]
    stage.process_batch([result])
    assert "<EMAIL>" in result.text  # GiNZA may call it a person; the pattern wins
    assert "米野" not in result.text
    fast = PiiStage()
    (plain,) = [doc("web", text)]
    fast.process_batch([plain])
    assert "米野美稀恵" in plain.text  # the fast method needs context for such a name
