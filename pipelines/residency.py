"""Residency: run a pipeline's tasks only on Ray nodes with given labels.

``residency: {require_label: {region: jp}}`` in a pipeline file means every task
runs on a node started with those labels (``ray start --labels region=jp``, or
``ray.init(labels=…)``). Before any work the alive nodes are checked and the run
stops with a clear message when none carries the labels; after the run every task
report's node is checked again and recorded in the manifest.

Every task of a segment gets Ray's ``label_selector`` (:func:`label_selector`), so
Ray schedules it only on a node carrying the labels.

Global stages (dedup's ``run_global``) start their own Ray work and are not covered
by this module; they run where their code schedules them.
"""

from __future__ import annotations

from typing import Any

from pipelines.config import ResidencyConfig
from pipelines.errors import ConfigError


def _matches(labels: dict[str, str], required: dict[str, str]) -> bool:
    """Whether a node's labels include every required one.

    >>> _matches({"region": "jp", "zone": "tokyo-1"}, {"region": "jp"})
    True
    >>> _matches({"zone": "tokyo-1"}, {"region": "jp"})
    False
    """
    return all(labels.get(k) == v for k, v in required.items())


def _describe(required: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in required.items())


def check_nodes(residency: ResidencyConfig) -> list[str]:
    """Ids of the alive nodes that satisfy ``residency``; ConfigError when there are none."""
    import ray

    nodes = [n for n in ray.nodes() if n.get("Alive")]
    matching = [
        n["NodeID"] for n in nodes if _matches(n.get("Labels") or {}, residency.require_label)
    ]
    if not matching:
        seen = "; ".join(
            f"{n['NodeID'][:12]} ({n.get('NodeManagerAddress', '?')}) labels "
            + (
                _describe(
                    {
                        k: v
                        for k, v in (n.get("Labels") or {}).items()
                        if not k.startswith("ray.io/")
                    }
                )
                or "none"
            )
            for n in nodes
        )
        raise ConfigError(
            "residency.require_label",
            f"no alive Ray node has {_describe(residency.require_label)}; start the allowed "
            f"nodes with `ray start --labels {_describe(residency.require_label)}` "
            f"(nodes now: {seen or 'none'})",
        )
    return matching


def label_selector(residency: ResidencyConfig | None) -> dict[str, str] | None:
    """The Ray ``label_selector`` every task gets (None: anywhere)."""
    return dict(residency.require_label) if residency else None


def verify_reports(residency: ResidencyConfig | None, reports: list[dict[str, Any]]) -> list[str]:
    """Problems: task reports whose node lacks the required labels."""
    if residency is None:
        return []
    problems = []
    for rep in reports:
        node = rep.get("node", {})
        if not _matches(node.get("labels") or {}, residency.require_label):
            problems.append(
                f"segment {rep.get('segment')} task {rep.get('rank')} ran on node "
                f"{node.get('node_id') or '?'} ({node.get('hostname')}) without "
                f"{_describe(residency.require_label)}"
            )
    return problems
