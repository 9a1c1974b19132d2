"""Pipeline files (DESIGN §2): YAML validated into typed objects before any work starts.

Every error names its key path, e.g. ``sources[1].index: file not found: …``.
Relative input paths resolve against the pipeline file's folder; ``output``
resolves against the current directory.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from corpus import storage
from corpus.stages.base import DocumentStage, GlobalStage, build_stage
from corpus.stages.takedown import TakedownRules
from licenses.policy import load_policy
from manifests.publish import without_local_paths
from manifests.shards import ShardsConfig
from pipelines.errors import ConfigError
from pipelines.sources import Source, known_types, source_class
from pipelines.tasks import STEP_MODULES

TOP_LEVEL_KEYS = {
    "name", "output", "sources", "stages", "policy", "execution", "residency", "takedowns",
    "shards",
}  # fmt: skip


StrictPositiveFloat = Annotated[float, Field(gt=0, strict=True)]
"""A number > 0 (``true`` is not a number here)."""


class ExecutionConfig(BaseModel):
    """How the pipeline runs (all optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    executor: Literal["ray", "processes"] = "ray"
    """``ray``: tasks run on Ray — an embedded local instance, or the cluster named by
    ``--ray-address``. ``processes``: tasks run in worker processes on this machine,
    without Ray (no start-up cost; for jobs on one machine)."""

    cpus_per_task: StrictPositiveFloat = 1.0
    max_concurrent_tasks: int | None = Field(default=None, ge=1, strict=True)
    """At most this many tasks at once (default: the cluster's CPU count)."""
    mem_per_task_gb: StrictPositiveFloat = 1.0


class ResidencyConfig(BaseModel):
    """Where the work may run: ``residency: {require_label: {region: jp}}``.

    Every task is scheduled only on Ray nodes carrying all these labels (``ray start
    --labels region=jp``); a run fails before any work when no alive node has them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    require_label: dict[str, str]

    @field_validator("require_label")
    @classmethod
    def _not_empty(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("name at least one label, e.g. {region: jp}")
        return value


@dataclass
class StageSpec:
    name: str
    params: dict[str, Any]
    stage: DocumentStage | GlobalStage


@dataclass
class Pipeline:
    """A validated pipeline file."""

    name: str
    output: str
    sources: list[Source]
    stages: list[StageSpec]
    policy: str
    execution: ExecutionConfig
    raw: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    residency: ResidencyConfig | None = None
    shards: ShardsConfig = field(default_factory=ShardsConfig)

    def task_modules(self) -> list[str]:
        """The modules a task of this pipeline runs (the steps around the stages, each
        source's and stage's own): what the ``processes`` executor's workers import."""
        objects = [*self.sources, *(spec.stage for spec in self.stages)]
        return [*STEP_MODULES, *(type(o).__module__ for o in objects)]

    def with_takedowns(self, rules: TakedownRules) -> Pipeline:
        """This pipeline with a ``takedown`` stage first, dropping what ``rules`` name."""
        if rules.is_empty():
            return self
        params = rules.model_dump(mode="json")
        spec = StageSpec(name="takedown", params=params, stage=build_stage("takedown", params))
        return replace(self, stages=[spec, *self.stages])

    def resolved(self) -> dict[str, Any]:
        """The resolved configuration recorded in the manifest: local paths relative to the
        pipeline file's folder (a published manifest holds no absolute local path)."""
        base = self.path.parent if self.path else Path.cwd()
        return without_local_paths(self._resolved(), base)

    def _resolved(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "output": self.output,
            "sources": [s.describe() for s in self.sources],
            "stages": [{s.name: s.stage.params.model_dump(mode="json")} for s in self.stages],
            "policy": self.policy,
            "execution": self.execution.model_dump(mode="json"),
            "shards": self.shards.model_dump(mode="json"),
        } | ({"residency": self.residency.model_dump(mode="json")} if self.residency else {})

    def fingerprint(self) -> str:
        """Hash of what determines the output (not the output path or execution knobs)."""
        data = self.resolved()
        data.pop("output")
        data.pop("execution")
        data.pop("residency", None)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def sample_pipeline_path() -> Path:
    """The bundled sample pipeline used by a bare ``jpcorpus run``."""
    return Path(str(resources.files("pipelines").joinpath("sample/pipeline.yaml")))


def _pydantic_error(prefix: str, exc: ValidationError) -> ConfigError:
    err = exc.errors()[0]
    loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
    key = f"{prefix}{loc}" if prefix else loc.lstrip(".")
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    return ConfigError(key, msg)


def load_pipeline(path: str | Path | None = None, *, check_inputs: bool = True) -> Pipeline:
    """Read and validate a pipeline file (the bundled sample when ``path`` is None)."""
    # absolute here, on the driver: inputs resolve against the pipeline file's folder
    # before any task ships, whatever folder a worker runs in
    path = Path(path).expanduser().absolute() if path else sample_pipeline_path()
    if not path.is_file():
        raise ConfigError("", f"pipeline file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError("", f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    return parse_pipeline(raw, base_dir=path.parent, path=path, check_inputs=check_inputs)


def parse_pipeline(
    raw: Any, *, base_dir: Path, path: Path | None = None, check_inputs: bool = True
) -> Pipeline:
    if not isinstance(raw, dict):
        raise ConfigError(
            "", "a pipeline file must be a mapping with name, output, sources, stages"
        )
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(
                str(key), f"unknown key (allowed: {', '.join(sorted(TOP_LEVEL_KEYS))})"
            )
    name = raw.get("name", "pipeline")
    if not isinstance(name, str) or not name:
        raise ConfigError("name", "must be a non-empty string")
    output = raw.get("output", f"out/{name}")
    if not isinstance(output, str) or not output:
        raise ConfigError("output", "must be a path (string)")
    policy = raw.get("policy", "default")
    if not isinstance(policy, str):
        raise ConfigError("policy", "must be a policy name or a policy file path")
    policy_ref = str(base_dir / policy) if (base_dir / policy).is_file() else policy
    try:
        load_policy(policy_ref)
    except (FileNotFoundError, ValidationError, yaml.YAMLError) as exc:
        raise ConfigError("policy", str(exc).splitlines()[0]) from None

    sources_raw = raw.get("sources")
    if not isinstance(sources_raw, list) or not sources_raw:
        raise ConfigError("sources", "must be a non-empty list")
    sources = [_source(i, s, base_dir, check_inputs) for i, s in enumerate(sources_raw)]

    stages_raw = raw.get("stages") or []
    if not isinstance(stages_raw, list):
        raise ConfigError("stages", "must be a list of {stage_name: {params}}")
    stages = [_stage(i, s, base_dir) for i, s in enumerate(stages_raw)]

    try:
        execution = ExecutionConfig.model_validate(raw.get("execution") or {})
    except ValidationError as exc:
        raise _pydantic_error("execution", exc) from None

    try:
        shards = ShardsConfig.model_validate(raw.get("shards") or {})
    except ValidationError as exc:
        raise _pydantic_error("shards", exc) from None

    residency = None
    if raw.get("residency") is not None:
        try:
            residency = ResidencyConfig.model_validate(raw["residency"])
        except ValidationError as exc:
            raise _pydantic_error("residency", exc) from None
        if execution.executor == "processes":
            raise ConfigError(
                "residency",
                "needs Ray nodes with labels; the processes executor runs on this machine "
                "only (drop execution.executor: processes)",
            )

    pipeline = Pipeline(
        name=name,
        output=output,
        sources=sources,
        stages=stages,
        policy=policy_ref,
        execution=execution,
        raw=raw,
        path=path,
        residency=residency,
        shards=shards,
    )
    if raw.get("takedowns") is not None:
        pipeline = pipeline.with_takedowns(_takedown_list(raw["takedowns"], base_dir))
    return pipeline


def _takedown_list(value: Any, base_dir: Path) -> TakedownRules:
    """``takedowns:`` names a catalog (its recorded requests) or a YAML/JSON rules file."""
    from manifests.catalog import is_catalog, open_catalog

    if not isinstance(value, str) or not value:
        raise ConfigError("takedowns", "must be a catalog path/URL or a takedown list file")
    local = base_dir / value
    ref = str(local) if local.exists() else value
    if is_catalog(ref):
        return open_catalog(ref).takedown_rules()
    if not local.is_file():
        raise ConfigError("takedowns", f"neither a catalog nor a file: {value}")
    try:
        data = yaml.safe_load(local.read_text("utf-8")) or {}
        return TakedownRules.model_validate(data)
    except yaml.YAMLError as exc:
        raise ConfigError("takedowns", f"{value}: not valid YAML/JSON") from exc
    except ValidationError as exc:
        raise _pydantic_error("takedowns", exc) from None


def _source(i: int, entry: Any, base_dir: Path, check_inputs: bool) -> Source:
    key = f"sources[{i}]"
    if not isinstance(entry, dict):
        raise ConfigError(key, "must be a mapping with a 'type'")
    kind = entry.get("type")
    try:
        if not isinstance(kind, str):
            raise ValueError(f"unknown source type {kind!r} (known: {', '.join(known_types())})")
        cls = source_class(kind)
    except ValueError as exc:
        raise ConfigError(f"{key}.type", str(exc)) from None
    try:
        params = cls.Params.model_validate(entry)
    except ValidationError as exc:
        raise _pydantic_error(key, exc) from None
    source = cls(params, base_dir)
    if check_inputs:
        try:
            source.check()
        except ConfigError as exc:
            raise ConfigError(f"{key}.{exc.key_path}", str(exc).split(": ", 1)[-1]) from None
    return source


def _resolve_stage_paths(params: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """Earlier releases a stage reads (dedup ``against``) resolve against the pipeline file."""
    against = params.get("against")
    if isinstance(against, list) and all(isinstance(a, str) and a for a in against):
        return params | {"against": [storage.resolve(a, base_dir) for a in against]}
    return params


def _stage(i: int, entry: Any, base_dir: Path) -> StageSpec:
    key = f"stages[{i}]"
    if isinstance(entry, str):
        entry = {entry: {}}
    if not isinstance(entry, dict) or len(entry) != 1:
        raise ConfigError(key, "must be a single-key mapping {stage_name: {params}}")
    ((name, params),) = entry.items()
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ConfigError(f"{key}.{name}", "stage parameters must be a mapping")
    params = _resolve_stage_paths(params, base_dir)
    try:
        stage = build_stage(name, params)
    except ValidationError as exc:
        raise _pydantic_error(f"{key}.{name}", exc) from None
    except ValueError as exc:
        raise ConfigError(key, str(exc)) from None
    return StageSpec(name=name, params=params, stage=stage)
