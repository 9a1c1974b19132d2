"""Decoding Japanese bytes whose encoding may be undeclared.

Japanese files come as UTF-8, Shift_JIS (cp932), EUC-JP or ISO-2022-JP, often
without a declaration. :func:`decode_japanese` tries them strictly in an order
that avoids the usual confusions and says which one it used.
"""

from __future__ import annotations

import codecs


class UndecodableText(ValueError):
    """The bytes are not text in any supported encoding."""


def decode_japanese(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``.

    >>> decode_japanese("吾輩は猫である".encode("cp932"))
    ('吾輩は猫である', 'cp932')
    >>> decode_japanese("吾輩は猫である".encode("euc_jp"))
    ('吾輩は猫である', 'euc_jp')
    >>> decode_japanese(b"\\xef\\xbb\\xbf\\xe7\\x8c\\xab")
    ('猫', 'utf-8')
    """
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UndecodableText("NUL bytes in text")
    candidates: list[str] = []
    if declared:
        candidates.append(_canonical(declared))
    if b"\x1b$" in data or b"\x1b(" in data:
        candidates.append("iso2022_jp_ext")
    candidates += ["utf-8", "euc_jp", "cp932"]
    for enc in dict.fromkeys(candidates):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "utf-8" and text.startswith("\ufeff"):
            text = text[1:]
        return text, enc
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UndecodableText("not valid UTF-8, EUC-JP, Shift_JIS or any known encoding")
    return str(best), best.encoding


def _canonical(name: str) -> str:
    name = name.strip().lower().replace("-", "_")
    if name in ("shift_jis", "sjis", "x_sjis", "shiftjis", "ms932", "windows_31j"):
        return "cp932"
    if name in ("utf8",):
        return "utf-8"
    return name
