"""Release directory layout (DESIGN §3) and atomic file writes."""

from __future__ import annotations

import json
import os
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
    """sha256 of a file at a local path or an fsspec URL."""
    return storage.sha256(str(path), chunk)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` (a local path or an fsspec URL) appears only complete:
    a temporary sibling, fsync and rename locally; one finished upload on object stores
    (:func:`corpus.storage.open_atomic`)."""
    storage.write_bytes(str(path), data)


def atomic_write_json(path: str | Path, obj: Any) -> None:
    data = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, default=str)
    atomic_write_bytes(path, (data + "\n").encode("utf-8"))


def temp_path_for(path: str | Path) -> Path:
    """A temporary sibling name for streaming writes that are renamed when complete."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")
