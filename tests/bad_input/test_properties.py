"""Generated hostile input to every reader (Hypothesis).

For each reader: whatever the bytes, no exception escapes (only the reader's named
refusals, where it has them), every example finishes within :data:`DEADLINE_MS`, and the
accounting holds — each input unit (a file, a JSONL line, an archive) ends as kept or
rejected documents, never as nothing. The default run is seeded (``derandomize``) and
small (:data:`EXAMPLES` per reader, a few hundred in all, a few seconds); the same
properties run ten times longer, unseeded, under ``pytest -m slow``.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.document import rejection
from corpus.stages.takedown import TakedownRules
from corpus.storage import UnsafePath
from corpus.urls import BadUrl, to_uri, url_key
from licenses.optout import RobotsTxt, TdmRep, path_matches
from licenses.web import assess_page
from pipelines.sources.aozora_index import REQUIRED_COLUMNS, IndexFormatError, read_index
from pipelines.sources.aozora_text import card_plain_text, footer_facts, split_card
from pipelines.sources.egov_law import EgovLawParams, EgovLawSource
from pipelines.sources.files import InputRejected
from pipelines.sources.jsonl import JsonlParams, JsonlSource
from pipelines.sources.text_dir import TextDirParams, TextDirSource
from pipelines.sources.warc import WarcParams, WarcSource
from pipelines.sources.wikipedia import WikipediaParams, WikipediaSource
from pipelines.sources.wikitext import wikitext_to_text
from pipelines.steps import SourceReader
from tests.bad_input.corpus import NEKO

EXAMPLES = 25
"""Examples per reader in the default run (12 readers: a few hundred in all)."""
DEADLINE_MS = 5000
"""Longest one example may take (the slowest reader, trafilatura on a page, needs ~0.1 s)."""

_DEFAULT = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=DEADLINE_MS,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_LONG = settings(_DEFAULT, max_examples=EXAMPLES * 10, derandomize=False)


def both(strategy: st.SearchStrategy) -> Callable:
    """Make ``check(value)`` two tests: seeded and small, and long under ``-m slow``."""

    def wrap(check: Callable) -> tuple[Callable, Callable]:
        quick = _DEFAULT(given(strategy)(check))
        long = pytest.mark.slow(_LONG(given(strategy)(check)))
        return quick, long

    return wrap


# --------------------------------------------------------------------------- strategies

JA = st.sampled_from(list("吾輩は猫である。名前はまだ無い。｜《》［＃］※〔〕「」、ーァヴ𠀋髙﨑"))
NASTY = st.sampled_from(
    ["\x00", "\x1b[31m", "\ufeff", "\u202e", "\r", "\r\n", "\t", "\ud7ff", "\uffff", "\\", '"']
)
TEXT = st.lists(st.one_of(JA, NASTY, st.characters()), max_size=200).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "cp932", "euc_jp", "iso2022_jp", "utf-16", "latin-1"])


@st.composite
def encoded(draw: st.DrawFn, text: st.SearchStrategy = TEXT) -> bytes:
    """Text in one of the encodings Japanese files come in, or raw bytes."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=400))
    return draw(text).encode(draw(ENCODINGS), errors="replace")


def _json_value(depth: int = 3) -> st.SearchStrategy:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
    return st.recursive(
        leaves,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(TEXT, c, max_size=3),
        max_leaves=8,
    )


