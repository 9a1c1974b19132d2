"""What a run says: a clean console, the end-of-run summary, stage costs, the dry run."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from pipelines.cli import main
from pipelines.config import load_pipeline
from pipelines.progress import documents_reported
from pipelines.summary import (
    last_error_line,
    render_failure,
    render_summary,
    task_failures,
)
from tests.conftest import run_cli

RAY_NOTICES = ("Token authentication", "Progress bars disabled", "WARNING", "INFO")


def _manifest(release):
    return json.loads((release / "manifest.json").read_text("utf-8"))


def _text_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=200, highlight=False, soft_wrap=True), buffer


def test_quiet_run_prints_the_summary_only(sample_run):
    release, proc = sample_run
    assert proc.stderr == "", f"--quiet left output on stderr:\n{proc.stderr}"
    for notice in RAY_NOTICES:
        assert notice not in proc.stdout
    manifest = _manifest(release)
    acc = manifest["accounting"]
    out = proc.stdout
    assert f"release: {release}" in out
    assert f"jpcorpus audit {release}" in out and f"jpcorpus report {release} --html" in out
    assert f"{acc['input']:,}" in out and f"{acc['kept']:,}" in out
    for stage, reasons in acc["dropped"].items():
        assert f"dropped: {stage}" in out
        top = max(reasons, key=reasons.get)
        assert top in out
    for license_id in manifest["licenses"]:
        assert license_id in out


def test_stage_costs_account_for_every_stage(sample_release):
    manifest = _manifest(sample_release)
    costs = {c["stage"]: c for c in manifest["stage_costs"]}
    stages = [next(iter(s)) for s in manifest["config"]["stages"]]
    assert list(costs) == ["read", "license", *stages]
    acc = manifest["accounting"]
    read_drops = sum(acc["dropped"].get("read", {}).values())
    assert costs["read"]["docs_out"] == acc["input"]
    assert costs["license"]["docs_in"] == acc["input"] - read_drops
    for stage in ["license", *stages]:
        dropped = sum(acc["dropped"].get(stage, {}).values())
        assert costs[stage]["docs_in"] - costs[stage]["docs_out"] == dropped, stage
        assert costs[stage]["tasks"] == manifest["run"]["tasks"], stage
    assert costs["pii"]["docs_out"] == acc["kept"]
    for stage in ("read", "langid", "quality", "dedup", "pii"):
        assert costs[stage]["cpu_s"] > 0 and costs[stage]["wall_s"] > 0, stage
        assert costs[stage]["peak_rss_mb"] > 50, stage  # a Python worker with its models


def test_progress_counts_the_documents_of_finished_tasks(sample_release):
    reports = sample_release / ".work" / "seg0" / "reports"
    assert documents_reported(reports) == _manifest(sample_release)["accounting"]["input"]


def test_summary_shows_stage_costs_and_the_report_terminal_too(sample_release, capsys):
    console, buffer = _text_console()
    render_summary(_manifest(sample_release), str(sample_release), console)
    text = buffer.getvalue()
    assert "cost per stage" in text and "peak RSS MB" in text and "langid" in text
    phases = _manifest(sample_release)["run"]["phase_seconds"]
    assert list(phases) == ["ray start", "segment 1", "dedup", "segment 2", "ray stop", "shards"]
    assert all(seconds > 0 for seconds in phases.values())
    assert "ray start" in text and "shards" in text
    assert main(["report", str(sample_release)]) == 0
    assert "cost per stage" in capsys.readouterr().out


def test_a_failed_task_is_named_with_its_log_and_last_error(tmp_path):
    try:
        "東京".encode("ascii")
    except UnicodeEncodeError:
        import traceback

        error = traceback.format_exc()
    logs = tmp_path / "seg0" / "logs"
    failures = task_failures("sample: segment 1/2", logs, [3], {3: error})
    assert failures[0].log == str(logs / "logs" / "task_00003.log")
    assert failures[0].last_error.startswith("UnicodeEncodeError: 'ascii' codec")
    console, buffer = _text_console()
    render_failure(failures, "1 of 8 tasks failed", 1, console)
    text = buffer.getvalue()
    assert "exit code 1" in text and "task_00003.log" in text and "UnicodeEncodeError" in text
    assert last_error_line("") == "(no error recorded; see the log)"


def test_validate_plans_the_sample_without_running_it(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    pipeline = load_pipeline()
    tasks = sum(len(s.plan()) for s in pipeline.sources)
    assert f"valid; {tasks} tasks" in out
    for source in pipeline.sources:
        assert source.source_type in out
    assert "LicenseRef-PublicDomain-JP" in out and "CC-BY-NC" not in out
    assert "min_chars: 200" in out  # a default nobody wrote in the file
    assert "every worker node needs" in out and "warning" not in out
    assert (
        f"to reach sources[0].index: {pipeline.sources[0].resolve('aozora/list_person_all_extended_utf8.csv')}"
        in out
    )


def test_validate_warns_about_a_local_output_with_a_cluster(capsys, tmp_path):
    args = ["validate", "--ray-address", "10.0.0.1:6379"]
    assert main([*args, "--out", str(tmp_path / "rel")]) == 0
    assert "warning:" in capsys.readouterr().out
    assert main([*args, "--out", "s3://bucket/releases/sample"]) == 0
    assert "warning:" not in capsys.readouterr().out


def test_validate_exits_2_with_the_key_path_like_run(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsources:\n  - type: jsonl\n    path: nowhere.jsonl\n", "utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jpcorpus: error: sources[0].path") and err.count("\n") == 1


@pytest.mark.parametrize("executor", [pytest.param("ray", marks=pytest.mark.slow), "processes"])
def test_a_run_with_a_failing_task_names_it_and_exits_1(tmp_path, executor):
    (tmp_path / "docs.jsonl").write_text(
        json.dumps({"id": "a", "text": "吾輩は猫である。名前はまだ無い。"}, ensure_ascii=False)
        + "\n",
        "utf-8",
    )
    (tmp_path / "broken.ftz").write_text("not a fastText model\n", "utf-8")
    (tmp_path / "p.yaml").write_text(
        "name: failing\nsources:\n  - type: jsonl\n    path: docs.jsonl\n    license: CC0-1.0\n"
        "    license_evidence: our own writing\n"
        f"stages:\n  - langid: {{model_path: {tmp_path / 'broken.ftz'}}}\n",
        "utf-8",
    )
    out = tmp_path / "out"
    proc = run_cli(
        "run", str(tmp_path / "p.yaml"), "--out", str(out), "--quiet", "--executor", executor
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    log = out / ".work" / "seg0" / "logs" / "logs" / "task_00000.log"
    assert f"log:   {log}" in proc.stderr and log.is_file()
    assert "exit code 1" in proc.stderr and "wrong file format" in proc.stderr
    assert "wrong file format" in log.read_text("utf-8")
    # the workers' own log lines went to the task log, not to the terminal
    assert "Launching pipeline" not in proc.stderr
    assert not (out / "manifest.json").exists()
    for notice in RAY_NOTICES:
        assert notice not in proc.stderr
