"""Source connectors. A built-in one's module is imported when a pipeline names it.

Reading a ``jsonl`` source must not import the crawler, the WARC reader and the PDF
extractor's helpers: about 0.1 s of every run's start on the driver and in the worker
processes' server.
"""

from corpus.registry import registered
from pipelines.sources.base import SOURCES, Source, SourceParams, register_source

#: source type used in pipeline files -> module whose ``@register_source`` defines it
BUILTIN_SOURCE_MODULES: dict[str, str] = {
    kind: f"pipelines.sources.{kind}"
    for kind in (
        "aozora", "crawl", "egov_law", "jsonl", "parquet", "pdf", "text_dir", "warc", "wikipedia",
    )
}  # fmt: skip


def source_class(kind: str) -> type[Source]:
    """The class registered as ``kind``, importing its built-in module on first use.

    >>> source_class("jsonl").__name__
    'JsonlSource'
    """
    return registered(SOURCES, BUILTIN_SOURCE_MODULES, kind, "source type")


def known_types() -> list[str]:
    """Every source type a pipeline file may name."""
    return sorted({*SOURCES, *BUILTIN_SOURCE_MODULES})


__all__ = ["SOURCES", "Source", "SourceParams", "known_types", "register_source", "source_class"]
