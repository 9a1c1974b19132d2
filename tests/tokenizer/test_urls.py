"""``jpcorpus tokenizer train|eval`` on fsspec URLs (``memory://``, ``file://``) and
relative paths, shard paths that would leave their release, and outputs that appear
only complete."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import fsspec
import pytest
import sentencepiece as spm

from corpus import storage
from corpus.ray_runtime import ray_session
from manifests.release import read_manifest
from pipelines.cli import main
from tests.conftest import JPCORPUS
from tests.tokenizer.conftest import HOLDOUT, SAMPLE_CHARS

MEMORY = fsspec.filesystem("memory")


@pytest.fixture(scope="module")
def shared_ray():
    """One private Ray for the in-process training runs here (each would start its own)."""
    with ray_session(num_cpus=2):
        yield


@pytest.fixture
def memory_root():
    """A fresh ``memory://`` folder of this process, removed afterwards."""
    root = f"/tok-{uuid.uuid4().hex[:10]}"
    yield f"memory://{root}"
    if MEMORY.exists(root):
        MEMORY.rm(root, recursive=True)


def _copy_release(release: Path, url: str) -> str:
    fs, root = storage.filesystem(url)
    fs.put(str(release), root, recursive=True)
    return url


def _outputs_under(url: str) -> list[str]:
    return storage.files_under(url)


def test_train_memory_release_to_memory_prefix(
    trained, shared_ray, memory_root, tmp_path, monkeypatch
):
    """The same sample as from the local release (its settings, a smaller vocabulary),
    and every output only at the URL."""
    release = _copy_release(trained["release"], f"{memory_root}/release")
    prefix = f"{memory_root}/tok/sample-ja"
    monkeypatch.chdir(tmp_path)
    code = main(
        [
            "tokenizer",
            "train",
            release,
            "--vocab-size",
            "3500",
            "--numbers",
            "digits",
            "--out",
            prefix,
            "--sample-chars",
            str(SAMPLE_CHARS),
            "--holdout",
            str(HOLDOUT),
        ]
    )
    assert code == 0
    assert list(tmp_path.iterdir()) == []  # no local folder named "memory:" or the like
    files = _outputs_under(f"{memory_root}/tok")
    assert {
        "sample-ja.model",
        "sample-ja.vocab",
        "sample-ja.card.md",
        "sample-ja.card.json",
    } <= set(files)
    assert {"sample-ja-hf/tokenizer.json", "sample-ja-hf/tokenizer_config.json"} <= set(files)
    assert not any(f.startswith("sample-ja.work") for f in files)  # no --keep-sample

    card = json.loads(storage.read_text(f"{prefix}.card.json"))
    assert card["release"]["path"] == release
    assert card["release"]["manifest_sha256"] == trained["card"]["release"]["manifest_sha256"]
    # the sample is drawn by id hashes: the same documents and lines as from local disk
    assert card["sample"] == trained["card"]["sample"]
    sp = spm.SentencePieceProcessor(model_proto=storage.read_bytes(f"{prefix}.model"))
    assert sp.get_piece_size() == 3500 == card["vocab_size"]
    text = "吾輩は猫である。名前はまだ無い。"
    assert sp.decode(sp.encode(text)) == text


