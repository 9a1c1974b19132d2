"""Each reader on the bad-input corpus, without Ray: every file gets its outcome, fast."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from corpus.document import make_document, rejection
from pipelines.config import load_pipeline
from pipelines.errors import ConfigError
from pipelines.sources.aozora import read_card_bytes
from pipelines.sources.aozora_index import read_index_file
from pipelines.sources.egov_law_text import MalformedXml, law_from_xml
from pipelines.sources.files import (
    CorruptCompressedFile,
    DecompressionBomb,
    DocumentTooLarge,
    TruncatedCompressedFile,
    bounded_lines,
    open_binary,
    read_file_bounded,
)
from pipelines.sources.limits import EXPANSION_FLOOR, MAX_DOC_BYTES
from pipelines.sources.markup import MarkupTooDeep, parse_html_within_limits
from pipelines.sources.warc import _decoded_body
from pipelines.steps import SourceReader
from tests.bad_input.corpus import NEKO, Expect, bz2_bomb, files_under, gzip_bomb, owner

REPO = Path(__file__).resolve().parents[2]


def read_all(pipeline_file: Path) -> list:
    """Every document the pipeline's sources give, through the run's first step."""
    pipeline = load_pipeline(pipeline_file)
    plan = [(s, t) for s in pipeline.sources for t in s.plan()]
    reader = SourceReader(plan)
    return [doc for rank in range(len(plan)) for doc in reader.run(rank=rank)]


def outcomes(docs: list, names: list[str]) -> dict[str | None, Expect]:
    """Per corpus file: the rejected ``(stage, reason)`` rows and the kept count."""
    rejected: dict[str | None, Counter] = {}
    kept: Counter = Counter()
    for doc in docs:
        name = owner(doc.metadata, names)
        verdict = rejection(doc)
        if verdict:
            rejected.setdefault(name, Counter())[verdict] += 1
        else:
            kept[name] += 1
    return {n: Expect(rejected.get(n, Counter()), kept[n]) for n in {*rejected, *kept}}


@pytest.fixture(scope="module")
def documents(corpus) -> dict[str, list]:
    """Documents read from each of the corpus' two pipeline files."""
    root, _ = corpus
    return {name: read_all(root / name) for name in ("pipeline.yaml", "more.yaml")}


@pytest.mark.parametrize("pipeline_file", ["pipeline.yaml", "more.yaml"])
def test_every_bad_file_gets_its_outcome(corpus, documents, pipeline_file) -> None:
    root, expected = corpus
    pipeline = load_pipeline(root / pipeline_file)
    mine: dict[str, Expect] = {}
    for source in pipeline.sources:
        where = getattr(source.params, "path", None) or source.params.index
        mine |= files_under(source.resolve(where), expected)
    got = outcomes(documents[pipeline_file], list(expected))
    assert None not in got, f"rows of no corpus file: {got.get(None)}"
    assert got == mine


def test_undeclared_japanese_encodings_are_decoded(documents) -> None:
    docs = {d.metadata["source_id"]: d for d in documents["pipeline.yaml"]}
    for name in ("utf8.txt", "sjis.txt", "eucjp.txt"):
        assert docs[name].text == NEKO and not rejection(docs[name])
    laws = [d for d in docs.values() if d.metadata["url"].endswith("-undeclared.html")]
    assert len(laws) == 2 and all("第一条" in d.text for d in laws)


# --------------------------------------------------------------------------- bounded reading


def test_bounded_lines_never_hold_a_line_over_the_limit() -> None:
    data = b"short\n" + b"x" * 5000 + b"\n" + b"y" * 10 + b"\n" + b"z" * 3000
    lines = list(bounded_lines(io.BytesIO(data), max_bytes=2048))
    assert [(n, d, s) for n, d, s in lines] == [
        (1, b"short\n", 6),
        (2, None, 5001),
        (3, b"y" * 10 + b"\n", 11),
        (4, None, 3000),
    ]
    exact = list(bounded_lines(io.BytesIO(b"a" * 2047 + b"\n"), max_bytes=2048))
    assert exact[0].data == b"a" * 2047 + b"\n"


