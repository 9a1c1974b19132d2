"""A catalog of versioned releases: a local folder or any fsspec URL.

Layout::

    CATALOG/
      index.json            versions, their status, and every takedown request
      versions/<V>/         one release each (DESIGN §3), never modified once published

A version exists only once ``index.json`` lists it: files are copied first and the
index is written last, so an interrupted publish leaves no version behind. Each
index entry records the version, when its release was built (``created_at``) and
published, its parent (the version that was current when it was published), the
sha256 digest of its manifest, and its status: ``current`` for the latest,
``superseded`` with ``superseded_by`` and a ``reason`` for the others. Takedown
requests (reason, time, criteria, matched ids) are kept in the same file; their
rules are what later runs drop again (:meth:`Catalog.takedown_rules`).

Local catalogs are locked while the index is read, changed and written; on object
stores the index is written in one request and concurrent publishers must be
serialised by the caller.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import fsspec
from fsspec.implementations.local import LocalFileSystem
from pydantic import BaseModel, ConfigDict, Field

from corpus.stages.takedown import TakedownRules
from manifests.layout import ATTRIBUTION, CARD, MANIFEST, atomic_write_bytes
from manifests.release import manifest_digest, read_manifest

INDEX = "index.json"
VERSIONS = "versions"
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")


class CatalogError(ValueError):
    """A catalog operation was refused; ``exit_code`` is 2 for bad input, 1 for a failed check."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class VersionRecord(BaseModel):
    """One published version in the index."""

    model_config = ConfigDict(extra="forbid")

    version: str
    created_at: str
    """When the release was built (its manifest's ``created_at``)."""
    published_at: str
    parent: str | None = None
    manifest_sha256: str
    kind: Literal["run", "takedown"] = "run"
    documents: int
    status: Literal["current", "superseded"] = "current"
    superseded_by: str | None = None
    reason: str = "latest version"
    """Why the version has its status."""
    takedowns: list[str] = Field(default_factory=list)
    """Takedown requests that matched documents of this version."""


class TakedownRequest(BaseModel):
    """A recorded takedown request."""

    model_config = ConfigDict(extra="forbid")

    id: str
    requested_at: str
    reason: str
    rules: TakedownRules
    matched: list[str] = Field(default_factory=list)
    """Ids of the current version's documents the request removed."""
    from_version: str | None = None
    to_version: str | None = None
    """The version published without the matched documents (None if none matched)."""


