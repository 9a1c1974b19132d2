"""``jpcorpus report``: the reviewers' page, read back from a real headless browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from manifests.markdown import md_plain
from manifests.release import read_manifest
from manifests.report import build_report, render_html, render_terminal
from pipelines.cli import main

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing may be fetched from anywhere
]


class _Dom(HTMLParser):
    """Elements with attributes and the text under every element that has an id."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag not in ("meta", "br", "img", "link", "input", "rect", "circle"):
            self._open.append((tag, attrs.get("id")))
            if attrs.get("id"):
                self.text_by_id.setdefault(attrs["id"], "")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for _, ident in self._open:
            if ident:
                self.text_by_id[ident] += data

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(k in a and (v is None or a[k] == v) for k, v in attrs.items())
        ]


def _parse(html: str) -> _Dom:
    dom = _Dom()
    dom.feed(html)
    return dom


@pytest.fixture(scope="module")
def report_html(sample_release, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", str(sample_release), "--html", str(out)]) == 0
    return out, out.read_text("utf-8")


def _browser_dom(page: Path, tmp_path: Path) -> str:
    proc = subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)
def test_headless_chromium_renders_the_report(report_html, sample_release, tmp_path):
    page, _ = report_html
    dom = _parse(_browser_dom(page, tmp_path))
    manifest = read_manifest(sample_release)
    acc = manifest["accounting"]

    # summary cards show the manifest's accounting
    cards = dom.text_by_id["summary"]
    dropped = sum(n for r in acc["dropped"].values() for n in r.values())
    for number, label in (
        (acc["input"], "documents in"),
        (acc["kept"], "kept"),
        (dropped, "dropped"),
    ):
        assert f"{number:,}{label}" in cards

    # one table row and one chart slice per license, shares summing to 100%
    licenses = manifest["licenses"]
    table = dom.text_by_id["licenses"]
    total_chars = sum(c["characters"] for c in licenses.values())
    for lic, counts in licenses.items():
        assert lic in table
        assert f"{counts['characters'] / total_chars * 100:.1f}%" in table
    slices = dom.all("circle", **{"class": "slice"})
    assert sorted(s["data-license"] for s in slices) == sorted(licenses)
    dash_total = sum(float(s["stroke-dasharray"].split()[0]) for s in slices)
    circumference = sum(map(float, slices[0]["stroke-dasharray"].split()))
    assert dash_total == pytest.approx(circumference, rel=1e-3)

    # drops: one bar per stage that dropped documents, plus the kept bar
    bars = {b["data-stage"]: int(b["data-count"]) for b in dom.all("g", **{"class": "bar"})}
    assert bars.pop("kept") == acc["kept"]
    assert bars == {stage: sum(r.values()) for stage, r in acc["dropped"].items()}
    for reasons in acc["dropped"].values():
        for reason in reasons:
            assert reason in dom.text_by_id["drops"]

    # the attribution section carries every credit of ATTRIBUTION.md
    credits = [
        md_plain(line[2:])  # ATTRIBUTION.md escapes credits; the page shows them as text
        for line in (sample_release / "ATTRIBUTION.md").read_text("utf-8").splitlines()
        if line.startswith("- ")
    ]
    assert credits
    attribution = dom.text_by_id["attribution"]
    assert all(credit in attribution for credit in credits)
    assert "Audit passed" in dom.text_by_id["audit"]
    assert dom.text_by_id["opt-out"].strip()
    assert dom.text_by_id["nodes"].strip()


def test_report_is_self_contained(report_html):
    _, html = report_html
    dom = _parse(html)
    assert not dom.all("script") and not dom.all("link") and not dom.all("img")
    assert not dom.all("iframe") and not dom.all("object") and not dom.all("embed")
    assert not [a for _, a in dom.elements if "src" in a]
    assert "@import" not in html and "url(" not in html
    assert len(dom.all("svg")) == 2  # license share and drops per stage, inline


def test_report_obligations_come_from_the_registry(sample_release):
    from licenses.registry import get_license

    report = build_report(sample_release)
    assert report.licenses
    for line in report.licenses:
        assert line.obligations == get_license(line.id).obligations
    assert sum(line.char_share for line in report.licenses) == pytest.approx(1.0)


def test_terminal_summary(sample_release, capsys):
    assert main(["report", str(sample_release)]) == 0
    out = capsys.readouterr().out
    manifest = read_manifest(sample_release)
    assert f"{manifest['accounting']['input']:,} in" in out
    assert "audit OK" in out
    for lic in manifest["licenses"]:
        assert lic in out


