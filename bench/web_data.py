"""Web benchmark input: gzip WARC files shaped like a crawl segment, deterministic by seed.

HTML pages (HTTP 200) are Japanese with probability ``japanese_share`` (0.05 for a
Common-Crawl-like mix, 1.0 for all Japanese); the rest come from the page mix of
``bench/prefilter_data.py`` (English Tatoeba sentences; Chinese, Korean, Russian, European,
Arabic, Thai, Vietnamese text from Faker's word lists, in UTF-8 or legacy encodings; a few
pages with a little Japanese in them).

Japanese pages carry real text (Aozora Bunko, Japanese Wikipedia, Tatoeba, e-Gov law
pages as served) in site templates: cookie banner, navigation, breadcrumbs, ad blocks,
related-article lists, a readers' comment section, a sidebar, inline CSS and analytics
scripts, in UTF-8, Shift_JIS or EUC-JP with the charset declared or not (or wrongly).
The footer says the page's license: CC BY 4.0 or CC BY-SA 4.0 (``rel="license"`` link
and a Japanese statement), all rights reserved (無断転載禁止), or nothing.

Other records, as a crawl has them: request records, redirects (301/302), 404 pages,
robots.txt, PNG images and a small PDF. About 6 % of pages are near copies of an earlier
page served from another host (another template, one paragraph dropped or changed).

Every record gets a deterministic ``WARC-Record-ID`` and the ``WARC-Identified-Payload-Type``
Common Crawl writes. ``truth.jsonl`` beside the WARC files lists each page's URL, what it
was built as, its language (``ja`` or not), its license and, for a near copy, its original.

    .venv/bin/python bench/web_data.py --out /tmp/web-100MB-ja5 --size 100MB --japanese-share 0.05
"""

from __future__ import annotations

import argparse
import io
import json
import random
import struct
import sys
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from prefilter_data import WHEN, MixBuilder, _declarations  # noqa: E402

WARC_DATE = WHEN.strftime("%Y-%m-%dT%H:%M:%SZ")
HTTP_DATE = WHEN.strftime("%a, %d %b %Y %H:%M:%S GMT")

LICENSES = {  # label: (weight, Japanese footer, English footer)
    "CC-BY-4.0": (
        20,
        '<p>この記事は<a rel="license" href="https://creativecommons.org/licenses/by/4.0/deed.ja">'
        "クリエイティブ・コモンズ 表示 4.0 国際 ライセンス</a>の下に提供されています。</p>",
        '<p>This work is licensed under a <a rel="license" '
        'href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a> license.</p>',
    ),
    "CC-BY-SA-4.0": (
        15,
        '<p>本サイトのコンテンツは<a rel="license" '
        'href="https://creativecommons.org/licenses/by-sa/4.0/deed.ja">'
        "クリエイティブ・コモンズ 表示 - 継承 4.0 国際</a>で提供されています。</p>",
        '<p>Content is available under <a rel="license" '
        'href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>.</p>',
    ),
    "all-rights-reserved": (
        45,
        "<p>Copyright © 2024 {site} All Rights Reserved. 当サイトの文章・画像の無断転載を禁じます。</p>",
        "<p>© 2024 {site}. All rights reserved.</p>",
    ),
    "none": (20, "", ""),
}

JA_NAV = ["ホーム", "ニュース", "暮らし", "経済", "テクノロジー", "エンタメ", "スポーツ",
          "地域", "コラム", "特集", "ランキング", "お問い合わせ", "サイトマップ", "会社概要"]  # fmt: skip
EN_NAV = ["Home", "News", "World", "Business", "Tech", "Science", "Sports", "Culture",
          "Opinion", "Travel", "Video", "Podcasts", "About", "Contact", "Jobs", "Advertise"]  # fmt: skip
HANDLES = ["hana", "taro_k", "みどり", "名無しさん", "yuki88", "ken", "ぽんた", "sora", "匿名"]

# the same in every page: a crawl's HTML is mostly markup, styles and scripts
HEAD_BOILERPLATE = (
    "<style>body{margin:0;font-family:sans-serif;line-height:1.7}"
    + "".join(f".c{i}{{padding:{i}px;margin:{i % 7}px;color:#{i * 4099 % 0xFFFFFF:06x}}}" for i in range(60))
    + "</style>"
    '<script async src="/js/analytics.js"></script>'
    "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
    "gtag('js',new Date());gtag('config','G-XXXXXXX');"
    "(function(w,d){var s=d.createElement('script');s.async=1;s.src='/js/ads.js';"
    "d.head.appendChild(s)})(window,document);</script>"
)  # fmt: skip


