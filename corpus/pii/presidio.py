"""presidio, imported without ``transformers``: the names the PII modules use.

presidio imports ``transformers`` whenever it is installed, for a transformer NER engine
we never use: 0.6 s of CPU in every worker that scrubs, and without PyTorch a warning at
each start. Here ``transformers`` is hidden while presidio is first imported (presidio
takes that as "not installed"); a later ``import transformers`` in the same process works
as usual. Every module of ours that needs presidio imports it from here.
"""

import sys


def _import_presidio_without_transformers() -> None:
    if "presidio_analyzer" in sys.modules or "transformers" in sys.modules:
        return
    sys.modules["transformers"] = None  # an ImportError to whoever imports it now
    try:
        import presidio_analyzer  # noqa: F401
    finally:
        if sys.modules.get("transformers", 0) is None:
            del sys.modules["transformers"]


_import_presidio_without_transformers()

from presidio_analyzer import (  # noqa: E402
    AnalyzerEngine,
    BatchAnalyzerEngine,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer  # noqa: E402
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine  # noqa: E402
from presidio_analyzer.predefined_recognizers import SpacyRecognizer  # noqa: E402

__all__ = [
    "AnalyzerEngine",
    "BatchAnalyzerEngine",
    "LemmaContextAwareEnhancer",
    "NerModelConfiguration",
    "Pattern",
    "PatternRecognizer",
    "RecognizerRegistry",
    "SpacyNlpEngine",
    "SpacyRecognizer",
]
