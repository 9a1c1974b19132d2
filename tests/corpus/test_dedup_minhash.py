"""MinHash signatures: identical to datasketch's, on real Japanese text."""

from __future__ import annotations

import doctest
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

import corpus.dedup.components
import corpus.dedup.evaluation
import corpus.dedup.keep
import corpus.dedup.lsh
import corpus.dedup.minhash
import corpus.dedup.normalize
from corpus.dedup.evaluation import char_jaccard, strip_aozora
from corpus.dedup.lsh import band_keys, optimal_banding
from corpus.dedup.minhash import (
    MinHashScheme,
    SignatureComputer,
    batch_shingle_hashes,
    estimated_jaccard,
    shingle_hash,
    shingle_hashes,
    shingles,
)
from corpus.dedup.normalize import normalize_for_dedup

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "pipelines" / "sample"
ALICE = sorted((SAMPLE / "aozora" / "cards" / "001393" / "files").glob("*/*.txt"))


def wiki_texts() -> list[str]:
    with gzip.open(SAMPLE / "wikipedia" / "jawiki-country.sample.json.gz", "rt") as f:
        return [json.loads(line)["text"] for line in f]


def alice() -> list[str]:
    return [strip_aozora(p.read_bytes().decode("cp932")) for p in ALICE]


@pytest.mark.parametrize(
    "module",
    [
        corpus.dedup.normalize,
        corpus.dedup.minhash,
        corpus.dedup.lsh,
        corpus.dedup.keep,
        corpus.dedup.components,
        corpus.dedup.evaluation,
    ],
)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def test_signatures_equal_datasketch_minhash_with_the_same_hash():
    scheme = MinHashScheme()
    texts = [normalize_for_dedup(t) for t in wiki_texts()[:6]] + ["猫", "", "吾輩は猫である"]
    # a small chunk forces the grouped, the chunked-large and the empty code paths
    sigs = SignatureComputer(scheme, chunk=4096, block=48).signatures(texts)
    for text, sig in zip(texts, sigs, strict=True):
        ref = MinHash(num_perm=scheme.num_perm, seed=scheme.seed, hashfunc=shingle_hash)
        ref.update_batch([s.encode() for s in shingles(text, scheme.ngram)])
        assert np.array_equal(ref.hashvalues, sig)


def test_vectorized_shingle_hashes_equal_the_scalar_hash():
    text = normalize_for_dedup(wiki_texts()[0][:3000])
    vec = shingle_hashes(text, 5)
    assert vec.tolist() == [shingle_hash(s) for s in shingles(text, 5)]


def test_estimated_jaccard_tracks_exact_jaccard_on_the_alice_editions():
    a, b = alice()
    exact = char_jaccard(a, b)
    sigs = SignatureComputer(MinHashScheme()).signatures(
        [normalize_for_dedup(a), normalize_for_dedup(b)]
    )
    assert exact > 0.99
    assert abs(float(estimated_jaccard(sigs[0], sigs[1])) - exact) < 0.05
    other = SignatureComputer(MinHashScheme()).signatures([normalize_for_dedup(wiki_texts()[1])])
    assert float(estimated_jaccard(sigs[0], other[0])) < 0.1


def test_band_keys_agree_exactly_where_signature_bands_agree():
    banding = optimal_banding(0.8, 128)
    sigs = SignatureComputer(MinHashScheme()).signatures(
        [normalize_for_dedup(t) for t in wiki_texts()[:4]]
    )
    changed = sigs[0].copy()
    changed[banding.rows * 3] ^= 1  # one value in band 3
    keys = band_keys(np.stack([sigs[0], changed, sigs[1]]), banding)
    assert keys.shape == (3, banding.bands)
    assert (keys[0] == keys[1]).sum() == banding.bands - 1 and keys[0, 3] != keys[1, 3]
    assert not (keys[0] == keys[2]).any()


def test_optimal_banding_meets_the_recall_goal_at_jaccard_0_9():
    banding = optimal_banding(0.8, 128)
    assert banding.fits(128)
    assert banding.candidate_probability(0.9) >= 0.99
    assert banding.candidate_probability(0.5) < 0.02


@pytest.mark.parametrize("key", sorted(corpus.dedup.lsh.KNOWN_OPTIMA))
def test_known_banding_optima_are_datasketchs_answers(key):
    from datasketch.lsh import _optimal_param

    threshold, num_perm, (fp, fn) = key
    assert corpus.dedup.lsh.KNOWN_OPTIMA[key] == _optimal_param(threshold, num_perm, fp, fn)


@pytest.mark.parametrize(("seed", "num_perm"), [(1, 128), (0, 8), (7, 256), (12345, 1024)])
def test_permutations_are_datasketchs(seed, num_perm):
    a, b = MinHashScheme(num_perm=num_perm, seed=seed).permutations
    theirs = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, theirs[0]) and np.array_equal(b, theirs[1])


def test_batch_shingle_hashes_are_each_documents_own():
    texts = [
        "吾輩は猫である。名前はまだ無い。",
        "",
        "猫",
        "吾輩は",
        "どこで生れたかとんと見当がつかぬ。",
        "ｱﾘｽ",
    ]
    texts += [t * 3 for t in texts]
    for ngram in (1, 3, 5, 9):
        batch = batch_shingle_hashes(texts, ngram)
        assert batch.counts.tolist() == [len(shingle_hashes(t, ngram)) for t in texts]
        for i, text in enumerate(texts):
            assert np.array_equal(batch.of(i), shingle_hashes(text, ngram)), (ngram, text)
    empty = batch_shingle_hashes([], 5)
    assert len(empty.hashes) == 0 and len(empty.counts) == 0


def test_whitespace_folding_cuts_at_every_unicode_space():
    import re
    import sys

    spaces = [chr(i) for i in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(i))]
    assert len(spaces) == 29 and "\u3000" in spaces
    for space in spaces:
        text = f"{space}吾輩は{space}{space}猫である{space}"
        assert normalize_for_dedup(text) == "吾輩は 猫である"
        assert normalize_for_dedup(text, whitespace="remove") == "吾輩は猫である"
