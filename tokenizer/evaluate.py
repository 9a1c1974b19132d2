"""Evaluating tokenizers on texts, side by side: compactness, fallbacks, round trip, word alignment.

Per group of texts (a source of a release, or a file) and per model:

- ``chars/token``: characters of the original text per token (higher is more compact);
- ``byte fallback`` and ``unknown``: shares of tokens that are byte pieces or ``<unk>``;
- ``round trip``: share of documents that decode back to exactly the input;
- ``on word boundary``: share of the boundaries between pieces that fall on a SudachiPy
  (mode A) word boundary, and the same share leaving out boundaries between two
  digits (a tokenizer that splits digits makes those on purpose);
- ``off-word per 1k chars``: boundaries inside words per 1,000 characters.
"""

from __future__ import annotations

import gzip
import json
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow.parquet as pq
from sentencepiece import SentencePieceProcessor

from corpus import storage
from corpus.text.encoding import UndecodableText, decode_japanese
from manifests.release import read_manifest
from tokenizer.segment import SplitModeName, word_boundaries

MANIFEST_NAME = "manifest.json"


def _is_release(url: str) -> bool:
    return storage.isfile(storage.join(url, MANIFEST_NAME))


def _basename(url: str) -> str:
    return posixpath.basename(url.rstrip("/"))


def _file_group(url: str) -> str:
    name = _basename(url)
    for suffix in (".gz", ".jsonl", ".json", ".txt", ".parquet"):
        name = name.removesuffix(suffix)
    return name


def _parquet_groups(urls: Iterable[str], groups: dict[str, list[str]]) -> None:
    for url in urls:
        with storage.open_read(url) as f:
            table = pq.read_table(f, columns=["text", "source"])
        for text, source in zip(
            table.column("text").to_pylist(), table.column("source").to_pylist(), strict=True
        ):
            groups[source].append(text)


def _jsonl_groups(url: str, shown: str, groups: dict[str, list[str]]) -> None:
    with storage.open_read(url) as raw:
        f = gzip.GzipFile(fileobj=raw) if url.endswith(".gz") else raw
        for lineno, raw_line in enumerate(f, start=1):
            if not raw_line.strip():
                continue
            try:
                obj = json.loads(raw_line.decode("utf-8"))
                text = obj["text"]
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"{shown}:{lineno}: not a JSON object with a text field ({exc})"
                ) from exc
            groups[obj.get("source") or _file_group(url)].append(text)


def read_text_file(path: str | Path) -> str:
    """A ``.txt`` file (a path or URL) in any common Japanese encoding, as ``jpcorpus run``
    reads ``text_dir`` (:func:`corpus.text.encoding.decode_japanese`); a ValueError
    naming the file if not."""
    try:
        return decode_japanese(storage.read_bytes(storage.resolve(path)))[0]
    except UndecodableText as exc:
        raise ValueError(
            f"{path}: not text in UTF-8, Shift_JIS, EUC-JP or ISO-2022-JP ({exc})"
        ) from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc})") from None


