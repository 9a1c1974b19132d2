"""The Japanese pre-filter: its recall of the pages extraction + language ID keep, and what it skips.

Builds the page mix of ``bench/prefilter_data.py`` into a WARC file, reads it back and,
for every HTML page:

* reference — what the ``warc`` source does without the pre-filter: decode (declared
  charset, then the Japanese encodings), trafilatura main text, then the ``langid``
  stage (lid.176, ``ja`` ≥ 0.65 with kana). A page it keeps is a Japanese page;
* pre-filter — :func:`pipelines.sources.prefilter.looks_japanese` on the raw bytes.

Recall = Japanese pages the pre-filter passes / Japanese pages; skip share = other pages
it rejects / other pages. Then the ``warc`` source reads the same file with and without
``japanese_prefilter`` (CPU time of the whole read, license detection included).

    .venv/bin/python bench/prefilter_bench.py --data /work/shared/data [--japanese 1500 --other 3000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from prefilter_data import MixBuilder, write_warc  # noqa: E402
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from corpus.document import make_document, rejection  # noqa: E402
from corpus.stages.base import Keep  # noqa: E402
from corpus.stages.langid import LangId  # noqa: E402
from corpus.text.encoding import UndecodableText, decode_japanese  # noqa: E402
from pipelines.sources.prefilter import looks_japanese  # noqa: E402
from pipelines.sources.warc import (  # noqa: E402
    WarcParams,
    WarcSource,
    _declared_charset,
    _main_text,
)

#: single-byte charset labels the mix puts on Japanese pages by mistake
LEGACY_LABELS = frozenset({"ISO-8859-1", "WINDOWS-1252", "WINDOWS-1251", "KOI8-R"})


def read_pages(path: Path) -> list[tuple[str, str, bytes]]:
    """``(url, content type, body)`` of every response in the WARC."""
    out = []
    with path.open("rb") as f:
        for rec in ArchiveIterator(f):
            if rec.rec_type != "response":
                continue
            ct = rec.http_headers.get_header("Content-Type") or ""
            out.append(
                (rec.rec_headers.get_header("WARC-Target-URI"), ct, rec.content_stream().read())
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--japanese", type=int, default=1500)
    parser.add_argument("--other", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show-misses", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "mix.warc.gz"
        built = MixBuilder(args.data, args.seed).build(args.japanese, args.other)
        kind_of = {p.url: p.kind for p in built}
        write_warc(built, warc)
        pages = read_pages(warc)
        print(f"pages: {len(pages)} in {warc.stat().st_size / 1e6:.1f} MB of WARC (gzip)")

        # reference: decode + trafilatura + langid
        t_extract = 0.0
        docs, undecodable = {}, 0
        for url, ct, body in pages:
            started = time.process_time()
            try:
                html_text, _ = decode_japanese(body, _declared_charset(ct, body))
                text, _, _ = _main_text(html_text, url)
            except UndecodableText:
                text = ""
                undecodable += 1
            t_extract += time.process_time() - started
            if text:
                docs[url] = make_document(text=text, source="web", source_id=url)
        langid = LangId()
        langid.setup()
        started = time.process_time()
        decisions = langid.process_batch(list(docs.values()))
        t_langid = time.process_time() - started
        japanese = {url for url, d in zip(docs, decisions, strict=True) if isinstance(d, Keep)}

        # pre-filter
        started = time.process_time()
        verdicts = {
            url: looks_japanese(body, _declared_charset(ct, body)) for url, ct, body in pages
        }
        t_pre = time.process_time() - started

    n = len(pages)
    passed = {u for u, v in verdicts.items() if v.japanese}
    others = set(verdicts) - japanese
    recall = len(japanese & passed) / len(japanese)
    skipped = len(others - passed) / len(others)
    print(f"reference keeps {len(japanese)} Japanese pages ({undecodable} undecodable pages)")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(
        f"| recall of the Japanese pages extraction + langid keep | {recall:.4f} ({len(japanese & passed)}/{len(japanese)}) |"
    )
    print(f"| other pages skipped | {skipped:.4f} ({len(others - passed)}/{len(others)}) |")
    built_other = {u for u, k in kind_of.items() if not k.startswith("ja-")}
    built_ja = japanese - built_other
    print(
        f"| … of those built as Japanese | {len(built_ja & passed) / len(built_ja):.4f} "
        f"({len(built_ja & passed)}/{len(built_ja)}) |"
    )
    print(
        f"| pages built in other languages skipped | {len(built_other - passed) / len(built_other):.4f} "
        f"({len(built_other - passed)}/{len(built_other)}) |"
    )
    print(f"| pages passed that the reference drops | {len(passed - japanese)} |")
    print(f"| pre-filter CPU per page | {t_pre / n * 1e6:.0f} µs |")
    print(f"| decode + trafilatura CPU per page | {t_extract / n * 1e3:.2f} ms |")
    print(f"| langid CPU per extracted page | {t_langid / max(1, len(docs)) * 1e3:.2f} ms |")
    print()
    by_kind = Counter()
    for url in japanese - passed:
        by_kind[kind_of[url]] += 1
    passed_other = Counter(kind_of[u] for u in passed - japanese)
    print("missed Japanese pages by kind:", dict(by_kind) or "none")
    print("non-Japanese pages passed, by kind:", dict(passed_other) or "none")
    reasons = Counter(v.reason for u, v in verdicts.items() if u in japanese)
    print("pass reasons on Japanese pages:", dict(reasons))
    declared = {url: _declared_charset(ct, body) for url, ct, body in pages}
    for url in sorted(japanese - passed)[: args.show_misses]:
        v = verdicts[url]
        print(
            f"  MISS {kind_of[url]} {url} declared={declared[url]} kana={v.kana} "
            f"kanji={v.kanji} reading={v.encoding}"
        )
    legacy = Counter(
        (declared[u] or "").upper()
        for u, k in kind_of.items()
        if k.startswith("ja-") and (declared[u] or "").upper() in LEGACY_LABELS
    )
    passed_legacy = sum(
        1
        for u, k in kind_of.items()
        if k.startswith("ja-") and (declared[u] or "").upper() in LEGACY_LABELS and u in passed
    )
    print(
        f"Japanese pages declared in a single-byte charset: {sum(legacy.values())} "
        f"{dict(legacy)}, passed {passed_legacy}"
    )

    # the warc source, with and without the pre-filter
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "mix.warc.gz"
        write_warc(built, warc)
        for on in (False, True):
            source = WarcSource(WarcParams(path=str(warc), japanese_prefilter=on), Path(tmp))
            started = time.process_time()
            out = [d for task in source.plan() for d in source.read(task)]
            spent = time.process_time() - started
            stages = Counter((rejection(d) or ("kept",))[0] for d in out)
            kept = [d for d in out if not rejection(d)]
            ja = sum(isinstance(x, Keep) for x in langid.process_batch(kept))
            print(f"warc source, japanese_prefilter={on}: {spent:.1f} CPU s "
                  f"({spent / n * 1e3:.2f} ms/page), outcomes by stage {dict(stages)}, "
                  f"then langid keeps {ja}")  # fmt: skip


if __name__ == "__main__":
    main()
