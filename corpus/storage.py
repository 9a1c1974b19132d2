"""One storage helper for every path: local folders and fsspec URLs alike.

Releases, sources and catalogs live on local disks, shared filesystems or object
storage. Every path in jpcorpus is either a local path or an fsspec URL
(``s3://bucket/key``, ``gs://…``, ``file:///…``); this module is the one place that
tells them apart, joins them, and keeps paths read from data (manifests, indexes,
pages) inside their root.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
_DRIVE = re.compile(r"^[a-zA-Z]:")

#: fsspec protocols and the extra that installs their implementation
EXTRAS = {
    "s3": "s3",
    "s3a": "s3",
    "gs": "gcs",
    "gcs": "gcs",
    "az": "azure",
    "abfs": "azure",
    "abfss": "azure",
}


class UnsafePath(ValueError):
    """A path read from data that would leave its root (absolute, ``..``, drive, NUL …)."""


class MissingStorageExtra(RuntimeError):
    """The URL's protocol needs an optional package that is not installed."""


def protocol(path: str) -> str:
    """The fsspec protocol of ``path``; ``"file"`` for a local path.

    >>> protocol("s3://bucket/jp/corpus"), protocol("out/sample"), protocol("file:///tmp/x")
    ('s3', 'file', 'file')
    """
    m = _SCHEME.match(str(path))
    return m.group(1).lower() if m else "file"


def is_remote(path: str) -> bool:
    """True for URLs whose data a worker cannot reach through the local filesystem.

    >>> is_remote("s3://bucket/x"), is_remote("/data/x"), is_remote("file:///data/x")
    (True, False, False)
    """
    return protocol(path) not in ("file", "local")


def safe_relpath(rel: str) -> str:
    """``rel`` normalised as a relative POSIX path that stays inside its root.

    Raises :class:`UnsafePath` for absolute paths, drive letters, URLs, backslashes,
    NUL bytes, empty paths and any ``..`` that climbs above the root.

    >>> safe_relpath("shards/part-00000.parquet")
    'shards/part-00000.parquet'
    >>> safe_relpath("cards/000081/./files/a.zip")
    'cards/000081/files/a.zip'
    >>> safe_relpath("cards/../../secret/notes.zip")
    Traceback (most recent call last):
    ...
    corpus.storage.UnsafePath: path leaves its root: 'cards/../../secret/notes.zip'
    """
    text = str(rel)
    if not text or "\x00" in text:
        raise UnsafePath(f"empty or NUL path: {text!r}")
    if "\\" in text or _DRIVE.match(text) or _SCHEME.match(text) or text.startswith("/"):
        raise UnsafePath(f"path is not relative: {text!r}")
    parts: list[str] = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise UnsafePath(f"path leaves its root: {text!r}")
            parts.pop()
        else:
            parts.append(part)
    if not parts:
        raise UnsafePath(f"path names its root itself: {text!r}")
    return "/".join(parts)


def join(root: str, *rels: str) -> str:
    """``root`` joined with relative parts, for local paths and URLs alike.

    Every part goes through :func:`safe_relpath`, so the result stays under ``root``.

    >>> join("s3://bucket/jp/corpus", "shards", "part-00000.parquet")
    's3://bucket/jp/corpus/shards/part-00000.parquet'
    >>> join("out/sample/", "manifest.json")
    'out/sample/manifest.json'
    """
    root = str(root)
    tail = posixpath.join(*(safe_relpath(r) for r in rels)) if rels else ""
    if not tail:
        return root
    return root.rstrip("/") + "/" + tail if root not in ("", "/") else root + tail


def url_to_fs(path: str) -> tuple[Any, str]:
    """The fsspec filesystem for ``path`` and the path inside it (local paths too).

    Raises :class:`MissingStorageExtra` naming the ``jpcorpus[…]`` extra to install when
    the protocol's implementation is missing.

    >>> fs, inner = url_to_fs("file:///tmp/x.jsonl")
    >>> fs.protocol[0], inner
    ('file', '/tmp/x.jsonl')
    """
    import fsspec.core

    try:
        return fsspec.core.url_to_fs(str(path))
    except ImportError as exc:
        extra = EXTRAS.get(protocol(path))
        hint = f"pip install 'jpcorpus[{extra}]'" if extra else str(exc)
        raise MissingStorageExtra(f"{protocol(path)}:// needs an extra: {hint}") from None
