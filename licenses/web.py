"""One verdict for a fetched web page: its license (from the HTML) and its opt-out signals.

Sources (``warc``, ``crawl``) call :func:`assess_page` for every HTML response and
keep what it says: the license and the evidence go into the row, the drop reason
(if any) into rejected/.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from licenses.html import ConflictPolicy, PageLicense, license_of_tree, parse_html
from licenses.optout import AI_AGENTS, OptOutReport, RobotsTxt, TdmRep, check_page

__all__ = ["PageAssessment", "assess_page"]

#: drop reasons for pages whose license could not be established
_LICENSE_REASONS = {
    "no-license": "no-license",
    "unrecognized": "license_unrecognized",
    "conflict_dropped": "license_conflict",
}


@dataclass(frozen=True)
class PageAssessment:
    license: str | None
    page: PageLicense
    optout: OptOutReport

    @property
    def license_evidence(self) -> str:
        """The license markers, then every opt-out check (``… | optout: robots.txt=none(…); …``)."""
        found = self.page.evidence or f"html:none({self.page.reason})"
        return f"{found} | optout: {self.optout}"

    @property
    def drop_reason(self) -> str:
        """Why the page may not enter the corpus before any policy is applied ('' if it may).

        An opt-out outranks everything; then a missing, unreadable or dropped-conflict license.
        """
        return self.optout.reason or _LICENSE_REASONS.get(self.page.reason, "")


def assess_page(
    url: str,
    body: bytes | str,
    headers: Mapping[str, str] | None = None,
    robots: RobotsTxt | None = None,
    tdmrep: TdmRep | None = None,
    agents: Iterable[str] = AI_AGENTS,
    on_conflict: ConflictPolicy = "stricter",
) -> PageAssessment:
    """License and opt-out signals of one page.

    >>> a = assess_page("https://例.jp/", '<meta name="tdm-reservation" content="1">'
    ...     '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">')
    >>> a.license, a.drop_reason
    ('CC-BY-4.0', 'optout:tdm-reservation')
    """
    headers = headers or {}
    root = parse_html(body)
    page = license_of_tree(root, on_conflict=on_conflict)
    optout = check_page(url, headers, root, robots=robots, tdmrep=tdmrep, agents=agents)
    return PageAssessment(page.license, page, optout)
