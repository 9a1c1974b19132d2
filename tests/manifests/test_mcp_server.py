"""``jpcorpus mcp``: the SDK's own client against the server, in memory, over stdio and HTTP.

The sample catalog is the bundled sample's release as its first version, then a
takedown of two documents (one named by id, one by URL) that publishes the second.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from licenses.registry import get_license
from manifests.catalog import Catalog
from manifests.mcp_server import CorpusTarget, build_server
from manifests.release import read_manifest
from manifests.takedown import rules_from_cli, takedown
from pipelines.cli import main as cli_main
from tests.conftest import REPO
from tests.manifests.conftest import publish_copy, rejected_rows, shard_rows

REASON = "author's request of 2026-11-20 (ticket 42)"
TOOLS = {
    "list_versions",
    "license_summary",
    "search_documents",
    "trace_document",
    "rejected_documents",
    "diff_versions",
}


@pytest.fixture(scope="module")
def sample_catalog(sample_release, tmp_path_factory) -> Catalog:
    """v1 = the sample's release; a takedown by id and by URL publishes v2."""
    catalog = publish_copy(sample_release, tmp_path_factory.mktemp("mcp") / "catalog")
    rows = shard_rows(sample_release, ["id", "url"])
    urls = [r["url"] for r in rows]
    by_url = next(r for r in rows if r["url"].startswith("https://") and urls.count(r["url"]) == 1)
    by_id = next(r for r in rows if r["id"] != by_url["id"])
    takedown(catalog.url, rules_from_cli([by_id["id"]], [by_url["url"]], []), REASON)
    return catalog


def _tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and its sha256 (the lock file aside)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


async def _call(client: Client, name: str, args: dict | None = None) -> dict:
    result = await client.call_tool(name, args or {})
    assert not result.is_error, result.content[0].text
    return result.structured_content


async def _error(client: Client, name: str, args: dict) -> str:
    result = await client.call_tool(name, args)
    assert result.is_error, f"{name} {args} did not fail"
    (content,) = result.content
    assert "\n" not in content.text and "Traceback" not in content.text
    return content.text


