"""``jpcorpus trace DIR DOC_ID``: one document from its source to its shard.

The trace gathers, for one id, what the release knows: where the document came
from (source, source id, URL, when it was read, the hash of the original bytes),
its license with the evidence and the attribution, the decision of each stage in
the order the pipeline ran them (kept, dropped with reason and detail, or not
reached after a drop), the signals the stages left in the shard columns (language,
quality signals, PII counts, dedup cluster), and the shard or rejected/ file that
holds it. ``DIR`` may also be a catalog: the current version is traced and every
published version and takedown request that concerns the document is listed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.schema import as_dict
from licenses.registry import get_license
from manifests.layout import MANIFEST
from manifests.publish import PolicyUnavailable, policy_of
from manifests.release import read_manifest
from manifests.remote import UnsafeRelease, listed_files

#: stages every run passes before the configured ones; a source's own decisions
#: (e.g. ``optout`` for web pages) come between reading and the license gate
ENTRY_STAGES = ("read", "license")
DERIVED_STAGES = ("takedown", "pull")

#: shard columns that hold what stages measured
SIGNAL_COLUMNS = (
    "lang",
    "lang_score",
    "quality_signals",
    "pii_redactions",
    "pii_detail",
    "dedup_cluster_id",
    "dedup_cluster_size",
    "char_count",
    "optout_checks",
)

PREVIEW_CHARS = 200


class TraceError(LookupError):
    """The document or the release cannot be found."""


def _find(files: list[Path], column: str, value: str) -> tuple[Path, dict[str, Any]] | None:
    for path in files:
        table = pq.read_table(path, filters=[(column, "=", value)])
        if table.num_rows:
            return path, table.slice(0, 1).to_pylist()[0]
    return None


def _ids_where(files: list[Path], column: str, value: str) -> list[str]:
    ids: list[str] = []
    for path in files:
        table = pq.read_table(path, columns=["id", column])
        ids += table.filter(pc.equal(table[column], value))["id"].to_pylist()
    return ids


def stage_order(manifest: dict[str, Any]) -> list[str]:
    """The stages a release's documents went through, in the order they ran."""
    configured = []
    for entry in manifest.get("config", {}).get("stages", []):
        name = next(iter(entry)) if isinstance(entry, dict) else str(entry)
        if name not in configured and name not in ENTRY_STAGES:
            configured.append(name)
    dropped = manifest.get("accounting", {}).get("dropped", {})
    known = {*ENTRY_STAGES, *configured, *DERIVED_STAGES}
    at_source = sorted(s for s in dropped if s not in known)
    derived = [s for s in DERIVED_STAGES if s in dropped and s not in configured]
    return [ENTRY_STAGES[0], *at_source, *ENTRY_STAGES[1:], *configured, *derived]


def resolve_id(release_dir: Path, manifest: dict[str, Any], key: str) -> str:
    """``key`` as a document id; a URL or source id that names one document is accepted."""
    files = [release_dir / e["path"] for e in manifest["shards"] + manifest.get("rejected", [])]
    if _find(files, "id", key):
        return key
    for column in ("url", "source_id"):
        ids = sorted(set(_ids_where(files, column, key)))
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            raise TraceError(f"{key}: {len(ids)} documents have this {column}: {', '.join(ids)}")
    raise TraceError(f"{key}: no document with this id, URL or source id in {release_dir}")


