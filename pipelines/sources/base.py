"""What every source connector provides.

A source plans its work as a list of small JSON-able tasks (usually one input file
each) on the driver, and reads one task into documents on a worker. A source never
knows which stages follow.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from corpus.document import Document
from corpus.storage import filesystem, protocol

#: source ``type`` in the pipeline file -> source class
SOURCES: dict[str, type[Source]] = {}


def register_source(cls: type[Source]) -> type[Source]:
    """Class decorator: make a source available under its ``source_type``."""
    SOURCES[cls.source_type] = cls
    return cls


class SourceParams(BaseModel):
    """Keys of one ``sources:`` entry; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str


class Source(ABC):
    """A connector. ``base_dir`` resolves relative paths (the pipeline file's folder)."""

    source_type: ClassVar[str]
    Params: ClassVar[type[SourceParams]] = SourceParams

    def __init__(self, params: SourceParams, base_dir: Path) -> None:
        self.params = params
        self.base_dir = base_dir

    def resolve(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    def locate(self, path: str) -> str:
        """``path`` as given when it is a URL (``s3://…``, ``file://…``), else an absolute
        local path (a relative one resolved against ``base_dir``)."""
        if protocol(path) == "file" and not str(path).startswith("file://"):
            return str(self.resolve(path))
        return str(path)

    def check(self) -> None:
        """Raise :class:`pipelines.errors.ConfigError` naming the key if inputs are missing."""
        return None

    @abstractmethod
    def plan(self) -> list[dict[str, Any]]:
        """Tasks in a deterministic order; each is read by one worker."""

    @abstractmethod
    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        """Documents of one task, provenance attached."""

    def describe(self) -> dict[str, Any]:
        """What the manifest records about this source."""
        return self.params.model_dump(mode="json")


def file_time(path: Path | str) -> datetime:
    """When a file was obtained (its modification time, UTC); ``path`` may be a URL.

    Used as ``retrieved_at`` for local inputs so reruns give identical rows.
    """
    if isinstance(path, str) and "://" in path:
        fs, inner = filesystem(path)
        return url_time(fs, inner)
    return datetime.fromtimestamp(Path(path).stat().st_mtime, tz=UTC).replace(microsecond=0)


def url_time(fs: Any, path: str) -> datetime:
    """When a file on any fsspec filesystem was obtained (its modification time, UTC).

    Local files give the same value as :func:`file_time`; object stores their
    ``LastModified``.
    """
    if fs.protocol[0] in ("file", "local"):
        return file_time(Path(path))
    modified = fs.modified(path)
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    return modified.astimezone(UTC).replace(microsecond=0)
