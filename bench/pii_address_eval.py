"""Japanese street addresses: recall per written form and look-alikes masked.

An address is *found* when exactly one ADDRESS span overlaps it and that span covers it
from the prefecture (or municipality) to the room number ("masked as one span");
*exact* when the span is the address and nothing more. A look-alike (law article,
三丁目の夕日, dates, prices, numbered things) counts as a false positive when anything
in it is masked. The scrubber runs as the ``pii`` stage runs it on web text (pattern
recognizers with the prescreen, names on).

    .venv/bin/python bench/pii_address_eval.py [--per-form 200] [--data /work/shared/data] [--show-misses 3]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.pii.scrubber import PiiScrubber, ScrubberConfig  # noqa: E402
from tests.corpus.address_forms import AddressForms, Case, judge  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-form", type=int, default=200)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show-misses", type=int, default=0)
    args = parser.parse_args()

    gimei = args.data / "pii_resources" / "gimei" / "addresses.yml"
    forms = AddressForms(gimei if gimei.exists() else None, seed=args.seed)
    scrubber = PiiScrubber(ScrubberConfig())
    scrubber.load()
    results = judge(scrubber, forms.cases(args.per_form))

    by_form: dict[str, list[tuple[Case, str, list[str]]]] = defaultdict(list)
    for row in results:
        by_form[row[0].form].append(row)
    print(
        "| address form | n | recall (one span, whole address) | exact | split | partial | missed |"
    )
    print("|---|---|---|---|---|---|---|")
    total = hit = 0
    for form, rows in by_form.items():
        if rows[0][0].gold is None:
            continue
        n = len(rows)
        count = {
            v: sum(r[1] == v for r in rows)
            for v in ("exact", "found", "split", "partial", "missed")
        }
        ok = count["exact"] + count["found"]
        total, hit = total + n, hit + ok
        print(
            f"| {form} | {n} | {ok / n:.3f} | {count['exact'] / n:.3f} | {count['split']} "
            f"| {count['partial']} | {count['missed']} |"
        )
    print(f"| **all forms** | {total} | {hit / total:.3f} | | | | |")
    print()
    print("| look-alike kind | n | masked (false positives) |")
    print("|---|---|---|")
    fp = n_look = 0
    for form, rows in by_form.items():
        if rows[0][0].gold is not None:
            continue
        bad = [r for r in rows if r[1] == "masked"]
        fp, n_look = fp + len(bad), n_look + len(rows)
        print(f"| {form} | {len(rows)} | {len(bad)} |")
    print(f"| **all look-alikes** | {n_look} | {fp} |")
    if args.show_misses:
        print()
        for form, rows in by_form.items():
            bad = [r for r in rows if r[1] not in ("exact", "found", "kept")]
            for case, verdict, masked in bad[: args.show_misses]:
                print(f"{verdict:8} [{form}] {case.text}  gold={case.address!r}  masked={masked}")


if __name__ == "__main__":
    main()
