"""File-set sources read through fsspec: a folder behind a URL gives the same documents.

The bundled sample's law pages/XML (e-Gov), Wikipedia text and wikitext dump, copied to fsspec's
in-memory filesystem (standing in for any object store) and named by ``file://`` URLs.
"""

from __future__ import annotations

from pathlib import Path

import fsspec
import pytest

from pipelines.config import parse_pipeline

SAMPLE = Path(__file__).resolve().parents[2] / "pipelines" / "sample"

SOURCES = {
    "egov_law": ({"type": "egov_law"}, SAMPLE / "laws"),
    "text_dir": (
        {"type": "text_dir", "license": "CC-BY-SA-3.0", "license_evidence": "nlp100 readme"},
        SAMPLE / "wikipedia" / "text",
    ),
    "wikipedia": ({"type": "wikipedia", "license": "CC-BY-SA-3.0"}, SAMPLE / "wikipedia"),
}


def _read(entry: dict) -> list[tuple]:
    (source,) = parse_pipeline({"name": "urls", "sources": [entry]}, base_dir=SAMPLE).sources
    docs = [d for task in source.plan() for d in source.read(task)]
    return [
        (d.id, d.text, sorted((k, v) for k, v in d.metadata.items() if k != "retrieved_at"))
        for d in docs
    ]


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_a_folder_behind_a_url_reads_as_the_local_folder(kind: str) -> None:
    entry, folder = SOURCES[kind]
    local = _read(entry | {"path": str(folder)})
    assert local
    assert _read(entry | {"path": f"file://{folder}"}) == local
    fs = fsspec.filesystem("memory")
    for path in folder.rglob("*"):
        if path.is_file():
            fs.pipe(f"/urls-{kind}/{path.relative_to(folder)}", path.read_bytes())
    try:
        assert _read(entry | {"path": f"memory://urls-{kind}"}) == local
    finally:
        fs.rm(f"/urls-{kind}", recursive=True)
