"""Aozora Bunko card text → plain text, and the facts of its bibliographic footer.

A card file (``cards/<人物ID>/files/<name>/<name>.txt``, Shift_JIS, CRLF) is laid out as

* a header: title, author and translator lines, then usually the legend block
  between two rules of hyphens (``【テキスト中に現れる記号について】``);
* the body, in Aozora notation (注記一覧 https://www.aozora.gr.jp/annotation/);
* a footer after ``［＃本文終わり］`` or from the ``底本：`` line on: 底本, 入力, 校正,
  the creation date and, for works still in copyright, the license statement.

Everything here is a pure function on strings. The PyPI package ``aozora`` (0.5.0)
was evaluated for the notation and not used: it renders HTML, so plain text needs a
second pass, and on the shared 952 works it left ``｜`` before ruby bases that contain
返り点, ``［＃…］`` inside 縦中横 spans, and the description text of gaiji it could
not resolve. For plain text the notation reduces to a few deletions plus gaiji
lookup, which Python's ``euc_jis_2004`` codec does for JIS X 0213 面区点 codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: what an unresolvable gaiji becomes (〓, the JIS "geta" mark for a missing glyph)
GETA = "〓"

_RULE = re.compile(r"^-{10,}\s*$")
_LEGEND_TITLES = ("【テキスト中に現れる記号について】", "［表記について］")
_BODY_END = re.compile(r"^\s*［＃本文終わり］\s*$")
_FOOTER_START = re.compile(r"^(底本|翻訳の底本|翻訳の原作)：")
_FILE_MARK = re.compile(r"^青空文庫(作成|収録)ファイル")
_NOTATION_START = re.compile(r"※［＃|［＃|《|｜")
_RUBY = re.compile(r"《[^《》\n]*》")
_MENKUTEN = re.compile(r"(?<![0-9])([12])-(\d{1,2})-(\d{1,2})(?![0-9])")
_UNICODE = re.compile(r"U\+([0-9A-Fa-f]{4,6})")
_KUNOJITEN = (("／″＼", "〴〵"), ("／\u3003＼", "〴〵"), ("／＼", "〳〵"))
_FOOTER_KEY = re.compile(r"^(?P<key>[^：\s]{1,10})：(?P<value>.*)$")
_CREATED = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日作成")
_URL = re.compile(r"https?://[\x21-\x7e]+")
_CC_MENTION = re.compile(r"クリエイティブ・?コモンズ|creative\s*commons|creativecommons\.org", re.I)

#: footer keys kept as attribution facts, in the order they are cited
FOOTER_FACT_KEYS = (
    "底本",
    "翻訳の底本",
    "翻訳の原作",
    "翻訳",
    "翻訳者",
    "入力",
    "校正",
)


@dataclass(frozen=True)
class AozoraCard:
    """A card file cut into its parts (all strings keep their line breaks)."""

    header: str
    body: str
    footer: str
    legend_removed: bool = False


@dataclass(frozen=True)
class FooterFacts:
    """The bibliographic facts of a footer (``作成日`` as ``YYYY-MM-DD``)."""

    facts: dict[str, str] = field(default_factory=dict)

    def attribution_parts(self) -> list[str]:
        """``['底本：…', '入力：…', …]`` in citation order."""
        return [f"{k}：{self.facts[k]}" for (k) in (*FOOTER_FACT_KEYS, "作成日") if k in self.facts]


def split_card(text: str) -> AozoraCard:
    """Cut a card text (``\\n`` line ends) into header, body and footer.

    The legend block is dropped from the header; the footer starts after
    ``［＃本文終わり］``, else at the ``底本：`` line, else at the paragraph holding
    ``青空文庫作成ファイル：``.

    >>> card = split_card("羅生門\\n芥川龍之介\\n\\n　ある日の暮方の事である。\\n\\n底本：「芥川龍之介全集1」\\n入力：平山誠\\n")
    >>> card.header, card.body, card.footer
    ('羅生門\\n芥川龍之介\\n', '\\n　ある日の暮方の事である。\\n\\n', '底本：「芥川龍之介全集1」\\n入力：平山誠\\n')
    """
    lines = text.split("\n")
    header_end, legend_removed, header_lines = _header_extent(lines)
    rest = lines[header_end:]
    footer_at = _footer_start(rest)
    body_lines = rest[:footer_at]
    footer_lines = rest[footer_at:]
    if footer_lines and _BODY_END.match(footer_lines[0]):
        footer_lines = footer_lines[1:]
    return AozoraCard(
        header="\n".join(header_lines) + ("\n" if header_lines else ""),
        body="\n".join(body_lines) + ("\n" if footer_lines else ""),
        footer="\n".join(footer_lines),
        legend_removed=legend_removed,
    )


def _header_extent(lines: list[str]) -> tuple[int, bool, list[str]]:
    """Where the body starts, whether a legend was found, and the header lines kept."""
    top = lines[:80]
    legend = next((i for i, ln in enumerate(top) if ln.strip() in _LEGEND_TITLES), None)
    if legend is not None:
        end = next((i for i in range(legend + 1, len(top)) if _RULE.match(top[i])), None)
        if end is not None:
            kept = lines[:legend]
            while kept and (not kept[-1].strip() or _RULE.match(kept[-1])):
                kept.pop()
            return end + 1, True, kept
    # no legend: the header is the first paragraph (title and author lines)
    for i, line in enumerate(lines[:20]):
        if not line.strip():
            return i, False, lines[:i]
    return 0, False, []


def _footer_start(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if _BODY_END.match(line):
            return i
    for i, line in enumerate(lines):
        if _FOOTER_START.match(line):
            return i
    for i, line in enumerate(lines):
        if _FILE_MARK.match(line):
            j = i
            while j > 0 and lines[j - 1].strip():
                j -= 1
            return j
    return len(lines)


def gaiji_char(annotation: str) -> str | None:
    """The character a gaiji annotation (the text inside ``※［＃…］``) stands for.

    JIS X 0213 面区点 codes are looked up with the ``euc_jis_2004`` codec,
    ``U+XXXX`` codes directly; ``None`` when the annotation gives neither.

    >>> gaiji_char("「てへん＋丑」、第4水準2-12-93")
    '扭'
    >>> gaiji_char("「口＋世」、U+546D、235-下-14")
    '呭'
    >>> gaiji_char("始め二重山括弧、1-1-52")
    '《'
    >>> gaiji_char("「魚＋師のつくり」、106-7") is None
    True
    """
    m = _UNICODE.search(annotation)
    if m:
        try:
            return chr(int(m.group(1), 16))
        except (ValueError, OverflowError):
            return None
    m = _MENKUTEN.search(annotation)
    if m:
        plane, ku, ten = (int(g) for g in m.groups())
        if not (1 <= ku <= 94 and 1 <= ten <= 94):
            return None
        code = bytes([0xA0 + ku, 0xA0 + ten])
        if plane == 2:
            code = b"\x8f" + code
        try:
            return code.decode("euc_jis_2004")
        except UnicodeDecodeError:
            return None
    return None


def strip_notation(text: str) -> str:
    """Remove ruby, ``｜``, ``［＃…］`` annotations; resolve gaiji ``※［＃…］``.

    >>> strip_notation("一人の下人《げにん》が、｜羅生門《らしょうもん》の下で雨やみを待っていた。")
    '一人の下人が、羅生門の下で雨やみを待っていた。'
    >>> strip_notation("［＃ここから２字下げ］吾輩《わがはい》は猫である［＃「猫である」に傍点］")
    '吾輩は猫である'
    >>> strip_notation("※［＃「木＋寅」、第4水準2-15-31］の木と※［＃「魚＋師のつくり」、106-7］")
    '𣘹の木と〓'
    >>> strip_notation("平均水準の［＃「H0［＃「0」は下付き小文字］」は縦中横］H0")
    '平均水準のH0'
    >>> strip_notation("※［＃始め二重山括弧、1-1-52］青空※［＃終わり二重山括弧、1-1-53］")
    '《青空》'
    """

    out: list[str] = []
    pos = 0
    while (m := _NOTATION_START.search(text, pos)) is not None:
        out.append(text[pos : m.start()])
        token = m.group()
        pos = m.end()
        if token == "｜":
            continue
        if token == "《":
            ruby = _RUBY.match(text, m.start())
            if ruby:
                pos = ruby.end()
            else:
                out.append(token)  # an unpaired 《 is text
            continue
        close = _closing_bracket(text, m.end() - 2)
        if close < 0:  # unterminated annotation: keep the rest as text
            out.append(token)
            continue
        if token == "※［＃":
            out.append(gaiji_char(text[m.end() : close]) or GETA)
        pos = close + 1
    out.append(text[pos:])
    return "".join(out)


def _closing_bracket(text: str, open_at: int) -> int:
    """Index of the ``］`` closing the ``［`` at ``open_at`` (nesting counted), or -1."""
    depth = 0
    for i in range(open_at, len(text)):
        ch = text[i]
        if ch == "［":
            depth += 1
        elif ch == "］":
            depth -= 1
            if depth == 0:
                return i
        elif ch == "\n":
            return -1
    return -1


def expand_kunojiten(text: str) -> str:
    """Write the two-line repetition mark (くの字点 ``／＼``, ``／″＼``) as 〳〵 / 〴〵.

    >>> expand_kunojiten("いよ／＼ますます／″＼")
    'いよ〳〵ますます〴〵'
    """
    for ascii_form, char in _KUNOJITEN:
        text = text.replace(ascii_form, char)
    return text


def tidy_lines(text: str) -> str:
    """Drop trailing spaces, collapse runs of blank lines to one, trim the ends.

    >>> tidy_lines("\\n\\n一行目　\\n\\n\\n\\n二行目\\n\\n")
    '一行目\\n\\n二行目'
    """
    text = re.sub(r"[ \t\u3000]+$", "", text, flags=re.M)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


def card_plain_text(card: AozoraCard) -> str:
    """Header (title, author) and body as plain text, without notation or footer.

    >>> card_plain_text(AozoraCard(header="羅生門\\n芥川龍之介\\n", body="\\n　下人《げにん》の行方は、誰も知らない。\\n", footer=""))
    '羅生門\\n芥川龍之介\\n\\n　下人の行方は、誰も知らない。'
    """
    text = card.header + "\n" + card.body
    return tidy_lines(expand_kunojiten(strip_notation(text)))


def footer_facts(footer: str) -> FooterFacts:
    """The keyed facts of a footer; continuation lines (starting with a space) are joined.

    >>> footer_facts("底本：「芥川龍之介全集1」ちくま文庫、筑摩書房\\n　　　1986（昭和61）年9月24日第1刷発行\\n入力：平山誠、野口英司\\n校正：もりみつじゅんじ\\n1997年10月29日公開\\n").facts
    {'底本': '「芥川龍之介全集1」ちくま文庫、筑摩書房 1986（昭和61）年9月24日第1刷発行', '入力': '平山誠、野口英司', '校正': 'もりみつじゅんじ'}
    >>> footer_facts("翻訳者：大久保ゆう\\n2014年3月27日作成\\n").facts
    {'翻訳者': '大久保ゆう', '作成日': '2014-03-27'}
    """
    facts: dict[str, str] = {}
    current: str | None = None
    for line in footer.split("\n"):
        created = _CREATED.match(line)
        if created:
            y, mo, d = (int(g) for g in created.groups())
            facts.setdefault("作成日", f"{y:04d}-{mo:02d}-{d:02d}")
            current = None
            continue
        keyed = _FOOTER_KEY.match(line)
        if keyed and keyed.group("key") in FOOTER_FACT_KEYS:
            current = keyed.group("key")
            if current in facts:  # a second 底本 etc.: keep the first
                current = None
                continue
            facts[current] = keyed.group("value").strip()
        elif current and line[:1] in ("\u3000", " ") and line.strip():
            facts[current] = f"{facts[current]} {line.strip()}".strip()
        else:
            current = None
    return FooterFacts(facts)


@dataclass(frozen=True)
class FooterLicenseText:
    """What a footer says about a Creative Commons license, found but not interpreted."""

    urls: tuple[str, ...]
    statements: tuple[str, ...]


def footer_license_text(footer: str) -> FooterLicenseText:
    """Creative Commons URLs and the statement lines (URLs removed) of a footer.

    >>> found = footer_license_text("※この翻訳は「クリエイティブ・コモンズ 表示 2.1 日本 ライセンス」（http://creativecommons.org/licenses/by/2.1/jp/）によって公開されています。\\n翻訳者：大久保ゆう\\n")
    >>> found.urls
    ('http://creativecommons.org/licenses/by/2.1/jp/',)
    >>> found.statements
    ('※この翻訳は「クリエイティブ・コモンズ 表示 2.1 日本 ライセンス」（）によって公開されています。',)
    >>> footer_license_text("利用条件は、http://creativecommons.org/licenses/by/2.1/jp/を参照してください。").urls
    ('http://creativecommons.org/licenses/by/2.1/jp/',)
    """
    urls: list[str] = []
    statements: list[str] = []
    for line in footer.split("\n"):
        if not _CC_MENTION.search(line):
            continue
        for url in _URL.findall(line):
            url = url.rstrip(".,;:)]}'\"")
            if "creativecommons.org" in url.lower() and url not in urls:
                urls.append(url)
        words = _URL.sub("", line).strip()
        if re.search(r"クリエイティブ・?コモンズ|creative\s*commons", words, re.I):
            statements.append(words)
    return FooterLicenseText(tuple(urls), tuple(statements))
