"""Creative Commons licenses: ids, URLs, badges and written statements.

A Creative Commons license is its elements (BY, NC, ND, SA), a version and, for the
national ports, a jurisdiction. The id is the SPDX id when SPDX lists the license
(``CC-BY-SA-2.1-JP``) and ``LicenseRef-CC-…`` otherwise (``LicenseRef-CC-BY-2.1-JP``).
The obligations of every Creative Commons license follow from its elements; this
module is where that is stated.

>>> license_from_url("http://creativecommons.org/licenses/by-nd/2.1/jp/")
'LicenseRef-CC-BY-ND-2.1-JP'
>>> license_from_statement("クリエイティブ・コモンズ 表示 - 継承 4.0 国際 ライセンス")
'CC-BY-SA-4.0'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from licenses.obligations import strictness
from licenses.spdx import is_spdx_id

__all__ = [
    "CreativeCommons",
    "parse_license_id",
    "cc_from_url",
    "license_from_url",
    "is_badge_url",
    "cc_in_statement",
    "cc_matches",
    "licenses_in_statement",
    "license_from_statement",
]

#: canonical element order, as in SPDX ids (BY-NC-ND, BY-NC-SA).
ELEMENT_ORDER: tuple[str, ...] = ("by", "nc", "nd", "sa")

#: element sets Creative Commons published; 1.0 also had licenses without BY.
VALID_ELEMENTS: frozenset[tuple[str, ...]] = frozenset(
    {("by",), ("by", "sa"), ("by", "nd"), ("by", "nc"), ("by", "nc", "sa"), ("by", "nc", "nd")}
)
VALID_ELEMENTS_1_0: frozenset[tuple[str, ...]] = VALID_ELEMENTS | {
    ("nd",),
    ("sa",),
    ("nc",),
    ("nc", "sa"),
    ("nc", "nd"),
}
VERSIONS: frozenset[str] = frozenset({"1.0", "2.0", "2.1", "2.5", "3.0", "4.0"})

#: names of the national ports used in generated license names.
PORT_NAMES: dict[str, str] = {
    "jp": "Japan",
    "igo": "IGO",
    "de": "Germany",
    "fr": "France",
    "uk": "England and Wales",
    "at": "Austria",
    "au": "Australia",
    "nl": "Netherlands",
    "us": "United States",
}

_ELEMENT_NAMES = {
    "by": "Attribution",
    "nc": "NonCommercial",
    "nd": "NoDerivatives",
    "sa": "ShareAlike",
}


@dataclass(frozen=True)
class CreativeCommons:
    """One Creative Commons license or public-domain tool.

    ``tool`` is ``licenses`` (the BY/NC/ND/SA family), ``zero`` (CC0), ``mark`` (Public
    Domain Mark) or ``pddc`` (the retired public-domain dedication and certification).

    >>> CreativeCommons("licenses", ("by", "nc", "nd"), "2.1", "jp").license_id
    'LicenseRef-CC-BY-NC-ND-2.1-JP'
    >>> CreativeCommons("licenses", ("by", "sa"), "2.1", "jp").license_id
    'CC-BY-SA-2.1-JP'
    >>> CreativeCommons("zero", (), "1.0").license_id
    'CC0-1.0'
    """

    tool: str
    elements: tuple[str, ...] = ()
    version: str = ""
    port: str = ""

    @property
    def base_id(self) -> str:
        """The id in SPDX form, whether or not SPDX lists it."""
        if self.tool == "zero":
            return f"CC0-{self.version}"
        if self.tool == "mark":
            return f"CC-PDM-{self.version}"
        if self.tool == "pddc":
            return "CC-PDDC"
        parts = ["CC", *(e.upper() for e in self.elements), self.version]
        if self.port:
            parts.append(self.port.upper())
        return "-".join(parts)

    @property
    def license_id(self) -> str:
        """The SPDX id if SPDX lists it, else ``LicenseRef-<base id>``."""
        base = self.base_id
        return base if is_spdx_id(base) else f"LicenseRef-{base}"

    @property
    def public_domain(self) -> bool:
        return self.tool in ("zero", "mark", "pddc")

    @property
    def attribution(self) -> bool:
        return "by" in self.elements

    @property
    def share_alike(self) -> bool:
        return "sa" in self.elements

    @property
    def non_commercial(self) -> bool:
        return "nc" in self.elements

    @property
    def no_derivatives(self) -> bool:
        return "nd" in self.elements

    @property
    def url(self) -> str:
        """The canonical deed URL."""
        if self.tool == "zero":
            return f"https://creativecommons.org/publicdomain/zero/{self.version}/"
        if self.tool == "mark":
            return f"https://creativecommons.org/publicdomain/mark/{self.version}/"
        if self.tool == "pddc":
            return "https://creativecommons.org/licenses/publicdomain/"
        port = f"{self.port}/" if self.port else ""
        return (
            f"https://creativecommons.org/licenses/{'-'.join(self.elements)}/{self.version}/{port}"
        )

    @property
    def name(self) -> str:
        """An English name in the style of the Creative Commons deeds."""
        if self.tool == "zero":
            return f"Creative Commons Zero v{self.version} Universal"
        if self.tool == "mark":
            return f"Creative Commons Public Domain Mark {self.version}"
        if self.tool == "pddc":
            return "Creative Commons Public Domain Dedication and Certification"
        elements = "-".join(_ELEMENT_NAMES[e] for e in self.elements)
        port = PORT_NAMES.get(self.port, self.port.upper()) if self.port else ""
        return " ".join(p for p in ("Creative Commons", elements, self.version, port) if p)

    def is_valid(self) -> bool:
        """Whether Creative Commons published this license (element set, version, port)."""
        if self.tool in ("zero", "mark"):
            return self.version == "1.0" and not self.elements and not self.port
        if self.tool == "pddc":
            return True
        if self.version not in VERSIONS:
            return False
        if self.version == "4.0" and self.port:
            return False  # 4.0 has no national ports
        allowed = VALID_ELEMENTS_1_0 if self.version == "1.0" else VALID_ELEMENTS
        return self.elements in allowed


def _canonical_elements(names: list[str]) -> tuple[str, ...] | None:
    """Elements in SPDX order, or ``None`` for an unknown or repeated element."""
    lowered = [n.lower() for n in names]
    if len(set(lowered)) != len(lowered) or not set(lowered) <= set(ELEMENT_ORDER):
        return None
    return tuple(e for e in ELEMENT_ORDER if e in lowered)


_ID_RE = re.compile(
    r"^(?:LicenseRef-)?CC-(?P<elements>(?:BY|NC|ND|SA)(?:-(?:BY|NC|ND|SA))*)"
    r"-(?P<version>\d\.\d)(?:-(?P<port>[A-Z]{2,}))?$"
)


def parse_license_id(license_id: str) -> CreativeCommons | None:
    """The Creative Commons license an id names (SPDX or ``LicenseRef-CC-…``).

    >>> parse_license_id("LicenseRef-CC-BY-ND-2.1-JP")
    CreativeCommons(tool='licenses', elements=('by', 'nd'), version='2.1', port='jp')
    >>> parse_license_id("CC0-1.0").tool
    'zero'
    >>> parse_license_id("MIT") is None
    True
    """
    if license_id in ("CC0-1.0", "LicenseRef-CC0-1.0"):
        return CreativeCommons("zero", (), "1.0")
    if license_id in ("CC-PDM-1.0", "LicenseRef-CC-PDM-1.0"):
        return CreativeCommons("mark", (), "1.0")
    if license_id == "CC-PDDC":
        return CreativeCommons("pddc")
    m = _ID_RE.match(license_id)
    if not m:
        return None
    elements = _canonical_elements(m["elements"].split("-"))
    if elements is None:
        return None
    cc = CreativeCommons("licenses", elements, m["version"], (m["port"] or "").lower())
    return cc if cc.is_valid() else None


# --------------------------------------------------------------------------- URLs

_CC_HOSTS = frozenset({"creativecommons.org", "www.creativecommons.org"})
_BADGE_HOSTS = frozenset(
    {
        "i.creativecommons.org",
        "licensebuttons.net",
        "www.licensebuttons.net",
        "mirrors.creativecommons.org",
    }
)
# what may follow the license path: a deed or the legal code, in any language
_DOC_RE = re.compile(
    r"^(?:deed(?:\.[a-z]{2,3}(?:[-_][a-z0-9]+)*)?|legalcode(?:\.[a-z]{2,3}(?:[-_][a-z0-9]+)*)?(?:\.txt)?|rdf)$",
    re.I,
)
_PORT_RE = re.compile(r"^[a-z]{2,8}$")
_VERSION_RE = re.compile(r"^\d\.\d$")
_BADGE_FILE_RE = re.compile(r"^\d+x\d+\.(?:png|gif|svg)$", re.I)


def _split_url(url: str) -> tuple[str, list[str]] | None:
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    return host, segments


def _license_from_segments(tool: str, rest: list[str]) -> CreativeCommons | None:
    """``rest`` = path after ``/licenses/`` or ``/publicdomain/``; trailing doc names removed."""
    if tool == "publicdomain":
        if len(rest) != 2 or rest[0] not in ("zero", "mark") or not _VERSION_RE.match(rest[1]):
            return None
        cc = CreativeCommons(rest[0], (), rest[1])
        return cc if cc.is_valid() else None
    if rest == ["publicdomain"]:
        return CreativeCommons("pddc")
    if len(rest) not in (2, 3) or not _VERSION_RE.match(rest[1]):
        return None
    elements = _canonical_elements(rest[0].split("-"))
    port = rest[2].lower() if len(rest) == 3 else ""
    if elements is None or (port and not _PORT_RE.match(port)):
        return None
    cc = CreativeCommons("licenses", elements, rest[1], port)
    return cc if cc.is_valid() else None


def cc_from_url(url: str) -> CreativeCommons | None:
    """The license a Creative Commons deed, legal-code or badge URL names.

    Accepts http/https, protocol-relative ``//``, ``www.``, a missing or present trailing
    slash, ``deed.<lang>``, ``legalcode[.<lang>]``, query strings and fragments, the
    ``/publicdomain/zero|mark/`` tools, national ports (``/by/2.1/jp/``) and the badge
    images of ``i.creativecommons.org`` / ``licensebuttons.net``
    (``/l/by-sa/4.0/88x31.png``, ``/p/zero/1.0/88x31.png``).

    >>> cc_from_url("https://i.creativecommons.org/l/by-nc-sa/2.1/jp/88x31.png").license_id
    'LicenseRef-CC-BY-NC-SA-2.1-JP'
    >>> cc_from_url("https://example.org/licenses/by/4.0/") is None
    True
    """
    split = _split_url(url)
    if split is None:
        return None
    host, segments = split
    if host in _CC_HOSTS:
        if segments and _DOC_RE.match(segments[-1]):
            segments = segments[:-1]
        if len(segments) >= 1 and segments[0] in ("licenses", "publicdomain"):
            return _license_from_segments(segments[0], segments[1:])
        return None
    if host in _BADGE_HOSTS:
        if not segments or not _BADGE_FILE_RE.match(segments[-1]):
            return None
        kind, rest = (segments[0], segments[1:-1]) if segments else ("", [])
        if kind == "l":
            return _license_from_segments("licenses", rest)
        if kind == "p":
            return _license_from_segments("publicdomain", rest)
    return None


def is_badge_url(url: str) -> bool:
    """Whether ``url`` is a Creative Commons badge image (not a deed).

    >>> is_badge_url("https://licensebuttons.net/l/by/4.0/88x31.png")
    True
    >>> is_badge_url("https://creativecommons.org/licenses/by/4.0/")
    False
    """
    split = _split_url(url)
    return split is not None and split[0] in _BADGE_HOSTS and cc_from_url(url) is not None


def license_from_url(url: str) -> str | None:
    """The license id a Creative Commons URL names, or ``None``.

    >>> license_from_url("https://creativecommons.org/licenses/by/4.0/deed.ja")
    'CC-BY-4.0'
    >>> license_from_url("http://www.creativecommons.org/licenses/by-sa/2.1/jp")
    'CC-BY-SA-2.1-JP'
    >>> license_from_url("https://creativecommons.org/licenses/by-nc-nd/2.1/jp/legalcode")
    'LicenseRef-CC-BY-NC-ND-2.1-JP'
    >>> license_from_url("https://creativecommons.org/publicdomain/zero/1.0/deed.ja")
    'CC0-1.0'
    >>> license_from_url("https://creativecommons.org/publicdomain/mark/1.0/")
    'CC-PDM-1.0'
    >>> license_from_url("https://creativecommons.org/licenses/by/4.0/jp/") is None
    True
    """
    cc = cc_from_url(url)
    return cc.license_id if cc else None


# --------------------------------------------------------------------------- statements

_URL_IN_TEXT_RE = re.compile(r"(?:https?:)?//[^\s「」『』（）()<>\"'、。]+", re.I)

# element words: Japanese (CC Japan deeds 2.x and 4.0), English, and the short codes
_JA_ELEMENTS = {
    "表示": "by",
    "帰属": "by",
    "非営利": "nc",
    "改変禁止": "nd",
    "派生禁止": "nd",
    "継承": "sa",
    "同一条件許諾": "sa",
}
_EN_ELEMENTS = {
    "attribution": "by",
    "noncommercial": "nc",
    "non-commercial": "nc",
    "non commercial": "nc",
    "noderivatives": "nd",
    "noderivs": "nd",
    "no derivatives": "nd",
    "no-derivatives": "nd",
    "no derivative works": "nd",
    "no-derivs": "nd",
    "sharealike": "sa",
    "share-alike": "sa",
    "share alike": "sa",
}
_CODE_ELEMENTS = {"by": "by", "nc": "nc", "nd": "nd", "sa": "sa"}
_ELEMENT_WORD = "|".join(
    re.escape(w)
    for w in sorted([*_JA_ELEMENTS, *_EN_ELEMENTS, *_CODE_ELEMENTS], key=len, reverse=True)
)
_SEP = r"(?:\s*[-‐－–—・/,、]\s*|\s+)"
_PORT_WORDS = {
    "日本": "jp",
    "japan": "jp",
    "jp": "jp",
    "国際": "",
    "international": "",
    "非移植": "",
    "unported": "",
    "generic": "",
    "全世界": "",
    "igo": "igo",
}
_PORT_WORD = "|".join(re.escape(w) for w in sorted(_PORT_WORDS, key=len, reverse=True))

_STATEMENT_RE = re.compile(
    r"(?:クリエイティブ[・･\s]?コモンズ|creative\s+commons|(?<![A-Za-z0-9])CC(?![A-Za-z0-9]))"
    r"[\s・･:：-]*(?:ライセンス|license|licence)?"
    r"[\s\u3000「『\"“'（(【\[:：]*"
    r"(?:CC[\s-]?)?"
    rf"(?P<elements>(?:{_ELEMENT_WORD})(?:{_SEP}(?:{_ELEMENT_WORD}))*)"
    r"[\s\u3000-]*(?:v(?:ersion)?\.?\s*|バージョン\s*)?(?P<version>\d\.\d)"
    rf"(?:[\s\u3000-]*(?P<port>{_PORT_WORD})(?![A-Za-z]))?",
    re.I,
)
_CC0_RE = re.compile(
    r"(?<![A-Za-z0-9])CC[\s-]?(?:0|zero)(?![A-Za-z0-9])(?:[\s\u3000]*(?:v\.?\s*)?(?P<version>\d\.\d))?"
    r"|(?:クリエイティブ[・･\s]?コモンズ|creative\s+commons)[\s・･]*(?:ゼロ|zero)",
    re.I,
)
_PDM_RE = re.compile(
    r"(?:public\s+domain\s+mark|パブリック[・･\s]?ドメイン[・･\s]?マーク)(?:[\s\u3000]*(?P<version>\d\.\d))?",
    re.I,
)


def _element_of(word: str) -> str | None:
    w = " ".join(word.lower().split())
    return _JA_ELEMENTS.get(word) or _EN_ELEMENTS.get(w) or _CODE_ELEMENTS.get(w)


def cc_matches(text: str) -> list[tuple[int, int, CreativeCommons]]:
    """``(start, end, license)`` for every Creative Commons license named in words in ``text``.

    URLs inside the text are ignored here (read them with :func:`license_from_url`).
    A version is required, except for CC0 and the Public Domain Mark (1.0). A 2.1
    license named with Japanese element words is the Japan port, the only 2.1 in use
    in Japan.

    >>> [(s, e, c.license_id) for s, e, c in cc_matches("本文は CC BY 4.0 です")]
    [(4, 13, 'CC-BY-4.0')]
    """
    text = _URL_IN_TEXT_RE.sub(lambda m: " " * len(m[0]), text)
    found: list[tuple[int, int, CreativeCommons]] = []
    for m in _STATEMENT_RE.finditer(text):
        words = [w for w in re.split(_SEP, m["elements"]) if w and _element_of(w) is not None]
        elements = _canonical_elements([_element_of(w) for w in words])  # type: ignore[misc]
        if elements is None:
            continue
        port_word = (m["port"] or "").lower()
        port = _PORT_WORDS.get(port_word, _PORT_WORDS.get(m["port"] or "", ""))
        japanese = any(w in _JA_ELEMENTS for w in words)
        if m["version"] == "2.1" and not port and japanese:
            port = "jp"
        cc = CreativeCommons("licenses", elements, m["version"], port)
        if cc.is_valid():
            found.append((m.start(), m.end(), cc))
    for m in _CC0_RE.finditer(text):
        cc = CreativeCommons("zero", (), m["version"] if m["version"] else "1.0")
        if cc.is_valid():
            found.append((m.start(), m.end(), cc))
    for m in _PDM_RE.finditer(text):
        cc = CreativeCommons("mark", (), m["version"] if m["version"] else "1.0")
        if cc.is_valid():
            found.append((m.start(), m.end(), cc))
    return sorted(found, key=lambda t: t[0])


def cc_in_statement(text: str) -> list[CreativeCommons]:
    """Every Creative Commons license named in words in ``text``, in order of appearance.

    >>> [c.license_id for c in cc_in_statement("この作品は、クリエイティブ・コモンズ「表示 2.1 日本」でライセンスされています。")]
    ['LicenseRef-CC-BY-2.1-JP']
    >>> [c.license_id for c in cc_in_statement("Licensed under CC BY-NC-SA 4.0 and CC0.")]
    ['CC-BY-NC-SA-4.0', 'CC0-1.0']
    >>> cc_in_statement("画面に表示 2.0 倍")
    []
    """
    return [cc for _, _, cc in cc_matches(text)]


def licenses_in_statement(text: str) -> list[str]:
    """Distinct license ids named in words in ``text``, in order of appearance.

    >>> licenses_in_statement("この訳文は Creative Commons CC-BY-SA 3.0 の下で公開します。"
    ...     "「クリエイティブ・コモンズ 表示-継承 3.0 非移植 ライセンス」")
    ['CC-BY-SA-3.0']
    """
    return list(dict.fromkeys(cc.license_id for cc in cc_in_statement(text)))


def license_from_statement(text: str) -> str | None:
    """The license a written Creative Commons statement names; the stricter if several.

    >>> license_from_statement("クリエイティブ・コモンズ 表示 2.1 日本 ライセンス")
    'LicenseRef-CC-BY-2.1-JP'
    >>> license_from_statement("クリエイティブ・コモンズ「表示 - 非営利 - 改変禁止 2.1 日本」")
    'LicenseRef-CC-BY-NC-ND-2.1-JP'
    >>> license_from_statement("クリエイティブ・コモンズ 表示 4.0 国際 ライセンス")
    'CC-BY-4.0'
    >>> license_from_statement("クリエイティブ・コモンズ 表示 - 非営利  4.0 国際 ライセンス")
    'CC-BY-NC-4.0'
    >>> license_from_statement("licensed under a Creative Commons Attribution-ShareAlike 4.0 International License")
    'CC-BY-SA-4.0'
    >>> license_from_statement("無断転載を禁じます。") is None
    True
    >>> license_from_statement("CC-BY 4.0"), license_from_statement("CC-BY-SA-2.1-JP")
    ('CC-BY-4.0', 'CC-BY-SA-2.1-JP')
    """
    found = cc_in_statement(text)
    if not found:
        return None
    return max(found, key=strictness).license_id
