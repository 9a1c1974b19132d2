"""Sub-commands ``report``, ``trace``, ``pull``, ``takedown`` and ``mcp`` (DESIGN §1).

``pipelines.cli`` calls :func:`register` to add them. Exit codes: 0 success, 1 a
check failed (a release that fails its audit, a tampered catalog), 2 bad usage or
bad input, with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from corpus import storage


def _fail(message: str, code: int = 2) -> int:
    print(f"jpcorpus: error: {message}", file=sys.stderr)
    return code


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _catalog_summary(url: str) -> dict:
    from manifests.catalog import open_catalog

    index = open_catalog(url).read_index()
    return {
        "url": url,
        "versions": [v.model_dump(mode="json") for v in index.versions],
        "takedowns": [r.model_dump(mode="json") for r in index.takedowns],
    }


def cmd_report(args: argparse.Namespace) -> int:
    from manifests.catalog import is_catalog, open_catalog
    from manifests.layout import MANIFEST
    from manifests.remote import local_release
    from manifests.report import build_report, render_html, render_terminal

    def run(release: Path, catalog: dict | None) -> int:
        report = build_report(release, catalog=catalog)
        render_terminal(report, _console())
        if args.html:
            Path(args.html).parent.mkdir(parents=True, exist_ok=True)
            Path(args.html).write_text(render_html(report), encoding="utf-8")
            print(f"report: {args.html}")
        return 1 if report.audit_problems else 0

    if is_catalog(args.release):
        catalog = open_catalog(args.release)
        with catalog.local_copy() as release:
            return run(release, _catalog_summary(args.release))
    if not storage.isfile(storage.join(storage.resolve(args.release), MANIFEST)):
        return _fail(f"{args.release}: not a release (no {MANIFEST}) and not a catalog")
    with local_release(args.release) as release:
        return run(release, None)


def cmd_trace(args: argparse.Namespace) -> int:
    from manifests.catalog import is_catalog
    from manifests.remote import local_release
    from manifests.trace import TraceError, render_trace, trace_document, trace_in_catalog

    try:
        if is_catalog(args.release):
            trace = trace_in_catalog(args.release, args.doc_id)
        else:
            with local_release(args.release) as release:
                trace = trace_document(release, args.doc_id)
    except TraceError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(trace, ensure_ascii=False, indent=2, default=str))
    else:
        render_trace(trace, _console())
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from manifests.pull import PullFilter, pull

    manifest = pull(
        args.catalog,
        args.dest,
        version=args.version,
        pull_filter=PullFilter(licenses=tuple(args.license), sources=tuple(args.source)),
    )
    acc = manifest["accounting"]
    dropped = ", ".join(
        f"{stage}/{reason} {n}" for stage, r in acc["dropped"].items() for reason, n in r.items()
    )
    print(
        f"pulled {acc['kept']} of {acc['input']} documents of {manifest['name']} "
        f"{manifest['version']} into {args.dest}" + (f" (not pulled: {dropped})" if dropped else "")
    )
    return 0


def cmd_takedown(args: argparse.Namespace) -> int:
    from manifests.takedown import rules_from_cli, takedown

    rules = rules_from_cli(args.id, args.url, args.source)
    outcome = takedown(args.catalog, rules, args.reason, version=args.version)
    request = outcome.request
    if outcome.version is None:
        print(
            f"{request.id}: no document of the current version matches; the request is "
            "recorded and later runs publishing into this catalog will drop what it names"
        )
    else:
        print(
            f"{request.id}: {len(request.matched)} documents removed; published version "
            f"{outcome.version.version}; version {outcome.version.parent} is superseded "
            f"({request.reason})"
        )
    older = {v: n for v, n in outcome.affected.items() if v != request.from_version}
    if older:
        print("older versions holding them: " + ", ".join(f"{v} ({n})" for v, n in older.items()))
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    from manifests.mcp_server import serve

    return serve(args.target, http_port=args.http, allow_takedown=args.allow_takedown)


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port (0-65535)")
    return int(value)


def _guarded(func):
    """Turn the errors a user can cause into one line and an exit code."""

    def wrapper(args: argparse.Namespace) -> int:
        from manifests.catalog import CatalogError
        from manifests.remote import UnsafeRelease

        try:
            return func(args)
        except CatalogError as exc:
            return _fail(str(exc), exc.exit_code)
        except PermissionError as exc:
            if not exc.filename:  # a store's refusal: jpcorpus's main names the credentials
                raise
            return _fail(str(exc))
        except (FileNotFoundError, NotADirectoryError, UnsafeRelease) as exc:
            return _fail(str(exc))

    return wrapper


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-commands to ``jpcorpus``'s parser."""
    report = sub.add_parser(
        "report",
        help="compliance report of a release (or a catalog)",
        description="The compliance report: licenses, sources, attribution, drops by stage "
        "and reason, opt-out checks, stage costs; optionally one self-contained HTML page.",
        epilog="example:\n  jpcorpus report out/sample --html report.html",
    )
    report.add_argument("release", help="release directory or catalog")
    report.add_argument("--html", help="also write the self-contained HTML page here")
    report.set_defaults(func=_guarded(cmd_report))

    trace = sub.add_parser(
        "trace",
        help="one document's provenance, from source to shard",
        description="One document's full provenance: source, license and evidence, every "
        "stage's decision, and the shard or rejected file that holds it.",
        epilog="example:\n  jpcorpus trace out/sample 000092 --json",
    )
    trace.add_argument("release", help="release directory or catalog")
    trace.add_argument("doc_id", help="document id (a URL or source id naming one document works)")
    trace.add_argument("--json", action="store_true", help="print the trace as JSON")
    trace.set_defaults(func=_guarded(cmd_trace))

    pull = sub.add_parser(
        "pull",
        help="copy a release from a catalog, filtered",
        description="Copy a release (the current version by default) from a catalog, keeping "
        "only the named licenses or sources, with a manifest of exactly what was pulled.",
        epilog="example:\n  jpcorpus pull catalog/ pulled/ --license CC-BY-4.0",
    )
    pull.add_argument("catalog", help="catalog: a local path or any fsspec URL")
    pull.add_argument("dest", help="new folder for the copy")
    pull.add_argument("--version", help="version to copy (default: the current one)")
    pull.add_argument("--license", action="append", default=[], help="keep this license (repeat)")
    pull.add_argument("--source", action="append", default=[], help="keep this source (repeat)")
    pull.set_defaults(func=_guarded(cmd_pull))

    td = sub.add_parser(
        "takedown",
        help="publish a new version without the named documents",
        description="Publish a new catalog version without the documents named by id, URL "
        "or source; the old version is marked superseded with the reason.",
        epilog='example:\n  jpcorpus takedown catalog/ --url https://example.jp/page --reason "request"',
    )
    td.add_argument("catalog", help="catalog: a local path or any fsspec URL")
    td.add_argument("--id", action="append", default=[], help="document id (repeat)")
    td.add_argument(
        "--url",
        action="append",
        default=[],
        help="exact URL, URL ending in * (prefix), or a bare domain (repeat)",
    )
    td.add_argument("--source", action="append", default=[], help="a whole source (repeat)")
    td.add_argument("--reason", required=True, help="why (recorded in the catalog)")
    td.add_argument("--version", help="name of the new version (default: the next number)")
    td.set_defaults(func=_guarded(cmd_takedown))

    mcp = sub.add_parser(
        "mcp",
        help="MCP server over a release or a catalog (read-only)",
        description="An MCP server for reviewers' AI assistants: list versions, license "
        "summaries, document search, traces, rejected documents and version diffs over a "
        "release or a catalog. stdio by default; --http serves 127.0.0.1 with a bearer token.",
        epilog="example:\n  jpcorpus mcp catalog/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mcp.add_argument("target", help="release directory or catalog: a local path or fsspec URL")
    mcp.add_argument(
        "--http",
        type=_port,
        metavar="PORT",
        help="serve streamable HTTP on 127.0.0.1:PORT with a bearer token printed at start "
        "(0: any free port); default: stdio",
    )
    mcp.add_argument(
        "--allow-takedown", action="store_true", help="offer the takedown tool (it writes)"
    )
    mcp.set_defaults(func=_guarded(cmd_mcp))
