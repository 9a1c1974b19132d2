"""Wrong-type values in a pipeline file: exit 2 with one line naming the key path, no work."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.config import load_pipeline
from pipelines.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "pipelines" / "sample" / "wikipedia" / "text"

TEXT_DIR = f"""  - type: text_dir
    path: {DATA}
    license: CC-BY-SA-3.0
    license_evidence: test
"""

#: case -> (pipeline file, the key path the error must name)
CASES = {
    "name_number": (f"name: 5\nsources:\n{TEXT_DIR}", "name:"),
    "name_list": (f"name: [a, b]\nsources:\n{TEXT_DIR}", "name:"),
    "output_list": (f"output: [a]\nsources:\n{TEXT_DIR}", "output:"),
    "policy_list": (f"policy: [default]\nsources:\n{TEXT_DIR}", "policy:"),
    "sources_mapping": ("sources: {type: jsonl}\n", "sources:"),
    "sources_item_scalar": ("sources: [5]\n", "sources[0]:"),
    "source_type_number": ("sources:\n  - type: 5\n", "sources[0].type:"),
    "source_license_number": (
        f"sources:\n  - type: jsonl\n    path: {DATA}/x.jsonl\n    license: 5\n",
        "sources[0].license:",
    ),
    "source_path_list": ("sources:\n  - type: warc\n    path: [a, b]\n", "sources[0].path:"),
    "source_int_float": (
        f"sources:\n{TEXT_DIR}    files_per_task: 1.5\n",
        "sources[0].files_per_task:",
    ),
    "source_evidence_mapping": (
        "sources:\n  - type: jsonl\n    path: x\n    license_evidence: {a: 1}\n",
        "sources[0].license_evidence:",
    ),
    "warc_payload_string": (
        "sources:\n  - type: warc\n    path: x\n    max_payload_bytes: big\n",
        "sources[0].max_payload_bytes:",
    ),
    "wikipedia_markup_number": (
        "sources:\n  - type: wikipedia\n    path: x\n    markup: 3\n",
        "sources[0].markup:",
    ),
    "stages_mapping": (f"sources:\n{TEXT_DIR}stages: {{langid: {{}}}}\n", "stages:"),
    "stage_params_number": (f"sources:\n{TEXT_DIR}stages:\n  - langid: 5\n", "stages[0].langid:"),
    "stage_param_string": (
        f"sources:\n{TEXT_DIR}stages:\n  - quality: {{min_chars: many}}\n",
        "stages[0].quality.min_chars:",
    ),
    "stage_list_item_number": (f"sources:\n{TEXT_DIR}stages: [5]\n", "stages[0]:"),
    "execution_number": (f"sources:\n{TEXT_DIR}execution: 4\n", "execution:"),
    "execution_cpus_string": (
        f"sources:\n{TEXT_DIR}execution: {{cpus_per_task: lots}}\n",
        "execution.cpus_per_task:",
    ),
    "residency_list": (f"sources:\n{TEXT_DIR}residency: [jp]\n", "residency:"),
    "takedowns_number": (f"sources:\n{TEXT_DIR}takedowns: 5\n", "takedowns:"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_type_exits_2_naming_the_key(case: str, tmp_path: Path, capsys) -> None:
    body, key = CASES[case]
    path = tmp_path / "pipeline.yaml"
    path.write_text(body, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"jpcorpus: error: {key}"), err
    assert not out.exists()


#: values of the right type that cannot work; today they reach Ray (a ZeroDivisionError,
#: a Ray crash on negative memory, a silently ignored 0) instead of exiting 2
OUT_OF_RANGE = {
    "execution.cpus_per_task": "execution: {cpus_per_task: 0}",
    "execution.mem_per_task_gb": "execution: {mem_per_task_gb: -1}",
    "execution.max_concurrent_tasks": "execution: {max_concurrent_tasks: 0}",
}


@pytest.mark.parametrize("key", sorted(OUT_OF_RANGE))
def test_out_of_range_execution_values_are_config_errors(key: str, tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text(f"sources:\n{TEXT_DIR}{OUT_OF_RANGE[key]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_pipeline(path)


#: stage and source values of the right type but out of range -> the key path to name
STAGE_OUT_OF_RANGE = {
    "stages[0].quality.min_hiragana_ratio": "stages:\n  - quality: {min_hiragana_ratio: 3}",
    "stages[0].quality.min_chars": "stages:\n  - quality: {min_chars: -5}",
    "stages[0].quality.max_url_ratio": "stages:\n  - quality: {max_url_ratio: -0.1}",
    "stages[0].quality.min_japanese_ratio": "stages:\n  - quality: {min_japanese_ratio: .nan}",
    "stages[0].quality.max_top_ngram_fraction[2]": (
        "stages:\n  - quality: {max_top_ngram_fraction: {2: 1.5}}"
    ),
    "stages[0].quality.max_duplicate_ngram_fraction[0]": (
        "stages:\n  - quality: {max_duplicate_ngram_fraction: {0: 0.5}}"
    ),
    "stages[0].quality:": (
        "stages:\n  - quality: {min_avg_sentence_length: 50, max_avg_sentence_length: 20}"
    ),
    "stages[1].langid.min_score": "stages:\n  - quality: {}\n  - langid: {min_score: 1.5}",
    "stages[0].dedup.threshold": "stages:\n  - dedup: {threshold: .inf}",
    "sources[0].files_per_task": "",
}


@pytest.mark.parametrize("key", sorted(STAGE_OUT_OF_RANGE))
def test_out_of_range_stage_values_exit_2(key: str, tmp_path: Path, capsys) -> None:
    body = TEXT_DIR + ("    files_per_task: 0\n" if key.startswith("sources") else "")
    path = tmp_path / "pipeline.yaml"
    path.write_text(f"sources:\n{body}{STAGE_OUT_OF_RANGE[key]}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"jpcorpus: error: {key}"), err
    assert not out.exists()
