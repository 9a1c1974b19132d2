"""The ``aozora`` source on the bundled sample and on the shared 952-work slice."""

from __future__ import annotations

import csv
import shutil
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from corpus.document import rejection
from licenses import license_from_url, load_policy
from pipelines.errors import ConfigError
from pipelines.sources.aozora import AozoraParams, AozoraSource
from pipelines.sources.aozora_text import card_plain_text, split_card
from tests.conftest import SHARED_DATA
from tests.storage.conftest import bucket, s3_endpoint  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "pipelines" / "sample" / "aozora"
SHARED = SHARED_DATA / "aozora"
NOTATION_MARKS = ("《", "》", "［＃", "｜", "【テキスト中に現れる記号について】", "底本：")

#: the 16 Creative Commons works and their licenses, as listed in shared/data/aozora/SOURCE.md
SHARED_CC = {
    "000008": "LicenseRef-CC-BY-2.1-JP",  # 赤毛連盟
    "046344": "LicenseRef-CC-BY-2.1-JP",  # アッシェンプッテル
    "056572": "LicenseRef-CC-BY-2.1-JP",  # 青空文庫の提案
    "060574": "CC-BY-4.0",  # Afterlife
    "057320": "CC-BY-4.0",  # アリスはふしぎの国で
    "060551": "CC-BY-4.0",
    "059407": "CC-BY-3.0",  # 絞首刑
    "059517": "CC-BY-3.0",  # 象を撃つ
    "059176": "CC-BY-SA-3.0",  # 愛と月の犬
    "062061": "CC-BY-SA-4.0",  # 断章　アザトース
    "060573": "CC-BY-NC-4.0",  # Buying Mittens
    "058129": "LicenseRef-CC-BY-ND-2.1-JP",  # 赤い婚礼
    "058175": "LicenseRef-CC-BY-NC-ND-2.1-JP",  # ぞなもし狩り
    "057347": "LicenseRef-CC-BY-NC-ND-2.1-JP",  # 老人と海: words BY, link BY-NC-ND → stricter
    "061171": "CC-BY-NC-ND-4.0",  # 鉄道模型の夜
    "058807": "LicenseRef-CC-BY-2.1-JP",  # 人生は擬似体験ゲーム: statement without URL
}


def read_all(index: Path | str, root: Path | str | None = None, **params) -> dict[str, object]:
    source = AozoraSource(
        AozoraParams(index=str(index), root=str(root) if root else None, **params), REPO
    )
    source.check()
    docs = {}
    for task in source.plan():
        for doc in source.read(task):
            docs[doc.metadata["source_id"]] = doc
    return docs


def index_rows(path: Path) -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            rows[row["作品ID"]].append(row)
    return rows


def manifest(path: Path) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return {r["work_id"]: r for r in csv.DictReader(f, delimiter="\t")}


def test_sample_licenses_follow_index_flags_and_footer():
    docs = read_all(SAMPLE / "list_person_all_extended_utf8.csv")
    expected = manifest(SAMPLE / "MANIFEST.tsv")
    assert set(docs) == set(expected)
    rows = index_rows(SAMPLE / "list_person_all_extended_utf8.csv")
    for work_id, doc in docs.items():
        meta = doc.metadata
        assert rejection(doc) is None, work_id
        if expected[work_id]["license"] == "public-domain-jp":
            assert meta["license"] == "LicenseRef-PublicDomain-JP"
            assert meta["license_evidence"].startswith("aozora-index:作品著作権フラグ=なし,")
            for row in rows[work_id]:  # every person row is named in the evidence
                assert f"なし({row['人物ID']}:{row['役割フラグ']})" in meta["license_evidence"]
        else:
            assert meta["license"] == SHARED_CC[work_id]
            assert expected[work_id]["license"] in meta["license_evidence"]
        assert meta["url"] == expected[work_id]["card_url"]
        assert meta["source"] == "aozora"


def test_conflicting_footer_takes_the_stricter_reading():
    doc = read_all(SAMPLE / "list_person_all_extended_utf8.csv")["057347"]  # 老人と海
    evidence = doc.metadata["license_evidence"]
    assert doc.metadata["license"] == "LicenseRef-CC-BY-NC-ND-2.1-JP"
    assert "LicenseRef-CC-BY-2.1-JP" in evidence and "conflict" in evidence
    assert not load_policy("default").admits(doc.metadata["license"])


