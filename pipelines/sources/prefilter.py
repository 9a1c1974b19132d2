"""A cheap test on a page's raw bytes: is it likely Japanese? Only such pages are extracted.

In a crawl segment about 5 % of pages are Japanese, and main-text extraction
(trafilatura, ~4 ms a page) costs about fifty times more than looking at the bytes. Like
the Swallow and LLM-jp corpora, the ``warc`` source first asks the bytes, and a page that
fails is a rejected record (stage ``prefilter``, reason ``not_japanese``), never read further.

The test counts kana — Japanese prose always has hiragana or katakana, Chinese and
Korean almost never — in the body read every way Japanese bytes come: as UTF-8 (counted
on the bytes, without decoding; a few bad sequences, as in a capture cut mid-character or
a stray Latin-1 byte, do not make it another encoding), Shift_JIS (cp932), EUC-JP,
ISO-2022-JP (when its escapes appear), and the declared charset (a WHATWG label) when it
can write kana at all. A declared charset is often missing or wrong, and a single-byte one
(KOI8-R, ISO-8859-1, windows-1252 …) has no kana to find, so it is not read: the bytes
are. A reading that meets many undecodable bytes is not the page's encoding. A page is
Japanese when some reading has at least ``min_kana`` kana and kana make at least
``min_kana_share`` of its kana + kanji (GB2312 read as EUC-JP shows a few kana among many
kanji; Cyrillic read as Shift_JIS shows half-width katakana, which is not counted). A
Japanese charset (HTTP or ``<meta>``) or ``<html lang="ja">`` lowers the kana needed to
``min_kana_hinted``, so a short Japanese page still passes. Nothing is decided on the
hints alone: a page without kana has no Japanese text that language ID would keep (it
drops ``ja`` without kana). The reading with the kana is returned, so the page can be
decoded right whatever it declares.

>>> looks_japanese("<p>吾輩は猫である。名前はまだ無い。</p>".encode("cp932"), "KOI8-R")
Verdict(japanese=True, reason='kana', kana=8, kanji=6, encoding='cp932')
>>> looks_japanese("<p>Кот сидит на окне и смотрит на улицу.</p>".encode("koi8_r"), "KOI8-R")
Verdict(japanese=False, reason='not_japanese', kana=0, kanji=0, encoding='cp932')
>>> looks_japanese(b"<html lang='en'><p>The quick brown fox.</p></html>").reason
'not_japanese'
>>> looks_japanese("<p>我们都是黑体字。我们的网站。</p>".encode("gbk"), "gbk").japanese
False
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache

from corpus.stages.langid import MIN_KANA_SHARE
from corpus.text.encoding import whatwg_codec

__all__ = ["PrefilterParams", "Verdict", "html_lang", "looks_japanese", "REJECT_REASON"]

#: the ``rejected/`` reason of a page the pre-filter skips (stage ``prefilter``)
REJECT_REASON = "not_japanese"

#: charsets used only for Japanese, as they appear in Content-Type and <meta> (a hint only)
JAPANESE_CHARSETS = frozenset(
    {
        "shift_jis", "shift-jis", "sjis", "x-sjis", "shiftjis", "cp932", "ms932", "windows-31j",
        "euc-jp", "euc_jp", "eucjp", "x-euc-jp", "iso-2022-jp", "csiso2022jp", "iso2022jp",
    }
)  # fmt: skip
#: the encodings Japanese bytes come in besides UTF-8: tried whatever a page declares
JAPANESE_CODECS = ("cp932", "euc_jp")
_LABELS = {"cp932": "Shift_JIS", "euc_jp": "EUC-JP", "iso2022_jp_ext": "ISO-2022-JP"}

#: a reading with more undecodable bytes than this (absolute, and share of its kana+kanji)
#: is the wrong encoding
MAX_BAD_BYTES = 4
MAX_BAD_SHARE = 0.05

_KANA_RE = re.compile("[\u3041-\u30ff]")
_KANJI_RE = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")
#: UTF-8 lead-byte pairs of U+3040–U+30FF (hiragana, katakana) and lead bytes of U+4000–U+9FFF
_UTF8_KANA = (b"\xe3\x81", b"\xe3\x82", b"\xe3\x83")
_UTF8_KANJI = (b"\xe4", b"\xe5", b"\xe6", b"\xe7", b"\xe8", b"\xe9")
_LANG_RE = re.compile(
    rb"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3})\b"""
    rb"""|<meta[^>]+http-equiv\s*=\s*["']?content-language["']?[^>]+content\s*=\s*["']?\s*([A-Za-z]{2,3})\b""",
    re.I,
)


@dataclass(frozen=True)
class PrefilterParams:
    """Thresholds of :func:`looks_japanese` (defaults measured in ``bench/prefilter_bench.py``)."""

    min_kana: int = 8
    min_kana_hinted: int = 1
    #: the share language ID asks of a Japanese window (旧法令 katakana style runs at ~15 %)
    min_kana_share: float = MIN_KANA_SHARE


