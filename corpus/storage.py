"""One storage helper for every path: local folders and fsspec URLs alike.

Releases, sources and catalogs live on local disks, shared filesystems or object
storage. Every path in jpcorpus is either a local path or an fsspec URL
(``s3://bucket/key``, ``gs://…``, ``file:///…``); this module is the one place that
tells them apart, joins them, and keeps paths read from data (manifests, indexes,
pages) inside their root.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from fsspec.implementations.local import LocalFileSystem

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


class StorageSetupError(ValueError):
    """A path that cannot be used as given (missing extra, credentials in a URL)."""


class MissingStorageExtra(StorageSetupError):
    """The URL's protocol needs an optional package that is not installed."""


class CredentialsInURL(StorageSetupError):
    """A URL carries a user name, password or key; credentials come from the standard chains."""


#: botocore retry settings for S3 (``standard`` mode retries throttling such as
#: ``SlowDown``/503, 5xx answers, connection resets and timeouts with backoff and jitter)
S3_RETRIES = {"max_attempts": 10, "mode": "standard"}
S3_TIMEOUTS = {"connect_timeout": 10, "read_timeout": 60}


def access_error(exc: BaseException) -> str | None:
    """A one-line reason when ``exc`` is an object store refusing access (no or wrong
    credentials, access denied), else ``None``. Never includes a credential.

    >>> access_error(PermissionError("Access Denied")) is None
    False
    >>> access_error(ValueError("x")) is None
    True
    """
    module = type(exc).__module__ or ""
    name = type(exc).__name__
    if isinstance(exc, PermissionError) or (
        module.startswith(("botocore", "google.auth", "azure.core"))
        and ("Credential" in name or "Auth" in name or "Token" in name)
    ):
        return (
            f"object storage refused access ({name}: {exc}); credentials come from the "
            "standard chain (AWS_* variables, ~/.aws/config and credentials, AWS_PROFILE; "
            "AWS_ENDPOINT_URL for S3-compatible stores)"
        )
    return None


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


def parent(url: str) -> str:
    """The folder holding ``url``, for local paths and URLs alike.

    >>> parent("s3://bucket/aozora/list_person_all_extended_utf8.csv")
    's3://bucket/aozora'
    >>> parent("/data/aozora/index.csv")
    '/data/aozora'
    """
    text = str(url).rstrip("/")
    m = _SCHEME.match(text)
    head, tail = (text[: m.end()], text[m.end() :]) if m else ("", text)
    return head + posixpath.dirname(tail)


# -- filesystems -------------------------------------------------------------------


def _check_no_credentials(url: str) -> None:
    """Refuse ``s3://KEY:SECRET@bucket/…``: such a URL would end up in manifests and logs."""
    m = _SCHEME.match(url)
    if m:
        netloc = url[m.end() :].split("/", 1)[0]
        if "@" in netloc:
            raise CredentialsInURL(
                f"{protocol(url)}://…: the URL carries credentials; use the standard chain "
                "instead (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                "AWS_ENDPOINT_URL for S3-compatible stores)"
            )


def options(url: str) -> dict[str, Any]:
    """Client settings per protocol: retries with backoff for object stores.

    No credentials: s3fs, gcsfs and adlfs find them in their standard chains (for S3:
    environment, ``~/.aws/config`` profiles, instance roles; ``AWS_ENDPOINT_URL`` for
    S3-compatible stores such as MinIO or Ceph). Safe to ship to workers and to log.
    """
    if protocol(url) in ("s3", "s3a"):
        return {"config_kwargs": {"retries": dict(S3_RETRIES), **S3_TIMEOUTS}}
    return {}


def filesystem(url: str | Path) -> tuple[Any, str]:
    """The fsspec filesystem holding ``url`` and the path inside it.

    A missing implementation is one line naming the extra to install::

        MissingStorageExtra: s3:// paths need s3fs: pip install 'jpcorpus[s3]'
    """
    import fsspec

    text = str(url)
    _check_no_credentials(text)
    proto = protocol(text)
    try:
        return fsspec.core.url_to_fs(text, **options(text))
    except ImportError as exc:
        extra = EXTRAS.get(proto)
        if extra is None:
            raise MissingStorageExtra(
                f"{text}: protocol {proto!r} is not available ({exc})"
            ) from None
        package = {"s3": "s3fs", "gcs": "gcsfs", "azure": "adlfs"}[extra]
        raise MissingStorageExtra(
            f"{proto}:// paths need {package}: pip install 'jpcorpus[{extra}]'"
        ) from None


def resolve(path: str | Path, base: str | Path | None = None) -> str:
    """``path`` made absolute: URLs as they are, local paths against ``base`` (or the cwd).

    Done on the driver before anything is shipped, so a worker in another folder
    or on another machine reads and writes the same place.

    >>> resolve("s3://bucket/jp/corpus")
    's3://bucket/jp/corpus'
    >>> resolve("out/sample", "/home/me")
    '/home/me/out/sample'
    >>> resolve("file:///data/x")
    '/data/x'
    """
    text = str(path)
    _check_no_credentials(text)
    if is_remote(text):
        stripped = text.rstrip("/")
        return text if stripped.endswith(":") else stripped
    if text.startswith("file://"):
        text = text[len("file://") :]
    local = Path(text).expanduser()
    if not local.is_absolute():
        local = Path(base or os.getcwd()).expanduser() / local
    return os.path.normpath(str(local))


