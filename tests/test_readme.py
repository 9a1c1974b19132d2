"""The README's examples are tests: every fenced shell and Python block runs.

How blocks are found and run (keep to this when you add a block to README.md):

* Blocks fenced as ```bash, ```sh, ```shell or ```python run, in README order, in one
  working folder shared by the whole module, so a later block sees what an earlier one
  wrote (``pulled/`` after ``jpcorpus pull``). Other blocks (```yaml, plain ```) are
  not run.
* The folder holds ``out/sample`` (the bundled sample's release, built once per test
  session by the ``sample_release`` fixture), ``catalog/`` with that release published
  as version 0, and ``.venv`` (the environment running the tests), which is also first
  on ``PATH``, so ``jpcorpus``, ``.venv/bin/jpcorpus`` and ``.venv/bin/python`` work.
  Shell blocks run with ``bash -e -o pipefail``; Python blocks with this interpreter.
* A block that cannot run here carries a marker directly above its opening fence (blank
  lines between are fine), an HTML comment (invisible on GitHub):

  ``<!-- readme-test: skip REASON -->``  never run (needs a cluster, a network, the
  user's own files …); say why.
  ``<!-- readme-test: slow -->``  run only with ``-m slow`` (e.g. training a model).
  ``<!-- readme-test: needs MODULE -->``  skipped when ``MODULE`` cannot be imported.

  Several markers are several comments, one per line, directly above the block.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO

RUNNABLE = {"bash": "shell", "sh": "shell", "shell": "shell", "python": "python"}
MARKER = re.compile(r"^<!--\s*readme-test:\s*(.*?)\s*-->$")
BLOCK_TIMEOUT = 300


@dataclass
class Block:
    line: int
    heading: str
    kind: str
    code: str
    markers: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-") or "top"
        return f"{slug}:L{self.line}"


def readme_blocks(text: str) -> list[Block]:
    """The runnable fenced blocks of a README, with their markers."""
    blocks: list[Block] = []
    lines = text.splitlines()
    heading, markers, i = "", [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#") and not line.startswith("#!"):
            heading = line.lstrip("#").strip()
        fence = re.match(r"^(`{3,})\s*([\w+-]*)", line)
        if not fence:
            if line.strip():
                marker = MARKER.match(line.strip())
                markers = [*markers, marker.group(1)] if marker else []
            i += 1
            continue
        start, ticks, lang = i, fence.group(1), fence.group(2).lower()
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith(ticks):
            body.append(lines[i])
            i += 1
        i += 1
        if lang in RUNNABLE:
            blocks.append(Block(start + 1, heading, RUNNABLE[lang], "\n".join(body), markers))
        markers = []
    return blocks


def _params() -> list:
    params = []
    for block in readme_blocks((REPO / "README.md").read_text("utf-8")):
        marks = []
        for m in block.markers:
            word, _, rest = m.partition(" ")
            if word == "skip":
                marks.append(pytest.mark.skip(reason=rest or "marked skip in README.md"))
            elif word == "slow":
                marks.append(pytest.mark.slow)
            elif word != "needs":
                raise ValueError(f"README.md line {block.line}: unknown marker {m!r}")
        params.append(pytest.param(block, marks=marks, id=block.id))
    return params


def test_the_marker_convention_reads_the_readme():
    blocks = readme_blocks((REPO / "README.md").read_text("utf-8"))
    assert len(blocks) >= 5
    assert any(b.kind == "python" for b in blocks) and any(b.kind == "shell" for b in blocks)
    assert any(b.markers and b.markers[0].startswith("skip ") for b in blocks)


def test_a_marker_applies_to_the_next_block_only():
    text = (
        "# t\n<!-- readme-test: skip needs a cluster -->\n\n```bash\nray start\n```\n"
        "```python\nprint(1)\n```\n```yaml\na: 1\n```\n"
    )
    first, second = readme_blocks(text)
    assert first.markers == ["skip needs a cluster"] and first.code == "ray start"
    assert second.markers == [] and second.kind == "python"


def _venv(into: Path) -> None:
    """``into/.venv``: the environment running the tests."""
    if sys.prefix != sys.base_prefix:
        (into / ".venv").symlink_to(sys.prefix, target_is_directory=True)
        return
    bin_dir = into / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, target in (
        ("python", sys.executable),
        ("python3", sys.executable),
        ("jpcorpus", shutil.which("jpcorpus")),
    ):
        if target:
            (bin_dir / name).symlink_to(target)


@pytest.fixture(scope="module")
def readme_dir(sample_release: Path, tmp_path_factory) -> Path:
    from manifests.catalog import Catalog
    from manifests.release import read_manifest

    work = tmp_path_factory.mktemp("readme")
    (work / "out").mkdir()
    (work / "out" / "sample").symlink_to(sample_release, target_is_directory=True)
    Catalog(str(work / "catalog")).publish(
        sample_release, str(read_manifest(sample_release)["version"])
    )
    _venv(work)
    return work


@pytest.mark.parametrize("block", _params())
def test_readme_block(block: Block, readme_dir: Path):
    for m in block.markers:
        if m.startswith("needs "):
            pytest.importorskip(m.split(None, 1)[1])
    env = {**os.environ, "PATH": f"{readme_dir / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    if block.kind == "shell":
        command = ["bash", "-e", "-o", "pipefail", "-c", block.code]
    else:
        command = [sys.executable, "-c", block.code]
    proc = subprocess.run(
        command, cwd=readme_dir, env=env, capture_output=True, text=True, timeout=BLOCK_TIMEOUT
    )
    assert proc.returncode == 0, (
        f"README.md line {block.line} ({block.heading}) exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
    )
