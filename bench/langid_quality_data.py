"""The labelled set for language ID and quality filtering: real clean text and generated junk.

Clean documents are real texts from the shared data folder (``../shared/data`` beside
the checkout, or ``/work/shared/data``) or, when it is absent, from the bundled sample
in ``pipelines/sample/``: Aozora Bunko works (新字新仮名 and 旧字旧仮名), e-Gov law
pages and law XML, and Japanese Wikipedia articles. Each is turned into plain text with
the simple cleaning a connector does (ruby, annotations, header and footer for Aozora;
tags for HTML and XML; the commonest markup for wikitext).

Junk documents are generated, deterministically from a seed, in the kinds a web crawl
brings: navigation menus, keyword spam, repeated lines, mojibake and machine-generated
lists. Generators reuse real Japanese sentences and words so that a rule has to look at
structure, not only at the script.

Used by ``bench/langid_quality.py`` (precision/recall per kind) and by the tests.
"""

from __future__ import annotations

import gzip
import html
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "pipelines" / "sample"


def shared_data() -> Path | None:
    """The shared data folder, if present (``../shared/data`` first)."""
    for candidate in (REPO.parent / "shared" / "data", Path("/work/shared/data")):
        if (candidate / "aozora").is_dir():
            return candidate
    return None


@dataclass(frozen=True)
class LabelledDoc:
    id: str
    text: str
    kind: str  # "clean" or the junk kind
    genre: str  # aozora, aozora-kyuji, law, law-katakana, wikipedia, or the junk kind

    @property
    def is_junk(self) -> bool:
        return self.kind != "clean"


# --------------------------------------------------------------------------- clean text

_RUBY = re.compile(r"《[^》\n]*》")
_NOTE = re.compile(r"※?［＃[^］\n]*］")
_DASHES = re.compile(r"^-{20,}\s*$", re.M)


def clean_aozora(raw: str) -> str:
    """Aozora text file → body text: header, notation block, ruby, annotations, footer removed."""
    text = raw.replace("\r\n", "\n")
    marks = list(_DASHES.finditer(text))
    if len(marks) >= 2:
        text = text[marks[1].end() :]
    else:
        text = "\n".join(text.split("\n")[2:])
    footer = re.search(r"^底本[：:]", text, re.M)
    if footer:
        text = text[: footer.start()]
    text = _NOTE.sub("", _RUBY.sub("", text)).replace("｜", "")
    text = text.replace("／＼", "〳〵").replace("／″＼", "〴〵")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _aozora_kana_style(path: Path, manifest: dict[str, str]) -> str:
    return manifest.get(path.name, "")


def aozora_docs(root: Path, limit: int | None = None) -> Iterator[LabelledDoc]:
    """Japanese Aozora works under ``root`` (``cards/…``); the English ones are skipped."""
    styles: dict[str, tuple[str, str]] = {}
    manifest = root / "MANIFEST.tsv"
    if manifest.exists():
        rows = manifest.read_text("utf-8").splitlines()
        header = rows[0].split("\t")
        for line in rows[1:]:
            row = dict(zip(header, line.split("\t"), strict=False))
            styles[Path(row["path"]).name] = (row.get("文字遣い種別", ""), row.get("title", ""))
    n = 0
    for path in sorted(root.glob("cards/*/files/*/*.txt")):
        style, _title = styles.get(path.name, ("", ""))
        if style == "その他":  # the two English texts
            continue
        text = clean_aozora(path.read_bytes().decode("cp932", errors="replace"))
        genre = "aozora-kyuji" if style.startswith("旧字") else "aozora"
        yield LabelledDoc(f"aozora/{path.stem}", text, "clean", genre)
        n += 1
        if limit and n >= limit:
            return


class _BlockText(HTMLParser):
    """HTML → text with one line per block element (BR, DIV, P, TR)."""

    BLOCKS = {"br", "div", "p", "tr", "li", "h1", "h2", "h3", "h4", "table", "dt", "dd"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("style", "script", "head"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data.replace("\n", ""))

    def text(self) -> str:
        lines = (ln.strip(" \t") for ln in "".join(self.parts).split("\n"))
        return "\n".join(ln for ln in lines if ln.strip())


def html_to_text(markup: str) -> str:
    parser = _BlockText()
    parser.feed(markup)
    parser.close()
    return parser.text()


def law_docs(root: Path, limit: int | None = None) -> Iterator[LabelledDoc]:
    """Law pages (2013 e-Gov HTML, Shift_JIS) and law XML under ``root``."""
    n = 0
    html_dir = root / "html_2013" if (root / "html_2013").is_dir() else root / "html"
    for path in sorted(html_dir.glob("*.html")):
        text = html_to_text(path.read_bytes().decode("cp932", errors="replace"))
        yield LabelledDoc(f"law/{path.stem[:16]}", text, "clean", _law_genre(text))
        n += 1
        if limit and n >= limit:
            return
    for path in sorted((root / "xml").glob("*.xml")):
        body = re.sub(r"<[^>]+>", "\n", path.read_text("utf-8"))
        text = "\n".join(ln.strip() for ln in html.unescape(body).split("\n") if ln.strip())
        yield LabelledDoc(f"law/{path.stem}", text, "clean", "law")


def _law_genre(text: str) -> str:
    """``law-katakana`` for 旧法令 style: the katakana genitive ノ outnumbers the hiragana の."""
    return "law-katakana" if text.count("ノ") > text.count("の") else "law"


_WIKI_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_WIKI_LINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]]*)\]\]")
_WIKI_REF = re.compile(r"<ref[^>/]*/>|<ref[^>]*>.*?</ref>", re.S)


