"""The shipped subset of the SPDX License List (names and URLs; see ``data/SPDX-NOTICE.md``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TypedDict


class SpdxRecord(TypedDict):
    name: str
    url: str


@cache
def spdx_licenses() -> dict[str, SpdxRecord]:
    """SPDX id → ``{name, url}`` for the licenses this project ships.

    >>> spdx_licenses()["CC-BY-SA-2.1-JP"]["name"]
    'Creative Commons Attribution Share Alike 2.1 Japan'
    >>> "CC-BY-2.1-JP" in spdx_licenses()
    False
    """
    text = resources.files("licenses").joinpath("data/spdx-licenses.json").read_text("utf-8")
    return json.loads(text)


def is_spdx_id(license_id: str) -> bool:
    """Whether ``license_id`` is an SPDX id in the shipped subset."""
    return license_id in spdx_licenses()
