"""Provenance a line overrides, and texts the tokenizer evaluation reads like a run does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.sources.jsonl import JsonlParams, JsonlSource
from tests.bad_input.corpus import NEKO
from tests.conftest import run_cli
from tokenizer.evaluate import load_texts


def test_a_line_license_keeps_the_source_evidence_too(tmp_path: Path) -> None:
    lines = [
        {"id": "own", "text": NEKO, "license": "CC0-1.0"},
        {
            "id": "own-evidence",
            "text": NEKO,
            "license": "CC0-1.0",
            "license_evidence": "著者の宣言",
        },
        {"id": "plain", "text": NEKO},
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    source = JsonlSource(
        JsonlParams(path=str(path), license="CC-BY-4.0", license_evidence="利用規約 2026-11-01"),
        tmp_path,
    )
    (task,) = source.plan()
    got = {d.metadata["source_id"]: d.metadata for d in source.read(task)}
    assert got["own"]["license"] == "CC0-1.0"
    assert got["own"]["license_evidence"] == (
        "jsonl line license field (docs.jsonl:1); source CC-BY-4.0: 利用規約 2026-11-01"
    )
    assert (
        got["own-evidence"]["license_evidence"]
        == "著者の宣言; source CC-BY-4.0: 利用規約 2026-11-01"
    )
    assert got["plain"]["license_evidence"] == "利用規約 2026-11-01"


def test_tokenizer_eval_reads_japanese_encodings_like_run(tmp_path: Path) -> None:
    (tmp_path / "sjis.txt").write_bytes(NEKO.encode("cp932"))
    (tmp_path / "euc.txt").write_bytes(NEKO.encode("euc_jp"))
    assert load_texts([tmp_path / "sjis.txt", tmp_path / "euc.txt"]) == {
        "sjis": [NEKO],
        "euc": [NEKO],
    }
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_bytes(NEKO.encode("cp932"))
    assert load_texts([folder]) == {"folder": [NEKO]}


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("nul.txt", NEKO.encode() + b"\x00" + NEKO.encode(), "nul.txt:"),
        (
            "lines.jsonl",
            b'{"text": "ok"}\n{"text": "' + NEKO.encode("cp932") + b'"}\n',
            "lines.jsonl:2",
        ),
    ],
)
def test_tokenizer_eval_errors_name_the_file(tmp_path: Path, name: str, data: bytes, where: str):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ValueError, match=where.replace(".", r"\.")):
        load_texts([path])


def test_tokenizer_eval_command_on_an_undecodable_file_exits_2(tmp_path: Path) -> None:
    model = tmp_path / "m.model"
    model.write_bytes(b"not read before the texts")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    proc = run_cli("tokenizer", "eval", str(model), str(bad))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "Traceback" not in proc.stderr
