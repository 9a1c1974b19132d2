"""How much of one input a reader will hold or decompress — the bounds on bad input.

One home for the numbers; each states why it is what it is.
"""

from __future__ import annotations

MAX_DOC_CHARS = 20_000_000
"""Documents longer than this are rejected at ``read`` (``document_too_large``)."""

MAX_DOC_BYTES = 6 * MAX_DOC_CHARS
"""Raw bytes of one document (a file, a JSONL line, a zip member) a reader will hold: 120 MB.

The longest encoding of a character among our inputs is a JSON ``\\uXXXX`` escape (6 bytes;
UTF-8 needs at most 4, Shift_JIS and EUC-JP 2–3), so a document of more bytes cannot fit in
:data:`MAX_DOC_CHARS` and is rejected ``document_too_large`` without being read whole. A
reader therefore holds at most this much of one document, whatever the file's size.
"""

MAX_EXPANSION_RATIO = 100
"""A compressed input may grow at most this many times (decompressed bytes / compressed bytes
read so far) once past :data:`EXPANSION_FLOOR`; beyond it the file is a decompression bomb.

Real inputs stay far below: the bundled Wikipedia JSONL.gz expands 2.7×, the Aozora index
CSV.gz 8.5×, WARC.gz files 1.4–2.4×; gzip bombs reach ~1000× and bzip2 bombs more.
"""

EXPANSION_FLOOR = 64 * 1024 * 1024
"""Decompressed bytes below which the expansion ratio is not checked (small, very repetitive
files are fine); a bomb is therefore cut off after at most this much output."""

MAX_HEADER_LINE = 64 * 1024
"""Longest WARC/HTTP header line read (URLs in real archives stay under 8 KB); a longer one
means the archive is not WARC and the rest of the file is rejected."""

MAX_HEADER_LINES = 2000
"""Header lines of one WARC/ARC record, its WARC and HTTP headers and the blank lines before
it together (real records carry 10–60); more means the archive is not WARC. warcio keeps
every header as a Python tuple: 4 million lines of a 29 KB ``.warc.gz`` took 628 MB."""

MAX_HEADER_BYTES = 1024 * 1024
"""Bytes of those header lines per record (real records: a few KB)."""

MAX_HELD_BYTES = 64 * 1024 * 1024
"""Pages (decoded text, PDF bytes) a WARC reader holds while it reads on to the archive's
robots.txt and tdmrep.json responses, which may come after the pages they rule; past it the
reader reads the archive once more, for them alone, before going on. Measured on 26 MB
crawl-segment files (``bench/web_data.py``): 5 % Japanese pages raise the reader's peak RSS
by 11 MB; all-Japanese pages reach this bound (peak +65 MB) and take the second read."""
