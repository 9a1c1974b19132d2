"""The dedup job (all six steps, in-process) on real Japanese text."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import numpy as np
import pytest

from corpus.dedup import components as cc
from corpus.dedup.evaluation import (
    build_labelled_set,
    char_jaccard,
    clusters_of,
    edit_characters,
    score,
    strip_aozora,
    write_parts,
)
from corpus.dedup.index import IndexMismatch, write_takedown_index
from corpus.dedup.job import EXACT, NEAR, DedupConfig, read_decisions, run_dedup
from corpus.dedup.lsh import optimal_banding
from corpus.dedup.minhash import MinHashScheme
from corpus.dedup.tasks import LocalTasks
from tests.corpus.test_dedup_minhash import SAMPLE, alice, wiki_texts

DATA = Path(__file__).parent / "data" / "dedup"
SHARED_AOZORA = Path("/work/shared/data/aozora/cards")


def config(**kw) -> DedupConfig:
    return DedupConfig(banding=optimal_banding(0.8, 128), **kw)


def aozora(name: str) -> str:
    return strip_aozora(gzip.decompress((DATA / f"{name}.txt.gz").read_bytes()).decode("cp932"))


def run(tmp: Path, texts: dict, parts: int = 2, licenses=None, **kw) -> dict:
    paths = write_parts(texts, str(tmp / "in"), parts, licenses)
    index = kw.pop("index_dir", None)
    run_dedup(paths, str(tmp / "out"), kw.pop("cfg", config()), LocalTasks(), index_dir=index, **kw)
    decisions = {}
    for rank in range(parts):
        decisions.update(read_decisions(str(tmp / "out"), rank))
    return decisions


def test_natural_editions_merge_only_when_the_text_is_the_same(tmp_path):
    a1, a2 = alice()
    texts = {
        "alice-057320": a1,
        "alice-060551": a2,
        "take-000389": aozora("389_ruby_15296"),
        "take-055671": aozora("55671_ruby_64542"),
        "take-056041": aozora("56041_ruby_54720"),
        "yama-046605": aozora("46605_ruby_29758"),
        "yama-000472": aozora("472_ruby_654"),
    }
    assert 0.9 < char_jaccard(texts["take-000389"], texts["take-055671"]) < 0.95
    assert char_jaccard(texts["yama-046605"], texts["yama-000472"]) < 0.65
    got = run(tmp_path, texts)
    # アリス: same license, the longer edition survives
    longer = max(("alice-057320", "alice-060551"), key=lambda k: len(texts[k]))
    shorter = ({"alice-057320", "alice-060551"} - {longer}).pop()
    assert got[shorter].duplicate_of == longer and got[shorter].reason == NEAR
    assert got[longer].duplicate_of is None and got[longer].cluster_size == 2
    # たけくらべ: the two 旧字旧仮名 editions merge, the 新字 one stays apart
    take = {k: got.get(k) for k in ("take-000389", "take-055671", "take-056041")}
    assert take["take-000389"] and take["take-055671"]
    assert take["take-000389"].cluster_id == take["take-055671"].cluster_id
    assert take["take-056041"] is None
    assert "yama-046605" not in got and "yama-000472" not in got


@pytest.mark.skipif(not SHARED_AOZORA.exists(), reason="needs /work/shared/data/aozora")
def test_sorekara_editions_at_jaccard_0_55_do_not_merge(tmp_path):
    read = lambda p: strip_aozora((SHARED_AOZORA / p).read_bytes().decode("cp932"))  # noqa: E731
    texts = {
        "sorekara-001746": read("000148/files/1746_ruby_18324/1746_ruby_18324.txt"),
        "sorekara-056143": read("000148/files/56143_ruby_50824/56143_ruby_50824.txt"),
    }
    assert char_jaccard(*texts.values()) < 0.6
    assert run(tmp_path, texts) == {}


def test_keep_policy_license_then_length_then_id(tmp_path):
    base = wiki_texts()[3]
    texts = {
        "d-sa": base,  # CC BY-SA, same text
        "c-pd": base,  # public domain: wins although nothing else distinguishes it
        "b-sa-longer": base + "出典：ウィキペディア。",  # longer, but share-alike
        "a-by": wiki_texts()[4],
        "z-by": wiki_texts()[4],  # same license and length as a-by: smallest id wins
    }
    licenses = {
        "d-sa": "CC-BY-SA-3.0",
        "c-pd": "LicenseRef-PublicDomain-JP",
        "b-sa-longer": "CC-BY-SA-3.0",
        "a-by": "CC-BY-4.0",
        "z-by": "CC-BY-4.0",
    }
    got = run(tmp_path, texts, licenses=licenses)
    assert got["c-pd"].duplicate_of is None and got["c-pd"].cluster_size == 3
    assert (got["d-sa"].duplicate_of, got["d-sa"].reason) == ("c-pd", EXACT)
    assert (got["b-sa-longer"].duplicate_of, got["b-sa-longer"].reason) == ("c-pd", NEAR)
    assert got["z-by"].duplicate_of == "a-by" and got["a-by"].cluster_id == "a-by"

    # preferring length only: the longer share-alike copy wins
    from corpus.dedup.keep import KeepPolicy

    cfg = config(keep=KeepPolicy(prefer=("longest_text",)))
    got = run(tmp_path / "by-length", texts, licenses=licenses, cfg=cfg)
    assert got["c-pd"].duplicate_of == "b-sa-longer"


def test_partitions_and_input_files_do_not_change_the_survivors(tmp_path):
    rng = random.Random(3)
    texts = {}
    for i, t in enumerate(wiki_texts()[:24]):
        texts[f"w{i:02d}"] = t
        if i % 2 == 0:
            texts[f"w{i:02d}-near"] = edit_characters(t, 0.01, rng)
        if i % 3 == 0:
            texts[f"w{i:02d}-copy"] = t
    results = []
    for parts, partitions in ((2, 2), (4, 4), (3, 1)):
        got = run(
            tmp_path / f"{parts}-{partitions}",
            texts,
            parts=parts,
            cfg=config(partitions=partitions),
        )
        results.append({k: (v.cluster_id, v.duplicate_of, v.reason) for k, v in got.items()})
    assert results[0] == results[1] == results[2]
    dropped = {k for k, v in results[0].items() if v[1]}
    assert dropped, "the set has duplicates"
    assert len(dropped) == sum(1 for k in texts if k.endswith(("-near", "-copy")))


def test_labelled_sample_set_meets_precision_and_recall_goals(tmp_path):
    natural = {"alice": dict(zip(("alice-a", "alice-b"), alice(), strict=True))}
    bases = wiki_texts() + [(SAMPLE / "wikipedia" / "text" / "ai.ja.txt").read_text("utf-8")]
    labelled = build_labelled_set(bases, seed=1, natural=natural)
    assert len(labelled.pairs) > 200
    assert sum(1 for p in labelled.pairs if p[3] >= 0.9) > 50
    assert sum(1 for p in labelled.pairs if 0.6 <= p[3] < 0.8) > 20
    paths = write_parts(labelled.texts, str(tmp_path / "in"), 3)
    run_dedup(paths, str(tmp_path / "out"), config(), LocalTasks())
    scores = score(labelled, clusters_of(str(tmp_path / "out"), range(3)))
    assert scores.recall_090 >= 0.95, scores.format()
    assert scores.precision >= 0.99, scores.format()


def test_exact_only_mode_merges_equal_texts_only(tmp_path):
    t = wiki_texts()[5]
    texts = {"a": t, "b": t.replace("\n", "\n\n"), "c": edit_characters(t, 0.005, random.Random(0))}
    got = run(tmp_path, texts, cfg=config(near=False))
    # equal once whitespace is folded; the longer stored text survives
    assert got["a"].duplicate_of == "b" and got["a"].reason == EXACT
    assert "c" not in got


def test_cross_release_index_drops_duplicates_of_an_earlier_release(tmp_path):
    w = wiki_texts()
    first = {f"old-{i}": w[i] for i in range(6)}
    run(tmp_path / "r1", first, index_dir=str(tmp_path / "r1" / "index"))
    second = {
        "new-copy": w[0],
        "new-near": edit_characters(w[1], 0.01, random.Random(1)),
        "new-fresh": w[10],
    }
    got = run(tmp_path / "r2", second, against=[str(tmp_path / "r1" / "index")])
    assert got["new-copy"].duplicate_of == "old-0" and got["new-copy"].earlier_release
    assert got["new-near"].duplicate_of == "old-1" and got["new-near"].reason == NEAR
    assert "new-fresh" not in got

    # only the taken-down documents of the earlier release
    takedown = write_takedown_index(tmp_path / "r1" / "index", tmp_path / "td", ids=["old-1"])
    got = run(tmp_path / "r3", second, against=[str(takedown)])
    assert set(got) == {"new-near"}

    # an index built with other settings is refused, naming the difference
    with pytest.raises(IndexMismatch, match="ngram"):
        run(
            tmp_path / "r4",
            second,
            cfg=config(minhash=MinHashScheme(ngram=7)),
            against=[str(tmp_path / "r1" / "index")],
        )


def test_components_match_union_find_on_random_graphs():
    rng = np.random.default_rng(7)
    for _ in range(10):
        n = int(rng.integers(10, 500))
        edges = rng.integers(0, n, (int(rng.integers(1, 600)), 2))
        edges = edges[edges[:, 0] != edges[:, 1]]
        pairs, previous = cc.both_directions(edges), None
        while True:  # single partition: the driver loop of job.connected_components
            small = cc.large_star(pairs)
            fingerprint = cc.edge_fingerprint(small)
            pairs = cc.both_directions(cc.small_star(small))
            if fingerprint == previous:
                break
            previous = fingerprint
        nodes, labels = cc.star_labels(pairs)
        parent = list(range(n))

        def find(x, parent=parent):
            while parent[x] != x:
                x = parent[x]
            return x

        for a, b in edges.tolist():
            ra, rb = find(a), find(b)
            parent[max(ra, rb)] = min(ra, rb)
        expected = {v: min(u for u in set(edges.ravel().tolist()) if find(u) == find(v))
                    for v in set(edges.ravel().tolist())}  # fmt: skip
        assert dict(zip(nodes.tolist(), labels.tolist(), strict=True)) == expected
