"""Japanese statutes as plain text: e-Gov 法令XML and law HTML pages.

Pure functions: bytes or markup in, :class:`LawText` out. Only texts that *look like
law* — a law number heading such as ``（平成五年十一月十二日法律第八十八号）`` or a
法令XML ``<LawNum>``, and article structure (``第一条`` / ``附則``) — are returned, so
that arbitrary government HTML (white papers, notices) is never taken for
Copyright Act Art. 13 material. Markup nested or sized past libxml2's limits raises
:class:`~pipelines.sources.markup.MarkupTooDeep`/``MarkupTooLarge`` rather than being
read cut short.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree, html

from pipelines.sources.markup import check_parser_limits, parse_html_within_limits

_ERA = r"(?:明治|大正|昭和|平成|令和)"
_KANSUJI = r"[〇一二三四五六七八九十百千]+"
#: a law's type word at the end of its number (Art. 13 (1)-(2): 憲法, 法令, 告示, 訓令 …)
_LAW_TYPE = r"(?:憲法|法律|政令|勅令|府令|省令|規則|条例|告示|訓令|令)"
LAW_NUMBER = re.compile(
    rf"（\s*({_ERA}[^（）\n]{{1,60}}?{_LAW_TYPE}(?:第{_KANSUJI}号|{_KANSUJI}(?:―{_KANSUJI})*)?)\s*）"
)
ARTICLE_MARK = re.compile(rf"第{_KANSUJI}条|附\s*則")
_ASCII_SPACE_BETWEEN_WIDE = re.compile(r"(?<=[^\x00-\x7f]) +|(?<=[\x00-\x7f]) +(?=[^\x00-\x7f])")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


class NotLawText(ValueError):
    """The input has no law structure (no law number or no articles)."""


class MalformedXml(ValueError):
    """The ``.xml`` file is not well-formed XML."""


@dataclass(frozen=True)
class LawText:
    title: str
    number: str
    """as written: ``平成五年法律第八十八号`` (XML) or ``平成五年十一月十二日法律第八十八号`` (HTML)"""
    text: str
    revision: str = ""
    """``最終改正：…`` of an HTML page, if stated"""

    @property
    def citation(self) -> str:
        """``行政手続法（平成五年法律第八十八号）``"""
        return f"{self.title}（{self.number}）"


def tidy_law_line(text: str) -> str:
    """Collapse markup whitespace; drop ASCII spaces next to Japanese characters.

    >>> tidy_law_line("  この法律は、\\n処分 に関する手続 ")
    'この法律は、処分に関する手続'
    >>> tidy_law_line("第一条　 この法律は")
    '第一条　この法律は'
    """
    text = re.sub(r"[ \t\r\n]+", " ", text).strip(" ")
    return _ASCII_SPACE_BETWEEN_WIDE.sub("", text).strip(" ")


# ---------------------------------------------------------------- 法令XML

_SKIP_XML = {"TOC", "Rt"}
_HEADINGS = {
    "LawTitle",
    "PartTitle",
    "ChapterTitle",
    "SectionTitle",
    "SubsectionTitle",
    "DivisionTitle",
    "ArticleCaption",
    "SupplProvisionLabel",
    "AppdxTableTitle",
    "AppdxNoteTitle",
    "AppdxStyleTitle",
    "AppdxFormatTitle",
    "TableStructTitle",
    "RemarksLabel",
    "ParagraphCaption",
}
_NUMBERED = re.compile(r"^(Paragraph|Item|Subitem\d+)$")


def _xml_text(el: etree._Element) -> str:
    """Text of an element without ruby readings; columns joined by a full-width space."""
    columns = [c for c in el if c.tag == "Column"]
    if columns:
        return "　".join(_xml_text(c) for c in columns)
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.tag in _SKIP_XML:
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(el)
    return tidy_law_line("".join(parts))


def _xml_lines(el: etree._Element, lead: str = "") -> Iterator[str]:
    tag = el.tag
    if not isinstance(tag, str) or tag in _SKIP_XML or tag == "LawNum":
        return
    if tag in _HEADINGS:
        line = _xml_text(el)
        if line:
            yield line
        return
    if tag == "Article":
        title = next((_xml_text(c) for c in el if c.tag == "ArticleTitle"), "")
        pending = title
        for child in el:
            if child.tag == "ArticleTitle":
                continue
            if child.tag == "Paragraph" and pending:
                yield from _xml_lines(child, lead=pending)
                pending = ""
            else:
                yield from _xml_lines(child)
        if pending:
            yield pending
        return
    if _NUMBERED.match(tag):
        head = lead
        sentence = ""
        rest: list[etree._Element] = []
        for child in el:
            if child.tag in (f"{tag}Num", f"{tag}Title"):
                head = head or _xml_text(child)
            elif child.tag == f"{tag}Sentence":
                sentence = _xml_text(child)
            elif child.tag != "ParagraphCaption":
                rest.append(child)
            else:
                yield from _xml_lines(child)
        line = "　".join(x for x in (head, sentence) if x)
        if line:
            yield line
        for child in rest:
            yield from _xml_lines(child)
        return
    if tag == "TableRow":
        cells = [_xml_text(c) for c in el if c.tag == "TableColumn"]
        line = "　".join(c for c in cells if c)
        if line:
            yield line
        return
    if tag == "Sentence" or len(el) == 0:
        line = _xml_text(el)
        if line:
            yield line
        return
    for child in el:
        yield from _xml_lines(child)


def law_from_xml(data: bytes) -> LawText:
    """Title, number and readable text of a 法令XML document.

    >>> law = law_from_xml('''<Law Era="Heisei" LawType="Act"><LawNum>平成五年法律第八十八号</LawNum>
    ... <LawBody><LawTitle>行政手続法</LawTitle><TOC><TOCLabel>目次</TOCLabel></TOC>
    ... <MainProvision><Article Num="1"><ArticleCaption>（目的等）</ArticleCaption>
    ... <ArticleTitle>第一条</ArticleTitle><Paragraph Num="1"><ParagraphNum/>
    ... <ParagraphSentence><Sentence>この法律は、公正の確保と透明性の向上を図る。</Sentence></ParagraphSentence>
    ... <Item Num="1"><ItemTitle>一</ItemTitle><ItemSentence><Column><Sentence>法令</Sentence></Column>
    ... <Column><Sentence>法律、法律に基づく命令</Sentence></Column></ItemSentence></Item></Paragraph>
    ... <Paragraph Num="2"><ParagraphNum>２</ParagraphNum><ParagraphSentence>
    ... <Sentence>他の法律に特別の定めがある場合は、その定めるところによる。</Sentence>
    ... </ParagraphSentence></Paragraph></Article></MainProvision></LawBody></Law>'''.encode())
    >>> law.citation
    '行政手続法（平成五年法律第八十八号）'
    >>> print(law.text)
    行政手続法
    平成五年法律第八十八号
    （目的等）
    第一条　この法律は、公正の確保と透明性の向上を図る。
    一　法令　法律、法律に基づく命令
    ２　他の法律に特別の定めがある場合は、その定めるところによる。
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        check_parser_limits(parser.error_log, "法令XML")
        raise MalformedXml(f"not well-formed XML ({exc})") from None
    number_el = root.find("LawNum")
    body = root.find("LawBody")
    if root.tag != "Law" or number_el is None or body is None:
        raise NotLawText("not 法令XML (no Law/LawNum/LawBody)")
    number = _xml_text(number_el)
    title_el = body.find("LawTitle")
    title = _xml_text(title_el) if title_el is not None else ""
    lines = list(_xml_lines(body))
    if title and lines and lines[0] == title:
        lines.insert(1, number)
    else:
        lines.insert(0, number)
    text = "\n".join(lines)
    if not ARTICLE_MARK.search(text) and body.find(".//Article") is None:
        raise NotLawText("法令XML without articles or supplementary provisions")
    return LawText(title=title or number, number=number, text=text)