def kind(fs: Any, path: str) -> str | None:
    """``"file"`` or ``"directory"`` for what is at ``path`` on ``fs``, ``None`` when
    nothing is there.

    fsspec's ``exists``/``isdir``/``isfile`` answer ``False`` to any error, so a store
    refusing access (no credentials, access denied) or failing (a timeout, a 503) would
    read as a missing file; here only "not found" is nothing there, and on an object
    store any other error is raised (:func:`access_error` words the access ones). On a
    local disk an unreadable path counts as nothing there, as ``os.path.exists`` says.
    """
    try:
        return fs.info(path).get("type")
    except FileNotFoundError:
        return None
    except Exception:
        if isinstance(fs, LocalFileSystem):
            return None
        raise


def exists(url: str) -> bool:
    fs, path = filesystem(url)
    return kind(fs, path) is not None


def isfile(url: str) -> bool:
    fs, path = filesystem(url)
    return kind(fs, path) == "file"


def isdir(url: str) -> bool:
    fs, path = filesystem(url)
    return kind(fs, path) == "directory"


def size(url: str) -> int:
    """Size of the file ``url`` in bytes."""
    fs, path = filesystem(url)
    return int(fs.size(path))


def read_bytes(url: str) -> bytes:
    fs, path = filesystem(url)
    return fs.cat_file(path)


def read_text(url: str) -> str:
    return read_bytes(url).decode("utf-8")


def open_read(url: str) -> IO[bytes]:
    """A binary file object for reading ``url`` (close it, or use ``with``)."""
    fs, path = filesystem(url)
    return fs.open(path, "rb")


def makedirs(url: str) -> None:
    """Create the folder ``url`` (a no-op on object stores, which have no folders)."""
    fs, path = filesystem(url)
    fs.makedirs(path, exist_ok=True)


def listdir(url: str) -> list[str]:
    """Names (not paths) of the entries directly under ``url``; empty when it does not exist."""
    fs, path = filesystem(url)
    try:
        entries = fs.ls(path, detail=False)
    except FileNotFoundError:
        return []
    return sorted(posixpath.basename(e.rstrip("/")) for e in entries)


def files_under(url: str) -> list[str]:
    """Paths (relative, POSIX) of every file under ``url``, sorted."""
    fs, path = filesystem(url)
    root = path.rstrip("/")
    if kind(fs, root) is None:
        return []
    return sorted(posixpath.relpath(p, root) for p in fs.find(root))


def remove(url: str, recursive: bool = False) -> None:
    """Delete ``url`` if it exists."""
    fs, path = filesystem(url)
    with contextlib.suppress(FileNotFoundError):
        if kind(fs, path) is not None:
            fs.rm(path, recursive=recursive)


def is_symlink(url: str) -> bool:
    """True when ``url`` is a local symbolic link (object stores have none)."""
    return not is_remote(url) and os.path.islink(resolve(url))


def stays_inside(url: str, root: str) -> bool:
    """True when ``url`` lies under ``root`` once local symbolic links are followed.

    A local path that leads out of ``root`` through a symlink (of the file or of any
    folder on the way) is outside; object stores have no links, so there the names
    alone decide (a name made by :func:`join` is inside by construction).
    """
    if is_remote(url) or is_remote(root):
        inner, base = (posixpath.normpath(filesystem(u)[1]) for u in (url, root))
        return protocol(url) == protocol(root) and inner.startswith(base.rstrip("/") + "/")
    return Path(os.path.realpath(resolve(url))).is_relative_to(os.path.realpath(resolve(root)))


class _HashingWriter:
    """A write-only file object that counts and hashes what passes through it."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.inner.write(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.inner.flush()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def close(self) -> None:  # the owner closes the inner file when the write succeeded
        self.closed = True


@contextlib.contextmanager
def open_atomic(url: str) -> Iterator[_HashingWriter]:
    """Write ``url`` so that it appears only complete, and learn its sha256 and size.

    Locally: a hidden temporary sibling (``.<name>.<pid>.tmp``), fsync, rename.
    On object stores an object becomes visible only when its upload completes (one
    PUT, or a multipart upload's final request), and an upload that fails is
    aborted, so nobody reads a half-written file. The yielded object has
    ``sha256`` and ``size`` once the block ends.
    """
    fs, path = filesystem(url)
    if not is_remote(url):
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                writer = _HashingWriter(f)
                yield writer
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return
    f = fs.open(path, "wb")
    writer = _HashingWriter(f)
    try:
        yield writer
    except BaseException:
        with contextlib.suppress(Exception):
            f.discard()  # aborts a multipart upload: nothing appears under the name
        f.closed = True  # never committed on garbage collection either
        raise
    f.close()


def write_bytes(url: str, data: bytes) -> None:
    """Write ``data`` to ``url`` atomically (see :func:`open_atomic`)."""
    with open_atomic(url) as f:
        f.write(data)


def sha256(url: str, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open_read(url) as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def put_file(local: str | Path, url: str) -> None:
    """Upload (or copy) a local file to ``url``; it appears complete."""
    if not is_remote(url):
        with open(local, "rb") as src, open_atomic(url) as dst:
            while block := src.read(1 << 20):
                dst.write(block)
        return
    fs, path = filesystem(url)
    fs.put_file(str(local), path)


def get_file(url: str, local: str | Path) -> None:
    """Download (or copy) ``url`` to the local path ``local``."""
    Path(local).parent.mkdir(parents=True, exist_ok=True)
    fs, path = filesystem(url)
    fs.get_file(path, str(local))
