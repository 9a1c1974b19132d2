"""The ``jpcorpus`` command (DESIGN §1).

Exit codes: 0 success, 1 a check failed, 2 bad usage or bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable, Sequence

from pipelines.errors import ConfigError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def _fail(message: str, code: int = 2) -> int:
    print(f"jpcorpus: error: {message}", file=sys.stderr)
    return code


class _HelpFormatter(argparse.HelpFormatter):
    """Descriptions wrapped to the terminal; example lines (the epilog) kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(EXAMPLE):
            return "\n".join(indent + line for line in text.splitlines())
        return super()._fill_text(text, width, indent)


EXAMPLE = "example:"
"""How every command's epilog starts (tests/pipelines/test_cli_help.py checks it)."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"jpcorpus: error: {message}\n")


def cmd_run(args: argparse.Namespace) -> int:
    from manifests.catalog import Catalog, CatalogError
    from pipelines.config import load_pipeline
    from pipelines.progress import make_console
    from pipelines.runner import RunFailed, run_pipeline
    from pipelines.summary import render_failure, render_summary

    console = make_console()

    try:
        pipeline = load_pipeline(args.pipeline)
        if args.catalog:  # refuse a taken version before the run; drop what was taken down
            catalog = Catalog(args.catalog)
            catalog.check_new_version(args.version)
            pipeline = pipeline.with_takedowns(catalog.takedown_rules())
        out = args.out
        if out is None and args.pipeline is None:
            out = "out/sample"
        release = run_pipeline(
            pipeline,
            out=out,
            ray_address=args.ray_address,
            executor=args.executor,
            version=args.version or "0",
            progress=not args.quiet,
            open_network=args.open_network,
            verbose=args.verbose,
            console=console,
        )
    except (ConfigError, CatalogError) as exc:
        return _fail(str(exc), getattr(exc, "exit_code", 2))
    except RunFailed as exc:
        render_failure(exc.failures, str(exc), 1, console)
        return 1
    from manifests.release import read_manifest

    render_summary(read_manifest(release), str(release), _stdout_console())
    if args.catalog:
        try:
            record = catalog.publish(release, args.version)
        except CatalogError as exc:
            return _fail(str(exc), exc.exit_code)
        print(f"published: {args.catalog} version {record.version} (parent {record.parent})")
    return 0


def _stdout_console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def cmd_audit(args: argparse.Namespace) -> int:
    from manifests.audit import audit_release

    problems = audit_release(args.release)
    if problems:
        for p in problems:
            print(f"FAIL {p}")
        return 1
    print(f"OK {args.release}: shards, hashes, schema, accounting and licenses verified")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pipelines.config import load_pipeline
    from pipelines.validate import plan_run, render_plan

    try:
        plan = plan_run(load_pipeline(args.pipeline), out=args.out, ray_address=args.ray_address)
    except ConfigError as exc:
        return _fail(str(exc))
    render_plan(plan, _stdout_console())
    return 0


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from pipelines.versions import version_text

        print(version_text())
        parser.exit(0)


def _pipeline_arguments(parser: argparse.ArgumentParser, address_help: str) -> None:
    """The arguments ``run`` and ``validate`` share: the file, ``--out``, ``--ray-address``."""
    parser.add_argument("pipeline", nargs="?", help="pipeline YAML (default: the bundled sample)")
    parser.add_argument("--out", help="release directory (overrides the file's output)")
    parser.add_argument("--ray-address", help=address_help)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jpcorpus",
        description="Copyright-clean Japanese corpora on Ray.",
        epilog="example:\n  jpcorpus run && jpcorpus audit out/sample",
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print the versions of jpcorpus, datatrove, Ray, the fastText model and SudachiPy",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser(
        "run",
        help="run a pipeline (the bundled sample without a file)",
        description="Run a pipeline into a release folder (shards, rejected/, manifest, "
        "ATTRIBUTION.md) on a local Ray or a cluster; prints a summary at the end.",
        epilog="example:\n  jpcorpus run pipeline.yaml --out out/my-corpus",
    )
    _pipeline_arguments(run, "join this Ray cluster (default: RAY_ADDRESS or a local Ray)")
    run.add_argument(
        "--executor",
        choices=["ray", "processes"],
        help="ray: tasks on Ray (a local one, or --ray-address); processes: worker "
        "processes on this machine, no Ray start-up, for small jobs "
        "(default: the file's execution.executor, else ray)",
    )
    run.add_argument("--catalog", help="also publish the release into this catalog")
    run.add_argument("--version", help="release version (with --catalog)")
    run.add_argument(
        "--quiet", action="store_true", help="print only the final summary (no progress, no logs)"
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="also show the libraries' logs (Ray, datatrove) and the workers' output",
    )
    run.add_argument(
        "--open-network",
        action="store_true",
        help="let the local Ray advertise the machine's address (default: loopback only)",
    )
    run.set_defaults(func=cmd_run)

    validate = sub.add_parser(
        "validate",
        help="check a pipeline and show what a run would do, without running it",
        description="Check a pipeline file as run would (exit 2 with the key path when it "
        "is wrong) and show the planned tasks, licenses, stage parameters and cluster needs.",
        epilog="example:\n  jpcorpus validate pipeline.yaml --ray-address HEAD_IP:6379",
    )
    _pipeline_arguments(validate, "check for a run on this cluster (nothing is contacted)")
    validate.set_defaults(func=cmd_validate)

    audit = sub.add_parser(
        "audit",
        help="verify a release against its manifest",
        description="Verify a release: every shard's hash, row count and schema against the "
        "manifest, the accounting identity and the licenses. Exit 0 when all hold, 1 otherwise.",
        epilog="example:\n  jpcorpus audit out/sample",
    )
    audit.add_argument("release", help="release directory (a local path or an fsspec URL)")
    audit.set_defaults(func=cmd_audit)

    for module in EXTENSION_MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(sub)
    return parser


#: modules whose ``register(subparsers)`` adds further sub-commands
#: (report, trace, pull, takedown in ``manifests.cli``; ``tokenizer`` in ``tokenizer.cli``)
EXTENSION_MODULES = ("manifests.cli", "tokenizer.cli")


def _start_processes_early(argv: Sequence[str]) -> None:
    """For ``run … --executor processes``: start the worker processes' fork server now,
    before the parser and the driver's own imports, which it then overlaps (about 0.15 s
    of a small run). The parsed arguments decide the run; this is only a head start."""
    words = list(argv)
    pairs = set(zip(words, words[1:], strict=False))
    asked = "--executor=processes" in words or ("--executor", "processes") in pairs
    if words[:1] != ["run"] or not asked or any(w.startswith("--ray-address") for w in words):
        return
    from corpus.local_processes import start_server
    from pipelines.tasks import STEP_MODULES

    start_server(STEP_MODULES, verbose="--verbose" in words)


def main(argv: Sequence[str] | None = None) -> int:
    _start_processes_early(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    from corpus.storage import StorageSetupError, access_error

    try:
        return args.func(args)
    except (ConfigError, StorageSetupError) as exc:
        return _fail(str(exc))
    except Exception as exc:
        reason = access_error(exc)
        if reason is None:
            raise
        return _fail(reason)
    except KeyboardInterrupt:
        return _fail("interrupted; rerun the same command to resume", 130)


def entry() -> None:
    """The ``jpcorpus`` program: :func:`main`, then exit with its code."""
    code = main()
    # what is alive now lives until the process ends: keep the collector off it (the
    # interpreter's last collections over the libraries' objects took 0.2 s)
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
