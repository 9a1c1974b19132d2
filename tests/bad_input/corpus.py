"""The bad-input corpus: broken inputs of every kind, written into a folder at test time.

:func:`build` writes one folder per source type and returns, per file, what a run must
make of it (:class:`Expect`: the rejected ``(stage, reason)`` rows and how many documents
are kept). Large and dangerous files — the 200 MB document, the decompression bombs —
exist only here, generated in well under a second each: nothing of the sort is committed.

Every rejected row and every kept row names its file in ``source_id`` or ``url`` (file
name, ``<file>:<line>``, an id or URL that starts with the file name), so the test can
attribute each row to exactly one file (:func:`owner`).
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import zstandard
from warcio.archiveiterator import ArchiveIterator

from pipelines.crawler.fetch import FetchResult
from pipelines.crawler.warc_out import WarcRecorder

REPO = Path(__file__).resolve().parents[2]
LAW_HTML = REPO / "pipelines" / "sample" / "laws" / "html"
WEB_PAGES = REPO / "tests" / "fixtures" / "web" / "pages"
#: a short law page (Shift_JIS, declared in a <meta>) and another one
SMALL_LAW = "196fc2de1bfe41d97b0c981fd07ffa63d826bbac04524913c9783aa4216b3f18b277a09e226c863ad55846b74fe284748061ae59f50a045a858be4236ace636d.html"
OTHER_LAW = "1d9f368d338be78a31edcd54310b0e5efa3cde7945394d2de144b6b3592d7869000cf2e15efd01ee344e5c180ad679c190bcebe5cc1fd9eeae2cdc6d7437cea6.html"

NEKO = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"
BOMB_BYTES = 10 * 1024**3
"""What each decompression bomb would expand to (10 GiB) from about 10 MB on disk."""
DEEP = 1000
"""Nesting depth of the deep markup (libxml2 stops at 256)."""
WHEN = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Expect:
    """What a run makes of one file: rejected ``(stage, reason)`` rows and kept documents."""

    rejected: Counter = field(default_factory=Counter)
    kept: int = 0

    @classmethod
    def of(cls, *rejected: tuple[str, str], kept: int = 0) -> Expect:
        return cls(Counter(rejected), kept)


def read(reason: str) -> tuple[str, str]:
    return ("read", reason)


# --------------------------------------------------------------------------- bombs


def gzip_bomb(prefix: bytes, size: int = BOMB_BYTES, block: int = 64 * 1024**2) -> bytes:
    """One gzip member: ``prefix`` then ``size`` NUL bytes, built without compressing them all.

    After a full flush deflate forgets its history, so a block of zeros compresses to the
    same bytes every time and is repeated. The trailer's CRC is not computed: a reader
    that gets that far has already failed.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    zeros = c.compress(b"\0" * block) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush()
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", 0, (len(prefix) + size) & 0xFFFFFFFF)
    return header + head + zeros * (size // block) + tail + trailer


def bz2_bomb(prefix: bytes, size: int = BOMB_BYTES, block: int = 64 * 1024**2) -> bytes:
    """``prefix`` then ``size`` NUL bytes as bzip2 streams (readers join them): ~13 KB."""
    return bz2.compress(prefix) + bz2.compress(b"\0" * block) * (size // block)


def zstd_bomb(prefix: bytes, size: int = BOMB_BYTES, block: int = 64 * 1024**2) -> bytes:
    """``prefix`` then ``size`` NUL bytes as Zstandard frames (readers join them): ~330 KB."""
    cctx = zstandard.ZstdCompressor()
    return cctx.compress(prefix) + cctx.compress(b"\0" * block) * (size // block)


def write_big_jsonl_line(f: io.BufferedWriter, doc_id: str, size: int) -> None:
    """One JSONL line of about ``size`` bytes of Japanese text, written in pieces."""
    piece = ("猫" * 4096).encode()
    f.write(json.dumps({"id": doc_id, "text": ""}, ensure_ascii=False)[:-2].encode())
    written = 0
    while written < size:
        f.write(piece)
        written += len(piece)
    f.write(b'"}\n')


# --------------------------------------------------------------------------- per source


def _jsonl(folder: Path, more: Path, big: int) -> dict[str, Expect]:
    folder.mkdir(parents=True)
    more.mkdir(parents=True)

    def line(**obj: object) -> bytes:
        return json.dumps(obj, ensure_ascii=False).encode() + b"\n"

    lines = [
        line(id="lines.jsonl/good", text=NEKO),
        b'{"id": "lines.jsonl/cut", "text": \n',  # not JSON
        b"[1, 2, 3]\n",  # JSON, not an object
        line(id="lines.jsonl/sjis", text="").replace(b'""', f'"{NEKO}"'.encode("cp932")),
        line(id="lines.jsonl/euc", text="").replace(b'""', f'"{NEKO}"'.encode("euc_jp")),
        line(id="lines.jsonl/bad-utf8", text="").replace(b'""', b'"\xe7\x8c\xff"'),
        line(id="lines.jsonl/nul-escaped", text="猫\u0000犬"),
        b'{"id": "lines.jsonl/nul-raw", "text": "\xe7\x8c\xab\x00"}\n',  # raw NUL: not JSON
        line(id="lines.jsonl/no-text"),
        line(id="lines.jsonl/text-number", text=42),
        line(id="lines.jsonl/license-number", text=NEKO, license=5),
        line(id={"nested": "lines.jsonl"}, text=NEKO),
        line(id="lines.jsonl/good", text="同じ id の別の行。"),
        b"   \n",  # blank: not a document
        line(id="lines.jsonl/blank-text", text=" \n\u3000 "),
        b'{"id": "lines.jsonl/last", "te',  # the last line, cut, without newline
    ]
    with open(folder / "lines.jsonl", "wb") as f:
        f.writelines(lines[:2])
        write_big_jsonl_line(f, "lines.jsonl/huge", big)  # line 3: the 200 MB document
        f.writelines(lines[2:])
    (more / "empty.jsonl").write_bytes(b"")
    (folder / "bomb.jsonl.gz").write_bytes(gzip_bomb(line(id="bomb.jsonl.gz/before", text=NEKO)))
    good = b"".join(line(id=f"truncated.jsonl.gz/{i}", text=NEKO * 20) for i in range(400))
    packed = gzip.compress(good)
    cut = packed[: len(packed) * 2 // 3]
    (folder / "truncated.jsonl.gz").write_bytes(cut)
    survived = zlib.decompressobj(31).decompress(cut).count(b"\n")
    (more / "corrupt.jsonl.gz").write_bytes(b"this is not gzip at all\n" * 10)
    (folder / "bomb.jsonl.zst").write_bytes(zstd_bomb(line(id="bomb.jsonl.zst/before", text=NEKO)))
    good = b"".join(line(id=f"truncated.jsonl.zst/{i}", text=NEKO * 20) for i in range(400))
    packed = zstandard.compress(good)
    cut = packed[: len(packed) * 2 // 3]
    (folder / "truncated.jsonl.zst").write_bytes(cut)
    survived_zst = zstandard.ZstdDecompressor().decompressobj().decompress(cut).count(b"\n")
    (more / "corrupt.jsonl.zst").write_bytes(b"this is not zstd at all\n" * 10)
    return {
        "lines.jsonl": Expect.of(
            *[read("malformed_jsonl")] * 6,
            *[read("invalid_utf8")] * 3,
            read("nul_in_text"),
            *[read("missing_text")] * 2,
            read("duplicate_id"),
            read("empty_text"),
            read("document_too_large"),
            kept=1,
        ),
        "empty.jsonl": Expect.of(read("empty_file")),
        "bomb.jsonl.gz": Expect.of(read("decompression_bomb"), kept=1),
        "truncated.jsonl.gz": Expect.of(read("truncated_compressed_file"), kept=survived),
        "corrupt.jsonl.gz": Expect.of(read("corrupt_compressed_file")),
        "bomb.jsonl.zst": Expect.of(read("decompression_bomb"), kept=1),
        "truncated.jsonl.zst": Expect.of(read("truncated_compressed_file"), kept=survived_zst),
        "corrupt.jsonl.zst": Expect.of(read("corrupt_compressed_file")),
    }


def _text(folder: Path, big: int) -> dict[str, Expect]:
    folder.mkdir(parents=True)
    (folder / "utf8.txt").write_text(NEKO, encoding="utf-8")
    (folder / "sjis.txt").write_bytes(NEKO.encode("cp932"))
    (folder / "eucjp.txt").write_bytes(NEKO.encode("euc_jp"))
    (folder / "invalid_utf8.txt").write_bytes(NEKO.encode()[:10] + b"\xff\xfe" + NEKO.encode())
    (folder / "nul.txt").write_bytes(NEKO.encode() + b"\x00" + NEKO.encode())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b" \n\t\n\xe3\x80\x80\n")  # ASCII and ideographic space
    with open(folder / "big.txt", "wb") as f:
        piece = (NEKO * 1000).encode()
        for _ in range(big // len(piece) + 1):
            f.write(piece)
    return {
        "utf8.txt": Expect.of(kept=1),
        "sjis.txt": Expect.of(kept=1),
        "eucjp.txt": Expect.of(kept=1),
        "invalid_utf8.txt": Expect.of(read("undecodable_text")),
        "nul.txt": Expect.of(read("undecodable_text")),
        "empty.txt": Expect.of(read("empty_text")),
        "blank.txt": Expect.of(read("empty_text")),
        "big.txt": Expect.of(read("document_too_large")),
    }


def _fetch(url: str, body: bytes, **headers: str) -> FetchResult:
    hdrs = [("Content-Type", headers.pop("content_type", "text/html; charset=utf-8"))]
    hdrs += [(k.replace("_", "-"), v) for k, v in headers.items()]
    return FetchResult(url=url, started=WHEN, ip="192.0.2.1", status=200, reason="OK",
                       headers=hdrs, body=body)  # fmt: skip


def _deep_html(page: bytes, depth: int = DEEP) -> bytes:
    """``page`` with its body wrapped in ``depth`` nested ``<div>`` elements."""
    start = page.lower().index(b"<body")
    start = page.index(b">", start) + 1
    end = page.lower().rindex(b"</body")
    return page[:start] + b"<div>" * depth + page[start:end] + b"</div>" * depth + page[end:]


def _example_com() -> bytes:
    """The example.com page as captured (warcio's test data in tests/fixtures/warc): English."""
    with (REPO / "tests" / "fixtures" / "warc" / "example.warc").open("rb") as f:
        response = next(r for r in ArchiveIterator(f) if r.rec_type == "response")
        return response.content_stream().read()


def _warc(folder: Path, more: Path) -> dict[str, Expect]:
    folder.mkdir(parents=True)
    more.mkdir(parents=True)
    cc_page = (WEB_PAGES / "ja_statement_footer.html").read_bytes()
    site = "https://example.jp/pages.warc.gz"
    with WarcRecorder(folder / "pages.warc.gz") as w:
        w.record(_fetch(f"{site}/ok.html", cc_page))
        w.record(_fetch(f"{site}/deep.html", _deep_html(cc_page)))
        body_bomb = gzip_bomb(b"<html><body><p>", size=1024**3)  # 1 GiB from ~1 MB
        w.record(_fetch(f"{site}/content-bomb.html", body_bomb, Content_Encoding="gzip"))
        w.record(_fetch(f"{site}/cut.html", cc_page))
    packed = (folder / "pages.warc.gz").read_bytes()  # the crawl was cut off in its last page
    (folder / "pages.warc.gz").write_bytes(packed[: len(packed) - 200])
    # a plain archive whose second page is cut: the file ends inside its payload
    plain = folder / "truncated-source.warc.gz"
    with WarcRecorder(plain) as w:
        w.record(_fetch("https://example.jp/truncated.warc/ok.html", cc_page))
        w.record(_fetch("https://example.jp/truncated.warc/cut.html", cc_page))
    data = gzip.decompress(plain.read_bytes())
    plain.unlink()
    (more / "truncated.warc").write_bytes(data[: len(data) - 300])
    record = (
        b"WARC/1.1\r\nWARC-Type: response\r\n"
        b"WARC-Target-URI: https://example.jp/bomb.warc.gz/page.html\r\n"
        b"WARC-Date: 2025-05-01T12:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        + f"Content-Length: {BOMB_BYTES}\r\n\r\n".encode()
        + b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>"
    )
    (folder / "bomb.warc.gz").write_bytes(gzip_bomb(record))
    (more / "noline.warc").write_bytes(
        b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.jp/x\r\nX: "
        + b"a" * (4 * 1024**2)
    )
    (more / "empty.warc").write_bytes(b"")
    many = more / "many-headers.warc.gz"  # a good page, then 4 M header lines in ~30 KB
    with WarcRecorder(many) as w:
        w.record(_fetch("https://example.jp/many-headers.warc.gz/ok.html", cc_page))
    with open(many, "ab") as f:
        f.write(
            gzip.compress(
                b"WARC/1.1\r\nWARC-Type: response\r\n"
                b"WARC-Target-URI: https://example.jp/many-headers.warc.gz/x.html\r\n"
                + b"X: a\r\n" * 4_000_000
                + b"Content-Length: 0\r\n\r\n",
                9,
            )
        )
    site = "https://example.jp/charsets.warc.gz"
    with WarcRecorder(folder / "charsets.warc.gz") as w:
        for label in ("punycode", "rot13", "uu_codec", "zlib"):  # Python codecs, not charsets
            declared = cc_page.replace(b"<head>", f'<head><meta charset="{label}">'.encode(), 1)
            w.record(_fetch(f"{site}/{label}.html", declared, content_type="text/html"))
        w.record(_fetch(f"{site}/ok.html", cc_page))
        # the server promised 36,200 bytes and closed after 542; nothing flags the record
        w.record(_fetch(f"{site}/cut.html", cc_page[:542], Content_Length="36200"))
        # Shift_JIS bytes that the server calls KOI8-R: read as Shift_JIS and kept
        sjis = cc_page.decode().replace('charset="utf-8"', 'charset="Shift_JIS"').encode("cp932")
        w.record(_fetch(f"{site}/koi8-label.html", sjis, content_type="text/html; charset=KOI8-R"))
        # a page in English: skipped before extraction, one rejected row
        w.record(_fetch(f"{site}/english.html", _example_com()))
    return {
        "pages.warc.gz": Expect.of(
            read("markup_too_deep"), read("payload_too_large"), read("truncated_record"), kept=1
        ),
        "truncated.warc": Expect.of(read("truncated_record"), kept=1),
        "charsets.warc.gz": Expect.of(
            read("truncated_record"), ("prefilter", "not_japanese"), kept=6
        ),
        "bomb.warc.gz": Expect.of(read("decompression_bomb")),
        "noline.warc": Expect.of(read("malformed_archive:HeaderLineTooLong")),
        "empty.warc": Expect.of(read("empty_file")),
        "many-headers.warc.gz": Expect.of(read("malformed_archive:HeadersTooLarge"), kept=1),
    }


def _laws(folder: Path) -> dict[str, Expect]:
    folder.mkdir(parents=True)
    small = (LAW_HTML / SMALL_LAW).read_bytes()
    other = (LAW_HTML / OTHER_LAW).read_bytes()
    undeclared = small.replace(b"charset=shift_jis", b"")
    assert b"charset" not in undeclared.lower()
    (folder / "sjis-undeclared.html").write_bytes(undeclared)
    euc = other.decode("cp932").encode("euc_jp").replace(b"charset=shift_jis", b"")
    (folder / "eucjp-undeclared.html").write_bytes(euc)
    (folder / "deep.html").write_bytes(_deep_html(small))
    law_xml = (
        "<Law><LawNum>平成五年法律第八十八号</LawNum><LawBody><LawTitle>深い法</LawTitle>"
        "<MainProvision><Article><ArticleTitle>第一条</ArticleTitle><Paragraph>"
        "<ParagraphSentence><Sentence>"
        + "<Ruby>" * DEEP
        + "この法律は、深さを試す。"
        + "</Ruby>" * DEEP
        + "</Sentence></ParagraphSentence></Paragraph></Article></MainProvision></LawBody></Law>"
    )
    (folder / "deep.xml").write_text(law_xml, encoding="utf-8")
    (folder / "malformed.xml").write_text("<Law><LawNum>平成五年", encoding="utf-8")
    (folder / "empty.xml").write_bytes(b"")
    return {
        "sjis-undeclared.html": Expect.of(kept=1),
        "eucjp-undeclared.html": Expect.of(kept=1),
        "deep.html": Expect.of(read("markup_too_deep")),
        "deep.xml": Expect.of(read("markup_too_deep")),
        "malformed.xml": Expect.of(read("malformed_xml")),
        "empty.xml": Expect.of(read("empty_file")),
    }


def _wikipedia(folder: Path) -> dict[str, Expect]:
    folder.mkdir(parents=True)
    first = json.dumps({"title": "bomb.json.bz2/猫", "text": NEKO}, ensure_ascii=False)
    (folder / "bomb.json.bz2").write_bytes(bz2_bomb(first.encode() + b"\n"))
    page = "<page><title>{}</title><ns>0</ns><id>1</id><revision><id>1</id><text>{}</text></revision></page>"
    dump = (
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" xml:lang="ja">'
        + page.format("truncated.xml/猫", NEKO)
        + page.format("truncated.xml/犬", NEKO)
        + "</mediawiki>"
    ).encode()
    (folder / "truncated.xml").write_bytes(dump[: dump.rindex(b"<text>") + 10])
    return {
        "bomb.json.bz2": Expect.of(read("decompression_bomb"), kept=1),
        "truncated.xml": Expect.of(read("malformed_xml"), kept=1),
    }


AOZORA = REPO / "pipelines" / "sample" / "aozora"


def _aozora(folder: Path) -> dict[str, Expect]:
    """An index whose text URLs climb out of ``root``, directly or through a symlink."""
    import csv
    import os
    import shutil

    root = folder / "root"
    card = root / "cards" / "000879" / "files"
    card.mkdir(parents=True)
    shutil.copytree(AOZORA / "cards" / "000879" / "files" / "92_ruby_164", card / "92_ruby_164")
    secret = folder / "secret"
    secret.mkdir()
    with zipfile.ZipFile(secret / "notes.zip", "w") as zf:
        zf.writestr("notes.txt", "社外秘のメモ。これは公開してはならない。".encode("cp932"))
    os.symlink(secret / "notes.zip", card / "link.zip")
    with open(AOZORA / "list_person_all_extended_utf8.csv", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header, template = next(rows), next(rows)
    col = {name: i for i, name in enumerate(header)}
    base = "https://www.aozora.gr.jp/cards/"
    out = [header]
    for work_id, text_url in (
        ("900001", base + "000879/files/92_ruby_164.zip"),
        ("900002", base + "../../secret/notes.zip"),
        ("900003", base + "000879/files/link.zip"),
    ):
        row = list(template)
        row[col["作品ID"]] = work_id
        row[col["図書カードURL"]] = f"https://www.aozora.gr.jp/hostile-index.csv/card{work_id}.html"
        row[col["テキストファイルURL"]] = text_url
        out.append(row)
    with open(folder / "hostile-index.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows(out)
    return {"hostile-index.csv": Expect.of(read("unsafe_path"), read("unsafe_path"), kept=1)}


def build(root: Path, big: int) -> dict[str, Expect]:
    """Write the corpus under ``root``; ``big`` is the size of the one huge document in bytes.

    ``root/<source>/`` holds what the end-to-end run reads (:data:`PIPELINE`, one Ray task
    per file for ``jsonl`` and ``warc``, so kept to the kinds listed above);
    ``root/more/<source>/`` holds further variants read by the reader tests only.
    Returns the expected outcome per file name (names are unique across the corpus).
    """
    expected: dict[str, Expect] = {}
    for part in (
        _jsonl(root / "jsonl", root / "more" / "jsonl", big),
        _text(root / "text", big),
        _warc(root / "warc", root / "more" / "warc"),
        _laws(root / "laws"),
        _wikipedia(root / "more" / "wikipedia"),
        _aozora(root / "more" / "aozora"),
    ):
        assert not expected.keys() & part.keys()
        expected |= part
    return expected


def files_under(folder: Path, expected: dict[str, Expect]) -> dict[str, Expect]:
    """The expectations of the corpus files under ``folder``."""
    names = {p.name for p in ([folder] if folder.is_file() else folder.rglob("*")) if p.is_file()}
    return {name: e for name, e in expected.items() if name in names}


PIPELINE = """\
name: bad-input
output: out/bad-input
sources:
  - type: jsonl
    path: jsonl
    license: CC0-1.0
    license_evidence: "bad-input corpus, generated by tests/bad_input/corpus.py"
  - type: text_dir
    path: text
    license: CC-BY-4.0
    license_evidence: "bad-input corpus, generated by tests/bad_input/corpus.py"
    files_per_task: 16
  - type: warc
    path: warc
  - type: egov_law
    path: laws
stages: []
policy: policy.yaml
"""
"""The end-to-end pipeline over ``root/<source>/`` (relative paths: write it into ``root``)."""

POLICY = """\
name: bad-input-policy
refuse_obligations: [non_commercial, no_derivatives]
"""
"""A policy file beside the pipeline: the manifest must carry its text, not its path."""

MORE_PIPELINE = """\
name: bad-input-more
sources:
  - type: jsonl
    path: more/jsonl
    license: CC0-1.0
    license_evidence: "bad-input corpus"
  - type: warc
    path: more/warc
  - type: wikipedia
    path: more/wikipedia
    markup: plain
  - type: aozora
    index: more/aozora/hostile-index.csv
    root: more/aozora/root
"""
"""The further variants, read by the reader tests without Ray."""


def owner(row: dict, names: list[str]) -> str | None:
    """The corpus file a release row comes from: the longest file name in its id or URL."""
    where = f"{row.get('source_id') or ''} {row.get('url') or ''}"
    found = [n for n in names if n in where]
    return max(found, key=len) if found else None
