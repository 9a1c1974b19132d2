"""Text and license clues from one PDF, in bounded time and memory.

The extractor is pdfminer.six (MIT) with vertical-writing detection on: measured
against pypdfium2 and pypdf on the shared PDFs and on PDFs made from known text
(``bench/pdf_bench.py``, ``bench/RESULTS.md``), it is the one that reads Adobe-Japan1
CID fonts without a ToUnicode map, the encrypted JUST PDF notices and vertical writing
in reading order; pypdfium2 is much faster but reads vertical columns in the wrong
order and returns digits only for one encrypted notice.

Every file is parsed in a child process (reused from file to file) with a deadline and an
address-space cap, so a
decompression bomb, deeply nested objects or a huge page count end as a rejected row
(:class:`PdfRejected` with its reason) and never as a lost task.
"""

from __future__ import annotations

import io
import statistics
import sys
from dataclasses import dataclass, field
from typing import Any

from corpus.text.pdf_text import garbled_share, page_text, strip_page_furniture

MAX_PAGES = 3000
"""PDFs with more pages are rejected (``too_many_pages``) before any text is read."""

DEADLINE_S = 120.0
"""Wall-clock limit per file (``pdf_timeout``)."""

MEMORY_BYTES = 3 * 1024**3
"""Address-space cap of the extracting process (``pdf_memory``)."""

RUBY_SIZE_RATIO = 0.6
"""Characters smaller than this share of the line's usual size are ruby (振り仮名)."""

LINE_MARGIN = 0.5
"""Lines closer than this many line heights share a text box (pdfminer's default; columns
are put in order by :func:`reading_order`, not by wider boxes)."""

GARBLED_MAX = 0.05
"""Text in which more than this share is unmapped glyphs is dropped (``garbled_text``)."""


class PdfRejected(Exception):
    """A PDF that yields no document; ``reason`` names why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class PdfText:
    """What one PDF gives: text per page, its metadata and link targets."""

    pages: list[str]
    info: dict[str, str] = field(default_factory=dict)
    xmp: str = ""
    links: list[tuple[int, str]] = field(default_factory=list)
    encrypted: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(p for p in self.pages if p)

    def page_offsets(self) -> list[int]:
        """Where each page's text starts in :attr:`text` (an empty page: where the next starts)."""
        offsets, at = [], 0
        for page in self.pages:
            offsets.append(at)
            at += len(page) + 2 if page else 0
        return offsets


def _decode(value: Any) -> str:
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral

    value = resolve1(value)
    if isinstance(value, bytes):
        if value.startswith((b"\xfe\xff", b"\xff\xfe")):
            return value.decode("utf-16", "replace")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    if isinstance(value, PSLiteral):
        return str(value.name)
    return str(value) if value is not None else ""


def _line_text(line: Any, body_size: float) -> str:
    from pdfminer.layout import LTChar

    parts = []
    for item in line:
        if isinstance(item, LTChar) and item.size < RUBY_SIZE_RATIO * body_size:
            continue  # ruby (振り仮名) over or beside the base text
        parts.append(item.get_text())
    return "".join(parts)


def reading_order(boxes: list[Any], page_width: float) -> tuple[list[Any], bool]:
    """Horizontal text boxes in column reading order, and whether the page has columns.

    Top to bottom through bands separated by boxes that span most of the page's width;
    within a band column by column, left to right (a column is a run of boxes whose
    horizontal extents overlap). A page counts as multi-column when a band has two or more
    columns that each hold at least a tenth of the band's characters (and 60 at least).
    """
    wide = sorted((b for b in boxes if b.width > 0.55 * page_width), key=lambda b: -b.y1)
    narrow = [b for b in boxes if b.width <= 0.55 * page_width]
    ordered: list[Any] = []
    upper, multi = float("inf"), False
    for limit in [*wide, None]:
        lower = limit.y1 if limit is not None else float("-inf")
        band = [b for b in narrow if lower <= (b.y0 + b.y1) / 2 < upper]
        columns: list[list[Any]] = []
        for b in sorted(band, key=lambda b: b.x0):
            if columns and b.x0 < max(c.x1 for c in columns[-1]) - 1:
                columns[-1].append(b)
            else:
                columns.append([b])
        sizes = [sum(len(b.get_text()) for b in col) for col in columns]
        big = [n for n in sizes if n >= max(60, 0.1 * sum(sizes))]
        multi = multi or len(big) >= 2
        for column in columns:
            ordered += sorted(column, key=lambda b: -b.y1)
        if limit is not None:
            ordered.append(limit)
            upper = limit.y0
    return ordered, multi


