"""Language ID and quality filtering: accuracy on the labelled set, keep rates, throughput.

    .venv/bin/python bench/langid_quality.py [--per-kind 100] [--passes 3] [--no-hojichar]

Prints, as Markdown:

1. precision / recall of dropping, per generated junk kind, against real clean documents
   (``bench/langid_quality_data.py``), with the drop reasons;
2. keep rate per genre of the shared data and per curated source of ``pipelines/sample``;
3. documents/s and MB/s on one core for language ID and for the quality rules on the
   bundled sample, and in the same run HojiChar's nearest filters on the same documents.

HojiChar is a benchmark-only dependency (``pip install hojichar``); it is never imported
by the package.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langid_quality_data import JUNK_KINDS, LabelledDoc, labelled_set, sample_docs  # noqa: E402

from corpus.document import make_document  # noqa: E402
from corpus.stages.base import Drop  # noqa: E402
from corpus.stages.langid import MODEL_PATH, LangId  # noqa: E402
from corpus.stages.quality import Quality  # noqa: E402


def decide(docs: list[LabelledDoc]) -> list[tuple[str, str] | None]:
    """``(stage, reason)`` for each dropped document, ``None`` for kept ones."""
    langid, quality = LangId(), Quality()
    langid.setup()
    quality.setup()
    records = [make_document(text=d.text, source="bench", source_id=d.id) for d in docs]
    out: list[tuple[str, str] | None] = [None] * len(docs)
    lid = langid.process_batch(records)
    for i, (rec, decision) in enumerate(zip(records, lid, strict=True)):
        if isinstance(decision, Drop):
            out[i] = ("langid", decision.reason)
            continue
        q = quality.process(rec)
        if isinstance(q, Drop):
            out[i] = ("quality", q.reason)
    return out


def accuracy_report(docs: list[LabelledDoc]) -> None:
    verdicts = decide(docs)
    clean = [(d, v) for d, v in zip(docs, verdicts, strict=True) if not d.is_junk]
    clean_dropped = sum(1 for _, v in clean if v)
    print("### Dropping junk: precision and recall per kind\n")
    print(
        f"Clean documents: {len(clean)} real texts; dropped {clean_dropped} "
        f"({clean_dropped / len(clean):.1%}).\n"
    )
    fpr = clean_dropped / len(clean)
    print("| junk kind | docs | recall | precision | precision 1:1 | main reasons |")
    print("|---|---:|---:|---:|---:|---|")
    all_tp = all_n = 0
    for kind in JUNK_KINDS:
        rows = [(d, v) for d, v in zip(docs, verdicts, strict=True) if d.kind == kind]
        tp = sum(1 for _, v in rows if v)
        all_tp, all_n = all_tp + tp, all_n + len(rows)
        precision = tp / (tp + clean_dropped) if tp + clean_dropped else 0.0
        balanced = tp / (tp + fpr * len(rows)) if tp else 0.0
        reasons = Counter(f"{v[0]}:{v[1]}" for _, v in rows if v).most_common(3)
        text = ", ".join(f"{r} ({n})" for r, n in reasons)
        print(
            f"| {kind} | {len(rows)} | {tp / len(rows):.3f} | {precision:.3f} | {balanced:.3f} "
            f"| {text} |"
        )
    precision = all_tp / (all_tp + clean_dropped) if all_tp + clean_dropped else 0.0
    balanced = all_tp / (all_tp + fpr * all_n) if all_tp else 0.0
    print(
        f"| **all junk** | {all_n} | {all_tp / all_n:.3f} | {precision:.3f} | {balanced:.3f} | |\n"
    )
    print(
        "Recall: share of the kind dropped. Precision: that kind's drops over (those + every "
        "clean document dropped). Precision 1:1: the same with as many clean documents as "
        "junk ones (clean drop rate × kind size).\n"
    )
    print("### Keep rate of real documents (shared data) per genre\n")
    print("| genre | docs | kept | keep rate | drop reasons |")
    print("|---|---:|---:|---:|---|")
    by_genre: dict[str, list] = defaultdict(list)
    for d, v in clean:
        by_genre[d.genre].append(v)
    for genre, vs in sorted(by_genre.items()):
        kept = sum(1 for v in vs if not v)
        reasons = Counter(f"{v[0]}:{v[1]}" for v in vs if v).most_common(4)
        text = ", ".join(f"{r} ({n})" for r, n in reasons)
        print(f"| {genre} | {len(vs)} | {kept} | {kept / len(vs):.1%} | {text} |")
    print()


def sample_report(samples: dict[str, list[LabelledDoc]]) -> None:
    print("### Keep rate of the curated bundled sources (`pipelines/sample/`)\n")
    print("| source | docs | kept | keep rate | drop reasons |")
    print("|---|---:|---:|---:|---|")
    for name, docs in samples.items():
        vs = decide(docs)
        kept = sum(1 for v in vs if not v)
        reasons = ", ".join(f"{v[0]}:{v[1]}" for v in vs if v)
        print(f"| {name} | {len(docs)} | {kept} | {kept / len(docs):.1%} | {reasons} |")
    print()


def _rate(label: str, texts: list[str], run, passes: int) -> tuple[float, float]:
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    run(texts[:5])  # warm-up: model load, regex compile
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        run(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best, mb / best


def _ours_langid():
    stage = LangId()
    stage.setup()
    return lambda texts: stage.identifier.identify_many(texts)


def _ours_model_every_window():
    """The model alone on every window, as for documents whose script settles nothing."""
    from corpus.text.normalize import normalize_for_classifier, sample_windows

    stage = LangId()
    stage.setup()
    ident = stage.identifier

    def run(texts):
        windows = [
            normalize_for_classifier(w)
            for t in texts
            for w in sample_windows(t, ident.window_chars, ident.windows)
        ]
        ident.model.predict(windows, k=5)

    return run


def _ours_quality():
    stage = Quality()
    stage.setup()

    def run(texts):
        for t in texts:
            stage.process(make_document(text=t, source="b", source_id="x"))

    return run


def _hojichar_langid():
    from fasttext.FastText import _FastText
    from hojichar import Compose, Document
    from hojichar.filters.document_filters import AcceptJapanese
    from hojichar.filters.language_identification import AcceptJapaneseByFastText

    lid = AcceptJapaneseByFastText.__new__(AcceptJapaneseByFastText)
    # HojiChar downloads lid.176.bin and checks its md5; give it the same local model instead.
    from hojichar.core.filter_interface import Filter

    Filter.__init__(lid)
    lid.lang_score_threshold, lid.language = 0.5, "ja"
    lid.model = _FastText(model_path=str(MODEL_PATH))
    compose = Compose([AcceptJapanese(), lid])
    return lambda texts: [compose.apply(Document(t)) for t in texts]


def _hojichar_quality():
    from hojichar import Compose, Document
    from hojichar.filters import document_filters as f

    compose = Compose(
        [
            f.DocumentLengthFilter(min_doc_len=200),
            f.AcceptJapanese(),
            f.DiscardRareKuten(),
            f.DiscardTooShortLines(),
            f.DiscardTooManyEndingEllipsis(),
            f.SingleCharacterRepetitionFilter(),
            f.CharRepetitionRatioFilter(),
            f.DiscardAdultContentJa(),
            f.DiscardAds(),
        ]
    )
    return lambda texts: [compose.apply(Document(t)) for t in texts]


def throughput_report(samples: dict[str, list[LabelledDoc]], passes: int, hojichar: bool) -> None:
    texts = [d.text for docs in samples.values() for d in docs]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(
        f"### Throughput on one core: bundled sample, {len(texts)} documents, {mb:.2f} MB "
        f"(best of {passes} passes)\n"
    )
    print("| step | ours docs/s | ours MB/s | HojiChar docs/s | HojiChar MB/s | ours / HojiChar |")
    print("|---|---:|---:|---:|---:|---:|")
    pairs = [
        ("language ID", _ours_langid, _hojichar_langid),
        ("language ID, model on every window", _ours_model_every_window, _hojichar_langid),
        ("quality rules", _ours_quality, _hojichar_quality),
    ]
    for label, ours, theirs in pairs:
        d1, m1 = _rate(label, texts, ours(), passes)
        if hojichar:
            d2, m2 = _rate(label, texts, theirs(), passes)
            print(f"| {label} | {d1:,.0f} | {m1:.2f} | {d2:,.0f} | {m2:.2f} | {d1 / d2:.2f}× |")
        else:
            print(f"| {label} | {d1:,.0f} | {m1:.2f} | – | – | – |")
    print()
    print(
        "Ours: `LangId` (lid.176.ftz on ≤3 windows of 1,000 characters; a window whose kana "
        "settle the language skips the model, so the second row, the model on every window, "
        "is the cost for text the script does not settle) and "
        "`Quality` (boilerplate removal + 17 rules, one off by default; stops at the first drop). HojiChar 0.18: "
        "`AcceptJapanese` + `AcceptJapaneseByFastText` on the whole text with the same model; "
        "`DocumentLengthFilter`, `AcceptJapanese`, `DiscardRareKuten`, `DiscardTooShortLines`, "
        "`DiscardTooManyEndingEllipsis`, `SingleCharacterRepetitionFilter`, "
        "`CharRepetitionRatioFilter`, `DiscardAdultContentJa`, `DiscardAds` in one `Compose`.\n"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-kind", type=int, default=100, help="junk documents per kind")
    ap.add_argument("--passes", type=int, default=3, help="timed passes (best is kept)")
    ap.add_argument("--no-hojichar", action="store_true", help="skip the HojiChar baseline")
    args = ap.parse_args(argv)
    accuracy_report(labelled_set(per_kind=args.per_kind))
    samples = sample_docs()
    sample_report(samples)
    throughput_report(samples, args.passes, not args.no_hojichar)


if __name__ == "__main__":
    main()
