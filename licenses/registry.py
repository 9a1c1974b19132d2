"""The license registry: one record per license with its obligations.

This is the only place a license's obligations are looked up; policies, the
ATTRIBUTION file and reports read them from here. The registry is built from
three pieces of data:

- ``data/licenses.yaml``: the Japanese ``LicenseRef-`` licenses (DESIGN §6) and the
  non-Creative-Commons SPDX licenses, each with its obligation flags;
- ``data/spdx-licenses.json``: names and URLs of the shipped SPDX subset — every
  Creative Commons id there is in the registry, its obligations derived from its
  elements by :mod:`licenses.creative_commons`;
- the ``creative_commons_ports`` of ``licenses.yaml``: national ports SPDX lacks,
  such as ``LicenseRef-CC-BY-2.1-JP``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import product
from typing import Any

import yaml

from licenses.creative_commons import VALID_ELEMENTS, CreativeCommons, parse_license_id
from licenses.obligations import obligations_of, strictness
from licenses.spdx import spdx_licenses

__all__ = ["License", "registry", "get_license", "stricter"]


@dataclass(frozen=True)
class License:
    """A license and the obligations it places on a corpus that includes the work."""

    id: str
    name: str
    url: str = ""
    public_domain: bool = False
    attribution: bool = True
    share_alike: bool = False
    non_commercial: bool = False
    no_derivatives: bool = False
    all_rights_reserved: bool = False

    @property
    def obligations(self) -> list[str]:
        """Obligation names, e.g. ``['attribution', 'share_alike']``."""
        return obligations_of(self)


def _from_creative_commons(cc: CreativeCommons, name: str = "", url: str = "") -> License:
    return License(
        id=cc.license_id,
        name=name or cc.name,
        url=url or cc.url,
        public_domain=cc.public_domain,
        attribution=cc.attribution,
        share_alike=cc.share_alike,
        non_commercial=cc.non_commercial,
        no_derivatives=cc.no_derivatives,
    )


def _load_yaml() -> dict[str, Any]:
    text = resources.files("licenses").joinpath("data/licenses.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def registry() -> dict[str, License]:
    """All known licenses by id.

    >>> registry()["LicenseRef-CC-BY-NC-ND-2.1-JP"].obligations
    ['attribution', 'non_commercial', 'no_derivatives']
    >>> registry()["CC-BY-SA-2.1-JP"].obligations
    ['attribution', 'share_alike']
    """
    data = _load_yaml()
    spdx = spdx_licenses()
    entries: dict[str, License] = {}
    for license_id, record in spdx.items():
        cc = parse_license_id(license_id)
        if cc is not None:
            entries[license_id] = _from_creative_commons(cc, record["name"], record["url"])
    for port, versions in (data.get("creative_commons_ports") or {}).items():
        for version, elements in product(versions, sorted(VALID_ELEMENTS)):
            cc = CreativeCommons("licenses", elements, str(version), port)
            entries.setdefault(cc.license_id, _from_creative_commons(cc))
    for entry in data["licenses"]:
        entry = dict(entry)
        known = spdx.get(entry["id"])
        if known is not None:
            entry.setdefault("name", known["name"])
            entry.setdefault("url", known["url"])
        if entry["id"] in entries:
            raise ValueError(f"licenses.yaml: {entry['id']} is defined twice")
        entries[entry["id"]] = License(**entry)
    return entries


def get_license(license_id: str | None) -> License | None:
    """The registry entry for ``license_id``, or ``None`` when unknown."""
    if not license_id:
        return None
    return registry().get(license_id)


def stricter(a: str | None, b: str | None) -> str | None:
    """Of two readings of one work's license, the one with more restrictive obligations.

    Used when a notice's words and its link disagree. A license the registry does not
    know counts as the strictest (nothing can be admitted on it); ``None`` (no reading)
    gives way to the other; on a tie the first wins.

    >>> stricter("LicenseRef-CC-BY-2.1-JP", "LicenseRef-CC-BY-NC-ND-2.1-JP")
    'LicenseRef-CC-BY-NC-ND-2.1-JP'
    >>> stricter("CC-BY-SA-4.0", "CC-BY-NC-4.0")
    'CC-BY-NC-4.0'
    >>> stricter("CC-BY-4.0", "CC-BY-3.0")
    'CC-BY-4.0'
    >>> stricter("CC-BY-4.0", "LicenseRef-Unheard-Of")
    'LicenseRef-Unheard-Of'
    """
    if a is None or b is None:
        return b if a is None else a
    la, lb = get_license(a), get_license(b)
    if la is None or lb is None:
        return a if la is None else b
    return b if strictness(lb) > strictness(la) else a
