"""Decoding Japanese bytes whose encoding may be undeclared.

Japanese files come as UTF-8, Shift_JIS (cp932), EUC-JP or ISO-2022-JP, often
without a declaration. :func:`decode_japanese` tries them strictly in an order
that avoids the usual confusions and says which one it used.

A declared charset is data, not a codec name: only the labels of the WHATWG Encoding
Standard count (what a browser honours, looked up by ``webencodings``). Python's own
codecs (``punycode``, ``rot13``, ``uu_codec``, ``zlib`` …) are not encodings of text and
a page naming one is decoded as if it named none.
"""

from __future__ import annotations

import codecs

import webencodings


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
    codec = whatwg_codec(declared) if declared else None
    if codec:
        candidates.append(codec)
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


def whatwg_codec(label: str) -> str | None:
    """The Python codec for a WHATWG Encoding Standard ``label``; ``None`` for anything else.

    >>> whatwg_codec("Shift_JIS"), whatwg_codec("x-sjis"), whatwg_codec(" EUC-JP ")
    ('cp932', 'cp932', 'euc_jp')
    >>> whatwg_codec("punycode"), whatwg_codec("rot13"), whatwg_codec("zlib")
    (None, None, None)
    """
    try:
        found = webencodings.lookup(label)
    except (TypeError, ValueError):
        return None
    if found is None or found.name in ("replacement", "x-user-defined"):
        return None  # decoders that give no text: treat the label as absent
    if found.name == "iso-2022-jp":
        return "iso2022_jp_ext"  # what the undeclared path uses too (half-width kana)
    return found.codec_info.name
