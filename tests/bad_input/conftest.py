"""The bad-input corpus, generated once per test session into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bad_input.corpus import MORE_PIPELINE, PIPELINE, POLICY, Expect, build

BIG = 200 * 1024 * 1024
"""The one huge document: 200 MB (a JSONL line and a text file)."""


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, Expect]]:
    """``(root, expected outcome per file name)``; ``root`` holds ``pipeline.yaml``."""
    root = tmp_path_factory.mktemp("bad-input")
    expected = build(root, BIG)
    (root / "pipeline.yaml").write_text(PIPELINE, encoding="utf-8")
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (root / "more.yaml").write_text(MORE_PIPELINE, encoding="utf-8")
    return root, expected
