"""``jpcorpus run`` over the bad-input corpus: exit 0, every bad file in rejected/ with its
reason, the accounting identity, and an audit that passes."""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from manifests.audit import audit_release
from manifests.trace import trace_document
from tests.bad_input.corpus import NEKO, Expect, files_under, owner
from tests.conftest import release_facts, run_cli

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


def _strings(data) -> list[str]:
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in (k, *_strings(v))]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return [data] if isinstance(data, str) else []


def test_published_release_names_no_local_path_host_or_address(
    corpus, release: Path, tmp_path: Path
) -> None:
    root, _ = corpus
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    texts = _strings(manifest) + [
        str(v)
        for row in _rows(release, "rejected", ["source_id", "url", "detail"])
        for v in row.values()
        if v
    ]
    local = [t for t in texts if str(root) in t or str(release) in t or t.startswith("/")]
    assert not local, local[:5]
    host, ip = socket.gethostname(), re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
    assert not [t for t in texts if t == host or ip.search(t)]
    assert all(
        set(n) <= {"segment", "task", "node_id", "region", "labels"} for n in manifest["nodes"]
    )
    assert manifest["config"]["sources"][0]["path"] == "jsonl"
    assert manifest["policy"] == "bad-input-policy"
    assert manifest["policy_definition"]["yaml"] == (root / "policy.yaml").read_text("utf-8")
    # another machine: a copy elsewhere, without the pipeline folder or its policy file
    copy = tmp_path / "elsewhere" / "release"
    shutil.copytree(release, copy)
    assert audit_release(copy) == []
    trace = trace_document(copy, _rows(copy, "shards", ["id"])[0]["id"])
    assert trace["license"]["admitted"] is True


def test_the_processes_executor_makes_the_same_release(corpus, release: Path, tmp_path) -> None:
    root, _ = corpus
    out = tmp_path / "release"
    proc = run_cli(
        "run", str(root / "pipeline.yaml"), "--out", str(out), "--quiet", "--executor", "processes"
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    ours, ray = (json.loads((r / "manifest.json").read_text("utf-8")) for r in (out, release))
    assert ours["run"]["executor"] == "processes" and ray["run"]["executor"] == "ray"
    ours, ray = release_facts(ours), release_facts(ray)
    for part in ("shards", "rejected", "accounting"):
        assert ours[part] == ray[part], part
