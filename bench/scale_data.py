"""Input for the scale benchmark: real Japanese text replicated and perturbed, as JSONL.

The pool is the real, openly licensed text of the shared data folder (or of the
bundled sample when it is absent): public-domain Aozora Bunko works, e-Gov law pages
and law XML, Japanese Wikipedia articles, each cleaned the simple way
(``bench/langid_quality_data.py``). Every generated document starts from a window of
paragraphs of one real document of a genre and has each sentence, with probability
``REPLACE``, swapped for a random sentence of the same genre: two documents made from
the same window share about a quarter of their sentences, far below the dedup
threshold, so dedup does not collapse copies. ``NEAR_COPY`` of the documents are
instead near copies (``EDIT_RATE`` character edits) of a document made just before in
the same file: dedup has that many to find at every size.

Files are written one genre each, in the cycle ``GENRE_CYCLE``, all of the same size;
a scale of k files takes the first k, so 1×, 2× and 4× have the same mix.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from langid_quality_data import (  # noqa: E402
    SAMPLE,
    aozora_docs,
    law_docs,
    shared_data,
    wikipedia_docs,
)

from corpus.dedup.evaluation import edit_characters, sentences  # noqa: E402

REPLACE = 0.5
"""Share of a window's sentences swapped for random sentences of the same genre."""
NEAR_COPY = 0.04
"""Share of documents that are near copies of a recent one (dedup should drop them)."""
EDIT_RATE = 0.01
"""Characters edited in a near copy (Jaccard of character 5-grams ≈ 0.9)."""
DOC_CHARS = (1_500, 15_000)
"""Range of a generated document's length in characters (uniform)."""
GENRE_CYCLE = ("aozora", "aozora", "egov-law", "wikipedia-ja")
"""Genre of file i is ``GENRE_CYCLE[i % 4]``; also the ``source`` name of its documents."""


@dataclass(frozen=True)
class Genre:
    """One kind of real text: its license, and its documents as paragraphs of sentences."""

    name: str
    license: str
    license_evidence: str
    attribution: str
    docs: list[list[list[str]]] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)


def _public_domain_aozora(root: Path) -> set[str]:
    """File stems of the Aozora works whose index rows say public domain."""
    manifest = root / "MANIFEST.tsv"
    if not manifest.exists():  # the bundled sample: its pipeline admits every work
        return set()
    with manifest.open(encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return {Path(r["path"]).stem for r in rows if r["license"] == "public-domain-jp"}


def _paragraphs(text: str) -> list[list[str]]:
    return [sentences(line) for line in text.split("\n") if line.strip()]


def load_genres() -> dict[str, Genre]:
    """The real text pool, by genre."""
    root = shared_data()
    aozora, laws, wiki = (
        (root / "aozora", root / "egov_laws", root / "jawiki")
        if root
        else (SAMPLE / "aozora", SAMPLE / "laws", SAMPLE / "wikipedia")
    )
    genres = {
        "aozora": Genre(
            "aozora", "LicenseRef-PublicDomain-JP",
            "aozora-index:作品著作権フラグ=なし,人物著作権フラグ=なし (texts recombined)",
            "青空文庫 (Aozora Bunko), public-domain works, recombined for benchmarking",
        ),
        "egov-law": Genre(
            "egov-law", "LicenseRef-JP-Copyright-Act-Art13",
            "e-Gov 法令 (Copyright Act Art. 13) (texts recombined)",
            "e-Gov 法令検索, recombined for benchmarking",
        ),
        "wikipedia-ja": Genre(
            "wikipedia-ja", "CC-BY-SA-3.0",
            "ja.wikipedia.org country articles, CC BY-SA 3.0 (texts recombined)",
            "Wikipedia contributors, country articles of ja.wikipedia.org, recombined",
        ),
    }  # fmt: skip
    public = _public_domain_aozora(aozora)
    texts = {
        "aozora": [
            d.text for d in aozora_docs(aozora) if not public or d.id.split("/")[-1] in public
        ],
        "egov-law": [d.text for d in law_docs(laws)],
        "wikipedia-ja": [d.text for d in wikipedia_docs(wiki)],
    }
    for name, genre in genres.items():
        for text in texts[name]:
            paragraphs = _paragraphs(text)
            if paragraphs:
                genre.docs.append(paragraphs)
                genre.sentences.extend(s for p in paragraphs for s in p)
    return genres


def new_document(genre: Genre, rng: random.Random) -> str:
    """A window of one real document with about half its sentences replaced."""
    paragraphs = rng.choice(genre.docs)
    target = rng.randint(*DOC_CHARS)
    start = rng.randrange(len(paragraphs))
    out, size = [], 0
    for k in range(len(paragraphs)):
        para = paragraphs[(start + k) % len(paragraphs)]
        line = "".join(rng.choice(genre.sentences) if rng.random() < REPLACE else s for s in para)
        out.append(line)
        size += len(line)
        if size >= target:
            break
    return "\n".join(out)


def documents(genre: Genre, rng: random.Random) -> Iterator[tuple[str, bool]]:
    """Endless ``(text, is_near_copy)`` of one genre."""
    recent: list[str] = []
    while True:
        if recent and rng.random() < NEAR_COPY:
            yield edit_characters(rng.choice(recent), EDIT_RATE, rng), True
            continue
        text = new_document(genre, rng)
        recent = [*recent[-15:], text]
        yield text, False


def write_file(path: Path, genre: Genre, file_bytes: int, seed: int) -> dict[str, int]:
    """One JSONL file of about ``file_bytes``; returns its document counts."""
    rng = random.Random(seed)
    docs = near = size = 0
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for text, is_copy in documents(genre, rng):
            line = json.dumps(
                {"id": f"{path.stem}-{docs:06d}", "text": text, "license": genre.license,
                 "license_evidence": genre.license_evidence, "attribution": genre.attribution},
                ensure_ascii=False,
            )  # fmt: skip
            f.write(line + "\n")
            docs += 1
            near += is_copy
            size += len(line.encode("utf-8")) + 1
            if size >= file_bytes:
                break
    tmp.rename(path)
    return {"docs": docs, "near_copies": near, "bytes": size}


def ensure_files(folder: Path, n_files: int, file_bytes: int, seed: int = 0) -> list[dict]:
    """The first ``n_files`` input files in ``folder``, made if missing (kept for reruns)."""
    folder.mkdir(parents=True, exist_ok=True)
    spec_path = folder / "spec.json"
    spec = {"file_bytes": file_bytes, "seed": seed, "replace": REPLACE, "near_copy": NEAR_COPY,
            "edit_rate": EDIT_RATE, "doc_chars": list(DOC_CHARS)}  # fmt: skip
    if spec_path.exists() and json.loads(spec_path.read_text())["spec"] != spec:
        raise SystemExit(f"{folder} holds input made with other settings; delete it or use another")
    files = json.loads(spec_path.read_text())["files"] if spec_path.exists() else []
    genres = None
    while len(files) < n_files:
        i = len(files)
        genres = genres or load_genres()
        name = GENRE_CYCLE[i % len(GENRE_CYCLE)]
        path = folder / f"{i:03d}-{name}.jsonl"
        files.append({"path": path.name, "genre": name}
                     | write_file(path, genres[name], file_bytes, seed * 100_003 + i))  # fmt: skip
        spec_path.write_text(json.dumps({"spec": spec, "files": files}, indent=1))
    return files[:n_files]
