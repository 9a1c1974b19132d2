"""``jpcorpus mcp TARGET``: the corpus, asked through the Model Context Protocol.

Reviewers' assistants (any MCP client) ask a release or a catalog which documents it
holds, under which license, how that is known, what was refused and what was taken
down. TARGET is a release folder or a catalog, a local path or an fsspec URL.

Tools (names and arguments are a contract; every result is a JSON object):

========================  ==================================================================
``list_versions``         ``versions``: name, created_at, status and why, documents, licenses
``license_summary``       ``licenses``: id, documents, characters, sources, obligations
``search_documents``      ``documents`` by license, source, domain, URL prefix, text (limit)
``trace_document``        what ``jpcorpus trace --json`` gives for an id or a URL
``rejected_documents``    ``documents``: rows of ``rejected/`` by stage and reason (limit)
``diff_versions``         ``added`` and ``removed`` between two versions, and why removed
``takedown``              only with ``--allow-takedown``: a new version without documents
========================  ==================================================================

Resources: every version's ``manifest.json``, ``ATTRIBUTION.md`` and HTML report, at
``jpcorpus://versions/<version>/<file>``. Without a catalog (TARGET is one release)
``version`` arguments are ignored and the one release is the only version.

Queries run in DuckDB over the Parquet files a manifest lists, reading only the
columns and rows they need (a release is never loaded whole). Bad arguments and
unknown ids are tool errors with a one-line reason. The server reads; the one tool
that writes (``takedown``) is not even listed unless the server was started with
``--allow-takedown``. Over HTTP (``--http PORT``) it listens on 127.0.0.1 only and
refuses every request without the bearer token printed once at start.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import secrets
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import fsspec
from fsspec.implementations.local import LocalFileSystem
from pydantic import Field, ValidationError

from corpus import storage
from corpus.stages.takedown import TAKEN_DOWN, host_in_domain, url_host
from corpus.storage import join
from licenses.registry import get_license
from manifests.catalog import Catalog, CatalogError, is_catalog, open_catalog
from manifests.layout import ATTRIBUTION, MANIFEST
from manifests.remote import local_release

SEARCH_LIMIT = 50
"""Rows a search or a rejected/ listing returns unless told otherwise."""
MAX_LIMIT = 1000
"""The most rows one call returns."""
SNIPPET_CHARS = 160
"""Characters of text shown around a match (or from the start)."""
SNIPPET_BEFORE = 40
"""Characters shown before a ``text_contains`` match."""
HOST = "127.0.0.1"
"""The only address the HTTP transport listens on."""
URI_PREFIX = "jpcorpus://versions/"
RESOURCE_FILES = {
    MANIFEST: "application/json",
    ATTRIBUTION: "text/markdown",
    "report.html": "text/html",
}

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"rows to return (1 to {MAX_LIMIT})")]
Version = Annotated[
    str | None,
    Field(description="catalog version (default: the current one; ignored for a single release)"),
]
Names = Annotated[str | list[str] | None, Field(description="one value or a list of values")]


class QueryError(ValueError):
    """A bad argument or an unknown id: reported to the client as a one-line tool error."""


@dataclass(frozen=True)
class ReleaseRef:
    """One release the server can query: its version name, folder and manifest."""

    name: str
    root: str
    """The release folder on ``CorpusTarget.fs`` (a path of that filesystem)."""
    manifest: dict[str, Any]


class CorpusTarget:
    """TARGET opened for reading: a catalog of versions, or one release."""

    def __init__(self, target: str | Path) -> None:
        self.url = str(target)
        self.catalog: Catalog | None = None
        if is_catalog(self.url):
            self.catalog = open_catalog(self.url)
            self.fs, self.root = self.catalog.fs, self.catalog.root
        else:
            self.fs, root = fsspec.core.url_to_fs(self.url)
            self.root = root.rstrip("/")
            if storage.kind(self.fs, join(self.root, MANIFEST)) != "file":
                raise CatalogError(f"{self.url}: not a release (no {MANIFEST}) and not a catalog")
        self._manifests: dict[tuple[str, str], dict[str, Any]] = {}
        self._duckdb = None
        self._duckdb_lock = threading.Lock()

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    # -- versions ----------------------------------------------------------------

    def release(self, version: str | None = None) -> ReleaseRef:
        """The release of ``version`` (the current one when None; ignored for one release)."""
        if self.catalog is None:
            manifest = self._read_json(join(self.root, MANIFEST))
            return ReleaseRef(str(manifest.get("version")), self.root, manifest)
        try:
            record = self.catalog.get(version)
            key = (record.version, record.manifest_sha256)
            if key not in self._manifests:
                self._manifests[key] = self.catalog.read_version_manifest(record)
        except CatalogError as exc:
            raise QueryError(str(exc)) from None
        return ReleaseRef(
            record.version, self.catalog.version_path(record.version), self._manifests[key]
        )

    def version_names(self) -> list[str]:
        if self.catalog is None:
            return [self.release().name]
        return [v.version for v in self.catalog.versions()]

    def _read_json(self, path: str) -> dict[str, Any]:
        with self.fs.open(path, "rb") as f:
            return json.loads(f.read())

    def read_text(self, ref: ReleaseRef, rel: str) -> str:
        path = join(ref.root, rel)
        if storage.kind(self.fs, path) != "file":
            raise QueryError(f"version {ref.name} has no {rel}")
        with self.fs.open(path, "rb") as f:
            return f.read().decode("utf-8")

    @contextlib.contextmanager
    def local_copy(self, ref: ReleaseRef) -> Iterator[Path]:
        """A local folder holding the release (downloaded if it lives elsewhere)."""
        if self.catalog is not None:
            with self.catalog.local_copy(ref.name) as path:
                yield path
            return
        if self.is_local:
            yield Path(ref.root)
            return
        # the same copy the CLI's commands make: paths checked to stay inside, every
        # listed file there or an error
        with local_release(self.url) as path:
            yield path

    # -- DuckDB ------------------------------------------------------------------

    def files(self, ref: ReleaseRef, kind: str = "shards") -> list[str]:
        """The Parquet files of ``ref`` (``shards`` or ``rejected``) as DuckDB reads them."""
        paths = [join(ref.root, e["path"]) for e in ref.manifest.get(kind, [])]
        return paths if self.is_local else [self.fs.unstrip_protocol(p) for p in paths]

    def connect(self):
        """A DuckDB cursor that reads this target's files and knows its URL rules.

        One database per target (opening one costs about 0.1 s); each query gets its own
        cursor, so tools running in worker threads never share one.
        """
        with self._duckdb_lock:
            if self._duckdb is None:
                import duckdb

                con = duckdb.connect(config={"memory_limit": "2GB"})
                if not self.is_local:
                    con.register_filesystem(self.fs)
                con.create_function(
                    "in_domain",
                    lambda url, domain: host_in_domain(url_host(url), domain),
                    ["VARCHAR", "VARCHAR"],
                    "BOOLEAN",
                )
                self._duckdb = con
            return self._duckdb.cursor()


# -- tools (pure functions over a CorpusTarget; the MCP layer only wraps them) ---------


def list_versions(target: CorpusTarget) -> dict[str, Any]:
    """Every version: name, when built, status and why, documents, licenses."""
    if target.catalog is None:
        ref = target.release()
        m = ref.manifest
        return {
            "target": target.url,
            "catalog": False,
            "versions": [
                {
                    "name": ref.name,
                    "created_at": m.get("created_at"),
                    "status": "current",
                    "reason": "a single release (TARGET is not a catalog)",
                    "documents": m["accounting"]["kept"],
                    "licenses": _license_documents(m),
                }
            ],
        }
    versions = []
    for record in target.catalog.versions():
        manifest = target.release(record.version).manifest
        versions.append(
            {
                "name": record.version,
                "created_at": record.created_at,
                "published_at": record.published_at,
                "kind": record.kind,
                "parent": record.parent,
                "status": record.status,
                "reason": record.reason,
                "superseded_by": record.superseded_by,
                "takedowns": record.takedowns,
                "documents": record.documents,
                "licenses": _license_documents(manifest),
            }
        )
    return {"target": target.url, "catalog": True, "versions": versions}


def _license_documents(manifest: dict[str, Any]) -> dict[str, int]:
    return {lic: c["documents"] for lic, c in sorted(manifest.get("licenses", {}).items())}


def license_summary(target: CorpusTarget, version: str | None = None) -> dict[str, Any]:
    """Per license: documents, characters, documents per source, the obligations."""
    ref = target.release(version)
    by_license: dict[str, dict[str, int]] = {}
    files = target.files(ref)
    if files:
        with target.connect() as con:
            rows = con.execute(
                "SELECT license, source, count(*) FROM read_parquet($files) "
                "GROUP BY license, source ORDER BY license, source",
                {"files": files},
            ).fetchall()
        for lic, source, n in rows:
            by_license.setdefault(lic, {})[source] = n
    licenses = []
    counts = ref.manifest.get("licenses", {})
    for lic_id in sorted(set(counts) | set(by_license)):
        entry = get_license(lic_id)
        obligations = list(entry.obligations) if entry else []
        licenses.append(
            {
                "id": lic_id,
                "name": entry.name if entry else None,
                "url": entry.url if entry else None,
                "documents": counts.get(lic_id, {}).get("documents", 0),
                "characters": counts.get(lic_id, {}).get("characters", 0),
                "sources": by_license.get(lic_id, {}),
                "obligations": obligations,
                "attribution_required": "attribution" in obligations,
                "share_alike": "share_alike" in obligations,
            }
        )
    return {"version": ref.name, "licenses": licenses}


def _limit(limit: int) -> int:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit!r}")
    return limit


def _known(value: str, known: dict | list, what: str, version: str) -> str:
    if value not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise QueryError(
            f"{what} {value!r} has no document in version {version} ({what}s: {listed})"
        )
    return value


def search_documents(
    target: CorpusTarget,
    version: str | None = None,
    license: str | None = None,
    source: str | None = None,
    domain: str | None = None,
    url_prefix: str | None = None,
    text_contains: str | None = None,
    limit: int = SEARCH_LIMIT,
) -> dict[str, Any]:
    """Kept documents that match every filter given, in shard order, at most ``limit``."""
    limit = _limit(limit)
    ref = target.release(version)
    where, params = [], {}
    if license is not None:
        params["license"] = _known(license, ref.manifest.get("licenses", {}), "license", ref.name)
        where.append("license = $license")
    if source is not None:
        params["source"] = _known(source, ref.manifest.get("sources", {}), "source", ref.name)
        where.append("source = $source")
    if domain is not None:
        domain = domain.strip().lower().strip(".")
        if not domain or "/" in domain or ":" in domain or "." not in domain:
            raise QueryError(f"domain {domain!r}: give a bare domain such as example.jp")
        params["domain"] = domain
        # the rule of record (host is the domain or a subdomain, corpus.stages.takedown)
        # runs in Python, so only on the URLs that contain the domain at all
        where.append("CASE WHEN contains(lower(url), $domain) THEN in_domain(url, $domain) END")
    if url_prefix is not None:
        if ":" not in url_prefix:
            raise QueryError(f"url_prefix {url_prefix!r}: give the start of a URL, e.g. https://…")
        params["url_prefix"] = url_prefix
        where.append("starts_with(url, $url_prefix)")
    if text_contains is not None:
        if not text_contains.strip():
            raise QueryError("text_contains is empty")
        params["text"] = text_contains
        where.append("contains(text, $text)")
        start = f"greatest(1, instr(text, $text) - {SNIPPET_BEFORE})"
    else:
        start = "1"
    files = target.files(ref)
    rows: list[tuple] = []
    if files:
        sql = (
            "SELECT id, source, source_id, url, license, license_evidence, attribution, "
            f"char_count, {start} AS at, substr(text, {start}, {SNIPPET_CHARS}) "
            "FROM read_parquet($files)"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " LIMIT $n"
        )
        with target.connect() as con:
            rows = con.execute(sql, {"files": files, "n": limit + 1, **params}).fetchall()
    documents = []
    for row in rows[:limit]:
        doc_id, src, source_id, url, lic, evidence, attribution, chars, at, snippet = row
        snippet = ("…" if at > 1 else "") + (snippet or "")
        if chars is not None and at - 1 + SNIPPET_CHARS < chars:
            snippet += "…"
        documents.append(
            {"id": doc_id, "source": src, "source_id": source_id, "url": url, "license": lic,
             "license_evidence": evidence, "attribution": attribution, "chars": chars,
             "snippet": snippet}
        )  # fmt: skip
    return {"version": ref.name, "documents": documents, "truncated": len(rows) > limit}


def trace_document(
    target: CorpusTarget,
    id: str | None = None,
    url: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """One document's provenance, as ``jpcorpus trace --json`` gives it."""
    from manifests.trace import TraceError, trace_in_catalog
    from manifests.trace import trace_document as trace_release

    if (id is None) == (url is None):
        raise QueryError("give exactly one of id or url")
    key = id if id is not None else url
    try:
        if target.catalog is not None:
            ref = target.release(version)  # an unknown version fails here, in one line
            trace = trace_in_catalog(target.url, key, version=ref.name)
            history = trace["catalog"]["versions"]
            if "release" not in trace and all(v["document"] == "absent" for v in history):
                raise QueryError(f"{key}: no document with this id or URL in any version")
        else:
            ref = target.release()
            with target.local_copy(ref) as folder:
                trace = trace_release(folder, key)
    except TraceError as exc:
        raise QueryError(str(exc)) from None
    return json.loads(json.dumps(trace, ensure_ascii=False, default=str))


