"""``jpcorpus audit``: verify a release against its manifest.

Checks every shard's sha256, row count and schema; that no shard is missing or
extra; the manifest's own digest; the accounting identity; that rejected/ holds
as many rows as the dropped counts; that every row has an admitted license
and license evidence; and that the README.md dataset card's front matter names the
release's licenses and loads ``shards/*.parquet`` only.

Shards are checked against the schema of the version the manifest records
(``schema_version``; none recorded is version 1, with map columns). A version this
code does not know is reported as such, and nothing else is checked.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.schema import UnknownSchemaVersion, shard_schema
from manifests.card import card_metadata, split_front_matter
from manifests.layout import CARD, MANIFEST, REJECTED, SHARDS, file_sha256
from manifests.publish import PolicyUnavailable, policy_of
from manifests.release import accounting_holds, manifest_digest, read_manifest
from manifests.shards import schema_version_of

#: front matter keys a card must carry as the manifest implies them
CARD_KEYS = ("license", "license_name", "license_link", "language", "configs")


def audit_release(release_dir: str | Path) -> list[str]:
    """Problems found (empty when the release is sound)."""
    root = Path(release_dir)
    if not (root / MANIFEST).is_file():
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


def _check_card(root: Path, manifest: dict, version: int) -> list[str]:
    """README.md: required since schema version 2; its front matter must match the manifest."""
    path = root / CARD
    if not path.is_file():
        return [f"{CARD}: missing (the dataset card)"] if version >= 2 else []
    meta, _ = split_front_matter(path.read_text("utf-8"))
    if meta is None:
        return [f"{CARD}: no YAML front matter (--- … ---) at the top"]
    expected = card_metadata(manifest)
    return [
        f"{CARD}: front matter {key} is {meta.get(key)!r}, the manifest implies {expected.get(key)!r}"
        for key in CARD_KEYS
        if meta.get(key) != expected.get(key)
    ]


def _check_files(
    root: Path, folder: str, entries: list[dict], schema: pa.Schema | None
) -> list[str]:
    problems = []
    listed = {e["path"] for e in entries}
    for path in sorted((root / folder).glob("*.parquet")):
        rel = str(path.relative_to(root))
        if rel not in listed:
            problems.append(f"{rel}: file not in the manifest (extra shard)")
    for entry in entries:
        path = root / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']}: missing")
            continue
        if file_sha256(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: sha256 mismatch (file changed)")
            continue
        meta = pq.ParquetFile(path)
        if meta.metadata.num_rows != entry["rows"]:
            problems.append(
                f"{entry['path']}: {meta.metadata.num_rows} rows, manifest says {entry['rows']}"
            )
        if schema is not None and not meta.schema_arrow.equals(schema, check_metadata=False):
            problems.append(f"{entry['path']}: schema differs from the shard schema")
    return problems


def _check_licenses(root: Path, manifest: dict) -> list[str]:
    problems = []
    try:
        policy = policy_of(manifest)
    except PolicyUnavailable as exc:
        return [f"{MANIFEST}: {exc}"]
    for entry in manifest["shards"]:
        table = pq.read_table(root / entry["path"], columns=["id", "license", "license_evidence"])
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
