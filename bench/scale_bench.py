"""Scale benchmark: the full pipeline on 1×, 2× and 4× input; wall time, documents/s, peak RSS.

The pipeline has the bundled sample's stages and the rest of the full list (``langid``,
``quality``, ``dedup``, ``pii``) over JSONL input made by ``bench/scale_data.py`` from
the real texts (replicated and perturbed; 4 % near copies for dedup to find). Each
scale is one ``jpcorpus run`` in a fresh process with the embedded local Ray, as a user
runs it. While it runs, every process of its tree (the driver, Ray's own processes, the
Ray workers and the task processes they fork) is sampled with psutil: peak RSS is each
process's ``VmHWM`` (the kernel's high-water mark, so short peaks between samples are
not missed), CPU time its user+system time. The machine's load average is sampled too.

    .venv/bin/python bench/scale_bench.py                       # 8 MB at 1× (a few minutes)
    .venv/bin/python bench/scale_bench.py --size 256MB          # 256 MB, 512 MB, 1 GB
    .venv/bin/python bench/scale_bench.py --size 64MB --scales 1 2 --stages langid quality

Input files are kept in ``--data`` for reruns; releases go to a temporary folder and are
removed unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from scale_data import GENRE_CYCLE, ensure_files  # noqa: E402

FULL_STAGES = ("langid", "quality", "dedup", "pii")
SYSTEM_PROCESSES = ("gcs_server", "raylet", "log_monitor", "dashboard", "runtime_env", "monitor")


def parse_size(text: str) -> int:
    """``256MB`` → 268435456 (KB, MB, GB are powers of 1024; a bare number is bytes)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?)B?", text.strip().upper())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 8MB, 1GB)")
    return int(float(m.group(1)) * 1024 ** " KMG".index(m.group(2) or " "))


@dataclass
class ProcessPeak:
    role: str
    name: str
    hwm_bytes: int = 0
    cpu_seconds: float = 0.0
    anon_bytes: int = 0
    """Largest sampled ``RssAnon``: the process's private memory, without the file pages
    it maps (libraries, the mmapped Sudachi dictionary) that all workers share."""


def _status(pid: int, field: str) -> int:
    """A size field of a live process's ``/proc/PID/status`` (``VmHWM``, ``RssAnon``) in
    bytes; 0 if gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _role(proc: psutil.Process, root: int) -> str:
    if proc.pid == root:
        return "driver"
    name = proc.name()
    cmd = " ".join(proc.cmdline()[:3])
    if any(s in name or s in cmd for s in SYSTEM_PROCESSES):
        return "ray system"
    return "ray worker"


class TreeSampler:
    """Samples a process tree until stopped: per-process peak RSS and CPU, total RSS, load."""

    def __init__(self, root: int, interval: float = 0.25) -> None:
        self.root, self.interval = root, interval
        self.peaks: dict[int, ProcessPeak] = {}
        self.peak_total_rss = 0
        self.loads: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        try:
            root = psutil.Process(self.root)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        total = 0
        for proc in procs:
            try:
                peak = self.peaks.get(proc.pid)
                if peak is None:
                    peak = self.peaks[proc.pid] = ProcessPeak(_role(proc, self.root), proc.name())
                with proc.oneshot():
                    total += proc.memory_info().rss
                    times = proc.cpu_times()
                peak.hwm_bytes = max(peak.hwm_bytes, _status(proc.pid, "VmHWM"))
                peak.anon_bytes = max(peak.anon_bytes, _status(proc.pid, "RssAnon"))
                peak.cpu_seconds = max(peak.cpu_seconds, times.user + times.system)
            except psutil.Error:
                continue
        self.peak_total_rss = max(self.peak_total_rss, total)
        self.loads.append(os.getloadavg()[0])

    def by_role(self, role: str) -> list[ProcessPeak]:
        return [p for p in self.peaks.values() if p.role == role]

    def peak_mb(self, role: str, attr: str = "hwm_bytes") -> float:
        """The largest ``attr`` (``hwm_bytes`` or ``anon_bytes``) of a ``role`` process, MB."""
        return max((getattr(p, attr) for p in self.by_role(role)), default=0) / 1024**2

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the whole tree."""
        return sum(p.cpu_seconds for p in self.peaks.values())


