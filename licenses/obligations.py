"""The obligations a license can place on a corpus, and how strict each one is.

Every license record (:class:`licenses.registry.License`, :class:`licenses.creative_commons.CreativeCommons`)
carries these flags as attributes; this module is the one place that names them and orders them.
"""

from __future__ import annotations

from typing import Protocol

#: obligation names, in the order reports list them.
OBLIGATIONS: tuple[str, ...] = ("attribution", "share_alike", "non_commercial", "no_derivatives")

#: from the most to the least restrictive: a license with a flag earlier in this list is
#: stricter than one without it, whatever follows (NC outweighs ND, ND outweighs SA, …).
STRICTNESS_ORDER: tuple[str, ...] = (
    "all_rights_reserved",
    "non_commercial",
    "no_derivatives",
    "share_alike",
    "attribution",
)


class HasObligations(Protocol):
    attribution: bool
    share_alike: bool
    non_commercial: bool
    no_derivatives: bool


def obligations_of(record: HasObligations) -> list[str]:
    """The obligation names set on ``record``, in :data:`OBLIGATIONS` order."""
    return [name for name in OBLIGATIONS if getattr(record, name, False)]


def strictness(record: HasObligations) -> tuple[bool, ...]:
    """A sort key: larger means more restrictive (compare with ``max``/``>``)."""
    return tuple(bool(getattr(record, name, False)) for name in STRICTNESS_ORDER)