@st.composite
def jsonl_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:
        depth = draw(st.sampled_from([900, 5000, 100_000]))
        return b'{"id": "deep", "text": ' + b"[" * depth + b"]" * depth + b"}"
    obj = draw(
        st.dictionaries(
            st.sampled_from(
                ["id", "text", "url", "license", "license_evidence", "attribution", "x"]
            ),
            _json_value(),
            max_size=6,
        )
    )
    if kind in (2, 3):
        obj["text"] = draw(TEXT)
    # a lone surrogate in the text is written as the (not UTF-8) bytes careless writers emit
    line = json.dumps(obj, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if kind == 4:
        line = line[: draw(st.integers(0, len(line)))]
    return line


@st.composite
def warc_bytes(draw: st.DrawFn) -> bytes:
    """WARC-ish records: real structure with hostile headers, lengths, bodies and charsets."""
    records = []
    for i in range(draw(st.integers(0, 3))):
        body = draw(
            st.one_of(
                encoded(),
                st.just(
                    f"<html><head><meta charset=utf-8></head><body><p>{NEKO}</p></body></html>".encode()
                ),
            )
        )
        charset = draw(
            st.sampled_from(
                [
                    "utf-8",
                    "shift_jis",
                    "punycode",
                    "rot13",
                    "zlib",
                    "x-user-defined",
                    "utf-16",
                    "",
                    "\x00",
                ]
            )
        )
        http = (
            f"HTTP/1.1 {draw(st.sampled_from(['200 OK', '404 No', '200', 'xyz']))}\r\n"
            f"Content-Type: text/html; charset={charset}\r\n"
            f"Content-Length: {draw(st.sampled_from([len(body), len(body) + 100, 0, -1]))}\r\n"
            + "".join(
                f"X-{j}: {draw(TEXT)[:20]}\r\n".replace("\n\r", "")
                for j in range(draw(st.integers(0, 3)))
            )
            + "\r\n"
        ).encode("utf-8", errors="replace") + body
        uri = draw(
            st.sampled_from(
                [
                    f"https://example.jp/{i}.html",
                    "https://例.jp/ページ",
                    "ftp://x",
                    "",
                    "https://[::1",
                ]
            )
        )
        length = draw(st.sampled_from([len(http), len(http) - 5, len(http) + 50, 10**12]))
        head = (
            f"WARC/1.1\r\nWARC-Type: {draw(st.sampled_from(['response', 'resource', 'request', 'revisit']))}\r\n"
            f"WARC-Target-URI: {uri}\r\nWARC-Date: {draw(st.sampled_from(['2025-05-01T12:00:00Z', 'never', '']))}\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {length}\r\n\r\n"
        ).encode("utf-8", errors="replace")
        records.append(head + http + b"\r\n\r\n")
    data = b"".join(records) + draw(st.binary(max_size=50))
    if draw(st.booleans()):
        data = gzip.compress(data)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return data


HTML = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<html>",
                "<head>",
                "<body>",
                "</body>",
                "<div>" * 50,
                "</div>",
                '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">',
                '<a rel="license" href="javascript:alert(1)">',
                '<meta charset="punycode">',
                '<meta name="tdm-reservation" content="1">',
                '<meta name="robots" content="noai">',
                '<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>",
                '<script type="application/ld+json">{"license": {"@id": "https://creativecommons.org/licenses/by-sa/4.0/"}}</script>',
                "この作品はクリエイティブ・コモンズ 表示 4.0 国際 ライセンスで提供されています。",
                "無断転載を禁じます。",
                "Copyright © 2025",
                "<![CDATA[",
                "<!--",
                "&#0;",
                "&#xD800;",
            ]
        ),
        TEXT,
    ),
    max_size=30,
).map("".join)


# --------------------------------------------------------------------------- file readers


def _read_source(source, tasks=None) -> list:
    plan = [(source, t) for t in (tasks or source.plan())]
    reader = SourceReader(plan)
    return [doc for rank in range(len(plan)) for doc in reader.run(rank=rank)]


def _no_unexpected_errors(docs: list) -> None:
    reasons = [rejection(d) for d in docs]
    assert not [r for r in reasons if r and r[1].startswith("read_error:")], reasons
    for d in docs:
        if not rejection(d):
            assert d.text.strip() and "\x00" not in d.text and d.metadata.get("license")


@pytest.fixture(scope="module", autouse=True)
def warm_readers() -> None:
    """Import and warm trafilatura, lxml and the license registry once, outside the
    per-example deadline (the first page parsed takes seconds, the next milliseconds)."""
    page = f"<html><body><p>{NEKO * 3}</p></body></html>"
    assess_page("https://example.jp/", page)
    from pipelines.sources.warc import _main_text

    _main_text(page, "https://example.jp/")


def _fresh(folder_name: str = "in") -> Path:
    path = Path(tempfile.mkdtemp(prefix="hyp-"))
    (path / folder_name).mkdir()
    return path