# ---------------------------------------------------------------- law HTML

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "tr",
    "table",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
}
_DROP_TAGS = ("script", "style", "head", "nav", "header", "footer", "noscript", "form", "iframe")
_CELL_TAGS = {"td", "th"}


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` (first 4 KB).

    >>> declared_charset(b'<META http-equiv="Content-Type" content="text/html; charset=shift_jis">')
    'shift_jis'
    >>> declared_charset(b"<html><body>") is None
    True
    """
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def _html_lines(root: html.HtmlElement) -> list[str]:
    for tag in _DROP_TAGS:
        for el in root.iter(tag):
            el.drop_tree()
    # navigation: links inside the page (目次 entries, "go to top" links)
    for a in list(root.iter("a")):
        if (a.get("href") or "").startswith("#"):
            a.drop_tree()
    parts: list[str] = []
    brk = "\x00"  # a block boundary; newlines in the markup are only whitespace

    def walk(el: html.HtmlElement) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        block = tag in _BLOCK_TAGS
        if block:
            parts.append(brk)
        if tag in _CELL_TAGS:
            parts.append("　")
        if tag:
            parts.append(el.text or "")
            for child in el:
                walk(child)
                parts.append(child.tail or "")
        if block:
            parts.append(brk)

    walk(root)
    lines = (tidy_law_line(line) for line in "".join(parts).split(brk))
    return [line.lstrip("\u3000") for line in lines if line.strip("\u3000 ")]


def law_from_html(text: str) -> LawText:
    """Title, number and readable text of a law HTML page (navigation removed).

    >>> page = ('<html><head><title>行政手続法</title></head><body><B>行政手続法<BR>'
    ...     '（平成五年十一月十二日法律第八十八号）</B><BR><A HREF="#1" TARGET="data">第一章　総則</A>'
    ...     '<DIV class="item"><B>第一条</B>\\n　この法律は、<A HREF="/ref">処分</A>\\nに関する手続を定める。</DIV></body></html>')
    >>> law = law_from_html(page)
    >>> law.citation
    '行政手続法（平成五年十一月十二日法律第八十八号）'
    >>> print(law.text)
    行政手続法
    （平成五年十一月十二日法律第八十八号）
    第一条　この法律は、処分に関する手続を定める。
    >>> law_from_html("<html><body><h1>令和5年版 情報通信白書</h1><p>第1部 特集</p></body></html>")
    Traceback (most recent call last):
    ...
    pipelines.sources.egov_law_text.NotLawText: no law number heading such as （…法律第…号）
    """
    try:
        root = parse_html_within_limits(text, "law HTML")
    except (etree.ParserError, ValueError) as exc:
        raise NotLawText(f"not parseable HTML ({exc})") from None
    title_el = root.find(".//title")
    page_title = tidy_law_line(title_el.text_content()) if title_el is not None else ""
    lines = _html_lines(root)
    head = "\n".join(lines[:8])
    number = LAW_NUMBER.search(head)
    if number is None:
        raise NotLawText("no law number heading such as （…法律第…号）")
    body = "\n".join(lines)
    if not ARTICLE_MARK.search(body[number.end() :]):
        raise NotLawText("no articles (第…条) or supplementary provisions (附則)")
    title = page_title or head[: number.start()].strip()
    revision = next(
        (ln.split("：", 1)[1].strip() for ln in lines[:8] if ln.startswith("最終改正：")), ""
    )
    return LawText(title=title, number=number.group(1), text=body, revision=revision)
