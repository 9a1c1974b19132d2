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

Concurrent writers (two ``run --catalog`` or ``takedown`` at once) never lose an
index update. A local catalog is locked while its index is read, changed and
written. On S3 the index is replaced only if it is still the one that was read —
a conditional write (``If-Match`` on its ETag, ``If-None-Match: *`` for the first
one) — and a writer that lost the race reads the new index and applies its change
again, a few times, before failing with a clear message. Other object stores get
no such protection: serialise their writers.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fsspec.implementations.local import LocalFileSystem
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from corpus import storage
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
    """Also a folder name under ``versions/``: letters, digits and ``._+-`` only."""
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

    @field_validator("version")
    @classmethod
    def _a_folder_name(cls, value: str) -> str:
        if not _VERSION_NAME.match(value):
            raise ValueError(f"version {value!r} is not a plain folder name (index tampered?)")
        return value


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


def _listed(entry: dict[str, Any]) -> str:
    """A file a manifest lists, as a path that stays inside its release."""
    try:
        return storage.safe_relpath(entry.get("path"))
    except (storage.UnsafePath, TypeError) as exc:
        raise CatalogError(f"manifest names a file outside the release: {exc}", 1) from None


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

    #: tries of a conditional index update before giving up
    UPDATE_TRIES = 8

    def __init__(self, url: str | Path) -> None:
        self.url = storage.resolve(url)
        self.fs, self.root = storage.filesystem(self.url)
        self.root = self.root.rstrip("/")

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    def _path(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    def exists(self) -> bool:
        return storage.kind(self.fs, self._path(INDEX)) == "file"

    # -- index -------------------------------------------------------------------

    def read_index(self) -> CatalogIndex:
        if not self.exists():
            return CatalogIndex()
        # one GET (a file object would pin the ETag it first saw and fail if it changed)
        data = json.loads(self.fs.cat_file(self._path(INDEX)))
        try:
            return CatalogIndex.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise CatalogError(
                f"{self.url}: {INDEX} is not a valid catalog index "
                f"({'.'.join(str(p) for p in first['loc'])}: {first['msg']})",
                exit_code=1,
            ) from None

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

    def update(self, change: Callable[[CatalogIndex], Any]) -> Any:
        """Apply ``change`` to the index and write it back without losing another writer's
        update; returns what ``change`` returned. ``change`` may run more than once (it
        sees the newest index each time) and raises to refuse."""
        if self.is_local or not is_s3(self.url):
            with self._locked():
                index = self.read_index()
                result = change(index)
                self._write_index(index)
                return result
        for attempt in range(self.UPDATE_TRIES):
            etag = self._index_etag()
            index = self.read_index() if etag else CatalogIndex()
            result = change(index)
            if self._write_index_if(index, etag):
                return result
            if self._index_etag() and self.read_index() == index:
                return result  # our own write, answered late and retried by the client
            time.sleep(random.uniform(0.05, 0.2) * (2**attempt))
        raise CatalogError(
            f"{self.url}: {INDEX} kept changing under concurrent writers "
            f"({self.UPDATE_TRIES} tries); nothing was recorded, run the command again",
            exit_code=1,
        )

    def _index_etag(self) -> str | None:
        try:
            return self.fs.info(self._path(INDEX), refresh=True)["ETag"]
        except FileNotFoundError:
            return None

    def _write_index_if(self, index: CatalogIndex, etag: str | None) -> bool:
        """Write the index unless it changed since ``etag`` was read; False if it did."""
        from botocore.exceptions import ClientError

        data = json.dumps(index.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
        bucket, key, _ = self.fs.split_path(self._path(INDEX))
        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        try:
            self.fs.call_s3(
                "put_object", Bucket=bucket, Key=key, Body=data.encode("utf-8"), **condition
            )
        except (ClientError, OSError) as exc:
            if _precondition_failed(exc):
                return False
            raise
        finally:
            self.fs.invalidate_cache(self._path(INDEX))
        return True

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
            files += [_listed(e) for e in manifest["shards"] + manifest.get("rejected", [])]
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

        release = storage.resolve(release_dir)
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

        def change(index: CatalogIndex) -> VersionRecord:
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

        return self.update(change)

    def record_takedown(self, request: TakedownRequest, affected: dict[str, int]) -> None:
        """Record a request that published no version, noting the versions it matched."""

        def change(index: CatalogIndex) -> None:
            index.takedowns.append(request)
            self._note_takedown(index, request, affected)

        self.update(change)

    @staticmethod
    def _note_takedown(index: CatalogIndex, request: TakedownRequest, affected: dict) -> None:
        for record in index.versions:
            if affected.get(record.version) and request.id not in record.takedowns:
                record.takedowns.append(request.id)

    def _copy_in(self, release: str, manifest: dict[str, Any], version: str) -> None:
        files = [ATTRIBUTION]
        files += [CARD] if storage.isfile(storage.join(release, CARD)) else []  # since schema 2
        files += [_listed(e) for e in manifest["shards"] + manifest.get("rejected", [])]
        files.append(MANIFEST)  # last: a version folder with a manifest is complete
        target = self.version_path(version)
        if self.fs.exists(target):  # left by an interrupted publish (not in the index)
            self.fs.rm(target, recursive=True)
        for rel in files:
            dest = f"{target}/{rel}"
            self.fs.makedirs(dest.rsplit("/", 1)[0], exist_ok=True)
            source = storage.join(release, rel)
            if storage.is_remote(source):
                with storage.open_read(source) as src, self.fs.open(dest, "wb") as out:
                    while block := src.read(1 << 22):
                        out.write(block)
            else:
                self.fs.put_file(source, dest)

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


def _precondition_failed(exc: BaseException) -> bool:
    """True for S3's answer to a conditional write that lost (412, or 409 for a race)."""
    from botocore.exceptions import ClientError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ClientError):
            code = seen.response.get("Error", {}).get("Code", "")
            status = seen.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("PreconditionFailed", "ConditionalRequestConflict") or status in (409, 412):
                return True
        if isinstance(seen, FileExistsError) or "pre-condition" in str(seen).lower():
            return True  # s3fs's translation of the same answers
        seen = seen.__cause__ or seen.__context__
    return False


def is_s3(url: str) -> bool:
    return storage.protocol(url) in ("s3", "s3a")


def is_catalog(url: str | Path) -> bool:
    try:
        return Catalog(url).exists()
    except storage.StorageSetupError:
        raise  # a missing extra or credentials in the URL: say so, not "not a catalog"
    except (ValueError, ImportError, OSError) as exc:
        if isinstance(exc, PermissionError) and storage.is_remote(str(url)):
            raise  # a store refusing access: say so (storage.access_error), not "not a catalog"
        return False
