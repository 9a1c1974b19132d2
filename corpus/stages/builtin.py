"""The built-in stages: the module that registers each, imported only when it is used.

Building a ``dedup`` stage must not import presidio (and with it ``transformers``), which
took about 2 s of every run's start on the driver and in each worker.
"""

from corpus.registry import registered
from corpus.stages.base import STAGES

#: stage name used in pipeline files -> module whose ``@register_stage`` defines it
BUILTIN_STAGE_MODULES: dict[str, str] = {
    "langid": "corpus.stages.langid",
    "quality": "corpus.stages.quality",
    "dedup": "corpus.stages.dedup",
    "pii": "corpus.stages.pii",
    "takedown": "corpus.stages.takedown",
}


def stage_class(name: str) -> type:
    """The class registered as ``name``, importing its built-in module on first use.

    >>> stage_class("dedup").__name__
    'Dedup'
    """
    return registered(STAGES, BUILTIN_STAGE_MODULES, name, "stage")
