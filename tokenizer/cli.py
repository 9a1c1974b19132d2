"""``jpcorpus tokenizer train`` and ``jpcorpus tokenizer eval`` (DESIGN §1).

Every path (the release, ``--out``, ``--eval``, ``--baseline``, the model and texts of
``eval``, ``--json``) is a local path or an fsspec URL (``s3://…``, ``file://…``).

Exit codes: 0 success, 1 the outputs could not be written, 2 bad usage or bad input
(one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys

from pydantic import ValidationError

from corpus import storage
from tokenizer.settings import PRESETS, SampleSpec, preset


def _fail(message: str, code: int = 2) -> int:
    print(f"jpcorpus: error: {message}", file=sys.stderr)
    return code


def _missing(paths: list[str], is_there=storage.exists) -> str | None:
    """The first of ``paths`` (local or URLs) that is not there, or None."""
    for path in paths:
        if not is_there(storage.resolve(path)):
            return path
    return None


def _validation_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(x) for x in err["loc"]) or "value"
    return f"{where}: {err['msg']}"


def cmd_train(args: argparse.Namespace) -> int:
    from tokenizer.spm_worker import TrainingFailed
    from tokenizer.train import PublishError, ReleaseError, train_tokenizer

    try:
        settings = preset(
            args.preset,
            vocab_size=args.vocab_size,
            model_type=args.model_type,
            normalization=args.normalization,
            character_coverage=args.character_coverage,
            numbers=args.numbers,
            reserve_symbols=args.reserve_symbols,
            byte_fallback=args.byte_fallback,
            max_piece_length=args.max_piece_length,
            split_by_script=args.split_by_script,
            presegment=args.presegment,
            num_threads=args.threads,
        )
        spec = SampleSpec(
            **{
                k: v
                for k, v in {
                    "max_chars": args.sample_chars,
                    "holdout": args.holdout,
                    "seed": args.seed,
                }.items()
                if v is not None
            }
        )
    except ValidationError as exc:
        return _fail(_validation_message(exc))
    except ValueError as exc:
        return _fail(str(exc))
    try:
        missing = _missing([*args.eval, *args.baseline])
        if missing is not None:
            return _fail(f"{missing}: no such file or directory")
        result = train_tokenizer(
            args.release,
            args.out,
            settings,
            spec,
            preset_name=args.preset,
            ray_address=args.ray_address,
            eval_paths=args.eval,
            baselines=args.baseline,
            keep_sample=args.keep_sample,
        )
    except PublishError as exc:
        return _fail(str(exc), code=1)
    except (ReleaseError, TrainingFailed, ValueError) as exc:
        return _fail(str(exc))
    print(f"model: {result.model_path}")
    print(f"hugging face: {result.hf_dir}/tokenizer.json")
    print(f"card: {result.card_path}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from tokenizer.evaluate import evaluate, load_texts, markdown_table

    try:
        missing = _missing([args.model, *args.baseline], storage.isfile)
        if missing is not None:
            return _fail(f"{missing}: model file not found")
        groups = load_texts(args.texts)
    except ValueError as exc:
        return _fail(str(exc))
    if not groups:
        return _fail("no text to evaluate in " + ", ".join(args.texts))
    rows = evaluate([args.model, *args.baseline], groups, word_alignment=not args.no_word_alignment)
    print(markdown_table(rows))
    if args.json:
        data = json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2) + "\n"
        try:
            storage.write_bytes(storage.resolve(args.json), data.encode("utf-8"))
        except (OSError, ValueError) as exc:
            return _fail(f"{args.json}: could not write the scores ({exc})", code=1)
    return 0


def _bool_flag(parser: argparse.ArgumentParser, name: str, help_on: str) -> None:
    dest = name.replace("-", "_")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(f"--{name}", dest=dest, action="store_true", default=None, help=help_on)
    group.add_argument(
        f"--no-{name}", dest=dest, action="store_false", default=None, help="turn it off"
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    tok = subparsers.add_parser(
        "tokenizer",
        help="train and evaluate the SentencePiece tokenizer",
        description="Train the Japanese SentencePiece tokenizer from a release, or evaluate one.",
        epilog="example:\n  jpcorpus tokenizer train out/sample --vocab-size 8000 --out out/tok/sample",
    )
    sub = tok.add_subparsers(dest="tokenizer_command", required=True, parser_class=type(tok))

    train = sub.add_parser(
        "train",
        help="train a tokenizer from a release's shards",
        description="Train SentencePiece on a bounded, Ray-parallel sample of a release's "
        "shards; writes PREFIX.model, PREFIX.vocab, PREFIX-hf/tokenizer.json and a card.",
        epilog="example:\n  jpcorpus tokenizer train out/sample --vocab-size 8000 --out out/tok/sample",
    )
    train.add_argument("release", help="release directory (a path or a URL such as s3://…)")
    train.add_argument(
        "--vocab-size", type=int, required=True, help="number of pieces in the vocabulary"
    )
    train.add_argument(
        "--out",
        required=True,
        help="output prefix, a path or a URL (PREFIX.model, PREFIX-hf/, PREFIX.card.md)",
    )
    train.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default="japanese",
        help="settings to start from (default: japanese)",
    )
    train.add_argument(
        "--model-type",
        choices=["unigram", "bpe"],
        help="SentencePiece algorithm (default: the preset's, unigram)",
    )
    train.add_argument(
        "--normalization",
        choices=["identity", "nfkc", "nmt_nfkc"],
        help="SentencePiece normalization rule (default: the preset's; japanese: identity)",
    )
    train.add_argument(
        "--character-coverage",
        type=float,
        help="share of characters the vocabulary covers (default: the preset's, 0.9995)",
    )
    train.add_argument(
        "--max-piece-length",
        type=int,
        help="longest piece, in characters (default: the preset's, 16)",
    )
    train.add_argument(
        "--presegment",
        choices=["none", "A", "B", "C"],
        help="SudachiPy split mode whose words no piece may cross",
    )
    train.add_argument(
        "--numbers",
        choices=["groups", "digits", "learned"],
        help="digits: groups of at most three from the right (default), one per token, "
        "or learned like other text",
    )
    _bool_flag(
        train, "reserve-symbols", "chat control symbols and PII placeholders as one token each"
    )
    _bool_flag(train, "byte-fallback", "spell unknown characters in UTF-8 bytes")
    _bool_flag(train, "split-by-script", "keep pieces within one script")
    train.add_argument(
        "--sample-chars", type=int, help="upper bound on the training sample's characters"
    )
    train.add_argument(
        "--holdout", type=float, help="share of documents never trained on, evaluated in the card"
    )
    train.add_argument("--seed", type=int, help="sampling seed")
    train.add_argument("--threads", type=int, help="SentencePiece threads (default: one per CPU)")
    train.add_argument(
        "--eval", action="append", default=[], help="also evaluate on these texts (repeatable)"
    )
    train.add_argument(
        "--baseline",
        action="append",
        default=[],
        help="compare with this model in the card (repeatable)",
    )
    train.add_argument(
        "--ray-address", help="join this Ray cluster (default: RAY_ADDRESS or a local Ray)"
    )
    train.add_argument(
        "--keep-sample", action="store_true", help="keep the sampled text in PREFIX.work/"
    )
    train.set_defaults(func=cmd_train)

    ev = sub.add_parser(
        "eval",
        help="characters per token, fallbacks, round trip and word alignment on texts",
        description="Evaluate tokenizer models on texts: characters per token, byte-fallback "
        "and unknown rates, round trip, and the share of piece boundaries on SudachiPy words.",
        epilog="example:\n  jpcorpus tokenizer eval out/tok/sample.model out/sample --baseline other.model",
    )
    ev.add_argument("model", help="SentencePiece .model file (a path or a URL)")
    ev.add_argument(
        "texts",
        nargs="+",
        help="release directories, .jsonl(.gz), .txt files or folders of .txt (paths or URLs)",
    )
    ev.add_argument(
        "--baseline",
        action="append",
        default=[],
        help="another .model to compare with (repeatable)",
    )
    ev.add_argument("--json", help="also write the scores to this JSON file")
    ev.add_argument(
        "--no-word-alignment", action="store_true", help="skip the SudachiPy word-boundary measure"
    )
    ev.set_defaults(func=cmd_eval)
