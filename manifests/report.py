"""``jpcorpus report DIR``: the compliance report for reviewers.

:func:`build_report` reads a release (its manifest, ATTRIBUTION.md and rejected/
reasons, and the result of a fresh audit) into a :class:`Report`;
:func:`render_html` turns it into one self-contained HTML page — inline CSS and
inline SVG charts, no scripts, fonts, images or style sheets fetched from anywhere —
and :func:`render_terminal` prints the summary with rich. A license's obligations
come from the license registry, not from the release.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from licenses.registry import get_license
from manifests.layout import ATTRIBUTION
from manifests.markdown import md_plain
from manifests.publish import PolicyUnavailable, policy_of
from manifests.release import read_manifest
from manifests.remote import listed_files
from manifests.trace import stage_order

OPT_OUT_STAGE = "optout"
"""The stage under which web sources drop a page that reserves its rights."""

OPT_OUT_REASON = re.compile(r"opt.?out|robots|tdm|noai", re.IGNORECASE)
"""A drop reason that records an opt-out signal (``optout:robots.txt``, …)."""

OPT_OUT_COLUMN = "optout_checks"
"""Shard column listing the signals checked for a kept page, e.g.
``robots.txt=none(…); tdm-reservation=none(…); noai=none(…)``."""

OPT_OUT_KEYS = ("opt_out", "opt_outs", "optout", "opt_out_checks")
"""Manifest keys under which a source may record the opt-out checks it made."""

WEB_SOURCE_TYPES = ("warc", "crawl")

REFUSED_STAGES = ("license", "takedown")
"""Stages whose drops the report names one by one: the license gate's refusals and the
takedowns (their rows of rejected/ hold the license found and the evidence or request)."""

EVIDENCE_INLINE = 120
"""Evidence longer than this many characters is collapsed under ``<details>``."""

FONT_STACK = (
    '"Noto Sans CJK JP","Noto Sans JP","IPAexGothic","IPAPGothic","IPAGothic",'
    '"Hiragino Sans","Hiragino Kaku Gothic ProN","Yu Gothic","YuGothic",sans-serif'
)
"""Japanese fonts first (Noto Sans CJK JP, IPA, Hiragino, Yu Gothic), so that titles,
attribution and evidence render as Japanese glyphs on Linux, macOS and Windows alike."""

PALETTE = (
    "#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c",
    "#319795", "#b7791f", "#e53e3e", "#4a5568", "#718096",
)  # fmt: skip


@dataclass
class LicenseLine:
    id: str
    name: str
    url: str
    documents: int
    characters: int
    doc_share: float
    char_share: float
    obligations: list[str]
    admitted: bool | None


@dataclass
class Report:
    """Everything the report shows, gathered from one release."""

    path: str
    manifest: dict[str, Any]
    licenses: list[LicenseLine]
    drops: list[tuple[str, str, int]]
    """(stage, reason, documents) in pipeline order"""
    opt_out_drops: list[tuple[str, str, int]]
    opt_out_checked: dict[str, Counter]
    """signal -> {state: kept pages} from the shards' ``optout_checks``"""
    opt_out_records: dict[str, Any]
    web_sources: list[str]
    attribution: str
    audit_problems: list[str]
    nodes: list[dict[str, Any]]
    catalog: dict[str, Any] | None = None
    characters: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    refused: list[dict[str, Any]] = field(default_factory=list)
    """rows of rejected/ refused by the license gate or taken down (:data:`REFUSED_STAGES`)"""

    @property
    def accounting(self) -> dict[str, Any]:
        return self.manifest["accounting"]

    @property
    def dropped(self) -> int:
        return sum(n for _, _, n in self.drops)

    def drops_by_stage(self) -> list[tuple[str, int]]:
        totals: dict[str, int] = {}
        for stage, _, n in self.drops:
            totals[stage] = totals.get(stage, 0) + n
        return list(totals.items())


def is_opt_out(stage: str, reason: str) -> bool:
    """Whether a drop records an opt-out signal.

    >>> is_opt_out("optout", "optout:robots.txt"), is_opt_out("read", "tdm_reservation")
    (True, True)
    >>> is_opt_out("license", "license_refused:all_rights_reserved")
    False
    """
    return stage == OPT_OUT_STAGE or bool(OPT_OUT_REASON.search(reason))


