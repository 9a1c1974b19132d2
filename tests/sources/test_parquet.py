"""The ``parquet`` source on real text written to Parquet the ways data engineers have it.

Tatoeba's Japanese sentences (CC BY 2.0 FR) as a Hugging Face dataset folder
(``data/train-0000x-of-00002.parquet`` beside a test split), and Japanese Wikipedia
articles (CC BY-SA 3.0) as a ``<config>/<split>/`` folder read through a ``file://`` URL.
"""

from __future__ import annotations

import gzip
import json
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus.document import REJECTION_KEY
from pipelines.cli import main
from pipelines.config import parse_pipeline
from tests.conftest import SHARED_DATA

TATOEBA = SHARED_DATA / "tatoeba" / "jpn-eng.manythings.shared.tsv"
JAWIKI = SHARED_DATA / "jawiki" / "jawiki-country.shared.json.gz"


def _pairs() -> list[tuple[str, str]]:
    lines = TATOEBA.read_text("utf-8").splitlines()
    return [tuple(line.split("\t")[:2]) for line in lines if "\t" in line]


@pytest.fixture(scope="module")
def hf_folder(tmp_path_factory) -> Path:
    """Tatoeba as an HF dataset folder: two train shards and a test shard, small row groups.

    The Japanese sentence is the ``sentence_id`` column's value too, so a sentence that
    Tatoeba has twice (with another English) is a repeated id, as real dumps have.
    """
    root = tmp_path_factory.mktemp("hf") / "tatoeba-ja"
    (root / "data").mkdir(parents=True)
    pairs = _pairs()[:12_000]
    table = pa.table(
        {
            "sentence_id": [ja for _, ja in pairs],
            "sentence": [ja for _, ja in pairs],
            "english": [en for en, _ in pairs],
        }
    )
    parts = {
        "train-00000-of-00002": table.slice(0, 5000),
        "train-00001-of-00002": table.slice(5000, 5000),
        "test-00000-of-00001": table.slice(10_000),
    }
    for name, part in parts.items():
        pq.write_table(part, root / "data" / f"{name}.parquet", row_group_size=500)
    (root / "README.md").write_text("---\nlicense: cc-by-2.0\n---\n", "utf-8")
    return root


def _source(base: Path, **keys):
    entry = {"type": "parquet", "license": "CC-BY-2.0", "license_evidence": "tatoeba.org"}
    (source,) = parse_pipeline({"name": "pq", "sources": [entry | keys]}, base_dir=base).sources
    return source


def _read(source) -> tuple[int, list[tuple]]:
    plan = source.plan()
    docs = [d for task in plan for d in source.read(task)]
    return len(plan), [(d.id, d.text, sorted(d.metadata.items())) for d in docs]


def test_hf_folder_split_and_column_mapping(hf_folder: Path) -> None:
    cols = {"text": "sentence", "id": "sentence_id"}
    n, docs = _read(_source(hf_folder.parent, path=hf_folder.name, columns=cols, split="train"))
    assert n == 2  # one task a file at the default task_bytes
    pairs = _pairs()[:10_000]
    assert [d[1] for d in docs if not dict(d[2]).get(REJECTION_KEY)] == _first_uses(pairs)
    meta = dict(docs[0][2])
    assert meta["source"] == "parquet" and meta["license"] == "CC-BY-2.0"
    assert meta["source_id"] == pairs[0][1]
    rejected = [dict(m) for _, _, m in docs if dict(m).get(REJECTION_KEY)]
    assert rejected and all(m[REJECTION_KEY][1] == "duplicate_id" for m in rejected)
    assert "already in row" in rejected[0]["reject_detail"]
    assert len(docs) == 10_000  # every row of the train split is a document, kept or not
    _, everything = _read(_source(hf_folder.parent, path=hf_folder.name, columns=cols))
    assert len(everything) == 12_000


def _first_uses(pairs: list[tuple[str, str]]) -> list[str]:
    """Japanese sentences of each train file in order, a repeat within its file left out."""
    out = []
    for start in (0, 5000):
        seen: set[str] = set()
        for _, ja in pairs[start : start + 5000]:
            if ja not in seen:
                seen.add(ja)
                out.append(ja)
    return out


def test_row_group_tasks_read_the_same_documents(hf_folder: Path) -> None:
    cols = {"text": "sentence", "id": "sentence_id"}
    path = hf_folder / "data" / "train-00000-of-00002.parquet"
    one, whole = _read(_source(hf_folder, path=str(path), columns=cols))
    many, split = _read(_source(hf_folder, path=str(path), columns=cols, task_bytes="16KB"))
    assert one == 1 and many >= 8
    assert split == whole
    dup = [m for _, _, m in split if dict(m).get(REJECTION_KEY)]
    assert len(dup) > 0  # repeats across row groups found in other tasks as well


@pytest.fixture(scope="module")
def wiki_folder(tmp_path_factory) -> Path:
    """Japanese Wikipedia articles as ``default/train/0000.parquet`` with a url column."""
    root = tmp_path_factory.mktemp("wiki") / "jawiki"
    (root / "default" / "train").mkdir(parents=True)
    with gzip.open(JAWIKI, "rt", encoding="utf-8") as f:
        articles = [json.loads(line) for line in f]
    table = pa.table(
        {
            "title": [a["title"] for a in articles],
            "text": [a["text"] for a in articles],
            "url": [f"https://ja.wikipedia.org/wiki/{a['title']}" for a in articles],
            "license": ["CC-BY-SA-3.0"] * len(articles),
        }
    )
    pq.write_table(table, root / "default" / "train" / "0000.parquet", row_group_size=10)
    return root


def test_config_split_folder_through_a_file_url(wiki_folder: Path) -> None:
    local = _read(_source(wiki_folder, path=str(wiki_folder), split="train", task_bytes="256KB"))
    url = _read(_source(wiki_folder, path=f"file://{wiki_folder}", split="train"))
    assert local[0] > 1 and url[0] == 1
    assert url[1] == local[1]
    table = pq.read_table(wiki_folder / "default/train/0000.parquet")
    first = dict(url[1][0][2])
    assert first["source_id"] == table["title"][0].as_py()  # no id column: the title is the id
    assert first["url"].startswith("https://ja.wikipedia.org/wiki/")
    assert first["license"] == "CC-BY-SA-3.0"
    assert first["license_evidence"].startswith("parquet license column")
    assert len(url[1]) == table.num_rows


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    columns: {text: body}\n", "sources[0].columns.text: no column 'body'"),
        ("    columns: {txt: sentence}\n", "sources[0].columns.txt: unknown key"),
        ("    columnz: {text: sentence}\n", "sources[0].columnz: unknown key"),
        ("    columns: {text: sentence}\n    split: validation\n", "sources[0].split:"),
        ("    columns: {text: sentence}\n    task_bytes: lots\n", "sources[0].task_bytes:"),
    ],
)
def test_bad_parquet_keys_exit_2_naming_the_key(hf_folder, tmp_path, capsys, extra, expected):
    body = (
        f"name: t\nsources:\n  - type: parquet\n    path: {hf_folder}\n"
        f"    license: CC-BY-2.0\n    license_evidence: tatoeba.org\n{extra}"
    )
    code = main(["run", str(_write(tmp_path, body)), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err, err
    assert len(err.strip().splitlines()) == 1, err