def measured_run(
    cmd: list[str],
    label: str,
    cwd: Path = REPO,
    interval: float = 0.25,
    env: dict[str, str] | None = None,
) -> tuple[float, TreeSampler, str]:
    """Run ``cmd`` in a fresh session, its process tree sampled: wall seconds, the
    sampler, standard output. A failed run ends the benchmark with its error."""
    started = time.time()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {}), "RAY_USAGE_STATS_ENABLED": "0"},
        start_new_session=True,
    )  # fmt: skip
    with TreeSampler(proc.pid, interval) as sampler:
        out, err = proc.communicate()
    wall = time.time() - started
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed ({proc.returncode}):\n{err[-3000:]}")
    return wall, sampler, out


@dataclass
class ScaleResult:
    scale: int
    input_bytes: int
    files: int
    injected_near_copies: int
    wall_seconds: float
    accounting: dict
    sampler: TreeSampler
    load_before: float
    extra: dict = field(default_factory=dict)

    @property
    def docs_in(self) -> int:
        return self.accounting["input"]

    def peak_mb(self, role: str) -> float:
        return self.sampler.peak_mb(role)

    def cpu_seconds(self) -> float:
        return self.sampler.cpu_seconds()

    def dropped(self, stage: str) -> dict[str, int]:
        return self.accounting["dropped"].get(stage, {})


def write_pipeline(folder: Path, files: list[dict], data: Path, stages: list[str]) -> Path:
    """A pipeline file over these input files: one ``jsonl`` source per genre."""
    sources = []
    for genre in dict.fromkeys(GENRE_CYCLE):
        gdir = folder / "input" / genre
        gdir.mkdir(parents=True, exist_ok=True)
        for f in files:
            if f["genre"] == genre:
                (gdir / f["path"]).symlink_to(data / f["path"])
        sources.append({"type": "jsonl", "name": genre, "path": str(gdir)})
    pipeline = {
        "name": f"scale-{folder.name}",
        "output": str(folder / "release"),
        "sources": sources,
        "stages": [{s: {}} for s in stages],
        "policy": "default",
    }
    path = folder / "pipeline.yaml"
    path.write_text(yaml.safe_dump(pipeline, allow_unicode=True, sort_keys=False))
    return path


def run_scale(
    scale: int, files: list[dict], data: Path, work: Path, stages: list[str]
) -> ScaleResult:
    folder = work / f"x{scale}"
    shutil.rmtree(folder, ignore_errors=True)
    pipeline = write_pipeline(folder, files, data, stages)
    load_before = os.getloadavg()[0]
    wall, sampler, _ = measured_run(
        [sys.executable, "-m", "pipelines.cli", "run", str(pipeline), "--quiet"],
        f"run at {scale}×",
    )
    manifest = json.loads((folder / "release" / "manifest.json").read_text())
    return ScaleResult(
        scale=scale,
        input_bytes=sum(f["bytes"] for f in files),
        files=len(files),
        injected_near_copies=sum(f["near_copies"] for f in files),
        wall_seconds=wall,
        accounting=manifest["accounting"],
        sampler=sampler,
        load_before=load_before,
        extra={"run_seconds": manifest.get("run", {}).get("seconds")},
    )