def _check_jsonl(lines: list[bytes]) -> None:
    root = _fresh()
    data = b"\n".join(lines)
    (root / "in" / "gen.jsonl").write_bytes(data)
    source = JsonlSource(JsonlParams(path="in", license="CC0-1.0", license_evidence="t"), root)
    docs = _read_source(source)
    _no_unexpected_errors(docs)
    units = [ln for ln in data.split(b"\n") if ln.strip()]
    assert len(docs) == (len(units) or 1)  # each non-blank line, or one empty_file record


test_jsonl, test_jsonl_long = both(st.lists(jsonl_line(), max_size=6))(_check_jsonl)


@st.composite
def zstd_jsonl(draw: st.DrawFn) -> tuple[bytes, bytes, bool]:
    """JSON Lines as one to three Zstandard frames (cut anywhere), the file cut anywhere:
    ``(the lines of the frames left whole, the file, whether the cut is inside a frame)``."""
    data = b"\n".join(draw(st.lists(jsonl_line(), max_size=6)))
    bounds = sorted(draw(st.lists(st.integers(0, len(data)), max_size=2)))
    pieces = [data[a:b] for a, b in zip([0, *bounds], [*bounds, len(data)], strict=True)]
    frames = [zstandard.compress(piece) for piece in pieces]
    packed = b"".join(frames)
    cut = draw(st.one_of(st.just(len(packed)), st.integers(0, len(packed))))
    whole, end = b"", 0
    for piece, frame in zip(pieces, frames, strict=True):
        if end + len(frame) > cut:
            break
        whole, end = whole + piece, end + len(frame)
    return whole, packed[:cut], cut != end


def _check_jsonl_zst(case: tuple[bytes, bytes, bool]) -> None:
    """A file cut inside a frame is recorded as truncated, after the lines before the cut;
    cut between frames, it is the shorter file it then is (nothing marks the last frame)."""
    whole, packed, inside = case
    root = _fresh()
    (root / "in" / "gen.jsonl.zst").write_bytes(packed)
    source = JsonlSource(JsonlParams(path="in", license="CC0-1.0", license_evidence="t"), root)
    docs = _read_source(source)
    _no_unexpected_errors(docs)
    faults = [r[1] for r in map(rejection, docs) if r and r[1].endswith("_compressed_file")]
    assert faults == (["truncated_compressed_file"] if inside else [])
    lines = whole.split(b"\n")
    if inside:  # the lines before the cut (the last one may go on past it), then the fault
        assert len(docs) - 1 >= len([ln for ln in lines[:-1] if ln.strip()])
    else:
        assert len(docs) == (len([ln for ln in lines if ln.strip()]) or 1)


test_jsonl_zst, test_jsonl_zst_long = both(zstd_jsonl())(_check_jsonl_zst)


def _check_text_dir(data: bytes) -> None:
    root = _fresh()
    (root / "in" / "gen.txt").write_bytes(data)
    source = TextDirSource(TextDirParams(path="in", license="CC0-1.0", license_evidence="t"), root)
    docs = _read_source(source)
    _no_unexpected_errors(docs)
    assert len(docs) == 1


test_text_dir, test_text_dir_long = both(encoded())(_check_text_dir)


def _check_law_file(case: tuple[str, bytes]) -> None:
    suffix, data = case
    root = _fresh()
    (root / "in" / f"gen{suffix}").write_bytes(data)
    docs = _read_source(EgovLawSource(EgovLawParams(path="in"), root))
    _no_unexpected_errors(docs)
    assert len(docs) == 1


LAW_XML = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<Law>",
                "</Law>",
                "<LawNum>平成五年法律第八十八号</LawNum>",
                "<LawBody>",
                "</LawBody>",
                "<LawTitle>",
                "</LawTitle>",
                "<Article>",
                "</Article>",
                "<Sentence>",
                "</Sentence>",
                "<Ruby>" * 300,
                "<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]>",
                "&b;",
                '<?xml version="1.0" encoding="punycode"?>',
                "<![CDATA[x]]>",
                "&#0;",
            ]
        ),
        TEXT,
    ),
    max_size=20,
).map(lambda parts: "".join(parts).encode("utf-8", errors="replace"))
LAW_FILES = st.one_of(
    st.tuples(st.just(".xml"), LAW_XML),
    st.tuples(st.just(".html"), HTML.map(lambda h: h.encode("utf-8", errors="replace"))),
    st.tuples(st.sampled_from([".xml", ".html"]), encoded()),
)
test_law_files, test_law_files_long = both(LAW_FILES)(_check_law_file)


