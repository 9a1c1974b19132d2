"""``jpcorpus takedown``: a new version without the documents, and they stay out."""

from __future__ import annotations

from pathlib import Path

import pytest

from manifests.audit import audit_release
from manifests.release import read_manifest
from manifests.takedown import rules_from_cli, takedown
from pipelines.cli import main
from pipelines.config import load_pipeline
from tests.conftest import run_cli
from tests.manifests.conftest import light_pipeline, rejected_rows, shard_rows

REASON = "author's request of 2026-11-20 (ticket 42)"


def _two_documents(release, among: set[str] | None = None) -> tuple[dict, dict]:
    """One document to name by id and one whose URL belongs to no other document."""
    rows = shard_rows(release, ["id", "url", "source"])
    urls = [r["url"] for r in rows]
    pick = [r for r in rows if among is None or r["id"] in among]
    by_url = next(r for r in pick if r["url"].startswith("https://") and urls.count(r["url"]) == 1)
    by_id = next(r for r in pick if r["id"] != by_url["id"])
    return by_id, by_url


def _read_ids(pipeline_file) -> set[str]:
    """Ids of the documents a pipeline's first source yields (read directly, no Ray)."""
    source = load_pipeline(pipeline_file).sources[0]
    return {doc.id for task in source.plan() for doc in source.read(task)}


def _takedown_publish_rerun(catalog, v1_release, rerun_args, among=None):
    """Publish v1, take down two documents, publish v2, rerun: they are gone everywhere."""
    v1 = catalog.current().version
    by_id, by_url = _two_documents(v1_release, among)
    gone = {by_id["id"], by_url["id"]}
    code = main(
        ["takedown", catalog.url, "--id", by_id["id"], "--url", by_url["url"], "--reason", REASON]
    )
    assert code == 0

    index = catalog.read_index()
    old, new = index.versions
    assert (old.version, old.status, old.superseded_by) == (v1, "superseded", new.version)
    assert REASON in old.reason and "td-0001" in old.reason
    assert (new.status, new.parent, new.kind) == ("current", v1, "takedown")
    (request,) = index.takedowns
    assert request.reason == REASON and request.requested_at
    assert sorted(request.matched) == sorted(gone)
    assert (request.from_version, request.to_version) == (v1, new.version)

    v2 = catalog.version_path(new.version)
    assert audit_release(v2) == []
    before = {r["id"] for r in shard_rows(v1_release, ["id"])}
    assert {r["id"] for r in shard_rows(v2, ["id"])} == before - gone
    removed = [r for r in rejected_rows(v2) if r["stage"] == "takedown"]
    assert {r["id"] for r in removed} == gone
    assert all(r["reason"] == "taken_down" and REASON in r["detail"] for r in removed)
    acc, parent_acc = read_manifest(v2)["accounting"], read_manifest(v1_release)["accounting"]
    assert acc["input"] == parent_acc["input"] and acc["kept"] == parent_acc["kept"] - 2
    assert acc["dropped"]["takedown"] == {"taken_down": 2}
    # the older version itself is never modified
    assert audit_release(catalog.version_path(v1)) == []
    assert gone <= {r["id"] for r in shard_rows(catalog.version_path(v1), ["id"])}

    # rerun, publishing into the catalog: the documents are read and dropped again
    rerun = Path(rerun_args[rerun_args.index("--out") + 1])
    proc = run_cli(*rerun_args, "--quiet", "--catalog", catalog.url, "--version", "v3")
    assert proc.returncode == 0, proc.stderr
    assert audit_release(rerun) == []
    assert not gone & {r["id"] for r in shard_rows(rerun, ["id"])}
    again = [r for r in rejected_rows(rerun) if r["stage"] == "takedown"]
    assert {r["id"] for r in again} == gone and {r["reason"] for r in again} == {"taken_down"}
    versions = catalog.versions()
    assert [(v.version, v.status) for v in versions] == [
        (v1, "superseded"), (new.version, "superseded"), ("v3", "current"),
    ]  # fmt: skip
    assert REASON in versions[0].reason  # v1 keeps the takedown as its reason
    return gone, rerun