def table(results: list[ScaleResult]) -> str:
    base = results[0]
    head = (
        "| scale | input | docs in | kept | wall s | docs/s | MB/s | wall vs 1× | CPU s | "
        "peak RSS driver | peak RSS worker (max, procs) | peak RSS Ray system (max) | "
        "peak total RSS | load avg |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = [head]
    for r in results:
        mb = r.input_bytes / 1024**2
        workers = r.sampler.by_role("ray worker")
        loads = r.sampler.loads or [0.0]
        rows.append(
            f"| {r.scale}× | {mb:,.0f} MB | {r.docs_in:,} | {r.accounting['kept']:,} | "
            f"{r.wall_seconds:,.0f} | {r.docs_in / r.wall_seconds:,.1f} | "
            f"{mb / r.wall_seconds:.2f} | "
            f"{r.wall_seconds / base.wall_seconds:.2f} (ideal {r.scale / base.scale:.0f}) | "
            f"{r.cpu_seconds():,.0f} | {r.peak_mb('driver'):,.0f} MB | "
            f"{r.peak_mb('ray worker'):,.0f} MB ({len(workers)}) | "
            f"{r.peak_mb('ray system'):,.0f} MB | {r.sampler.peak_total_rss / 1024**2:,.0f} MB | "
            f"{r.load_before:.1f} → {sum(loads) / len(loads):.1f} |"
        )
    return "\n".join(rows)


def dedup_line(r: ScaleResult) -> str:
    found = r.dropped("dedup")
    return (
        f"{r.scale}×: dedup dropped {sum(found.values()):,} ({found}) of "
        f"{r.injected_near_copies:,} injected near copies; other drops: "
        + ", ".join(
            f"{stage} {sum(v.values()):,}" for stage, v in r.accounting["dropped"].items()
            if stage != "dedup"
        )
    )  # fmt: skip


def marginal_lines(results: list[ScaleResult]) -> str:
    """Cost of each added MB between consecutive scales (fixed start-up costs cancel out)."""
    lines = []
    for a, b in zip(results, results[1:], strict=False):
        mb = (b.input_bytes - a.input_bytes) / 1024**2
        lines.append(
            f"{a.scale}× → {b.scale}×: {(b.wall_seconds - a.wall_seconds) / mb:.2f} wall s/MB, "
            f"{(b.cpu_seconds() - a.cpu_seconds()) / mb:.2f} CPU s/MB added"
        )
    lines += [f"{r.scale}×: {r.cpu_seconds() / (r.input_bytes / 1024**2):.2f} CPU s/MB overall"
              for r in results]  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size", type=parse_size, default=parse_size("8MB"), help="input at 1×")
    ap.add_argument("--files", type=int, default=8, help="input files (= tasks) at 1×")
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--stages", nargs="+", default=list(FULL_STAGES))
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "jpcorpus-scale")
    ap.add_argument("--keep", action="store_true", help="keep the releases")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if args.files % len(GENRE_CYCLE):
        ap.error(f"--files must be a multiple of {len(GENRE_CYCLE)} (one cycle of genres)")

    file_bytes = args.size // args.files
    data = args.data / f"{file_bytes}B"
    t = time.time()
    all_files = ensure_files(data, args.files * max(args.scales), file_bytes)
    print(f"input: {len(all_files)} files of {file_bytes / 1024**2:.1f} MB in {data} "
          f"({time.time() - t:.0f} s to make or check)", flush=True)  # fmt: skip

    work = Path(tempfile.mkdtemp(prefix="jpcorpus-scale-run-"))
    results = []
    try:
        for scale in args.scales:
            files = all_files[: args.files * scale]
            r = run_scale(scale, files, data, work, args.stages)
            results.append(r)
            print(f"{scale}×: {r.docs_in:,} docs in {r.wall_seconds:.0f} s", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"releases kept in {work}")
    print()
    print(f"stages: {', '.join(args.stages)}; {os.cpu_count()} CPUs; {args.files} tasks at 1×")
    print(table(results))
    print()
    for r in results:
        print(dedup_line(r))
    print()
    print(marginal_lines(results))
    if args.json:
        args.json.write_text(json.dumps([
            {"scale": r.scale, "input_bytes": r.input_bytes, "wall_seconds": r.wall_seconds,
             "accounting": r.accounting, "cpu_seconds": r.cpu_seconds(),
             "peak_rss_mb": {role: r.peak_mb(role) for role in
                             ("driver", "ray worker", "ray system")},
             "peak_total_rss_mb": r.sampler.peak_total_rss / 1024**2,
             "load": r.sampler.loads, "injected_near_copies": r.injected_near_copies}
            for r in results
        ], indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
