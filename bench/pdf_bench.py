"""PDF extraction: speed and character error rate per extractor, license per shared PDF.

    .venv/bin/pip install pypdfium2 pypdf      # the other extractors measured (not dependencies)
    .venv/bin/python bench/pdf_bench.py [--shared /work/shared/data/pdf]

Prints, per extractor: pages/s and MB/s per CPU second over the shared PDFs, and the
character error rate (whitespace ignored) on PDFs made from known text in each layout;
then jpcorpus's extraction verdict and detected license for every shared PDF.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from licenses.pdf import detect_pdf_license  # noqa: E402
from pipelines.sources.pdf_extract import PdfRejected, _extract, extract_pdf  # noqa: E402
from tests.fixtures.pdf.make import LAYOUTS, cer, make_pdf  # noqa: E402


def _jpcorpus(data: bytes) -> tuple[str, int]:
    pdf = _extract(data)  # in-process, so CPU time is this process's
    return pdf.text, len(pdf.pages)


def _pdfium(data: bytes) -> tuple[str, int]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    return "\n".join(pages), len(pages)


def _pypdf(data: bytes) -> tuple[str, int]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = [p.extract_text() or "" for p in reader.pages]
    return "\n".join(pages), len(pages)


EXTRACTORS = {"jpcorpus (pdfminer.six)": _jpcorpus, "pypdfium2": _pdfium, "pypdf": _pypdf}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("/work/shared/data/pdf"))
    args = ap.parse_args()
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    files = sorted(args.shared.glob("*.pdf"))
    known = {layout: make_pdf(layout, 3000) for layout in LAYOUTS}
    print(
        "| extractor | pages/CPU-s | MB/CPU-s | " + " | ".join(f"CER {x}" for x in LAYOUTS) + " |"
    )
    print("|---|---|---|" + "---|" * len(LAYOUTS))
    for name, fn in EXTRACTORS.items():
        try:
            fn(known["horizontal"][0])
        except ImportError:
            print(f"| {name} | not installed |")
            continue
        pages = size = 0
        cpu = time.process_time()
        for f in files:
            data = f.read_bytes()
            try:
                pages += fn(data)[1]
            except Exception:  # noqa: BLE001 — a library that cannot open a file scores 0 pages for it
                pass
            size += len(data)
        cpu = time.process_time() - cpu
        rates = [cer(fn(pdf)[0], want) for pdf, want in known.values()]
        print(
            f"| {name} | {pages / cpu:.1f} | {size / 1e6 / cpu:.2f} | "
            + " | ".join(f"{r:.3f}" for r in rates)
            + " |"
        )
    print("\n| shared PDF | extraction | license | evidence |\n|---|---|---|---|")
    for f in files:
        try:
            pdf = extract_pdf(f.read_bytes())
        except PdfRejected as exc:
            print(f"| {f.name} | rejected: {exc.reason} | | |")
            continue
        found = detect_pdf_license(pdf.pages, pdf.info, pdf.xmp, pdf.links)
        chars = len("".join(pdf.text.split()))
        print(
            f"| {f.name} | {chars} chars | {found.license or 'none found'} | {found.evidence[:90]} |"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
