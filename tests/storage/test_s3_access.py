"""A store refusing access is said as such, never as a missing release.

fsspec's ``isfile``/``exists`` answer ``False`` to any error, so without credentials (or
with keys the store rejects) ``audit s3://…`` used to report "no manifest.json". Each
command that reads a release or a catalog now says the store refused access and where
credentials come from, exit 2 — the line ``run --out s3://…`` gives.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest

from corpus import storage
from pipelines.cli import main

REFUSED = "jpcorpus: error: object storage refused access ("
CHAIN = "credentials come from the standard chain"


@pytest.fixture
def release_url(bucket: str) -> str:
    """A URL holding a manifest, so only the refusal can explain a failure to read it."""
    url = f"{bucket}/jp/release"
    storage.write_bytes(f"{url}/manifest.json", b"{}")
    return url


def _new_clients() -> None:
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def no_credentials(monkeypatch, tmp_path) -> Iterator[None]:
    """No key in the environment, no config or credentials file, no instance metadata."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    _new_clients()
    yield
    _new_clients()


@pytest.fixture
def keys_rejected(s3_endpoint: str) -> Iterator[None]:
    """moto checks signatures from now on; the test keys belong to no user (403)."""

    def auth_after(count: str) -> None:
        request = urllib.request.Request(
            f"{s3_endpoint}/moto-api/reset-auth",
            data=count.encode(),
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        urllib.request.urlopen(request, timeout=10).close()

    auth_after("0")
    _new_clients()
    try:
        yield
    finally:
        auth_after("inf")
        _new_clients()


@pytest.mark.parametrize("argv", [["audit", "{url}"], ["report", "{url}"]])
def test_no_credentials_is_one_line_naming_the_chain(
    release_url: str, no_credentials: None, argv: list[str], capsys
) -> None:
    assert main([a.format(url=release_url) for a in argv]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith(REFUSED + "NoCredentialsError")
    assert CHAIN in out.err and out.err.count("\n") == 1


@pytest.mark.parametrize("argv", [["audit", "{url}"], ["pull", "{url}", "{local}"]])
def test_rejected_keys_are_one_line_naming_the_chain(
    release_url: str, keys_rejected: None, argv: list[str], tmp_path, capsys
) -> None:
    args = [a.format(url=release_url, local=tmp_path / "pulled") for a in argv]
    assert main(args) == 2
    out = capsys.readouterr()
    assert out.err.startswith(REFUSED + "PermissionError")
    assert CHAIN in out.err and out.err.count("\n") == 1
    assert not (tmp_path / "pulled").exists()


def test_a_missing_release_is_still_said_as_missing(bucket: str, capsys) -> None:
    assert main(["audit", f"{bucket}/nothing-here"]) == 1
    assert "no manifest.json" in capsys.readouterr().out
