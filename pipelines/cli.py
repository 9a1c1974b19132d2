"""The ``jpcorpus`` command (DESIGN §1).

Exit codes: 0 success, 1 a check failed, 2 bad usage or bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from pipelines.errors import ConfigError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def _fail(message: str, code: int = 2) -> int:
    print(f"jpcorpus: error: {message}", file=sys.stderr)
    return code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"jpcorpus: error: {message}\n")


def cmd_run(args: argparse.Namespace) -> int:
    from manifests.catalog import Catalog, CatalogError
    from pipelines.config import load_pipeline
    from pipelines.runner import RunFailed, run_pipeline

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
            version=args.version or "0",
            progress=not args.quiet,
            open_network=args.open_network,
        )
    except (ConfigError, CatalogError) as exc:
        return _fail(str(exc), getattr(exc, "exit_code", 2))
    except RunFailed as exc:
        return _fail(str(exc), 1)
    from manifests.release import read_manifest

    acc = read_manifest(release)["accounting"]
    dropped = sum(n for r in acc["dropped"].values() for n in r.values())
    print(f"release: {release}")
    print(f"documents: {acc['input']} in, {acc['kept']} kept, {dropped} dropped")
    if args.catalog:
        try:
            record = catalog.publish(release, args.version)
        except CatalogError as exc:
            return _fail(str(exc), exc.exit_code)
        print(f"published: {args.catalog} version {record.version} (parent {record.parent})")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from manifests.audit import audit_release

    problems = audit_release(args.release)
    if problems:
        for p in problems:
            print(f"FAIL {p}")
        return 1
    print(f"OK {args.release}: shards, hashes, schema, accounting and licenses verified")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jpcorpus", description="Copyright-clean Japanese corpora on Ray.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a pipeline (the bundled sample without a file)")
    run.add_argument("pipeline", nargs="?", help="pipeline YAML (default: the bundled sample)")
    run.add_argument("--out", help="release directory (overrides the file's output)")
    run.add_argument(
        "--ray-address", help="join this Ray cluster (default: RAY_ADDRESS or a local Ray)"
    )
    run.add_argument("--catalog", help="also publish the release into this catalog")
    run.add_argument("--version", help="release version (with --catalog)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    run.add_argument(
        "--open-network",
        action="store_true",
        help="let the local Ray advertise the machine's address (default: loopback only)",
    )
    run.set_defaults(func=cmd_run)

    audit = sub.add_parser("audit", help="verify a release against its manifest")
    audit.add_argument("release")
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from corpus.storage import StorageSetupError

    try:
        return args.func(args)
    except (ConfigError, StorageSetupError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted; rerun the same command to resume", 130)


if __name__ == "__main__":
    sys.exit(main())
