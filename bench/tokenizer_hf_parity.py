"""Same ids in SentencePiece and the Hugging Face export, on every line and document of texts.

    .venv/bin/python bench/tokenizer_hf_parity.py out/tokenizer-bench/japanese-2x.model out/tokenizer-train

Texts are anything ``jpcorpus tokenizer eval`` reads (a release, ``.jsonl``, ``.txt``);
the export is the ``PREFIX-hf/`` folder beside ``PREFIX.model``. Prints the counts and,
for the first few texts that differ, where.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tokenizer.evaluate import load_texts  # noqa: E402
from tokenizer.hf_export import HF_DIR_SUFFIX, parity_mismatches  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", type=Path)
    ap.add_argument("texts", nargs="+")
    args = ap.parse_args()
    tokenizer_json = Path(f"{args.model.with_suffix('')}{HF_DIR_SUFFIX}") / "tokenizer.json"
    docs = [t for texts in load_texts(args.texts).values() for t in texts]
    lines = [ln for t in docs for ln in t.split("\n") if ln.strip()]
    start = time.process_time()
    bad_lines = parity_mismatches(args.model, tokenizer_json, lines)
    bad_docs = parity_mismatches(args.model, tokenizer_json, docs)
    print(
        f"{args.model.name}: identical ids on {len(lines) - len(bad_lines):,} of {len(lines):,} "
        f"lines and {len(docs) - len(bad_docs):,} of {len(docs):,} documents "
        f"({time.process_time() - start:.0f} CPU s)"
    )
    for text in (bad_lines + bad_docs)[:5]:
        print("  differs:", text[:80].replace("\n", "\\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