async def exercise_every_tool(client: Client, catalog: Catalog, cli_trace=None) -> None:
    """Call every read-only tool and check each answer against the catalog's files (and
    the trace against ``cli_trace(doc_id)``, what ``jpcorpus trace --json`` printed)."""
    assert {t.name for t in (await client.list_tools()).tools} == TOOLS

    v1, v2 = catalog.versions()
    (request,) = catalog.requests()
    path1, path2 = Path(catalog.version_path(v1.version)), Path(catalog.version_path(v2.version))
    m1, m2 = read_manifest(path1), read_manifest(path2)
    rows2 = shard_rows(path2, ["id", "source", "url", "license", "text"])

    # list_versions: status and why, documents and licenses from each manifest
    versions = (await _call(client, "list_versions"))["versions"]
    assert [v["name"] for v in versions] == [v1.version, v2.version]
    assert versions[0]["status"] == "superseded" and REASON in versions[0]["reason"]
    assert versions[1]["status"] == "current"
    assert versions[0]["documents"] == m1["accounting"]["kept"]
    assert versions[1]["documents"] == m2["accounting"]["kept"] == m1["accounting"]["kept"] - 2
    assert versions[1]["licenses"] == {k: v["documents"] for k, v in m2["licenses"].items()}
    assert all(v["created_at"] for v in versions)

    # license_summary: per-license documents per source, obligations from the registry
    summary = await _call(client, "license_summary", {"version": v1.version})
    assert summary["version"] == v1.version
    rows1 = shard_rows(path1, ["license", "source"])
    for line in summary["licenses"]:
        expected = {}
        for r in rows1:
            if r["license"] == line["id"]:
                expected[r["source"]] = expected.get(r["source"], 0) + 1
        assert line["sources"] == expected
        assert (
            line["documents"] == sum(expected.values()) == m1["licenses"][line["id"]]["documents"]
        )
        assert line["characters"] == m1["licenses"][line["id"]]["characters"]
        assert line["obligations"] == get_license(line["id"]).obligations
        assert line["share_alike"] == ("share_alike" in line["obligations"])
    assert {line["id"] for line in summary["licenses"]} == set(m1["licenses"])

    # search_documents: each filter against the shard rows of the current version
    lic = max(m2["licenses"], key=lambda k: m2["licenses"][k]["documents"])
    found = (await _call(client, "search_documents", {"license": lic, "limit": 1000}))["documents"]
    assert sorted(d["id"] for d in found) == sorted(r["id"] for r in rows2 if r["license"] == lic)
    fields = {"id", "source", "source_id", "url", "license", "license_evidence", "attribution",
              "chars", "snippet"}  # fmt: skip
    assert all(fields <= set(d) and d["license_evidence"] and d["attribution"] for d in found)
    few = await _call(client, "search_documents", {"license": lic, "limit": 3})
    assert len(few["documents"]) == 3 and few["truncated"]
    aozora = await _call(client, "search_documents", {"domain": "aozora.gr.jp", "limit": 1000})
    assert sorted(d["id"] for d in aozora["documents"]) == sorted(
        r["id"] for r in rows2 if "://www.aozora.gr.jp/" in r["url"]
    )
    parent = await _call(client, "search_documents", {"domain": "gr.jp", "limit": 1000})
    assert parent["documents"] == aozora["documents"]  # a domain holds its subdomains
    suffix = await _call(client, "search_documents", {"domain": "zora.gr.jp"})
    assert suffix["documents"] == []  # but not hosts that merely end in the same letters
    prefix = "https://www.aozora.gr.jp/cards/000879/"
    by_prefix = await _call(client, "search_documents", {"url_prefix": prefix, "limit": 1000})
    assert {d["id"] for d in by_prefix["documents"]} == {
        r["id"] for r in rows2 if r["url"].startswith(prefix)
    }
    word = "羅生門"
    hits = (await _call(client, "search_documents", {"text_contains": word}))["documents"]
    assert {d["id"] for d in hits} == {r["id"] for r in rows2 if word in r["text"]}
    assert hits and all(word in d["snippet"] for d in hits)
    both = await _call(
        client,
        "search_documents",
        {"source": "aozora", "text_contains": word, "version": v1.version},
    )
    assert {d["id"] for d in both["documents"]} >= {d["id"] for d in hits}

    # trace_document: by id and by URL, as `jpcorpus trace --json` gives it
    gone = sorted(request.matched)
    trace = await _call(client, "trace_document", {"id": gone[0]})
    assert trace["id"] == gone[0] and trace["status"] == "dropped"
    assert [s for s in trace["stages"] if s["decision"] == "dropped"][0]["stage"] == "takedown"
    assert [v["document"] for v in trace["catalog"]["versions"]] == ["kept", "dropped"]
    assert trace["catalog"]["takedowns"][0]["reason"] == REASON
    kept = rows2[0]
    by_url = await _call(client, "trace_document", {"url": kept["url"], "version": v1.version})
    if [r["url"] for r in rows2].count(kept["url"]) == 1:
        assert by_url["id"] == kept["id"] and by_url["release"]["version"] == v1.version
    if cli_trace is not None:
        printed = cli_trace(gone[0])
        assert (printed["stages"], printed["catalog"]) == (trace["stages"], trace["catalog"])

    # rejected_documents: rows of rejected/ by stage and reason
    rejected = rejected_rows(path2)
    refused = await _call(client, "rejected_documents", {"stage": "license"})
    assert sorted(d["id"] for d in refused["documents"]) == sorted(
        r["id"] for r in rejected if r["stage"] == "license"
    )
    assert refused["total"] == len(refused["documents"]) > 0
    taken = await _call(client, "rejected_documents", {"reason": "taken_down", "limit": 1})
    assert taken["total"] == 2 and len(taken["documents"]) == 1 and taken["truncated"]
    assert set(taken["documents"][0]) >= {"id", "source", "source_id", "url", "license",
                                          "stage", "reason", "detail"}  # fmt: skip
    by_prefix_reason = await _call(client, "rejected_documents", {"reason": "license_refused"})
    assert by_prefix_reason["total"] == refused["total"]

    # diff_versions: the two removals, each with its takedown request and reason
    diff = await _call(client, "diff_versions", {"a": v1.version, "b": v2.version})
    assert diff["added"] == [] and diff["removed_total"] == 2
    assert sorted(d["id"] for d in diff["removed"]) == gone
    for removed in diff["removed"]:
        assert {"source", "url", "license"} <= set(removed)
        assert removed["why"] == {"cause": "takedown", "request": request.id, "reason": REASON,
                                  "requested_at": request.requested_at}  # fmt: skip
    back = await _call(client, "diff_versions", {"a": v2.version, "b": v1.version})
    assert sorted(d["id"] for d in back["added"]) == gone and back["removed"] == []


