"""``jpcorpus takedown``: publish a version without the named documents.

A request names documents by ``--id``, ``--url`` or ``--source`` (each repeatable)
and gives a ``--reason``. ``--url`` takes three forms:

- ``https://host/path`` — that exact URL;
- ``https://host/path*`` — every URL starting with the part before ``*``;
- ``example.jp`` (no scheme, no slash) — that domain and its subdomains.

The new version is the current one minus the matched documents: unchanged shards
are copied byte for byte, the matched rows go to ``rejected/takedown-<request>.parquet``
(stage ``takedown``, reason ``taken_down``), and the accounting keeps its identity
(input unchanged, kept lower, ``dropped.takedown.taken_down`` higher). The catalog
records the request (reason, time, criteria, matched ids), marks the previous
version superseded with the request's reason and notes it on every older version
that held matched documents. Later runs that publish into the catalog drop the
same documents again (:class:`corpus.stages.takedown.TakedownStage`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from corpus.schema import SCHEMA_VERSION, UnknownSchemaVersion
from corpus.stages.takedown import TAKEN_DOWN, TakedownRules
from manifests.catalog import (
    Catalog,
    CatalogError,
    TakedownRequest,
    VersionRecord,
    next_version,
    now_utc,
    open_catalog,
)
from manifests.derive import Filtered, TamperedRelease, copy_verified, filter_release
from manifests.release import (
    attribution_markdown,
    manifest_digest,
    schema_fingerprint,
    write_release_files,
)

TAKEDOWN_STAGE = "takedown"


def rules_from_cli(ids: list[str], urls: list[str], sources: list[str]) -> TakedownRules:
    """Rules from the command's options (``--url`` forms as in the module docstring).

    >>> rules_from_cli([], ["https://www.aozora.gr.jp/cards/000879/*", "example.jp",
    ...                     "https://ja.wikipedia.org/wiki/日本"], [])
    ... # doctest: +NORMALIZE_WHITESPACE
    TakedownRules(ids=(), urls=('https://ja.wikipedia.org/wiki/日本',),
        url_prefixes=('https://www.aozora.gr.jp/cards/000879/',), domains=('example.jp',),
        sources=())
    """
    exact, prefixes, domains = [], [], []
    for url in urls:
        url = url.strip()
        if url.endswith("*"):
            prefixes.append(url[:-1])
        elif ":" in url.split("/")[0]:  # a scheme: https://…, or a locator such as aozora:…
            exact.append(url)
        elif "/" not in url and "." in url:
            domains.append(url)
        else:
            raise CatalogError(
                f"--url {url}: give a full URL (exact match), a URL ending in * (prefix) "
                "or a bare domain such as example.jp"
            )
    rules = TakedownRules(
        ids=tuple(ids), urls=tuple(exact), url_prefixes=tuple(prefixes),
        domains=tuple(domains), sources=tuple(sources),
    )  # fmt: skip
    if rules.is_empty():
        raise CatalogError("name what to take down with --id, --url or --source")
    return rules


@dataclass
class TakedownOutcome:
    request: TakedownRequest
    version: VersionRecord | None
    """The version published without the documents (None when the current one had none)."""
    affected: dict[str, int]
    """version -> documents of it the request matches"""


def _matches_in(catalog: Catalog, record: VersionRecord, rules: TakedownRules) -> int:
    """How many documents of a published version the rules match (reads three columns)."""
    manifest = catalog.read_version_manifest(record)
    root = catalog.version_path(record.version)
    n = 0
    for entry in manifest["shards"]:
        with catalog.fs.open(f"{root}/{entry['path']}", "rb") as f:
            table = pq.read_table(f, columns=["id", "url", "source"])
        for row in table.to_pylist():
            n += rules.match(row["id"], row["url"], row["source"]) is not None
    return n


def takedown(
    catalog_url: str, rules: TakedownRules, reason: str, *, version: str | None = None
) -> TakedownOutcome:
    """Take the documents ``rules`` name out of the catalog's current version."""
    if not reason or not reason.strip():
        raise CatalogError("--reason is required: say why the documents are taken down")
    catalog = open_catalog(catalog_url)
    current = catalog.get()
    taken = {v.version for v in catalog.versions()}
    new_version = catalog.check_new_version(version or next_version(current.version, taken))
    request_id = catalog.new_request_id()
    affected = {
        record.version: n
        for record in catalog.versions()
        if (n := _matches_in(catalog, record, rules))
    }
    request = TakedownRequest(
        id=request_id,
        requested_at=now_utc(),
        reason=reason.strip(),
        rules=rules,
        from_version=current.version,
    )
    if not affected.get(current.version):
        catalog.record_takedown(request, affected)
        return TakedownOutcome(request, None, affected)

    parent = catalog.read_version_manifest(current)
    root = catalog.version_path(current.version)
    with tempfile.TemporaryDirectory(prefix="jpcorpus-takedown-") as tmp:
        build = Path(tmp) / new_version
        detail = f"{request_id}: {request.reason}"

        def decide(row: dict[str, Any]) -> tuple[str, str, str] | None:
            rule = rules.match(row["id"], row.get("url"), row.get("source"))
            return (TAKEDOWN_STAGE, TAKEN_DOWN, f"{detail} ({rule})") if rule else None

        try:
            result = filter_release(
                catalog.fs, root, parent, build, decide, f"takedown-{request_id}.parquet",
                Path(tmp) / "scratch",
            )  # fmt: skip
            copy_verified(catalog.fs, root, parent.get("rejected", []), build)
        except TamperedRelease as exc:
            raise CatalogError(f"version {current.version}: {exc}", exit_code=1) from None
        except UnknownSchemaVersion as exc:
            raise CatalogError(f"version {current.version}: {exc}") from None
        request.matched = sorted(result.removed_ids)
        request.to_version = new_version
        manifest = takedown_manifest(parent, result, new_version, current.version, request)
        attribution = attribution_markdown(parent["name"], [{"attributions": result.attributions}])
        write_release_files(build, manifest, attribution)
        record = catalog.publish(
            build,
            new_version,
            kind="takedown",
            supersede_reason=f"takedown {request_id}: {request.reason}",
            takedown=request,
            affected=affected,
        )
    return TakedownOutcome(request, record, affected)


