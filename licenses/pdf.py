"""A PDF's license from its metadata and its own words, with where each clue was found.

Clues, in the order they are read (evidence ``pdf:<where>=<value>``):

=================================  ===================================================
``pdf:xmp/xmpRights:WebStatement``  XMP rights URL (``cc:license`` too), read by URL
``pdf:xmp/dc:rights``               XMP rights statement, read as words
``pdf:info/<Key>``                  the document information dictionary (Rights, Subject …)
``pdf:text p.N``                    a Creative Commons statement that speaks for *this*
                                    document (本書は…／JTFスタイルガイドは…の下で提供),
                                    政府標準利用規約, 無断転載禁止 / All rights reserved
``pdf:link p.N``                    a link annotation to a Creative Commons deed on a page
                                    whose text states that license
``pdf:text[art13] p.N``             Copyright Act Art. 13: a court's judgment or decision
                                    (court and case number) or the document's own notice
                                    number (内閣告示第二号, 内閣訓令第1号, …)
=================================  ===================================================

Precision first: a license named while discussing licenses, in a revision history or
for a quoted work is set aside; a notice *cited* in running text (…内閣告示第2号の「常用
漢字表」に準じます) does not make the citing document a notice, and neither does a
council's report or a ministry's guide. Disagreeing claims resolve to the stricter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from licenses.creative_commons import cc_matches, license_from_statement, license_from_url
from licenses.html import ALL_RIGHTS_RESERVED, GOV_STANDARD_TERMS_2
from licenses.html import ALL_RIGHTS_RESERVED_RE as _ARR_RE
from licenses.obligations import strictness
from licenses.registry import get_license

ART13 = "LicenseRef-JP-Copyright-Act-Art13"


@dataclass(frozen=True)
class PdfLicense:
    """The document's license (``None`` when none was found), its evidence and what was
    seen but not counted."""

    license: str | None
    evidence: str = ""
    set_aside: tuple[str, ...] = field(default_factory=tuple)


_XMP_URL_RE = re.compile(
    r"<(?:xmpRights:WebStatement|cc:license)[^>]*?(?:rdf:resource=\"([^\"]+)\"[^>]*/?>|>([^<]+)<)"
    r"|(?:xmpRights:WebStatement|cc:license)=\"([^\"]+)\"",
    re.I,
)
_XMP_RIGHTS_RE = re.compile(r"<dc:rights>(.*?)</dc:rights>", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]+>")

_SELF_RE = re.compile(
    r"(?:本|この|当)(?:書|文書|資料|ガイド|ガイドライン|冊子|報告書|刊行物|スタイルガイド|著作物|"
    r"ドキュメント|文献|論文|手引き?|マニュアル|コンテンツ)"
    r"|\bthis\s+(?:document|report|guide|book|publication|work|paper)\b",
    re.I,
)
_LICENSING_RE = re.compile(
    r"の下で提供|で提供|ライセンスされ|ライセンスの下|利用許諾|許諾します|公開して|に従って"
    r"|licen[cs]ed\s+under|available\s+under|released\s+under|distributed\s+under",
    re.I,
)
_DISCUSSION_RE = re.compile(r"とは|について|の概要|の種類|is\s+an?\b|explained", re.I)
_HISTORY_RE = re.compile(r"を設定|に変更|改訂|旧版|第\d+(?:\.\d+)?版で|previous\s+version", re.I)
_COPYRIGHT_ONLY_RE = re.compile(r"(?:©|\(c\)|copyright)\s*(?:19|20)\d\d", re.I)
_GOV_TERMS_RE = re.compile(r"政府標準利用規約\s*[(（【「\[]?\s*第?\s*2\.0\s*版")

_NUM = r"[0-9０-９一二三四五六七八九十百千〇]+"
_ERA = r"(?:令和|平成|昭和|大正|明治)\s*(?:元|[0-9０-９一二三四五六七八九十]+)\s*年"
#: the document's own notice number alone on a line: 内閣告示第二号, 文部科学省告示第１２号
_NOTICE_LINE_RE = re.compile(
    rf"^\s*(?:{_ERA}\s*)?(?P<num>(?:内閣|[^\s、。「」]{{1,10}}?(?:省|庁|委員会|府))?"
    rf"(?:告示|訓令|通達)\s*第\s*{_NUM}\s*号)\s*$"
)
_CASE_NUMBER_RE = re.compile(rf"{_ERA}\s*[（(]?[^\s()（）]{{0,4}}[)）]?\s*第\s*{_NUM}\s*号")
_COURT_RE = re.compile(r"[^\s、。]{1,12}(?:最高|高等|地方|家庭|簡易)裁判所(?:[^\s、。]{0,8}部)?")
_JUDGMENT_RE = re.compile(r"主\s*文|判\s*決|決\s*定")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _sentences(page: str) -> list[str]:
    """Sentences of a page; a line break inside a sentence becomes a space."""
    parts = re.split(r"(?<=[。！？!?])|\n\s*\n", page)
    return [" ".join(p.split()) for p in parts if p.strip()]


def _stricter(ids: list[str]) -> str:
    records = [(i, get_license(i)) for i in ids]
    known = [(i, r) for i, r in records if r is not None]
    if not known:
        return ids[0]
    return max(known, key=lambda t: strictness(t[1]))[0]


def _art13(pages: list[str]) -> str | None:
    """Evidence that the document is a judgment or an official notice, or ``None``."""
    head = pages[:2]
    for number, page in enumerate(head, start=1):
        for line in page.splitlines()[:40]:
            m = _NOTICE_LINE_RE.match(_nfkc(line))
            if m:
                return f"pdf:text[art13] p.{number}={m['num']}"
    first = _nfkc(pages[0]) if pages else ""
    last = _nfkc(pages[-1]) if pages else ""
    case = _CASE_NUMBER_RE.search(first)
    if case and _JUDGMENT_RE.search(first) and "事件" in first:
        court = _COURT_RE.search(last) or _COURT_RE.search(first)
        if court:
            number = "".join(case[0].split())
            return f"pdf:text[art13] p.1=judgment {court[0]} 事件番号 {number}"
    return None


def detect_pdf_license(
    pages: list[str],
    info: dict[str, str] | None = None,
    xmp: str = "",
    links: list[tuple[int, str]] | None = None,
) -> PdfLicense:
    """The license of a PDF from its page texts, information dictionary, XMP and links.

    >>> detect_pdf_license(["JTFスタイルガイドは、クリエイティブ・コモンズ・ライセンス"
    ...     "（表示 4.0 国際、CC BY 4.0）の下で提供されています。"]).license
    'CC-BY-4.0'
    >>> detect_pdf_license(["内閣訓令第1号\\n公用文における漢字使用等について"]).evidence
    'pdf:text[art13] p.1=内閣訓令第1号'
    >>> detect_pdf_license(["漢字の使用は、平成22年11月30日内閣告示第2号の「常用漢字表」に準じます。"]).license is None
    True
    """
    info, links = info or {}, links or []
    claims: list[tuple[str, str]] = []
    aside: list[str] = []
    for m in _XMP_URL_RE.finditer(xmp):
        url = (m[1] or m[2] or m[3] or "").strip()
        lid = license_from_url(url)
        if lid:
            claims.append((lid, f"pdf:xmp/xmpRights:WebStatement={url}"))
    for m in _XMP_RIGHTS_RE.finditer(xmp):
        words = " ".join(_TAG_RE.sub(" ", m[1]).split())
        lid = license_from_statement(words)
        if lid:
            claims.append((lid, f"pdf:xmp/dc:rights={words[:200]}"))
        elif _ARR_RE.search(words):
            claims.append((ALL_RIGHTS_RESERVED, f"pdf:xmp/dc:rights={words[:200]}"))
    for key in ("Rights", "Copyright", "License", "Subject", "Keywords"):
        value = info.get(key, "")
        lid = license_from_statement(value) if value else None
        if lid:
            claims.append((lid, f"pdf:info/{key}={value[:200]}"))
    stated_on: dict[int, set[str]] = {}
    copyright_only = None
    for number, page in enumerate(pages, start=1):
        for sentence in _sentences(page):
            s = _nfkc(sentence)
            if _ARR_RE.search(s):
                claims.append(
                    (ALL_RIGHTS_RESERVED, f"pdf:text p.{number}={sentence.strip()[:200]}")
                )
            if _GOV_TERMS_RE.search(s) and (_SELF_RE.search(s) or "出典" in s):
                claims.append(
                    (GOV_STANDARD_TERMS_2, f"pdf:text p.{number}={sentence.strip()[:200]}")
                )
            if copyright_only is None and _COPYRIGHT_ONLY_RE.search(s):
                copyright_only = f"pdf:text p.{number}={sentence.strip()[:200]}"
            matches = cc_matches(sentence)
            for _, end, cc in matches:
                where = f"pdf:text p.{number}={sentence.strip()[:200]}"
                if _DISCUSSION_RE.search(sentence[end : end + 12]) or _HISTORY_RE.search(s):
                    aside.append(f"{cc.license_id} {where} (discussion or history)")
                elif _LICENSING_RE.search(s) and (
                    _SELF_RE.search(s) or _title_subject(s, info, pages)
                ):
                    claims.append((cc.license_id, where))
                    stated_on.setdefault(number, set()).add(cc.license_id)
                else:
                    aside.append(f"{cc.license_id} {where} (not about this document)")
    for number, url in links:
        lid = license_from_url(url)
        if lid and lid in stated_on.get(number, set()):
            claims.append((lid, f"pdf:link p.{number}={url}"))
        elif lid:
            aside.append(f"{lid} pdf:link p.{number}={url} (no statement on the page)")
    if not claims:
        art13 = _art13(pages)
        if art13:
            return PdfLicense(ART13, art13, tuple(aside))
        if copyright_only:  # a copyright notice and no license: nothing is granted
            return PdfLicense(ALL_RIGHTS_RESERVED, copyright_only, tuple(aside))
        return PdfLicense(None, "", tuple(aside))
    ids = list(dict.fromkeys(lid for lid, _ in claims))
    chosen = ids[0] if len(ids) == 1 else _stricter(ids)
    evidence = "; ".join(dict.fromkeys(w for lid, w in claims if lid == chosen))
    return PdfLicense(chosen, evidence, tuple(aside))


def _title_subject(sentence: str, info: dict[str, str], pages: list[str]) -> bool:
    """True when ``sentence`` is about the document by name: it starts with the title's
    first words (「JTFスタイルガイドは、…」) or the information dictionary's title."""
    head = re.split(r"[はがを、,]", sentence, maxsplit=1)[0].strip()
    if len(head) < 3:
        return False
    title = _nfkc(info.get("Title", "")) + "\n" + _nfkc("\n".join(pages[0].splitlines()[:5]))
    compact, head = re.sub(r"\s+", "", title), re.sub(r"\s+", "", _nfkc(head))
    return any(head[i : i + 4] in compact for i in range(len(head) - 3))