def opt_out_checks(root: Path, manifest: dict[str, Any]) -> dict[str, Counter]:
    """Signals checked for the kept pages: ``{"robots.txt": {"none": 12}, …}``.

    >>> dict(_signals("robots.txt=none(allowed); tdm-reservation=none(no tdmrep.json)"))
    {'robots.txt': 'none', 'tdm-reservation': 'none'}
    """
    out: dict[str, Counter] = {}
    for entry in manifest.get("shards", []):
        path = root / entry["path"]
        if OPT_OUT_COLUMN not in pq.read_schema(path).names:
            continue
        column = pq.read_table(path, columns=[OPT_OUT_COLUMN])[OPT_OUT_COLUMN]
        for value in column.drop_null().to_pylist():
            for signal, state in _signals(value).items():
                out.setdefault(signal, Counter())[state] += 1
    return out


def _signals(checks: str) -> dict[str, str]:
    return dict(re.findall(r"([\w.-]+)=(none|reserved)\b", checks))


def refused_documents(root: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every document the license gate refused and every one taken down, from rejected/
    (only those rows are read), license-gate refusals first, then by source and id."""
    rows: list[dict[str, Any]] = []
    for entry in manifest.get("rejected", []):
        table = pq.read_table(root / entry["path"], filters=[("stage", "in", list(REFUSED_STAGES))])
        rows += table.to_pylist()
    return sorted(
        rows,
        key=lambda r: (REFUSED_STAGES.index(r["stage"]), r.get("source") or "",
                       r.get("source_id") or "", r["id"]),
    )  # fmt: skip


def _nodes(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Processing nodes (opaque ids, as a published manifest names them) with how many
    tasks each ran."""
    grouped: dict[str, dict[str, Any]] = {}
    for rec in manifest.get("nodes", []):
        entry = grouped.setdefault(
            rec.get("node_id", ""),
            {
                "node_id": rec.get("node_id", ""),
                "region": rec.get("region", ""),
                "labels": rec.get("labels", {}),
                "tasks": 0,
            },
        )
        entry["tasks"] += 1
    return list(grouped.values())


def build_report(release_dir: str | Path, catalog: dict[str, Any] | None = None) -> Report:
    """Gather the report of the release in ``release_dir`` (audited on the way)."""
    from manifests.audit import audit_release

    root = Path(release_dir)
    manifest = read_manifest(root)
    listed_files(manifest)  # UnsafeRelease when a path it names leaves the release
    lic_counts = manifest.get("licenses", {})
    total_docs = sum(c["documents"] for c in lic_counts.values()) or 1
    total_chars = sum(c["characters"] for c in lic_counts.values())
    try:
        policy = policy_of(manifest)
    except PolicyUnavailable:
        policy = None
    licenses = []
    for lic_id, counts in sorted(lic_counts.items(), key=lambda kv: -kv[1]["characters"]):
        entry = get_license(lic_id)
        licenses.append(
            LicenseLine(
                id=lic_id,
                name=entry.name if entry else "(not in the license registry)",
                url=entry.url if entry else "",
                documents=counts["documents"],
                characters=counts["characters"],
                doc_share=counts["documents"] / total_docs,
                char_share=counts["characters"] / (total_chars or 1),
                obligations=entry.obligations if entry else [],
                admitted=policy.admits(lic_id) if policy else None,
            )
        )
    dropped = manifest["accounting"]["dropped"]
    order = stage_order(manifest) + sorted(set(dropped) - set(stage_order(manifest)))
    drops = [
        (stage, reason, n)
        for stage in order
        for reason, n in sorted(dropped.get(stage, {}).items(), key=lambda kv: -kv[1])
    ]
    attribution_path = root / ATTRIBUTION
    sources_cfg = manifest.get("config", {}).get("sources", [])
    return Report(
        path=str(root),
        manifest=manifest,
        licenses=licenses,
        drops=drops,
        opt_out_drops=[d for d in drops if is_opt_out(d[0], d[1])],
        opt_out_checked=opt_out_checks(root, manifest),
        opt_out_records={k: manifest[k] for k in OPT_OUT_KEYS if k in manifest},
        web_sources=[
            s.get("name") or s.get("type") for s in sources_cfg if s.get("type") in WEB_SOURCE_TYPES
        ],
        attribution=attribution_path.read_text("utf-8") if attribution_path.is_file() else "",
        audit_problems=audit_release(root),
        nodes=_nodes(manifest),
        catalog=catalog,
        characters=total_chars,
        refused=refused_documents(root, manifest),
    )


# -- HTML ---------------------------------------------------------------------------

CSS = """
body{font-family:FONTS;
 margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1a202c;line-height:1.5}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #e2e8f0;padding-bottom:.2rem;margin-top:2.2rem}
.meta{color:#4a5568;font-size:.9rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #e2e8f0;border-radius:.5rem;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.5rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}
th,td{border-bottom:1px solid #e2e8f0;padding:.3rem .7rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#276749;font-weight:bold}.fail{color:#c53030;font-weight:bold}
.chart{display:flex;gap:2rem;align-items:center;flex-wrap:wrap}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:.15rem;margin-right:.4rem}
.attribution{background:#f7fafc;border:1px solid #e2e8f0;padding:.2rem 1rem;border-radius:.4rem}
code{font-size:.85rem;word-break:break-all}
details>summary{cursor:pointer;color:#2d3748}
#refused table{width:100%}#refused code.lic{word-break:normal;white-space:nowrap}
#refused code{word-break:normal;overflow-wrap:anywhere}
#refused .url{word-break:break-all;display:inline-block;min-width:12rem}
#refused td:last-child{overflow-wrap:anywhere;min-width:16rem}
""".replace("FONTS", FONT_STACK)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _n(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(
        f"<th{' class=n' if i in numeric else ''}>{h}</th>" for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if i in numeric else ''}>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def license_share_svg(licenses: list[LicenseLine], size: int = 200) -> str:
    """A donut chart of each license's share of characters (one circle per slice)."""
    r, stroke = size * 0.35, size * 0.18
    circumference = 2 * math.pi * r
    c = size / 2
    parts = [
        f'<svg id="license-share-chart" role="img" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg">',
        "<title>License share of characters</title>",
        f'<circle cx="{c}" cy="{c}" r="{r:.2f}" fill="none" stroke="#edf2f7" '
        f'stroke-width="{stroke:.2f}"/>',
    ]
    offset = 0.0
    for i, lic in enumerate(licenses):
        length = lic.char_share * circumference
        parts.append(
            f'<circle class="slice" data-license="{_e(lic.id)}" cx="{c}" cy="{c}" r="{r:.2f}" '
            f'fill="none" stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="{stroke:.2f}" '
            f'stroke-dasharray="{length:.3f} {circumference - length:.3f}" '
            f'stroke-dashoffset="{-offset:.3f}" transform="rotate(-90 {c} {c})">'
            f"<title>{_e(lic.id)}: {_pct(lic.char_share)}</title></circle>"
        )
        offset += length
    parts.append("</svg>")
    return "".join(parts)


def drops_svg(kept: int, by_stage: list[tuple[str, int]], width: int = 560) -> str:
    """Horizontal bars: documents kept, then documents dropped at each stage."""
    bars = [("kept", kept, "#38a169")] + [(s, n, "#e53e3e") for s, n in by_stage]
    top = max((n for _, n, _ in bars), default=0) or 1
    row, label_w, value_w = 26, 130, 70
    plot_w = width - label_w - value_w
    height = row * len(bars) + 10
    parts = [
        f'<svg id="drops-chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        "<title>Documents kept and dropped per stage</title>",
    ]
    for i, (name, n, colour) in enumerate(bars):
        y = 5 + i * row
        w = max(1.0, plot_w * n / top) if n else 0
        parts.append(
            f'<g class="bar" data-stage="{_e(name)}" data-count="{n}">'
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13">{_e(name)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{colour}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="13">{n:,}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def markdown_html(text: str) -> str:
    """The small Markdown subset ATTRIBUTION.md uses (headings, bullets, paragraphs).

    >>> markdown_html("## CC-BY-4.0\\n\\n- 羅生門（芥川竜之介）")
    '<h4>CC-BY-4.0</h4>\\n<ul><li>羅生門（芥川竜之介）</li></ul>'
    """
    out: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if bullets:
            out.append("<ul>" + "".join(f"<li>{b}</li>" for b in bullets) + "</ul>")
            bullets.clear()

    for line in text.splitlines():
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        if line.startswith("- "):
            bullets.append(_linkify(md_plain(line[2:])))
            continue
        flush()
        if heading:
            level = len(heading.group(1)) + 2
            out.append(f"<h{level}>{_e(md_plain(heading.group(2)))}</h{level}>")
        elif line.strip():
            out.append(f"<p>{_linkify(md_plain(line))}</p>")
    flush()
    return "\n".join(out)


def _linkify(text: str) -> str:
    """Escape ``text`` and make its http(s) URLs links (plain anchors, nothing is fetched)."""
    parts = re.split(r"(https?://[^\s<>\"）)]+)", text)
    return "".join(
        f'<a href="{_e(p)}">{_e(p)}</a>' if i % 2 else _e(p) for i, p in enumerate(parts)
    )


def render_html(report: Report) -> str:
    m = report.manifest
    acc = report.accounting
    title = f"Compliance report — {m.get('name')} {m.get('version')}"
    audit_html = (
        '<p id="audit" class="ok">Audit passed: every shard hash, row count and schema, the '
        "manifest digest, the accounting identity and the licenses were verified.</p>"
        if not report.audit_problems
        else '<div id="audit"><p class="fail">Audit FAILED:</p><ul>'
        + "".join(f"<li>{_e(p)}</li>" for p in report.audit_problems)
        + "</ul></div>"
    )
    shards = m.get("shards", [])
    cards = [
        ("documents in", acc["input"]),
        ("kept", acc["kept"]),
        ("dropped", report.dropped),
        ("characters kept", report.characters),
        ("licenses", len(report.licenses)),
        ("sources", len(m.get("sources", {}))),
        ("shards", len(shards)),
        ("bytes", sum(s.get("bytes", 0) for s in shards)),
    ]
    sections = [
        f"<h1>{_e(title)}</h1>",
        '<p class="meta">'
        + " · ".join(
            f"{k}: <code>{_e(m.get(k))}</code>"
            for k in ("created_at", "code_version", "policy", "manifest_sha256")
        )
        + "</p>",
        audit_html,
        '<div class="cards" id="summary">'
        + "".join(
            f'<div class="card" data-key="{_e(k)}"><b>{_n(v)}</b>{_e(k)}</div>' for k, v in cards
        )
        + "</div>",
        _provenance_html(m),
        "<h2>Licenses</h2>",
        '<div class="chart">' + license_share_svg(report.licenses) + _legend(report) + "</div>",
        '<div id="licenses">'
        + _table(
            [
                "license",
                "name",
                "documents",
                "characters",
                "share (chars)",
                "share (docs)",
                "obligations",
                "policy",
            ],
            [
                [
                    f"<code>{_e(lic.id)}</code>",
                    f'<a href="{_e(lic.url)}">{_e(lic.name)}</a>' if lic.url else _e(lic.name),
                    _n(lic.documents),
                    _n(lic.characters),
                    _pct(lic.char_share),
                    _pct(lic.doc_share),
                    _e(", ".join(lic.obligations) or "none"),
                    {True: "admitted", False: "REFUSED", None: "unknown policy"}[lic.admitted],
                ]
                for lic in report.licenses
            ],
            numeric={2, 3, 4, 5},
        )  # fmt: skip
        + "</div>",
        "<h2>Sources</h2>",
        '<div id="sources">' + _sources_html(m) + "</div>",
        "<h2>Drops by stage and reason</h2>",
        drops_svg(acc["kept"], report.drops_by_stage()),
        '<div id="drops">'
        + (
            _table(
                ["stage", "reason", "documents", "share of input"],
                [
                    [_e(s), f"<code>{_e(r)}</code>", _n(n), _pct(n / (acc["input"] or 1))]
                    for s, r, n in report.drops
                ],
                numeric={2, 3},
            )
            if report.drops
            else "<p>No document was dropped.</p>"
        )
        + f"<p>Accounting: {acc['input']:,} in = {acc['kept']:,} kept + {report.dropped:,} "
        "dropped. Every dropped document is listed in rejected/ with its stage and reason "
        "(never its text).</p></div>",
        "<h2>Opt-out checks</h2>",
        '<div id="opt-out">' + _opt_out_html(report) + "</div>",
        _refused_html(report),
        _catalog_html(report.catalog),
        "<h2>Processing nodes (residency)</h2>",
        '<div id="nodes">' + _nodes_html(report) + "</div>",
        "<h2>Attribution</h2>",
        '<div id="attribution" class="attribution">' + markdown_html(report.attribution) + "</div>",
        "<h2>Shards</h2>",
        "<details><summary>sha256 of every file (recomputed by <code>jpcorpus audit</code>)"
        "</summary>"
        + _table(
            ["file", "rows", "bytes", "sha256"],
            [
                [_e(s["path"]), _n(s["rows"]), _n(s["bytes"]), f"<code>{_e(s['sha256'])}</code>"]
                for s in shards + m.get("rejected", [])
            ],
            numeric={1, 2},
        )
        + "</details>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(s for s in sections if s)
        + "\n</body></html>\n"
    )


def _legend(report: Report) -> str:
    return (
        '<ul id="license-legend" style="list-style:none;padding:0">'
        + "".join(
            f'<li><span class="swatch" style="background:{PALETTE[i % len(PALETTE)]}"></span>'
            f"<code>{_e(lic.id)}</code> {_pct(lic.char_share)}</li>"
            for i, lic in enumerate(report.licenses)
        )
        + "</ul>"
    )


def _sources_html(m: dict[str, Any]) -> str:
    rows = []
    for name, s in m.get("sources", {}).items():
        dropped = "; ".join(
            f"{stage}: " + ", ".join(f"{r} {n:,}" for r, n in reasons.items())
            for stage, reasons in s.get("dropped", {}).items()
        )
        rows.append(
            [f"<code>{_e(name)}</code>", _n(s["input"]), _n(s["kept"]), _pct(s.get("keep_rate", 0)),
             _e(dropped or "—")]
        )  # fmt: skip
    cfg = m.get("config", {}).get("sources", [])
    described = "".join(
        "<li>"
        + _e(c.get("type"))
        + (f" <code>{_e(c.get('name'))}</code>" if c.get("name") else "")
        + (f" — license {_e(c['license'])}" if c.get("license") else "")
        + (f" — evidence: {_e(c['license_evidence'])}" if c.get("license_evidence") else "")
        + "</li>"
        for c in cfg
    )
    return _table(["source", "input", "kept", "keep rate", "dropped"], rows, numeric={1, 2, 3}) + (
        f"<p>Configured sources:</p><ul>{described}</ul>" if described else ""
    )


def _opt_out_html(report: Report) -> str:
    parts = []
    if report.opt_out_checked:
        parts.append(
            "<p>Signals checked for every kept web page (none of them reserved its rights):</p>"
            + _table(
                ["signal", "kept pages checked", "result"],
                [
                    [
                        f"<code>{_e(signal)}</code>",
                        _n(sum(states.values())),
                        _e(", ".join(f"{k} {v:,}" for k, v in sorted(states.items()))),
                    ]
                    for signal, states in sorted(report.opt_out_checked.items())
                ],
                numeric={1},
            )  # fmt: skip
        )
    if report.opt_out_drops:
        parts.append(
            _table(
                ["stage", "signal (reason)", "documents dropped"],
                [[_e(s), f"<code>{_e(r)}</code>", _n(n)] for s, r, n in report.opt_out_drops],
                numeric={2},
            )
        )
    for key, value in report.opt_out_records.items():
        parts.append(f"<p>{_e(key)}:</p><pre>{_e(_pretty(value))}</pre>")
    if report.web_sources or report.opt_out_checked:
        if not report.opt_out_drops:
            parts.append(
                f"<p>Web sources ({_e(', '.join(report.web_sources) or 'web')}): no page was "
                "dropped for an opt-out signal (robots.txt, TDMRep, noai).</p>"
            )
    elif not parts:
        parts.append(
            "<p>No web source in this release: every source states its license itself "
            "(no robots.txt, TDMRep or noai signals apply). No document was dropped for an "
            "opt-out signal.</p>"
        )
    return "".join(parts)


def _pretty(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _provenance_html(m: dict[str, Any]) -> str:
    rows = []
    if m.get("parent"):
        p = m["parent"]
        rows.append(
            [
                "parent version",
                f"{_e(p.get('version'))} (<code>{_e(p.get('manifest_sha256'))}</code>)",
            ]
        )
    if m.get("pull"):
        f = m["pull"].get("filter", {})
        rows.append(
            [
                "pulled from",
                f"{_e(m['pull'].get('catalog'))} version {_e(m['pull'].get('version'))}",
            ]
        )
        rows.append(
            ["pull filter", _e(f"license: {', '.join(f.get('license') or ['any'])}; "
                               f"source: {', '.join(f.get('source') or ['any'])}")]
        )  # fmt: skip
    for t in m.get("takedowns", []):
        rows.append(
            [f"takedown {_e(t.get('request'))}",
             f"{_e(t.get('requested_at'))}: {_e(t.get('reason'))} — {t.get('removed', 0):,} removed"]
        )  # fmt: skip
    if m.get("residency"):
        rows.append(["residency", _e(_pretty(m["residency"]))])
    if not rows:
        return ""
    return '<h2>Provenance</h2><div id="provenance">' + _table(["", ""], rows) + "</div>"


def _nodes_html(report: Report) -> str:
    if not report.nodes:
        return "<p>The release records no processing nodes.</p>"
    required = (report.manifest.get("residency") or {}).get("require_label")
    note = (
        f"<p>Required node labels: <code>{_e(required)}</code>.</p>"
        if required
        else "<p>No residency requirement was set for this run.</p>"
    )
    return note + _table(
        ["node id", "region", "labels", "tasks"],
        [
            [f"<code>{_e(n['node_id'])}</code>", _e(n["region"] or "—"),
             _e(", ".join(f"{k}={v}" for k, v in (n.get("labels") or {}).items()) or "—"),
             _n(n["tasks"])]
            for n in report.nodes
        ],
        numeric={3},
    )  # fmt: skip


def _collapsed(text: str | None) -> str:
    """``text`` escaped; when long, its start with the whole under ``<details>``.

    >>> _collapsed("aozora-index:作品著作権フラグ=あり")
    'aozora-index:作品著作権フラグ=あり'
    >>> _collapsed("x" * 200).startswith("<details><summary>")
    True
    """
    if not text:
        return "—"
    if len(text) <= EVIDENCE_INLINE:
        return _e(text)
    return f"<details><summary>{_e(text[:EVIDENCE_INLINE])}…</summary>{_e(text)}</details>"


def _url_html(url: str | None) -> str:
    """A link for http(s) URLs; any other locator (``aozora:…``) as plain text."""
    if not url:
        return "—"
    if re.match(r"^https?://", url, re.IGNORECASE):
        return f'<a class="url" href="{_e(url)}">{_e(url)}</a>'
    return f'<span class="url">{_e(url)}</span>'


def _refused_html(report: Report) -> str:
    """The documents refused by the license gate and those taken down, one row each."""
    counts = Counter(r["stage"] for r in report.refused)
    head = (
        '<h2>Refused and taken-down documents</h2><div id="refused">'
        f"<p>{counts.get('license', 0):,} refused by the license gate, "
        f"{counts.get('takedown', 0):,} taken down. Their text is never kept; rejected/ "
        "holds each row.</p>"
    )
    if not report.refused:
        return head + "</div>"
    rows = [
        [
            _e(r.get("source_id") or r["id"]) + f'<br><code class="id">{_e(r["id"])}</code>',
            _url_html(r.get("url")),
            f'<code class="lic">{_e(r.get("license") or "none found")}</code>',
            _e({"license": "license gate"}.get(r["stage"], r["stage"]))
            + f"<br><code>{_e(r['reason'])}</code>",
            _collapsed(r.get("detail")),
        ]
        for r in report.refused
    ]
    return (
        head
        + _table(
            [
                "title or source id",
                "url",
                "license found",
                "stage and reason",
                "evidence / request",
            ],
            rows,
        )  # fmt: skip
        + "</div>"
    )


def _catalog_html(catalog: dict[str, Any] | None) -> str:
    if not catalog:
        return ""
    versions = _table(
        ["version", "created", "parent", "status", "why", "documents", "manifest sha256"],
        [
            [_e(v["version"]), _e(v["created_at"]), _e(v.get("parent") or "—"), _e(v["status"]),
             _e(v["reason"]), _n(v["documents"]), f"<code>{_e(v['manifest_sha256'])}</code>"]
            for v in catalog["versions"]
        ],
        numeric={5},
    )  # fmt: skip
    requests = _table(
        ["request", "when", "reason", "documents removed", "new version"],
        [
            [_e(r["id"]), _e(r["requested_at"]), _e(r["reason"]), _n(len(r["matched"])),
             _e(r.get("to_version") or "—")]
            for r in catalog["takedowns"]
        ],
        numeric={3},
    )  # fmt: skip
    return (
        f'<h2>Catalog</h2><div id="catalog"><p>{_e(catalog["url"])}</p>{versions}'
        + ("<h3>Takedown requests</h3>" + requests if catalog["takedowns"] else "")
        + "</div>"
    )


# -- terminal -----------------------------------------------------------------------


def phase_line(run: dict[str, Any]) -> str:
    """Where a run's wall time went, from the manifest's ``run`` (empty before it was kept).

    >>> phase_line({"seconds": 9.1, "phase_seconds": {"ray start": 2.41, "segment 1": 1.0}})
    'wall 9.1 s: ray start 2.4 · segment 1 1.0'
    """
    phases = run.get("phase_seconds") or {}
    if not phases:
        return ""
    parts = " · ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items())
    return f"wall {run.get('seconds', 0):.1f} s: {parts}"


def stage_cost_table(costs: list[dict[str, Any]], run: dict[str, Any] | None = None) -> Any:
    """The manifest's ``stage_costs`` as a ``rich`` table (CPU and wall summed over tasks),
    with the run's phases (``run``) as its caption."""
    from rich.table import Table

    table = Table(title="cost per stage (summed over tasks)", caption=phase_line(run or {}) or None)
    for header in ("stage", "CPU s", "wall s", "docs in", "docs out", "peak RSS MB"):
        table.add_column(header, justify="left" if header == "stage" else "right")
    for c in costs:
        docs_in = "" if c.get("docs_in") is None else f"{c['docs_in']:,}"
        table.add_row(
            c["stage"], f"{c['cpu_s']:.2f}", f"{c['wall_s']:.2f}", docs_in,
            f"{c['docs_out']:,}", f"{c['peak_rss_mb']:,.0f}",
        )  # fmt: skip
    return table


def render_terminal(report: Report, console: Any) -> None:
    """The summary for a terminal (``console`` is a ``rich.console.Console``)."""
    from rich.table import Table

    m, acc = report.manifest, report.accounting
    console.print(
        f"[bold]{m.get('name')} {m.get('version')}[/bold]  created {m.get('created_at')}  "
        f"policy {m.get('policy')}"
    )
    console.print(
        f"documents: {acc['input']:,} in, {acc['kept']:,} kept, {report.dropped:,} dropped; "
        f"{report.characters:,} characters in {len(m.get('shards', []))} shards"
    )
    if report.audit_problems:
        console.print(f"[red]audit FAILED[/red]: {len(report.audit_problems)} problems")
        for p in report.audit_problems[:5]:
            console.print(f"  {p}")
    else:
        console.print("[green]audit OK[/green]: hashes, digest, accounting and licenses verified")
    table = Table(title="licenses")
    longest = max((len(lic.id) for lic in report.licenses), default=0)
    table.add_column("license", no_wrap=True, min_width=longest, overflow="fold")
    for header in ("documents", "characters", "share"):
        table.add_column(header, justify="right")
    table.add_column("obligations")
    for lic in report.licenses:
        table.add_row(
            lic.id, f"{lic.documents:,}", f"{lic.characters:,}", _pct(lic.char_share),
            ", ".join(lic.obligations) or "none",
        )  # fmt: skip
    console.print(table)
    table = Table("source", "input", "kept", "keep rate", title="sources")
    for name, s in m.get("sources", {}).items():
        table.add_row(name, f"{s['input']:,}", f"{s['kept']:,}", _pct(s.get("keep_rate", 0)))
    console.print(table)
    if report.drops:
        table = Table("stage", "reason", "documents", title="drops")
        for stage, reason, n in report.drops:
            table.add_row(stage, reason, f"{n:,}")
        console.print(table)
    if report.refused:
        counts = Counter(r["stage"] for r in report.refused)
        console.print(
            f"refused by the license gate: {counts.get('license', 0):,}; taken down: "
            f"{counts.get('takedown', 0):,} (each listed in the HTML report)"
        )
    if report.opt_out_drops:
        console.print("opt-out: " + ", ".join(f"{r} {n:,}" for _, r, n in report.opt_out_drops))
    if m.get("stage_costs"):
        console.print(stage_cost_table(m["stage_costs"], m.get("run")))
