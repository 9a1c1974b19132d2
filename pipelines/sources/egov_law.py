"""The ``egov_law`` source: Japanese statutes (e-Gov 法令XML and law HTML pages).

Statutes, orders, rules and notices are not copyrightable (Copyright Act Art. 13), so
every document that *is law* gets ``LicenseRef-JP-Copyright-Act-Art13`` with evidence
naming the law and its number. A file without law structure (no law number heading,
no articles) is rejected ``not_law_text`` — white papers and other reports are not
Art. 13 material and need their own license.

``source_id`` is the law number; for 法令XML the revision (the file name's
``<enforced>_<amending law>`` part, as e-Gov names its files) is appended so several
revisions of one law stay distinct; for HTML the ``最終改正`` when the page states it.

Each file is judged on its own; a bad one is rejected at stage ``read``:
``empty_file``, ``unreadable_file``, ``document_too_large`` (over
:data:`~pipelines.sources.limits.MAX_DOC_BYTES`, not read), ``undecodable_text``,
``malformed_xml``, ``markup_too_deep``/``markup_too_large`` (past libxml2's limits).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, ClassVar

from pydantic import Field

from corpus.document import Document, make_document, reject, sha256_hex
from corpus.text.encoding import UndecodableText, decode_japanese
from pipelines.sources.base import SourceParams, file_time, register_source
from pipelines.sources.egov_law_text import (
    LawText,
    MalformedXml,
    NotLawText,
    declared_charset,
    law_from_html,
    law_from_xml,
)
from pipelines.sources.files import FileSetSource, InputRejected, read_file_bounded

ART13 = "LicenseRef-JP-Copyright-Act-Art13"
SOURCE_NAME = "egov-law"
FILES_PER_TASK = 16
#: e-Gov 法令XML file names: ``<law id>_<enforced YYYYMMDD>_<amending law id>.xml``
_EGOV_FILE = re.compile(r"^(?P<law>[0-9A-Z]{15})_(?P<revision>\d{8}_[0-9A-Z]{15}|\d{8})$")
_SUFFIXES = (".xml", ".html", ".htm")


class EgovLawParams(SourceParams):
    type: str = "egov_law"
    path: str
    """folder, file or glob of 法令XML (``.xml``) and law HTML (``.html``/``.htm``)"""
    files_per_task: int = Field(FILES_PER_TASK, ge=1)


def egov_url(stem: str) -> str | None:
    """The e-Gov 法令検索 address of a 法令XML file named the e-Gov way.

    >>> egov_url("405AC0000000088_20180401_429AC0000000004")
    'https://laws.e-gov.go.jp/law/405AC0000000088/20180401_429AC0000000004'
    >>> egov_url("gyosei") is None
    True
    """
    m = _EGOV_FILE.match(stem)
    return f"https://laws.e-gov.go.jp/law/{m['law']}/{m['revision']}" if m else None


@register_source
class EgovLawSource(FileSetSource):
    suffixes: ClassVar[tuple[str, ...]] = _SUFFIXES
    source_type: ClassVar[str] = "egov_law"
    Params = EgovLawParams
    source_name: ClassVar[str] = SOURCE_NAME

    def read_file(self, path: str, rel: str) -> Document:
        name = PurePosixPath(path)
        try:
            at = file_time(path)
            raw = read_file_bounded(path)
        except InputRejected as exc:
            return self._rejected(rel, rel, at, "read", exc.reason, str(exc))
        except OSError as exc:
            detail = f"{type(exc).__name__}: {exc}"
            return self._rejected(rel, rel, None, "read", "unreadable_file", detail)
        if not raw.strip():
            return self._rejected(rel, raw, at, "read", "empty_file", "no bytes but whitespace")
        is_xml = name.suffix.lower() == ".xml"
        try:
            if is_xml:
                law = law_from_xml(raw)
            else:
                text, _ = decode_japanese(raw, declared=declared_charset(raw))
                law = law_from_html(text)
        except UndecodableText as exc:
            return self._rejected(rel, raw, at, "read", "undecodable_text", str(exc))
        except MalformedXml as exc:
            return self._rejected(rel, raw, at, "read", "malformed_xml", str(exc))
        except InputRejected as exc:
            return self._rejected(rel, raw, at, "read", exc.reason, str(exc))
        except NotLawText as exc:
            return self._rejected(rel, raw, at, "license", "not_law_text", str(exc))
        if is_xml:
            url = egov_url(name.stem) or f"{SOURCE_NAME}:{rel}"
            m = _EGOV_FILE.match(name.stem)
            revision = m["revision"] if m else sha256_hex(raw)[:12]
            source_id = f"{law.number}@{revision}"
            evidence = f"e-gov-law:{law.citation}; Copyright Act Art.13"
        else:
            url = f"{SOURCE_NAME}:{rel}"
            source_id = f"{law.number}@{law.revision}" if law.revision else law.number
            evidence = f"e-gov-law-html:{law.citation}; Copyright Act Art.13"
        return make_document(
            text=law.text,
            source=SOURCE_NAME,
            source_id=source_id,
            url=url,
            license=ART13,
            license_evidence=evidence,
            attribution=_attribution(law, url),
            retrieved_at=at,
            raw=raw,
        )

    def _rejected(
        self, rel: str, raw: bytes | str, at: Any, stage: str, reason: str, detail: str
    ) -> Document:
        doc = make_document(
            text="",
            source=SOURCE_NAME,
            source_id=rel,
            url=f"{SOURCE_NAME}:{rel}",
            retrieved_at=at,
            raw=raw,
        )
        doc.metadata["reject_detail"] = f"{rel}: {detail}"[:500]
        return reject(doc, stage, reason)


def _attribution(law: LawText, url: str) -> str:
    revised = f"（最終改正：{law.revision}）" if law.revision else ""
    return f"{law.citation}{revised}, e-Gov法令検索, {url}"
