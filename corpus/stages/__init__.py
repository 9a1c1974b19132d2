"""Processing stages: a registry maps the names used in pipeline files to classes.

A built-in stage's module is imported when a pipeline first names it
(:mod:`corpus.stages.builtin`).
"""

from corpus.stages.base import (
    STAGES,
    Decision,
    DocumentStage,
    Drop,
    GlobalStage,
    Keep,
    StageParams,
    build_stage,
    register_stage,
)

__all__ = [
    "STAGES",
    "Decision",
    "DocumentStage",
    "GlobalStage",
    "Drop",
    "Keep",
    "StageParams",
    "build_stage",
    "register_stage",
]