@dataclass(frozen=True)
class Record:
    """One HTTP exchange: what the crawler asked for and what the server sent."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    payload_type: str
    truth: dict | None = None  # for HTML pages: kind, lang, license, near copy of


def _png(rng: random.Random, side: int) -> bytes:
    """A small valid PNG of noise (images in a crawl are mostly incompressible bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\0" + rng.randbytes(side * 3) for _ in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _ascii_block(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n))


class WebMix:
    """Builds the records of a crawl segment; ``japanese_share`` of the HTML pages are Japanese."""

    def __init__(self, data: Path, seed: int = 0, japanese_share: float = 0.05) -> None:
        self.mix = MixBuilder(data, seed)
        self.rng = random.Random(seed + 1)
        self.japanese_share = japanese_share
        self.pdf = (data / "pdf" / "jo_haru_to_shura_preface_vertical.pdf").read_bytes()
        self.recent: list[dict] = []  # articles a near copy can be made of
        self._n = 0

    # ---------------------------------------------------------------- helpers
    def _url(self, host: str, ext: str = "html") -> str:
        self._n += 1
        return f"https://{host}/{self.rng.choice(['news', 'blog', 'articles', 'p'])}/{self._n:07d}.{ext}"

    def _host(self, tld: str) -> str:
        return (
            f"{self.rng.choice(['www.', 'blog.', 'news.', ''])}site{self.rng.randrange(4000)}.{tld}"
        )

    def _comments(self, sentences: list[str]) -> str:
        r = self.rng
        items = "".join(
            f'<li class="comment"><span class="author">{r.choice(HANDLES)}</span>'
            f"<time>2024-0{r.randint(1, 9)}-{r.randint(10, 28)}</time><p>{s}</p>"
            '<a href="#reply">返信</a></li>'
            for s in sentences
        )
        return (
            f'<section id="comments"><h2>コメント ({len(sentences)})</h2><ol>{items}</ol></section>'
        )

    # ---------------------------------------------------------------- Japanese pages
    def _japanese_article(self) -> dict:
        r, m = self.rng, self.mix
        source = r.choices(["aozora", "wiki", "tatoeba"], weights=[50, 35, 15])[0]
        if source == "tatoeba":
            i = r.randrange(len(m.ja) - 12)
            paras = [" ".join(m.ja[i : i + 4]), " ".join(m.ja[i + 4 : i + r.randint(6, 12)])]
        else:
            paras = r.choice(m.aozora if source == "aozora" else m.wiki).split("\n")
        return {"source": source, "title": paras[0][:28], "paras": paras}

    def japanese(self) -> Record:
        r, m = self.rng, self.mix
        if r.random() < 0.06:  # an e-Gov law page as served, or the simple template
            page = m.japanese()
            return Record(page.url.replace(".example", ".jp"), 200, [("Content-Type", page.content_type)],
                          page.body, "text/html",
                          {"kind": page.kind, "lang": "ja", "license": "as-served", "copy_of": None})  # fmt: skip
        copy_of = None
        if self.recent and r.random() < 0.06:
            original = r.choice(self.recent)
            article = dict(original, paras=list(original["paras"]))
            if len(article["paras"]) > 2:
                article["paras"].pop(r.randrange(len(article["paras"])))
            else:
                article["paras"].append(r.choice(m.ja))
            copy_of = original["url"]
        else:
            article = self._japanese_article()
        url = self._url(self._host(r.choice(["jp", "co.jp", "ne.jp", "or.jp", "com"])))
        if copy_of is None:
            self.recent = ([*self.recent, dict(article, url=url)])[-300:]
        license_ = r.choices(list(LICENSES), weights=[w for w, _, _ in LICENSES.values()])[0]
        site = url.split("/")[2]
        real = r.choices(["utf-8", "cp932", "euc_jp"], weights=[60, 25, 15])[0]
        http, meta = _declarations(real, r)
        lang = r.choices(["ja", "ja-JP", "en", None], weights=[55, 10, 10, 25])[0]
        html = self._render_ja(article, site, LICENSES[license_][1].format(site=site), lang, meta)
        ct = "text/html" + (f"; charset={http}" if http else "")
        return Record(url, 200, [("Content-Type", ct)], html.encode(real, errors="xmlcharrefreplace"),
                      "text/html", {"kind": f"ja-{article['source']}-{real}", "lang": "ja",
                                    "license": license_, "copy_of": copy_of})  # fmt: skip

    def _render_ja(
        self, article: dict, site: str, footer: str, lang: str | None, meta: str | None
    ) -> str:
        r, m = self.rng, self.mix
        nav = "".join(
            f'<li><a href="/c/{i}">{w}</a></li>' for i, w in enumerate(r.sample(JA_NAV, 10))
        )
        related = "".join(
            f'<li><a href="/p/{r.randrange(10**6)}">{m.ja[r.randrange(len(m.ja))][:30]}</a></li>'
            for _ in range(r.randint(4, 8))
        )
        ad = (
            '<div class="ad c{0}"><span>スポンサーリンク</span><ins data-ad-slot="{1}"></ins></div>'
        )
        paras = article["paras"]
        middle = len(paras) // 2
        body = "\n".join(f"<p>{p}</p>" for p in paras[:middle]) + ad.format(1, r.randrange(10**9))
        body += "\n".join(f"<p>{p}</p>" for p in paras[middle:])
        k = r.randrange(len(m.ja) - 10)
        comments = self._comments(m.ja[k : k + r.randint(0, 8)]) if r.random() < 0.5 else ""
        lang_attr = f' lang="{lang}"' if lang else ""
        meta_tag = f'<meta charset="{meta}">' if meta else ""
        return (
            f"<!DOCTYPE html>\n<html{lang_attr}><head>{meta_tag}<title>{article['title']} | {site}</title>"
            f'<meta name="viewport" content="width=device-width">{HEAD_BOILERPLATE}</head><body>'
            '<div id="cookie-banner">当サイトではサービス向上のためCookieを使用しています。'
            '<button>同意する</button><a href="/privacy">詳しく見る</a></div>'
            f'<header><a href="/" class="logo">{site}</a><nav><ul>{nav}</ul></nav></header>'
            f'<ol class="breadcrumb"><li><a href="/">ホーム</a></li><li>{JA_NAV[r.randrange(11)]}</li></ol>'
            f"<main><article><h1>{article['title']}</h1>{ad.format(2, r.randrange(10**9))}\n{body}\n"
            f'<div class="share">この記事をシェアする <a href="#x">X</a> <a href="#line">LINE</a></div>'
            f"</article>{comments}<aside><h3>関連記事</h3><ul>{related}</ul>"
            f"{ad.format(3, r.randrange(10**9))}</aside></main>"
            f'<footer><ul><li><a href="/about">運営者情報</a></li><li><a href="/privacy">プライバシーポリシー</a>'
            f"</li></ul>{footer}</footer></body></html>\n"
        )  # fmt: skip

    # ---------------------------------------------------------------- other pages
    def other(self) -> Record:
        r = self.rng
        page = self.mix.other()
        words = self.mix.en[r.randrange(len(self.mix.en))].split() + EN_NAV
        nav = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in r.sample(EN_NAV, 12))
        extra_head = HEAD_BOILERPLATE.encode()
        ads = (
            f'<div class="ad"><span>Advertisement</span><ins data-ad-slot="{r.randrange(10**9)}"></ins></div>'
            f'<nav class="more"><ul>{nav}</ul></nav>'
            f'<div class="related">{_ascii_block(r, words, 40)}</div>'
        ).encode(
            "ascii", errors="xmlcharrefreplace"
        )  # ASCII: the same bytes in every encoding here
        if r.random() < 0.4:
            k = r.randrange(len(self.mix.en) - 10)
            items = "".join(f"<li>{s}</li>" for s in self.mix.en[k : k + r.randint(1, 6)])
            ads += f'<section id="comments"><h2>Comments</h2><ol>{items}</ol></section>'.encode(
                "ascii", errors="xmlcharrefreplace"
            )
        body = page.body.replace(b"</head>", extra_head + b"</head>", 1).replace(
            b"</main>", ads + b"</main>", 1
        )
        host = self._host(r.choice(["com", "org", "net", "de", "fr", "cn", "ru", "kr", "es", "it"]))
        url = f"https://{host}/{page.url.split('/', 3)[3]}"
        return Record(url, 200, [("Content-Type", page.content_type)], body, "text/html",
                      {"kind": page.kind, "lang": "other", "license": "none", "copy_of": None})  # fmt: skip

    # ---------------------------------------------------------------- non-HTML records
    def non_html(self) -> Record:
        r = self.rng
        kind = r.choices(
            ["redirect", "404", "robots", "image", "pdf"], weights=[30, 20, 15, 33, 2]
        )[0]
        host = self._host(r.choice(["jp", "com", "org", "de"]))
        if kind == "redirect":
            target = self._url(host)
            body = f'<html><body>Moved <a href="{target}">here</a></body></html>'.encode()
            return Record(self._url(host), r.choice([301, 302]),
                          [("Location", target), ("Content-Type", "text/html")], body, "text/html")  # fmt: skip
        if kind == "404":
            body = b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
            return Record(self._url(host), 404, [("Content-Type", "text/html")], body, "text/html")
        if kind == "robots":
            body = b"User-agent: *\nDisallow: /admin/\nDisallow: /search\n\nSitemap: /sitemap.xml\n"
            if r.random() < 0.2:
                body += b"\nUser-agent: GPTBot\nDisallow: /\n"
            return Record(
                f"https://{host}/robots.txt",
                200,
                [("Content-Type", "text/plain")],
                body,
                "text/plain",
            )
        if kind == "image":
            return Record(self._url(host, "png"), 200, [("Content-Type", "image/png")],
                          _png(r, r.choice([16, 32, 48])), "image/png")  # fmt: skip
        return Record(
            self._url(host, "pdf"),
            200,
            [("Content-Type", "application/pdf")],
            self.pdf,
            "application/pdf",
        )

    def next_record(self) -> Record:
        r = self.rng
        if r.random() < 0.12:
            return self.non_html()
        return self.japanese() if r.random() < self.japanese_share else self.other()