class CatalogIndex(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: int = 1
    versions: list[VersionRecord] = Field(default_factory=list)
    takedowns: list[TakedownRequest] = Field(default_factory=list)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_version_name(version: str | None) -> str:
    """A version name: letters, digits and ``._+-``, at most 64 characters."""
    if not version:
        raise CatalogError("--version is required to publish into a catalog")
    if not _VERSION_NAME.match(version):
        raise CatalogError(
            f"version {version!r}: use letters, digits and . _ + - (e.g. v1, 2026.11.0)"
        )
    return version


def next_version(current: str, taken: set[str]) -> str:
    """The version after ``current``: its last number plus one, else ``current.1``.

    >>> next_version("v1", {"v1"})
    'v2'
    >>> next_version("2026.11.09", {"2026.11.09", "2026.11.10"})
    '2026.11.11'
    >>> next_version("first", {"first"})
    'first.1'
    """
    match = re.search(r"(\d+)$", current)
    stem, number, width = (
        (current[: match.start()], int(match.group(1)), len(match.group(1)))
        if match
        else (current + ".", 0, 1)
    )
    while True:
        number += 1
        candidate = f"{stem}{number:0{width}d}"
        if candidate not in taken:
            return candidate


class Catalog:
    """A catalog at ``url`` (a local path or any fsspec URL)."""

    def __init__(self, url: str | Path) -> None:
        self.url = str(url)
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.root = self.root.rstrip("/")

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    def _path(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    def exists(self) -> bool:
        return self.fs.isfile(self._path(INDEX))

    # -- index -------------------------------------------------------------------

    def read_index(self) -> CatalogIndex:
        if not self.exists():
            return CatalogIndex()
        with self.fs.open(self._path(INDEX), "rb") as f:
            return CatalogIndex.model_validate(json.loads(f.read()))

    def _write_index(self, index: CatalogIndex) -> None:
        data = json.dumps(index.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
        if self.is_local:
            atomic_write_bytes(self._path(INDEX), data.encode("utf-8"))
        else:
            self.fs.makedirs(self.root, exist_ok=True)
            self.fs.pipe_file(self._path(INDEX), data.encode("utf-8"))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if not self.is_local:
            yield
            return
        import fasteners

        Path(self.root).mkdir(parents=True, exist_ok=True)
        with fasteners.InterProcessLock(str(Path(self.root) / ".lock")):
            yield

    @contextlib.contextmanager
    def updating(self) -> Iterator[CatalogIndex]:
        """Read the index under the lock, let the caller change it, write it back."""
        with self._locked():
            index = self.read_index()
            yield index
            self._write_index(index)

    # -- versions ----------------------------------------------------------------

    def versions(self) -> list[VersionRecord]:
        return self.read_index().versions

    def current(self) -> VersionRecord | None:
        return next((v for v in self.versions() if v.status == "current"), None)

    def get(self, version: str | None = None) -> VersionRecord:
        """The record of ``version`` (the current one when None)."""
        versions = self.versions()
        if not versions:
            raise CatalogError(f"{self.url}: no catalog here (no {INDEX}), or it is empty")
        if version is None:
            record = next((v for v in versions if v.status == "current"), versions[-1])
            return record
        for record in versions:
            if record.version == version:
                return record
        known = ", ".join(v.version for v in versions)
        raise CatalogError(f"{self.url}: no version {version!r} (versions: {known})")

    def version_path(self, version: str) -> str:
        return self._path(VERSIONS, version)

    def check_new_version(self, version: str | None) -> str:
        """Refuse a bad or already published version name before any work starts."""
        version = check_version_name(version)
        if any(v.version == version for v in self.versions()):
            raise CatalogError(
                f"{self.url}: version {version!r} is already published and versions are "
                "immutable; choose another --version"
            )
        return version

    def read_version_manifest(self, record: VersionRecord) -> dict[str, Any]:
        """The manifest of a published version, checked against the digest in the index."""
        with self.fs.open(f"{self.version_path(record.version)}/{MANIFEST}", "rb") as f:
            manifest = json.loads(f.read())
        digest = manifest_digest(manifest)
        if digest != record.manifest_sha256 or manifest.get("manifest_sha256") != digest:
            raise CatalogError(
                f"{self.url}: version {record.version}: manifest digest does not match the "
                "catalog index (the published release was changed)",
                exit_code=1,
            )
        return manifest

    @contextlib.contextmanager
    def local_copy(self, version: str | None = None) -> Iterator[Path]:
        """A local directory holding the release of ``version`` (downloaded if remote)."""
        record = self.get(version)
        remote = self.version_path(record.version)
        if self.is_local:
            yield Path(remote)
            return
        tmp = Path(tempfile.mkdtemp(prefix="jpcorpus-version-"))
        try:
            manifest = self.read_version_manifest(record)
            files = [MANIFEST, ATTRIBUTION]
            files += [CARD] if self.fs.exists(f"{remote}/{CARD}") else []  # since schema 2
            files += [e["path"] for e in manifest["shards"] + manifest.get("rejected", [])]
            for rel in files:
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                self.fs.get(f"{remote}/{rel}", str(tmp / rel))
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def publish(
        self,
        release_dir: str | Path,
        version: str,
        *,
        kind: Literal["run", "takedown"] = "run",
        supersede_reason: str | None = None,
        takedown: TakedownRequest | None = None,
        affected: dict[str, int] | None = None,
    ) -> VersionRecord:
        """Copy a finished, audited release in as ``version`` and make it current.

        The previously current version becomes superseded (``supersede_reason``, by
        default "replaced by <version>"). With ``takedown`` the request is recorded in
        the same index update, and every version in ``affected`` (version -> matched
        documents) notes it.
        """
        from manifests.audit import audit_release

        release = Path(release_dir)
        version = self.check_new_version(version)
        problems = audit_release(release)
        if problems:
            raise CatalogError(
                f"{release}: the release fails its audit ({problems[0]}); not published",
                exit_code=1,
            )
        manifest = read_manifest(release)
        if str(manifest.get("version")) != version:
            raise CatalogError(
                f"{release} was built as version {manifest.get('version')!r}, not {version!r}"
            )
        self._copy_in(release, manifest, version)
        with self.updating() as index:
            if any(v.version == version for v in index.versions):
                raise CatalogError(f"{self.url}: version {version!r} was published meanwhile")
            parent = next((v for v in index.versions if v.status == "current"), None)
            for record in index.versions:
                if record.status == "current":
                    record.status = "superseded"
                    record.superseded_by = version
                    record.reason = supersede_reason or f"replaced by {version}"
            record = VersionRecord(
                version=version,
                created_at=manifest["created_at"],
                published_at=now_utc(),
                parent=parent.version if parent else None,
                manifest_sha256=manifest["manifest_sha256"],
                kind=kind,
                documents=manifest["accounting"]["kept"],
            )
            index.versions.append(record)
            if takedown is not None:
                index.takedowns.append(takedown)
                self._note_takedown(index, takedown, affected or {})
        return record

    def record_takedown(self, request: TakedownRequest, affected: dict[str, int]) -> None:
        """Record a request that published no version, noting the versions it matched."""
        with self.updating() as index:
            index.takedowns.append(request)
            self._note_takedown(index, request, affected)

    @staticmethod
    def _note_takedown(index: CatalogIndex, request: TakedownRequest, affected: dict) -> None:
        for record in index.versions:
            if affected.get(record.version) and request.id not in record.takedowns:
                record.takedowns.append(request.id)

    def _copy_in(self, release: Path, manifest: dict[str, Any], version: str) -> None:
        files = [ATTRIBUTION]
        files += [CARD] if (release / CARD).is_file() else []  # since schema 2
        files += [e["path"] for e in manifest["shards"] + manifest.get("rejected", [])]
        files.append(MANIFEST)  # last: a version folder with a manifest is complete
        target = self.version_path(version)
        if self.fs.exists(target):  # left by an interrupted publish (not in the index)
            self.fs.rm(target, recursive=True)
        for rel in files:
            dest = f"{target}/{rel}"
            self.fs.makedirs(dest.rsplit("/", 1)[0], exist_ok=True)
            self.fs.put_file(str(release / rel), dest)

    # -- takedowns ---------------------------------------------------------------

    def requests(self) -> list[TakedownRequest]:
        return self.read_index().takedowns

    def takedown_rules(self) -> TakedownRules:
        """Everything any request took down: its criteria and the ids it matched."""
        rules = TakedownRules()
        for request in self.requests():
            rules = rules.merged(request.rules).merged(TakedownRules(ids=tuple(request.matched)))
        return rules

    def new_request_id(self) -> str:
        return f"td-{len(self.requests()) + 1:04d}"


def publish(release_dir: str | Path, catalog: str, version: str | None) -> VersionRecord:
    """``jpcorpus run --catalog C --version V``: publish the run's release as ``V``."""
    return Catalog(catalog).publish(release_dir, check_version_name(version))


def open_catalog(url: str | Path) -> Catalog:
    """An existing catalog (``CatalogError`` when there is none at ``url``)."""
    catalog = Catalog(url)
    if not catalog.exists():
        raise CatalogError(f"{url}: no catalog here (no {INDEX})")
    return catalog


def is_catalog(url: str | Path) -> bool:
    try:
        return Catalog(url).exists()
    except (ValueError, ImportError, OSError):
        return False
