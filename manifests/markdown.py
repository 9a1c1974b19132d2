"""Data written into Markdown as data: attribution lines that cannot forge structure.

Credit lines come from the documents (a page's title, a JSONL line's ``attribution``),
so ATTRIBUTION.md writes each one as a single line of escaped inline text: newlines
and other whitespace runs become one space (no forged ``## CC0-1.0`` section), every
character that could open inline Markdown or HTML is backslash-escaped (CommonMark
§2.4; no ``<img onerror=…>``, no ``[x](javascript:…)`` link), so is a first character
that would open a block (``-``, ``#``, ``1.`` …), and http(s) URLs become
autolinks (``<https://…>``, whose contents Markdown leaves alone). :func:`md_plain`
reverses it for renderers that take the text back (the HTML report).
"""

from __future__ import annotations

import re

__all__ = ["md_inline", "md_plain"]

_URL = re.compile(r"https?://[^\s<>\"'`\\]+")
_SPECIAL = re.compile(r"([\\`*_\[\]<>~&])")
_ESCAPED = re.compile(r"\\([\\`*_\[\]{}<>()#+!|~&=.-])")
_AUTOLINK = re.compile(r"<(https?://[^\s<>]+)>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(text: str, first: bool) -> str:
    text = _SPECIAL.sub(r"\\\1", text)
    if first:  # what only counts at the start of a line: a heading, a list, a block quote
        text = re.sub(r"^([-+#>=|])", r"\\\1", text)
        text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return text


def md_inline(text: str) -> str:
    """``text`` as one line of Markdown that renders as exactly this text.

    >>> md_inline("Example Org\\n\\n## CC0-1.0\\n- forged")
    'Example Org ## CC0-1.0 - forged'
    >>> print(md_inline('<img src=x onerror="alert(1)"> [x](javascript:alert(1))'))
    \\<img src=x onerror="alert(1)"\\> \\[x\\](javascript:alert(1))
    >>> print(md_inline("- 偽の項目"), md_inline("1. 偽の番号"))
    \\- 偽の項目 1\\. 偽の番号
    >>> md_inline("夏目漱石「坊っちゃん」青空文庫 https://www.aozora.gr.jp/cards/000148/card752.html")
    '夏目漱石「坊っちゃん」青空文庫 <https://www.aozora.gr.jp/cards/000148/card752.html>'
    """
    flat = " ".join(_CONTROL.sub(" ", text).split())
    out, at = [], 0
    for m in _URL.finditer(flat):
        url = m.group().rstrip(".,;:!?)]）」")
        out.append(_escape(flat[at : m.start()], at == 0))
        out.append(f"<{url}>")
        at = m.start() + len(url)
    out.append(_escape(flat[at:], at == 0))
    return "".join(out)


def md_plain(text: str) -> str:
    """The text :func:`md_inline` was given (whitespace folded).

    >>> s = '<img onerror=x> [x](javascript:y) 1. https://a.jp/x_(1)'
    >>> md_plain(md_inline(s)) == s
    True
    """
    text = _AUTOLINK.sub(lambda m: "\x00" + m.group(1) + "\x01", text)
    parts = re.split(r"\x00([^\x01]*)\x01", text)
    return "".join(p if i % 2 else _ESCAPED.sub(r"\1", p) for i, p in enumerate(parts))
