"""The dedup index persisted with a release, for cross-release dedup and takedowns.

Layout (``<release>/dedup/`` by default)::

    index.json                      format, MinHash scheme, banding, threshold, datasketch version
    signatures/part-<rank>.parquet  id, exact_hash, signature, duplicate_of — one row per
                                    document that entered the dedup stage

A later run names the release (or this folder) under ``against:`` and every document
that duplicates one of these rows is dropped. Signatures, not band keys, are stored,
so a later run may band differently; the MinHash scheme (permutations, seed,
n-gram, normalization, shingle hash) must match and is checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict

from corpus import storage
from corpus.dedup.lsh import Banding
from corpus.dedup.minhash import MinHashScheme
from corpus.dedup.normalize import EXACT_HASH_BYTES

INDEX_FORMAT = "jpcorpus-dedup-index/1"
INDEX_JSON = "index.json"
SIGNATURES = "signatures"
RELEASE_FOLDER = "dedup"
"""Where a release keeps its dedup index."""


def index_schema(num_perm: int) -> pa.Schema:
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("exact_hash", pa.binary(EXACT_HASH_BYTES), nullable=False),
            pa.field("signature", pa.binary(4 * num_perm), nullable=False),
            pa.field("duplicate_of", pa.string()),
        ]
    )


class IndexInfo(BaseModel):
    """The contents of ``index.json``."""

    model_config = ConfigDict(extra="forbid")

    format: str = INDEX_FORMAT
    minhash: MinHashScheme
    banding: Banding
    threshold: float
    datasketch: str
    documents: int
    parts: list[str]


class IndexMismatch(ValueError):
    """An earlier index was built with a different MinHash scheme."""


def resolve_index(path: str | Path) -> Path | str:
    """The index folder for a release folder or an index folder: a ``Path`` for a local
    folder, else its URL."""
    root = storage.resolve(path)
    for candidate in (root, storage.join(root, RELEASE_FOLDER)):
        if storage.isfile(storage.join(candidate, INDEX_JSON)):
            return candidate if storage.is_remote(candidate) else Path(candidate)
    raise FileNotFoundError(
        f"{root}: no dedup index ({INDEX_JSON} here or in {RELEASE_FOLDER}/); "
        "was that release built with the dedup stage?"
    )


def read_index(path: str | Path) -> tuple[Path | str, IndexInfo]:
    """The index folder and its description; every part it names stays inside the folder."""
    folder = resolve_index(path)
    info = IndexInfo.model_validate_json(storage.read_bytes(storage.join(str(folder), INDEX_JSON)))
    if info.format != INDEX_FORMAT:
        raise IndexMismatch(f"{folder}: index format {info.format!r}, expected {INDEX_FORMAT!r}")
    for part in info.parts:
        try:
            storage.safe_relpath(part)
        except storage.UnsafePath as exc:
            raise IndexMismatch(
                f"{folder}: {INDEX_JSON} names a part outside the index ({exc})"
            ) from None
    return folder, info


def check_compatible(folder: str | Path, info: IndexInfo, scheme: MinHashScheme) -> None:
    """Raise :class:`IndexMismatch` naming the settings that differ."""
    theirs, ours = info.minhash.model_dump(), scheme.model_dump()
    diff = {k: (theirs.get(k), v) for k, v in ours.items() if theirs.get(k) != v}
    if diff:
        shown = ", ".join(f"{k}: index {a!r} vs this run {b!r}" for k, (a, b) in diff.items())
        raise IndexMismatch(f"{folder}: dedup index not comparable ({shown})")


def write_index_info(
    folder: Path, scheme: MinHashScheme, banding: Banding, threshold: float, documents: int
) -> IndexInfo:
    folder.mkdir(parents=True, exist_ok=True)  # no signatures at all when nothing came in
    parts = sorted(str(p.relative_to(folder)) for p in (folder / SIGNATURES).glob("*.parquet"))
    info = IndexInfo(
        minhash=scheme,
        banding=banding,
        threshold=threshold,
        datasketch=metadata.version("datasketch"),  # importing datasketch costs ~0.5 s
        documents=documents,
        parts=parts,
    )
    (folder / INDEX_JSON).write_text(info.model_dump_json(indent=2) + "\n", "utf-8")
    return info


def write_takedown_index(
    source: str | Path,
    out: str | Path,
    *,
    ids: Iterable[str] = (),
    exact_hashes: Iterable[str] = (),
) -> Path:
    """Write an index holding only the rows of ``source`` named by id or exact-hash hex.

    Give the result to a later run as ``against: [out]`` and documents duplicating
    the taken-down ones are dropped even where the new release no longer has them.
    """
    folder, info = read_index(source)
    out = Path(out)
    (out / SIGNATURES).mkdir(parents=True, exist_ok=True)
    id_set = pa.array(sorted(set(ids)), pa.string())
    hash_set = pa.array(
        sorted({bytes.fromhex(h) for h in exact_hashes}), pa.binary(EXACT_HASH_BYTES)
    )
    total = 0
    for part in info.parts:
        with storage.open_read(storage.join(str(folder), part)) as f:
            table = pq.read_table(f)
        mask = pc.or_(pc.is_in(table["id"], id_set), pc.is_in(table["exact_hash"], hash_set))
        chosen = table.filter(mask)
        if chosen.num_rows:
            pq.write_table(chosen, out / SIGNATURES / Path(part).name, compression="zstd")
            total += chosen.num_rows
    write_index_info(out, info.minhash, info.banding, info.threshold, total)
    return out
