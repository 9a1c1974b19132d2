"""Registries of named classes whose built-in members are imported on first use."""

from __future__ import annotations

import importlib


def registered(registry: dict[str, type], builtin: dict[str, str], name: str, what: str) -> type:
    """``registry[name]``, importing ``builtin[name]`` (the module that registers it) first
    when it is not there yet; ``ValueError`` naming every known ``what`` otherwise.

    >>> from corpus.stages.base import STAGES
    >>> registered(STAGES, {"dedup": "corpus.stages.dedup"}, "dedup", "stage").__name__
    'Dedup'
    >>> registered(STAGES, {}, "dedupe", "stage")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: unknown stage 'dedupe' (known: ...)
    """
    if name not in registry and name in builtin:
        importlib.import_module(builtin[name])
    try:
        return registry[name]
    except KeyError:
        known = ", ".join(sorted({*registry, *builtin}))
        raise ValueError(f"unknown {what} {name!r} (known: {known})") from None
