"""``jpcorpus audit``: verify a release against its manifest.

Checks every shard's sha256, row count and schema; that no shard is missing or
extra; the manifest's own digest; the accounting identity; that rejected/ holds
as many rows as the dropped counts; that every row has an admitted license
and license evidence; and that the README.md dataset card's front matter names the
release's licenses and loads ``shards/*.parquet`` only. Every path the manifest names
must be relative and stay inside the release, and no file may be a symbolic link.

Shards are checked against the schema of the version the manifest records
(``schema_version``; none recorded is version 1, with map columns). A version this
code does not know is reported as such, and nothing else is checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus import storage
from corpus.schema import UnknownSchemaVersion, shard_schema
from manifests.card import card_metadata, split_front_matter
from manifests.layout import ATTRIBUTION, CARD, MANIFEST, REJECTED, SHARDS, file_sha256
from manifests.publish import PolicyUnavailable, policy_of
from manifests.release import accounting_holds, manifest_digest, read_manifest
from manifests.shards import schema_version_of

#: front matter keys a card must carry as the manifest implies them
CARD_KEYS = ("license", "license_name", "license_link", "language", "configs")


def audit_release(release_dir: str | Path) -> list[str]:
    """Problems found (empty when the release is sound).

    ``release_dir`` is a local folder or an fsspec URL.
    """
    root = storage.resolve(release_dir)
    if not storage.isfile(storage.join(root, MANIFEST)):
        return [f"{root}: no {MANIFEST} (not a release, or the run did not finish)"]
    try:
        manifest = read_manifest(root)
    except ValueError as exc:
        return [f"{MANIFEST}: not valid JSON ({exc})"]
    try:
        version = schema_version_of(manifest)
        schema = shard_schema(version)
    except (UnknownSchemaVersion, TypeError, ValueError) as exc:
        return [f"{MANIFEST}: schema_version {manifest.get('schema_version')!r}: {exc}"]
    problems: list[str] = []
    if manifest.get("manifest_sha256") != manifest_digest(manifest):
        problems.append(
            f"{MANIFEST}: digest mismatch (the manifest was edited after it was written)"
        )
    acc = manifest.get("accounting", {})
    try:
        if not accounting_holds(acc):
            dropped = sum(n for r in acc["dropped"].values() for n in r.values())
            problems.append(
                f"accounting: input {acc['input']} != kept {acc['kept']} + dropped {dropped}"
            )
    except (KeyError, TypeError, AttributeError):
        problems.append("accounting: missing or malformed")
        return problems

    for name in (MANIFEST, ATTRIBUTION, CARD, SHARDS, REJECTED):
        if storage.is_symlink(storage.join(root, name)):
            problems.append(f"{name}: a symbolic link (a release holds files only)")
    if problems:
        return problems
    problems += _check_files(root, SHARDS, manifest.get("shards", []), schema)
    problems += _check_files(root, REJECTED, manifest.get("rejected", []), None)
    problems += _check_card(root, manifest, version)
    if not problems:
        kept_rows = sum(s["rows"] for s in manifest["shards"])
        if kept_rows != acc["kept"]:
            problems.append(f"accounting: kept {acc['kept']} but shards hold {kept_rows} rows")
        rejected_rows = sum(s["rows"] for s in manifest.get("rejected", []))
        dropped = sum(n for r in acc["dropped"].values() for n in r.values())
        if rejected_rows != dropped:
            problems.append(f"rejected/: {rejected_rows} rows but {dropped} documents dropped")
        problems += _check_licenses(root, manifest)
    return problems


def _check_card(root: str, manifest: dict, version: int) -> list[str]:
    """README.md: required since schema version 2; its front matter must match the manifest."""
    path = storage.join(root, CARD)
    if not storage.isfile(path):
        return [f"{CARD}: missing (the dataset card)"] if version >= 2 else []
    meta, _ = split_front_matter(storage.read_bytes(path).decode("utf-8"))
    if meta is None:
        return [f"{CARD}: no YAML front matter (--- … ---) at the top"]
    expected = card_metadata(manifest)
    return [
        f"{CARD}: front matter {key} is {meta.get(key)!r}, the manifest implies {expected.get(key)!r}"
        for key in CARD_KEYS
        if meta.get(key) != expected.get(key)
    ]


def _inside(root: str, folder: str, rel: Any) -> str | None:
    """The URL of a listed file, or None when its path leaves ``folder`` of the release."""
    try:
        clean = storage.safe_relpath(rel)
    except (storage.UnsafePath, TypeError):
        return None
    if clean != rel or not clean.startswith(folder + "/"):
        return None
    return storage.join(root, clean)


def _check_files(
    root: str, folder: str, entries: list[dict], schema: pa.Schema | None
) -> list[str]:
    problems = []
    listed = {e.get("path") for e in entries}
    for name in storage.listdir(storage.join(root, folder)):
        rel = f"{folder}/{name}"
        if storage.is_symlink(storage.join(root, rel)):
            problems.append(f"{rel}: a symbolic link (a release holds files only)")
        elif name.endswith(".parquet") and rel not in listed:
            problems.append(f"{rel}: file not in the manifest (extra shard)")
    for entry in entries:
        path = _inside(root, folder, entry.get("path"))
        if path is None:
            problems.append(
                f"{entry.get('path')!r}: path is not inside {folder}/ of the release (refused)"
            )
            continue
        if storage.is_symlink(path):
            continue  # reported above
        if not storage.isfile(path):
            problems.append(f"{entry['path']}: missing")
            continue
        if file_sha256(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: sha256 mismatch (file changed)")
            continue
        with storage.open_read(path) as f:
            meta = pq.ParquetFile(f)
            num_rows, file_schema = meta.metadata.num_rows, meta.schema_arrow
        if num_rows != entry["rows"]:
            problems.append(f"{entry['path']}: {num_rows} rows, manifest says {entry['rows']}")
        if schema is not None and not file_schema.equals(schema, check_metadata=False):
            problems.append(f"{entry['path']}: schema differs from the shard schema")
    return problems


def _check_licenses(root: str, manifest: dict) -> list[str]:
    problems = []
    try:
        policy = policy_of(manifest)
    except PolicyUnavailable as exc:
        return [f"{MANIFEST}: {exc}"]
    for entry in manifest["shards"]:
        with storage.open_read(storage.join(root, entry["path"])) as f:
            table = pq.read_table(f, columns=["id", "license", "license_evidence"])
        for column in ("license", "license_evidence"):
            col = table[column]
            empty = col.null_count + pc.sum(pc.equal(pc.fill_null(col, ""), "")).as_py()
            if empty:
                problems.append(f"{entry['path']}: {empty} rows without {column}")
        for lic in pc.unique(table["license"]).to_pylist():
            if lic and not policy.admits(lic):
                problems.append(
                    f"{entry['path']}: license {lic} is refused by policy {policy.name} "
                    f"({policy.decide(lic)[1]})"
                )
    return problems
