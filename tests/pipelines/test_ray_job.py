"""``ray job submit --working-dir … -- jpcorpus run pipeline.yaml`` on a Ray cluster.

A head node with its job server and token authentication is started here on loopback
(every port chosen free, every socket on 127.0.0.1, its own temp folder and ``HOME``
so no token of the machine is read or written) and stopped at the end: every process
it started carries a marker in its environment and is killed, orphans included; Ray's
``ray stop`` is never used (it would stop other Ray instances on the machine). A small
slice of the bundled sample (the law files and the article text; langid, quality,
dedup) is submitted as a job and compared with a local run of the same pipeline.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from manifests.release import read_manifest
from tests.conftest import REPO
from tests.pipelines.test_ray_network import _free_port, _is_loopback

pytestmark = pytest.mark.slow

pytest.importorskip(
    "ray.dashboard.optional_deps",
    reason="`ray job submit` needs Ray's job server: pip install -e '.[cluster]' (ray[default])",
)

BIN = Path(sys.executable).parent
RAY = str(BIN / "ray")
JPCORPUS = str(BIN / "jpcorpus")
SAMPLE = REPO / "pipelines" / "sample"
MARKER = "JPCORPUS_TEST_RAY_HEAD"
"""Set in the head's environment (so in every process Ray starts): what teardown kills."""

PIPELINE = """\
name: slice
output: out/slice
sources:
  - type: egov_law
    path: {laws}
    files_per_task: 5
  - type: text_dir
    name: wikipedia-ja
    path: {text}
    license: CC-BY-SA-3.0
    license_evidence: "ja.wikipedia.org article 人工知能, CC BY-SA 3.0 (nlp100 readme)"
    attribution: "Wikipedia contributors, 人工知能, https://ja.wikipedia.org/wiki/人工知能"
stages:
  - langid: {{}}
  - quality: {{}}
  - dedup: {{}}
policy: default
"""


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """None of the caller's Ray settings, a ``HOME`` of its own (so no ``~/.ray`` token of
    the machine is read, and none is written there), this venv's commands first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    return env | {
        "HOME": str(home),
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "RAY_USAGE_STATS_ENABLED": "0",
        # cluster mode off: on Linux Ray then advertises 127.0.0.1 as told, not the LAN address
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        **extra,
    }


class LoopbackHead:
    """``ray start --head --block`` on 127.0.0.1 with the job server and a fresh token."""

    PORT_FLAGS = (
        "port", "dashboard-port", "ray-client-server-port", "dashboard-agent-listen-port",
        "dashboard-agent-grpc-port", "metrics-export-port", "runtime-env-agent-port",
        "node-manager-port", "object-manager-port",
    )  # fmt: skip

    def __init__(self) -> None:
        # Ray's socket paths must stay under 107 bytes: a short folder
        self.root = Path(tempfile.mkdtemp(prefix="jpcjob", dir="/tmp"))
        self.homes = {}
        for who in ("head", "client"):
            self.homes[who] = self.root / f"home-{who}"
            self.homes[who].mkdir()
        self.token = secrets.token_hex(16)
        self.marker = secrets.token_hex(8)
        self.ports = {flag: _free_port() for flag in self.PORT_FLAGS}
        self.proc: subprocess.Popen | None = None
        self.log = self.root / "head.log"

    @property
    def dashboard(self) -> str:
        return f"http://127.0.0.1:{self.ports['dashboard-port']}"

    def env(self, who: str, **extra: str) -> dict[str, str]:
        """The environment of the ``head`` or of a ``client`` submitting to it."""
        return clean_env(self.homes[who], **extra)

    def start(self, timeout: float = 180) -> None:
        args = [
            RAY, "start", "--head", "--block", "--node-ip-address", "127.0.0.1",
            "--dashboard-host", "127.0.0.1", "--num-cpus", "2", "--disable-usage-stats",
            "--temp-dir", str(self.root / "ray"), "--object-store-memory", "300000000",
        ]  # fmt: skip
        for flag, port in self.ports.items():
            args += [f"--{flag}", str(port)]
        env = self.env(
            "head", RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=self.token, **{MARKER: self.marker}
        )
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                args, env=env, cwd=self.root, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ray start exited {self.proc.returncode}:\n{self.logs()}")
            try:
                with urllib.request.urlopen(f"{self.dashboard}/api/version", timeout=5):
                    return
            except urllib.error.HTTPError:  # answering (401 without a token): up
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"the head's job server did not answer in {timeout:.0f}s")

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def processes(self) -> list[psutil.Process]:
        """Every live process this head started (the marker is in its environment)."""
        found = []
        for proc in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if proc.environ().get(MARKER) == self.marker and proc.status() != "zombie":
                    found.append(proc)
        return found

    def listeners(self) -> set[tuple[str, int]]:
        pids = {p.pid for p in self.processes()}
        return {
            (c.laddr.ip, c.laddr.port)
            for c in psutil.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN and c.pid in pids
        }

    def stop(self, grace: float = 3) -> None:
        """SIGTERM the head's process group, then SIGKILL whatever of ours is left
        (workers and the job's driver run in process groups of their own)."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(grace)
        deadline = time.time() + 30
        left = self.processes()
        while left and time.time() < deadline:
            for proc in left:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            psutil.wait_procs(left, timeout=5)
            left = self.processes()
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)
        assert not left, f"Ray processes left running: {[p.pid for p in left]}"