def _plain(data: bytes) -> bytes:
    """``data`` unzipped as far as it goes (a cut gzip gives what came before the cut)."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        return zlib.decompressobj(31).decompress(data)
    except zlib.error:
        return data


def _check_warc(data: bytes) -> None:
    root = _fresh()
    (root / "in" / "gen.warc").write_bytes(data)
    docs = _read_source(WarcSource(WarcParams(path="in"), root))
    _no_unexpected_errors(docs)
    if not docs:  # only an archive of records that are not pages yields nothing
        assert b"WARC/1.1\r\nWARC-Type: " in _plain(data), data[:100]


test_warc, test_warc_long = both(warc_bytes())(_check_warc)


def _check_wikipedia(case: tuple[str, bytes]) -> None:
    suffix, data = case
    root = _fresh()
    (root / "in" / f"gen{suffix}").write_bytes(data)
    source = WikipediaSource(WikipediaParams(path="in", markup="wikitext"), root)
    docs = _read_source(source)
    _no_unexpected_errors(docs)
    assert docs


WIKI = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "{{",
                "}}",
                "[[",
                "]]",
                "{{Infobox|a=",
                "<ref>",
                "</ref>",
                "{|",
                "|}",
                "''",
                "'''",
                "<!--",
                "-->",
                "[[File:x.jpg|thumb|",
                "{{#invoke:",
                "<nowiki>",
                "=見出し=",
                "{{" * 200,
            ]
        ),
        TEXT,
    ),
    max_size=30,
).map("".join)
WIKI_FILES = st.one_of(
    st.tuples(
        st.just(".jsonl"),
        st.lists(st.tuples(TEXT, WIKI), max_size=4).map(
            lambda pages: "\n".join(json.dumps({"title": t, "text": x}) for t, x in pages).encode()
        ),
    ),
    st.tuples(
        st.just(".xml"),
        st.lists(st.tuples(TEXT, WIKI), max_size=3).map(
            lambda pages: (
                '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/">'
                + "".join(
                    f"<page><title>{t}</title><ns>0</ns><revision><text>{x}</text></revision></page>"
                    for t, x in pages
                )
            ).encode("utf-8", errors="replace")
        ),
    ),
)
test_wikipedia, test_wikipedia_long = both(WIKI_FILES)(_check_wikipedia)


# --------------------------------------------------------------------------- pure readers


def _check_wikitext(text: str) -> None:
    started = time.monotonic()
    out = wikitext_to_text(text)
    assert isinstance(out, str) and time.monotonic() - started < 2


test_wikitext, test_wikitext_long = both(WIKI)(_check_wikitext)

AOZORA = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "-------------------------------------------------------\n",
                "【テキスト中に現れる記号について】\n",
                "｜",
                "《",
                "》",
                "［＃",
                "］",
                "［＃「",
                "」に傍点］",
                "※［＃「漢／字」、第3水準1-85-1］",
                "〔",
                "〕",
                "／＼",
                "底本：",
                "入力：",
                "校正：",
                "青空文庫作成ファイル：\n",
                "http://creativecommons.org/licenses/by-nc-nd/2.1/jp/",
                "クリエイティブ・コモンズ",
                "\n" * 3,
            ]
        ),
        TEXT,
    ),
    max_size=40,
).map("".join)


def _check_aozora_text(text: str) -> None:
    card = split_card(text)
    assert isinstance(card_plain_text(card), str)
    footer_facts(card.footer)


test_aozora_text, test_aozora_text_long = both(AOZORA)(_check_aozora_text)


INDEX_FIELD = st.one_of(
    TEXT,
    st.sampled_from(["なし", "あり", "000879", "http://[::1", "file:///etc/passwd.zip"]),
    st.lists(
        st.sampled_from(["..", ".", "000879", "files", "", "%2e%2e", "x", "cards"]), max_size=8
    )
    .map("/".join)
    .map(lambda p: f"https://www.aozora.gr.jp/cards/{p}.zip"),
)


@st.composite
def aozora_index(draw: st.DrawFn) -> bytes:
    header = ",".join(REQUIRED_COLUMNS)
    if draw(st.integers(0, 3)) == 0:
        return draw(encoded())
    width = len(REQUIRED_COLUMNS)
    rows = [header] + [
        ",".join(
            json.dumps(draw(INDEX_FIELD)) if draw(st.booleans()) else draw(INDEX_FIELD)
            for _ in range(draw(st.sampled_from([width, width - 3, width + 2, 1])))
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    data = "\n".join(rows).encode("utf-8", errors="replace")
    if draw(st.booleans()):
        data += b'\n"' + b"x" * 200_000  # one field past csv's field limit
    return data


def _check_aozora_index(data: bytes) -> None:
    try:
        works = read_index(data)
    except (IndexFormatError, UnicodeDecodeError):
        return  # the pipeline file names a bad index: exit 2 with its key
    root = "/nonexistent-root"
    for work in works:
        try:
            rel = work.text_path(root)
        except UnsafePath:  # rejected unsafe_path
            continue
        # checked on its own terms, not with the helper that made it: inside the root
        assert rel is None or posixpath.normpath(f"{root}/{rel}").startswith(f"{root}/")


test_aozora_index, test_aozora_index_long = both(aozora_index())(_check_aozora_index)

URLS = st.one_of(
    st.sampled_from(
        [
            "https://example.jp/blog/1",
            "HTTP://EXAMPLE.jp.:80/%7e",
            "https://例え.jp/日本",
            "http://[::1",
            "https://a.jp:99999/",
            "javascript:alert(1)",
            "aozora:000879/127",
            "https://x/%zz",
            "",
        ]
    ),
    st.builds(
        lambda s, h, p: f"{s}://{h}/{p}",
        st.sampled_from(["http", "https", "HTTPS", "ftp"]),
        TEXT,
        TEXT,
    ),
    TEXT,
)


def _check_urls(case: tuple[str, str]) -> None:
    rule, url = case
    key = url_key(url)
    assert url_key(key) == key or key == url.strip()  # a key is its own key
    try:
        assert to_uri(url).isascii()
    except BadUrl:
        pass
    rules = TakedownRules(urls=(rule,), url_prefixes=(rule,), domains=(rule[:30],))
    rules.match("id", url, "web")
    if url and url_key(rule) == key:
        assert rules.match("id", url, "web") is not None


test_takedown_urls, test_takedown_urls_long = both(st.tuples(URLS, URLS))(_check_urls)

ROBOTS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "User-agent: *\n",
                "User-agent: GPTBot\n",
                "Disallow: /\n",
                "Allow: /a\n",
                "Crawl-delay: 1e300\n",
                "Crawl-delay: nan\n",
                "Disallow: /" + "*a" * 30 + "*b\n",
                "Sitemap: x\n",
                "\ufeff",
                "#",
            ]
        ),
        TEXT,
    ),
    max_size=20,
).map("".join)


def _check_robots(case: tuple[str, str, str]) -> None:
    body, path, location = case
    robots = RobotsTxt.from_response(200, body.encode("utf-8", errors="replace"))
    robots.check("https://example.jp/" + path, ("jpcorpus", "GPTBot"))
    robots.crawl_delay("jpcorpus")
    tdm = TdmRep.parse(json.dumps([{"location": location, "tdm-reservation": 1}]))
    tdm.reservation("https://example.jp/" + path)
    assert path_matches(location, "/" + path) in (True, False)
    TdmRep.parse(body.encode("utf-8", errors="replace"))


test_robots_tdmrep, test_robots_tdmrep_long = both(
    st.tuples(
        ROBOTS, TEXT, st.lists(st.sampled_from(["*", "a", "/", "$", "b"]), max_size=40).map("".join)
    )
)(_check_robots)


def _check_html_license(case: tuple[str, bytes]) -> None:
    url, body = case
    assessment = assess_page(url, body, {"X-Robots-Tag": "noai", "tdm-reservation": "1"})
    assert assessment.license is None or isinstance(assessment.license, str)


test_html_license, test_html_license_long = both(
    st.tuples(URLS, st.one_of(HTML.map(lambda h: h.encode("utf-8", errors="replace")), encoded()))
)(_check_html_license)


def test_named_refusals_are_input_rejections() -> None:
    """The readers' own refusals are :class:`InputRejected` (a reason, not a crash)."""
    assert issubclass(InputRejected, Exception)