def rejected_documents(
    target: CorpusTarget,
    version: str | None = None,
    stage: str | None = None,
    reason: str | None = None,
    limit: int = SEARCH_LIMIT,
) -> dict[str, Any]:
    """Rows of ``rejected/``: by stage and by reason (exact, or its part before ``:``)."""
    limit = _limit(limit)
    ref = target.release(version)
    dropped = ref.manifest["accounting"]["dropped"]
    where, params = [], {}
    if stage is not None:
        params["stage"] = _known(stage, dropped, "stage", ref.name)
        where.append("stage = $stage")
    if reason is not None:
        reasons = {r for s, rs in dropped.items() if stage in (None, s) for r in rs}
        if not any(r == reason or r.startswith(reason + ":") for r in reasons):
            _known(reason, sorted(reasons), "reason", ref.name)
        params["reason"] = reason
        where.append("(reason = $reason OR starts_with(reason, $reason || ':'))")
    files = target.files(ref, "rejected")
    rows, total = [], 0
    if files:
        clause = " WHERE " + " AND ".join(where) if where else ""
        with target.connect() as con:
            cursor = con.execute(
                f"SELECT * FROM read_parquet($files){clause} LIMIT $n",
                {"files": files, "n": limit, **params},
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
            (total,) = con.execute(
                f"SELECT count(*) FROM read_parquet($files){clause}", {"files": files, **params}
            ).fetchone()
    return {"version": ref.name, "total": total, "documents": rows, "truncated": total > limit}


def diff_versions(target: CorpusTarget, a: str, b: str) -> dict[str, Any]:
    """Documents added and removed from version ``a`` to version ``b``, and why removed."""
    if target.catalog is None:
        raise QueryError("TARGET is a single release; diff_versions needs a catalog")
    ra, rb = target.release(a), target.release(b)
    fa, fb, rejected_b = target.files(ra), target.files(rb), target.files(rb, "rejected")
    cols = "x.id, x.source, x.url, x.license"

    def only_in(left: list[str], right: list[str], extra: str = "", join_: str = ""):
        if not left:
            return [], 0
        source = "read_parquet($left) x" + (
            " ANTI JOIN read_parquet($right) y ON x.id = y.id" if right else ""
        )
        params = {"left": left, **({"right": right} if right else {})}
        with target.connect() as con:
            con.execute(f"CREATE TEMP TABLE d AS SELECT {cols} FROM {source}", params)
            (n,) = con.execute("SELECT count(*) FROM d").fetchone()
            cursor = con.execute(
                f"SELECT x.*{extra} FROM d x{join_} ORDER BY x.id LIMIT {MAX_LIMIT}",
                {"rej": rejected_b} if join_ else {},
            )
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()], n

    added, n_added = only_in(fb, fa)
    join_ = (
        " LEFT JOIN read_parquet($rej) r ON r.id = x.id" if rejected_b else ""
    )  # where version b recorded the document it no longer keeps
    extra = ", r.stage, r.reason AS drop_reason, r.detail" if rejected_b else ""
    removed, n_removed = only_in(fa, fb, extra, join_)
    requests = {}
    for request in target.catalog.requests():
        for doc_id in request.matched:
            requests.setdefault(doc_id, request)
    for row in removed:
        stage = row.pop("stage", None)
        drop_reason = row.pop("drop_reason", None)
        detail = row.pop("detail", None)
        request = requests.get(row["id"])
        if request is not None and (stage in (None, "takedown") or drop_reason == TAKEN_DOWN):
            row["why"] = {"cause": "takedown", "request": request.id, "reason": request.reason,
                          "requested_at": request.requested_at}  # fmt: skip
        elif stage is not None:
            row["why"] = {"cause": "rerun", "stage": stage, "reason": drop_reason,
                          "detail": detail}  # fmt: skip
        else:
            row["why"] = {"cause": "rerun", "reason": f"not among the documents read for {rb.name}"}
    return {
        "a": ra.name,
        "b": rb.name,
        "added": added,
        "removed": removed,
        "added_total": n_added,
        "removed_total": n_removed,
        "truncated": n_added > MAX_LIMIT or n_removed > MAX_LIMIT,
    }


