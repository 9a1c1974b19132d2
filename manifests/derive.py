"""Releases derived from a published one by removing rows: pulls and takedowns.

:func:`filter_release` streams a release's shards, asks ``decide`` about every row,
writes the rows it keeps to shards of the same names (a shard with nothing removed
is copied byte for byte) and the rows it removes to one rejected/ file — their
provenance, stage and reason, never their text — and counts everything the derived
manifest needs. Every shard is checked against the sha256 its manifest records
before it is used, so a changed file in a catalog is caught, not copied on. Shards of
an earlier schema version are rewritten in the current one (:func:`corpus.schema.upgrade_table`);
a version this code does not know raises :class:`corpus.schema.UnknownSchemaVersion`.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fsspec import AbstractFileSystem
from fsspec.implementations.local import LocalFileSystem

from corpus import storage
from corpus.schema import (
    REJECTED_SCHEMA,
    SCHEMA_VERSION,
    SHARD_SCHEMA,
    shard_schema,
    upgrade_table,
)
from licenses.registry import get_license
from manifests.layout import REJECTED, SHARDS, file_sha256, temp_path_for
from manifests.shards import schema_version_of

Removal = tuple[str, str, str | None]
"""``(stage, reason, detail)`` of a removed row."""

Decide = Callable[[dict[str, Any]], Removal | None]
"""Gets a row's ``id``, ``source``, ``source_id``, ``url``, ``license``; None keeps it."""

DECISION_COLUMNS = ["id", "source", "source_id", "url", "license"]


class TamperedRelease(ValueError):
    """A shard's bytes differ from the sha256 its manifest records."""


@dataclass
class Filtered:
    """What :func:`filter_release` wrote and counted."""

    shards: list[dict[str, Any]] = field(default_factory=list)
    rejected: dict[str, Any] | None = None
    kept: int = 0
    removed: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    """stage -> reason -> documents"""
    licenses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    """license -> {documents, characters} of the kept rows"""
    sources_in: Counter = field(default_factory=Counter)
    sources_kept: Counter = field(default_factory=Counter)
    sources_removed: dict[str, dict[str, Counter]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Counter))
    )
    attributions: set[tuple[str, str, str]] = field(default_factory=set)
    removed_ids: list[str] = field(default_factory=list)

    @property
    def removed_total(self) -> int:
        return sum(n for reasons in self.removed.values() for n in reasons.values())

    def license_table(self) -> dict[str, dict[str, Any]]:
        """The manifest's ``licenses`` entry for the kept rows (obligations from the registry)."""
        out = {}
        for lic, c in sorted(self.licenses.items()):
            entry = get_license(lic)
            out[lic] = {
                "documents": c["documents"],
                "characters": c["characters"],
                "obligations": entry.obligations if entry else [],
            }
        return out


def entry_path(entry: dict[str, Any]) -> str:
    """The relative path a manifest entry names, refused when it would leave the release."""
    try:
        return storage.safe_relpath(entry.get("path"))
    except (storage.UnsafePath, TypeError) as exc:
        raise TamperedRelease(f"manifest names a file outside the release: {exc}") from None


def _verified_local(fs: AbstractFileSystem, src: str, entry: dict[str, Any], scratch: Path) -> Path:
    """A local path holding the shard ``src``, verified against ``entry['sha256']``."""
    if isinstance(fs, LocalFileSystem):
        local = Path(src)
        if local.is_symlink():
            raise TamperedRelease(f"{entry['path']}: a symbolic link (refused)")
    else:
        local = scratch / entry_path(entry)
        local.parent.mkdir(parents=True, exist_ok=True)
        fs.get_file(src, str(local))
    if file_sha256(local) != entry["sha256"]:
        raise TamperedRelease(f"{entry['path']}: sha256 differs from the manifest (file changed)")
    return local


def filter_release(
    fs: AbstractFileSystem,
    src_root: str,
    manifest: dict[str, Any],
    dest: Path,
    decide: Decide,
    rejected_name: str,
    scratch: Path,
) -> Filtered:
    """Write the rows of ``manifest``'s shards that ``decide`` keeps under ``dest``."""
    result = Filtered()
    rejected_rows: list[dict[str, Any]] = []
    version = schema_version_of(manifest)
    shard_schema(version)  # refuse a layout this code cannot read before writing anything
    for entry in manifest["shards"]:
        rel = entry_path(entry)
        local = _verified_local(fs, f"{src_root}/{rel}", entry, scratch)
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path_for(out)
        writer: pq.ParquetWriter | None = None
        rows_out = 0
        parquet = pq.ParquetFile(local)
        for batch in parquet.iter_batches(batch_size=2000):
            table = upgrade_table(pa.Table.from_batches([batch]), version)
            keep_mask = []
            decided = table.select(DECISION_COLUMNS).to_pylist()
            texts = table["text"].to_pylist()
            attributions = table["attribution"].to_pylist()
            for row, text, credit in zip(decided, texts, attributions, strict=True):
                src = row["source"]
                result.sources_in[src] += 1
                removal = decide(row)
                keep_mask.append(removal is None)
                if removal is None:
                    result.kept += 1
                    result.sources_kept[src] += 1
                    result.licenses[row["license"]]["documents"] += 1
                    result.licenses[row["license"]]["characters"] += len(text)
                    if credit:
                        result.attributions.add((row["license"], src, credit))
                    continue
                stage, reason, detail = removal
                result.removed[stage][reason] += 1
                result.sources_removed[src][stage][reason] += 1
                result.removed_ids.append(row["id"])
                rejected_rows.append(
                    {
                        **row,
                        "stage": stage,
                        "reason": reason,
                        "detail": detail,
                        "duplicate_of": None,
                    }
                )
            kept_rows = table.filter(pa.array(keep_mask, pa.bool_()))
            if kept_rows.num_rows:
                if writer is None:
                    writer = pq.ParquetWriter(tmp, SHARD_SCHEMA, compression="zstd")
                writer.write_table(kept_rows.cast(SHARD_SCHEMA))
                rows_out += kept_rows.num_rows
        if writer is not None:
            writer.close()
        if rows_out == entry["rows"] and version == SCHEMA_VERSION:  # the very same bytes
            tmp.unlink(missing_ok=True)
            shutil.copyfile(local, out)
        elif rows_out:
            tmp.replace(out)
        else:
            tmp.unlink(missing_ok=True)
            continue
        result.shards.append(
            {
                "path": entry["path"],
                "sha256": file_sha256(out),
                "rows": rows_out,
                "bytes": out.stat().st_size,
            }
        )
    if rejected_rows:
        path = dest / REJECTED / rejected_name
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.Table.from_pylist(rejected_rows, schema=REJECTED_SCHEMA), path, compression="zstd"
        )
        result.rejected = {
            "path": f"{REJECTED}/{rejected_name}",
            "sha256": file_sha256(path),
            "rows": len(rejected_rows),
            "bytes": path.stat().st_size,
        }
    (dest / SHARDS).mkdir(parents=True, exist_ok=True)
    return result


def copy_verified(
    fs: AbstractFileSystem, src_root: str, entries: list[dict[str, Any]], dest: Path
) -> None:
    """Copy files listed in a manifest (e.g. rejected/) to ``dest``, checking each sha256."""
    for entry in entries:
        rel = entry_path(entry)
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        fs.get_file(f"{src_root}/{rel}", str(out))
        if file_sha256(out) != entry["sha256"]:
            raise TamperedRelease(f"{entry['path']}: sha256 differs from the manifest")
