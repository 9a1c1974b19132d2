"""The kinds of personal data the scrubber knows, and how each is written after scrubbing.

One home for the type names: recognizers emit them, the replacement writes
``<TYPE>`` placeholders with them, ``pii_detail`` counts by them.
"""

from __future__ import annotations

from enum import StrEnum


class PiiType(StrEnum):
    """A kind of personal data; its value is the placeholder's name."""

    EMAIL = "EMAIL"
    PHONE = "PHONE"
    MY_NUMBER = "MY_NUMBER"
    CORPORATE_NUMBER = "CORPORATE_NUMBER"
    POSTAL_CODE = "POSTAL_CODE"
    CREDIT_CARD = "CREDIT_CARD"
    IP_ADDRESS = "IP_ADDRESS"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    ADDRESS = "ADDRESS"
    PERSON = "PERSON"

    @property
    def placeholder(self) -> str:
        """The text that replaces a span of this type.

        >>> PiiType.PHONE.placeholder
        '<PHONE>'
        """
        return f"<{self.value}>"


#: Types found by patterns (and check digits); always on, whatever the source.
PATTERN_TYPES: tuple[PiiType, ...] = (
    PiiType.EMAIL,
    PiiType.PHONE,
    PiiType.MY_NUMBER,
    PiiType.CORPORATE_NUMBER,
    PiiType.POSTAL_CODE,
    PiiType.CREDIT_CARD,
    PiiType.IP_ADDRESS,
    PiiType.BANK_ACCOUNT,
    PiiType.ADDRESS,
)

#: Types whose masking depends on the source (names in public-domain literature are not personal data).
NAME_TYPES: tuple[PiiType, ...] = (PiiType.PERSON,)
