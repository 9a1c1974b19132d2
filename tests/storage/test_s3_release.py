"""Releases on S3 (moto on loopback): the same release as on local disk, and every
command that reads a release or a catalog works on ``s3://`` URLs."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from corpus import storage
from manifests.catalog import Catalog
from manifests.release import read_manifest
from pipelines.cli import main
from tests.conftest import release_facts, run_cli
from tests.storage.conftest import SECRET


def _files(fs, root: str) -> dict[str, str]:
    """Every file under ``root`` on ``fs`` → its text (for leak checks)."""
    out = {}
    for path in fs.find(root):
        data = fs.cat_file(path)
        out[path] = data.decode("utf-8", "replace")
    return out


@pytest.mark.parametrize("executor", ["ray", "processes"])
def test_sample_to_s3_matches_local_run(sample_release: Path, bucket: str, executor: str) -> None:
    # with either executor no folder is shared with the workers: they write straight to
    # S3, and the dedup stage's scratch is the driver's disk, uploaded after
    url = f"{bucket}/jp/sample-{executor}"
    proc = run_cli("run", "--out", url, "--quiet", "--executor", executor)
    assert proc.returncode == 0, proc.stderr
    assert f"release: {url}" in proc.stdout
    remote, local = read_manifest(url), read_manifest(sample_release)
    assert remote["run"]["executor"] == executor
    assert release_facts(remote) == release_facts(local)
    # the dedup index a later run names under ``against`` sits in the release
    assert storage.isfile(f"{url}/dedup/index.json")

    audit = run_cli("audit", url)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert audit.stdout.startswith("OK ")

    # credentials come from the environment and appear nowhere: not in the release,
    # its logs and run state, nor on the console
    fs, root = storage.filesystem(url)
    leaked = [p for p, text in _files(fs, root).items() if SECRET in text]
    assert leaked == []
    assert SECRET not in proc.stdout + proc.stderr + audit.stdout + audit.stderr
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == SECRET  # the run did use it


def copy_to_s3(release: Path, url: str) -> str:
    fs, root = storage.filesystem(url)
    fs.put(str(release), root, recursive=True)
    fs.invalidate_cache()
    return url


def test_audit_report_trace_pull_catalog_on_s3(
    sample_release: Path, bucket: str, tmp_path: Path, capsys
) -> None:
    url = copy_to_s3(sample_release, f"{bucket}/copy")
    assert main(["audit", url]) == 0

    html = tmp_path / "r.html"
    assert main(["report", url, "--html", str(html)]) == 0
    assert "CC-BY-SA" in html.read_text("utf-8")

    first = read_manifest(sample_release)["shards"][0]["path"]
    row = pq.read_table(sample_release / first, columns=["id"]).to_pylist()[0]
    capsys.readouterr()
    assert main(["trace", url, row["id"], "--json"]) == 0
    traced = json.loads(capsys.readouterr().out)
    assert traced["status"] == "kept" and traced["location"]["file"] == first

    # publish from an s3:// release into an s3:// catalog, pull back to s3:// and to disk
    manifest = read_manifest(url)
    catalog = f"{bucket}/catalog"
    Catalog(catalog).publish(url, str(manifest["version"]))
    assert main(["audit", f"{catalog}/versions/{manifest['version']}"]) == 0
    assert main(["pull", catalog, f"{bucket}/pulled", "--license", "CC-BY-SA-3.0"]) == 0
    assert main(["audit", f"{bucket}/pulled"]) == 0
    pulled = read_manifest(f"{bucket}/pulled")
    assert set(pulled["licenses"]) == {"CC-BY-SA-3.0"}
    local = tmp_path / "pulled"
    assert main(["pull", catalog, str(local)]) == 0
    assert read_manifest(local)["accounting"]["kept"] == manifest["accounting"]["kept"]
    assert main(["report", catalog]) == 0
    assert main(["trace", catalog, row["id"], "--json"]) == 0


@pytest.mark.slow
def test_rerun_into_s3_resumes(sample_release: Path, bucket: str) -> None:
    """A second run into the same URL finds every task finished and writes the same release."""
    url = f"{bucket}/jp/resume"
    assert run_cli("run", "--out", url, "--quiet").returncode == 0
    first = read_manifest(url)
    fs, root = storage.filesystem(url)
    logs = {p: fs.info(p)["LastModified"] for p in fs.find(f"{root}/.work/seg0/logs/completions")}
    again = run_cli("run", "--out", url, "--quiet")
    assert again.returncode == 0, again.stderr
    assert read_manifest(url)["shards"] == first["shards"]
    fs.invalidate_cache()
    assert {p: fs.info(p)["LastModified"] for p in logs} == logs  # no task ran again


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--out", "gs://b/x", "--quiet"],
        ["audit", "gs://b/x"],
        ["report", "gs://b/x"],
        ["pull", "gs://b/catalog", "out"],
    ],
)
def test_missing_extra_is_one_line_naming_it(argv: list[str], capsys) -> None:
    """Without gcsfs, a gs:// path fails before any work with the install command."""
    if importlib.util.find_spec("gcsfs") is not None:
        pytest.skip("gcsfs is installed here")
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "jpcorpus: error: gs:// paths need gcsfs: pip install 'jpcorpus[gcs]'\n"
    )


def test_credentials_in_a_url_are_refused(capsys) -> None:
    assert main(["run", "--out", "s3://AKIDEXAMPLE:hunter2@bucket/x", "--quiet"]) == 2
    captured = capsys.readouterr()
    assert "hunter2" not in captured.err + captured.out
    assert "standard chain" in captured.err
