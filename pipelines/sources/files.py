"""Finding input files and opening them (plain or gzip) — shared by file-based sources."""

from __future__ import annotations

import glob
import gzip
from pathlib import Path
from typing import IO

from pipelines.errors import ConfigError


def expand_paths(path: Path, key: str, suffixes: tuple[str, ...]) -> list[Path]:
    """Files named by ``path``: a file, a folder (searched recursively) or a glob.

    Raises :class:`ConfigError` naming ``key`` when nothing matches.
    """
    text = str(path)
    if any(ch in text for ch in "*?["):
        files = [Path(p) for p in glob.glob(text, recursive=True)]
    elif path.is_dir():
        files = [p for p in path.rglob("*") if p.name.lower().endswith(suffixes)]
    elif path.is_file():
        files = [path]
    else:
        raise ConfigError(key, f"file not found: {path}")
    files = sorted(p for p in files if p.is_file())
    if not files:
        raise ConfigError(key, f"no input files ({', '.join(suffixes)}) under {path}")
    return files


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading bytes, transparently gunzipping ``.gz``."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")