def takedown_manifest(
    parent: dict[str, Any],
    result: Filtered,
    version: str,
    parent_version: str,
    request: TakedownRequest,
) -> dict[str, Any]:
    """The parent's manifest with the removed documents accounted under ``takedown``."""
    manifest = {k: v for k, v in parent.items() if k != "manifest_sha256"}
    removed = result.removed_total
    accounting = parent["accounting"]
    dropped = {st: dict(r) for st, r in accounting["dropped"].items()}
    stage_drops = dropped.setdefault(TAKEDOWN_STAGE, {})
    stage_drops[TAKEN_DOWN] = stage_drops.get(TAKEN_DOWN, 0) + removed
    sources = {}
    for src, entry in parent["sources"].items():
        entry = {**entry, "dropped": {st: dict(r) for st, r in entry["dropped"].items()}}
        n = sum(result.sources_removed.get(src, {}).get(TAKEDOWN_STAGE, {}).values())
        if n:
            entry["kept"] -= n
            drops = entry["dropped"].setdefault(TAKEDOWN_STAGE, {})
            drops[TAKEN_DOWN] = drops.get(TAKEN_DOWN, 0) + n
            entry["keep_rate"] = round(entry["kept"] / entry["input"], 4) if entry["input"] else 0.0
        sources[src] = entry
    manifest.update(
        version=version,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        schema_version=SCHEMA_VERSION,  # filter_release writes the current layout
        schema_sha256=schema_fingerprint(),
        shards=result.shards,
        rejected=sorted(
            [*parent.get("rejected", []), *([result.rejected] if result.rejected else [])],
            key=lambda e: e["path"],
        ),
        licenses=result.license_table(),
        sources=sources,
        accounting={
            "input": accounting["input"],
            "kept": accounting["kept"] - removed,
            "dropped": {st: dict(sorted(r.items())) for st, r in sorted(dropped.items())},
        },
        parent={
            "version": parent_version,
            "manifest_sha256": parent["manifest_sha256"],
            "created_at": parent["created_at"],
        },
    )
    manifest.setdefault("takedowns", [])
    manifest["takedowns"] = [
        *parent.get("takedowns", []),
        {
            "request": request.id,
            "requested_at": request.requested_at,
            "reason": request.reason,
            "rules": request.rules.model_dump(mode="json"),
            "removed": removed,
        },
    ]
    manifest["manifest_sha256"] = manifest_digest(manifest)
    return manifest
