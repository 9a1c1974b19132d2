"""A catalog on S3 under concurrent writers: conditional writes lose no index update."""

from __future__ import annotations

import threading

from corpus.stages.takedown import TakedownRules
from manifests.catalog import Catalog, CatalogError, TakedownRequest, now_utc


def _request(i: int) -> TakedownRequest:
    return TakedownRequest(
        id=f"td-{i:04d}",
        requested_at=now_utc(),
        reason=f"request {i}",
        rules=TakedownRules(ids=(f"doc-{i}",)),
    )


def test_concurrent_index_updates_are_all_kept(bucket: str) -> None:
    url = f"{bucket}/catalog"
    writers = 6
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        catalog = Catalog(url)
        start.wait()
        try:
            catalog.record_takedown(_request(i), {})
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    index = Catalog(url).read_index()
    assert sorted(r.id for r in index.takedowns) == [f"td-{i:04d}" for i in range(writers)]
    assert set(Catalog(url).takedown_rules().ids) == {f"doc-{i}" for i in range(writers)}


def test_a_writer_that_keeps_losing_fails_clearly(bucket: str, monkeypatch) -> None:
    url = f"{bucket}/catalog"
    Catalog(url).record_takedown(_request(0), {})
    catalog = Catalog(url)
    rival = Catalog(url)
    n = [0]

    def change(index):
        # another writer gets in between every read and write of ours
        n[0] += 1
        rival.record_takedown(_request(100 + n[0]), {})
        index.takedowns.append(_request(1))

    monkeypatch.setattr(Catalog, "UPDATE_TRIES", 3)
    try:
        catalog.update(change)
    except CatalogError as exc:
        assert exc.exit_code == 1
        assert "kept changing under concurrent writers (3 tries)" in str(exc)
    else:
        raise AssertionError("the update should have failed")
    ids = [r.id for r in Catalog(url).read_index().takedowns]
    assert "td-0001" not in ids and ids[:1] == ["td-0000"] and len(ids) == 4
