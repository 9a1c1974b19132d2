"""Bad pipeline files exit 2 before any work, with one line naming the key path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pipelines.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "pipelines" / "sample"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD_SOURCE = f"""
  - type: text_dir
    path: {SAMPLE / "wikipedia" / "text"}
    license: CC-BY-SA-3.0
    license_evidence: test
"""

CASES = {
    "unknown_top_key": (f"name: t\nsourcez: []\nsources:{GOOD_SOURCE}", "sourcez: unknown key"),
    "unknown_source_key": (
        f"name: t\nsources:{GOOD_SOURCE}    licence: CC0-1.0\n",
        "sources[0].licence: unknown key",
    ),
    "unknown_stage": (
        f"name: t\nsources:{GOOD_SOURCE}stages:\n  - frobnicate: {{}}\n",
        "stages[0]",
    ),
    "wrong_type": (
        f"name: t\nsources:{GOOD_SOURCE}    files_per_task: many\n",
        "sources[0].files_per_task:",
    ),
    "missing_input": (
        "name: t\nsources:\n  - type: jsonl\n    path: /nonexistent/docs.jsonl\n    license: CC0-1.0\n",
        "sources[0].path: file not found: /nonexistent/docs.jsonl",
    ),
    "unknown_source_type": (
        "name: t\nsources:\n  - type: ftp\n",
        "sources[0].type: unknown source type",
    ),
    "not_yaml": ("name: [unclosed\n", "not valid YAML"),
    "bad_policy": (f"name: t\npolicy: lenient\nsources:{GOOD_SOURCE}", "policy:"),
    "stage_param_wrong_type": (
        f"name: t\nsources:{GOOD_SOURCE}execution:\n  cpus_per_task: lots\n",
        "execution.cpus_per_task:",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_pipeline_exits_2_naming_the_key(case, tmp_path, capsys):
    body, expected = CASES[case]
    out = tmp_path / "out"
    code = main(["run", str(_write(tmp_path, body)), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not out.exists(), "no work may start before the file is valid"


def test_missing_pipeline_file_exits_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml")]) == 2
    assert "pipeline file not found" in capsys.readouterr().err


def test_unknown_command_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


@pytest.mark.parametrize(
    "module",
    ["corpus.registry", "corpus.stages.builtin", "pipelines.sources", "pipelines.sources.split"],
)
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
