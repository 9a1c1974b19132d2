"""Which document of a duplicate cluster survives.

The choice is a total order on documents, so the same input gives the same
survivors whatever the worker count, partitioning or order: documents of an
earlier release (cross-release dedup) first, then — configurably — the most
permissive license, the longest text, and finally the smallest id.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from licenses.registry import get_license

Preference = Literal["permissive_license", "longest_text"]

OBLIGATION_ORDER = ("attribution", "share_alike", "non_commercial", "no_derivatives")
"""Obligations from least to most restrictive; a license ranks by its most restrictive one."""


class KeepPolicy(BaseModel):
    """Order in which duplicates are preferred; the smallest id always breaks ties.

    >>> policy = KeepPolicy()
    >>> [policy.license_rank(x) for x in
    ...     ("LicenseRef-PublicDomain-JP", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-3.0", "no-such-license")]
    [0, 0, 1, 2, 5]
    >>> KeepPolicy(license_ranks={"CC-BY-SA-3.0": 0}).license_rank("CC-BY-SA-3.0")
    0
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefer: tuple[Preference, ...] = ("permissive_license", "longest_text")
    obligation_order: tuple[str, ...] = OBLIGATION_ORDER
    license_ranks: dict[str, int] = {}
    """Explicit ranks by license id (lower is preferred), overriding the obligations."""

    def license_rank(self, license_id: str | None) -> int:
        """0 for public domain and no obligations; 1 + the index of the most restrictive
        obligation otherwise; unknown licenses last."""
        if license_id in self.license_ranks:
            return self.license_ranks[license_id]
        lic = get_license(license_id)
        if lic is None:
            return len(self.obligation_order) + 1
        if lic.public_domain:
            return 0
        ranks = [self.obligation_order.index(o) + 1 for o in lic.obligations]
        return max(ranks, default=0)

    def sort_keys(self) -> list[tuple[str, str]]:
        """pyarrow sort keys over a cluster's member table, best survivor first.

        Columns: ``klass`` (0 = earlier release, 1 = this run), ``license_rank``,
        ``length`` (characters) and ``id``.
        """
        keys = [("klass", "ascending")]
        for p in self.prefer:
            keys.append(
                ("license_rank", "ascending")
                if p == "permissive_license"
                else ("length", "descending")
            )
        return keys + [("id", "ascending")]
