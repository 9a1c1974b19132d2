"""Attribution text and evidence are data: they render as themselves, never as markup."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from manifests.markdown import md_inline, md_plain
from manifests.release import attribution_markdown
from manifests.report import markdown_html

HOSTILE = [
    "Example Org\n\n## CC0-1.0\n\n- 偽のクレジット",
    '<img src=x onerror="alert(1)">',
    "[クリック](javascript:alert(1))",
    "<script>alert(1)</script> &amp; `code` *強調* _下線_ ~~消~~ | 表 |",
    "1. 番号付き\r\n* 箇条\u2028書き\x1b[31m赤\x1b[0m",
    "夏目漱石「坊っちゃん」青空文庫 https://www.aozora.gr.jp/cards/000148/card752.html",
]


@pytest.fixture(scope="module")
def attribution() -> str:
    reports = [{"attributions": [["CC-BY-4.0", "web", credit] for credit in HOSTILE]}]
    return attribution_markdown("hostile", reports)


def test_attribution_markdown_has_only_its_own_structure(attribution: str) -> None:
    tokens = MarkdownIt("commonmark").parse(attribution)
    headings = [
        md_plain(tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert headings == [
        "Attribution — hostile",
        "CC-BY-4.0 — Creative Commons Attribution 4.0 International",
        "web",
    ]
    items = [t for t in tokens if t.type == "list_item_open"]
    assert len(items) == len(HOSTILE)
    html = MarkdownIt("commonmark").render(attribution)
    assert "<img" not in html and "<script" not in html and 'href="javascript' not in html
    assert not re.search(r'href="(?!https://)', html), "only the real http(s) links"
    assert "\x1b" not in attribution
    assert '<a href="https://www.aozora.gr.jp/cards/000148/card752.html">' in html


def test_attribution_renders_back_as_the_text_in_the_report(attribution: str) -> None:
    html = markdown_html(attribution)
    assert html.count("<h") == 3 and "<img" not in html and "<script" not in html
    assert 'href="javascript' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "[クリック](javascript:alert(1))" in html


@pytest.mark.parametrize("text", HOSTILE)
def test_escaping_round_trips(text: str) -> None:
    line = md_inline(text)
    assert "\n" not in line and "\r" not in line
    assert md_plain(line) == " ".join(re.sub(r"[\x00-\x1f\x7f\u2028]", " ", text).split())


def test_trace_prints_evidence_as_data() -> None:
    import io

    from rich.console import Console

    from manifests.trace import render_trace

    hostile = "[/red] [bold red]偽[/] \x1b[2J\x1b]0;title\x07 \u202egnp.exe"
    trace = {
        "id": "web-[/red]",
        "status": "kept",
        "release": {"name": "r[/]", "version": "1"},
        "origin": {"source": "web", "url": "https://example.jp/[/red]", "title": hostile},
        "license": {"license": "CC-BY-4.0", "license_evidence": hostile, "obligations": []},
        "stages": [{"stage": "read", "decision": "kept", "reason": hostile}],
        "signals": {"x": hostile},
        "text_preview": hostile,
    }
    out = io.StringIO()
    render_trace(trace, Console(file=out, highlight=False, soft_wrap=True, width=300))
    printed = out.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed and "\u202e" not in printed
    assert "[/red] [bold red]偽[/] \\x1b[2J\\x1b]0;title\\x07 \\u202egnp.exe" in printed
    assert "web-[/red]" in printed