def trace_document(release_dir: str | Path, doc_id: str) -> dict[str, Any]:
    """Everything the release records about one document (see the module docstring)."""
    root = Path(release_dir)
    if not (root / MANIFEST).is_file():
        raise TraceError(f"{root}: not a release (no {MANIFEST}) and not a catalog")
    manifest = read_manifest(root)
    try:
        listed_files(manifest)  # every path it names stays inside the release
    except UnsafeRelease as exc:
        raise TraceError(f"{root}: {exc}") from None
    doc_id = resolve_id(root, manifest, doc_id)
    kept = _find([root / e["path"] for e in manifest["shards"]], "id", doc_id)
    rejected = None
    if kept is None:
        rejected = _find([root / e["path"] for e in manifest.get("rejected", [])], "id", doc_id)
    path, row = kept or rejected  # resolve_id found it in one of them
    lic_id = row.get("license")
    lic = get_license(lic_id)
    try:
        admitted, policy_reason = policy_of(manifest).decide(lic_id)
    except PolicyUnavailable as exc:
        admitted, policy_reason = None, str(exc)
    trace: dict[str, Any] = {
        "id": doc_id,
        "release": {
            "path": str(root),
            "name": manifest.get("name"),
            "version": manifest.get("version"),
            "manifest_sha256": manifest.get("manifest_sha256"),
        },
        "status": "kept" if kept else "dropped",
        "origin": {
            k: _plain(row.get(k))
            for k in ("source", "source_id", "url", "retrieved_at", "raw_sha256")
            if k in row
        },
        "license": {
            "id": lic_id,
            "name": lic.name if lic else None,
            "url": lic.url if lic else None,
            "obligations": lic.obligations if lic else [],
            "policy": manifest.get("policy", "default"),
            "admitted": admitted,
            "policy_decision": policy_reason,
            "evidence": row.get("license_evidence"),
            "attribution": row.get("attribution"),
        },
        "stages": _decisions(manifest, row if rejected else None),
        "location": {"file": str(path.relative_to(root))},
    }
    if kept:
        trace["signals"] = {
            k: _plain(row.get(k)) for k in SIGNAL_COLUMNS if row.get(k) not in (None, [], {})
        }
        text = row.get("text") or ""
        trace["text_preview"] = text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else "")
        trace["location"]["sha256"] = next(
            e["sha256"] for e in manifest["shards"] if root / e["path"] == path
        )
    else:
        if row.get("duplicate_of"):
            trace["duplicate_of"] = row["duplicate_of"]
            survivor = _find(
                [root / e["path"] for e in manifest["shards"]], "id", row["duplicate_of"]
            )
            if survivor:
                trace["signals"] = {
                    "dedup_cluster_id": survivor[1].get("dedup_cluster_id"),
                    "dedup_cluster_size": survivor[1].get("dedup_cluster_size"),
                }
    return trace


def _decisions(manifest: dict[str, Any], rejected_row: dict[str, Any] | None) -> list[dict]:
    names = stage_order(manifest)
    if rejected_row and rejected_row["stage"] not in names:
        names.insert(1, rejected_row["stage"])  # a source's own decision, made when reading
    out, dropped = [], False
    for name in names:
        if dropped:
            out.append({"stage": name, "decision": "not reached"})
        elif rejected_row and rejected_row["stage"] == name:
            step = {"stage": name, "decision": "dropped", "reason": rejected_row["reason"]}
            if rejected_row.get("detail"):
                step["detail"] = rejected_row["detail"]
            if rejected_row.get("duplicate_of"):
                step["duplicate_of"] = rejected_row["duplicate_of"]
            out.append(step)
            dropped = True
        else:
            out.append({"stage": name, "decision": "kept"})
    return out