def load_texts(paths: Sequence[str | Path]) -> dict[str, list[str]]:
    """Texts grouped for evaluation; each path is a local path or an fsspec URL.

    A release directory (or a ``.parquet`` shard) is grouped by its ``source`` column
    (shard paths in its manifest must stay inside it); a ``.jsonl``/``.jsonl.gz`` file
    by each line's ``source`` if present, else by the file name; a ``.txt`` file is one
    document named after the file; a folder of ``.txt`` files is one group named after
    the folder.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for raw in paths:
        shown = str(raw)
        url = storage.resolve(raw)
        if _is_release(url):
            manifest = read_manifest(url)
            _parquet_groups((storage.join(url, s["path"]) for s in manifest["shards"]), groups)
        elif storage.isdir(url):
            files = [n for n in storage.listdir(url) if n.endswith(".txt")]
            if not files:
                raise ValueError(
                    f"{shown}: neither a release (no {MANIFEST_NAME}) nor a folder of .txt files"
                )
            groups[_basename(url)].extend(read_text_file(storage.join(url, f)) for f in files)
        elif not storage.isfile(url):
            raise ValueError(f"{shown}: no such file or directory")
        elif url.endswith(".parquet"):
            _parquet_groups([url], groups)
        elif url.endswith((".jsonl", ".jsonl.gz", ".json", ".json.gz")):
            _jsonl_groups(url, shown, groups)
        else:
            groups[_file_group(url)].append(read_text_file(url))
    return {k: [t for t in v if t] for k, v in groups.items() if any(v)}


def char_offsets(text: str) -> dict[int, int]:
    """UTF-8 byte offset → character offset, at every character start and at the end.

    >>> char_offsets("a猫b")
    {0: 0, 1: 1, 4: 2, 5: 3}
    """
    out: dict[int, int] = {}
    pos = 0
    for i, ch in enumerate(text):
        out[pos] = i
        pos += len(ch.encode("utf-8"))
    out[pos] = len(text)
    return out


def piece_ends(text: str, pieces: Iterable) -> list[int]:
    """Character offsets inside ``text`` where a piece ends (SentencePiece proto pieces,
    whose offsets are UTF-8 bytes; empty leading byte-fallback pieces add nothing)."""
    to_char = char_offsets(text)
    ends = sorted({to_char[p.end] for p in pieces if p.end > p.begin})
    return [e for e in ends if 0 < e < len(text)]


def digit_pair(text: str, offset: int) -> bool:
    """Whether ``offset`` lies between two decimal digits (ASCII or full width).

    >>> digit_pair("2024年", 2), digit_pair("２０２４年", 4)
    (True, False)
    """
    return 0 < offset < len(text) and text[offset - 1].isdecimal() and text[offset].isdecimal()


@dataclass
class Scores:
    model: str
    group: str
    docs: int = 0
    chars: int = 0
    tokens: int = 0
    byte_tokens: int = 0
    unk_tokens: int = 0
    roundtrip_docs: int = 0
    boundaries: int = 0
    on_word: int = 0
    nondigit_boundaries: int = 0
    nondigit_on_word: int = 0

    @property
    def chars_per_token(self) -> float:
        return self.chars / self.tokens if self.tokens else 0.0

    @property
    def byte_rate(self) -> float:
        return self.byte_tokens / self.tokens if self.tokens else 0.0

    @property
    def unk_rate(self) -> float:
        return self.unk_tokens / self.tokens if self.tokens else 0.0

    @property
    def roundtrip(self) -> float:
        return self.roundtrip_docs / self.docs if self.docs else 0.0

    @property
    def on_word_share(self) -> float:
        return self.on_word / self.boundaries if self.boundaries else 0.0

    @property
    def on_word_share_nondigit(self) -> float:
        return self.nondigit_on_word / self.nondigit_boundaries if self.nondigit_boundaries else 0.0

    @property
    def off_word_per_kchar(self) -> float:
        return 1000 * (self.boundaries - self.on_word) / self.chars if self.chars else 0.0

    def as_dict(self) -> dict:
        out = asdict(self)
        for name in (
            "chars_per_token",
            "byte_rate",
            "unk_rate",
            "roundtrip",
            "on_word_share",
            "on_word_share_nondigit",
            "off_word_per_kchar",
        ):
            out[name] = round(getattr(self, name), 5)
        return out


class WordReference:
    """SudachiPy word boundaries of the evaluation texts, computed once for every model."""

    def __init__(self, mode: SplitModeName = "A") -> None:
        self.mode = mode
        self._cache: dict[str, set[int]] = {}

    def boundaries(self, text: str) -> set[int]:
        if text not in self._cache:
            self._cache[text] = word_boundaries(text, self.mode)
        return self._cache[text]


def evaluate_model(
    model_path: str | Path,
    groups: dict[str, list[str]],
    reference: WordReference | None = None,
    name: str | None = None,
) -> list[Scores]:
    """Scores of one SentencePiece model (a path or URL) on every group (word alignment
    if ``reference``)."""
    url = storage.resolve(model_path)
    sp = SentencePieceProcessor(model_proto=storage.read_bytes(url))
    unk = sp.unk_id()
    name = name or _basename(url).removesuffix(".model")
    rows = []
    for group, texts in groups.items():
        s = Scores(name, group)
        for text in texts:
            if reference is not None:
                proto = sp.encode(text, return_type="proto")
                ids = [p.id for p in proto.pieces]
            else:
                ids = sp.encode(text)
            s.docs += 1
            s.chars += len(text)
            s.tokens += len(ids)
            s.byte_tokens += sum(1 for i in ids if sp.is_byte(i))
            s.unk_tokens += sum(1 for i in ids if i == unk)
            s.roundtrip_docs += sp.decode(ids) == text
            if reference is not None:
                words = reference.boundaries(text)
                ends = piece_ends(text, proto.pieces)
                s.boundaries += len(ends)
                s.on_word += sum(1 for e in ends if e in words)
                kept = [e for e in ends if not digit_pair(text, e)]
                s.nondigit_boundaries += len(kept)
                s.nondigit_on_word += sum(1 for e in kept if e in words)
        rows.append(s)
    return rows


def evaluate(
    models: Sequence[str | Path],
    groups: dict[str, list[str]],
    word_alignment: bool = True,
    names: Sequence[str] | None = None,
) -> list[Scores]:
    """Every model on every group; the first model is the one evaluated, the rest baselines."""
    reference = WordReference() if word_alignment else None
    rows: list[Scores] = []
    for i, model in enumerate(models):
        rows += evaluate_model(model, groups, reference, names[i] if names else None)
    return rows


def markdown_table(rows: Sequence[Scores]) -> str:
    """The scores as a Markdown table, grouped by text group then model."""
    head = (
        "| texts | model | docs | chars | chars/token | byte fallback | unknown | round trip "
        "| on word boundary | (digit pairs left out) | off-word per 1k chars |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in sorted(rows, key=lambda r: r.group):
        word = f"{r.on_word_share:.3f}" if r.boundaries else "–"
        nondigit = f"{r.on_word_share_nondigit:.3f}" if r.boundaries else "–"
        off = f"{r.off_word_per_kchar:.1f}" if r.boundaries else "–"
        lines.append(
            f"| {r.group} | {r.model} | {r.docs} | {r.chars:,} | {r.chars_per_token:.3f} "
            f"| {r.byte_rate:.2%} | {r.unk_rate:.2%} | {r.roundtrip:.0%} | {word} | {nondigit} | {off} |"
        )
    return "\n".join(lines)
