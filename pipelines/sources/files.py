"""Finding input files and reading them within bounds — shared by file-based sources.

Bad input is never allowed to exhaust memory: compressed files are read through a guard
that stops a decompression bomb, lines and files are read up to
:data:`~pipelines.sources.limits.MAX_DOC_BYTES`, and what goes wrong is raised as an
:class:`InputRejected` that names the reject reason (recorded at stage ``read``).
"""

from __future__ import annotations

import bz2
import errno
import glob
import gzip
import io
import posixpath
import zlib
from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, ClassVar, NamedTuple

from corpus.document import Document
from corpus.storage import filesystem, kind
from pipelines.errors import ConfigError
from pipelines.sources.base import Source
from pipelines.sources.limits import EXPANSION_FLOOR, MAX_DOC_BYTES, MAX_EXPANSION_RATIO

_PIECE = 1 << 20
"""Lines are read in pieces of this size, so an over-long line is never held whole."""


class InputRejected(Exception):
    """Bad input met while reading; whoever catches it records ``reason`` at stage ``read``.

    Not a ``ValueError``/``OSError``, so that code catching those for other purposes
    lets it through to the reader that records it.
    """

    reason: ClassVar[str] = "bad_input"


class DocumentTooLarge(InputRejected):
    reason = "document_too_large"


class DecompressionBomb(InputRejected):
    reason = "decompression_bomb"


class TruncatedCompressedFile(InputRejected):
    reason = "truncated_compressed_file"


class CorruptCompressedFile(InputRejected):
    reason = "corrupt_compressed_file"


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


def expand_urls(url: str, key: str, suffixes: tuple[str, ...]) -> list[str]:
    """Like :func:`expand_paths` for a local path or an fsspec URL (``s3://…``, ``file://…``).

    Local paths come back as plain absolute paths, remote files as URLs with their
    protocol, sorted.
    """
    fs, inner = filesystem(url)
    # kind(): a store refusing access is an error here, not "file not found"
    if any(ch in inner for ch in "*?["):
        files = [p for p in fs.glob(inner) if kind(fs, p) == "file"]
    elif (what := kind(fs, inner)) == "directory":
        files = [p for p in fs.find(inner) if p.lower().endswith(suffixes)]
    elif what == "file":
        files = [inner]
    else:
        raise ConfigError(key, f"file not found: {url}")
    if not files:
        raise ConfigError(key, f"no input files ({', '.join(suffixes)}) under {url}")
    local = fs.protocol[0] in ("file", "local")
    return sorted(p if local else fs.unstrip_protocol(p) for p in files)


def relative_name(root: str, path: str) -> str:
    """``path`` under ``root`` (both as :func:`expand_urls` gives them); its name when
    ``root`` names the file itself or a glob.

    >>> relative_name("memory://b/ja", "memory:///b/ja/wiki/a.jsonl")
    'wiki/a.jsonl'
    >>> relative_name("/d/x.jsonl", "/d/x.jsonl"), relative_name("/d/*.jsonl", "/d/x.jsonl")
    ('x.jsonl', 'x.jsonl')
    """
    root_norm, path_norm = (posixpath.normpath(filesystem(p)[1]) for p in (root, path))
    base = root_norm.rstrip("/") + "/"
    if path_norm.startswith(base) and not any(ch in root for ch in "*?["):
        return path_norm[len(base) :]
    return path_norm.rsplit("/", 1)[-1]


COMPRESSED = (".gz", ".bz2", ".zst")
"""Suffixes of the compressed files :func:`open_url` decompresses."""


