"""Running a global stage (dedup) for a release on a local folder or on object storage.

A global stage's jobs share a scratch folder between their Ray tasks. With a local
output (one machine, or a filesystem every node mounts) the scratch is the run's
``.work/`` folder as before. With a release on object storage no folder is shared,
so the scratch is a temporary folder on the driver's disk, the stage's Ray tasks
run on the driver's node (local worker processes run there anyway), its inputs (the
earlier segment's shards) are read from the object store, and what it leaves — the
decisions the next segment applies, its summary, the release's ``dedup/`` index — is
uploaded to the destination.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from corpus import local_processes, storage
from corpus.dedup.tasks import tasks_on_this_node
from corpus.stages.base import GlobalStage
from pipelines.errors import ConfigError


def run_global_stage(stage: GlobalStage, inputs: list[str], work_dir: str, release: str) -> None:
    """``stage.run_global`` over ``inputs``, leaving its results under ``work_dir`` and
    ``release`` (local paths or URLs alike)."""
    if not storage.is_remote(work_dir) and not storage.is_remote(release):
        storage.makedirs(work_dir)
        stage.run_global(inputs, work_dir, release)
        return
    on_ray = local_processes.active() is None
    if on_ray:
        _check_driver_node_has_cpus(stage)
    with tempfile.TemporaryDirectory(prefix="jpcorpus-global-") as tmp:
        local_work, local_release = Path(tmp) / "work", Path(tmp) / "release"
        local_work.mkdir()
        local_release.mkdir()
        with tasks_on_this_node() if on_ray else contextlib.nullcontext():
            stage.run_global(inputs, str(local_work), str(local_release))
        for local, remote in ((local_work, work_dir), (local_release, release)):
            for path in sorted(p for p in local.rglob("*") if p.is_file()):
                storage.put_file(path, storage.join(remote, path.relative_to(local).as_posix()))


def _check_driver_node_has_cpus(stage: GlobalStage) -> None:
    """The stage's tasks run on the driver's node: refuse a node without CPUs (a head
    started with ``--num-cpus=0``) instead of waiting for ever."""
    import ray

    here = ray.get_runtime_context().get_node_id()
    cpus = next(
        (n.get("Resources", {}).get("CPU", 0) for n in ray.nodes() if n.get("NodeID") == here), 0
    )
    if cpus < 1:
        raise ConfigError(
            "output",
            f"the {stage.stage_name} stage of a release on object storage runs on the "
            "driver's Ray node, which has no CPU; run the command on a node with CPUs "
            "(or write the release to a filesystem every node mounts)",
        )