def test_a_gzip_bomb_stops_soon_after_the_floor(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip_bomb(b'{"id": 1}\n'))
    started = time.monotonic()
    with open_binary(bomb) as f, pytest.raises(DecompressionBomb, match="more than 100x") as exc:
        while f.read(1 << 20):
            pass
    assert time.monotonic() - started < 5
    produced = int(str(exc.value).split(": ")[1].split()[0])
    assert EXPANSION_FLOOR < produced < EXPANSION_FLOOR + 8 * (1 << 20)


def test_small_repetitive_files_are_not_bombs(tmp_path: Path) -> None:
    """Below the floor any ratio is fine: 32 MB of one repeated line in a 32 KB gzip."""
    path = tmp_path / "repetitive.jsonl.gz"
    line = json.dumps({"id": "x", "text": NEKO}, ensure_ascii=False).encode() + b"\n"
    path.write_bytes(gzip.compress(line * (32 * 1024**2 // len(line)), 9))
    with open_binary(path) as f:
        assert sum(1 for _ in bounded_lines(f)) == 32 * 1024**2 // len(line)


def test_broken_compressed_files_name_what_is_wrong(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json.bz2"
    cut.write_bytes(bz2.compress(NEKO.encode() * 1000)[:-20])
    with pytest.raises(TruncatedCompressedFile), open_binary(cut) as f:
        f.read()
    bad = tmp_path / "bad.jsonl.gz"
    packed = gzip.compress(NEKO.encode() * 1000)
    bad.write_bytes(packed[:20] + bytes(b ^ 0xFF for b in packed[20:40]) + packed[40:])
    with pytest.raises(CorruptCompressedFile), open_binary(bad) as f:
        f.read()
    big = tmp_path / "big.xml.bz2"
    big.write_bytes(bz2_bomb(b"<x>", size=128 * 1024**2))
    with pytest.raises(DocumentTooLarge):  # 128 MB out of 200 bytes, but the cap comes first
        read_file_bounded(big, max_bytes=1024**2)


def test_plain_files_over_the_cap_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "sparse.txt"
    with open(path, "wb") as f:  # a sparse file: large, costs no disk
        f.truncate(MAX_DOC_BYTES + 1)
    started = time.monotonic()
    with pytest.raises(DocumentTooLarge, match=f"{MAX_DOC_BYTES + 1} bytes"):
        read_file_bounded(path)
    assert time.monotonic() - started < 0.5


# --------------------------------------------------------------------------- per source


def test_aozora_zip_member_is_read_only_up_to_the_cap(tmp_path: Path) -> None:
    card = tmp_path / "card.zip"
    with zipfile.ZipFile(card, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("card.txt", "w", force_zip64=True) as member:
            for _ in range(MAX_DOC_BYTES // (8 * 1024**2) + 1):
                member.write(b"\0" * (8 * 1024**2))
    with pytest.raises(DocumentTooLarge, match="card.zip:card.txt"):
        read_card_bytes(card)


def test_aozora_index_bomb_is_a_config_error(tmp_path: Path) -> None:
    index = tmp_path / "list_person_all_extended_utf8.csv.gz"
    index.write_bytes(gzip_bomb("作品ID,作品名\n".encode()))
    with pytest.raises(DecompressionBomb):
        read_index_file(index)
    (tmp_path / "p.yaml").write_text(f"sources:\n  - type: aozora\n    index: {index}\n")
    with pytest.raises(ConfigError, match=r"sources\[0\]\.index: .*decompression stopped"):
        load_pipeline(tmp_path / "p.yaml")


def test_markup_limits_are_named_and_do_not_leak_between_parses() -> None:
    deep = "<Law>" + "<a>" * 300 + "</a>" * 300 + "</Law>"
    with pytest.raises(MarkupTooDeep):
        law_from_xml(deep.encode())
    with pytest.raises(MalformedXml, match="not well-formed"):  # not "too deep" again
        law_from_xml(b"<Law><LawNum>")
    with pytest.raises(MarkupTooDeep):
        parse_html_within_limits("<div>" * 257 + "猫")
    assert parse_html_within_limits("<div>" * 200 + "猫").text_content() == "猫"


def test_content_encoded_page_bomb_is_cut_at_the_page_limit() -> None:
    payload = gzip_bomb(b"<html><body>", size=1024**3)
    started = time.monotonic()
    body, cut = _decoded_body(payload, {"Content-Encoding": "gzip"}, 8 * 1024**2)
    assert cut and len(body) == 8 * 1024**2
    assert time.monotonic() - started < 3
    assert _decoded_body(b"<p>plain</p>", {}, 100) == (b"<p>plain</p>", False)


# --------------------------------------------------------------------------- the first step


class _Source:
    """A stand-in source whose read raises after some documents."""

    source_type = "fake"

    def __init__(self, docs: list, error: Exception) -> None:
        self.docs, self.error = docs, error
        self.params = type("P", (), {"name": "fake"})()

    def read(self, task):
        yield from self.docs
        raise self.error


def _doc(text: str, sid: str):
    return make_document(text=text, source="fake", source_id=sid, license="CC0-1.0")


def test_source_reader_rejects_what_sources_let_through() -> None:
    docs = [_doc("猫", "a"), _doc(" \n\u3000", "b"), _doc("猫\x00犬", "c"), _doc("犬", "d")]
    reader = SourceReader([(_Source(docs, TruncatedCompressedFile("x.gz: cut")), {"file": "x"})])
    out = list(reader.run(rank=0))
    assert [rejection(d) for d in out] == [
        None,
        ("read", "empty_text"),
        ("read", "nul_in_text"),
        None,
        ("read", "truncated_compressed_file"),
    ]
    assert out[2].text == "" and "x.gz: cut" in out[-1].metadata["reject_detail"]
    assert out[-1].metadata["source_id"] == "{'file': 'x'}#after-4-documents"
    other = SourceReader([(_Source([], KeyError("boom")), {"file": "y"})])
    assert rejection(next(other.run(rank=0))) == ("read", "read_error:KeyError")


# --------------------------------------------------------------------------- memory

_PEAK = """
import os, re, sys
from pipelines.config import load_pipeline
from pipelines.steps import SourceReader

def high_water_mb():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1]) // 1024

plan = [(s, t) for f in sys.argv[1:3] for s in load_pipeline(f).sources for t in s.plan()]
for name in sys.argv[3:]:
    tasks = [(s, t) for s, t in plan if name in str(t)]
    if os.fork() == 0:  # a child per file: the imports are paid once, the peak is its own
        base = high_water_mb()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the high-water mark to the current RSS
        rss = high_water_mb()
        docs = sum(1 for r in range(len(tasks)) for _ in SourceReader(tasks).run(rank=r))
        print(name, docs, rss, high_water_mb(), flush=True)
        os._exit(0)
    os.wait()
"""

#: file -> most the reader may add to the resident set while reading it (MB): one document
#: up to the byte cap for the 200 MB line, the decompression floor for the bombs, ~nothing
#: for the 200 MB text file (refused by its size)
PEAK_LIMIT_MB = {
    "lines.jsonl": MAX_DOC_BYTES // 1024**2 + 60,
    "big.txt": 30,
    "bomb.jsonl.gz": EXPANSION_FLOOR // 1024**2 + 60,
    "bomb.warc.gz": EXPANSION_FLOOR // 1024**2 + 60,
    "bomb.json.bz2": EXPANSION_FLOOR // 1024**2 + 60,
}


def test_peak_memory_reading_huge_inputs_stays_bounded(corpus) -> None:
    """Peak RSS growth while each huge file is read (a forked process per file)."""
    root, _ = corpus
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, str(root / "pipeline.yaml"), str(root / "more.yaml")]
        + list(PEAK_LIMIT_MB),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    growth = {}
    for line in proc.stdout.splitlines():
        name, docs, rss, peak = line.split()
        assert int(docs) >= 1
        growth[name] = int(peak) - int(rss)
    print("peak RSS growth (MB):", growth)
    assert growth.keys() == PEAK_LIMIT_MB.keys()
    assert all(growth[n] < PEAK_LIMIT_MB[n] for n in growth), growth
