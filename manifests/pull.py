"""``jpcorpus pull CATALOG DEST``: a filtered copy of a published release.

The copy is a release of its own that ``jpcorpus audit`` verifies. Its manifest
names the parent (catalog, version, manifest digest, the parent's own accounting)
and the filter, and accounts for what was pulled::

    input   = the parent's kept documents
    kept    = the documents pulled
    dropped = {"pull": {"filtered_license": …, "filtered_source": …},
               "takedown": {"taken_down": …}}

A document outside ``--license`` is counted under ``filtered_license`` (checked
first), one outside ``--source`` under ``filtered_source``. Documents that any
takedown request recorded in the catalog names are never pulled, whatever version
is asked for. rejected/pull.parquet lists every document not pulled with its
reason (provenance only, never text); ATTRIBUTION.md covers exactly the pulled
documents.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec

from corpus import storage
from corpus.schema import SCHEMA_VERSION, UnknownSchemaVersion
from corpus.stages.takedown import TAKEN_DOWN, TakedownRules
from manifests.catalog import CatalogError, open_catalog
from manifests.derive import Filtered, Removal, TamperedRelease, filter_release
from manifests.layout import MANIFEST
from manifests.release import (
    attribution_markdown,
    code_version,
    manifest_digest,
    schema_fingerprint,
    tool_versions,
    write_release_files,
)

PULL_STAGE = "pull"


@dataclass(frozen=True)
class PullFilter:
    """Which documents a pull keeps (empty tuples keep everything)."""

    licenses: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def decide(self, row: dict[str, Any], takedowns: TakedownRules) -> Removal | None:
        """Why a row is not pulled, or None.

        >>> f = PullFilter(licenses=("CC-BY-4.0",))
        >>> f.decide({"id": "a", "license": "CC-BY-SA-3.0", "source": "wikipedia-ja",
        ...           "url": ""}, TakedownRules())
        ('pull', 'filtered_license', 'CC-BY-SA-3.0')
        """
        rule = takedowns.match(row["id"], row.get("url"), row.get("source"))
        if rule:
            return ("takedown", TAKEN_DOWN, rule)
        if self.licenses and row["license"] not in self.licenses:
            return (PULL_STAGE, "filtered_license", row["license"])
        if self.sources and row["source"] not in self.sources:
            return (PULL_STAGE, "filtered_source", row["source"])
        return None


def _check_filter(manifest: dict[str, Any], pull_filter: PullFilter) -> None:
    """Refuse a filter value the release does not contain (most likely a typo)."""
    for flag, wanted, present in (
        ("--license", pull_filter.licenses, manifest.get("licenses", {})),
        ("--source", pull_filter.sources, manifest.get("sources", {})),
    ):
        unknown = [w for w in wanted if w not in present]
        if unknown:
            raise CatalogError(
                f"{flag} {', '.join(unknown)}: not in this release "
                f"(it has: {', '.join(sorted(present)) or 'nothing'})"
            )


def pull(
    catalog_url: str,
    dest: str,
    *,
    version: str | None = None,
    pull_filter: PullFilter = PullFilter(),
) -> dict[str, Any]:
    """Copy ``version`` (the current one by default) filtered into ``dest``; its manifest."""
    catalog = open_catalog(catalog_url)
    record = catalog.get(version)
    parent = catalog.read_version_manifest(record)
    _check_filter(parent, pull_filter)
    takedowns = catalog.takedown_rules()
    dest = storage.resolve(dest)
    dest_fs, dest_root = storage.filesystem(dest)
    if dest_fs.exists(dest_root) and dest_fs.ls(dest_root):
        raise CatalogError(f"{dest}: exists and is not empty; pull into a new folder")
    with tempfile.TemporaryDirectory(prefix="jpcorpus-pull-") as tmp:
        build = Path(tmp) / "release"
        try:
            result = filter_release(
                catalog.fs,
                catalog.version_path(record.version),
                parent,
                build,
                lambda row: pull_filter.decide(row, takedowns),
                "pull.parquet",
                Path(tmp) / "scratch",
            )
        except TamperedRelease as exc:
            raise CatalogError(
                f"{catalog_url}: version {record.version}: {exc}", exit_code=1
            ) from None
        except UnknownSchemaVersion as exc:
            raise CatalogError(f"{catalog_url}: version {record.version}: {exc}") from None
        manifest = pulled_manifest(parent, result, catalog_url, record.version, pull_filter)
        attribution = attribution_markdown(
            f"{parent['name']} {record.version} (pulled)", [{"attributions": result.attributions}]
        )
        write_release_files(build, manifest, attribution)
        _deliver(build, dest_fs, dest_root)
    return manifest


def _deliver(build: Path, fs: fsspec.AbstractFileSystem, root: str) -> None:
    """Move the finished copy to its destination, the manifest last."""
    files = sorted(p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file())
    files.remove(MANIFEST)
    for rel in [*files, MANIFEST]:
        target = f"{root.rstrip('/')}/{rel}"
        fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        fs.put_file(str(build / rel), target)
    if not any(f.startswith("shards/") for f in files):
        fs.makedirs(f"{root.rstrip('/')}/shards", exist_ok=True)


def pulled_manifest(
    parent: dict[str, Any],
    result: Filtered,
    catalog_url: str,
    version: str,
    pull_filter: PullFilter,
) -> dict[str, Any]:
    """The manifest of a pulled copy (accounting as in the module docstring)."""
    input_docs = parent["accounting"]["kept"]
    sources = {}
    for src in sorted(result.sources_in):
        n_in, n_kept = result.sources_in[src], result.sources_kept[src]
        sources[src] = {
            "input": n_in,
            "kept": n_kept,
            "keep_rate": round(n_kept / n_in, 4) if n_in else 0.0,
            "dropped": {
                st: dict(sorted(c.items())) for st, c in sorted(result.sources_removed[src].items())
            },
        }
    manifest: dict[str, Any] = {
        "name": parent["name"],
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "tool_versions": tool_versions(),
        "config": parent.get("config", {}),
        "policy": parent.get("policy", "default"),
        "policy_definition": parent.get("policy_definition"),
        "schema_version": SCHEMA_VERSION,
        "schema_sha256": schema_fingerprint(),
        "shards": result.shards,
        "rejected": [result.rejected] if result.rejected else [],
        "licenses": result.license_table(),
        "sources": sources,
        "accounting": {
            "input": input_docs,
            "kept": result.kept,
            "dropped": {st: dict(sorted(c.items())) for st, c in sorted(result.removed.items())},
        },
        "nodes": parent.get("nodes", []),
        "pull": {
            "catalog": catalog_url,
            "version": version,
            "filter": {"license": list(pull_filter.licenses), "source": list(pull_filter.sources)},
            "documents": result.kept,
            "characters": sum(c["characters"] for c in result.licenses.values()),
        },
        "parent": {
            "version": version,
            "manifest_sha256": parent["manifest_sha256"],
            "created_at": parent["created_at"],
            "code_version": parent.get("code_version"),
            "accounting": parent["accounting"],
        },
    }
    if parent.get("residency"):
        manifest["residency"] = parent["residency"]
    manifest["manifest_sha256"] = manifest_digest(manifest)
    return manifest
