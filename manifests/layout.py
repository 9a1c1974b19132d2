"""Release directory layout (DESIGN §3) and atomic file writes."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from corpus import storage

MANIFEST = "manifest.json"
SHARDS = "shards"
REJECTED = "rejected"
ATTRIBUTION = "ATTRIBUTION.md"
CARD = "README.md"
"""The Hugging Face dataset card (manifests.card)."""
WORK = ".work"
"""Resumption state: task reports, completion markers, intermediate segments."""


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    if storage.is_remote(str(path)):
        return storage.sha256(str(path), chunk)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to a temporary name beside ``path``, fsync, then rename over it.

    On object stores (``path`` an fsspec URL) the object is written in one request and
    appears only complete (:func:`corpus.storage.write_bytes`).
    """
    if storage.is_remote(str(path)):
        storage.write_bytes(str(path), data)
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: str | Path, obj: Any) -> None:
    data = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, default=str)
    atomic_write_bytes(path, (data + "\n").encode("utf-8"))


def temp_path_for(path: str | Path) -> Path:
    """A temporary sibling name for streaming writes that are renamed when complete."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")
