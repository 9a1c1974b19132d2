"""The one Arrow schema of shard rows and of rejected rows (DESIGN §5, §3).

Every shard is written with :data:`SHARD_SCHEMA`, so no shard drifts from another.
Stages add their signals to the optional columns declared here, nowhere else.
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
        pa.field("pii_detail", pa.map_(pa.string(), pa.int32())),
        pa.field("quality_signals", pa.map_(pa.string(), pa.float64())),
        pa.field("dedup_cluster_id", pa.string()),
        pa.field("dedup_cluster_size", pa.int32()),
        pa.field("char_count", pa.int64()),
        # opt-out signals checked for web pages, e.g. "robots.txt=none(…); tdm-reservation=none(…)"
        pa.field("optout_checks", pa.string()),
    ]
)

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


def _as_map(value: Any) -> list[tuple[str, Any]] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return sorted(value.items())
    return list(value)


def shard_row(doc: Document) -> dict[str, Any]:
    """The shard row of a kept document."""
    meta = doc.metadata
    row = {name: meta.get(name) for name in _SHARD_COLUMNS}
    row["id"] = doc.id
    row["text"] = doc.text
    row["retrieved_at"] = _as_utc(meta.get("retrieved_at"))
    row["pii_redactions"] = int(meta.get("pii_redactions") or 0)
    row["pii_detail"] = _as_map(meta.get("pii_detail"))
    row["quality_signals"] = _as_map(meta.get("quality_signals"))
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
    for key in ("pii_detail", "quality_signals"):
        if key in meta and not isinstance(meta[key], dict):
            meta[key] = dict(meta[key])
    meta.pop(REJECTION_KEY, None)
    return Document(text=row["text"], id=row["id"], metadata=meta)
