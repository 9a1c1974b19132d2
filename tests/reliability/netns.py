"""A Ray cluster of separate hosts on one machine, each in its own network namespace.

Ray refuses a second node over loopback, so every node gets a namespace of its
own with one address on a private bridge that exists only inside the namespaces
made here (the bridge lives in a namespace of its own too: nothing is added to
the machine's own network). Every process is started in its own process group
and stopped by that group; whatever is still inside one of these namespaces at
the end was started here and is killed before the namespace is deleted. Ray's
``ray stop`` is never used: it would stop other Ray instances on the machine.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SUBNET = "10.77.9"
"""The nodes' /24; it exists only on the bridge inside this cluster's namespaces."""

HEAD_PORT = 6379
STARTED_MARKER = "Ray runtime started"


class NetnsUnavailable(RuntimeError):
    """Network namespaces cannot be made here (not root, no ``ip``, or not permitted)."""


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)


def _must(proc: subprocess.CompletedProcess, what: str) -> None:
    if proc.returncode != 0:
        raise RuntimeError(f"{what}: {proc.stderr.strip()}")


@dataclass
class NamespaceNetwork:
    """``hosts`` namespaces joined by veth pairs to a bridge in a switch namespace."""

    hosts: int
    prefix: str = field(default_factory=lambda: f"jpc{secrets.token_hex(3)}")
    created: list[str] = field(default_factory=list)

    def host_ns(self, i: int) -> str:
        return f"{self.prefix}-n{i}"

    def host_ip(self, i: int) -> str:
        return f"{SUBNET}.{i + 1}"

    @property
    def switch_ns(self) -> str:
        return f"{self.prefix}-sw"

    def _add_ns(self, name: str) -> None:
        proc = _ip("netns", "add", name)
        if proc.returncode != 0:
            raise NetnsUnavailable(f"`ip netns add` is not permitted here: {proc.stderr.strip()}")
        self.created.append(name)

    def create(self) -> None:
        if shutil.which("ip") is None:
            raise NetnsUnavailable("the `ip` command (iproute2) is not installed")
        if os.geteuid() != 0:
            raise NetnsUnavailable("network namespaces need root")
        sw = self.switch_ns
        self._add_ns(sw)
        _must(_ip("-n", sw, "link", "add", "br0", "type", "bridge"), "bridge")
        _must(_ip("-n", sw, "link", "set", "br0", "up"), "bridge up")
        for i in range(self.hosts):
            ns = self.host_ns(i)
            self._add_ns(ns)
            port = f"p{i}"
            _must(
                _ip("-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0",
                    "netns", ns),
                f"veth for {ns}",
            )  # fmt: skip
            _must(_ip("-n", sw, "link", "set", port, "master", "br0"), f"attach {port}")
            _must(_ip("-n", sw, "link", "set", port, "up"), f"{port} up")
            _must(_ip("-n", ns, "link", "set", "lo", "up"), f"{ns} lo up")
            _must(_ip("-n", ns, "addr", "add", f"{self.host_ip(i)}/24", "dev", "eth0"), "addr")
            _must(_ip("-n", ns, "link", "set", "eth0", "up"), f"{ns} eth0 up")

    def exec_prefix(self, i: int) -> list[str]:
        return ["ip", "netns", "exec", self.host_ns(i)]

    def pids(self, ns: str) -> list[int]:
        proc = _ip("netns", "pids", ns)
        return [int(p) for p in proc.stdout.split()] if proc.returncode == 0 else []

    def destroy(self) -> None:
        """Kill what still runs inside our namespaces (all started here), then delete them."""
        for ns in self.created:
            for pid in self.pids(ns):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 10
        while time.time() < deadline and any(self.pids(ns) for ns in self.created):
            time.sleep(0.2)
        for ns in reversed(self.created):
            _ip("netns", "del", ns)
        self.created.clear()


@dataclass
class RayNode:
    """One ``ray start --block`` in a namespace, in its own process group."""

    proc: subprocess.Popen
    log: Path
    ip: str

    def wait_started(self, timeout: float) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = self.log.read_text(errors="replace") if self.log.exists() else ""
            if STARTED_MARKER in text:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"ray node {self.ip} exited {self.proc.returncode}:\n{text}")
            time.sleep(0.3)
        raise TimeoutError(f"ray node {self.ip} did not start in {timeout:.0f}s")

    def signal(self, sig: int) -> None:
        """Signal the node's whole process group (``ray start`` and what it started)."""
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, deadline: float) -> None:
        try:
            self.proc.wait(timeout=max(0.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            pass


class NetnsRayCluster:
    """A Ray head and ``workers`` worker nodes, each a host of its own; a context manager.

    One auth token for all nodes and drivers; small object stores; one CPU each.
    """

    def __init__(
        self,
        workers: int = 2,
        *,
        cpus_per_node: int = 1,
        extra_env: dict[str, str] | None = None,
        private_on_workers: tuple[Path, ...] = (),
    ) -> None:
        """``private_on_workers``: folders each worker node sees as an empty tmpfs of its
        own (a mount namespace per worker), as on nodes that share no disk."""
        self.network = NamespaceNetwork(hosts=1 + workers)
        self.cpus_per_node = cpus_per_node
        self.extra_env = dict(extra_env or {})
        self.private_on_workers = tuple(private_on_workers)
        self.services: list[subprocess.Popen] = []
        self.token = secrets.token_hex(16)
        self.root = Path(tempfile.mkdtemp(prefix="jpcmn", dir="/tmp"))  # AF_UNIX paths < 107 B
        self.nodes: list[RayNode] = []
        self.ray_bin = str(Path(sys.executable).with_name("ray"))

    @property
    def address(self) -> str:
        return f"{self.network.host_ip(0)}:{HEAD_PORT}"

    @property
    def node_ips(self) -> list[str]:
        return [self.network.host_ip(i) for i in range(self.network.hosts)]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
        return (
            env
            | {
                "RAY_USAGE_STATS_ENABLED": "0",
                "RAY_AUTH_MODE": "token",
                "RAY_AUTH_TOKEN": self.token,
                # the tests' loopback-only setting would make every process advertise 127.0.0.1
                "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "1",
            }
            | self.extra_env
        )

    def _start_node(self, i: int) -> RayNode:
        ip = self.network.host_ip(i)
        temp = self.root / f"n{i}"
        temp.mkdir()
        args = [
            self.ray_bin, "start", "--block", f"--node-ip-address={ip}", f"--temp-dir={temp}",
            f"--num-cpus={self.cpus_per_node}", "--object-store-memory=300000000",
        ]  # fmt: skip
        if i == 0:
            args += ["--head", f"--port={HEAD_PORT}", "--include-dashboard=false"]
        else:
            args += [f"--address={self.address}"]
        if i > 0 and self.private_on_workers:
            mounts = " && ".join(
                f"mkdir -p {shlex.quote(str(d))} && mount -t tmpfs jpcorpus-private "
                f"{shlex.quote(str(d))}"
                for d in self.private_on_workers
            )
            command = " ".join(shlex.quote(a) for a in args)
            args = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                    f"{mounts} && exec {command}"]  # fmt: skip
        log = self.root / f"n{i}.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [*self.network.exec_prefix(i), *args],
                env=self.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        node = RayNode(proc, log, ip)
        self.nodes.append(node)
        return node

    def start(self, timeout: float = 120) -> None:
        self.network.create()
        self._start_node(0).wait_started(timeout)
        workers = [self._start_node(i) for i in range(1, self.network.hosts)]
        for node in workers:
            node.wait_started(timeout)

    def start_on_head(self, args: list[str], log_name: str) -> subprocess.Popen:
        """Start a service (e.g. an S3 server) in the head's namespace; stopped with the
        cluster."""
        log = self.root / log_name
        with log.open("w") as out:
            proc = subprocess.Popen(
                [*self.network.exec_prefix(0), *args], env=self.env(), stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.services.append(proc)
        return proc

    def run_on_head(
        self, args: list[str], *, cwd: Path, timeout: float
    ) -> subprocess.CompletedProcess:
        """Run a command (a driver) inside the head's namespace, in its own process group."""
        proc = subprocess.Popen(
            [*self.network.exec_prefix(0), *args], cwd=cwd, env=self.env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            err += f"\n(killed after {timeout:.0f}s)"
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def logs(self) -> str:
        return "\n".join(
            f"--- {n.ip}\n{n.log.read_text(errors='replace')[-2000:]}"
            for n in self.nodes
            if n.log.exists()
        )

    def stop(self, grace: float = 3) -> None:
        """SIGTERM every node's process group, then SIGKILL what is left after ``grace``."""
        for service in self.services:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(service.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                service.wait(10)
        for node in reversed(self.nodes):  # workers first, then the head
            node.signal(signal.SIGTERM)
        deadline = time.time() + grace
        for node in self.nodes:
            node.wait(deadline)
        for node in self.nodes:
            node.signal(signal.SIGKILL)
            node.wait(time.time() + 10)
        self.network.destroy()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> NetnsRayCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
