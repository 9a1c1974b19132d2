"""Web license detection on the hand-written page set: precision, recall and the per-case table.

Run from the repository root:

    .venv/bin/python bench/license_detection_eval.py [--markdown]

The page set is ``tests/fixtures/web/`` (``cases.yaml`` + ``pages/``): every marker
the detector reads and the negatives (all rights reserved, 無断転載禁止, image-only
CC, quotations, conflicts, reservation signals), and full pages whose CC license covers
only a part — comments, a photo, a quotation, a widget, a sidebar — or whose own license
is written in one of the URL and wording forms sites use (``s_*``/``t_*``, written by
``tests/fixtures/web/make_scope_pages.py``). Each case is judged by
:func:`licenses.web.assess_page`, the function the ``warc`` and ``crawl`` sources use.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.web.cases import load_cases, run_case, scores  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()

    cases = load_cases()
    started = time.perf_counter()
    outcomes = [run_case(c) for c in cases]
    elapsed = time.perf_counter() - started

    header = ["#", "page", "marker", "expected", "got", "ok"]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
    for i, o in enumerate(outcomes, 1):
        expected = (
            f"{o.expected_license or '-'}{' ' + o.expected_reason if o.expected_reason else ''}"
        )
        a = o.assessment
        got = f"{a.license or '-'}{' ' + a.drop_reason if a.drop_reason else ''}"
        row = [
            str(i),
            o.case["page"],
            o.case["marker"],
            expected,
            got,
            "ok" if o.correct else "MISS",
        ]
        if args.markdown:
            print("| " + " | ".join(c.replace("|", "/") for c in row) + " |")
        else:
            print(f"{row[0]:>3} {row[5]:4} {row[1]:34} {row[3]:48} {row[4]:48} {row[2]}")
    s = scores(outcomes)
    print()
    print(f"cases: {s['cases']}, fully correct (license and drop reason): {s['correct']}")
    print(
        f"license id:  precision {s['id_precision']:.3f} ({s['named']} pages given a license), recall {s['id_recall']:.3f}"
    )
    print(
        f"admission (kept under the default policy, not reserved): precision {s['admission_precision']:.3f} "
        f"({s['kept']} kept), recall {s['admission_recall']:.3f} ({s['should_keep']} should be kept)"
    )
    print(f"time: {elapsed * 1000 / len(outcomes):.1f} ms per page ({elapsed:.2f} s total)")


if __name__ == "__main__":
    main()