def _plain(value: Any) -> Any:
    """JSON-friendly: named values (key/value lists, or maps of schema version 1) as dicts,
    timestamps as ISO strings."""
    if isinstance(value, list) and value and isinstance(value[0], tuple | dict):
        return as_dict(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def trace_in_catalog(catalog_url: str, doc_id: str, version: str | None = None) -> dict[str, Any]:
    """Trace in ``version`` (the current one by default), plus the document's history
    across versions."""
    from manifests.catalog import open_catalog

    catalog = open_catalog(catalog_url)
    with catalog.local_copy(version) as current:
        try:
            trace = trace_document(current, doc_id)
        except TraceError:
            where = f"version {version}" if version else "the current version"
            trace = {"id": doc_id, "status": f"absent from {where}"}
    doc_id = trace["id"]
    origin = trace.get("origin", {})
    history = []
    for record in catalog.versions():
        manifest = catalog.read_version_manifest(record)
        base = catalog.version_path(record.version)
        state = "absent"
        for kind, entries in (("kept", manifest["shards"]), ("dropped", manifest["rejected"])):
            for entry in entries:
                with catalog.fs.open(f"{base}/{entry['path']}", "rb") as f:
                    ids = pq.read_table(f, columns=["id"])["id"]
                if pc.any(pc.equal(ids, doc_id)).as_py():
                    state = kind
            if state != "absent":
                break
        history.append(
            {"version": record.version, "status": record.status, "reason": record.reason,
             "document": state}
        )  # fmt: skip
    trace["catalog"] = {
        "url": catalog_url,
        "versions": history,
        "takedowns": [
            {"request": r.id, "reason": r.reason, "requested_at": r.requested_at}
            for r in catalog.requests()
            if doc_id in r.matched or r.rules.match(doc_id, origin.get("url"), origin.get("source"))
        ],
    }
    return trace


def render_trace(trace: dict[str, Any], console: Any) -> None:
    """Print a trace for a reader (``console`` is a ``rich.console.Console``).

    Everything from the release is data: printed as :class:`rich.text.Text` (``[/red]`` in
    evidence is text, not markup) with control characters shown escaped
    (:func:`printable`), so no ESC sequence reaches the terminal.
    """
    from rich.table import Table
    from rich.text import Text

    def t(value: Any) -> Text:
        return Text(printable(_show(value)))

    release = trace.get("release", {})
    head = Text.assemble(
        (printable(str(trace["id"])), "bold"), "  " + printable(str(trace["status"])).upper()
    )
    if release:
        head.append(printable(f"  in {release.get('name')} {release.get('version')}"))
    console.print(head)
    for title, section in (("origin", trace.get("origin")), ("license", trace.get("license"))):
        if not section:
            continue
        table = Table(title=title, show_header=False, title_justify="left")
        for key, value in section.items():
            if key == "obligations":
                table.add_row(t(key), t(value) if value else Text("none"))
            elif value not in (None, ""):  # rejected/ rows keep provenance, not evidence
                table.add_row(t(key), t(value))
        console.print(table)
    if trace.get("stages"):
        table = Table("stage", "decision", "reason / detail", title="stages", title_justify="left")
        for step in trace["stages"]:
            why = " — ".join(
                str(step[k]) for k in ("reason", "detail", "duplicate_of") if step.get(k)
            )
            table.add_row(t(step["stage"]), t(step["decision"]), t(why))
        console.print(table)
    if trace.get("signals"):
        table = Table(title="signals", show_header=False, title_justify="left")
        for key, value in trace["signals"].items():
            table.add_row(t(key), t(value))
        console.print(table)
    if trace.get("location"):
        where = ", ".join(f"{k} {v}" for k, v in trace["location"].items())
        console.print(Text("location: " + printable(where)))
    if trace.get("text_preview"):
        console.print(Text("text: " + printable(trace["text_preview"].replace("\n", " "))))
    if trace.get("catalog"):
        table = Table("version", "status", "document", "why", title="catalog", title_justify="left")
        for v in trace["catalog"]["versions"]:
            table.add_row(t(v["version"]), t(v["status"]), t(v["document"]), t(v["reason"]))
        console.print(table)
        for r in trace["catalog"]["takedowns"]:
            line = f"takedown {r['request']} ({r['requested_at']}): {r['reason']}"
            console.print(Text(printable(line)))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with control characters (ESC, bidi overrides …) shown as escapes.

    >>> print(printable("証拠\x1b[31m赤\x1b[0m\u202e"))
    証拠\x1b[31m赤\x1b[0m\u202e
    """
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)
