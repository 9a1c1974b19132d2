"""Shared fixtures: the bundled sample run once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Ray started by any test stays on loopback and reports nothing.
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

REPO = Path(__file__).resolve().parents[1]

#: the shared openly licensed data set beside the checkout (tests that need more than the
#: bundled sample use it; JPCORPUS_SHARED_DATA points elsewhere)
SHARED_DATA = next(
    (
        p
        for p in (
            Path(os.environ.get("JPCORPUS_SHARED_DATA", REPO.parent / "shared" / "data")),
            Path("/work/shared/data"),
        )
        if p.is_dir()
    ),
    REPO.parent / "shared" / "data",
)
JPCORPUS = [sys.executable, "-m", "pipelines.cli"]


def run_cli(*args: str, check: bool = False, env: dict | None = None, timeout: int = 600):
    """Run the ``jpcorpus`` command in a fresh process (as a user would)."""
    proc = subprocess.run(
        [*JPCORPUS, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"jpcorpus {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def release_facts(manifest: dict) -> dict:
    """What two runs of the same pipeline must share, from their manifests: every shard and
    rejected/ file (path, sha256, rows), the accounting, sources and licenses."""
    entries = lambda part: [(e["path"], e["sha256"], e["rows"]) for e in manifest[part]]  # noqa: E731
    return {
        "shards": entries("shards"),
        "rejected": entries("rejected"),
        "accounting": manifest["accounting"],
        "sources": manifest["sources"],
        "licenses": manifest["licenses"],
    }


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """A bare ``jpcorpus run --out … --quiet`` of the bundled sample: its release and output."""
    out = tmp_path_factory.mktemp("sample") / "release"
    proc = run_cli("run", "--out", str(out), "--quiet", check=True)
    return out, proc


@pytest.fixture(scope="session")
def sample_release(sample_run) -> Path:
    """A release of the bundled sample, made by a bare ``jpcorpus run`` with ``--out``."""
    return sample_run[0]
