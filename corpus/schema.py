"""The one Arrow schema of shard rows and of rejected rows (DESIGN §5, §3).

Every shard is written with :data:`SHARD_SCHEMA`, so no shard drifts from another.
Stages add their signals to the optional columns declared here, nowhere else.

Named counts and measures (``pii_detail``, ``quality_signals``) are lists of
``{key, value}`` structs sorted by key, not Arrow maps: a map column has no
``datasets`` dtype and breaks ``load_dataset``, while a list of structs reads the same
in pyarrow, DuckDB (``map_from_entries(quality_signals)``), Polars, pandas and
``datasets``. The layout has a number, :data:`SCHEMA_VERSION`, recorded in every
manifest; :func:`shard_schema` gives the schema of each version a release may carry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from corpus.document import REJECTION_KEY, Document, rejection

#: Provenance columns every document carries from its source.
PROVENANCE_COLUMNS = (
    "source",
    "source_id",
    "url",
    "license",
    "license_evidence",
    "attribution",
    "retrieved_at",
    "raw_sha256",
)

#: Version of the shard layout written by this code (a manifest without one is version 1).
SCHEMA_VERSION = 2


def key_value_type(value_type: pa.DataType) -> pa.DataType:
    """A list of ``{key, value}`` structs, the column type of named counts and measures.

    The list's item is named ``element``, as Parquet stores it, so a schema read back
    from a shard equals the one written.
    """
    entry = pa.struct(
        [
            pa.field("key", pa.string(), nullable=False),
            pa.field("value", value_type, nullable=False),
        ]
    )
    return pa.list_(pa.field("element", entry, nullable=False))


PII_DETAIL_TYPE = key_value_type(pa.int32())
QUALITY_SIGNALS_TYPE = key_value_type(pa.float64())

SHARD_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("license", pa.string(), nullable=False),
        pa.field("license_evidence", pa.string(), nullable=False),
        pa.field("attribution", pa.string()),
        pa.field("retrieved_at", pa.timestamp("us", tz="UTC")),
        pa.field("raw_sha256", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("lang_score", pa.float64()),
        pa.field("pii_redactions", pa.int32()),
        # optional signals filled by stages (null when the stage did not run)
        pa.field("pii_detail", PII_DETAIL_TYPE),
        pa.field("quality_signals", QUALITY_SIGNALS_TYPE),
        pa.field("dedup_cluster_id", pa.string()),
        pa.field("dedup_cluster_size", pa.int32()),
        pa.field("char_count", pa.int64()),
        # opt-out signals checked for web pages, e.g. "robots.txt=none(…); tdm-reservation=none(…)"
        pa.field("optout_checks", pa.string()),
    ]
)

#: Named-value columns, and the Arrow map type they had in shard schema version 1.
KEY_VALUE_COLUMNS = {
    "pii_detail": pa.map_(pa.string(), pa.int32()),
    "quality_signals": pa.map_(pa.string(), pa.float64()),
}

#: Version 1 (releases built before the version was recorded): the two columns above
#: were Arrow maps. Kept to read, audit and upgrade such releases; never written.
SHARD_SCHEMA_V1 = pa.schema(
    [
        pa.field(f.name, KEY_VALUE_COLUMNS[f.name]) if f.name in KEY_VALUE_COLUMNS else f
        for f in SHARD_SCHEMA
    ]
)

SHARD_SCHEMAS = {1: SHARD_SCHEMA_V1, SCHEMA_VERSION: SHARD_SCHEMA}


class UnknownSchemaVersion(ValueError):
    """A release whose shard layout this code does not know (made by a newer jpcorpus)."""


def shard_schema(version: int) -> pa.Schema:
    """The shard schema of layout ``version``.

    >>> shard_schema(2).field("pii_detail").type
    ListType(list<element: struct<key: string not null, value: int32 not null> not null>)
    >>> shard_schema(9)
    Traceback (most recent call last):
    ...
    corpus.schema.UnknownSchemaVersion: shard schema version 9 is not known here (this jpcorpus reads versions 1-2); a newer jpcorpus wrote it
    """
    if version not in SHARD_SCHEMAS:
        raise UnknownSchemaVersion(
            f"shard schema version {version} is not known here (this jpcorpus reads versions "
            f"{min(SHARD_SCHEMAS)}-{max(SHARD_SCHEMAS)}); a newer jpcorpus wrote it"
        )
    return SHARD_SCHEMAS[version]


def upgrade_table(table: pa.Table, version: int) -> pa.Table:
    """Shard rows of layout ``version`` in the current layout (maps become key/value lists).

    >>> old = pa.table({"pii_detail": pa.array([[("EMAIL", 1)], None], KEY_VALUE_COLUMNS["pii_detail"])})
    >>> upgrade_table(old, 1)["pii_detail"].to_pylist()
    [[{'key': 'EMAIL', 'value': 1}], None]
    """
    shard_schema(version)
    if version == SCHEMA_VERSION:
        return table
    for name in KEY_VALUE_COLUMNS:
        if name in table.column_names:
            values = [key_values(v) for v in table[name].to_pylist()]
            column = pa.array(values, SHARD_SCHEMA.field(name).type)
            table = table.set_column(table.column_names.index(name), name, column)
    return table


def key_values(value: Any) -> list[dict[str, Any]] | None:
    """A mapping (dict, map pairs or key/value structs) as ``{key, value}`` structs sorted by key.

    >>> key_values({"PHONE": 1, "EMAIL": 2})
    [{'key': 'EMAIL', 'value': 2}, {'key': 'PHONE', 'value': 1}]
    >>> key_values(None) is None
    True
    """
    if value is None:
        return None
    return [{"key": k, "value": v} for k, v in sorted(as_dict(value).items())]


def as_dict(value: Any) -> dict[str, Any]:
    """A named-value column's cell as a dict, whichever layout it was read from.

    >>> as_dict([{"key": "hiragana_ratio", "value": 0.41}])
    {'hiragana_ratio': 0.41}
    >>> as_dict([("EMAIL", 1)]), as_dict(None)
    ({'EMAIL': 1}, {})
    """
    if value is None:
        return {}
    if isinstance(value, dict):
        return dict(value)
    return {
        (e["key"] if isinstance(e, dict) else e[0]): (e["value"] if isinstance(e, dict) else e[1])
        for e in value
    }


REJECTED_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string()),
        pa.field("source_id", pa.string()),
        pa.field("url", pa.string()),
        pa.field("license", pa.string()),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("duplicate_of", pa.string()),
    ]
)

_SHARD_COLUMNS = [f.name for f in SHARD_SCHEMA]


def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def shard_row(doc: Document) -> dict[str, Any]:
    """The shard row of a kept document."""
    meta = doc.metadata
    row = {name: meta.get(name) for name in _SHARD_COLUMNS}
    row["id"] = doc.id
    row["text"] = doc.text
    row["retrieved_at"] = _as_utc(meta.get("retrieved_at"))
    row["pii_redactions"] = int(meta.get("pii_redactions") or 0)
    row["pii_detail"] = key_values(meta.get("pii_detail"))
    row["quality_signals"] = key_values(meta.get("quality_signals"))
    row["char_count"] = len(doc.text)
    return row


def rejected_row(doc: Document) -> dict[str, Any]:
    """The rejected/ row of a dropped document: provenance and reason, never its text."""
    stage, reason = rejection(doc) or ("unknown", "unknown")
    meta = doc.metadata
    return {
        "id": doc.id,
        "source": meta.get("source"),
        "source_id": meta.get("source_id"),
        "url": meta.get("url"),
        "license": meta.get("license"),
        "stage": stage,
        "reason": reason,
        "detail": meta.get("reject_detail"),
        "duplicate_of": meta.get("duplicate_of"),
    }


def document_from_row(row: dict[str, Any]) -> Document:
    """Rebuild a document from a shard row (for stages that run on written shards)."""
    meta = {k: v for k, v in row.items() if k not in ("id", "text") and v is not None}
    for key in KEY_VALUE_COLUMNS:
        if key in meta:
            meta[key] = as_dict(meta[key])
    meta.pop(REJECTION_KEY, None)
    return Document(text=row["text"], id=row["id"], metadata=meta)