@pytest.fixture(scope="module")
def pipeline_dir(tmp_path_factory) -> Path:
    """A pipeline folder: its file and its inputs, named relative to the file."""
    folder = tmp_path_factory.mktemp("job") / "pipeline"
    shutil.copytree(SAMPLE / "laws", folder / "laws")
    shutil.copytree(SAMPLE / "wikipedia" / "text", folder / "wikipedia" / "text")
    (folder / "pipeline.yaml").write_text(
        PIPELINE.format(laws="laws", text="wikipedia/text"), encoding="utf-8"
    )
    return folder


@pytest.fixture(scope="module")
def local_run(pipeline_dir):
    """The same pipeline run on this machine with the embedded Ray, started first so that
    it goes on while the head starts."""
    home = pipeline_dir.parent / "home-local"
    home.mkdir()
    out = pipeline_dir.parent / "local"
    proc = subprocess.Popen(
        [JPCORPUS, "run", "pipeline.yaml", "--out", str(out), "--quiet"],
        cwd=pipeline_dir, env=clean_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        yield proc, out
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)


@pytest.fixture(scope="module")
def head(local_run):
    h = LoopbackHead()
    try:
        h.start()
        yield h
    finally:
        h.stop()


@pytest.fixture(scope="module")
def local_release(local_run) -> Path:
    proc, out = local_run
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return out


def _submit(head: LoopbackHead, working_dir: Path, out: Path, **auth: str):
    submission = f"jpcorpus-{secrets.token_hex(4)}"
    args = [
        RAY, "job", "submit", "--address", head.dashboard, "--submission-id", submission,
        "--working-dir", ".", "--", "jpcorpus", "run", "pipeline.yaml", "--out", str(out),
        "--quiet",
    ]  # fmt: skip
    proc = subprocess.run(
        args,
        cwd=working_dir,
        env=head.env("client", **auth),
        capture_output=True,
        text=True,
        timeout=900,
    )
    return submission, proc


def _job(head: LoopbackHead, submission: str):
    from ray.job_submission import JobSubmissionClient

    client = JobSubmissionClient(head.dashboard, headers={"Authorization": f"Bearer {head.token}"})
    return client.get_job_info(submission)


def _audit(release: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [JPCORPUS, "audit", str(release)], capture_output=True, text=True, timeout=300
    )


