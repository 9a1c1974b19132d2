"""Check digits and numbering rules of Japanese identifiers, and the Japanese doctests
of every PII module."""

from __future__ import annotations

import doctest
import importlib

import pytest

from corpus.pii.checksums import (
    ascii_digits,
    corporate_number_check_digit,
    is_corporate_number,
    is_japanese_phone_number,
    is_my_number,
    is_payment_card,
    luhn_check_digit,
    my_number_check_digit,
)


@pytest.mark.parametrize(
    "module",
    [
        "corpus.pii.checksums",
        "corpus.pii.entities",
        "corpus.pii.lexicon",
        "corpus.pii.replace",
        "corpus.pii.prescreen",
        "corpus.pii.recognizers",
        "corpus.pii.analyzer",
        "corpus.pii.scrubber",
        "corpus.pii.evaluation",
        "corpus.stages.pii",
    ],
)
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_my_number_check_digit_follows_the_ordinance():
    # worked by hand: Σ P_n·Q_n over 12345678901 (from the right, Q = 2..7, 2..6) = 212,
    # 212 mod 11 = 3, check digit 11 − 3 = 8
    assert my_number_check_digit("12345678901") == 8
    assert is_my_number("123456789018")
    assert is_my_number("１２３４ ５６７８ ９０１８")
    # remainder 0 or 1 gives check digit 0
    base = next(f"{n:011d}" for n in range(10**10, 10**10 + 500) if _remainder(f"{n:011d}") <= 1)
    assert my_number_check_digit(base) == 0


def _remainder(base: str) -> int:
    weights = [n + 1 if n <= 6 else n - 5 for n in range(1, 12)]
    return sum(int(d) * w for d, w in zip(reversed(base), weights, strict=True)) % 11


def test_my_number_every_wrong_check_digit_fails():
    base = "98765432101"
    good = my_number_check_digit(base)
    for digit in "0123456789":
        assert is_my_number(base + digit) is (int(digit) == good)
    assert not is_my_number("12345678901")  # 11 digits
    assert not is_my_number("1234567890180")  # 13 digits


@pytest.mark.parametrize(
    "number",
    ["7000012050002", "1180301018771", "T7000012050002", "Ｔ１１８０３０１０１８７７１"],
)
def test_published_corporate_numbers_are_valid(number):
    # 国税庁 and トヨタ自動車, as published on the 法人番号公表サイト
    assert is_corporate_number(number)


def test_corporate_number_wrong_leading_digit_fails():
    base = "180301018771"
    assert corporate_number_check_digit(base) == 1
    for lead in "023456789":
        assert not is_corporate_number(lead + base)


@pytest.mark.parametrize(
    "number, valid",
    [
        ("4111 1111 1111 1111", True),  # Visa test number
        ("5555-5555-5555-4444", True),  # Mastercard test number
        ("3530 1113 3330 0000", True),  # JCB test number
        ("3782 822463 10005", True),  # Amex test number, 4-6-5
        ("４１１１－１１１１－１１１１－１１１１", True),
        ("4111 1111 1111 1112", False),
        ("1111 1111 1111 1117", False),  # Luhn-valid but no card starts with 1
        ("411111111111", False),  # too short
    ],
)
def test_payment_cards(number, valid):
    assert is_payment_card(number) is valid


def test_luhn_check_digit_completes_a_valid_number():
    for base in ("400000000000000", "353011133330000", "37828224631000"):
        assert is_payment_card(base + str(luhn_check_digit(base)))


@pytest.mark.parametrize(
    "number, valid",
    [
        ("090-1234-5678", True),
        ("080 1234 5678", True),
        ("07012345678", True),
        ("050-1234-5678", True),
        ("03-1234-5678", True),
        ("(03)1234-5678", True),
        ("0422-12-3456", True),
        ("01564-2-3456", True),
        ("0120-123-456", True),
        ("0800-123-4567", True),
        ("0570-012-345", True),
        ("+81-90-1234-5678", True),
        ("+81 3 1234 5678", True),
        ("+81(0)3-1234-5678", True),
        ("＋８１－９０－１２３４－５６７８", True),
        ("０９０ー１２３４ー５６７８", True),
        ("090-1234-567", False),  # a mobile needs 11 digits
        ("03-1234-56789", False),  # a landline 10
        ("0120-123-4567", False),  # 0120 numbers have 10
        ("00-1234-5678", False),  # no area code starts with 0
        ("+1 212 555 0100", False),  # not Japan
        ("2023-04-01", False),
    ],
)
def test_phone_numbering_plan(number, valid):
    assert is_japanese_phone_number(number) is valid


def test_ascii_digits_reads_fullwidth():
    assert ascii_digits("〒１００－０００５") == "1000005"
