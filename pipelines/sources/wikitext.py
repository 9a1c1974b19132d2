"""MediaWiki wikitext → plain text (templates, references, tables and markup removed).

Parsed with ``mwparserfromhell``; link text is kept, file/category/interlanguage
links are dropped, ``{{lang|…}}``-style templates keep their text (they wrap words
of the sentence), every other template is removed.
"""

from __future__ import annotations

import re

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

#: link namespaces whose links are not text (English and Japanese names)
DROPPED_LINK_NAMESPACES = frozenset(
    {"file", "image", "media", "category", "ファイル", "画像", "メディア", "カテゴリ", "wikipedia"}
)
#: tags whose content is not running text
DROPPED_TAGS = frozenset(
    {
        "ref",
        "references",
        "gallery",
        "math",
        "chem",
        "score",
        "timeline",
        "syntaxhighlight",
        "source",
        "imagemap",
        "table",
        "noinclude",
        "templatedata",
        "graph",
        "mapframe",
        "maplink",
    }
)
_INTERLANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z]+)?$")
_MAGIC_WORD = re.compile(r"__[A-Z]+__")
_EMPTY_PARENS = re.compile(r"[（(][\s、,;；:：]*[)）]")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_REF = re.compile(r"<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>", re.S | re.I)
#: markup the parser leaves as text when the wikitext itself is unbalanced
_STRAY_MARKUP = re.compile(r"'{2,}|\[\[|\]\]|\{\{|\}\}")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*\b[^<>\n]*/?>")


def _template_text(template: Template) -> str:
    """Text that a template contributes to the sentence (``{{lang|en|word}}`` → ``word``)."""
    name = str(template.name).strip().lower().replace("_", " ")
    positional = [p for p in template.params if not p.showkey]
    if (name == "lang" or name.startswith("lang-")) and positional:
        return _plain(positional[-1].value)
    if name in ("nihongo", "nihongo2", "読み仮名", "読み仮名 ruby不使用", "ruby") and positional:
        return _plain(positional[0].value)
    return ""


def _link_text(link: Wikilink) -> str:
    title = str(link.title).strip()
    prefix = title.split(":", 1)[0].strip().lower() if ":" in title else ""
    if prefix in DROPPED_LINK_NAMESPACES or (prefix and _INTERLANGUAGE.match(prefix)):
        return ""
    if link.text is not None:
        return _plain(link.text)
    return title.lstrip(":")


def _plain(code: Wikicode) -> str:
    out: list[str] = []
    for node in code.nodes:
        if isinstance(node, Text):
            out.append(str(node.value))
        elif isinstance(node, Wikilink):
            out.append(_link_text(node))
        elif isinstance(node, ExternalLink):
            out.append(_plain(node.title) if node.title is not None else "")
        elif isinstance(node, Template):
            out.append(_template_text(node))
        elif isinstance(node, Heading):
            out.append(f"\n{_plain(node.title).strip()}\n")
        elif isinstance(node, HTMLEntity):
            out.append(node.normalize())
        elif isinstance(node, Tag):
            tag = str(node.tag).strip().lower()
            if tag == "br":
                out.append("\n")
            elif tag not in DROPPED_TAGS and node.contents is not None:
                out.append(_plain(node.contents))
        elif isinstance(node, Comment | Argument):
            continue
    return "".join(out)


def wikitext_to_text(wikitext: str) -> str:
    """Plain text of an article's wikitext.

    >>> print(wikitext_to_text(
    ...     "{{基礎情報 国|略名=エジプト}}\\n'''エジプト・アラブ共和国'''（{{lang|ar|جمهورية مصر العربية}}）、"
    ...     "通称[[エジプト]]は、[[中東|中東地域]]の[[共和制]]国家<ref>外務省</ref>。\\n"
    ...     "[[ファイル:Flag.svg|thumb|国旗]]\\n== 国名 ==\\n{| class=wikitable\\n|-\\n| 表 || セル\\n|}\\n"
    ...     "正式名称は{{lang|en|Arab Republic of Egypt}}。\\n[[Category:エジプト|*]]\\n[[en:Egypt]]"))
    エジプト・アラブ共和国（جمهورية مصر العربية）、通称エジプトは、中東地域の共和制国家。
    <BLANKLINE>
    国名
    <BLANKLINE>
    正式名称はArab Republic of Egypt。
    """
    wikitext = _REF.sub("", _COMMENT.sub("", wikitext))
    text = _plain(mwparserfromhell.parse(wikitext))
    text = _drop_raw_tables(text)
    text = _HTML_TAG.sub("", _MAGIC_WORD.sub("", text))
    text = _STRAY_MARKUP.sub("", text)
    text = _EMPTY_PARENS.sub("", text)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _drop_raw_tables(text: str) -> str:
    """Remove ``{| … |}`` blocks the parser left as text (unbalanced or nested tables).

    >>> _drop_raw_tables("前\\n{| class=wikitable\\n|-\\n| a || b\\n|}\\n後")
    '前\\n後'
    """
    out: list[str] = []
    depth = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("{|"):
            depth += 1
            continue
        if depth:
            if stripped.startswith("|}"):
                depth -= 1
            continue
        out.append(line)
    return "\n".join(out)