def takedown(
    target: CorpusTarget,
    id: str | list[str] | None = None,
    url: str | list[str] | None = None,
    source: str | list[str] | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """Publish a version without the named documents, as ``jpcorpus takedown`` does."""
    from manifests.takedown import rules_from_cli
    from manifests.takedown import takedown as take_down

    if target.catalog is None:
        raise QueryError("TARGET is a single release; takedown needs a catalog")

    def many(value: str | list[str] | None) -> list[str]:
        return [] if value is None else [value] if isinstance(value, str) else list(value)

    try:
        rules = rules_from_cli(many(id), many(url), many(source))
        outcome = take_down(target.url, rules, reason)
    except CatalogError as exc:
        raise QueryError(str(exc).replace("--", "")) from None
    request = outcome.request
    return {
        "request": request.id,
        "reason": request.reason,
        "requested_at": request.requested_at,
        "matched": request.matched,
        "removed": len(request.matched),
        "version": outcome.version.model_dump(mode="json") if outcome.version else None,
        "superseded": outcome.version.parent if outcome.version else None,
        "affected_versions": outcome.affected,
    }


# -- resources -----------------------------------------------------------------------


def read_resource_text(target: CorpusTarget, version: str, name: str) -> str:
    """``manifest.json``, ``ATTRIBUTION.md`` or ``report.html`` of one version."""
    ref = target.release(version)
    if name == MANIFEST:
        return json.dumps(ref.manifest, ensure_ascii=False, indent=2)
    if name == ATTRIBUTION:
        return target.read_text(ref, ATTRIBUTION)
    if name == "report.html":
        from manifests.report import build_report, render_html

        summary = None
        if target.catalog is not None:
            index = target.catalog.read_index()
            summary = {
                "url": target.url,
                "versions": [v.model_dump(mode="json") for v in index.versions],
                "takedowns": [r.model_dump(mode="json") for r in index.takedowns],
            }
        with target.local_copy(ref) as folder:
            return render_html(build_report(folder, catalog=summary))
    raise QueryError(f"no resource {name!r} (resources: {', '.join(RESOURCE_FILES)})")


# -- the MCP server --------------------------------------------------------------------


def _one_line(exc: ValidationError) -> str:
    """A pydantic error as one line: ``limit: Input should be less than or equal to 1000``."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}"
        for err in exc.errors()
    )


def build_server(target: CorpusTarget, *, allow_takedown: bool = False, **options: Any):
    """The MCP server over ``target`` (``takedown`` is registered only when allowed);
    ``options`` go to the SDK's ``MCPServer`` (e.g. ``auth`` and ``token_verifier``)."""
    import duckdb
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    class CorpusServer(MCPServer):
        """Lists every version's resources and keeps every tool error to one line."""

        async def list_resources(self):
            from mcp.types import Resource

            return [
                Resource(uri=f"{URI_PREFIX}{version}/{name}", name=f"{version}/{name}",
                         mime_type=mime)
                for version in target.version_names()
                for name, mime in RESOURCE_FILES.items()
            ]  # fmt: skip

        async def call_tool(self, name, arguments, context=None):
            tools = {t.name: t for t in await self.list_tools()}
            if name in tools:
                allowed = set(tools[name].input_schema.get("properties", {}))
                unknown = sorted(set(arguments) - allowed)
                if unknown:
                    raise ToolError(
                        f"{name}: unknown argument {', '.join(unknown)} "
                        f"(arguments: {', '.join(sorted(allowed)) or 'none'})"
                    )
            try:
                return await super().call_tool(name, arguments, context)
            except ToolError as exc:
                if isinstance(exc.__cause__, ValidationError):
                    raise ToolError(f"{name}: {_one_line(exc.__cause__)}") from None
                message = str(exc).removeprefix(f"Error executing tool {name}: ")
                raise ToolError(" ".join(message.split())) from None

    server = CorpusServer(
        "jpcorpus",
        instructions=(
            "A Japanese text corpus with per-document license provenance. list_versions "
            "shows the versions; license_summary, search_documents, trace_document, "
            "rejected_documents and diff_versions answer which documents are in a version, "
            "under which license, how that is known and what was refused or taken down."
        ),
        log_level="WARNING",
        **options,
    )

    def tool(fn):
        def wrapped(**kwargs):
            try:
                return fn(target, **kwargs)
            except (QueryError, CatalogError, OSError, duckdb.Error) as exc:
                reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise ToolError(f"{fn.__name__}: {reason}") from None

        return wrapped

    @server.tool(name="list_versions")
    def _list_versions() -> dict[str, Any]:
        """Every version: name, created_at, status (current, or superseded and why),
        documents and documents per license."""
        return tool(list_versions)()

    @server.tool(name="license_summary")
    def _license_summary(version: Version = None) -> dict[str, Any]:
        """Per license in a version: documents, characters, documents per source and the
        obligations (attribution, share-alike)."""
        return tool(license_summary)(version=version)

    @server.tool(name="search_documents")
    def _search_documents(
        version: Version = None,
        license: Annotated[str | None, Field(description="license id, e.g. CC-BY-4.0")] = None,
        source: Annotated[str | None, Field(description="source name, e.g. aozora")] = None,
        domain: Annotated[
            str | None, Field(description="host or parent domain, e.g. example.jp")
        ] = None,
        url_prefix: Annotated[str | None, Field(description="start of the URL")] = None,
        text_contains: Annotated[
            str | None, Field(description="text the document contains, e.g. 羅生門")
        ] = None,
        limit: Limit = SEARCH_LIMIT,
    ) -> dict[str, Any]:
        """Kept documents matching every filter given: id, source, source_id, url, license,
        license_evidence, attribution, chars and a snippet of the text."""
        return tool(search_documents)(
            version=version, license=license, source=source, domain=domain,
            url_prefix=url_prefix, text_contains=text_contains, limit=limit,
        )  # fmt: skip

    @server.tool(name="trace_document")
    def _trace_document(
        id: Annotated[str | None, Field(description="document id")] = None,
        url: Annotated[str | None, Field(description="the document's URL")] = None,
        version: Version = None,
    ) -> dict[str, Any]:
        """One document's provenance (origin, license and evidence, every stage's decision,
        where it is stored, and its history across versions), given its id or its URL."""
        return tool(trace_document)(id=id, url=url, version=version)

    @server.tool(name="rejected_documents")
    def _rejected_documents(
        version: Version = None,
        stage: Annotated[str | None, Field(description="stage, e.g. license, takedown")] = None,
        reason: Annotated[
            str | None, Field(description="reason, or its part before ':', e.g. license_refused")
        ] = None,
        limit: Limit = SEARCH_LIMIT,
    ) -> dict[str, Any]:
        """Dropped documents (rows of rejected/: id, source, source_id, url, license, stage,
        reason, detail, duplicate_of), never their text."""
        return tool(rejected_documents)(version=version, stage=stage, reason=reason, limit=limit)

    @server.tool(name="diff_versions")
    def _diff_versions(
        a: Annotated[str, Field(description="the older version")],
        b: Annotated[str, Field(description="the newer version")],
    ) -> dict[str, Any]:
        """Documents added and removed from version a to version b (id, source, url,
        license), and for each removal why (a takedown request and its reason, or a rerun)."""
        return tool(diff_versions)(a=a, b=b)

    if allow_takedown:

        @server.tool(name="takedown")
        def _takedown(
            reason: Annotated[str, Field(description="why (recorded in the catalog)")],
            id: Names = None,
            url: Annotated[
                str | list[str] | None,
                Field(description="exact URL, URL ending in * (prefix), or a bare domain"),
            ] = None,
            source: Names = None,
        ) -> dict[str, Any]:
            """Publish a new version without the named documents; the current one is marked
            superseded with the reason (as jpcorpus takedown does)."""
            return tool(takedown)(id=id, url=url, source=source, reason=reason)

    for name, mime in RESOURCE_FILES.items():
        server.resource(f"{URI_PREFIX}{{version}}/{name}", name=name, mime_type=mime)(
            _resource_reader(target, name)
        )
    return server


def _resource_reader(target: CorpusTarget, name: str):
    """The function a resource template calls for ``name`` (one parameter: the version)."""
    from mcp.server.mcpserver.exceptions import ResourceError

    def read(version: str) -> str:
        try:
            return read_resource_text(target, version, name)
        except (QueryError, CatalogError) as exc:
            raise ResourceError(str(exc).splitlines()[0]) from None

    read.__name__ = "read_" + name.replace(".", "_").lower()
    return read


# -- transports --------------------------------------------------------------------------


class StaticToken:
    """The bearer token generated at start (the SDK's ``TokenVerifier`` protocol)."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def verify_token(self, token: str):
        from mcp.server.auth.provider import AccessToken

        if hmac.compare_digest(token.encode(), self._token.encode()):
            return AccessToken(token=token, client_id="jpcorpus-mcp", scopes=[])
        return None


def http_app(target: CorpusTarget, token: str, port: int, *, allow_takedown: bool = False):
    """The streamable HTTP app: every request needs ``Authorization: Bearer <token>``."""
    from mcp.server.auth.settings import AuthSettings

    server = build_server(
        target,
        allow_takedown=allow_takedown,
        # no authorization server: the one token is made at start and checked as is
        auth=AuthSettings(issuer_url=f"http://{HOST}:{port}", resource_server_url=None),
        token_verifier=StaticToken(token),
    )
    return server.streamable_http_app(host=HOST)


def serve(target_url: str, *, http_port: int | None = None, allow_takedown: bool = False) -> int:
    """Run the server on stdio, or on HTTP at 127.0.0.1:``http_port`` with a new token."""
    import anyio

    target = CorpusTarget(target_url)
    mode = "takedown allowed" if allow_takedown else "read-only"
    if http_port is None:
        print(f"jpcorpus mcp: {target.url} on stdio ({mode})", file=sys.stderr, flush=True)
        anyio.run(build_server(target, allow_takedown=allow_takedown).run_stdio_async)
        return 0
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, http_port))
    except OSError as exc:
        raise CatalogError(f"--http {http_port}: cannot listen on {HOST}: {exc.strerror}") from None
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(32)
    app = http_app(target, token, port, allow_takedown=allow_takedown)
    print(
        f"jpcorpus mcp: {target.url} at http://{HOST}:{port}/mcp ({mode})\n"
        f"bearer token (shown once; send it as 'Authorization: Bearer <token>'): {token}",
        flush=True,
    )
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    anyio.run(lambda: uvicorn.Server(config).serve(sockets=[sock]))
    return 0
