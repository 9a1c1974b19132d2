"""A small tokenizer trained once from the bundled sample release, through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

VOCAB = 5000
SAMPLE_CHARS = 400_000
HOLDOUT = 0.1


@pytest.fixture(scope="session")
def trained(sample_release: Path, tmp_path_factory) -> dict:
    """``jpcorpus tokenizer train`` on the sample release (small vocabulary, bounded sample)."""
    prefix = tmp_path_factory.mktemp("tok") / "sample-ja"
    proc = run_cli(
        "tokenizer",
        "train",
        str(sample_release),
        "--vocab-size",
        str(VOCAB),
        "--out",
        str(prefix),
        "--sample-chars",
        str(SAMPLE_CHARS),
        "--holdout",
        str(HOLDOUT),
        "--keep-sample",
        check=True,
    )
    card = json.loads(Path(f"{prefix}.card.json").read_text(encoding="utf-8"))
    return {
        "prefix": prefix,
        "model": Path(f"{prefix}.model"),
        "card": card,
        "stdout": proc.stdout,
        "release": sample_release,
    }
