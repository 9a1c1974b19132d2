"""License knowledge: the registry, policies, and reading licenses from URLs and text."""

from licenses.creative_commons import (
    CreativeCommons,
    license_from_statement,
    license_from_url,
    licenses_in_statement,
)
from licenses.policy import Policy, load_policy
from licenses.registry import License, get_license, registry, stricter

__all__ = [
    "CreativeCommons",
    "License",
    "Policy",
    "get_license",
    "license_from_statement",
    "license_from_url",
    "licenses_in_statement",
    "load_policy",
    "registry",
    "stricter",
]
