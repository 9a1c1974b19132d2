"""``jpcorpus report``: the reviewers' page, read back from a real headless browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from manifests.markdown import md_plain
from manifests.release import read_manifest
from manifests.report import build_report, render_html
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
        assert lic[:18] in out  # rich may shorten long ids to the column width


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
