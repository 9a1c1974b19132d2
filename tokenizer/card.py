"""The tokenizer card: where the tokenizer came from, how it was trained, how it scores."""

from __future__ import annotations

from typing import Any

from tokenizer.evaluate import Scores, markdown_table
from tokenizer.symbols import CHAT_TURN_END, CHAT_TURN_START, reserved_symbols


def _kv_table(rows: dict[str, Any]) -> list[str]:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {k} | {_cell(v)} |" for k, v in rows.items()]
    return lines


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return (
            value.encode("unicode_escape").decode("ascii")
            if value.isspace() or "\n" in value
            else value
        )
    if isinstance(value, (list, tuple)):
        return ", ".join(f"`{_cell(v)}`" for v in value) or "–"
    return str(value)


def card_markdown(card: dict[str, Any], scores: list[Scores]) -> str:
    """The card as Markdown; ``card`` is what :mod:`tokenizer.train` records in ``.card.json``."""
    rel, sample, run = card["release"], card["sample"], card["training"]
    lines = [f"# Tokenizer card — {card['name']}", ""]
    lines += [
        f"SentencePiece {card['settings']['model_type']} tokenizer, {card['vocab_size']:,} pieces, "
        f"trained only on text of the release **{rel['name']}** version **{rel['version']}**.",
        "",
        "Files: `" + "`, `".join(card["files"].values()) + "`.",
        "",
        "## Source release",
        "",
    ]
    lines += _kv_table(
        {
            "path": rel["path"],
            "name / version": f"{rel['name']} / {rel['version']}",
            "created": rel.get("created_at"),
            "manifest sha256": rel.get("manifest_sha256"),
            "code version": rel.get("code_version"),
            "policy": rel.get("policy"),
        }
    )
    lines += ["", "## License mix of the training sample", ""]
    lines += ["| license | documents | characters | share |", "|---|---:|---:|---:|"]
    total = sum(sample["chars_by_license"].values()) or 1
    for lic, chars in sorted(sample["chars_by_license"].items(), key=lambda kv: -kv[1]):
        docs = sample["docs_by_license"].get(lic, 0)
        lines.append(f"| {lic} | {docs:,} | {chars:,} | {chars / total:.1%} |")
    lines += [
        "",
        "The credits these licenses require are in the release's `ATTRIBUTION.md`. The "
        "vocabulary is a statistic of that text; no document is stored in the model files.",
        "",
        "## Training sample",
        "",
    ]
    lines += _kv_table(
        {
            "characters (bound)": f"{sample['chars']:,} ({card['sample_spec']['max_chars']:,})",
            "lines / documents": f"{sample['lines']:,} / {sample['docs']:,}",
            "share of the release's training text": f"{sample['rate']:.1%}",
            "held out (never trained on)": f"{sample['heldout_docs']:,} documents ({card['sample_spec']['holdout']:.0%} by id hash)",
            "characters by source": ", ".join(
                f"{k} {v:,}" for k, v in sample["chars_by_source"].items()
            ),
        }
    )
    lines += ["", "## Settings", ""]
    lines += _kv_table({"preset": card["preset"], **card["settings"]})
    lines += ["", "## Training run", ""]
    lines += _kv_table(
        {
            "sampling (Ray)": f"{run['sample_seconds']:.1f} s",
            "SentencePiece training": f"{run['train_seconds']:.1f} s ({run.get('train_cpu_seconds', 0):.1f} s CPU)",
            "peak memory of training": f"{run['peak_rss_bytes'] / 2**20:,.0f} MiB",
            "Hugging Face export": card["hf_parity"],
        }
    )
    lines += ["", "## Evaluation", ""]
    if scores:
        lines += [
            "On held-out documents of the release (and any texts given with `--eval`), never "
            "trained on. Word boundaries: SudachiPy mode A.",
            "",
            markdown_table(scores),
        ]
    else:
        lines.append("No held-out text was evaluated.")
    lines += ["", *_use_section(card)]
    return "\n".join(lines)


def _use_section(card: dict[str, Any]) -> list[str]:
    hf = card["files"]["hf"]
    settings = card["settings"]
    numbers = {
        "groups": "ASCII digits in groups of at most three from the right, one token each "
        "(`1234567` → `1|234|567`, `2024` → `2|024`): a digit keeps its place value.",
        "digits": "one token per digit.",
        "learned": "digit strings learned like other text (the same number may split "
        "differently in different places).",
    }[settings.get("numbers", "digits")]
    symbols = [s for s in reserved_symbols() if settings.get("reserve_symbols")]
    lines = [
        "## Use",
        "",
        "```python",
        "from transformers import AutoTokenizer",
        f'tok = AutoTokenizer.from_pretrained("{hf}")            # <s> first, no </s>',
        f'packing = AutoTokenizer.from_pretrained("{hf}", add_bos_token=True, add_eos_token=True)',
        "tok.decode(ids, skip_special_tokens=True)             # drops <s>, </s>, <pad>",
        "import sentencepiece as spm                           # the same ids",
        f'sp = spm.SentencePieceProcessor(model_file="{card["files"]["model"]}")',
        "```",
        "",
        "- Special tokens: `<unk>` 0, `<s>` 1, `</s>` 2, `<pad>` 3. Text that spells them "
        "(`<s>` in a web page) stays text, as in SentencePiece (`split_special_tokens`; with "
        "the `tokenizers` library alone set `encode_special_tokens = True`).",
        f"- Numbers: {numbers}",
    ]
    if symbols:
        lines += [
            "- One token each, wherever they occur: "
            + ", ".join(f"`{s}`" for s in symbols)
            + " (chat turn markers and the PII stage's placeholders).",
            "- Chat template (optional; nothing else depends on it): "
            f"`{CHAT_TURN_START}role\\n…{CHAT_TURN_END}\\n` per message and "
            f"`{CHAT_TURN_START}assistant\\n` as the generation prompt; "
            "`tok.apply_chat_template(messages, add_generation_prompt=True)`. It writes no "
            "`<s>`; stop generation at `<|im_end|>`.",
        ]
    lines += [
        f"- Hugging Face export: {card['hf_parity']} (same ids as SentencePiece).",
        "",
    ]
    return lines
