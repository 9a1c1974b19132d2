"""What a published manifest may say about the machine that made it: nothing.

A release travels (a catalog, a bucket, a reviewer's laptop), so its manifest names
inputs relative to the pipeline file (or by URL), carries the license policy's own
text and hash instead of the path it was read from, and describes the nodes that
ran the tasks by their opaque Ray ids and labels, without host names or addresses.
``audit``, ``trace`` and ``report`` take the policy from the manifest
(:func:`policy_of`), so they work on a copy anywhere.
"""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from corpus.storage import protocol
from licenses.policy import BUILTIN_POLICIES, Policy, load_policy

#: node record keys a manifest keeps (``hostname`` and ``node_ip`` are left out)
NODE_KEYS = ("node_id", "region", "labels")


def _is_local_absolute(value: str) -> bool:
    if protocol(value) != "file":
        return False
    text = value.removeprefix("file://")
    return os.path.isabs(text) or text.startswith("~")


def relative_to(value: str, base_dir: Path) -> str:
    """``value`` relative to ``base_dir`` when it is an absolute local path; else as is.

    >>> relative_to("/data/p/texts", Path("/data/p"))
    'texts'
    >>> relative_to("/data/shared/aozora", Path("/data/p"))
    '../shared/aozora'
    >>> relative_to("s3://bucket/x", Path("/data/p")), relative_to("texts", Path("/data/p"))
    ('s3://bucket/x', 'texts')
    """
    if not _is_local_absolute(value):
        return value
    text = os.path.expanduser(value.removeprefix("file://"))
    return PurePosixPath(os.path.relpath(text, base_dir)).as_posix()


def without_local_paths(data: Any, base_dir: Path) -> Any:
    """``data`` (JSON-like) with every absolute local path made relative to ``base_dir``."""
    if isinstance(data, dict):
        return {k: without_local_paths(v, base_dir) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [without_local_paths(v, base_dir) for v in data]
    if isinstance(data, str):
        return relative_to(data, base_dir)
    return data


def policy_text(policy_ref: str) -> str:
    """The YAML text of a built-in policy (by name) or a policy file (by path)."""
    if policy_ref in BUILTIN_POLICIES:
        return (
            resources.files("licenses")
            .joinpath(f"data/policy-{policy_ref}.yaml")
            .read_text("utf-8")
        )
    return Path(policy_ref).read_text("utf-8")


def policy_record(policy_ref: str) -> dict[str, Any]:
    """``policy`` (the policy's name) and ``policy_definition`` (its text and sha256)."""
    text = policy_text(policy_ref)
    return {
        "policy": load_policy(policy_ref).name,
        "policy_definition": {
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "yaml": text,
        },
    }


class PolicyUnavailable(ValueError):
    """The manifest's policy is neither embedded nor built in (or its text was altered)."""


def policy_of(manifest: dict[str, Any]) -> Policy:
    """The policy a release was made under: the embedded definition, else a built-in name.

    Raises :class:`PolicyUnavailable` when neither is there, or the embedded text does
    not match its hash.
    """
    definition = manifest.get("policy_definition")
    name = manifest.get("policy", "default")
    if isinstance(definition, dict) and isinstance(definition.get("yaml"), str):
        text = definition["yaml"]
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != definition.get("sha256"):
            raise PolicyUnavailable("policy_definition: text does not match its sha256")
        data = yaml.safe_load(text) or {}
        if not isinstance(data, dict):
            raise PolicyUnavailable("policy_definition: not a policy")
        data.setdefault("name", name)
        try:
            return Policy.model_validate(data)
        except ValueError as exc:
            raise PolicyUnavailable(f"policy_definition: {exc}") from None
    if isinstance(name, str) and name in BUILTIN_POLICIES:
        return load_policy(name)
    raise PolicyUnavailable(f"policy {name!r} is not built in and not embedded in the manifest")


def public_node(node: dict[str, Any]) -> dict[str, Any]:
    """A task's node record as published: opaque id, region and labels only.

    >>> public_node({"node_id": "ab12", "hostname": "gpu-7.corp", "node_ip": "10.0.0.7",
    ...              "region": "jp", "labels": {"region": "jp"}})
    {'node_id': 'ab12', 'region': 'jp', 'labels': {'region': 'jp'}}
    """
    return {k: node[k] for k in NODE_KEYS if k in node}
