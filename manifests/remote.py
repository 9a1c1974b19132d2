"""A release on object storage, made readable by the commands that read local files.

``report`` and ``trace`` read a release's files with local tools; for a release at
an fsspec URL they work on a temporary copy of exactly the files its manifest
lists (each path checked to stay inside the release), removed afterwards.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from corpus import storage
from manifests.layout import ATTRIBUTION, CARD, MANIFEST, REJECTED, SHARDS


class UnsafeRelease(ValueError):
    """A manifest names a file outside its release."""


def listed_files(manifest: dict) -> list[str]:
    """The shard and rejected files a manifest lists, each relative and inside its folder."""
    files = []
    for folder, entries in (
        (SHARDS, manifest.get("shards", [])),
        (REJECTED, manifest.get("rejected", [])),
    ):
        for entry in entries:
            try:
                rel = storage.safe_relpath(entry.get("path"))
            except (storage.UnsafePath, TypeError) as exc:
                raise UnsafeRelease(f"manifest names a file outside the release: {exc}") from None
            if not rel.startswith(folder + "/"):
                raise UnsafeRelease(f"manifest names {rel!r} outside {folder}/")
            files.append(rel)
    return files


@contextlib.contextmanager
def local_release(release: str | Path) -> Iterator[Path]:
    """A local folder holding the release at ``release`` (a path, or a URL copied down)."""
    url = storage.resolve(release)
    if not storage.is_remote(url):
        yield Path(url)
        return
    manifest_url = storage.join(url, MANIFEST)
    if not storage.isfile(manifest_url):
        raise FileNotFoundError(f"{url}: not a release (no {MANIFEST})")
    with tempfile.TemporaryDirectory(prefix="jpcorpus-release-") as tmp:
        root = Path(tmp)
        data = storage.read_bytes(manifest_url)
        (root / MANIFEST).write_bytes(data)
        files = listed_files(json.loads(data))
        files += [f for f in (ATTRIBUTION, CARD) if storage.isfile(storage.join(url, f))]
        for rel in files:
            storage.get_file(storage.join(url, rel), root / rel)
        yield root
