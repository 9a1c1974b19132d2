"""Parsing HTML/XML without silently losing what lies past libxml2's limits.

libxml2 (under lxml, and so under trafilatura) stops building the tree at a nesting
depth of 256 and drops text nodes over 10 MB; for HTML it says so only in the parser's
error log and returns what it had. A page past those limits would enter the corpus cut
short, or be misjudged (a law page whose law number lies deeper than 256 levels "has
no law number"). These helpers raise instead, so the page is rejected ``markup_too_deep``
or ``markup_too_large`` at stage ``read``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lxml import html

from pipelines.sources.files import InputRejected

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class MarkupTooDeep(InputRejected):
    reason = "markup_too_deep"


class MarkupTooLarge(InputRejected):
    reason = "markup_too_large"


def check_parser_limits(errors: Iterable[Any], what: str) -> None:
    """Raise :class:`MarkupTooDeep`/:class:`MarkupTooLarge` if libxml2 hit a resource limit.

    ``errors`` is a parser's (or an ``XMLSyntaxError``'s) ``error_log``.
    """
    for entry in errors:
        if entry.type_name != "ERR_RESOURCE_LIMIT":
            continue
        message = " ".join(entry.message.split())
        cls = MarkupTooDeep if "depth" in message.lower() else MarkupTooLarge
        raise cls(f"{what}: {message} (line {entry.line}); the parser drops what lies beyond")


def parse_html_within_limits(text: str, what: str = "HTML") -> html.HtmlElement:
    """The document tree of an HTML page; raises when libxml2 had to cut it.

    >>> parse_html_within_limits("<p>吾輩は猫である</p>").text_content()
    '吾輩は猫である'
    >>> parse_html_within_limits("<div>" * 300 + "猫")
    Traceback (most recent call last):
    ...
    pipelines.sources.markup.MarkupTooDeep: HTML: Excessive depth in document: 256, use XML_PARSE_HUGE option (line 1); the parser drops what lies beyond
    """
    parser = html.HTMLParser()
    root = html.document_fromstring(_XML_DECLARATION.sub("", text, count=1), parser=parser)
    check_parser_limits(parser.error_log, what)
    return root
