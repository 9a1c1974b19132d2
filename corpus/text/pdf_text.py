"""Japanese text from a PDF's text layer, made to read as the page does.

Pure functions over the lines an extractor gives per page:

- :func:`normalize_compat` maps the compatibility code points some government PDFs put in
  their text layer (Kangxi radicals ⽤⽂⾏⼈ for 用文行人, CJK radicals, compatibility
  ideographs) to the ordinary characters, and drops NUL and other control characters;
- :func:`strip_page_furniture` removes running headers and footers (the same line at the
  top or bottom of most pages) and page numbers (``- 1 -``, ``1/3``, ``Page 2``);
- :func:`join_lines` joins a paragraph's lines without the spaces a line break between
  Japanese characters would otherwise become;
- :func:`garbled_share` measures how much of a text is what an extractor emits for fonts
  without a usable Unicode map (``(cid:1234)``, private-use and replacement characters,
  control characters), so such text is dropped, never kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_COMPAT_RANGES = (
    (0x2E80, 0x2EFF),  # CJK Radicals Supplement
    (0x2F00, 0x2FDF),  # Kangxi Radicals
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x2F800, 0x2FA1F),  # CJK Compatibility Ideographs Supplement
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def _compat_char(ch: str) -> str:
    cp = ord(ch)
    if any(lo <= cp <= hi for lo, hi in _COMPAT_RANGES):
        mapped = unicodedata.normalize("NFKC", ch)
        if mapped != ch:
            return mapped
        return _RADICAL_SUPPLEMENT.get(ch, ch)
    return ch


#: CJK Radicals Supplement forms NFKC leaves alone, mapped to the ideograph they stand for
_RADICAL_SUPPLEMENT = {
    "⺟": "母",
    "⻆": "角",
    "⻑": "長",
    "⻝": "食",
    "⻄": "西",
    "⻤": "鬼",
    "⻩": "黄",
    "⻫": "斉",
    "⻭": "歯",
    "⻯": "竜",
    "⻲": "亀",
}


def normalize_compat(text: str) -> str:
    """Compatibility code points to ordinary characters; control characters removed.

    Other characters are left exactly as they are (no NFKC of the whole text: full-width
    digits and punctuation are the document's own).

    >>> normalize_compat("公⽤⽂における漢字使⽤等について")
    '公用文における漢字使用等について'
    >>> normalize_compat("\\x00キーワード\\x00　１２３")
    'キーワード　１２３'
    """
    text = _CONTROL_RE.sub("", text)
    if not any(ord(ch) >= 0x2E80 for ch in text):
        return text
    return "".join(_compat_char(ch) if ord(ch) >= 0x2E80 else ch for ch in text)


_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-－―‐–—]\s*)?(?:(?:page|p\.)\s*)?[0-9０-９]{1,4}"
    r"(?:\s*(?:/|／|of)\s*[0-9０-９]{1,4})?(?:\s*[-－―‐–—])?\s*$"
    r"|^\s*[（(]?\s*[0-9０-９]{1,4}\s*[)）]?\s*$"
    r"|^\s*(?:第\s*)?[0-9０-９]{1,4}\s*(?:頁|ページ)\s*$",
    re.I,
)
_DIGITS_RE = re.compile(r"[0-9０-９]+")


def is_page_number(line: str) -> bool:
    """True for a line that is only a page number.

    >>> [is_page_number(s) for s in ["- 1 -", "１２", "2/3", "Page 4", "第５頁", "第１条"]]
    [True, True, True, True, True, False]
    """
    return bool(_PAGE_NUMBER_RE.match(line))


def _furniture_key(line: str) -> str:
    return _DIGITS_RE.sub("#", re.sub(r"\s+", "", line))


def strip_page_furniture(pages: list[list[str]], *, edge: int = 2) -> list[list[str]]:
    """Pages without page numbers and without running headers and footers.

    A running line is one of the first or last ``edge`` lines of a page whose text (digits
    folded, spaces removed) appears at the top or bottom of more than half of the pages,
    at least three.

    >>> body = ["吾輩は猫である。", "名前はまだ無い。", "どこで生れたかとんと見当がつかぬ。", "何でも薄暗い所。"]
    >>> pages = [["常用漢字表", body[i], f"- {i + 1} -"] for i in range(4)]
    >>> strip_page_furniture(pages)[1]
    ['名前はまだ無い。']
    """
    counts: Counter[str] = Counter()
    for lines in pages:
        keys = {_furniture_key(s) for s in lines[:edge] + lines[-edge:] if s.strip()}
        counts.update(keys)
    threshold = max(3, len(pages) // 2 + 1)
    running = {k for k, n in counts.items() if n >= threshold}
    out = []
    for lines in pages:
        n = len(lines)
        kept = []
        for i, line in enumerate(lines):
            at_edge = i < edge or i >= n - edge
            if is_page_number(line) or (at_edge and _furniture_key(line) in running):
                continue
            kept.append(line)
        out.append(kept)
    return out


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x3000 <= cp <= 0x30FF  # punctuation, hiragana, katakana
        or 0x3400 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF  # full-width forms
        or 0x20000 <= cp <= 0x3FFFF
    )


def join_lines(lines: list[str]) -> str:
    """One paragraph's lines as one line: no space between Japanese characters, one
    space between Latin words, a hyphen at a line end kept as written.

    >>> join_lines(["一般の社会生活におい", "て、現代の国語を書き表す"])
    '一般の社会生活において、現代の国語を書き表す'
    >>> join_lines(["The Digital Millennium", "Copyright Act"])
    'The Digital Millennium Copyright Act'
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and not (_is_cjk(out[-1]) or _is_cjk(line[0])):
            out += " "
        out += line
    return out


def paragraphs(lines: list[str]) -> list[str]:
    """A page's lines grouped into paragraphs and joined.

    A paragraph ends at an empty line and at a line clearly shorter than the page's usual
    line (a heading, or the last line of a paragraph).

    >>> paragraphs(["前書き", "この表は、法令、公用文書、新聞、雑誌、放送など、一般の社会生活におい",
    ...             "て、現代の国語を書き表す場合の目安を示す。", "次の段落。"])
    ['前書き', 'この表は、法令、公用文書、新聞、雑誌、放送など、一般の社会生活において、現代の国語を書き表す場合の目安を示す。', '次の段落。']
    """
    widths = sorted(len(s.strip()) for s in lines if s.strip())
    usual = widths[int(len(widths) * 0.8)] if widths else 0
    result: list[str] = []
    current: list[str] = []
    for line in lines:
        s = line.strip()
        if not s:
            if current:
                result.append(join_lines(current))
                current = []
            continue
        current.append(s)
        if len(s) < 0.9 * usual:
            result.append(join_lines(current))
            current = []
    if current:
        result.append(join_lines(current))
    return result


_CID_RE = re.compile(r"\(cid:\d+\)")


def garbled_share(text: str) -> float:
    """Share of ``text`` (spaces aside) that is what unmapped glyphs turn into.

    Counts ``(cid:N)`` placeholders, private-use characters, U+FFFD and unassigned code
    points; a font without a usable Unicode map gives text made mostly of these.

    >>> garbled_share("わたくしといふ現象は")
    0.0
    >>> round(garbled_share("(cid:1234)(cid:88)は"), 2)
    0.67
    """
    cids = len(_CID_RE.findall(text))
    rest = _CID_RE.sub("", text)
    chars = [ch for ch in rest if not ch.isspace()]
    total = len(chars) + cids
    if total == 0:
        return 0.0
    bad = cids + sum(
        1 for ch in chars if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn", "Cs")
    )
    return bad / total


def page_text(lines: list[str]) -> str:
    """A page's cleaned lines as text: paragraphs separated by newlines."""
    return "\n".join(p for p in paragraphs([normalize_compat(s) for s in lines]) if p)
