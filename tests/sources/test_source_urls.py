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


@pytest.mark.parametrize("kind", ["text_dir", "pdf"])
def test_a_planned_file_missing_on_the_worker_fails_the_task(tmp_path: Path, kind: str) -> None:
    """A file the driver planned but this worker cannot find (a disk the node does not
    share, a file removed since planning) fails the task instead of becoming a row."""
    from pipelines.sources.pdf import PdfParams, PdfSource
    from pipelines.sources.text_dir import TextDirParams, TextDirSource
    from pipelines.steps import SourceReader

    folder = tmp_path / "in"
    folder.mkdir()
    if kind == "pdf":
        pdfs = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
        (folder / "a.pdf").write_bytes((pdfs / "pdfjs_vertical.pdf").read_bytes())
        src = PdfSource(PdfParams(type="pdf", path=str(folder)), tmp_path)
    else:
        (folder / "a.txt").write_text("吾輩は猫である。", "utf-8")
        params = TextDirParams(
            type="text_dir", path=str(folder), license="CC0-1.0", license_evidence="x"
        )
        src = TextDirSource(params, tmp_path)
    (task,) = src.plan()
    for name in task["files"]:
        Path(name).unlink()
    with pytest.raises(FileNotFoundError, match="not readable on this worker"):
        list(SourceReader([(src, task)]).run(rank=0))