def test_takedown_then_rerun(catalog, sample_release, tmp_path):
    """v1 is the sample's release; the rerun is a quick pipeline over the sample's first
    source, which reads both taken-down documents again (the full rerun is the slow test)."""
    light = light_pipeline(tmp_path)
    gone, _ = _takedown_publish_rerun(
        catalog, sample_release, ["run", str(light), "--out", str(tmp_path / "rerun")],
        among=_read_ids(light),
    )  # fmt: skip

    # a pull of the old version leaves the taken-down documents out as well
    v1 = catalog.versions()[0].version
    pulled = tmp_path / "pulled-v1"
    assert main(["pull", catalog.url, str(pulled), "--version", v1]) == 0
    assert not gone & {r["id"] for r in shard_rows(pulled, ["id"])}
    assert read_manifest(pulled)["accounting"]["dropped"] == {"takedown": {"taken_down": 2}}


@pytest.mark.slow
def test_takedown_then_rerun_of_the_whole_sample(catalog, sample_release, tmp_path):
    """The same with the bundled sample pipeline rerun as a whole (all its stages)."""
    _, rerun = _takedown_publish_rerun(
        catalog, sample_release, ["run", "--out", str(tmp_path / "rerun")]
    )
    before = {r["id"] for r in shard_rows(sample_release, ["id"])}
    after = {r["id"] for r in shard_rows(rerun, ["id"])}
    assert len(before - after) == 2


def test_takedown_by_domain_prefix_and_source(catalog, sample_release):
    rows = shard_rows(sample_release, ["id", "url", "source"])
    wiki = [r for r in rows if r["url"].startswith("https://ja.wikipedia.org/wiki/")]
    if not wiki:
        pytest.skip("the sample has no ja.wikipedia.org URLs")
    outcome = takedown(catalog.url, rules_from_cli([], ["wikipedia.org"], []), "domain test")
    assert sorted(outcome.request.matched) == sorted(r["id"] for r in wiki)

    prefix = wiki[0]["url"][:-1]
    expected = [r["id"] for r in rows if r["url"].startswith(prefix)]
    outcome = takedown(catalog.url, rules_from_cli([], [prefix + "*"], []), "prefix test")
    assert outcome.version is None  # already gone from the current version: nothing new
    assert outcome.affected == {catalog.versions()[0].version: len(expected)}
    assert catalog.read_index().takedowns[-1].matched == []

    source = next(r["source"] for r in rows if r["source"] != wiki[0]["source"])
    outcome = takedown(catalog.url, rules_from_cli([], [], [source]), "source test")
    assert sorted(outcome.request.matched) == sorted(r["id"] for r in rows if r["source"] == source)
    current = catalog.version_path(catalog.current().version)
    assert audit_release(current) == []
    left = shard_rows(current, ["source", "url"])
    assert not [r for r in left if r["source"] == source or "wikipedia.org/" in r["url"]]
    assert [v.status for v in catalog.versions()] == ["superseded", "superseded", "current"]


def test_takedown_usage_errors(catalog, capsys):
    assert main(["takedown", catalog.url, "--reason", "x"]) == 2
    assert "--id, --url or --source" in capsys.readouterr().err
    assert main(["takedown", catalog.url, "--url", "not a url/", "--reason", "x"]) == 2
    assert "bare domain" in capsys.readouterr().err
    assert main(["takedown", catalog.url, "--id", "x", "--reason", " "]) == 2
    assert "--reason" in capsys.readouterr().err
    assert main(["takedown", str(catalog.url) + "-missing", "--id", "x", "--reason", "r"]) == 2
    assert "no catalog" in capsys.readouterr().err
