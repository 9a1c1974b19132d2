"""A file appears under its name only complete, on local disk and on S3 alike."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from corpus import storage


class Crash(RuntimeError):
    pass


def _write_then_crash(url: str, data: bytes) -> None:
    with pytest.raises(Crash), storage.open_atomic(url) as f:
        f.write(data)
        raise Crash


def test_local_write_is_all_or_nothing(tmp_path: Path) -> None:
    target = str(tmp_path / "shards" / "part-00000.parquet")
    _write_then_crash(target, b"half a shard")
    assert not storage.exists(target)
    assert list((tmp_path / "shards").iterdir()) == []  # no temporary file left either
    data = os.urandom(100_000)
    with storage.open_atomic(target) as f:
        f.write(data)
    assert Path(target).read_bytes() == data
    assert f.sha256.hexdigest() == hashlib.sha256(data).hexdigest() and f.size == len(data)


def test_s3_write_is_all_or_nothing(bucket: str) -> None:
    small, large = f"{bucket}/r/small.bin", f"{bucket}/r/large.bin"
    _write_then_crash(small, b"half a shard")  # would be one PUT
    _write_then_crash(large, os.urandom(12 * 1024**2))  # a multipart upload, aborted
    assert storage.listdir(f"{bucket}/r") == []
    fs, path = storage.filesystem(bucket)
    assert fs.call_s3("list_multipart_uploads", Bucket=path).get("Uploads", []) == []
    data = os.urandom(6 * 1024**2)
    with storage.open_atomic(large) as f:
        f.write(data)
    assert storage.read_bytes(large) == data
    assert storage.sha256(large) == f.sha256.hexdigest() == hashlib.sha256(data).hexdigest()
    assert storage.resolve(f"{bucket}/r/") == f"{bucket}/r"
