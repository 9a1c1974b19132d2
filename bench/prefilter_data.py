"""A multilingual page mix for the Japanese pre-filter benchmark, written as a WARC file.

Japanese pages: real text from ``shared/data`` (Aozora Bunko paragraphs, the Wikipedia
article 人工知能, Japanese Wikipedia country articles with the wiki markup stripped
roughly, Tatoeba sentences for short pages) in page templates with Japanese or English
chrome (navigation, cookie banner, footer), plus the 154 real 2013 e-Gov law pages as
served (Shift_JIS). Encodings UTF-8, Shift_JIS (cp932) and EUC-JP; the charset is
declared in the HTTP header, in ``<meta>``, in neither, or wrongly (UTF-8 declared on a
Shift_JIS body, Shift_JIS on EUC-JP, or a legacy single-byte label left by a server or a
template: ISO-8859-1, windows-1252, windows-1251, KOI8-R); ``<html lang>`` is ja, ja-JP,
en or missing.

Other pages: English (Tatoeba sentences) and, from the word lists Faker ships, Chinese
(simplified and traditional), Korean, Russian, German, French, Spanish, Italian, Polish,
Greek, Arabic, Thai and Vietnamese, in UTF-8 or their legacy encodings (GBK, Big5,
EUC-KR, windows-1251, KOI8-R, ISO-8859-x, windows-125x, TIS-620). Some carry a little
Japanese: a language switcher (日本語), katakana product names, a Chinese page with の,
an English phrase page with Japanese glosses — whether such a page is Japanese is
decided by extraction + language ID, not here.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from faker import Faker

from pipelines.crawler.fetch import FetchResult
from pipelines.crawler.warc_out import WarcRecorder

WHEN = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Page:
    url: str
    body: bytes
    content_type: str
    kind: str  # what the page was built as: ja-utf-8, ja-cp932, en, zh_CN-gbk, …


def _aozora_chunks(data: Path, rng: random.Random, n_files: int = 120) -> list[str]:
    files = sorted((data / "aozora" / "cards").glob("*/files/*/*.txt"))
    out = []
    for path in rng.sample(files, min(n_files, len(files))):
        text = path.read_bytes().decode("cp932", errors="replace")
        parts = re.split(r"\r?\n-{20,}\r?\n", text)
        body = (parts[2] if len(parts) > 2 else text).split("底本：")[0]
        body = re.sub(r"《[^》]*》|｜|［＃[^］]*］", "", body)
        paras = [p.strip("　 \r") for p in body.splitlines() if len(p.strip()) > 20]
        for i in range(0, len(paras), 6):
            out.append("\n".join(paras[i : i + 6]))
    return [c for c in out if c]


def _wiki_chunks(data: Path) -> list[str]:
    out = []
    ai = (data / "jawiki" / "ai.ja.txt").read_text("utf-8").splitlines()
    out += ["\n".join(ai[i : i + 8]) for i in range(0, len(ai), 8)]
    with gzip.open(data / "jawiki" / "jawiki-country.shared.json.gz", "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            for _ in range(3):
                text = re.sub(r"\{\{[^{}]*\}\}", "", text)
            text = re.sub(r"<ref[^>]*/>|<ref[^>]*>.*?</ref>|<[^>]+>", "", text, flags=re.S)
            text = re.sub(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]", r"\1", text)
            text = re.sub(r"'{2,}|^[=*#:;|!{].*$", "", text, flags=re.M)
            paras = [p for p in text.splitlines() if len(p) > 30]
            out += ["\n".join(paras[i : i + 5]) for i in range(0, min(len(paras), 15), 5)]
    return [c for c in out if c.strip()]


def _tatoeba(data: Path) -> tuple[list[str], list[str]]:
    en, ja = [], []
    for line in (
        (data / "tatoeba" / "jpn-eng.manythings.shared.tsv").read_text("utf-8").splitlines()
    ):
        e, _, j = line.partition("\t")
        en.append(e)
        ja.append(j)
    return en, ja


JA_CHROME = {
    "nav": ["ホーム", "新着情報", "カテゴリー", "お問い合わせ", "サイトマップ"],
    "cookie": "当サイトではCookieを使用しています。同意する",
    "footer": "Copyright © {year} {site} All Rights Reserved. プライバシーポリシー",
}
EN_CHROME = {
    "nav": ["Home", "News", "Categories", "Contact", "Sitemap"],
    "cookie": "We use cookies to improve your experience. Accept",
    "footer": "© {year} {site}. All rights reserved. Privacy policy",
}


def render(
    title: str, paragraphs: list[str], chrome: dict, lang: str | None, meta_charset: str | None
) -> str:
    """One page: head, cookie banner, navigation, article, footer."""
    lang_attr = f' lang="{lang}"' if lang else ""
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    nav = "".join(f'<li><a href="/{i}">{w}</a></li>' for i, w in enumerate(chrome["nav"]))
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs if p)
    footer = chrome["footer"].format(year=2024, site=title[:12])
    return (
        f"<!DOCTYPE html>\n<html{lang_attr}><head>{meta}<title>{title}</title>"
        '<meta name="viewport" content="width=device-width"><link rel="stylesheet" href="/s.css">'
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>"
        f'</head><body><div class="cookie">{chrome["cookie"]}</div>'
        f'<header><a href="/" class="logo">{title[:20]}</a><nav><ul>{nav}</ul></nav></header>'
        f"<main><article><h1>{title}</h1>\n{body}\n</article></main>"
        f"<footer><p>{footer}</p></footer></body></html>\n"
    )


# how a Japanese page declares its charset: (HTTP charset, meta charset) given the real one
def _declarations(real: str, rng: random.Random) -> tuple[str | None, str | None]:
    name = {"utf-8": "UTF-8", "cp932": "Shift_JIS", "euc_jp": "EUC-JP"}[real]
    wrong = {"utf-8": "Shift_JIS", "cp932": "UTF-8", "euc_jp": "Shift_JIS"}[real]
    return rng.choices(
        [(name, None), (None, name), (name, name), (None, None), (wrong, None), (None, wrong),
         ("ISO-8859-1", None), ("ISO-8859-1", name), ("windows-1252", None), ("KOI8-R", None),
         (None, "windows-1251"), ("KOI8-R", name)],
        weights=[30, 25, 10, 15, 6, 6, 2, 2, 1, 1, 1, 1],
    )[0]  # fmt: skip


OTHER = [  # locale, legacy encodings, weight
    ("zh_CN", ["gbk", "gb2312"], 14),
    ("zh_TW", ["big5"], 6),
    ("ko_KR", ["euc_kr"], 6),
    ("ru_RU", ["windows-1251", "koi8_r"], 8),
    ("de_DE", ["iso-8859-1", "windows-1252"], 8),
    ("fr_FR", ["iso-8859-1", "windows-1252"], 8),
    ("es_ES", ["iso-8859-1"], 8),
    ("it_IT", ["iso-8859-1"], 4),
    ("pl_PL", ["iso-8859-2"], 4),
    ("el_GR", ["iso-8859-7"], 3),
    ("ar_AA", ["windows-1256"], 3),
    ("th_TH", ["tis-620"], 3),
    ("vi_VN", [], 3),
]
_CODEC_NAMES = {
    "euc_kr": "EUC-KR",
    "koi8_r": "KOI8-R",
    "gbk": "GBK",
    "gb2312": "GB2312",
    "big5": "Big5",
}


def _korean(fake: Faker) -> str:
    parts = [fake.address(), fake.company(), fake.name(), fake.city()]
    return " ".join(parts) + "에 대한 안내입니다. 자세한 내용은 문의하십시오."


class MixBuilder:
    def __init__(self, data: Path, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.data = data
        self.aozora = _aozora_chunks(data, self.rng)
        self.wiki = _wiki_chunks(data)
        self.en, self.ja = _tatoeba(data)
        self.laws = sorted((data / "egov_laws" / "html_2013").glob("*.html"))
        self.fakers: dict[str, Faker] = {}
        self._n = 0

    def _url(self, host: str) -> str:
        self._n += 1
        return f"https://{host}.example/{self._n:06d}.html"

    def _faker(self, locale: str) -> Faker:
        if locale not in self.fakers:
            self.fakers[locale] = Faker(locale)
            self.fakers[locale].seed_instance(self.rng.randrange(1 << 30))
        return self.fakers[locale]

    # ---- Japanese
    def japanese(self) -> Page:
        r = self.rng
        source = r.choices(["aozora", "wiki", "tatoeba", "law"], weights=[45, 30, 17, 8])[0]
        if source == "law":
            body = r.choice(self.laws).read_bytes()
            http = r.choice([None, "Shift_JIS", "ISO-8859-1", "UTF-8", "KOI8-R"])
            ct = "text/html" + (f"; charset={http}" if http else "")
            return Page(self._url("law-jp"), body, ct, f"ja-law-cp932-http:{http}")
        if source == "tatoeba":
            i = r.randrange(len(self.ja) - 6)
            paras = self.ja[i : i + r.randint(1, 6)]
            title = self.ja[i][:20]
        else:
            chunk = r.choice(self.aozora if source == "aozora" else self.wiki)
            paras = chunk.split("\n")
            title = paras[0][:24]
        chrome = JA_CHROME if r.random() < 0.7 else EN_CHROME
        lang = r.choices(["ja", "ja-JP", "en", None], weights=[50, 10, 15, 25])[0]
        real = r.choices(["utf-8", "cp932", "euc_jp"], weights=[60, 25, 15])[0]
        http, meta = _declarations(real, r)
        html = render(title, paras, chrome, lang, meta)
        body = html.encode(real, errors="xmlcharrefreplace")
        ct = "text/html" + (f"; charset={http}" if http else "")
        return Page(self._url(f"ja-{source}"), body, ct, f"ja-{source}-{real}")

    # ---- other languages
    def other(self) -> Page:
        r = self.rng
        kind = r.choices(["en", "faker", "mixed"], weights=[45, 47, 8])[0]
        if kind == "en":
            i = r.randrange(len(self.en) - 20)
            paras = [" ".join(self.en[i : i + 4]), " ".join(self.en[i + 4 : i + 9])]
            html = render(
                self.en[i][:30], paras, EN_CHROME, r.choice(["en", "en-US", None]), "utf-8"
            )
            return Page(self._url("en"), html.encode(), "text/html; charset=utf-8", "en")
        if kind == "mixed":
            return self._mixed()
        locale, legacy, _ = r.choices(OTHER, weights=[w for *_, w in OTHER])[0]
        fake = self._faker(locale)
        if locale == "ko_KR":
            paras = [_korean(fake) for _ in range(r.randint(2, 5))]
        else:
            paras = [fake.paragraph(nb_sentences=r.randint(3, 8)) for _ in range(r.randint(2, 5))]
        enc = r.choice(legacy) if legacy and r.random() < 0.4 else "utf-8"
        name = _CODEC_NAMES.get(enc, enc)
        declare = r.choice(["http", "meta", "none"])
        html = render(
            paras[0][:24], paras, EN_CHROME, locale[:2], name if declare == "meta" else None
        )
        ct = "text/html" + (f"; charset={name}" if declare == "http" else "")
        body = html.encode(enc, errors="xmlcharrefreplace")
        return Page(self._url(locale), body, ct, f"{locale}-{enc}")

    def _mixed(self) -> Page:
        """Non-Japanese pages with a little Japanese in them."""
        r = self.rng
        i = r.randrange(len(self.en) - 20)
        variant = r.choice(["switcher", "katakana", "zh_no", "gloss"])
        if variant == "switcher":
            paras = [" ".join(self.en[i : i + 6]), "Language: English | 日本語 | 中文 | 한국어"]
            html = render("Products", paras, EN_CHROME, "en", "utf-8")
        elif variant == "katakana":
            paras = [
                " ".join(self.en[i : i + 6]),
                "Featured: ソニー headphones and ポケモン cards.",
            ]
            html = render("Shop", paras, EN_CHROME, "en", "utf-8")
        elif variant == "zh_no":
            fake = self._faker("zh_CN")
            paras = [
                fake.paragraph(nb_sentences=6) + " 日本の人気商品。",
                fake.paragraph(nb_sentences=5),
            ]
            html = render("商品", paras, EN_CHROME, "zh", "utf-8")
        else:  # an English phrase page with Japanese glosses
            paras = [f"{self.en[k]} — {self.ja[k]}" for k in range(i, i + r.randint(2, 8))]
            html = render("Phrases", paras, EN_CHROME, "en", "utf-8")
        return Page(
            self._url(f"mixed-{variant}"),
            html.encode(),
            "text/html; charset=utf-8",
            f"mixed-{variant}",
        )

    def build(self, n_japanese: int, n_other: int) -> list[Page]:
        pages = [self.japanese() for _ in range(n_japanese)] + [
            self.other() for _ in range(n_other)
        ]
        self.rng.shuffle(pages)
        return pages


def write_warc(pages: list[Page], path: Path) -> None:
    with WarcRecorder(path) as w:
        for p in pages:
            w.record(
                FetchResult(
                    url=p.url, started=WHEN, ip="192.0.2.1", status=200, reason="OK",
                    headers=[("Content-Type", p.content_type)], body=p.body,
                )
            )  # fmt: skip