def open_url(url: str, frame: tuple[int, int] = (0, 0)) -> IO[bytes]:
    """Open a local path or fsspec URL for reading bytes; ``.gz``/``.bz2``/``.zst`` are
    decompressed behind the same guard as :func:`open_binary`.

    A ``.zst`` file is read from ``frame``, ``(compressed offset, decompressed offset)``
    of a frame's start (see :mod:`pipelines.sources.zstd`); its frames are noted as it
    is read (:func:`zstd_frames`).
    """
    fs, inner = filesystem(url)
    raw = fs.open(inner, "rb")
    name = inner.rsplit("/", 1)[-1]
    lower = name.lower()
    if not lower.endswith(COMPRESSED):
        return raw
    if lower.endswith(".zst"):
        from pipelines.sources.zstd import ZstdStream

        raw.seek(frame[0])
        compressed = _CountingReader(raw, count=frame[0])
        stream = ZstdStream(compressed, offset=frame[0], produced=frame[1])
        guard = ExpansionGuard(stream, compressed, name, produced=frame[1])
        return io.BufferedReader(guard, buffer_size=_PIECE)
    compressed = _CountingReader(raw)
    inner_stream: IO[bytes] = (
        gzip.GzipFile(fileobj=compressed, mode="rb")
        if lower.endswith(".gz")
        else bz2.BZ2File(compressed, "rb")
    )
    return io.BufferedReader(ExpansionGuard(inner_stream, compressed, name), buffer_size=_PIECE)


def zstd_frames(stream: IO[bytes]) -> list[tuple[int, int]]:
    """Where the frames read so far begin, for a stream :func:`open_url` gave for a
    ``.zst`` file (empty for any other)."""
    guard = getattr(stream, "raw", None)
    return list(getattr(getattr(guard, "decompressed", None), "frames", []))


class _CountingReader(io.RawIOBase):
    """A raw file that counts the bytes read from it (the compressed side of a guard)."""

    def __init__(self, raw: IO[bytes], count: int = 0) -> None:
        self._raw = raw
        self.count = count

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer) or 0
        self.count += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class ExpansionGuard(io.RawIOBase):
    """The decompressed side of a compressed file, checked as it is read.

    Raises :class:`DecompressionBomb` once the output passes :data:`EXPANSION_FLOOR` and
    is more than :data:`MAX_EXPANSION_RATIO` times the compressed bytes read so far,
    :class:`TruncatedCompressedFile` when the compressed stream ends early and
    :class:`CorruptCompressedFile` when it is not valid gzip/bzip2/zstd. ``produced`` is
    the decompressed bytes before the first one read (a file read from one of its frames).
    """

    def __init__(
        self, decompressed: IO[bytes], compressed: _CountingReader, name: str, produced: int = 0
    ) -> None:
        self._inner = decompressed
        self._compressed = compressed
        self.name = name
        self.produced = produced

    @property
    def decompressed(self) -> IO[bytes]:
        return self._inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:  # read1: what one step gives, so data before a truncation is not lost with it
            data = self._inner.read1(len(buffer))
        except EOFError as exc:
            raise TruncatedCompressedFile(
                f"{self.name}: {exc} (after {self.produced} bytes)"
            ) from exc
        except (OSError, zlib.error) as exc:  # BadGzipFile, bzip2 "Invalid data stream", CRC, zstd
            raise CorruptCompressedFile(
                f"{self.name}: {exc} (after {self.produced} bytes)"
            ) from exc
        n = len(data)
        buffer[:n] = data
        self.produced += n
        compressed = max(self._compressed.count, 1)
        if self.produced > EXPANSION_FLOOR and self.produced > MAX_EXPANSION_RATIO * compressed:
            raise DecompressionBomb(
                f"{self.name}: {self.produced} bytes out of {compressed} compressed bytes "
                f"(more than {MAX_EXPANSION_RATIO}x); decompression stopped"
            )
        return n

    def close(self) -> None:
        self._inner.close()
        self._compressed.close()
        super().close()


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading bytes; ``.gz`` and ``.bz2`` are decompressed behind a guard."""
    name = path.name.lower()
    if not name.endswith((".gz", ".bz2")):
        return open(path, "rb")
    compressed = _CountingReader(open(path, "rb"))
    inner: IO[bytes] = (
        gzip.GzipFile(fileobj=compressed, mode="rb")
        if name.endswith(".gz")
        else bz2.BZ2File(compressed, "rb")
    )
    return io.BufferedReader(ExpansionGuard(inner, compressed, path.name), buffer_size=_PIECE)


def read_bounded(stream: IO[bytes], what: str, max_bytes: int = MAX_DOC_BYTES) -> bytes:
    """All of ``stream``, or :class:`DocumentTooLarge` once it passes ``max_bytes``."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DocumentTooLarge(f"{what}: more than {max_bytes} bytes")
    return data


