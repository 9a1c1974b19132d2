"""corpus.storage: one path helper for local paths and URLs; data paths stay in their root."""

import doctest

import pytest

import corpus.storage as storage
from corpus.storage import UnsafePath, join, safe_relpath


def test_doctests() -> None:
    assert doctest.testmod(storage).failed == 0


@pytest.mark.parametrize(
    "bad",
    [
        "/etc/passwd",
        "../x",
        "a/../../x",
        "C:/Windows/x",
        "c:x",
        "s3://other-bucket/x",
        "file:///etc/passwd",
        "a\\..\\..\\x",
        "",
        ".",
        "a/..",
        "x\x00y",
    ],
)
def test_paths_that_leave_their_root_are_refused(bad: str) -> None:
    with pytest.raises(UnsafePath):
        safe_relpath(bad)


def test_join_keeps_url_scheme_and_refuses_escape() -> None:
    assert join("s3://b/r", "shards/a.parquet") == "s3://b/r/shards/a.parquet"
    assert join("/data/rel", "a//b/./c") == "/data/rel/a/b/c"
    with pytest.raises(UnsafePath):
        join("s3://b/r", "../other/manifest.json")


def test_stays_inside_follows_local_symlinks_of_files_and_folders(tmp_path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "cards").mkdir(parents=True)
    outside.mkdir()
    (outside / "notes.txt").write_text("社外秘", "utf-8")
    (root / "cards" / "a.txt").write_text("公開", "utf-8")
    (root / "cards" / "link.txt").symlink_to(outside / "notes.txt")
    (root / "cards" / "folder").symlink_to(outside)
    assert storage.stays_inside(join(str(root), "cards/a.txt"), str(root))
    assert not storage.stays_inside(join(str(root), "cards/link.txt"), str(root))
    assert not storage.stays_inside(join(str(root), "cards/folder/notes.txt"), str(root))
    assert not storage.stays_inside(f"file://{root}/cards/link.txt", f"file://{root}")
    assert storage.stays_inside("memory://b/root/cards/a.txt", "memory://b/root")
    assert not storage.stays_inside("memory://b/rootx/a.txt", "memory://b/root")
    assert not storage.stays_inside("memory://b/root/a.txt", "s3://b/root")


def test_a_store_that_fails_is_an_error_not_a_missing_file(tmp_path):
    from fsspec.implementations.local import LocalFileSystem
    from fsspec.implementations.memory import MemoryFileSystem

    class TimingOut(MemoryFileSystem):
        def info(self, path, **kwargs):
            raise TimeoutError("read timed out")

    with pytest.raises(TimeoutError):
        storage.kind(TimingOut(), "/bucket/works/card.txt")
    assert storage.kind(MemoryFileSystem(), "/bucket/nothing-here") is None
    assert storage.kind(LocalFileSystem(), str(tmp_path / "nothing-here")) is None
    (tmp_path / "a.txt").write_text("吾輩は猫である。", "utf-8")
    assert storage.kind(LocalFileSystem(), str(tmp_path / "a.txt")) == "file"
    assert storage.kind(LocalFileSystem(), str(tmp_path)) == "directory"
