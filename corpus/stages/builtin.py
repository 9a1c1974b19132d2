"""Imports every built-in stage module so that each registers itself."""

# Each stage module registers its classes with ``@register_stage`` on import.
from corpus.stages import dedup, langid, pii, quality, takedown  # noqa: F401
