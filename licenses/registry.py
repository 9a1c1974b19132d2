"""The license registry: one record per license with its obligations.

This is the only place a license's obligations are stated; policies, the
ATTRIBUTION file and reports read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


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
        names = ("attribution", "share_alike", "non_commercial", "no_derivatives")
        return [n for n in names if getattr(self, n)]


@cache
def registry() -> dict[str, License]:
    """All known licenses by id."""
    text = resources.files("licenses").joinpath("data/licenses.yaml").read_text("utf-8")
    return {entry["id"]: License(**entry) for entry in yaml.safe_load(text)}


def get_license(license_id: str | None) -> License | None:
    """The registry entry for ``license_id``, or ``None`` when unknown."""
    if not license_id:
        return None
    return registry().get(license_id)