def test_kept_text_has_no_notation_header_legend_or_footer():
    docs = read_all(SAMPLE / "list_person_all_extended_utf8.csv")
    for work_id, doc in docs.items():
        for mark in NOTATION_MARKS:
            assert mark not in doc.text, (work_id, mark)
    rashomon = docs["000127"].text
    assert rashomon.startswith("羅生門\n芥川龍之介\n")
    assert "一人の下人が、羅生門の下で雨やみを待っていた。" in rashomon
    assert rashomon.rstrip().endswith("下人の行方は、誰も知らない。\n（大正四年九月）")
    assert "青空文庫" not in rashomon


def test_footer_facts_and_card_url_in_attribution():
    attribution = read_all(SAMPLE / "list_person_all_extended_utf8.csv")["000127"].metadata[
        "attribution"
    ]
    assert attribution.startswith("芥川 竜之介（著者）「羅生門」青空文庫 ")
    for fact in (
        "https://www.aozora.gr.jp/cards/000879/card127.html",
        "底本：「芥川龍之介全集1」ちくま文庫、筑摩書房",
        "入力：平山誠、野口英司",
        "校正：もりみつじゅんじ",
    ):
        assert fact in attribution


def test_retrieved_at_and_ids_are_stable_across_reads():
    first = read_all(SAMPLE / "list_person_all_extended_utf8.csv", works_per_task=3)
    again = read_all(SAMPLE / "list_person_all_extended_utf8.csv", works_per_task=50)
    assert {k: (d.id, d.metadata["retrieved_at"], d.text) for k, d in first.items()} == {
        k: (d.id, d.metadata["retrieved_at"], d.text) for k, d in again.items()
    }


def _copy_sample(tmp_path: Path) -> Path:
    root = tmp_path / "aozora"
    shutil.copytree(SAMPLE, root)
    return root