def test_in_memory_session_calls_every_tool(sample_catalog, capsys):
    server = build_server(CorpusTarget(sample_catalog.url))

    def cli_trace(doc_id: str) -> dict:
        capsys.readouterr()
        assert cli_main(["trace", sample_catalog.url, doc_id, "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    async def main():
        async with Client(server) as client:
            await exercise_every_tool(client, sample_catalog, cli_trace)

    anyio.run(main)


def _jpcorpus() -> list[str]:
    script = Path(sys.executable).parent / "jpcorpus"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipelines.cli"]


def test_stdio_subprocess_calls_every_tool(sample_catalog):
    command, *args = _jpcorpus()
    params = StdioServerParameters(
        command=command, args=[*args, "mcp", sample_catalog.url], cwd=str(REPO),
        env={"PYTHONPATH": str(REPO)},
    )  # fmt: skip

    async def main():
        async with Client(params) as client:
            await exercise_every_tool(client, sample_catalog)
            resources = (await client.list_resources()).resources
            assert len(resources) == 3 * len(sample_catalog.versions())

    anyio.run(main)


def test_bad_arguments_are_one_line_tool_errors(sample_catalog):
    server = build_server(CorpusTarget(sample_catalog.url))
    current = sample_catalog.current().version
    cases = [
        ("search_documents", {"limit": 5000}, "limit"),
        ("search_documents", {"limit": 0}, "limit"),
        ("search_documents", {"licence": "CC-BY-4.0"}, "unknown argument licence"),
        ("search_documents", {"license": "CC-BY-NC-4.0"}, "has no document in version"),
        ("search_documents", {"source": "nowhere"}, "source 'nowhere'"),
        ("search_documents", {"domain": "https://example.jp/"}, "bare domain"),
        ("search_documents", {"url_prefix": "example"}, "url_prefix"),
        ("search_documents", {"version": "v99"}, "no version 'v99'"),
        ("license_summary", {"version": "v99"}, "no version 'v99'"),
        ("trace_document", {}, "exactly one of id or url"),
        ("trace_document", {"id": "a", "url": "https://b"}, "exactly one of id or url"),
        ("trace_document", {"id": "no-such-document"}, "no document with this id"),
        ("rejected_documents", {"stage": "nowhere"}, "stage 'nowhere'"),
        ("rejected_documents", {"reason": "bogus"}, "reason 'bogus'"),
        ("diff_versions", {"a": current}, "b"),
        ("diff_versions", {"a": current, "b": "v99"}, "no version 'v99'"),
        ("list_versions", {"version": current}, "unknown argument version"),
    ]

    async def main():
        async with Client(server) as client:
            for name, args, fragment in cases:
                message = await _error(client, name, args)
                assert fragment in message, (name, args, message)
                assert message.startswith(f"{name}: "), message

    anyio.run(main)


def test_without_allow_takedown_nothing_changes(sample_catalog):
    root = Path(sample_catalog.url)
    before = _tree_digest(root)
    server = build_server(CorpusTarget(sample_catalog.url))
    v1 = sample_catalog.versions()[0].version

    async def main():
        async with Client(server) as client:
            assert "takedown" not in {t.name for t in (await client.list_tools()).tools}
            refused = await client.call_tool("takedown", {"id": "x", "reason": "test"})
            assert refused.is_error and "takedown" in refused.content[0].text
            for name, args in [("list_versions", {}), ("license_summary", {}),
                               ("search_documents", {"limit": 1000}),
                               ("rejected_documents", {"limit": 1000}),
                               ("diff_versions", {"a": v1, "b": v1})]:  # fmt: skip
                await _call(client, name, args)
            for resource in (await client.list_resources()).resources:
                await client.read_resource(str(resource.uri))

    anyio.run(main)
    assert _tree_digest(root) == before


def test_takedown_tool_publishes_a_version_when_allowed(sample_catalog, tmp_path):
    copy = tmp_path / "catalog"
    shutil.copytree(sample_catalog.url, copy)
    catalog = Catalog(copy)
    server = build_server(CorpusTarget(copy), allow_takedown=True)
    current = catalog.current().version
    target = shard_rows(catalog.version_path(current), ["id", "source"])[0]

    async def main():
        async with Client(server) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS | {"takedown"}
            message = await _error(client, "takedown", {"id": target["id"], "reason": " "})
            assert "reason" in message
            message = await _error(client, "takedown", {"url": "no-scheme/path", "reason": "r"})
            assert "url" in message
            out = await _call(client, "takedown", {"id": [target["id"]], "reason": "rights holder"})
            assert out["matched"] == [target["id"]] and out["removed"] == 1
            assert out["superseded"] == current and out["version"]["status"] == "current"
            versions = (await _call(client, "list_versions"))["versions"]
            assert versions[-1]["name"] == out["version"]["version"]
            assert versions[-2]["status"] == "superseded"
            assert "rights holder" in versions[-2]["reason"]
            diff = await _call(client, "diff_versions", {"a": current, "b": versions[-1]["name"]})
            assert [d["id"] for d in diff["removed"]] == [target["id"]]
            assert diff["removed"][0]["why"]["reason"] == "rights holder"

    anyio.run(main)
    assert catalog.current().version != current


def test_resources_are_each_versions_manifest_attribution_and_report(sample_catalog):
    server = build_server(CorpusTarget(sample_catalog.url))

    async def main():
        async with Client(server) as client:
            uris = {str(r.uri) for r in (await client.list_resources()).resources}
            for record in sample_catalog.versions():
                base = f"jpcorpus://versions/{record.version}/"
                assert {
                    base + "manifest.json",
                    base + "ATTRIBUTION.md",
                    base + "report.html",
                } <= uris
                folder = Path(sample_catalog.version_path(record.version))
                (manifest,) = (await client.read_resource(base + "manifest.json")).contents
                assert json.loads(manifest.text) == read_manifest(folder)
                (credits,) = (await client.read_resource(base + "ATTRIBUTION.md")).contents
                assert credits.text == (folder / "ATTRIBUTION.md").read_text("utf-8")
                (page,) = (await client.read_resource(base + "report.html")).contents
                assert page.mime_type == "text/html" and record.manifest_sha256 in page.text
            with pytest.raises(Exception, match="no version 'v99'"):
                await client.read_resource("jpcorpus://versions/v99/manifest.json")

    anyio.run(main)


def test_a_single_release_is_the_only_version(sample_release):
    server = build_server(CorpusTarget(sample_release))
    manifest = read_manifest(sample_release)

    async def main():
        async with Client(server) as client:
            (version,) = (await _call(client, "list_versions"))["versions"]
            assert version["name"] == str(manifest["version"])
            assert version["documents"] == manifest["accounting"]["kept"]
            some = await _call(client, "search_documents", {"version": "ignored", "limit": 2})
            assert len(some["documents"]) == 2
            assert "needs a catalog" in await _error(client, "diff_versions", {"a": "0", "b": "0"})

    anyio.run(main)


def test_a_target_that_is_neither_release_nor_catalog_exits_2(tmp_path, capsys):
    assert cli_main(["mcp", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "not a release" in err
    with pytest.raises(SystemExit):
        cli_main(["mcp", str(tmp_path), "--http", "99999"])
    assert "not a port" in capsys.readouterr().err


def test_http_needs_the_token_printed_at_start(sample_catalog):
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    proc = subprocess.Popen(
        [*_jpcorpus(), "mcp", sample_catalog.url, "--http", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        url = re.search(r"http://127\.0\.0\.1:\d+/mcp", lines[0]).group(0)
        token = lines[1].rsplit(" ", 1)[1].strip()
        assert len(token) >= 32
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        headers = {"accept": "application/json, text/event-stream"}
        deadline = time.monotonic() + 60
        while True:
            try:
                refused = httpx2.post(url, json=body, headers=headers, timeout=10)
                break
            except httpx2.ConnectError:
                assert time.monotonic() < deadline, "the server did not start listening"
                time.sleep(0.2)
        assert refused.status_code == 401
        wrong = httpx2.post(
            url, json=body, headers={**headers, "authorization": "Bearer " + "x" * len(token)}
        )
        assert wrong.status_code == 401

        async def main():
            http = httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"}, timeout=60)
            async with http, Client(streamable_http_client(url, http_client=http)) as client:
                assert {t.name for t in (await client.list_tools()).tools} == TOOLS
                versions = (await _call(client, "list_versions"))["versions"]
                assert [v["name"] for v in versions] == [
                    v.version for v in sample_catalog.versions()
                ]

        anyio.run(main)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert token not in out  # printed once, at start


def test_a_catalog_behind_an_fsspec_url(sample_catalog):
    """The same catalog in fsspec's memory filesystem: DuckDB reads it through fsspec."""
    import fsspec

    fs = fsspec.filesystem("memory")
    root = Path(sample_catalog.url)
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".lock":
            fs.pipe_file(
                f"/mcp-test/catalog/{path.relative_to(root).as_posix()}", path.read_bytes()
            )
    v1, v2 = sample_catalog.versions()
    server = build_server(CorpusTarget("memory://mcp-test/catalog"))

    async def main():
        async with Client(server) as client:
            versions = (await _call(client, "list_versions"))["versions"]
            assert [v["name"] for v in versions] == [v1.version, v2.version]
            found = await _call(
                client, "search_documents", {"domain": "aozora.gr.jp", "limit": 1000}
            )
            local = shard_rows(sample_catalog.version_path(v2.version), ["id", "url"])
            assert len(found["documents"]) == sum("://www.aozora.gr.jp/" in r["url"] for r in local)
            diff = await _call(client, "diff_versions", {"a": v1.version, "b": v2.version})
            assert diff["removed_total"] == 2
            trace = await _call(client, "trace_document", {"id": diff["removed"][0]["id"]})
            assert trace["status"] == "dropped"

    try:
        anyio.run(main)
    finally:
        fs.rm("/mcp-test", recursive=True)


def test_a_release_behind_an_fsspec_url_is_copied_whole_and_contained(sample_release):
    import fsspec

    from manifests.remote import UnsafeRelease

    fs = fsspec.filesystem("memory")
    files = [p for p in Path(sample_release).rglob("*") if p.is_file() and ".work" not in p.parts]
    for path in files:
        fs.pipe_file(
            f"/mcp-one/rel/{path.relative_to(sample_release).as_posix()}", path.read_bytes()
        )
    try:
        target = CorpusTarget("memory://mcp-one/rel")
        ref = target.release()
        with target.local_copy(ref) as folder:
            for entry in ref.manifest["shards"] + ref.manifest["rejected"]:
                assert (folder / entry["path"]).is_file(), entry["path"]
        # a manifest naming a file outside the release is refused, never fetched
        ref.manifest["shards"][0]["path"] = "../elsewhere/part.parquet"
        fs.pipe_file("/mcp-one/rel/manifest.json", json.dumps(ref.manifest).encode())
        with pytest.raises(UnsafeRelease), target.local_copy(target.release()):
            pass
    finally:
        fs.rm("/mcp-one", recursive=True)