def _table(release: Path, folder: str):
    return pq.read_table(release / folder).sort_by("id")


def test_job_from_the_pipeline_folder_gives_the_local_release(head, pipeline_dir, local_release):
    """The README's command: the pipeline folder, inputs included, as the working dir."""
    out = pipeline_dir.parent / "job-workdir"
    submitted = datetime.now(UTC).replace(microsecond=0)
    submission, proc = _submit(head, pipeline_dir, out, RAY_AUTH_MODE="token",
                               RAY_AUTH_TOKEN=head.token)  # fmt: skip
    assert proc.returncode == 0, f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}\n{head.logs()}"
    assert head.token not in proc.stdout + proc.stderr
    info = _job(head, submission)
    assert info.status == "SUCCEEDED", info.message
    assert _audit(out).returncode == 0, _audit(out).stdout

    job, local = read_manifest(out), read_manifest(local_release)
    assert job["accounting"] == local["accounting"] and job["accounting"]["kept"] > 0
    assert job["licenses"] == local["licenses"]
    # the job's driver joined the cluster: every task ran on the head's node
    assert {n["node_id"] for n in job["nodes"]} == {info.driver_node_id}
    # Ray unpacks the working directory without the files' times, so retrieved_at (a
    # local input's modification time) is the upload's; every other column is equal
    for folder in ("shards", "rejected"):
        a, b = _table(out, folder), _table(local_release, folder)
        differ = [c for c in a.column_names if a[c] != b[c]]
        assert differ in ([], ["retrieved_at"]), folder
    times = set(_table(out, "shards")["retrieved_at"].to_pylist())
    assert min(times) >= submitted

    # nothing of ours listened beyond loopback while the job's workers were up
    exposed = sorted(a for a in head.listeners() if not _is_loopback(a[0]))
    assert not exposed, f"listening beyond loopback: {exposed}"


def test_job_reading_shared_inputs_gives_identical_shards(head, pipeline_dir, local_release):
    """Inputs where every node sees them, only the pipeline file shipped: the same bytes."""
    shipped = pipeline_dir.parent / "shipped"
    shipped.mkdir()
    (shipped / "pipeline.yaml").write_text(
        PIPELINE.format(laws=pipeline_dir / "laws", text=pipeline_dir / "wikipedia" / "text"),
        encoding="utf-8",
    )
    token_file = head.root / "token"
    token_file.write_text(head.token)
    out = pipeline_dir.parent / "job-shared"
    submission, proc = _submit(head, shipped, out, RAY_AUTH_MODE="token",
                               RAY_AUTH_TOKEN_PATH=str(token_file))  # fmt: skip
    assert proc.returncode == 0, f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert _job(head, submission).status == "SUCCEEDED"
    assert _audit(out).returncode == 0

    job, local = read_manifest(out), read_manifest(local_release)
    for key in ("shards", "rejected", "accounting", "licenses"):
        assert job[key] == local[key], key


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        # the token alone is not looked at: `ray job submit` needs RAY_AUTH_MODE=token too
        ({"RAY_AUTH_TOKEN": "present"}, "Missing authentication token"),
        ({"RAY_AUTH_MODE": "token"}, "couldn't find an authentication token"),
        ({"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": "0" * 32}, "Invalid authentication token"),
    ],
    ids=["no-auth-mode", "no-token", "wrong-token"],
)
def test_submit_without_the_token_fails_clearly(head, pipeline_dir, auth, message):
    if auth.get("RAY_AUTH_TOKEN") == "present":
        auth = auth | {"RAY_AUTH_TOKEN": head.token}
    out = pipeline_dir.parent / "job-refused"
    submission, proc = _submit(head, pipeline_dir, out, **auth)
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr[-3000:]
    assert head.token not in proc.stdout + proc.stderr
    assert not out.exists()
    with pytest.raises(RuntimeError, match="does not exist"):
        _job(head, submission)