def _page_lines(layout: Any, columns: bool = False) -> tuple[list[str], bool]:
    """The page's text lines in reading order, ruby left out, and whether the document
    is set in columns (``columns``: an earlier page was).

    Horizontal pages of a document set in columns are put in column order by
    :func:`reading_order`; other pages, and vertical writing, keep pdfminer's order.
    """
    from pdfminer.layout import LTChar, LTTextBox, LTTextBoxVertical, LTTextLine

    boxes = [b for b in layout if isinstance(b, LTTextBox)]
    if boxes and not any(isinstance(b, LTTextBoxVertical) for b in boxes):
        ordered, multi = reading_order(boxes, layout.width)
        columns = columns or multi
        if columns:
            boxes = ordered
    lines = [ln for box in boxes for ln in box if isinstance(ln, LTTextLine)]
    sizes = [c.size for ln in lines for c in ln if isinstance(c, LTChar)]
    body = statistics.median(sizes) if sizes else 0.0
    out = [_line_text(ln, body).rstrip("\n") for ln in lines]
    return [s for s in out if s.strip()], columns


def _links(page: Any, number: int) -> list[tuple[int, str]]:
    from pdfminer.pdftypes import resolve1

    out = []
    for annot in resolve1(page.annots) or []:
        a = resolve1(annot)
        if not isinstance(a, dict):
            continue
        action = resolve1(a.get("A"))
        if isinstance(action, dict) and "URI" in action:
            out.append((number, _decode(action["URI"])))
    return out