@dataclass(frozen=True)
class Verdict:
    """``reason``: ``kana`` (enough kana), ``kana+hint`` (few kana, but a Japanese charset or
    ``lang``), or ``not_japanese``."""

    japanese: bool
    reason: str
    kana: int
    kanji: int
    encoding: str

    @property
    def charset(self) -> str:
        """The WHATWG label of the reading (what a decoder honours): ``Shift_JIS`` for cp932."""
        return _LABELS.get(self.encoding, self.encoding)

    @property
    def detail(self) -> str:
        """What was counted, for ``rejected/``: ``kana=0 kanji=12 reading=cp932``."""
        return f"kana={self.kana} kanji={self.kanji} reading={self.encoding or 'none'}"


def html_lang(body: bytes) -> str:
    """The primary language of ``<html lang>`` (or a Content-Language meta), lower-cased.

    >>> html_lang(b'<!DOCTYPE html><html class="x" lang="ja-JP">'), html_lang(b"<html>")
    ('ja', '')
    """
    m = _LANG_RE.search(body[:4096])
    if not m:
        return ""
    return (m[1] or m[2]).decode("ascii").lower()


def _counts(text: str) -> tuple[int, int]:
    return len(_KANA_RE.findall(text)), len(_KANJI_RE.findall(text))


def _bad_limit(kana: int, kanji: int) -> float:
    """Bad bytes (or U+FFFD) a reading may have and still be the page's encoding."""
    return max(MAX_BAD_BYTES, MAX_BAD_SHARE * (kana + kanji))


def _utf8_bad(body: bytes, limit: float) -> int:
    """Invalid UTF-8 sequences in ``body``, counted until there are more than ``limit``."""
    bad, pos, view = 0, 0, memoryview(body)
    while bad <= limit:
        try:
            codecs.utf_8_decode(view[pos:], "strict", True)
        except UnicodeDecodeError as exc:
            bad += 1
            pos += exc.end
        else:
            break
    return bad


@cache
def _writes_kana(codec: str) -> bool:
    """Whether ``codec`` has kana at all (Shift_JIS, GBK, Big5 … do; KOI8-R, Latin-1 don't)."""
    try:
        "あア".encode(codec)
    except (UnicodeError, LookupError):
        return False
    return True


def _readings(body: bytes, declared: str | None) -> list[tuple[str, int, int]]:
    """``(encoding, kana, kanji)`` for each plausible reading of ``body``."""
    # as UTF-8, counted on the bytes: E3 81–83 xx is kana, E4–E9 leads kanji
    kana = sum(body.count(p) for p in _UTF8_KANA)
    kanji = sum(body.count(p) for p in _UTF8_KANJI)
    codec = whatwg_codec(declared) if declared else None
    # a few bad sequences (a cut capture, a stray byte) leave UTF-8 UTF-8; more if it says so
    limit = MAX_BAD_BYTES
    if codec == "utf-8":
        limit = _bad_limit(kana, kanji)
    bad = _utf8_bad(body, limit)
    if not bad and b"\x1b$" not in body:  # ISO-2022-JP is 7-bit: valid UTF-8 too
        return [("utf-8", kana, kanji)]
    readings = [("utf-8", kana, kanji)] if bad <= limit else []
    encodings = []
    if codec and codec != "utf-8" and not codec.startswith("utf-16") and _writes_kana(codec):
        encodings.append(codec)  # a single-byte charset has no kana to find: not read
    if b"\x1b$" in body:
        encodings.append("iso2022_jp_ext")
    encodings += JAPANESE_CODECS
    for enc in dict.fromkeys(encodings):
        text = body.decode(enc, errors="replace")
        kana, kanji = _counts(text)
        if text.count("\ufffd") > _bad_limit(kana, kanji):
            continue  # not this encoding: Big5 or GBK read as EUC-JP breaks on every other pair
        readings.append((enc, kana, kanji))
    return readings


def looks_japanese(
    body: bytes, declared_charset: str | None = None, params: PrefilterParams | None = None
) -> Verdict:
    """Whether the raw page ``body`` likely holds Japanese text (see the module doc).

    ``declared_charset`` is the charset named by the HTTP ``Content-Type`` or the page's
    ``<meta>`` (``None`` when there is none).

    >>> looks_japanese("<html lang='ja'><p>はい</p></html>".encode()).reason
    'kana+hint'
    >>> looks_japanese("<p>はい</p>".encode()).japanese
    False
    """
    p = params or PrefilterParams()
    hinted = (declared_charset or "").strip().lower() in JAPANESE_CHARSETS or html_lang(
        body
    ) == "ja"
    best = Verdict(False, REJECT_REASON, 0, 0, "")
    for enc, kana, kanji in _readings(body, declared_charset):
        share_ok = kana >= p.min_kana_share * (kana + kanji)
        if kana >= p.min_kana and share_ok:
            return Verdict(True, "kana", kana, kanji, enc)
        if hinted and kana >= p.min_kana_hinted and share_ok:
            best = Verdict(True, "kana+hint", kana, kanji, enc)
        elif not best.japanese and kana >= best.kana:
            best = Verdict(False, REJECT_REASON, kana, kanji, enc)
    return best
