"""The release writer: what a task holds in memory before a row group is written."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.parquet as pq

from corpus.dedup.evaluation import strip_aozora
from corpus.document import make_document
from manifests.writer import GROUP_TEXT_CHARS, ROWS_PER_GROUP, ReleaseWriter

#: five public-domain Aozora Bunko works (see that folder's SOURCE.md)
WORKS = Path(__file__).parents[1] / "corpus" / "data" / "dedup"


def novels() -> list[str]:
    return [
        strip_aozora(gzip.decompress(p.read_bytes()).decode("cp932"))
        for p in sorted(WORKS.glob("*.txt.gz"))
    ]


def test_row_groups_are_bounded_by_text_not_only_by_rows(tmp_path):
    """Long documents (whole novels) close a row group long before ROWS_PER_GROUP rows:
    the rows a task holds, and the group the next segment reads whole, stay bounded."""
    works = novels()
    longest = max(len(t) for t in works)
    copies = -(-3 * GROUP_TEXT_CHARS // sum(len(t) for t in works))  # about 3 groups' worth
    texts = [t for _ in range(copies) for t in works]
    assert len(texts) < ROWS_PER_GROUP  # the row count alone would make one group
    docs = (
        make_document(text=t, source="aozora", source_id=str(i), license="CC0-1.0")
        for i, t in enumerate(texts)
    )
    writer = ReleaseWriter(str(tmp_path), str(tmp_path / "parts"), 0, str(tmp_path / "reports"))
    list(writer.run(docs, rank=0))

    part = pq.ParquetFile(tmp_path / "parts" / "part-00000.parquet")
    groups = [
        part.read_row_group(g, columns=["char_count"])["char_count"].to_pylist()
        for g in range(part.num_row_groups)
    ]
    assert part.num_row_groups >= 3
    assert all(sum(g) < GROUP_TEXT_CHARS + longest for g in groups)
    assert [n for g in groups for n in g] == [len(t) for t in texts]  # every row, in order
    assert part.read(columns=["text"])["text"].to_pylist() == texts
