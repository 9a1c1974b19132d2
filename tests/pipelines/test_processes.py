"""The ``processes`` executor: the same release as on Ray, without starting or importing Ray."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from manifests.release import read_manifest
from pipelines.cli import main
from tests.conftest import REPO, release_facts, run_cli

NO_RAY = "raise ImportError('this run must not import ray')\n"


def _pipeline(folder, texts=("吾輩は猫である。",), tail: str = ""):
    """A one-source pipeline file over ``texts`` in ``folder`` (plus ``tail`` YAML)."""
    lines = [
        json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n"
        for i, t in enumerate(texts)
    ]
    (folder / "docs.jsonl").write_text("".join(lines), "utf-8")
    (folder / "p.yaml").write_text(
        "name: tiny\nsources:\n  - type: jsonl\n    path: docs.jsonl\n    license: CC0-1.0\n"
        "    license_evidence: our own writing\n" + tail,
        "utf-8",
    )
    return folder / "p.yaml"


def test_sample_on_processes_is_the_ray_release_without_ray(sample_release, tmp_path):
    # a ``ray`` package that refuses to load, first on the path of the driver and workers
    (tmp_path / "noray" / "ray").mkdir(parents=True)
    (tmp_path / "noray" / "ray" / "__init__.py").write_text(NO_RAY, "utf-8")
    path = os.pathsep.join(p for p in (str(tmp_path / "noray"), os.environ.get("PYTHONPATH")) if p)
    out = tmp_path / "release"
    proc = run_cli(
        "run", "--out", str(out), "--executor", "processes", "--quiet", env={"PYTHONPATH": path}
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert release_facts(read_manifest(out)) == release_facts(read_manifest(sample_release))
    run = json.loads((out / "manifest.json").read_text())["run"]
    assert run["executor"] == "processes"
    assert list(run["phase_seconds"]) == [
        "processes start", "segment 1", "dedup", "segment 2", "processes stop", "shards",
    ]  # fmt: skip
    audit = run_cli("audit", str(out))
    assert audit.returncode == 0, audit.stdout
    # the stages' costs are measured in the workers as on Ray
    costs = {c["stage"]: c for c in json.loads((out / "manifest.json").read_text())["stage_costs"]}
    assert costs["pii"]["cpu_s"] > 0 and costs["pii"]["docs_in"] > 0


def test_the_executor_can_be_chosen_in_the_file(tmp_path):
    neko = "吾輩は猫である。名前はまだ無い。"
    tail = "stages:\n  - dedup: {}\nexecution:\n  executor: processes\n"
    _pipeline(tmp_path, (neko, "坊っちゃん", neko), tail)
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "p.yaml"), "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["run"]["executor"] == "processes"
    assert manifest["accounting"]["kept"] == 2
    assert manifest["accounting"]["dropped"] == {"dedup": {"exact_duplicate": 1}}


@pytest.mark.parametrize(
    ("extra", "yaml_tail", "message"),
    [
        (
            ["--executor", "processes", "--ray-address", "127.0.0.1:1"],
            "",
            "execution.executor: processes runs on this machine without Ray",
        ),
        (
            [],
            "execution: {executor: processes}\nresidency: {require_label: {region: jp}}\n",
            "residency: needs Ray nodes with labels",
        ),
        ([], "execution: {executor: threads}\n", "execution.executor: "),
    ],
)
def test_processes_refuses_what_needs_ray(tmp_path, capsys, extra, yaml_tail, message):
    _pipeline(tmp_path, tail=yaml_tail)
    code = main(["run", str(tmp_path / "p.yaml"), "--out", str(tmp_path / "out"), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"jpcorpus: error: {message}") and err.count("\n") == 1
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_a_script_without_the_main_guard_gets_a_clear_error(tmp_path):
    _pipeline(tmp_path)
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pipelines.config import load_pipeline\n"
        "from pipelines.runner import run_pipeline\n"
        f"run_pipeline(load_pipeline({str(tmp_path / 'p.yaml')!r}), out={str(tmp_path / 'out')!r},"
        " executor='processes', progress=False)\n",
        "utf-8",
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert proc.returncode != 0
    assert "WorkersCannotStart" in proc.stderr
    assert 'if __name__ == "__main__":' in proc.stderr
    assert not (tmp_path / "out" / "manifest.json").exists()