def test_report_of_a_tampered_release_says_so_and_exits_1(sample_release, tmp_path, capsys):
    copy = tmp_path / "release"
    shutil.copytree(sample_release, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["licenses"][next(iter(manifest["licenses"]))]["documents"] += 1
    (copy / "manifest.json").write_text(json.dumps(manifest))
    page = tmp_path / "r.html"
    assert main(["report", str(copy), "--html", str(page)]) == 1
    assert "Audit FAILED" in page.read_text("utf-8")
    assert "digest mismatch" in page.read_text("utf-8")


def test_report_of_a_catalog_shows_versions(catalog, tmp_path):
    page = tmp_path / "c.html"
    assert main(["report", catalog.url, "--html", str(page)]) == 0
    text = _parse(page.read_text("utf-8")).text_by_id["catalog"]
    record = catalog.current()
    assert record.version in text and "current" in text and record.manifest_sha256 in text


def test_report_html_escapes_release_text(sample_release, tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(sample_release, copy)
    attribution = copy / "ATTRIBUTION.md"
    attribution.write_text(attribution.read_text("utf-8") + "- <script>alert(1)</script>\n")
    html = render_html(build_report(copy))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert re.search(r"<h1>Compliance report — \S+ \S+</h1>", html)


def test_opt_out_checks_recorded_for_web_pages_are_reported(sample_release, tmp_path):
    """Kept web pages carry ``optout_checks``; the report counts each signal checked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from manifests.layout import file_sha256
    from manifests.release import manifest_digest

    copy = tmp_path / "release"
    shutil.copytree(sample_release, copy)
    manifest = read_manifest(copy)
    entry = manifest["shards"][0]
    table = pq.read_table(copy / entry["path"])
    if "optout_checks" not in table.column_names:
        pytest.skip("this shard schema has no optout_checks column")
    checks = "robots.txt=none(GPTBot allowed); tdm-reservation=none(no tdmrep.json); noai=none()"
    table = table.set_column(
        table.column_names.index("optout_checks"), table.schema.field("optout_checks"),
        pa.array([checks] * table.num_rows, pa.string()),
    )  # fmt: skip
    pq.write_table(table, copy / entry["path"], compression="zstd")
    entry["sha256"] = file_sha256(copy / entry["path"])
    entry["bytes"] = (copy / entry["path"]).stat().st_size
    manifest["manifest_sha256"] = manifest_digest(manifest)
    (copy / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))

    report = build_report(copy)
    assert report.audit_problems == []
    assert {s: dict(c) for s, c in report.opt_out_checked.items()} == {
        "robots.txt": {"none": table.num_rows},
        "tdm-reservation": {"none": table.num_rows},
        "noai": {"none": table.num_rows},
    }
    text = _parse(render_html(report)).text_by_id["opt-out"]
    assert "tdm-reservation" in text and f"{table.num_rows:,}" in text


# -- the documents refused and taken down; Japanese on the page -------------------------


@pytest.fixture(scope="module")
def taken_down_catalog(sample_release, tmp_path_factory):
    """The sample's release as v1, and v2 without two documents taken down."""
    from manifests.takedown import rules_from_cli, takedown
    from tests.manifests.conftest import publish_copy, shard_rows

    catalog = publish_copy(sample_release, tmp_path_factory.mktemp("refused") / "catalog")
    ids = [r["id"] for r in shard_rows(sample_release, ["id"])[:2]]
    takedown(catalog.url, rules_from_cli(ids, [], []), "rights holder's request <b>#7</b>")
    return catalog


def test_report_names_every_refused_and_taken_down_document(taken_down_catalog, tmp_path):
    from manifests.report import EVIDENCE_INLINE
    from tests.manifests.conftest import rejected_rows

    page = tmp_path / "report.html"
    assert main(["report", taken_down_catalog.url, "--html", str(page)]) == 0
    html = page.read_text("utf-8")
    dom = _parse(html)
    text = dom.text_by_id["refused"]
    rows = rejected_rows(taken_down_catalog.version_path(taken_down_catalog.current().version))
    license_rows = [r for r in rows if r["stage"] == "license"]
    takedown_rows = [r for r in rows if r["stage"] == "takedown"]
    assert license_rows and len(takedown_rows) == 2
    assert f"{len(license_rows)} refused by the license gate, 2 taken down" in text
    for row in license_rows + takedown_rows:
        for value in (row["source_id"], row["id"], row["url"], row["license"], row["reason"]):
            assert value in text
        assert row["detail"] and row["detail"] in text  # the evidence, or the request
    # the license gate keeps the evidence it refused on; long evidence is collapsed
    assert all(r["detail"] for r in license_rows)
    summaries = re.findall(r"<details><summary>(.*?)</summary>", html)
    for detail in (r["detail"] for r in license_rows + takedown_rows):
        if len(detail) > EVIDENCE_INLINE:
            assert escape(detail[:EVIDENCE_INLINE]) + "…" in summaries
    # the request's reason is escaped, not markup
    assert "rights holder&#x27;s request &lt;b&gt;#7&lt;/b&gt;" in html
    assert "<b>#7</b>" not in html


def test_refused_rows_are_escaped_and_only_web_urls_are_links(sample_release):
    report = build_report(sample_release)
    report.refused = [
        {"id": "web-1", "source": "web", "source_id": "<img src=x onerror=alert(1)>",
         "url": "javascript:alert(1)", "license": "<i>CC</i>", "stage": "license",
         "reason": "license_refused:all_rights_reserved", "detail": "<script>x</script>" * 20},
    ]  # fmt: skip
    html = render_html(report)
    refused = html[html.index('<div id="refused">') :]
    assert "<img" not in refused and "<script>" not in refused and "<i>" not in refused
    assert 'href="javascript' not in refused and "javascript:alert(1)" in refused
    assert "&lt;script&gt;x&lt;/script&gt;" in refused and "<details>" in refused


def test_report_is_japanese_with_a_japanese_font_stack(report_html):
    _, html = report_html
    dom = _parse(html)
    assert dom.all("html")[0]["lang"] == "ja"
    stack = re.search(r"body\{font-family:([^;]+);", html).group(1)
    names = [n.strip().strip('"') for n in stack.split(",")]
    order = ["Noto Sans CJK JP", "IPAexGothic", "Hiragino Sans", "Yu Gothic", "sans-serif"]
    assert all(n in names for n in order)
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)


def test_terminal_report_never_cuts_a_license_id(sample_release):
    from rich.console import Console

    report = build_report(sample_release)
    for width in (60, 80, 120):
        console = Console(width=width, record=True, highlight=False)
        render_terminal(report, console)
        lines = console.export_text().splitlines()
        for lic in report.licenses:
            assert any(lic.id in line for line in lines), (width, lic.id)


NOT_A_CHARACTER = [chr(c) for c in range(0x2FE0, 0x2FEC)]
"""Unassigned code points: no font has glyphs for them, so they render as "tofu"."""


def _cells_png(head: str, strings: list[str], out: Path, tmp_path: Path) -> Path:
    """A page with the report's ``<head>`` (language, fonts) and one string per cell."""
    cells = "".join(
        f'<div style="position:absolute;left:{16 + (i % 12) * 64}px;top:{16 + (i // 12) * 72}px;'
        f'width:64px;height:72px;font-size:48px;line-height:72px">{escape(s)}</div>'
        for i, s in enumerate(strings)
    )
    page = tmp_path / "glyphs.html"
    page.write_text(f"{head}<body style='margin:0'>{cells}</body></html>", encoding="utf-8")
    proc = subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=800,320",
         "--run-all-compositor-stages-before-draw", "--virtual-time-budget=2000",
         f"--screenshot={out}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0 and out.is_file(), proc.stderr[-2000:]
    return out


def _cell_bitmaps(png: Path, count: int) -> list[bytes]:
    """Each cell of the screenshot as a black-and-white bitmap (ink = dark pixels)."""
    from PIL import Image

    image = Image.open(png).convert("L")
    cells = []
    for i in range(count):
        left, top = 16 + (i % 12) * 64, 16 + (i // 12) * 72
        cell = image.crop((left, top, left + 64, top + 72))
        cells.append(cell.point(lambda p: 255 if p < 128 else 0).tobytes())
    return cells


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)
def test_japanese_renders_as_glyphs_not_empty_boxes(report_html, sample_release, tmp_path):
    """Japanese characters of the report, drawn with its <head>, are each a distinct glyph;
    unassigned code points drawn the same way are all the same empty box, so the check
    would see it if the Japanese fonts were missing (apt-get install fonts-ipafont-gothic)."""
    _, html = report_html
    head = html[: html.index("<body>")]
    attribution = (sample_release / "ATTRIBUTION.md").read_text("utf-8")
    japanese = list(dict.fromkeys(c for c in attribution if "\u3041" <= c <= "\u9fff"))[:24]
    assert len(japanese) == 24
    png = _cells_png(head, japanese + NOT_A_CHARACTER, tmp_path / "glyphs.png", tmp_path)
    cells = _cell_bitmaps(png, len(japanese) + len(NOT_A_CHARACTER))
    glyphs, tofu = cells[: len(japanese)], cells[len(japanese) :]

    assert len(set(tofu)) == 1  # what a missing glyph looks like: one and the same box
    assert all(cell.count(255) > 40 for cell in glyphs), "a Japanese character left no ink"
    distinct = len(set(glyphs))
    assert distinct == len(glyphs), f"{len(glyphs)} Japanese characters, {distinct} shapes: tofu"
    assert tofu[0] not in glyphs
