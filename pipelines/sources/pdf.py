"""The ``pdf`` source: one document per PDF file, its license stated or detected.

Keys: ``path`` (file, folder or glob), optional ``license``, ``license_evidence``,
``attribution``. Without ``license`` each document's license is detected from the
PDF itself (:func:`licenses.pdf.detect_pdf_license`: XMP, the information dictionary,
link annotations, statements in the text, Copyright Act Art. 13 for judgments and
official notices); a PDF without any clue has no license and the license gate drops
it. Text comes from :func:`pipelines.sources.pdf_extract.extract_pdf`, in a child
process with a deadline and a memory cap; a PDF that yields no text is a rejected row
at stage ``read`` with the reason (``encrypted_pdf``, ``no_text_layer``,
``garbled_text``, ``broken_pdf``, ``pdf_timeout``, ``pdf_memory``, ``too_many_pages``,
``not_pdf``).

Page boundaries are kept in ``metadata["pdf_page_offsets"]`` (the character offset
where each page's text starts).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from corpus.document import Document, make_document
from licenses.pdf import detect_pdf_license
from pipelines.sources.base import file_time, register_source
from pipelines.sources.files import InputRejected, read_file_bounded
from pipelines.sources.pdf_extract import DEADLINE_S, PdfRejected, extract_pdf
from pipelines.sources.text_dir import TextDirParams, TextDirSource


class PdfParams(TextDirParams):
    type: str = "pdf"
    name: str = "pdf"
    files_per_task: int = Field(8, ge=1)
    deadline_s: float = Field(DEADLINE_S, gt=0)
    """Wall-clock limit per file; a slower file is rejected as ``pdf_timeout``."""


@register_source
class PdfSource(TextDirSource):
    suffixes: ClassVar[tuple[str, ...]] = (".pdf",)
    source_type: ClassVar[str] = "pdf"
    Params = PdfParams

    def read_file(self, path: str, rel: str) -> Document:
        p = self.params
        try:
            raw = read_file_bounded(path)
            pdf = extract_pdf(raw, deadline_s=p.deadline_s)
        except InputRejected as exc:
            return self._rejected(path, rel, exc.reason, str(exc))
        except OSError as exc:
            return self._rejected(path, rel, "unreadable_file", f"{type(exc).__name__}: {exc}")
        except PdfRejected as exc:
            return self._rejected(path, rel, exc.reason, str(exc), raw=raw)
        if p.license:
            license_id, evidence, attribution = p.license, p.license_evidence, p.attribution
        else:
            found = detect_pdf_license(pdf.pages, pdf.info, pdf.xmp, pdf.links)
            license_id, evidence = found.license, found.evidence or "pdf:no-license-found"
            credit = [pdf.info.get("Author", ""), pdf.info.get("Title", ""), rel]
            attribution = p.attribution or ", ".join(c.strip() for c in credit if c.strip())
        doc = make_document(
            text=pdf.text,
            source=p.name,
            source_id=rel,
            url=f"{p.name}:{rel}",
            license=license_id,
            license_evidence=evidence,
            attribution=attribution,
            retrieved_at=file_time(path),
            raw=raw,
        )
        doc.metadata["pdf_page_offsets"] = pdf.page_offsets()
        return doc
