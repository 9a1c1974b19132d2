"""Transient storage errors are retried: a proxy between jpcorpus and moto fails every
Nth request (``503 SlowDown`` or a reset connection) and the results are unchanged."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus import storage
from manifests.release import read_manifest
from tests.conftest import run_cli
from tests.storage.faultproxy import FaultProxy


@pytest.fixture
def flaky(s3_endpoint: str, bucket: str) -> Iterator[FaultProxy]:
    """A proxy failing every 5th request; this process's S3 clients go through it."""
    import s3fs

    proxy = FaultProxy(int(s3_endpoint.rsplit(":", 1)[1]), every=5).start()
    os.environ["AWS_ENDPOINT_URL"] = proxy.url
    s3fs.S3FileSystem.clear_instance_cache()
    try:
        yield proxy
    finally:
        os.environ["AWS_ENDPOINT_URL"] = s3_endpoint
        s3fs.S3FileSystem.clear_instance_cache()
        proxy.stop()


def test_reads_and_writes_survive_throttling_and_resets(flaky: FaultProxy, bucket: str) -> None:
    blobs = {f"{bucket}/flaky/{i:03d}.bin": os.urandom(1000 + i) for i in range(20)}
    for url, data in blobs.items():
        storage.write_bytes(url, data)
    assert {url: storage.read_bytes(url) for url in blobs} == blobs
    assert storage.listdir(f"{bucket}/flaky") == sorted(u.rsplit("/", 1)[1] for u in blobs)
    assert flaky.faults["slow_down"] >= 2 and flaky.faults["reset"] >= 2, flaky.faults


@pytest.mark.slow
def test_sample_release_is_identical_through_a_flaky_store(
    sample_release: Path, flaky: FaultProxy, bucket: str
) -> None:
    url = f"{bucket}/jp/flaky"
    proc = run_cli("run", "--out", url, "--quiet", env={"AWS_ENDPOINT_URL": flaky.url})
    assert proc.returncode == 0, proc.stderr
    remote, local = read_manifest(url), read_manifest(sample_release)
    key = lambda e: (e["path"], e["sha256"], e["rows"])  # noqa: E731
    assert [key(e) for e in remote["shards"]] == [key(e) for e in local["shards"]]
    assert remote["accounting"] == local["accounting"]
    assert run_cli("audit", url, env={"AWS_ENDPOINT_URL": flaky.url}).returncode == 0
    assert sum(flaky.faults.values()) >= 20, flaky.faults