def clean_wikitext(markup: str) -> str:
    """Wikitext → text, roughly: templates, tables, refs, files and emphasis removed."""
    text = _WIKI_REF.sub("", markup)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    for _ in range(5):
        text, n = _WIKI_TEMPLATE.subn("", text)
        if not n:
            break
    text = re.sub(r"\{\|.*?\|\}", "", text, flags=re.S)
    text = re.sub(
        r"\[\[(?:ファイル|画像|File|Image|Category|カテゴリ):[^\n]*?\]\](?=\n|$)", "", text
    )
    text = _WIKI_LINK.sub(r"\1", text)
    text = re.sub(r"\[https?://\S+ ([^\]]*)\]", r"\1", text)
    text = re.sub(r"'{2,}", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith(("|", "!", "{", "}")):
            continue
        line = re.sub(r"^=+\s*(.*?)\s*=+$", r"\1", line)
        lines.append(line)
    return "\n".join(lines)


def wikipedia_docs(root: Path, limit: int | None = None) -> Iterator[LabelledDoc]:
    """Japanese Wikipedia: the 人工知能 article and the country articles (wikitext cleaned)."""
    n = 0
    for txt in sorted(root.glob("**/*.ja.txt")):
        yield LabelledDoc(
            f"wikipedia/{txt.stem}", txt.read_text("utf-8").strip(), "clean", "wikipedia"
        )
        n += 1
    for dump in sorted(root.glob("jawiki-country*.json.gz")):
        with gzip.open(dump, "rt", encoding="utf-8") as fh:
            for line in fh:
                if limit and n >= limit:
                    return
                article = json.loads(line)
                text = clean_wikitext(article["text"])
                yield LabelledDoc(f"wikipedia/{article['title']}", text, "clean", "wikipedia")
                n += 1


def clean_docs(per_genre: int | None = None) -> list[LabelledDoc]:
    """Real clean documents: shared data when present, else the bundled sample."""
    root = shared_data()
    if root is not None:
        aozora, laws, wiki = root / "aozora", root / "egov_laws", root / "jawiki"
    else:
        aozora, laws, wiki = SAMPLE / "aozora", SAMPLE / "laws", SAMPLE / "wikipedia"
    docs = list(aozora_docs(aozora, per_genre))
    docs += list(law_docs(laws, per_genre))
    docs += list(wikipedia_docs(wiki, per_genre))
    return docs


def sample_docs() -> dict[str, list[LabelledDoc]]:
    """The curated bundled sources of ``pipelines/sample/``, by source."""
    return {
        "aozora": list(aozora_docs(SAMPLE / "aozora")),
        "egov_law": list(law_docs(SAMPLE / "laws")),
        "wikipedia": list(wikipedia_docs(SAMPLE / "wikipedia")),
    }


# --------------------------------------------------------------------------- junk text

MENU_WORDS = (
    "ホーム トップページ 会社概要 企業情報 事業内容 サービス 製品情報 お知らせ 新着情報 "
    "採用情報 お問い合わせ アクセス サイトマップ プライバシーポリシー 利用規約 ログイン "
    "新規登録 マイページ カート よくある質問 ヘルプ ブログ カテゴリー アーカイブ 検索 "
    "前へ 次へ 一覧に戻る ページトップへ メニュー 閉じる English 日本語 RSS ランキング "
    "特集 キャンペーン 店舗情報 会員登録 ご利用ガイド 送料について 返品について"
).split()

SPAM_WORDS = (
    "激安 格安 通販 最安値 送料無料 東京 大阪 名古屋 福岡 ホテル 予約 比較 口コミ 評判 "
    "ランキング おすすめ 人気 中古 買取 査定 即日 無料 脱毛 ダイエット 副業 稼ぐ 簡単 "
    "出会い 婚活 保険 ローン 審査 キャッシング 転職 求人 アルバイト 京都 札幌 神戸"
).split()

SENTENCE = re.compile(r"[^。！？\n]{8,80}[。！？]")


def _sentences(docs: list[LabelledDoc]) -> list[str]:
    out: list[str] = []
    for doc in docs:
        if doc.genre in ("aozora", "wikipedia"):
            out += SENTENCE.findall(doc.text)[:200]
    return [s.strip("　 ") for s in out]


def _nouns(sentences: list[str]) -> list[str]:
    words = set()
    for s in sentences:
        words.update(re.findall(r"[一-龥]{2,4}|[ァ-ヺー]{3,8}", s))
    return sorted(words)


def navigation_menu(rng: random.Random, sentences: list[str], nouns: list[str]) -> str:
    """A page whose text is mostly menu items, breadcrumbs and footer, with a little content."""
    lines = []
    lines += rng.sample(MENU_WORDS, rng.randint(8, 16))
    lines.append(" > ".join(["ホーム", *rng.sample(nouns, 2)]))
    lines += rng.sample(sentences, rng.randint(1, 3))
    lines += [f"{w}（{rng.randint(1, 120)}）" for w in rng.sample(nouns, rng.randint(6, 14))]
    lines += rng.sample(MENU_WORDS, rng.randint(8, 16))
    lines.append(f"Copyright © {rng.randint(2005, 2025)} {rng.choice(nouns)} All Rights Reserved.")
    return "\n".join(lines)


def keyword_spam(rng: random.Random, sentences: list[str], nouns: list[str]) -> str:
    """SEO keyword stuffing: the same few keywords in endless combinations."""
    pool = rng.sample(SPAM_WORDS, 8) + rng.sample(nouns, 4)
    lines = []
    for _ in range(rng.randint(15, 40)):
        words = [rng.choice(pool) for _ in range(rng.randint(4, 10))]
        sep = rng.choice([" ", "・", "｜", "、", " "])
        lines.append(sep.join(words) + rng.choice(["", "", "！", "なら当店へ", "はこちら"]))
    if rng.random() < 0.5:
        lines.insert(rng.randint(0, len(lines)), rng.choice(sentences))
    return "\n".join(lines)


def repeated_lines(rng: random.Random, sentences: list[str], nouns: list[str]) -> str:
    """A few real lines repeated many times (template pages, scraper loops)."""
    unique = rng.sample(sentences, rng.randint(2, 5))
    lines = [rng.choice(unique) for _ in range(rng.randint(20, 60))]
    return "\n".join(lines)


def _mojibake_variant(rng: random.Random, text: str) -> str:
    how = rng.choice(["utf8-as-cp932", "utf8-as-latin1", "utf8-as-cp1252", "sjis-as-latin1"])
    if how == "utf8-as-cp932":
        return text.encode("utf-8").decode("cp932", errors="replace")
    if how == "utf8-as-latin1":
        return text.encode("utf-8").decode("latin-1")
    if how == "utf8-as-cp1252":
        return text.encode("utf-8").decode("cp1252", errors="replace")
    return text.encode("cp932", errors="replace").decode("latin-1")


def mojibake(rng: random.Random, sentences: list[str], nouns: list[str]) -> str:
    """Real Japanese text decoded with the wrong encoding."""
    text = "\n".join(rng.sample(sentences, rng.randint(8, 20)))
    return _mojibake_variant(rng, text)


def machine_list(rng: random.Random, sentences: list[str], nouns: list[str]) -> str:
    """Generated listings: product tables, date lists, ranking entries, tag clouds."""
    style = rng.choice(["products", "dates", "ranking", "tags"])
    n = rng.randint(20, 50)
    if style == "products":
        rows = [
            f"商品番号：{rng.randint(10000, 99999)}　{rng.choice(nouns)}{rng.choice(nouns)}　"
            f"価格：{rng.randint(1, 99):,}{rng.randint(100, 999)}円（税込）　在庫：{rng.choice(['あり', 'なし', '残りわずか'])}"
            for _ in range(n)
        ]
    elif style == "dates":
        rows = [
            f"{rng.randint(2010, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日　{rng.choice(nouns)}の{rng.choice(['お知らせ', '更新', '入荷情報', '開催情報'])}"
            for _ in range(n)
        ]
    elif style == "ranking":
        rows = [
            f"第{i}位　{rng.choice(nouns)}　★{rng.randint(1, 5)}.{rng.randint(0, 9)}　({rng.randint(1, 999)}件)"
            for i in range(1, n + 1)
        ]
    else:
        rows = [
            " ".join(f"#{w}" for w in rng.sample(nouns, rng.randint(5, 12))) for _ in range(n // 3)
        ]
    return "\n".join(rows)


JUNK_KINDS = {
    "navigation_menu": navigation_menu,
    "keyword_spam": keyword_spam,
    "repeated_lines": repeated_lines,
    "mojibake": mojibake,
    "machine_list": machine_list,
}


def junk_docs(clean: list[LabelledDoc], per_kind: int, seed: int = 0) -> list[LabelledDoc]:
    """``per_kind`` generated documents of every junk kind, reproducible from ``seed``."""
    sentences = _sentences(clean)
    nouns = _nouns(sentences)
    out = []
    for kind, make in JUNK_KINDS.items():
        rng = random.Random(f"{seed}-{kind}")
        for i in range(per_kind):
            out.append(LabelledDoc(f"{kind}/{i}", make(rng, sentences, nouns), kind, kind))
    return out


def labelled_set(
    per_kind: int = 50, per_genre: int | None = None, seed: int = 0
) -> list[LabelledDoc]:
    """Clean real documents plus ``per_kind`` junk documents of each kind."""
    clean = clean_docs(per_genre)
    return clean + junk_docs(clean, per_kind, seed)
