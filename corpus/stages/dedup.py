"""The ``dedup`` stage: exact and MinHash near-duplicate removal over the whole corpus.

In a pipeline file::

    stages:
      - dedup: {}                                   # defaults below
      - dedup: {threshold: 0.85, against: [releases/2026-01]}

The decisions are computed on Ray by :func:`corpus.dedup.job.run_dedup` between the
two segments of the pipeline; :class:`DedupApplier` then marks each duplicate as
dropped (``exact_duplicate`` or ``near_duplicate``, with ``duplicate_of`` naming
the survivor in rejected/) and gives every document ``dedup_cluster_id`` (its
survivor's id) and ``dedup_cluster_size``. The signature index is kept with the
release (``<release>/dedup/``) so that a later run can name it under ``against``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from corpus import storage
from corpus.dedup.index import RELEASE_FOLDER, check_compatible, read_index
from corpus.dedup.job import DedupConfig, DocDecision, Verify, read_decisions, run_dedup
from corpus.dedup.keep import KeepPolicy
from corpus.dedup.lsh import DEFAULT_THRESHOLD, DEFAULT_WEIGHTS, Banding, optimal_banding
from corpus.dedup.minhash import MinHashScheme
from corpus.dedup.normalize import Whitespace
from corpus.document import Document
from corpus.stages.base import (
    Decision,
    DocumentStage,
    Drop,
    GlobalStage,
    Keep,
    StageParams,
    register_stage,
)

BYTES_PER_PARTITION = 32 * 1024**2
"""Default shuffle partition size, in bytes of input Parquet (roughly 100 MB of text)."""

_SCHEME = MinHashScheme.model_fields


class DedupParams(StageParams):
    """Parameters of the ``dedup`` stage (defaults: NFKC + folded whitespace, character
    5-grams, 128 permutations, Jaccard threshold 0.8 — the project's defaults;
    bands and rows from datasketch's optimiser with recall-leaning weights)."""

    threshold: float = Field(DEFAULT_THRESHOLD, gt=0.0, le=1.0)
    num_perm: int = Field(_SCHEME["num_perm"].default, ge=8, le=1024)
    ngram: int = Field(_SCHEME["ngram"].default, ge=1, le=64)
    seed: int = Field(_SCHEME["seed"].default, ge=0)
    whitespace: Whitespace = _SCHEME["whitespace"].default
    bands: int | None = Field(None, ge=1)
    rows: int | None = Field(None, ge=1)
    weights: tuple[float, float] = DEFAULT_WEIGHTS
    """(false positive, false negative) weights for datasketch's band optimiser."""
    near: bool = True
    """False: exact duplicates only."""
    verify: Verify = "exact"
    """Check candidates against ``threshold`` before linking them: ``estimate`` (signature
    agreement), ``exact`` (the estimate, and the exact shingle-set Jaccard where the
    estimate is too close to call), or ``none``."""
    keep: KeepPolicy = KeepPolicy()
    against: list[str] = []
    """Earlier releases (or their ``dedup/`` index folders) whose documents win."""
    index_dir: str | None = None
    """Where to persist the index; default ``<release>/dedup``."""
    persist_index: bool = True
    partitions: int | None = Field(None, ge=1, le=4096)
    max_concurrency: int | None = Field(None, ge=1)

    @field_validator("against")
    @classmethod
    def _earlier_indexes_exist_and_match(
        cls, against: list[str], info: ValidationInfo
    ) -> list[str]:
        fields = ("num_perm", "seed", "ngram", "whitespace")
        if not all(f in info.data for f in fields):
            return against  # an earlier field is already invalid
        scheme = MinHashScheme(**{f: info.data[f] for f in fields})
        for i, where in enumerate(against):
            try:
                folder, found = read_index(where)
                check_compatible(folder, found, scheme)
            except (OSError, ValueError) as exc:
                raise ValueError(f"[{i}] {exc}") from None
        return against

    @model_validator(mode="after")
    def _check(self) -> DedupParams:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("give both bands and rows, or neither")
        if self.bands is not None and self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands × rows ({self.bands}×{self.rows}) exceeds num_perm")
        return self

    def scheme(self) -> MinHashScheme:
        return MinHashScheme(
            num_perm=self.num_perm, seed=self.seed, ngram=self.ngram, whitespace=self.whitespace
        )

    def banding(self) -> Banding:
        if self.bands is not None:
            return Banding(bands=self.bands, rows=self.rows)
        return optimal_banding(self.threshold, self.num_perm, self.weights)

    def config(self, partitions: int) -> DedupConfig:
        return DedupConfig(
            minhash=self.scheme(),
            banding=self.banding(),
            threshold=self.threshold,
            near=self.near,
            verify=self.verify,
            keep=self.keep,
            partitions=self.partitions or partitions,
        )


def default_index_dir(work_dir: str, release_dir: str | None) -> str:
    """``<release>/dedup`` inside a release; else ``<work_dir>/index``."""
    return (
        storage.join(release_dir, RELEASE_FOLDER)
        if release_dir
        else storage.join(work_dir, "index")
    )


@register_stage
class Dedup(GlobalStage):
    """Exact + MinHash near-duplicate removal over the whole corpus (see :mod:`corpus.dedup.job`)."""

    stage_name: ClassVar[str] = "dedup"
    Params = DedupParams

    def run_global(
        self, input_paths: list[str], work_dir: str, release_dir: str | None = None
    ) -> None:
        from corpus.dedup.tasks import task_runner

        runner = task_runner(self.params.max_concurrency)
        size = sum(storage.size(p) for p in input_paths)
        partitions = max(runner.max_in_flight, math.ceil(size / BYTES_PER_PARTITION))
        index_dir = None
        if self.params.persist_index:
            index_dir = self.params.index_dir or default_index_dir(work_dir, release_dir)
        run_dedup(
            input_paths,
            work_dir,
            self.params.config(min(partitions, 1024)),
            runner,
            against=self.params.against,
            index_dir=index_dir,
        )

    def applier(self, work_dir: str) -> DocumentStage:
        return DedupApplier(work_dir=work_dir)


class ApplierParams(StageParams):
    work_dir: str


class DedupApplier(DocumentStage):
    """Marks the duplicates found by :class:`Dedup` in the task's own documents."""

    stage_name: ClassVar[str] = "dedup"
    Params = ApplierParams
    batch_size: ClassVar[int] = 1024

    def run(self, data: Any, rank: int = 0, world_size: int = 1) -> Any:
        self._decisions: dict[str, DocDecision] = read_decisions(self.params.work_dir, rank)
        yield from super().run(data, rank, world_size)

    def process(self, doc: Document) -> Decision:
        meta = doc.metadata
        decision = self._decisions.get(doc.id)
        if decision is None:
            meta["dedup_cluster_id"], meta["dedup_cluster_size"] = doc.id, 1
            return Keep()
        meta["dedup_cluster_id"] = decision.cluster_id
        meta["dedup_cluster_size"] = decision.cluster_size
        if decision.duplicate_of is None:
            return Keep()
        meta["duplicate_of"] = decision.duplicate_of
        return Drop(decision.reason, "in an earlier release" if decision.earlier_release else None)
