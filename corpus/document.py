"""The document record: text plus the license provenance every row carries.

Documents travel between steps as datatrove ``Document`` objects; the provenance
fields of the shard schema (:mod:`corpus.schema`) live in ``doc.metadata`` under
the same names as the columns, so there is one name for each fact.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from datatrove.data import Document

__all__ = [
    "Document",
    "REJECTION_KEY",
    "make_document",
    "document_id",
    "sha256_hex",
    "reject",
    "rejection",
]

#: metadata key under which a stage marks a document as dropped: ``(stage, reason)``.
REJECTION_KEY = "_rejected"


def sha256_hex(data: bytes | str) -> str:
    """Hex sha256 of bytes (strings are hashed as UTF-8)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def document_id(source: str, source_id: str) -> str:
    """Stable id from the source name and the document's id inside it.

    The same input gives the same id on every rerun and on any machine.

    >>> document_id("aozora", "000879/000015")
    'aozora-2601a22142a4eba0'
    """
    digest = hashlib.sha256(f"{source}\x00{source_id}".encode()).hexdigest()[:16]
    return f"{source}-{digest}"


def make_document(
    *,
    text: str,
    source: str,
    source_id: str,
    url: str = "",
    license: str | None = None,
    license_evidence: str = "",
    attribution: str = "",
    retrieved_at: datetime | None = None,
    raw: bytes | str | None = None,
    **extra: Any,
) -> Document:
    """Build a document with its provenance.

    ``raw`` is the original bytes (hashed into ``raw_sha256``); when omitted the text is hashed.
    ``license`` may be ``None`` when the source could not establish one: the license gate
    then drops the document with reason ``license_unknown``.
    """
    metadata: dict[str, Any] = {
        "source": source,
        "source_id": source_id,
        "url": url or "",
        "license": license,
        "license_evidence": license_evidence or "",
        "attribution": attribution or "",
        "retrieved_at": retrieved_at or datetime.now(UTC),
        "raw_sha256": sha256_hex(raw if raw is not None else text),
    }
    metadata.update(extra)
    return Document(text=text, id=document_id(source, source_id), metadata=metadata)


def reject(doc: Document, stage: str, reason: str) -> Document:
    """Mark ``doc`` as dropped at ``stage`` for ``reason`` (the first rejection wins)."""
    doc.metadata.setdefault(REJECTION_KEY, (stage, reason))
    return doc


def rejection(doc: Document) -> tuple[str, str] | None:
    """``(stage, reason)`` if the document was dropped, else ``None``."""
    value = doc.metadata.get(REJECTION_KEY)
    return tuple(value) if value else None
