"""The license gate: the first stage of every pipeline.

Nothing without an admitted license enters a shard: a document whose license is
unknown or refused by the release policy is dropped here with the reason (and the
license evidence as the drop's detail), and a document without license evidence is
dropped too.
"""

from __future__ import annotations

from typing import ClassVar

from corpus.document import Document
from corpus.stages.base import Decision, DocumentStage, Drop, Keep, StageParams
from licenses.policy import load_policy


class LicenseGateParams(StageParams):
    policy: str = "default"


class LicenseGate(DocumentStage):
    """Drop documents whose license the policy does not admit.

    >>> from corpus.document import make_document
    >>> gate = LicenseGate(policy="default")
    >>> gate.process(make_document(text="吾輩は猫である。", source="t", source_id="1",
    ...     license="LicenseRef-PublicDomain-JP", license_evidence="index"))
    Keep()
    >>> refused = gate.process(make_document(text="吾輩は猫である。", source="t",
    ...     source_id="2", license="CC-BY-NC-4.0", license_evidence="aozora-footer:by-nc"))
    >>> refused, refused.detail
    (Drop('license_refused:non_commercial'), 'aozora-footer:by-nc')
    """

    stage_name: ClassVar[str] = "license"
    Params = LicenseGateParams

    def process(self, doc: Document) -> Decision:
        admitted, reason = load_policy(self.params.policy).decide(doc.metadata.get("license"))
        if not admitted:  # the evidence goes with the refusal, for the report and the trace
            return Drop(reason, doc.metadata.get("license_evidence"))
        if not doc.metadata.get("license_evidence"):
            return Drop("license_evidence_missing")
        return Keep()
