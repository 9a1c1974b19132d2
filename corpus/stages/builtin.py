"""Imports every built-in stage module so that each registers itself."""

# Each stage module registers its classes with ``@register_stage`` on import.
from corpus.stages import langid, quality  # noqa: F401  (langid, quality)
from corpus.stages import dedup  # noqa: F401  (dedup)
from corpus.stages import pii  # noqa: F401  (pii)
from corpus.stages import takedown  # noqa: F401  (takedown)