def _http_headers(rec: Record) -> StatusAndHeaders:
    reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found"}[rec.status]
    headers = [
        ("Date", HTTP_DATE),
        ("Server", "nginx"),
        *rec.headers,
        ("Content-Length", str(len(rec.body))),
    ]
    return StatusAndHeaders(f"{rec.status} {reason}", headers, protocol="HTTP/1.1")


def write_segment(
    data: Path, out: Path, size: int, files: int = 4, seed: int = 0, japanese_share: float = 0.05
) -> list[Path]:
    """Write ``files`` gzip WARC files of about ``size / files`` bytes each, and ``truth.jsonl``."""
    out.mkdir(parents=True, exist_ok=True)
    mix = WebMix(data, seed, japanese_share)
    ids = random.Random(seed + 2)
    paths = []
    with (out / "truth.jsonl").open("w", encoding="utf-8") as truth:
        for i in range(files):
            path = out / f"segment-{i:05d}.warc.gz"
            with path.open("wb") as f:
                writer = WARCWriter(f, gzip=True)

                def headers(**extra: str) -> dict:
                    rid = uuid.UUID(int=ids.getrandbits(128), version=4)
                    return {"WARC-Record-ID": f"<urn:uuid:{rid}>", "WARC-Date": WARC_DATE, **extra}

                info = writer.create_warcinfo_record(
                    path.name, {"software": "bench/web_data.py", "isPartOf": "bench"}
                )
                info.rec_headers.replace_header("WARC-Record-ID", headers()["WARC-Record-ID"])
                info.rec_headers.replace_header("WARC-Date", WARC_DATE)
                writer.write_record(info)
                while f.tell() < size // files:
                    rec = mix.next_record()
                    host = rec.url.split("/")[2]
                    req = StatusAndHeaders(f"GET /{rec.url.split('/', 3)[3]} HTTP/1.1",
                                           [("Host", host), ("User-Agent", "bench-crawler/1.0")],
                                           is_http_request=True)  # fmt: skip
                    writer.write_record(writer.create_warc_record(rec.url, "request", http_headers=req,
                                                                  warc_headers_dict=headers()))  # fmt: skip
                    writer.write_record(
                        writer.create_warc_record(
                            rec.url, "response", payload=io.BytesIO(rec.body), http_headers=_http_headers(rec),
                            warc_headers_dict=headers(**{"WARC-Identified-Payload-Type": rec.payload_type,
                                                         "WARC-IP-Address": "192.0.2.1"}),
                        )
                    )  # fmt: skip
                    if rec.truth is not None:
                        truth.write(json.dumps({"url": rec.url, "file": path.name, **rec.truth},
                                               ensure_ascii=False) + "\n")  # fmt: skip
            paths.append(path)
    return paths


def parse_size(text: str) -> int:
    """``100MB`` → 104857600 (KB, MB, GB are powers of 1024)."""
    text = text.strip().upper().removesuffix("B")
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument(
        "--size", type=parse_size, default=parse_size("100MB"), help="100MB, 400MB, 1.6GB"
    )
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--japanese-share", type=float, default=0.05)
    args = ap.parse_args()
    paths = write_segment(
        args.data, args.out, args.size, args.files, args.seed, args.japanese_share
    )
    pages = sum(1 for _ in (args.out / "truth.jsonl").open())
    print(
        f"{len(paths)} files, {sum(p.stat().st_size for p in paths) / 1024**2:.1f} MB, {pages} HTML pages"
    )


if __name__ == "__main__":
    main()
