"""The ``pii`` stage: replace personal data with typed placeholders.

Pattern PII (e-mail, phone, My Number, postal code, card, IP, bank account, street
address) is masked in every document. Person names are masked per source: names in
public-domain literature, laws and encyclopedias are not personal data, so sources
``aozora``, ``egov-law`` and ``wikipedia-ja`` keep them by default
(:data:`NAME_MASKING_DEFAULTS`); ``names_by_source`` overrides that per source and
``names`` sets it for every other source. The stage reads only ``doc.metadata["source"]``;
it never knows the connector.

Writes ``doc.text`` (scrubbed), ``pii_redactions`` (spans replaced) and ``pii_detail``
(type → count). Never drops a document.

Pipeline file::

    stages:
      - pii: {}                            # defaults
      - pii:
          names_by_source: {forum: true, aozora: false}
          corporate_numbers: true          # 法人番号 are public; off by default
          ner: true                        # GiNZA persons too (~2 k chars/s per core)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from corpus.document import Document
from corpus.stages.base import Decision, DocumentStage, Keep, StageParams, register_stage

if TYPE_CHECKING:
    from corpus.pii.scrubber import PiiScrubber

#: Sources whose person names are not personal data (public-domain works, laws, encyclopedia).
NAME_MASKING_DEFAULTS: dict[str, bool] = {"aozora": False, "egov-law": False, "wikipedia-ja": False}


class PiiParams(StageParams):
    names: bool = Field(True, description="mask person names in sources not listed below")
    names_by_source: dict[str, bool] = Field(
        default_factory=dict,
        description="per-source name masking; merged over NAME_MASKING_DEFAULTS",
    )
    corporate_numbers: bool = Field(False, description="mask 法人番号 (public information)")
    ner: bool = Field(False, description="also find persons with GiNZA NER (slow)")


@register_stage
class PiiStage(DocumentStage):
    """Scrub PII from each document; one analyzer per worker, batched, pre-screened.

    >>> from corpus.document import make_document
    >>> stage = PiiStage()
    >>> stage.setup()
    >>> web = make_document(text="山田太郎さんの携帯は090-1234-5678です。", source="web", source_id="1")
    >>> novel = make_document(text="山田太郎さんの携帯は090-1234-5678です。", source="aozora", source_id="2")
    >>> stage.process_batch([web, novel])
    [Keep(), Keep()]
    >>> web.text, web.metadata["pii_redactions"], web.metadata["pii_detail"]
    ('<PERSON>さんの携帯は<PHONE>です。', 2, {'PERSON': 1, 'PHONE': 1})
    >>> novel.text, novel.metadata["pii_detail"]
    ('山田太郎さんの携帯は<PHONE>です。', {'PHONE': 1})
    """

    stage_name: ClassVar[str] = "pii"
    Params = PiiParams

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._scrubber: PiiScrubber | None = None
        self._name_masking = {**NAME_MASKING_DEFAULTS, **self.params.names_by_source}

    def masks_names(self, source: str | None) -> bool:
        """Whether person names are masked in documents of ``source``."""
        return self._name_masking.get(source or "", self.params.names)

    def setup(self) -> None:
        # presidio (and the transformers it imports) loads here, in the worker, not
        # wherever a pipeline naming this stage is parsed
        from corpus.pii.scrubber import PiiScrubber, ScrubberConfig

        self._scrubber = PiiScrubber.shared(
            ScrubberConfig(corporate_numbers=self.params.corporate_numbers, ner=self.params.ner)
        )

    def process(self, doc: Document) -> Decision:
        return self.process_batch([doc])[0]

    def process_batch(self, docs: list[Document]) -> list[Decision]:
        if self._scrubber is None:
            self.setup()
        results = self._scrubber.scrub(
            [doc.text for doc in docs],
            [self.masks_names(doc.metadata.get("source")) for doc in docs],
        )
        for doc, result in zip(docs, results, strict=True):
            doc.text = result.text
            doc.metadata["pii_redactions"] = result.redactions
            doc.metadata["pii_detail"] = dict(result.detail)
            for pii_type, count in result.detail.items():
                self.stat_update(f"pii_{pii_type}", value=count)
        return [Keep() for _ in docs]

    def __getstate__(self) -> dict[str, Any]:
        """Ship the stage to workers without its analyzers (each worker builds its own)."""
        state = self.__dict__.copy()
        state["_scrubber"] = None
        state["_ready"] = False
        return state
