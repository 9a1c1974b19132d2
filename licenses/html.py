"""Reading a web page's license from its raw HTML, with where each marker was found.

Precision before recall: a marker counts for the page only when it speaks for the
page. Markers inside a figure, a caption, a picture, a quotation, the readers' comments,
an image's JSON-LD or RDFa ``about=`` an image speak for that part only and are set
aside; one in a sidebar, widget, embed or ad counts only beside a sentence that names
this page or site; a sentence that names a part before the license or the reservation
(「コメント欄の投稿は…」, "Photos © …, all rights reserved", 「姉妹サイトのコンテンツは…」)
speaks for that part only; a license
named in running text counts only in the page's footer (``<footer>``,
``role=contentinfo``, ``id``/``class`` footer/copyright/license) or in a sentence that
says *this* page/site/work is licensed. Disagreeing markers resolve to the stricter
license (or to no license, by choice); a claim the registry cannot read (a
``rel=license`` link to a site's own terms) makes the page's license unknown. A page
with no marker has no license (``no-license``).

Markers read, each kept as evidence ``<where>=<value>``:

============================================  ==========================================
``html:head/link[rel=license]``               ``<link rel="license" href=…>``
``html:a[rel=license]``                       ``<a rel="license" href=…>`` (also ``cc:license``)
``html:*[itemprop=license]``                  microdata ``itemprop="license"``
``html:meta[name=…]``                         ``dcterms.license``, ``dc.rights``, ``license``, …
``html:script[ld+json].license``              JSON-LD ``license`` of the page's own node
``html:img[src=cc-badge]``                    a Creative Commons badge image
``html:a[href=cc-deed]``                      a plain deed link in page scope
``html:text``                                 a CC statement in page scope (Japanese or English)
``html:text[gov-standard-terms]``             政府標準利用規約（第2.0版） or its 出典/互換 wording
``html:text[all-rights-reserved]``            All rights reserved, 無断転載禁止, …
============================================  ==========================================
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from lxml import etree, html

from licenses.creative_commons import (
    cc_from_url,
    cc_in_statement,
    cc_matches,
    is_badge_url,
    license_from_url,
)
from licenses.obligations import strictness
from licenses.registry import get_license, registry

__all__ = [
    "ALL_RIGHTS_RESERVED",
    "ALL_RIGHTS_RESERVED_RE",
    "GOV_STANDARD_TERMS_2",
    "Finding",
    "SetAside",
    "PageLicense",
    "detect_license",
    "license_from_known_url",
    "license_of_tree",
    "parse_html",
]

ALL_RIGHTS_RESERVED = "LicenseRef-AllRightsReserved"
GOV_STANDARD_TERMS_2 = "LicenseRef-JP-Gov-Standard-Terms-2.0"

ConflictPolicy = Literal["stricter", "drop"]


@dataclass(frozen=True)
class Finding:
    """A license marker that speaks for the page. ``license`` is ``None`` for a claim we cannot read."""

    license: str | None
    where: str
    value: str

    @property
    def evidence(self) -> str:
        return f"{self.where}={self.value}"


@dataclass(frozen=True)
class SetAside:
    """A marker found but not taken as the page's license, and why."""

    license: str | None
    where: str
    value: str
    why: str  # image_scope | quote_scope | not_page_scope | discussion | compatibility_note


@dataclass(frozen=True)
class PageLicense:
    """The page's license, how it was decided, and every marker seen.

    ``reason``: ``found``, ``agreeing`` (several markers, one license), ``conflict_stricter``,
    ``conflict_dropped``, ``unrecognized`` (a license claim we cannot read) or ``no-license``.
    """

    license: str | None
    reason: str
    findings: tuple[Finding, ...] = ()
    set_aside: tuple[SetAside, ...] = field(default=(), compare=False)

    @property
    def evidence(self) -> str:
        """Every page-level marker as ``where=value``, joined by ``; `` (the shard's ``license_evidence``)."""
        parts = [f.evidence for f in self.findings]
        if self.reason.startswith("conflict"):
            parts.insert(0, f"{self.reason}->{self.license or 'none'}")
        return "; ".join(parts)


# --------------------------------------------------------------------------- scopes

