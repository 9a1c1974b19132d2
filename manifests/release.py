"""Assembling a release's manifest and ATTRIBUTION from its task reports (DESIGN §3, §4)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from collections import Counter, defaultdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from corpus import storage
from corpus.schema import SCHEMA_VERSION, SHARD_SCHEMA
from licenses.registry import get_license
from manifests.card import dataset_card
from manifests.layout import (
    ATTRIBUTION,
    CARD,
    MANIFEST,
    SHARDS,
    atomic_write_bytes,
    atomic_write_json,
)
from manifests.markdown import md_inline
from manifests.publish import policy_record, public_node

TOOLS = (
    "jpcorpus",
    "datatrove",
    "ray",
    "pyarrow",
    "trafilatura",
    "fasttext-numpy2-wheel",
    "sudachipy",
    "sudachidict-core",
    "datasketch",
    "presidio-analyzer",
    "sentencepiece",
    "ja-ginza",
)


def tool_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in TOOLS:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def code_version() -> str:
    """The git commit of the code (with ``+dirty`` for local changes), else the package version."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        if rev.returncode == 0:
            dirty = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=here,
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout.strip()
            return rev.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return metadata.version("jpcorpus")


def schema_fingerprint() -> str:
    return hashlib.sha256(SHARD_SCHEMA.serialize().to_pybytes()).hexdigest()


def manifest_digest(manifest: dict[str, Any]) -> str:
    """sha256 over the manifest's canonical JSON, excluding the digest field itself."""
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _add_dropped(into: dict[str, Counter], dropped: dict[str, dict[str, int]]) -> None:
    for stage, reasons in dropped.items():
        into[stage].update(reasons)


def build_manifest(
    release_dir: Path,
    *,
    name: str,
    version: str,
    config: dict[str, Any],
    policy: str,
    first_reports: list[dict[str, Any]],
    later_reports: list[list[dict[str, Any]]],
    shards: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest of a finished run.

    ``first_reports`` are the first segment's task reports (which count every input
    document); ``later_reports`` one list per later segment. ``shards`` are the
    entries of the shards written from the last segment's parts
    (:func:`manifests.shards.write_shards`); without them the last segment's reports
    own the shards.
    """
    final = later_reports[-1] if later_reports else first_reports
    dropped: dict[str, Counter] = defaultdict(Counter)
    sources: dict[str, dict[str, Any]] = {}
    for seg_index, reports in enumerate([first_reports, *later_reports]):
        for rep in reports:
            for src, s in rep["by_source"].items():
                entry = sources.setdefault(
                    src, {"input": 0, "kept": 0, "dropped": defaultdict(Counter)}
                )
                if seg_index == 0:
                    entry["input"] += s["input"]
                _add_dropped(entry["dropped"], s["dropped"])
                _add_dropped(dropped, s["dropped"])
    licenses: dict[str, Counter] = defaultdict(Counter)
    nodes: list[dict[str, Any]] = []
    from_reports: list[dict[str, Any]] = []
    for rep in final:
        for src, s in rep["by_source"].items():
            sources[src]["kept"] += s["kept"]
        for lic, counts in rep["licenses"].items():
            licenses[lic].update(counts)
        if rep["shard"] and shards is None:
            shard = dict(rep["shard"])
            shard["path"] = os.path.relpath(shard["path"], release_dir)
            from_reports.append(shard)
    shards = from_reports if shards is None else list(shards)
    rejected = []
    for reports in [first_reports, *later_reports]:
        for rep in reports:
            nodes.append(
                {"segment": rep["segment"], "task": rep["rank"], **public_node(rep["node"])}
            )
            if rep["rejected"]:
                entry = dict(rep["rejected"])
                entry["path"] = os.path.relpath(entry["path"], release_dir)
                rejected.append(entry)
    total_input = sum(s["input"] for s in sources.values())
    kept = sum(s["rows"] for s in shards)
    manifest: dict[str, Any] = {
        "name": name,
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "tool_versions": tool_versions(),
        "config": config,
        **policy_record(policy),  # the policy's name, text and hash: never its path
        "schema_version": SCHEMA_VERSION,
        "schema_sha256": schema_fingerprint(),
        "shards": sorted(shards, key=lambda s: s["path"]),
        "rejected": sorted(rejected, key=lambda s: s["path"]),
        "licenses": {
            lic: {
                "documents": c["documents"],
                "characters": c["characters"],
                "obligations": (get_license(lic).obligations if get_license(lic) else []),
            }
            for lic, c in sorted(licenses.items())
        },
        "sources": {
            src: {
                "input": s["input"],
                "kept": s["kept"],
                "keep_rate": round(s["kept"] / s["input"], 4) if s["input"] else 0.0,
                "dropped": {st: dict(sorted(c.items())) for st, c in sorted(s["dropped"].items())},
            }
            for src, s in sorted(sources.items())
        },
        "accounting": {
            "input": total_input,
            "kept": kept,
            "dropped": {st: dict(sorted(c.items())) for st, c in sorted(dropped.items())},
        },
        "nodes": nodes,
    }
    if extra:
        manifest.update(extra)
    manifest["manifest_sha256"] = manifest_digest(manifest)
    return manifest


def accounting_holds(accounting: dict[str, Any]) -> bool:
    """input == kept + every dropped count (DESIGN §4)."""
    dropped = sum(n for reasons in accounting["dropped"].values() for n in reasons.values())
    return accounting["input"] == accounting["kept"] + dropped


def attribution_markdown(name: str, reports: list[dict[str, Any]]) -> str:
    """ATTRIBUTION.md: the credits the included licenses require, by license and source."""
    grouped: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for rep in reports:
        for lic, src, credit in rep["attributions"]:
            grouped[lic][src].add(credit)
    lines = [f"# Attribution — {name}", ""]
    lines.append(
        "Credits required by the licenses of the documents in this release, grouped by "
        "license and source. Licenses without an attribution obligation are listed for "
        "information only."
    )
    for lic in sorted(grouped):
        entry = get_license(lic)
        title = f"{lic} — {entry.name}" if entry else lic
        lines += ["", f"## {md_inline(title)}"]
        if entry and entry.url:
            lines.append(f"License: {entry.url}")
        if entry and not entry.attribution:
            lines.append("(no attribution required)")
        for src in sorted(grouped[lic]):
            lines += ["", f"### {md_inline(src)}", ""]  # credits are data: escaped, one line
            lines += [f"- {md_inline(credit)}" for credit in sorted(grouped[lic][src])]
    return "\n".join(lines) + "\n"


def write_release_files(
    release_dir: str | Path, manifest: dict[str, Any], attribution: str
) -> None:
    """ATTRIBUTION.md and the README.md dataset card first, the manifest last: a manifest
    only exists for a complete release."""
    root = str(release_dir)
    atomic_write_bytes(storage.join(root, ATTRIBUTION), attribution.encode("utf-8"))
    atomic_write_bytes(storage.join(root, CARD), dataset_card(manifest).encode("utf-8"))
    atomic_write_json(storage.join(root, MANIFEST), manifest)


def read_manifest(release_dir: str | Path) -> dict[str, Any]:
    """The manifest of the release at ``release_dir`` (a local path or an fsspec URL)."""
    return json.loads(storage.read_bytes(storage.join(str(release_dir), MANIFEST)))


__all__ = [
    "SHARDS",
    "accounting_holds",
    "attribution_markdown",
    "build_manifest",
    "manifest_digest",
    "read_manifest",
    "write_release_files",
]
