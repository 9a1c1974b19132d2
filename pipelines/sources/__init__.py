"""Source connectors. Importing this package registers the built-in ones."""

import pipelines.sources.aozora  # noqa: F401  (register)
import pipelines.sources.egov_law  # noqa: F401  (register)
import pipelines.sources.wikipedia  # noqa: F401  (register)
from pipelines.sources import crawl, jsonl, parquet, pdf, text_dir, warc  # noqa: F401  (register)
from pipelines.sources.base import SOURCES, Source, SourceParams, register_source

__all__ = ["SOURCES", "Source", "SourceParams", "register_source"]