def test_failed_training_writes_nothing(trained, shared_ray, memory_root, capsys):
    """SentencePiece refusing the settings (a vocabulary larger than the sample allows)
    leaves nothing at the destination."""
    release = _copy_release(trained["release"], f"{memory_root}/release")
    prefix = f"{memory_root}/tok/too-big"
    args = ["tokenizer", "train", release, "--out", prefix, "--numbers", "digits"]
    code = main([*args, "--vocab-size", "900000", "--sample-chars", "20000", "--keep-sample"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.splitlines()[-1].startswith("jpcorpus: error: SentencePiece training failed")
    assert _outputs_under(f"{memory_root}/tok") == []


def test_eval_reads_model_and_texts_from_urls(trained, memory_root, tmp_path, capsys):
    """The same scores from ``memory://`` and ``file://`` URLs as from local paths."""
    heldout = sorted((Path(f"{trained['prefix']}.work") / "sample").glob("heldout-*.jsonl.gz"))
    assert heldout
    txt = tmp_path / "texts"
    txt.mkdir()
    (txt / "a.txt").write_text("吾輩は猫である。名前はまだ無い。", encoding="utf-8")
    (txt / "b.txt").write_bytes("どこで生れたかとんと見当がつかぬ。".encode("cp932"))
    local = [str(trained["model"]), *map(str, heldout), str(txt), str(trained["release"])]

    fs, root = storage.filesystem(memory_root)
    for path in local[:-1]:
        fs.put(path, f"{root}/{Path(path).name}", recursive=Path(path).is_dir())
    _copy_release(trained["release"], f"{memory_root}/release")
    in_memory = [f"{memory_root}/{Path(p).name}" for p in local[:-1]] + [f"{memory_root}/release"]
    as_file_urls = [f"file://{p}" for p in local]

    results = []
    for paths, out in [
        (local, str(tmp_path / "local.json")),
        (in_memory, f"{memory_root}/scores.json"),
        (as_file_urls, f"file://{tmp_path}/file-url.json"),
    ]:
        code = main(["tokenizer", "eval", *paths, "--json", out, "--no-word-alignment"])
        assert code == 0, capsys.readouterr().err
        results.append(json.loads(storage.read_text(storage.resolve(out))))
    assert results[0] == results[1] == results[2]
    groups = {r["group"] for r in results[0]}
    sources = {s for s in read_manifest(trained["release"])["licenses"]}
    assert "texts" in groups and len(groups) > 2 and sources
    assert {r["model"] for r in results[0]} == {trained["model"].stem}


def test_relative_paths_resolve_against_the_current_directory(trained, tmp_path):
    """``eval`` with a relative model, texts and ``--json``, run from another folder."""
    heldout = sorted((Path(f"{trained['prefix']}.work") / "sample").glob("heldout-*.jsonl.gz"))
    (tmp_path / "m.model").write_bytes(trained["model"].read_bytes())
    (tmp_path / "h.jsonl.gz").write_bytes(heldout[0].read_bytes())
    proc = subprocess.run(
        [*JPCORPUS, "tokenizer", "eval", "m.model", "h.jsonl.gz", "--json", "out/s.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads((tmp_path / "out" / "s.json").read_text(encoding="utf-8"))
    assert rows and {r["model"] for r in rows} == {"m"}


def _unsafe_release(release: Path, url: str) -> str:
    """A copy of ``release`` whose manifest names a shard outside the release (one that
    exists there, so only containment refuses it)."""
    _copy_release(release, url)
    manifest = read_manifest(url)
    first = manifest["shards"][0]["path"]
    storage.write_bytes(f"{url}-outside/part.parquet", storage.read_bytes(storage.join(url, first)))
    manifest["shards"][0]["path"] = f"../{url.rsplit('/', 1)[1]}-outside/part.parquet"
    storage.write_bytes(storage.join(url, "manifest.json"), json.dumps(manifest).encode())
    return url


def test_shards_outside_the_release_are_refused(trained, memory_root, capsys):
    release = _unsafe_release(trained["release"], f"{memory_root}/release")
    code = main(["tokenizer", "eval", str(trained["model"]), release, "--no-word-alignment"])
    err = capsys.readouterr().err
    assert code == 2 and "leaves its root" in err and err.count("\n") == 1
    code = main(
        ["tokenizer", "train", release, "--vocab-size", "5000", "--out", f"{memory_root}/t/x"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "leaves its root" in err and err.count("\n") == 1
    assert _outputs_under(f"{memory_root}/t") == []


def test_prefix_must_name_files(trained, capsys):
    code = main(
        ["tokenizer", "train", str(trained["release"]), "--vocab-size", "5000", "--out", "s3://b"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "not a bucket or folder" in err


def test_missing_extra_is_one_line(tmp_path, capsys):
    try:
        import gcsfs  # noqa: F401

        pytest.skip("gcsfs is installed")
    except ImportError:
        pass
    code = main(["tokenizer", "train", "gs://b/rel", "--vocab-size", "5000", "--out", "x/y"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "jpcorpus: error: gs:// paths need gcsfs: pip install 'jpcorpus[gcs]'\n"
    code = main(["tokenizer", "eval", "gs://b/m.model", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "pip install 'jpcorpus[gcs]'" in err and err.count("\n") == 1


def test_publish_is_all_or_nothing(tmp_path, memory_root):
    """A destination that cannot be written (its folder is a file) fails the publishing;
    the files already copied are removed again and the local ones stay."""
    from tokenizer.train import PublishError, publish

    (tmp_path / "x.model").write_bytes(b"model")
    (tmp_path / "x.card.md").write_text("# card", encoding="utf-8")
    (tmp_path / "blocker").write_text("a file, not a folder", encoding="utf-8")
    files = [
        (tmp_path / "x.model", f"{memory_root}/tok/x.model"),
        (tmp_path / "x.card.md", str(tmp_path / "blocker" / "x.card.md")),
    ]
    with pytest.raises(PublishError, match="could not write the outputs"):
        publish(files)
    assert _outputs_under(f"{memory_root}/tok") == []
    assert (tmp_path / "x.model").read_bytes() == b"model"

    publish([(tmp_path / "x.model", f"{memory_root}/tok/x.model")])
    assert storage.read_bytes(f"{memory_root}/tok/x.model") == b"model"
