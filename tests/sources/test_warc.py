"""The ``warc`` source: real warcio fixtures, and Japanese pages archived by our own WARC writer."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus.document import rejection
from pipelines.crawler.fetch import FetchResult
from pipelines.crawler.warc_out import WarcRecorder
from pipelines.sources import warc
from pipelines.sources.warc import WarcParams, WarcReader, WarcSource

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "warc"  # warcio test data, Apache-2.0 (SOURCE.md)
PAGES = REPO / "tests" / "fixtures" / "web" / "pages"
WHEN = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)


def read(path: Path, **params) -> list:
    """Every document of the archive; pages are extracted whatever their language (the
    fixtures are English and Japanese pages: the pre-filter is tested in test_prefilter.py)."""
    params.setdefault("japanese_prefilter", False)
    source = WarcSource(WarcParams(path=str(path), **params), REPO)
    source.check()
    return [doc for task in source.plan() for doc in source.read(task)]


def by_url(docs: list) -> dict:
    """Documents by URL; the first capture of a URL wins."""
    out: dict = {}
    for d in docs:
        out.setdefault(d.metadata["url"], d)
    return out


def outcome(doc) -> tuple:
    return rejection(doc) or ("kept", doc.metadata["license"])


# --------------------------------------------------------------------------- shared fixtures


def test_plain_and_gzip_warc_give_the_same_page() -> None:
    plain, gz = read(FIXTURES / "example.warc"), read(FIXTURES / "example.warc.gz")
    assert len(plain) == len(gz) == 1  # the revisit record is not a second page
    for doc in (plain[0], gz[0]):
        meta = doc.metadata
        assert meta["source"] == "web" and meta["source_id"] == meta["url"] == "http://example.com/"
        assert meta["retrieved_at"] == datetime(2017, 3, 6, 4, 2, 6, tzinfo=UTC)
        assert "illustrative examples" in doc.text
        # example.com states no license: dropped, with every check recorded
        assert rejection(doc) == ("license", "no-license")
        assert "optout: robots.txt=none(unchecked)" in meta["license_evidence"]
    assert plain[0].metadata["raw_sha256"] == gz[0].metadata["raw_sha256"]


def test_raw_sha256_is_the_stored_payload() -> None:
    from warcio.archiveiterator import ArchiveIterator

    with open(FIXTURES / "example-iana.org-chunked.warc", "rb") as f:
        payload = next(r for r in ArchiveIterator(f) if r.rec_type == "response").raw_stream.read()
    (doc,) = read(FIXTURES / "example-iana.org-chunked.warc")
    assert doc.metadata["raw_sha256"] == hashlib.sha256(payload).hexdigest()
    assert "Management of the DNS Root Zone" in doc.text  # chunked body decoded
    assert "\r\n0\r\n" not in doc.text


def test_arc_and_resource_records() -> None:
    (arc,) = read(FIXTURES / "example.arc.gz")
    assert arc.metadata["retrieved_at"].year == 2014 and "illustrative" in arc.text
    (res,) = read(FIXTURES / "example-resource.warc.gz")
    assert res.metadata["url"] == "http://example.com/" and "illustrative" in res.text


def test_truncated_and_malformed_fixtures_are_rejected_or_recovered() -> None:
    (trunc,) = read(FIXTURES / "example-trunc.warc")
    assert rejection(trunc) == ("read", "truncated_record")  # HTTP Content-Length > stored
    assert trunc.text == ""
    # one gzip member around the whole file: read again as a plain stream
    (bad,) = read(FIXTURES / "example-bad-non-chunked.warc.gz")
    assert "illustrative" in bad.text and rejection(bad) == ("license", "no-license")
    assert read(FIXTURES / "example-digest.warc") == []  # request records only: no pages


# --------------------------------------------------------------------------- our own archive


def fetch(url: str, body: bytes, status: int = 200, **headers: str) -> FetchResult:
    hdrs = [("Content-Type", headers.pop("content_type", "text/html; charset=utf-8"))]
    hdrs += [(k.replace("_", "-"), v) for k, v in headers.items()]
    return FetchResult(
        url=url, started=WHEN, ip="192.0.2.1", status=status, reason="OK", headers=hdrs, body=body
    )


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def _record_site_files(w: WarcRecorder, site: str) -> None:
    """robots.txt (GPTBot may not read /members/) and tdmrep.json (/shop/ reserved)."""
    w.record(
        fetch(
            f"{site}/robots.txt",
            b"User-agent: GPTBot\nDisallow: /members/\n",
            content_type="text/plain",
        )
    )
    w.record(
        fetch(
            f"{site}/.well-known/tdmrep.json",
            b'[{"location": "/shop/*", "tdm-reservation": 1}]',
            content_type="application/json",
        )
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warc") / "site.warc.gz"
    site = "https://example.jp"
    big = b"<html><body>" + b"<p>" + "大きなページ。".encode() * 2_500_000 + b"</p></body></html>"
    assert len(big) > 50 * 1024 * 1024
    with WarcRecorder(path) as w:
        _record_site_files(w, site)
        w.record(fetch(f"{site}/cc.html", page("ja_statement_footer.html")))
        w.record(fetch(f"{site}/arr.html", page("arr_footer.html")))
        w.record(fetch(f"{site}/figure.html", page("image_only_figure.html")))
        w.record(fetch(f"{site}/members/a.html", page("head_link_rel_license.html")))
        w.record(fetch(f"{site}/shop/b.html", page("head_link_rel_license.html")))
        w.record(fetch(f"{site}/meta-tdm.html", page("tdm_meta_reserved.html")))
        w.record(fetch(f"{site}/hdr-noai.html", page("plain_cc_page.html"), X_Robots_Tag="noai"))
        w.record(
            fetch(
                f"{site}/sjis.html",
                page("ja_statement_21jp.html"),
                content_type="text/html; charset=Shift_JIS",
            )
        )
        w.record(
            fetch(
                f"{site}/sjis-undeclared.html",
                page("ja_statement_21jp.html"),
                content_type="text/html",
            )
        )
        w.record(
            fetch(
                f"{site}/bad-bytes.html",
                b"<html><body><p>\x82\xa0\xff\xfe\x00\x00\x81</p></body></html>",
                content_type="text/html",
            )
        )
        w.record(
            fetch(
                f"{site}/no-body.html",
                b'<html><head><title>t</title><link rel="license" href="https://creativecommons.org/licenses/by/4.0/"></head></html>',
            )
        )
        w.record(fetch(f"{site}/empty.html", b""))
        w.record(fetch(f"{site}/huge.html", big))
        cut = fetch(f"{site}/cut.html", page("head_link_rel_license.html")[:200])
        cut.truncated = "length"
        w.record(cut)
        w.record(fetch(f"{site}/image.png", b"\x89PNG....", content_type="image/png"))
        w.record(fetch(f"{site}/gone.html", b"<p>gone</p>", status=404))
        w.record(fetch(f"{site}/cc.html", page("ja_statement_footer.html")))  # captured twice
    return path


EXPECTED = {
    "https://example.jp/cc.html": ("kept", "CC-BY-4.0"),
    "https://example.jp/arr.html": ("kept", "LicenseRef-AllRightsReserved"),  # the gate refuses it
    "https://example.jp/figure.html": ("license", "no-license"),
    "https://example.jp/members/a.html": ("optout", "optout:robots.txt"),
    "https://example.jp/shop/b.html": ("optout", "optout:tdm-reservation"),
    "https://example.jp/meta-tdm.html": ("optout", "optout:tdm-reservation"),
    "https://example.jp/hdr-noai.html": ("optout", "optout:noai"),
    "https://example.jp/sjis.html": ("kept", "LicenseRef-CC-BY-2.1-JP"),
    "https://example.jp/sjis-undeclared.html": ("kept", "LicenseRef-CC-BY-2.1-JP"),
    "https://example.jp/bad-bytes.html": ("read", "undecodable_bytes"),
    "https://example.jp/no-body.html": ("read", "no_main_text"),
    "https://example.jp/empty.html": ("read", "empty_payload"),
    "https://example.jp/huge.html": ("read", "payload_too_large"),
    "https://example.jp/cut.html": ("read", "truncated_record"),
}


def test_every_page_gets_its_verdict(archive: Path) -> None:
    docs = read(archive)
    got = [(d.metadata["url"], outcome(d)) for d in docs]
    # robots.txt, tdmrep.json, the image and the 404 are not pages; the second capture is
    assert got[-1] == ("https://example.jp/cc.html", ("read", "duplicate_capture"))
    assert dict(got[:-1]) == EXPECTED


def test_kept_rows_carry_their_provenance(archive: Path) -> None:
    docs = by_url(read(archive))
    cc = docs["https://example.jp/cc.html"].metadata
    assert cc["license_evidence"].startswith(
        "html:text=このサイトのコンテンツはクリエイティブ・コモンズ"
    )
    assert (
        "optout: robots.txt=none(ok:allows all); tdm-reservation=none(absent); noai=none(absent)"
        in cc["license_evidence"]
    )
    assert cc["attribution"] == "市民の防災ガイド / example.jp / https://example.jp/cc.html"
    assert cc["retrieved_at"] == WHEN
    assert cc["raw_sha256"] == hashlib.sha256(page("ja_statement_footer.html")).hexdigest()
    text = docs["https://example.jp/cc.html"].text
    assert "非常持ち出し袋" in text
    sjis = docs["https://example.jp/sjis.html"]
    assert "男は窓の外を眺めながら" in sjis.text
    assert "日本 ライセンス" in sjis.metadata["license_evidence"]
    reserved = docs["https://example.jp/members/a.html"].metadata
    assert "GPTBot" in reserved["reject_detail"]


@pytest.mark.parametrize("held", [warc.MAX_HELD_BYTES, 0])
def test_site_files_rule_the_pages_archived_before_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: int
) -> None:
    """robots.txt and tdmrep.json found after the pages they rule: the pages wait for them
    (``held``: 64 MiB), or the archive is read ahead for them (0: nothing may wait); the
    documents come in the archive's order either way, and a bomb later in the archive
    still leaves the site files before it in force."""
    monkeypatch.setattr(warc, "MAX_HELD_BYTES", held)
    site = "https://late.example.jp"
    path = tmp_path / "late.warc.gz"
    with WarcRecorder(path) as w:
        w.record(fetch(f"{site}/members/a.html", page("head_link_rel_license.html")))
        w.record(fetch(f"{site}/empty.html", b""))
        w.record(fetch(f"{site}/shop/b.html", page("head_link_rel_license.html")))
        w.record(fetch(f"{site}/cc.html", page("ja_statement_footer.html")))
        _record_site_files(w, site)
    expected = [
        (f"{site}/members/a.html", ("optout", "optout:robots.txt")),
        (f"{site}/empty.html", ("read", "empty_payload")),
        (f"{site}/shop/b.html", ("optout", "optout:tdm-reservation")),
        (f"{site}/cc.html", ("kept", "CC-BY-4.0")),
    ]
    assert [(d.metadata["url"], outcome(d)) for d in read(path)] == expected
    record = (  # a gzip member that inflates 1000-fold after the site files
        b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://late.example.jp/z.html\r\n"
        b"WARC-Date: 2025-05-01T12:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        b"Content-Length: 100000000\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"
    )
    bombed = tmp_path / "late-bomb.warc.gz"
    bombed.write_bytes(path.read_bytes() + gzip.compress(record + b" " * 80_000_000))
    got = [(d.metadata["url"], outcome(d)) for d in read(bombed)]
    assert got == [*expected, ("", ("read", "decompression_bomb"))]


def test_huge_page_is_hashed_but_not_kept(archive: Path) -> None:
    huge = by_url(read(archive))["https://example.jp/huge.html"]
    assert huge.text == "" and len(huge.metadata["raw_sha256"]) == 64
    assert "bytes >" in huge.metadata["reject_detail"]


def test_a_file_cut_mid_record_rejects_the_rest_and_keeps_what_came_before(
    tmp_path: Path, archive: Path
) -> None:
    data = gzip.decompress(archive.read_bytes())
    cut = tmp_path / "cut.warc"
    marker = data.rindex(b"WARC-Target-URI: https://example.jp/arr.html")  # its response
    end = data.index(b"WARC/1.1", marker)  # the next record
    cut.write_bytes(data[: end - 100])  # the arr.html response loses its last 100 bytes
    docs = read(cut)
    assert outcome(docs[0]) == ("kept", "CC-BY-4.0")
    assert docs[-1].metadata["url"] == "https://example.jp/arr.html"
    assert rejection(docs[-1])[1] == "truncated_record"
    garbage = tmp_path / "garbage.warc"
    garbage.write_bytes(b"hello world\nthis is not a WARC file\n")
    (bad,) = read(garbage)
    assert rejection(bad) == ("read", "malformed_archive:ArchiveLoadFailed")
    fake_gzip = tmp_path / "fake.warc.gz"
    fake_gzip.write_bytes(b"\x1f\x8b\x08\x00" + b"not really gzip" * 10)
    (bad,) = read(fake_gzip)
    assert rejection(bad) == ("read", "malformed_record")


def test_folder_and_glob_paths(tmp_path: Path) -> None:
    assert len(read(FIXTURES)) == 7  # every file, each read on its own task
    assert len(read(Path(str(FIXTURES / "example.*")))) == 3
    with pytest.raises(ValueError, match="path: file not found"):
        read(tmp_path / "missing.warc")


def test_conflict_policy_drop(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.gz"
    with WarcRecorder(path) as w:
        w.record(fetch("https://c.example.jp/", page("conflict_link_vs_footer.html")))
    (stricter,) = read(path)
    assert outcome(stricter) == ("kept", "CC-BY-NC-4.0")
    (dropped,) = read(path, on_conflict="drop")
    assert rejection(dropped) == ("license", "license_conflict")


def test_reader_can_be_used_directly(archive: Path) -> None:
    docs = list(WarcReader(WarcParams(path=str(archive))).read(archive))
    assert len(docs) == len(EXPECTED) + 1


def test_archives_behind_a_url_read_as_the_local_files() -> None:
    """The fixture folder copied to a ``memory://`` store (any fsspec URL) gives the same
    documents, broken and single-member-gzip archives included."""
    import fsspec

    fs = fsspec.filesystem("memory")
    for path in sorted(FIXTURES.glob("*.*arc*")):
        fs.pipe(f"/warc-url-test/{path.name}", path.read_bytes())
    local = read(FIXTURES)
    remote = read("memory://warc-url-test")  # type: ignore[arg-type]
    key = [(d.metadata["url"], outcome(d), d.text) for d in local]
    assert [(d.metadata["url"], outcome(d), d.text) for d in remote] == key
    assert len(local) > 5


def test_a_record_with_an_unparsable_url_does_not_hide_the_site_files_after_it(
    tmp_path: Path,
) -> None:
    site = "https://late.example.jp"
    before, after = tmp_path / "before.warc.gz", tmp_path / "after.warc.gz"
    with WarcRecorder(before) as w:
        w.record(fetch(f"{site}/members/a.html", page("head_link_rel_license.html")))
    with WarcRecorder(after) as w:
        _record_site_files(w, site)
    bad = (  # a response whose URL urlsplit refuses ("Invalid IPv6 URL")
        b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://[::1/x\r\n"
        b"WARC-Date: 2025-05-01T12:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        b"Content-Length: 19\r\n\r\nHTTP/1.1 200 OK\r\n\r\n\r\n\r\n"
    )
    path = tmp_path / "bad-uri.warc.gz"
    path.write_bytes(before.read_bytes() + gzip.compress(bad) + after.read_bytes())
    got = {d.metadata["url"]: outcome(d) for d in read(path)}
    assert got[f"{site}/members/a.html"] == ("optout", "optout:robots.txt")
