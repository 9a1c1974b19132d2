"""The modules every pipeline task runs, whatever its sources and stages.

Kept apart (and light to import) so that the ``processes`` executor's fork server can
start importing them first thing, before the driver has even read the pipeline file.
"""

STEP_MODULES: tuple[str, ...] = (
    "pipelines.executor",
    "pipelines.steps",
    "pipelines.sources",
    "manifests.writer",
    "corpus.stages.license_gate",
    "corpus.dedup.tasks",
)
"""The executor, the reader and writer steps, the source registry, the license gate and
the global stages' task runner."""
