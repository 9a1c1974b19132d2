"""The embedded Ray stays on loopback; a Ray cluster joined by address gives the same release."""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq

from tests.conftest import JPCORPUS, REPO, run_cli


def _descendants(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _listening(pids: set[int]) -> set[tuple[str, int]]:
    found = set()
    for conn in psutil.net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN and conn.pid in pids:
            found.add((conn.laddr.ip, conn.laddr.port))
    return found


def _is_loopback(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return addr.is_loopback


def test_default_local_run_listens_only_on_loopback(tmp_path):
    proc = subprocess.Popen(
        [*JPCORPUS, "run", "--out", str(tmp_path / "r"), "--quiet"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen: set[tuple[str, int]] = set()
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        seen |= _listening({p.pid for p in _descendants(root)})
        time.sleep(0.2)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert seen, "no Ray socket observed: the check would pass vacuously"
    exposed = sorted(addr for addr in seen if not _is_loopback(addr[0]))
    assert not exposed, f"Ray listened on non-loopback addresses: {exposed}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rows(release: Path) -> dict[str, str]:
    table = pq.read_table(release / "shards", columns=["id", "text"])
    return dict(zip(table["id"].to_pylist(), table["text"].to_pylist(), strict=True))


def test_cluster_by_address_gives_same_content_as_local(sample_release, tmp_path):
    port = _free_port()
    # Ray's socket paths must stay under 107 bytes: use a short temp dir
    ray_tmp = tempfile.mkdtemp(prefix="rayc-", dir="/tmp")
    ray_bin = Path(sys.executable).with_name("ray")
    env = {
        **os.environ,
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_USAGE_STATS_ENABLED": "0",
    }
    head = subprocess.Popen(
        [str(ray_bin), "start", "--head", "--block", f"--port={port}",
         "--node-ip-address=127.0.0.1", f"--temp-dir={ray_tmp}",
         "--num-cpus=2", "--include-dashboard=false", "--object-store-memory=500000000"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        address = f"127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert head.poll() is None, head.stdout.read()
            time.sleep(0.5)
        out = tmp_path / "cluster-release"
        proc = run_cli("run", "--out", str(out), "--quiet", "--ray-address", address)
        assert proc.returncode == 0, proc.stderr
        assert _rows(out) == _rows(sample_release)
        assert run_cli("audit", str(out)).returncode == 0
    finally:
        _stop_group(head)
        shutil.rmtree(ray_tmp, ignore_errors=True)


def _stop_group(proc: subprocess.Popen) -> None:
    """Stop the head and every Ray process it started (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
