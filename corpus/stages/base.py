"""Stage protocol shared by every processing step.

Two kinds of stage exist:

* :class:`DocumentStage` — decides on one document at a time (language ID, quality,
  PII). It is a datatrove ``PipelineStep``: documents already dropped by an earlier
  step pass through untouched, so the writer at the end sees every input document
  and the accounting identity holds per task.
* :class:`GlobalStage` — needs the whole corpus (near-duplicate removal). The runner
  splits the pipeline around it: the documents kept so far are written to an
  intermediate folder, :meth:`GlobalStage.run_global` computes its decisions over
  them (on Ray), and :meth:`GlobalStage.applier` marks the documents in a second pass.

A stage never knows which source or executor it runs under.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from pydantic import BaseModel, ConfigDict

from corpus.document import Document, reject, rejection
from corpus.stages.cost import costed

#: name used in pipeline files -> stage class
STAGES: dict[str, type] = {}


def register_stage(cls: type) -> type:
    """Class decorator: make a stage available under its ``stage_name``."""
    STAGES[cls.stage_name] = cls
    return cls


class Keep:
    """The decision to keep a document."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Keep()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Keep)

    def __bool__(self) -> bool:
        return True


class Drop:
    """The decision to drop a document, with a short machine-readable reason."""

    __slots__ = ("reason", "detail")

    def __init__(self, reason: str, detail: str | None = None) -> None:
        self.reason = reason
        self.detail = detail

    def __repr__(self) -> str:
        return f"Drop({self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Drop) and other.reason == self.reason

    def __bool__(self) -> bool:
        return False


Decision = Keep | Drop


class StageParams(BaseModel):
    """Parameters of a stage as written in the pipeline file; unknown keys are errors, and
    so are ``.nan`` and ``.inf`` (no bound or threshold means anything with them)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class DocumentStage(PipelineStep, ABC):
    """A per-document stage. Subclasses implement :meth:`process`.

    ``setup`` runs once per worker before the first document (load models there,
    never per document).
    """

    stage_name: ClassVar[str] = "stage"
    type = "🇯🇵 STAGE"
    Params: ClassVar[type[StageParams]] = StageParams

    def __init__(self, **params: Any) -> None:
        super().__init__()
        self.params = self.Params.model_validate(params)
        self._ready = False

    @property
    def name(self) -> str:  # datatrove shows this in its stats
        return self.stage_name

    def setup(self) -> None:
        """Load models or tables once per worker."""

    @abstractmethod
    def process(self, doc: Document) -> Decision:
        """Return Keep() or Drop(reason); may edit ``doc.text`` and ``doc.metadata``."""

    def process_batch(self, docs: list[Document]) -> list[Decision]:
        """Decide on a batch; override to vectorize."""
        return [self.process(doc) for doc in docs]

    batch_size: ClassVar[int] = 64

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if not self._ready:
            with costed(self):
                self.setup()
            self._ready = True
        batch: list[Document] = []
        for doc in data:
            if rejection(doc):
                yield doc
                continue
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield from self._decide(batch)
                batch = []
        if batch:
            yield from self._decide(batch)

    def _decide(self, batch: list[Document]) -> Iterable[Document]:
        with self.track_time("batch"), costed(self):
            decisions = self.process_batch(batch)
        for doc, decision in zip(batch, decisions, strict=True):
            self.stat_update("documents")
            if isinstance(decision, Drop):
                self.stat_update(f"dropped_{decision.reason}")
                if decision.detail:
                    doc.metadata["reject_detail"] = decision.detail
                reject(doc, self.stage_name, decision.reason)
            else:
                self.stat_update("kept")
            yield doc


class GlobalStage(ABC):
    """A stage that decides over the whole corpus (e.g. near-duplicate removal)."""

    stage_name: ClassVar[str] = "global"
    Params: ClassVar[type[StageParams]] = StageParams

    def __init__(self, **params: Any) -> None:
        self.params = self.Params.model_validate(params)

    @abstractmethod
    def run_global(
        self, input_paths: list[str], work_dir: str, release_dir: str | None = None
    ) -> None:
        """Compute decisions over the Parquet files ``input_paths`` (shard schema).

        Runs on the driver with Ray initialised; writes whatever :meth:`applier` needs
        into ``work_dir``. ``release_dir`` is the release being written, for a stage that
        keeps something with it (the dedup index). Must not hold the whole corpus in one process.
        """

    @abstractmethod
    def applier(self, work_dir: str) -> DocumentStage:
        """A per-document stage that applies the decisions written to ``work_dir``."""


def build_stage(name: str, params: dict[str, Any] | None) -> DocumentStage | GlobalStage:
    """Instantiate the registered stage ``name`` with its pipeline-file parameters."""
    from corpus.stages.builtin import stage_class

    return stage_class(name)(**(params or {}))