_BLOCK_TAGS = frozenset(
    "p div li td th dd dt h1 h2 h3 h4 h5 h6 address footer header section article aside "
    "nav main body blockquote figure figcaption caption table tr ul ol dl pre form center "
    "details summary q".split()  # q: an inline quotation is grouped apart from its sentence
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "math", "title"})
_IMAGE_TAGS = frozenset({"figure", "figcaption", "picture", "video", "audio"})
_QUOTE_TAGS = frozenset({"blockquote", "q"})
_IMAGE_CLASS_RE = re.compile(
    r"caption|photo|image|img|figure|thumbnail|gallery|media-credit|illust|picture", re.I
)
_FOOTER_CLASS_RE = re.compile(r"footer|copyright|licen[cs]e|colophon|site-?info|contentinfo", re.I)
#: readers' comments: whatever license they carry is the commenters', never the page's
_COMMENTS_CLASS_RE = re.compile(
    r"(?<![a-z])(?:comments?|commentlist|respond|disqus|replies|kuchikomi)(?![a-z])", re.I
)
#: a part of the page that is about something else: a sidebar, an embedded widget, an ad —
#: matched against whole class/id tokens (``ad-widget``, ``wp-block-embed``, ``secondary``),
#: so utility classes such as ``text-secondary`` do not count
_PART_TOKEN_RE = re.compile(
    r"(?:.*[-_])?(?:sidebar|side-bar|embed(?:ded)?|advert\w*|sponsor\w*|ads?|related|recommend\w*"
    r"|osusume)(?:[-_].*)?|secondary",
    re.I,
)
#: a widget or an ``<aside>`` is a part of the page, except inside the footer, where themes
#: put the license (WordPress: ``<footer><aside class="widget-area">``)
_WIDGET_CLASS_RE = re.compile(r"widget", re.I)
_PART_TAGS = frozenset({"iframe", "embed", "object"})
_MEDIA_TYPES = frozenset(
    {"ImageObject", "VideoObject", "MediaObject", "AudioObject", "Photograph", "3DModel"}
)
_MEDIA_KEYS = frozenset(
    {"image", "thumbnail", "thumbnailUrl", "logo", "video", "audio", "photo", "associatedMedia"}
)
_IMAGE_FILE_RE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|tiff?|bmp|mp4|webm|mp3)(?:[?#].*)?$", re.I
)

Scope = Literal["image", "quote", "comments", "part", "footer", "body"]
#: scopes whose markers never speak for the page
_OTHER_SCOPES = ("image", "quote", "comments")


def _class_and_id(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _scope(el: etree._Element, memo: dict[etree._Element, _Walk] | None = None) -> Scope:
    """Where ``el`` sits: inside an image/figure, a quotation, the readers' comments, a part
    about something else (sidebar, embedded widget, ad), the page footer, or the body.

    A marker in ``part`` scope speaks for the page only with a sentence that says so
    (「このブログの記事は…」); one in ``image``, ``quote`` or ``comments`` scope never does.
    ``memo`` keeps what each element's ancestry says, for the many blocks of one page.
    """
    found = _walk_up(el, {} if memo is None else memo)
    if isinstance(found, str):
        return found
    part, widget, footer = found
    if part:
        return "part"
    if footer:
        return "footer"
    return "part" if widget else "body"


_Walk = Scope | tuple[bool, bool, bool]
"""What an element and its ancestors say: the scope of the nearest one inside an image, a
quotation or comments, else whether any is a part, a widget, a footer."""


def _walk_up(el: etree._Element, memo: dict[etree._Element, _Walk]) -> _Walk:
    chain: list[tuple[etree._Element, _Walk]] = []
    above: _Walk = (False, False, False)
    node: etree._Element | None = el
    while node is not None:
        if node in memo:
            above = memo[node]
            break
        own = _own_scope(node)
        chain.append((node, own))
        if isinstance(own, str):  # the nearest such ancestor decides
            break
        node = node.getparent()
    for node, own in reversed(chain):
        if isinstance(own, str) or isinstance(above, str):
            above = own if isinstance(own, str) else above
        else:
            above = (above[0] or own[0], above[1] or own[1], above[2] or own[2])
        memo[node] = above
    return above


def _own_scope(node: etree._Element) -> _Walk:
    """What ``node`` itself says (:data:`_Walk`), its ancestors aside."""
    tag = node.tag if isinstance(node.tag, str) else ""
    tag = tag.lower()
    names = _class_and_id(node)
    if tag in _IMAGE_TAGS or _IMAGE_CLASS_RE.search(names):
        return "image"
    if node.get("about") and _IMAGE_FILE_RE.search(node.get("about") or ""):
        return "image"
    itemtype = node.get("itemtype") or ""
    if any(t in itemtype for t in _MEDIA_TYPES):
        return "image"
    if tag in _QUOTE_TAGS:
        return "quote"
    if _COMMENTS_CLASS_RE.search(names):
        return "comments"
    part = widget = False
    if tag in _PART_TAGS or any(_PART_TOKEN_RE.fullmatch(t) for t in names.split()):
        part = True
    elif tag == "aside" or _WIDGET_CLASS_RE.search(names):
        widget = True
    footer = bool(
        tag == "footer" or node.get("role") == "contentinfo" or _FOOTER_CLASS_RE.search(names)
    )
    return (part, widget, footer)


# --------------------------------------------------------------------------- sentences

_SELF_RE = re.compile(
    r"(?:この|本|当)(?:ページ|サイト|ウェブサイト|webサイト|ホームページ|記事|作品|文書|文章|ブログ|"
    r"コンテンツ|翻訳|訳文|資料|著作物|テキスト|本文|情報|データ|エントリ|投稿|内容)"
    r"|(?:特に|別段の)?(?:記載|明記|断り|表記)(?:の|が)?(?:ない|無い|なき)(?:限り|場合)"
    r"|特記(?:なき|のない)(?:限り|場合)|掲載(?:されている|している|の)?(?:コンテンツ|情報|文章|記事)"
    r"|\b(?:this|the|our)\s+(?:work|page|site|website|article|post|blog|content|text|document|"
    r"translation|entry|wiki)\b|\ball\s+(?:content|text|articles|posts)\b"
    r"|\bcontent\s+(?:on|of)\s+this\b|\bexcept\s+where\s+otherwise\s+noted\b|\bunless\s+otherwise\s+(?:noted|stated)\b",
    re.I,
)
_LICENSING_RE = re.compile(
    r"ライセンス|許諾|提供|公開|利用(?:でき|可能|いただけ)|準拠|適用|の下[でにて]|下で|従[いっう]"
    r"|licen[cs]ed|available\s+under|released\s+under|published\s+under|distributed\s+under"
    r"|under\s+(?:a|the)\b|licen[cs]e",
    re.I,
)
_IMAGE_WORD_RE = re.compile(
    r"写真|画像|イラスト|図版|挿絵|挿画|アイコン|素材|地図|ロゴ|動画|図\s*\d|"
    r"\b(?:photos?|images?|pictures?|illustrations?|icons?|figures?|fig\.|map\s+data|artwork|logo|"
    r"video|thumbnail|cover)\b",
    re.I,
)
_DISCUSSION_AFTER_RE = re.compile(
    r"^[\s」』\"”)）]*(?:ライセンス)?\s*(?:について|とは|の(?:違い|比較|特徴|意味|条件は|場合)|って|と(?:は|の違い)|"
    r"is\s+an?\b|means\b|vs\.?|versus|explained|licenses?\s+(?:are|allow))",
    re.I,
)
_COMPATIBLE_RE = re.compile(r"互換|compatible", re.I)
_SENTENCE_END_RE = re.compile(r"(?<=[。！？!?\n])|(?<=\.\s)")

ALL_RIGHTS_RESERVED_RE = _ARR_RE = re.compile(
    r"\ball\s+rights\s+reserved\b|無断(?:で)?(?:の)?(?:[転複使引]\w{0,3}[・、]?)+(?:を|は)?(?:固く)?(?:禁|お断り|ご遠慮)"
    r"|禁無断転載|(?:転載|複製)(?:・(?:転載|複製|転用|改変))*(?:を|は)?(?:一切)?禁(?:止|じ)"
    r"|著作権は.{0,20}(?:全て|すべて)?留保",
    re.I,
)

_GOV_VERSION_RE = re.compile(r"政府標準利用規約\s*[(【「\[]?\s*第?\s*(\d)\.(\d)\s*版")
_GOV_WORDING_RE = re.compile(r"出典.{0,120}?(?:記載|明記|表示)")
_GOV_COMPAT_RE = re.compile(
    r"(?:表示\s*4\.0\s*国際|CC\s*BY\s*4\.0).{0,40}互換|互換.{0,40}(?:表示\s*4\.0\s*国際|CC\s*BY\s*4\.0)"
)


_EXCEPT_AFTER_RE = re.compile(r"^(?:等|など)?\s*(?:以外|を除|除く|除き|は除)")
_EXCEPT_BEFORE_RE = re.compile(r"(?:except|excluding|other\s+than)\s+(?:for\s+)?(?:the\s+)?$", re.I)


#: parts of a page other than its text: readers' comments, quotations, embeds, ads, other sites
_PART_WORD_RE = re.compile(
    r"コメント|(?:ユーザー|利用者|読者|会員)(?:の|が|から)?(?:投稿|書き込み)|投稿者|書き込み"
    r"|引用(?:部分|箇所|文|した|元|され)|埋め込|ウィジェット|広告|スライド"
    r"|(?:姉妹|関連|外部|他の?|提携)サイト|他社"
    r"|\b(?:comments?|user\s+(?:contributions|submissions|posts)|quot(?:ed|ations?|es)|excerpts?"
    r"|passages?|embedded|embeds?|widgets?|sidebar|sister\s+(?:sites?|projects?)|advertis\w*|ads"
    r"|third[-\s]party|slides?)\b",
    re.I,
)
#: another site or company: text named after it is theirs, not this page's
_OTHER_OWNER_RE = re.compile(
    r"(?:姉妹|関連|外部|他の?|提携)サイト|他社|\b(?:sister\s+(?:sites?|projects?)|third[-\s]party)\b",
    re.I,
)
#: the page's own text; named beside a part (「文章・画像の」) the clause is about the text too
_TEXT_WORD_RE = re.compile(
    r"文章|本文|記事|テキスト|コンテンツ|著作物|\b(?:text|articles?|content|posts?|writings?)\b",
    re.I,
)
#: a text word that only says where the part is: 「記事へのコメント」「本文中の写真」, "comments on this post"
_TEXT_AS_PLACE_AFTER_RE = re.compile(
    r"^(?:中|内|への|に対する|に寄せられた|に付いた|で使用|に使用|に掲載|に含まれ|の中)"
)
_TEXT_AS_PLACE_BEFORE_RE = re.compile(
    r"\b(?:on|in|to|of|within|from|under|for)\s+(?:(?:this|the|our|each|these|every|an?)\s+)?$",
    re.I,
)


def _excluded(clause: str, m: re.Match[str]) -> bool:
    return bool(
        _EXCEPT_AFTER_RE.search(clause[m.end() :]) or _EXCEPT_BEFORE_RE.search(clause[: m.start()])
    )


def _names_an_image(clause: str) -> bool:
    """Whether ``clause`` (the words before a license name) says it is about an image.

    Exclusions do not count: 「写真以外のコンテンツは」, "except images".

    >>> _names_an_image("このブログのイラストは "), _names_an_image("写真以外の文章は ")
    (True, False)
    """
    return any(not _excluded(clause, m) for m in _IMAGE_WORD_RE.finditer(clause))


def _names_a_part(clause: str) -> bool:
    """Whether ``clause`` says it is about a part of the page only: an image, the readers'
    comments, a quotation, an embed, an ad or another site — and not the page's text too.

    >>> _names_a_part("※ コメント欄の投稿内容は"), _names_a_part("User comments are licensed under ")
    (True, True)
    >>> _names_a_part("当サイトの文章・画像の"), _names_a_part("Text licensed under ")
    (False, False)
    >>> _names_a_part("記事へのコメントは"), _names_a_part("コメントを除き、このサイトの記事は")
    (True, False)
    >>> _names_a_part("姉妹サイト『ことば辞典』のコンテンツは ")
    True
    """
    if not any(
        not _excluded(clause, m)
        for rx in (_IMAGE_WORD_RE, _PART_WORD_RE)
        for m in rx.finditer(clause)
    ):
        return False
    if any(not _excluded(clause, m) for m in _OTHER_OWNER_RE.finditer(clause)):
        return True  # 「姉妹サイトのコンテンツは」: the text named is the other site's
    for m in _TEXT_WORD_RE.finditer(clause):
        if _excluded(clause, m):
            continue
        if _TEXT_AS_PLACE_AFTER_RE.search(clause[m.end() :]) or _TEXT_AS_PLACE_BEFORE_RE.search(
            clause[: m.start()]
        ):
            continue
        return False
    return True


def _sentences(text: str) -> list[tuple[int, str]]:
    """``(offset, sentence)`` pairs; sentences end at 。！？!? newline or ``. ``."""
    out, start = [], 0
    for m in _SENTENCE_END_RE.finditer(text):
        if m.start() > start:
            out.append((start, text[start : m.start()]))
            start = m.start()
    if start < len(text):
        out.append((start, text[start:]))
    return out


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split(" ")).strip()


@dataclass(frozen=True)
class _Block:
    text: str
    scope: Scope


def _text_blocks(root: etree._Element) -> Iterator[_Block]:
    """The page's visible text grouped by its nearest block element, in document order."""
    parts: dict[int, list[str]] = {}
    owners: dict[int, etree._Element] = {}
    order: list[int] = []

    def block_of(el: etree._Element) -> etree._Element:
        node = el
        while node is not None:
            tag = node.tag.lower() if isinstance(node.tag, str) else ""
            if tag in _BLOCK_TAGS:
                return node
            node = node.getparent()
        return root

    def add(el: etree._Element, text: str | None) -> None:
        if not text or not text.strip():
            return
        block = block_of(el)
        key = id(block)
        if key not in parts:
            parts[key], owners[key] = [], block
            order.append(key)
        parts[key].append(text)

    skip_depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else "#comment"
        if event == "start":
            if tag in _SKIP_TAGS or tag == "#comment":
                skip_depth += 1
            elif skip_depth == 0:
                add(el, el.text)
        else:
            if tag in _SKIP_TAGS or tag == "#comment":
                skip_depth -= 1
            if skip_depth == 0 and el is not root:
                parent = el.getparent()
                if parent is not None:
                    add(parent, el.tail)
    scopes: dict[etree._Element, _Walk] = {}
    for key in order:
        text = _norm("".join(parts[key]))
        if text:
            yield _Block(text, _scope(owners[key], scopes))


# --------------------------------------------------------------------------- URLs


def _url_key(url: str) -> str:
    u = url.strip().lower()
    u = re.sub(r"^(?:https?:)?//(?:www\.)?", "", u)
    u = re.sub(r"/(?:legalcode|deed)(?:\.[a-z-]+)?$", "", u.rstrip("/"))
    return u.rstrip("/")


def license_from_known_url(url: str) -> str | None:
    """A license id for a URL: any Creative Commons form, or the URL of a registry license.

    >>> license_from_known_url("https://creativecommons.org/licenses/by/4.0/deed.ja")
    'CC-BY-4.0'
    >>> license_from_known_url("http://opendatacommons.org/licenses/pddl/1.0/")
    'PDDL-1.0'
    >>> license_from_known_url("https://example.jp/terms/") is None
    True
    """
    return license_from_url(url) or _registry_by_url().get(_url_key(url))


@cache
def _registry_by_url() -> dict[str, str]:
    """Registry license ids by their normalised URL (built once, not per link)."""
    by_url: dict[str, str] = {}
    for lic_id, lic in registry().items():
        if lic.url:
            by_url.setdefault(_url_key(lic.url), lic_id)  # the first entry wins, as before
    return by_url


# --------------------------------------------------------------------------- the detector

_META_LICENSE_NAMES = frozenset(
    {
        "dcterms.license",
        "dcterms:license",
        "dc.license",
        "dc:license",
        "license",
        "licence",
        "cc:license",
        "og:license",
        "article:license",
        "dcterms.rights",
        "dcterms:rights",
        "dc.rights",
        "dc:rights",
        "rights",
        "copyright",
        "dc.rights.license",
    }
)
_LICENSE_REL_RE = re.compile(
    r"(?:^|\s)(?:license|licence|cc:license|dc:license|dct:license|dcterms:license)(?:\s|$)", re.I
)


def parse_html(page: str | bytes) -> etree._Element | None:
    """The page's element tree, or ``None`` when it holds no markup at all."""
    if isinstance(page, bytes):
        if not page.strip():
            return None
    elif not page.strip():
        return None
    if isinstance(page, str):
        # lxml refuses str input that carries an XML encoding declaration (XHTML pages)
        page = _XML_DECLARATION_RE.sub("", page, count=1)
    try:
        root = html.fromstring(page)
    except (etree.ParserError, ValueError):
        return None
    return root


_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


class _Collector:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.set_aside: list[SetAside] = []

    def claim(self, license_id: str | None, where: str, value: str, scope: Scope = "body") -> None:
        value = value.strip()[:300]
        if scope in _OTHER_SCOPES or scope == "part":
            self.set_aside.append(SetAside(license_id, where, value, f"{scope}_scope"))
        else:
            self.findings.append(Finding(license_id, where, value))

    def aside(self, license_id: str | None, where: str, value: str, why: str) -> None:
        self.set_aside.append(SetAside(license_id, where, value.strip()[:300], why))


def _url_claim(col: _Collector, href: str, where: str, scope: Scope, *, known_only: bool) -> None:
    license_id = license_from_known_url(href)
    if license_id is None and known_only:
        return
    col.claim(license_id, where, href, scope)


def _head_and_links(root: etree._Element, col: _Collector) -> None:
    for el in root.iter("link", "a", "area"):
        rel = el.get("rel") or ""
        href = (el.get("href") or "").strip()
        if not href:
            continue
        tag = el.tag.lower()
        in_head = any(a.tag == "head" for a in el.iterancestors())
        if _LICENSE_REL_RE.search(rel) or (el.get("property") or "").lower() in (
            "cc:license",
            "dct:license",
        ):
            where = "html:head/link[rel=license]" if in_head else f"html:{tag}[rel=license]"
            scope: Scope = "body" if in_head else _marker_scope(el)
            if scope in ("body", "footer") and not in_head and _image_worded(el):
                scope = "image"
            _url_claim(col, href, where, scope, known_only=False)
        elif (el.get("itemprop") or "").lower() == "license":
            _url_claim(
                col, href, f"html:{tag}[itemprop=license]", _marker_scope(el), known_only=False
            )
        elif tag == "a" and cc_from_url(href) is not None and not is_badge_url(href):
            # a plain deed link: counts when it wraps a badge or sits in page scope
            scope = _marker_scope(el)
            badge = any(is_badge_url(img.get("src") or "") for img in el.iter("img"))
            if scope in _OTHER_SCOPES or scope == "part" or badge:
                _url_claim(col, href, "html:a[href=cc-deed]", scope, known_only=True)
            elif scope == "footer" and not _image_worded(el):
                _url_claim(col, href, "html:a[href=cc-deed]", scope, known_only=True)
            elif _page_sentence_around(el):
                _url_claim(col, href, "html:a[href=cc-deed]", scope, known_only=True)
            else:
                col.aside(
                    license_from_known_url(href), "html:a[href=cc-deed]", href, "not_page_scope"
                )


def _badges(root: etree._Element, col: _Collector) -> None:
    for img in root.iter("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if not is_badge_url(src):
            continue
        link = next((a for a in img.iterancestors("a")), None)
        if link is not None and cc_from_url(link.get("href") or "") is not None:
            continue  # the deed link already speaks for it
        col.claim(license_from_known_url(src), "html:img[src=cc-badge]", src, _marker_scope(img))


def _marker_scope(el: etree._Element) -> Scope:
    """The scope of a link or badge; one in a sidebar or widget speaks for the page only
    when a sentence beside it says so (「このブログの記事は」)."""
    scope = _scope(el)
    if scope == "part" and _page_sentence_around(el):
        return "body"
    return scope


def _block_text_of(el: etree._Element) -> str:
    node = el
    while node is not None and not (isinstance(node.tag, str) and node.tag.lower() in _BLOCK_TAGS):
        node = node.getparent()
    return _norm((node if node is not None else el).text_content())


def _image_worded(el: etree._Element) -> bool:
    """Whether the text just before ``el`` in its block names an image or another part of
    the page (写真, Photo by …, コメント)."""
    block = _block_text_of(el)
    own = _norm(el.text_content())
    cut = block.find(own) if own else -1
    before = block[: cut if cut >= 0 else len(block)][-60:]
    last = _sentences(before)
    clause = last[-1][1] if last else before
    return _names_a_part(clause)


def _page_sentence_around(el: etree._Element) -> bool:
    block = _block_text_of(el)
    return any(
        _SELF_RE.search(s) and _LICENSING_RE.search(s) and not _names_a_part(s)
        for _, s in _sentences(block)
    )


def _metas(root: etree._Element, col: _Collector) -> None:
    for meta in root.iter("meta"):
        name = (
            (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        )
        content = (meta.get("content") or "").strip()
        if name not in _META_LICENSE_NAMES or not content:
            continue
        where = f"html:meta[name={name}]"
        scope = _scope(meta)
        if re.match(r"^(?:https?:)?//", content):
            # a URL: a license claim when the key is a license key; rights/copyright URLs only if known
            known_only = name in ("copyright", "rights", "dc.rights", "dc:rights", "dcterms.rights")
            _url_claim(col, content, where, scope, known_only=known_only)
            continue
        for cc in cc_in_statement(content):
            col.claim(cc.license_id, where, content, scope)
        if _ARR_RE.search(_norm(content)):
            col.claim(ALL_RIGHTS_RESERVED, where, content, scope)


_JSON_LD_DEPTH = 64
"""JSON-LD nesting walked at most (real pages: under 10); deeper nodes are not read."""


def _json_ld_nodes(data: object, media: bool = False) -> Iterator[tuple[dict, bool]]:
    """Every object of a JSON-LD document in document order, and whether it is (within) a
    media object; without recursion, so no nesting depth can exhaust the stack."""
    stack: list[Iterator[tuple[object, bool]]] = [iter([(data, media)])]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        value, in_media = item
        if len(stack) > _JSON_LD_DEPTH:
            continue
        if isinstance(value, list):
            stack.append(iter([(v, in_media) for v in value]))
        elif isinstance(value, dict):
            types = value.get("@type")
            types = types if isinstance(types, list) else [types]
            node_media = in_media or any(t in _MEDIA_TYPES for t in types if isinstance(t, str))
            yield value, node_media
            children = [
                (v, node_media or k in _MEDIA_KEYS) for k, v in value.items() if k != "license"
            ]
            stack.append(iter(children))


def _json_ld(root: etree._Element, col: _Collector) -> None:
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than json allows
            continue
        for node, media in _json_ld_nodes(data):
            value = node.get("license")
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, dict):
                    v = v.get("url") or v.get("@id") or v.get("name")
                if not isinstance(v, str) or not v.strip():
                    continue
                where = "html:script[ld+json].license"
                scope: Scope = "image" if media else "body"
                if re.match(r"^(?:https?:)?//", v.strip()):
                    _url_claim(col, v, where, scope, known_only=False)
                else:
                    found = cc_in_statement(v)
                    if found:
                        for cc in found:
                            col.claim(cc.license_id, where, v, scope)
                    else:
                        col.claim(None, where, v, scope)


def _statements(root: etree._Element, col: _Collector) -> None:
    page_blocks = []
    for block in _text_blocks(root):
        text = block.text
        if block.scope in _OTHER_SCOPES:
            for cc in cc_in_statement(text):
                col.aside(cc.license_id, "html:text", text, f"{block.scope}_scope")
            continue
        page_blocks.append(block)
        for _, sentence in _sentences(text):
            _sentence_claims(col, block, sentence)
        _gov_terms(col, block)
    _gov_terms_wording(col, "\n".join(b.text for b in page_blocks))


def _sentence_claims(col: _Collector, block: _Block, sentence: str) -> None:
    _reservation_claim(col, block, sentence)
    matches = cc_matches(sentence)
    if not matches:
        return
    page_sentence = bool(_SELF_RE.search(sentence) and _LICENSING_RE.search(sentence))
    previous_end = 0
    for start, end, cc in matches:
        lid = cc.license_id
        before, after = sentence[previous_end:start], sentence[end:]
        previous_end = end
        if _COMPATIBLE_RE.search(sentence):
            col.aside(lid, "html:text", sentence, "compatibility_note")
        elif _DISCUSSION_AFTER_RE.search(after):
            col.aside(lid, "html:text", sentence, "discussion")
        elif _names_an_image(before) and _names_a_part(before):
            col.aside(lid, "html:text", sentence, "image_scope")
        elif _names_a_part(before):
            col.aside(lid, "html:text", sentence, "part_scope")
        elif block.scope == "footer" or page_sentence:
            col.claim(lid, "html:text", sentence, _said_of_page(block.scope))
        else:
            col.aside(lid, "html:text", sentence, "not_page_scope")


def _said_of_page(scope: Scope) -> Scope:
    """A sentence in a sidebar or widget that names this page speaks for the page."""
    return "body" if scope == "part" else scope


def _reservation_claim(col: _Collector, block: _Block, sentence: str) -> None:
    """All rights reserved / 無断転載禁止, unless it is said of a part only (「Photos © …, all
    rights reserved」) or sits in a sidebar or widget without naming this page."""
    m = _ARR_RE.search(sentence)
    if not m:
        return
    where = "html:text[all-rights-reserved]"
    if block.scope == "part" and not _SELF_RE.search(sentence):
        col.aside(ALL_RIGHTS_RESERVED, where, sentence, "part_scope")
    elif _names_a_part(sentence[: m.start()]):
        col.aside(ALL_RIGHTS_RESERVED, where, sentence, "part_scope")
    else:
        col.claim(ALL_RIGHTS_RESERVED, where, sentence, _said_of_page(block.scope))


def _gov_terms(col: _Collector, block: _Block) -> None:
    text = block.text
    for m in _GOV_VERSION_RE.finditer(text):
        version = f"{m[1]}.{m[2]}"
        sentence = next(s for o, s in _sentences(text) if o <= m.start() < o + len(s))
        if version != "2.0":
            col.aside(
                None, "html:text[gov-standard-terms]", sentence, f"unsupported_version_{version}"
            )
            continue
        page = block.scope == "footer" or (
            _SELF_RE.search(sentence) and _LICENSING_RE.search(sentence)
        )
        if page:
            col.claim(
                GOV_STANDARD_TERMS_2,
                "html:text[gov-standard-terms]",
                sentence,
                _said_of_page(block.scope),
            )
        else:
            col.aside(
                GOV_STANDARD_TERMS_2, "html:text[gov-standard-terms]", sentence, "not_page_scope"
            )
        return


def _gov_terms_wording(col: _Collector, text: str) -> None:
    """The terms-of-use wording of 政府標準利用規約 2.0 without its name: the 出典 clause
    plus the statement of compatibility with CC BY 4.0, about this site's content."""
    if any(f.license == GOV_STANDARD_TERMS_2 for f in col.findings):
        return
    compat = _GOV_COMPAT_RE.search(text)
    if compat and _GOV_WORDING_RE.search(text) and _SELF_RE.search(text):
        col.claim(GOV_STANDARD_TERMS_2, "html:text[gov-standard-terms]", compat[0])


def _resolve(findings: list[Finding], on_conflict: ConflictPolicy) -> tuple[str | None, str]:
    if not findings:
        return None, "no-license"
    ids = list(dict.fromkeys(f.license for f in findings))
    if None in ids:
        return None, "unrecognized"
    if len(ids) == 1:
        return ids[0], "found" if len(findings) == 1 else "agreeing"
    if on_conflict == "drop":
        return None, "conflict_dropped"
    licenses = [get_license(i) for i in ids]
    if any(lic is None for lic in licenses):
        return None, "unrecognized"
    best = max(range(len(ids)), key=lambda k: strictness(licenses[k]))  # type: ignore[arg-type]
    return ids[best], "conflict_stricter"


def detect_license(page: str | bytes, on_conflict: ConflictPolicy = "stricter") -> PageLicense:
    """The page's license from its raw HTML.

    >>> detect_license('<html><head><link rel="license" href="https://creativecommons.org/licenses/by/4.0/">'
    ...     '</head><body><p>本文</p></body></html>').evidence
    'html:head/link[rel=license]=https://creativecommons.org/licenses/by/4.0/'
    >>> detect_license('<p>本文。</p><footer>Copyright 2024 例. All rights reserved.</footer>').license
    'LicenseRef-AllRightsReserved'
    >>> detect_license('<figure><img src="a.jpg"><figcaption>写真: 山田 (CC BY 2.0)</figcaption></figure>').reason
    'no-license'
    """
    return license_of_tree(parse_html(page), on_conflict)


def license_of_tree(
    root: etree._Element | None, on_conflict: ConflictPolicy = "stricter"
) -> PageLicense:
    """:func:`detect_license` on a page already parsed by :func:`parse_html` (which
    this does not change): a caller that also reads the tree parses the page once."""
    if root is None:
        return PageLicense(None, "no-license")
    col = _Collector()
    _head_and_links(root, col)
    _badges(root, col)
    _metas(root, col)
    _json_ld(root, col)
    _statements(root, col)
    license_id, reason = _resolve(col.findings, on_conflict)
    return PageLicense(license_id, reason, tuple(_dedupe(col.findings)), tuple(col.set_aside))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))
