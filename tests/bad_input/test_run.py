"""``jpcorpus run`` over the bad-input corpus: exit 0, every bad file in rejected/ with its
reason, the accounting identity, and an audit that passes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.bad_input.corpus import NEKO, Expect, files_under, owner
from tests.conftest import run_cli

SOURCES = ("jsonl", "text", "warc", "laws")
"""The folders :data:`tests.bad_input.corpus.PIPELINE` reads."""


@pytest.fixture(scope="module")
def release(corpus, tmp_path_factory) -> Path:
    root, _ = corpus
    out = tmp_path_factory.mktemp("bad-input-run") / "release"
    proc = run_cli("run", str(root / "pipeline.yaml"), "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    return out


def _rows(release: Path, folder: str, columns: list[str] | None = None) -> list[dict]:
    return [
        row
        for path in sorted((release / folder).glob("*.parquet"))
        for row in pq.read_table(path, columns=columns).to_pylist()
    ]


def test_every_bad_file_is_in_the_release_with_its_reason(corpus, release: Path) -> None:
    root, expected = corpus
    wanted: dict[str, Expect] = {}
    for folder in SOURCES:
        wanted |= files_under(root / folder, expected)
    names = list(expected)
    rejected: dict[str | None, Counter] = {}
    for row in _rows(release, "rejected"):
        rejected.setdefault(owner(row, names), Counter())[(row["stage"], row["reason"])] += 1
    kept = Counter(owner(r, names) for r in _rows(release, "shards", ["source_id", "url"]))
    got = {n: Expect(rejected.get(n, Counter()), kept[n]) for n in {*rejected, *kept}}
    assert None not in got, "a row that belongs to no corpus file"
    assert got == wanted
    assert not any(r.startswith("read_error:") for c in rejected.values() for _, r in c)


def test_accounting_identity_and_audit(release: Path) -> None:
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    accounting = manifest["accounting"]
    dropped = sum(n for reasons in accounting["dropped"].values() for n in reasons.values())
    assert accounting["input"] == accounting["kept"] + dropped
    assert accounting["kept"] == len(_rows(release, "shards", ["id"]))
    assert dropped == len(_rows(release, "rejected", ["id"]))
    kept = _rows(release, "shards", ["id"])
    assert len({r["id"] for r in kept}) == len(kept), "kept ids are unique"
    audit = run_cli("audit", str(release))
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_kept_text_of_undeclared_encodings_is_the_original(release: Path) -> None:
    rows = {r["source_id"]: r for r in _rows(release, "shards", ["source_id", "text"])}
    assert rows["sjis.txt"]["text"] == rows["eucjp.txt"]["text"] == NEKO