def _extract(data: bytes) -> PdfText:
    """Parse ``data`` in this process (the child's side of :func:`extract_pdf`)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError
    from pdfminer.pdftypes import resolve1

    try:
        parser = PDFParser(io.BytesIO(data))
        doc = PDFDocument(parser)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise PdfRejected("encrypted_pdf", "needs a password") from exc
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise PdfRejected("broken_pdf", str(exc)[:200]) from exc
    pages = list(PDFPage.create_pages(doc))
    if len(pages) > MAX_PAGES:
        raise PdfRejected("too_many_pages", f"{len(pages)} pages")
    info = {str(k): _decode(v) for d in doc.info for k, v in d.items()}
    xmp = ""
    meta = resolve1(doc.catalog.get("Metadata"))
    if meta is not None and hasattr(meta, "get_data"):
        xmp = meta.get_data()[: 1 << 20].decode("utf-8", "replace")
    rsrc = PDFResourceManager(caching=True)
    device = PDFPageAggregator(
        rsrc, laparams=LAParams(detect_vertical=True, line_margin=LINE_MARGIN)
    )
    interpreter = PDFPageInterpreter(rsrc, device)
    page_lines, links, columns = [], [], False
    for number, page in enumerate(pages, start=1):
        interpreter.process_page(page)
        lines, columns = _page_lines(device.get_result(), columns)
        page_lines.append(lines)
        links += _links(page, number)
    cleaned = [page_text(lines) for lines in strip_page_furniture(page_lines)]
    return PdfText(cleaned, info, xmp, links, encrypted=bool(doc.encryption))


def _child_main() -> None:
    """``python -P pipelines/sources/pdf_extract.py MEMORY_BYTES``: serves PDFs until stdin
    closes; each request and answer is an 8-byte length and the bytes (answers as JSON)."""
    import dataclasses
    import json
    import logging
    import resource

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    memory_bytes = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while header := stdin.read(8):
        data = stdin.read(int.from_bytes(header, "big"))
        try:
            result: list = ["ok", dataclasses.asdict(_extract(data))]
        except PdfRejected as exc:
            result = ["rejected", exc.reason, str(exc)]
        except MemoryError:
            result = ["rejected", "pdf_memory", "over the memory cap"]
        except RecursionError:
            result = ["rejected", "broken_pdf", "objects nested too deeply"]
        except Exception as exc:  # noqa: BLE001 — any parser failure is this file's reason
            result = ["rejected", "broken_pdf", f"{type(exc).__name__}: {str(exc)[:200]}"]
        del data
        answer = json.dumps(result, ensure_ascii=False).encode("utf-8")
        stdout.write(len(answer).to_bytes(8, "big") + answer)
        stdout.flush()


class _Worker:
    """One extracting child process, reused for the files of a task, replaced when it
    runs past a deadline, dies, or runs out of memory."""

    def __init__(self, memory_bytes: int) -> None:
        import os
        import subprocess
        from pathlib import Path

        self.memory_bytes = memory_bytes
        # this file run as a script (``-P``: its folder not on sys.path), not ``-m``:
        # importing the ``pipelines`` package would cost each child its imports;
        # the folder holding ``corpus/`` and ``pipelines/`` goes on its path, as ``-m``
        # had the cwd
        root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-P", __file__, str(memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()

    def _read(self, n: int, deadline: float) -> bytes:
        import os
        import select
        import time

        fd, chunks, got = self.proc.stdout.fileno(), [], 0  # type: ignore[union-attr]
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def ask(self, data: bytes, deadline_s: float) -> list:
        import json
        import time

        deadline = time.monotonic() + deadline_s
        try:
            self.proc.stdin.write(len(data).to_bytes(8, "big") + data)  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
            size = int.from_bytes(self._read(8, deadline), "big")
            return json.loads(self._read(size, deadline))
        except TimeoutError:
            raise
        except (EOFError, OSError):  # the child closed its pipes: it died
            raise PdfRejected("pdf_memory", "the extracting process died") from None


_WORKERS: dict[int, _Worker] = {}


def extract_pdf(
    data: bytes, *, deadline_s: float = DEADLINE_S, memory_bytes: int = MEMORY_BYTES
) -> PdfText:
    """Text of the PDF ``data``, checked: raises :class:`PdfRejected` with a reason.

    Reasons: ``not_pdf``, ``encrypted_pdf``, ``broken_pdf``, ``too_many_pages``,
    ``pdf_timeout``, ``pdf_memory``, ``no_text_layer`` (image-only pages),
    ``garbled_text`` (fonts without a usable Unicode map).

    The file is parsed by a child interpreter (``python -P …/pdf_extract.py``)
    with a capped address space, reused from file to file; one that passes the deadline,
    dies or runs out of memory is killed and replaced.
    """
    if data[:1024].find(b"%PDF-") < 0:
        raise PdfRejected("not_pdf", "no %PDF- header")
    worker = _WORKERS.get(memory_bytes) or _WORKERS.setdefault(memory_bytes, _Worker(memory_bytes))
    try:
        result = worker.ask(data, deadline_s)
    except TimeoutError:
        _WORKERS.pop(memory_bytes).close()
        raise PdfRejected("pdf_timeout", f"over {deadline_s:g} s") from None
    except PdfRejected:
        _WORKERS.pop(memory_bytes).close()
        raise
    if result[0] == "rejected":
        if result[1] == "pdf_memory":  # a process that met MemoryError is not reused
            _WORKERS.pop(memory_bytes).close()
        raise PdfRejected(result[1], result[2])
    fields = result[1]
    fields["links"] = [tuple(link) for link in fields["links"]]
    pdf = PdfText(**fields)
    text = pdf.text
    if not "".join(text.split()):
        raise PdfRejected("no_text_layer", "no text on any page")
    if garbled_share(text) > GARBLED_MAX:
        raise PdfRejected("garbled_text", f"{garbled_share(text):.0%} unmapped glyphs")
    return pdf


if __name__ == "__main__":
    _child_main()