def read_file_bounded(path: Path | str, max_bytes: int = MAX_DOC_BYTES) -> bytes:
    """A file's bytes (decompressed if ``.gz``/``.bz2``/``.zst``), refusing more than
    ``max_bytes``.

    ``path`` may be an fsspec URL. A plain file is measured before it is read, so an
    over-large one costs nothing.
    """
    fs, inner = filesystem(str(path))
    name = inner.rsplit("/", 1)[-1]
    if not name.lower().endswith(COMPRESSED):
        size = fs.size(inner)
        if size > max_bytes:
            raise DocumentTooLarge(f"{name}: {size} bytes > {max_bytes}")
    with open_url(str(path)) as f:
        return read_bounded(f, name, max_bytes)


class Line(NamedTuple):
    """One line of a file: its number (from 1), its bytes, and its size in bytes.

    ``data`` is ``None`` when the line is longer than the limit (it was skipped unread).
    """

    number: int
    data: bytes | None
    size: int


def bounded_lines(stream: IO[bytes], max_bytes: int = MAX_DOC_BYTES) -> Iterator[Line]:
    """The lines of a binary stream, holding at most ``max_bytes`` of any one line.

    >>> [tuple(x) for x in bounded_lines(io.BytesIO(b"a\\nbbbbbb\\ncc"), max_bytes=4)]
    [(1, b'a\\n', 2), (2, None, 7), (3, b'cc', 2)]
    """
    number = 0
    while piece := stream.readline(_PIECE):
        number += 1
        if piece.endswith(b"\n"):  # the common case: a line shorter than one piece
            if len(piece) <= max_bytes:
                yield Line(number, piece, len(piece))
                continue
        pieces, size = [piece], len(piece)
        while size <= max_bytes and not pieces[-1].endswith(b"\n"):
            piece = stream.readline(_PIECE)
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
        if size <= max_bytes:
            yield Line(number, b"".join(pieces), size)
            continue
        ended = pieces[-1].endswith(b"\n")
        pieces.clear()  # over the limit: count the rest of the line without keeping it
        while not ended and (piece := stream.readline(_PIECE)):
            size += len(piece)
            ended = piece.endswith(b"\n")
        yield Line(number, None, size)


class FileSetSource(Source):
    """A source that reads a set of files one by one, ``files_per_task`` files a task.

    Subclasses name their ``suffixes`` and turn one file into a document in
    :meth:`read_file` (``path`` a local path or URL, ``rel`` its path under
    ``params.path``).
    """

    suffixes: ClassVar[tuple[str, ...]]

    def _root(self) -> str:
        return self.locate(self.params.path)

    def _files(self) -> list[str]:
        return expand_urls(self._root(), "path", self.suffixes)

    def check(self) -> None:
        self._files()

    def plan(self) -> list[dict[str, Any]]:
        files = self._files()
        n = max(1, self.params.files_per_task)
        return [{"files": files[i : i + n]} for i in range(0, len(files), n)]

    def read(self, task: dict[str, Any]) -> Iterator[Document]:
        root = self._root()
        for path in task["files"]:
            fs, inner = filesystem(path)
            if not fs.exists(inner):  # named by the plan, not here: the task fails (never 0 kept)
                raise FileNotFoundError(errno.ENOENT, "planned input file is missing", path)
            yield self.read_file(path, relative_name(root, path))

    @abstractmethod
    def read_file(self, path: str, rel: str) -> Document:
        """The document of one file (a rejected one when it cannot be read)."""