def _rewrite_index(index: Path, change) -> None:
    with open(index, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, [change(dict(r)) for r in reader]
    with open(index, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def test_one_copyrighted_person_row_without_footer_license_is_rejected(tmp_path):
    root = _copy_sample(tmp_path)
    index = root / "list_person_all_extended_utf8.csv"

    def living_translator(row):  # 走れメロス: pretend a person row says あり
        if row["作品ID"] == "001567":
            row["人物著作権フラグ"] = "あり"
        return row

    _rewrite_index(index, living_translator)
    doc = read_all(index)["001567"]
    assert rejection(doc) == ("license", "no_license_in_footer")
    assert doc.metadata["license"] is None


def _zipped_rashomon_without_melos(tmp_path: Path) -> Path:
    """The sample with 羅生門 (000127) only as the official zip and 走れメロス (001567)'s
    card deleted; the root."""
    root = _copy_sample(tmp_path)
    folder = root / "cards" / "000879" / "files" / "127_ruby_150"
    with zipfile.ZipFile(folder.parent / "127_ruby_150.zip", "w") as zf:
        zf.write(folder / "127_ruby_150.txt", "127_ruby_150.txt")
    shutil.rmtree(folder)
    shutil.rmtree(root / "cards" / "000035")
    return root


def test_missing_text_file_is_rejected_and_zip_layout_is_read(tmp_path):
    root = _zipped_rashomon_without_melos(tmp_path)
    docs = read_all(root / "list_person_all_extended_utf8.csv")
    assert rejection(docs["001567"]) == ("read", "text_file_missing")
    assert rejection(docs["000127"]) is None
    assert docs["000127"].text.startswith("羅生門\n芥川龍之介")


def test_bad_index_is_a_config_error_naming_the_key(tmp_path):
    bad = tmp_path / "index.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^index: .*missing column"):
        read_all(bad, root=tmp_path)
    with pytest.raises(ConfigError, match=r"^index: file not found"):
        read_all(tmp_path / "nope.csv", root=tmp_path)


# --------------------------------------------------------------------------- URLs


def _hostile_tree(tmp_path: Path) -> Path:
    """The sample with 羅生門 only as the official zip, 走れメロス's card gone, and two
    index rows whose text URL climbs out of the root to ``secret/notes.zip`` beside it."""
    root = _zipped_rashomon_without_melos(tmp_path)
    secret = tmp_path / "secret"
    secret.mkdir()
    with zipfile.ZipFile(secret / "notes.zip", "w") as zf:
        zf.writestr("notes.txt", "社外秘のメモ。これは公開してはならない。".encode("cp932"))
    index = root / "list_person_all_extended_utf8.csv"
    with open(index, encoding="utf-8-sig", newline="") as f:
        template = next(csv.DictReader(f))
    climbs = {
        "900001": "https://www.aozora.gr.jp/cards/../../secret/notes.zip",
        "900002": "https://www.aozora.gr.jp/cards/000879/files/../../../../secret/notes.zip",
    }
    with open(index, "a", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(template), quoting=csv.QUOTE_ALL)
        for work_id, url in climbs.items():
            writer.writerow(template | {"作品ID": work_id, "テキストファイルURL": url})
    return root


def _outcomes(docs: dict[str, object]) -> dict[str, tuple]:
    """Everything a document says except when it was obtained (mtime vs LastModified)."""
    return {
        k: (
            d.id,
            d.text,
            rejection(d),
            sorted((m, v) for m, v in d.metadata.items() if m != "retrieved_at"),
        )
        for k, d in docs.items()
    }


def _upload(folder: Path, url: str) -> None:
    from corpus import storage

    fs, inner = storage.filesystem(url)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fs.pipe_file(f"{inner}/{path.relative_to(folder).as_posix()}", path.read_bytes())


def _check_hostile_outcomes(docs: dict[str, object]) -> None:
    assert rejection(docs["001567"]) == ("read", "text_file_missing")
    assert docs["001567"].metadata["reject_detail"] == (
        "no text file at cards/000035/files/1567_ruby_4948.zip"
    )
    assert rejection(docs["000127"]) is None  # read from the zip
    assert docs["000127"].text.startswith("羅生門\n芥川龍之介")
    for work_id in ("900001", "900002"):
        assert rejection(docs[work_id]) == ("read", "unsafe_path")
        assert docs[work_id].text == ""
    assert not any("社外秘" in d.text for d in docs.values())


def test_a_tree_behind_a_url_reads_as_the_local_tree(tmp_path: Path) -> None:
    """``file://`` and an fsspec memory filesystem (standing in for an object store) give
    the same documents, ids and rejections as the local folder, zip and climbs included."""
    import fsspec

    root = _hostile_tree(tmp_path)
    local = read_all(root / "list_person_all_extended_utf8.csv")
    _check_hostile_outcomes(local)
    assert len(local) == 25
    expected = _outcomes(local)
    assert _outcomes(read_all(f"file://{root}/list_person_all_extended_utf8.csv")) == expected
    url = f"memory://aozora-{tmp_path.name}"
    _upload(tmp_path, url)  # root/… and secret/ beside it, as on the local disk
    try:
        remote = read_all(f"{url}/aozora/list_person_all_extended_utf8.csv")
        assert _outcomes(remote) == expected
        with_root = read_all(f"{url}/aozora/list_person_all_extended_utf8.csv", f"{url}/aozora")
        assert _outcomes(with_root) == expected
    finally:
        fsspec.filesystem("memory").rm(f"/aozora-{tmp_path.name}", recursive=True)


def test_a_symlinked_card_folder_out_of_a_local_root_is_unsafe(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path)
    shutil.move(root / "cards" / "000879", tmp_path / "elsewhere")
    (root / "cards" / "000879").symlink_to(tmp_path / "elsewhere")
    for index in (
        root / "list_person_all_extended_utf8.csv",
        f"file://{root}/list_person_all_extended_utf8.csv",
    ):
        docs = read_all(index)
        for work_id in ("000127", "000092"):  # 羅生門, 蜘蛛の糸: both under cards/000879
            assert rejection(docs[work_id]) == ("read", "unsafe_path"), (index, work_id)
            assert "symlink" in docs[work_id].metadata["reject_detail"]
        assert rejection(docs["001567"]) is None


def test_relative_index_and_root_resolve_against_the_pipeline_file(tmp_path, monkeypatch) -> None:
    from pipelines.config import parse_pipeline

    root = _copy_sample(tmp_path / "data")
    monkeypatch.chdir(tmp_path)  # a folder where the relative paths name nothing
    entry = {
        "type": "aozora",
        "index": "aozora/list_person_all_extended_utf8.csv",
        "root": "aozora",
    }
    (source,) = parse_pipeline({"name": "rel", "sources": [entry]}, base_dir=root.parent).sources
    docs = {d.metadata["source_id"]: d for t in source.plan() for d in source.read(t)}
    assert _outcomes(docs) == _outcomes(read_all(root / "list_person_all_extended_utf8.csv"))


def test_a_root_missing_on_the_worker_fails_the_task(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path)
    source = AozoraSource(
        AozoraParams(
            index=str(root / "list_person_all_extended_utf8.csv"), root=str(root / "cards")
        ),
        REPO,
    )
    task = source.plan()[0]
    shutil.rmtree(root / "cards")  # planned on the driver; this node does not see it
    with pytest.raises(FileNotFoundError, match="planned Aozora root is missing"):
        list(source.read(task))


def test_sample_on_s3_reads_as_local_and_climbs_are_refused(tmp_path: Path, bucket: str) -> None:  # noqa: F811
    """The same tree in a bucket (moto on loopback): same documents and rejections; the
    text URLs that climb to ``secret/notes.zip`` (also in the bucket) are never read."""
    root = _hostile_tree(tmp_path)
    expected = _outcomes(read_all(root / "list_person_all_extended_utf8.csv"))
    _upload(tmp_path, f"{bucket}/jp")
    docs = read_all(f"{bucket}/jp/aozora/list_person_all_extended_utf8.csv")
    _check_hostile_outcomes(docs)
    assert _outcomes(docs) == expected


@pytest.fixture(scope="module")
def shared_docs():
    if not (SHARED / "index_works.csv").is_file():
        pytest.skip("shared/data/aozora not available")
    return read_all(SHARED / "index_works.csv", root=SHARED)


def test_shared_every_admitted_work_is_public_domain_by_all_rows_or_admissible_cc(shared_docs):
    rows = index_rows(SHARED / "index_works.csv")
    policy = load_policy("default")
    assert len(shared_docs) == 952
    admitted = {k: d for k, d in shared_docs.items() if rejection(d) is None}
    admitted = {k: d for k, d in admitted.items() if policy.admits(d.metadata["license"])}
    for work_id, doc in admitted.items():
        all_nashi = all(
            r["作品著作権フラグ"] == "なし" and r["人物著作権フラグ"] == "なし"
            for r in rows[work_id]
        )
        if doc.metadata["license"] == "LicenseRef-PublicDomain-JP":
            assert all_nashi, work_id
        else:
            assert not all_nashi and work_id in SHARED_CC, work_id
    assert len(admitted) == 936 + 11  # the 5 NC/ND works are refused by the default policy


def test_shared_creative_commons_works_get_the_listed_licenses(shared_docs):
    found = {
        k: d.metadata["license"]
        for k, d in shared_docs.items()
        if d.metadata["license"] != "LicenseRef-PublicDomain-JP"
    }
    assert found == SHARED_CC
    by_manifest = manifest(SHARED / "MANIFEST.tsv")
    for work_id, license_id in SHARED_CC.items():
        url = by_manifest[work_id]["license"]
        if url.startswith("http") and work_id != "057347":
            assert license_from_url(url) == license_id, work_id


def test_shared_texts_carry_no_notation(shared_docs):
    for work_id, doc in shared_docs.items():
        for mark in NOTATION_MARKS:
            assert mark not in doc.text, (work_id, mark)
        assert len(doc.text) > 20, work_id


def test_split_card_without_legend_or_footer_marker():
    text = "題\n作者\n\n　本文《ほんぶん》です。\n\n青空文庫作成ファイル：\nこのファイルは…\n"
    card = split_card(text)
    assert card_plain_text(card) == "題\n作者\n\n　本文です。"
    assert card.footer.startswith("青空文庫作成ファイル：")


def test_sample_release_rejects_nc_nd_with_reasons_and_keeps_clean_text(sample_release):
    import duckdb

    shards = str(sample_release / "shards" / "*.parquet")
    rejected = str(sample_release / "rejected" / "*.parquet")
    refused = duckdb.sql(
        f"SELECT source_id, license, stage, reason FROM read_parquet('{rejected}') "
        "WHERE source = 'aozora' AND stage = 'license' ORDER BY source_id"
    ).fetchall()
    assert refused == [
        ("057347", "LicenseRef-CC-BY-NC-ND-2.1-JP", "license", "license_refused:non_commercial"),
        ("060573", "CC-BY-NC-4.0", "license", "license_refused:non_commercial"),
    ]
    kept = duckdb.sql(
        f"SELECT source_id, text, license_evidence FROM read_parquet('{shards}') "
        "WHERE source = 'aozora'"
    ).fetchall()
    ((later_drops,),) = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{rejected}') "
        "WHERE source = 'aozora' AND stage <> 'license'"
    ).fetchall()
    assert len(kept) + later_drops == 21  # the rest of the 23 works pass the license gate
    for work_id, text, evidence in kept:
        assert evidence, work_id
        for mark in NOTATION_MARKS:
            assert mark not in text, (work_id, mark)


@pytest.mark.parametrize(
    "module",
    ["pipelines.sources.aozora", "pipelines.sources.aozora_index", "pipelines.sources.aozora_text"],
)
def test_doctests_of_the_text_rules(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
