"""License policies: which licenses may enter a release's shards.

A policy is data: the obligations it refuses plus explicit allow/deny lists.
``default`` admits public domain, CC0, CC BY, CC BY-SA, Art. 13 texts and the
government terms, and refuses NC, ND, unknown and all-rights-reserved (DESIGN §6).
``permissive`` also refuses share-alike. A user policy is a YAML file with the
same keys as :class:`Policy`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from licenses.registry import get_license


class Policy(BaseModel):
    """Which licenses are admitted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    refuse_obligations: tuple[str, ...] = ("non_commercial", "no_derivatives")
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    def decide(self, license_id: str | None) -> tuple[bool, str]:
        """``(admitted, reason)``; the reason names why a license is refused.

        >>> load_policy("default").decide("CC-BY-SA-4.0")
        (True, 'admitted')
        >>> load_policy("default").decide("CC-BY-NC-4.0")
        (False, 'license_refused:non_commercial')
        >>> load_policy("default").decide(None)
        (False, 'license_unknown')
        """
        if not license_id:
            return False, "license_unknown"
        if license_id in self.deny:
            return False, "license_refused:policy_deny"
        if license_id in self.allow:
            return True, "admitted"
        lic = get_license(license_id)
        if lic is None:
            return False, "license_unknown"
        if lic.all_rights_reserved:
            return False, "license_refused:all_rights_reserved"
        for obligation in self.refuse_obligations:
            if getattr(lic, obligation, False):
                return False, f"license_refused:{obligation}"
        return True, "admitted"

    def admits(self, license_id: str | None) -> bool:
        return self.decide(license_id)[0]


BUILTIN_POLICIES = ("default", "permissive")


@cache
def load_policy(name_or_path: str) -> Policy:
    """A built-in policy by name, or a user policy file (YAML) by path."""
    if name_or_path in BUILTIN_POLICIES:
        text = resources.files("licenses").joinpath(f"data/policy-{name_or_path}.yaml")
        return Policy.model_validate(yaml.safe_load(text.read_text("utf-8")))
    path = Path(name_or_path)
    if not path.is_file():
        raise FileNotFoundError(
            f"policy {name_or_path!r} is neither a built-in policy "
            f"({', '.join(BUILTIN_POLICIES)}) nor a file"
        )
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    data.setdefault("name", path.stem)
    return Policy.model_validate(data)
