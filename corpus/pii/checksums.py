"""Check digits and numbering rules that tell a real identifier from a look-alike.

Pure functions on digit strings; full-width digits (０-９) are accepted everywhere.
A digit string whose check digit fails is not the identifier it looks like and stays
in the text.
"""

from __future__ import annotations

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def ascii_digits(text: str) -> str:
    """Only the digits of ``text``, full-width ones turned into ASCII.

    >>> ascii_digits("０９０－１２３４－５６７８")
    '09012345678'
    >>> ascii_digits("〒100-0005")
    '1000005'
    """
    return "".join(ch for ch in text.translate(_FULLWIDTH_DIGITS) if "0" <= ch <= "9")


def my_number_check_digit(base: str) -> int:
    """Check digit of an 11-digit 個人番号 base.

    Rule of 総務省令第八十五号 (平成26年) 第5条: with P_n the n-th digit counted from the
    least significant one, Q_n = n+1 for n ≤ 6 and n−5 for 7 ≤ n ≤ 11,
    r = Σ P_n·Q_n mod 11; the check digit is 0 if r ≤ 1, else 11 − r.

    >>> my_number_check_digit("12345678901")
    8
    """
    digits = ascii_digits(base)
    if len(digits) != 11:
        raise ValueError(f"a My Number base has 11 digits, got {len(digits)}")
    total = 0
    for n, ch in enumerate(reversed(digits), start=1):
        q = n + 1 if n <= 6 else n - 5
        total += int(ch) * q
    r = total % 11
    return 0 if r <= 1 else 11 - r


def is_my_number(text: str) -> bool:
    """True if ``text`` holds exactly 12 digits whose last one is the 個人番号 check digit.

    >>> is_my_number("1234 5678 9018")
    True
    >>> is_my_number("123456789019")
    False
    """
    digits = ascii_digits(text)
    return len(digits) == 12 and my_number_check_digit(digits[:11]) == int(digits[11])


def corporate_number_check_digit(base: str) -> int:
    """Leading check digit of a 12-digit 法人番号 base.

    Rule of 法人番号の指定等に関する省令 第2条: with P_n the n-th digit from the least
    significant one, Q_n = 1 for odd n and 2 for even n; the check digit is
    9 − (Σ P_n·Q_n mod 9). Checked against published numbers: 国税庁 7000012050002,
    トヨタ自動車 1180301018771.

    >>> corporate_number_check_digit("000012050002")
    7
    >>> corporate_number_check_digit("180301018771")
    1
    """
    digits = ascii_digits(base)
    if len(digits) != 12:
        raise ValueError(f"a corporate number base has 12 digits, got {len(digits)}")
    total = sum(int(ch) * (1 if n % 2 else 2) for n, ch in enumerate(reversed(digits), start=1))
    return 9 - total % 9


def is_corporate_number(text: str) -> bool:
    """True if ``text`` holds exactly 13 digits led by the 法人番号 check digit.

    >>> is_corporate_number("T7000012050002")
    True
    >>> is_corporate_number("8000012050002")
    False
    """
    digits = ascii_digits(text)
    return len(digits) == 13 and corporate_number_check_digit(digits[1:]) == int(digits[0])


def luhn_check_digit(base: str) -> int:
    """The Luhn check digit to append to ``base`` (payment card numbers).

    >>> luhn_check_digit("411111111111111")
    1
    """
    total = 0
    for i, ch in enumerate(reversed(ascii_digits(base))):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def is_payment_card(text: str) -> bool:
    """True for 13–19 digits that pass Luhn and start like a card (2–6: Visa, JCB, …).

    >>> is_payment_card("4111 1111 1111 1111")
    True
    >>> is_payment_card("4111 1111 1111 1112")
    False
    >>> is_payment_card("9111111111111111")
    False
    """
    digits = ascii_digits(text)
    if not 13 <= len(digits) <= 19 or digits[0] not in "23456":
        return False
    return luhn_check_digit(digits[:-1]) == int(digits[-1])


#: Prefixes of 11-digit numbers in the Japanese numbering plan: mobiles (070/080/090),
#: IP phones (050), pagers and M2M (020/060), 0800 toll-free.
_ELEVEN_DIGIT_PREFIXES = ("070", "080", "090", "050", "020", "060", "0800")
#: 10-digit non-geographic numbers: 0120 toll-free, 0570 navi-dial, 0990 premium.
_TEN_DIGIT_SERVICE_PREFIXES = ("0120", "0570", "0990")


def is_japanese_phone_number(text: str) -> bool:
    """True if the digits fit the Japanese numbering plan (domestic or ``+81`` form).

    Landlines have 10 digits (0 + area code + subscriber, area code not starting 0),
    mobiles and 050/0800 numbers 11, 0120/0570 numbers 10. In the ``+81`` form the
    leading 0 is dropped (a ``(0)`` kept in brackets is ignored).

    >>> is_japanese_phone_number("090-1234-5678")
    True
    >>> is_japanese_phone_number("(03) 1234-5678")
    True
    >>> is_japanese_phone_number("+81 3-1234-5678")
    True
    >>> is_japanese_phone_number("０１２０－１２３－４５６")
    True
    >>> is_japanese_phone_number("090-1234-567")
    False
    >>> is_japanese_phone_number("2023-04-01")
    False
    """
    compact = text.translate(_FULLWIDTH_DIGITS).replace("＋", "+")
    digits = ascii_digits(compact)
    if compact.lstrip(" (（").startswith("+"):
        if not digits.startswith("81"):
            return False
        national = digits[2:]
        if "(0)" in compact.replace(" ", "") or "（0）" in compact.replace(" ", ""):
            national = national[1:] if national.startswith("0") else national
        if national.startswith("0"):
            return False
        digits = "0" + national
    if not digits.startswith("0"):
        return False
    if digits.startswith(_ELEVEN_DIGIT_PREFIXES):
        return len(digits) == 11
    if digits.startswith(_TEN_DIGIT_SERVICE_PREFIXES):
        return len(digits) == 10
    return len(digits) == 10 and digits[1] != "0"
