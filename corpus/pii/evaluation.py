"""Evaluation set for the PII scrubber: real sentences with injected PII and look-alikes.

Generator
    Carrier sentences are real Japanese text (Tatoeba sentences, the Wikipedia article
    人工知能, Aozora texts — whatever files are given). A carrier is used only if it
    holds no digit, ``@``, honorific or name label, so it brings no unlabeled PII of
    its own. Between carriers, phrases are injected that hold PII of every type in the
    formats Japanese web text uses (hyphens, brackets, spaces, full-width digits,
    ー/－ dashes, ``+81``; names and addresses from the gimei lists, a quarter of the
    family names built outside the lexicon the recognizer uses) and *look-alikes* that
    must stay: dates, times, law numbers, article numbers, ISBNs, prices, version
    numbers, order numbers, digit strings whose check digit fails, role words before
    honorifics (社長さん, ご先祖様).
Law text
    Law pages (e-Gov HTML, Shift_JIS) and 法令XML with tags stripped; nothing in them
    may be masked.
Scorer
    A gold span is found when a prediction of its type overlaps it; a prediction is
    correct when it overlaps a gold span of its type. Recall per gold type, precision
    per predicted type, look-alikes masked per kind, masks in law text.

Run the full evaluation (prints the tables; exit 1 if a goal is missed)::

    python -m corpus.pii.evaluation --data /work/shared/data --docs 2000
"""

from __future__ import annotations

import argparse
import glob
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.pii.checksums import (
    corporate_number_check_digit,
    luhn_check_digit,
    my_number_check_digit,
)
from corpus.pii.entities import PATTERN_TYPES, PiiType
from corpus.pii.lexicon import DATA_DIR, HONORIFICS, NAME_LABELS, NameLexicon, _load_yaml
from corpus.pii.replace import Detection, resolve
from corpus.text.encoding import decode_japanese

#: Goals of the evaluation (recall ≥ 0.98 patterns, ≥ 0.85 names, precision ≥ 0.95).
PATTERN_RECALL_GOAL = 0.98
NAME_RECALL_GOAL = 0.85
PRECISION_GOAL = 0.95

LOOKALIKE = "LOOKALIKE"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str  # a PiiType value, or "LOOKALIKE:<kind>"


@dataclass
class EvalDoc:
    id: str
    text: str
    kind: str  # "web" (names masked) or "law" (names not masked)
    spans: list[Span] = field(default_factory=list)

    @property
    def names(self) -> bool:
        return self.kind == "web"


# ---------------------------------------------------------------------------- carriers

_UNSAFE_CARRIER = re.compile(
    "[0-9０-９@＠]|" + "|".join(re.escape(w) for w in (*HONORIFICS, *NAME_LABELS))
)


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？ (line breaks also end one).

    >>> split_sentences("猫がいる。犬もいる！\\n鳥は？")
    ['猫がいる。', '犬もいる！', '鳥は？']
    """
    return [s.strip() for s in re.findall(r"[^。！？\n]+[。！？]?", text) if s.strip()]


def is_safe_carrier(sentence: str) -> bool:
    """A carrier sentence brings no PII-like material of its own.

    >>> is_safe_carrier("今日はとても暑いですね。"), is_safe_carrier("田中さんは3時に来た。")
    (True, False)
    """
    return 8 <= len(sentence) <= 120 and not _UNSAFE_CARRIER.search(sentence)


def load_carriers(paths: Iterable[str | Path]) -> list[str]:
    """Safe carrier sentences from Tatoeba TSV (column 2), text files (any Japanese encoding)."""
    sentences: list[str] = []
    for path in map(Path, paths):
        data = path.read_bytes()
        text, _ = decode_japanese(data)
        if path.suffix == ".tsv":
            lines = (line.split("\t")[1] for line in text.splitlines() if "\t" in line)
        else:
            text = re.sub(r"《[^》]*》|［＃[^］]*］|｜", "", text)  # Aozora ruby and notes
            lines = text.splitlines()
        for line in lines:
            sentences.extend(s for s in split_sentences(line) if is_safe_carrier(s))
    return list(dict.fromkeys(sentences))


def load_real_texts(paths: Iterable[str | Path], lines_per_text: int = 100) -> list[str]:
    """Unfiltered real text (no injections), in chunks of ``lines_per_text`` lines."""
    texts: list[str] = []
    for path in map(Path, paths):
        text, _ = decode_japanese(path.read_bytes())
        lines = text.splitlines()
        if path.suffix == ".tsv":
            lines = [line.split("\t")[1] for line in lines if "\t" in line]
        for i in range(0, len(lines), lines_per_text):
            texts.append("\n".join(lines[i : i + lines_per_text]))
    return texts


def strip_tags(markup: str) -> str:
    """Text of an HTML or XML page: scripts dropped, tags removed, entities kept simple.

    >>> strip_tags("<p>第一条　この法律は<br>、…</p>")
    '第一条\\u3000この法律は\\n、…'
    """
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li|h\d)>", "\n", markup)
    text = re.sub(r"<[^>]+>", "", markup)
    for entity, char in (("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def load_law_docs(paths: Iterable[str | Path]) -> list[EvalDoc]:
    """Law pages and 法令XML as tag-stripped text documents (no PII inside)."""
    docs = []
    for path in map(Path, paths):
        text, _ = decode_japanese(path.read_bytes())
        docs.append(EvalDoc(id=f"law:{path.name[:24]}", text=strip_tags(text), kind="law"))
    return docs


# ---------------------------------------------------------------------------- injections

Phrase = tuple[str, list[tuple[int, int, str]]]
_FW = str.maketrans("0123456789-", "０１２３４５６７８９－")


def _digits(rng: random.Random, n: int, first: str = "0123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def _phrase(template: str, value: str, label: str) -> Phrase:
    """Fill ``{}`` in ``template`` with ``value`` and record its span."""
    start = template.index("{}")
    return template.replace("{}", value, 1), [(start, start + len(value), label)]


def _kanji_number(n: int) -> str:
    """Kanji numeral for 1–99, as laws and formal addresses write it.

    >>> _kanji_number(5), _kanji_number(10), _kanji_number(27)
    ('五', '十', '二十七')
    """
    digits = "〇一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return (
        (digits[tens] if tens > 1 else "") + ("十" if tens else "") + (digits[ones] if ones else "")
    )


class Injector:
    """Makes injected phrases: one method per PII type and one for look-alikes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        lex = NameLexicon.bundled()
        self.family = list(lex.family_names)
        self.given = list(lex.given_names)
        self._family_set = set(self.family)
        addresses = _load_yaml(DATA_DIR / "addresses.yaml")["addresses"]
        self.prefectures = [row[0] for row in addresses["prefecture"]]
        self.cities = [row[0] for row in addresses["city"]]
        self.towns = [row[0] for row in addresses["town"]]
        names = _load_yaml(DATA_DIR / "names.yaml")
        self.romaji = [row[3].lower() for row in names["last_name"]]

    # --- pattern types -------------------------------------------------------
    def email(self) -> Phrase:
        r = self.rng
        local = r.choice(self.romaji) + r.choice(["", ".", "_", "-"]) + _digits(r, r.randint(1, 4))
        domain = r.choice(
            ["example.com", "example.co.jp", "mail.example.ne.jp", "example.jp", "ezweb.ne.jp"]
        )
        template = r.choice(
            [
                "メールアドレスは{}です。",
                "ご連絡は{}までお願いします。",
                "E-mail：{}",
                "{}に送りました。",
            ]
        )
        return _phrase(template, f"{local}@{domain}", PiiType.EMAIL)

    def phone(self) -> Phrase:
        r = self.rng
        kind = r.choice(["mobile", "landline", "tollfree", "intl"])
        if kind == "mobile":
            groups = [r.choice(["090", "080", "070", "050"]), _digits(r, 4), _digits(r, 4)]
        elif kind == "tollfree":
            groups = r.choice(
                [["0120", _digits(r, 3), _digits(r, 3)], ["0800", _digits(r, 3), _digits(r, 4)]]
            )
        else:
            area = r.choice(["3", "6", "11", "45", "52", "92", "422", "476", "1564", "994"])
            groups = ["0" + area, _digits(r, 5 - len(area), "123456789"), _digits(r, 4)]
        if kind == "intl":
            number = "+81-" + groups[0][1:] + "-" + "-".join(groups[1:])
            number = r.choice(
                [
                    number,
                    number.replace("-", " "),
                    "+81(0)" + groups[0][1:] + "-" + "-".join(groups[1:]),
                ]
            )
        else:
            style = r.choice(
                ["hyphen", "hyphen", "fullwidth", "choon", "space", "paren", "paren2", "plain"]
            )
            number = {
                "hyphen": "-".join(groups),
                "fullwidth": "-".join(groups).translate(_FW),
                "choon": "ー".join(groups).translate(_FW),
                "space": " ".join(groups),
                "paren": f"({groups[0]}){groups[1]}-{groups[2]}",
                "paren2": f"{groups[0]}({groups[1]}){groups[2]}",
                "plain": "".join(groups),
            }[style]
        template = r.choice(
            [
                "電話番号：{}",
                "TEL {}",
                "携帯は{}です。",
                "お問い合わせ（電話）{}まで。",
                "連絡先 {}",
            ]
            + (["{}までお電話ください。", "（{}）"] if not number.isdigit() else [])
        )
        return _phrase(template, number, PiiType.PHONE)

    def my_number(self) -> Phrase:
        r = self.rng
        base = _digits(r, 11)
        n = base + str(my_number_check_digit(base))
        n = r.choice(
            [n, f"{n[:4]} {n[4:8]} {n[8:]}", f"{n[:4]}-{n[4:8]}-{n[8:]}", n.translate(_FW)]
        )
        template = r.choice(["マイナンバー：{}", "個人番号 {}", "マイナンバーは{}です。"])
        return _phrase(template, n, PiiType.MY_NUMBER)

    def corporate_number(self) -> Phrase:
        r = self.rng
        base = _digits(r, 12)
        n = str(corporate_number_check_digit(base)) + base
        template, value = r.choice(
            [
                ("法人番号：{}", n),
                ("登録番号 {}", "T" + n),
                ("適格請求書発行事業者登録番号{}", "T" + n),
            ]
        )
        return _phrase(template, value, PiiType.CORPORATE_NUMBER)

    def credit_card(self) -> Phrase:
        r = self.rng
        brand = r.choice(["4", "5", "35", "37"])
        length = 15 if brand == "37" else 16
        base = brand + _digits(r, length - 1 - len(brand))
        n = base + str(luhn_check_digit(base))
        if length == 15:
            grouped = [n[:4], n[4:10], n[10:]]
        else:
            grouped = [n[i : i + 4] for i in range(0, 16, 4)]
        sep = r.choice([" ", "-", "", "－"])
        value = sep.join(grouped)
        if sep == "－":
            value = value.translate(_FW)
        template = r.choice(["カード番号 {}", "クレジットカード：{}", "{}で決済しました。"])
        return _phrase(template, value, PiiType.CREDIT_CARD)

    def postal_code(self) -> Phrase:
        r = self.rng
        code = f"{_digits(r, 3)}-{_digits(r, 4)}"
        template = r.choice(["〒{}", "郵便番号：{}", "〒 {}", "郵便番号は{}です。"])
        return _phrase(
            template, code.translate(_FW) if r.random() < 0.2 else code, PiiType.POSTAL_CODE
        )

    def ip_address(self) -> Phrase:
        r = self.rng
        if r.random() < 0.6:
            ip = ".".join(str(r.randint(1 if i == 0 else 0, 254)) for i in range(4))
        else:
            groups = [f"{r.randint(0, 0xFFFF):x}" for _ in range(8)]
            ip = r.choice([":".join(groups), f"2001:db8::{groups[0]}:{groups[1]}"])
        template = r.choice(
            ["IPアドレス {}", "接続元 {} からのアクセス", "{}からログインがありました。"]
        )
        return _phrase(template, ip, PiiType.IP_ADDRESS)

    def bank_account(self) -> Phrase:
        r = self.rng
        number = _digits(r, 7)
        bank = r.choice(["みずほ銀行", "三井住友銀行", "りそな銀行", "横浜銀行", "〇〇信用金庫"])
        branch = r.choice(self.towns).rstrip("町") + "支店"
        template = r.choice(
            [
                "口座番号：{}",
                f"{bank} {branch} 普通 {{}}",
                f"振込先は{bank}{branch}、普通預金{{}}です。",
                "当座 {}",
                f"{branch}（普通）{{}}",
            ]
        )
        return _phrase(template, number, PiiType.BANK_ACCOUNT)

    def street_address(self) -> Phrase:
        r = self.rng
        a, b, c = r.randint(1, 9), r.randint(1, 40), r.randint(1, 30)
        kanji = "〇一二三四五六七八九"
        block = r.choice(
            [
                f"{a}-{b}-{c}",
                f"{a}丁目{b}番{c}号",
                f"{kanji[a]}丁目{b}-{c}",
                f"{a}-{b}-{c}".translate(_FW),
                f"{r.randint(1, 2000)}番地",
                f"{a}丁目{b}番地",
                f"{b}番地{c}",
                f"{kanji[a]}丁目{_kanji_number(b)}番{_kanji_number(c)}号",
            ]
        )
        town = r.choice(self.towns)
        area = r.choice(self.cities) + town
        if r.random() < 0.75:
            area = r.choice(self.prefectures) + area
        address = area + block
        building = r.choice(
            ["", "", " サンハイツ203号室", " グリーンコート1005", "メゾン桜101号室"]
        )
        template = r.choice(["住所：{}", "{}に住んでいます。", "実家は{}にあります。", "送付先 {}"])
        text, spans = _phrase(template, address + building, PiiType.ADDRESS)
        start = spans[0][0]
        spans = [(start, start + len(address), PiiType.ADDRESS)]
        if r.random() < 0.3:
            code = f"〒{_digits(r, 3)}-{_digits(r, 4)} "
            spans = [(1, len(code) - 1, PiiType.POSTAL_CODE)] + [
                (s + len(code), e + len(code), t) for s, e, t in spans
            ]
            text = code + text
        return text, spans

    # --- names ---------------------------------------------------------------
    def family_name(self) -> str:
        """A gimei family name, or (one time in four) a made-up one outside the lexicon."""
        r = self.rng
        if r.random() < 0.75:
            return r.choice(self.family)
        while True:
            made = r.choice(self.family)[0] + r.choice(self.family)[-1]
            if made not in self._family_set and made[0] != made[1]:
                return made

    def person(self) -> Phrase:
        r = self.rng
        family, given = (
            self.family_name(),
            r.choice([g for g in self.given if len(g) >= 2] or self.given),
        )
        full = family + r.choice(["", "", " ", "　"]) + given
        template, value = r.choice(
            [
                ("{}さんから連絡がありました。", full),
                ("{}様", full),
                ("{}様へ", family),
                ("{}さんと会いました。", family),
                ("{}先生に相談した。", family),
                ("{}氏によると", full),
                ("担当：{}", full),
                ("氏名：{}", full),
                ("お名前　{}", full),
                ("作成者：{}", family),
                ("{}ちゃんが笑った。", given),
                ("{}くんは元気です。", given),
                ("昨日、{}が来ました。", full),
                ("{}（32）は", full),
            ]
        )
        return _phrase(template, value, PiiType.PERSON)

    # --- look-alikes -----------------------------------------------------------
    def lookalike(self) -> Phrase:
        r = self.rng
        y, m, d = r.randint(1990, 2030), r.randint(1, 12), r.randint(1, 28)
        base = _digits(r, 11)
        bad_my_number = base + str((my_number_check_digit(base) + r.randint(1, 9)) % 10)
        card = "4" + _digits(r, 14)
        bad_card = card + str((luhn_check_digit(card) + r.randint(1, 9)) % 10)
        corp = _digits(r, 12)
        bad_corp = str((corporate_number_check_digit(corp) % 9) + 1) + corp
        kinds: list[tuple[str, str, str]] = [
            ("date", "{}に開催します。", f"{y}年{m}月{d}日"),
            ("date", "更新日 {}", f"{y}-{m:02d}-{d:02d}"),
            ("date", "{}時点", f"{y}/{m:02d}/{d:02d}"),
            ("date", "{}から", f"令和{r.randint(1, 7)}年{m}月{d}日"),
            ("time", "{}に集合", f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}"),
            ("time", "{}開始", f"午前{r.randint(1, 11)}時{r.randint(0, 59)}分"),
            (
                "time",
                "記録 {}",
                f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
            ),
            (
                "law_number",
                "{}による",
                r.choice(
                    [
                        "平成十五年法律第五十七号",
                        "昭和二十二年法律第六十七号",
                        "平成二十五年政令第三百号",
                    ]
                ),
            ),
            (
                "article",
                "{}の規定",
                r.choice(["第12条第3項", "第三条第二項第一号", "第二百五十二条の十九"]),
            ),
            (
                "isbn",
                "{}",
                r.choice(["ISBN978-4-10-101001-3", "ISBN 9784101010014", "ISBN4-00-310101-4"]),
            ),
            (
                "price",
                "価格は{}です。",
                r.choice(
                    [
                        f"{r.randint(1, 99)},{r.randint(100, 999)}円",
                        f"¥{r.randint(1, 999)},{r.randint(100, 999)}",
                        "１２，８００円",
                    ]
                ),
            ),
            (
                "version",
                "{}に更新",
                r.choice(
                    [
                        f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
                        f"Python 3.{r.randint(6, 13)}.{r.randint(0, 9)}",
                        f"Ver.{r.randint(1, 12)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
                    ]
                ),
            ),
            ("bad_checksum", "マイナンバー（誤記）{}", bad_my_number),
            (
                "bad_checksum",
                "カード番号 {}",
                " ".join(bad_card[i : i + 4] for i in range(0, 16, 4)),
            ),
            ("bad_checksum", "法人番号 {}", bad_corp),
            ("order_number", "注文番号：{}", f"A-{y}{m:02d}{d:02d}-{_digits(r, 4)}"),
            (
                "quantity",
                "人口は約{}人",
                f"{r.randint(1, 999)},{r.randint(100, 999)},{r.randint(100, 999)}",
            ),
            (
                "role_word",
                "{}に伝えた。",
                r.choice(
                    [
                        "社長さん",
                        "お客様",
                        "皆さん",
                        "ご先祖様",
                        "運転手さん",
                        "八百屋さん",
                        "お疲れ様",
                        "神様",
                    ]
                ),
            ),
            ("role_word", "{}な意見", "様々"),
        ]
        kind, template, value = r.choice(kinds)
        return _phrase(template, value, f"{LOOKALIKE}:{kind}")


def generate(
    carriers: list[str], n_docs: int, seed: int = 0, corporate_numbers: bool = True
) -> list[EvalDoc]:
    """``n_docs`` web-like documents: carriers with 1–3 PII phrases and 1–2 look-alikes each.

    Every PII type is injected round-robin, so each appears about equally often.
    """
    if len(carriers) < 10:
        raise ValueError(f"need at least 10 carrier sentences, got {len(carriers)}")
    rng = random.Random(seed)
    inj = Injector(rng)
    makers: list[Callable[[], Phrase]] = [
        inj.email,
        inj.phone,
        inj.phone,
        inj.my_number,
        inj.credit_card,
        inj.postal_code,
        inj.ip_address,
        inj.bank_account,
        inj.street_address,
        inj.person,
        inj.person,
        inj.person,
    ]
    if corporate_numbers:
        makers.append(inj.corporate_number)
    docs = []
    turn = 0
    for i in range(n_docs):
        pieces: list[Phrase] = [(rng.choice(carriers), [])]
        for _ in range(rng.randint(1, 3)):
            pieces.append(makers[turn % len(makers)]())
            turn += 1
            pieces.append((rng.choice(carriers), []))
        for _ in range(rng.randint(1, 2)):
            pieces.insert(rng.randrange(len(pieces) + 1), inj.lookalike())
        docs.append(_join(f"web:{i:05d}", pieces, rng))
    return docs


def _join(doc_id: str, pieces: list[Phrase], rng: random.Random) -> EvalDoc:
    """Concatenate phrases; a value at a phrase edge is kept apart from its neighbour.

    Writers end a phone number or a name with a line break, a space or punctuation; two
    values glued together (「…5678」「2023年」) would be a different string.
    """
    text, spans = "", []
    value_at_end = False
    for phrase, phrase_spans in pieces:
        if text:
            value_at_start = any(s == 0 for s, _, _ in phrase_spans)
            if value_at_end or value_at_start:
                glued = text[-1] + phrase[0]
                text += rng.choice(["\n", "。", "、"] + ([] if re.search(r"\d", glued) else [" "]))
            else:
                text += rng.choice(["", "", "\n", " "])
        spans += [Span(len(text) + s, len(text) + e, str(label)) for s, e, label in phrase_spans]
        text += phrase
        value_at_end = any(e == len(phrase) for _, e, _ in phrase_spans)
    return EvalDoc(id=doc_id, text=text, kind="web", spans=spans)


# ---------------------------------------------------------------------------- scoring


@dataclass
class Report:
    """Counts behind the tables."""

    gold: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    predicted: Counter = field(default_factory=Counter)
    correct: Counter = field(default_factory=Counter)
    lookalikes: Counter = field(default_factory=Counter)
    lookalikes_masked: Counter = field(default_factory=Counter)
    law_chars: int = 0
    law_masked: Counter = field(default_factory=Counter)
    misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    false_positives: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def recall(self, label: str) -> float:
        return self.found[label] / self.gold[label] if self.gold[label] else 1.0

    def precision(self, label: str | None = None) -> float:
        if label is None:
            total = sum(self.predicted.values())
            return sum(self.correct.values()) / total if total else 1.0
        return self.correct[label] / self.predicted[label] if self.predicted[label] else 1.0

    def goals(self) -> dict[str, bool]:
        patterns = [t.value for t in PATTERN_TYPES if self.gold[t.value]]
        return {
            f"pattern recall ≥ {PATTERN_RECALL_GOAL}": all(
                self.recall(t) >= PATTERN_RECALL_GOAL for t in patterns
            ),
            f"name recall ≥ {NAME_RECALL_GOAL}": self.recall(PiiType.PERSON.value)
            >= NAME_RECALL_GOAL,
            f"precision ≥ {PRECISION_GOAL}": self.precision() >= PRECISION_GOAL,
            "no look-alike masked in law text": sum(self.law_masked.values()) == 0,
        }

    def table(self) -> str:
        lines = [
            f"{'type':<18}{'gold':>6}{'found':>7}{'recall':>8}{'masked':>8}{'correct':>8}{'precision':>10}",
        ]
        labels = [t.value for t in PiiType if self.gold[t.value] or self.predicted[t.value]]
        for label in labels:
            lines.append(
                f"{label:<18}{self.gold[label]:>6}{self.found[label]:>7}{self.recall(label):>8.3f}"
                f"{self.predicted[label]:>8}{self.correct[label]:>8}{self.precision(label):>10.3f}"
            )
        total_gold = sum(self.gold.values())
        lines.append(
            f"{'all':<18}{total_gold:>6}{sum(self.found.values()):>7}"
            f"{sum(self.found.values()) / max(total_gold, 1):>8.3f}{sum(self.predicted.values()):>8}"
            f"{sum(self.correct.values()):>8}{self.precision():>10.3f}"
        )
        lines.append("")
        lines.append(f"{'look-alike':<18}{'injected':>9}{'masked':>8}")
        for kind in sorted(self.lookalikes):
            lines.append(f"{kind:<18}{self.lookalikes[kind]:>9}{self.lookalikes_masked[kind]:>8}")
        lines.append("")
        masked = ", ".join(f"{k}={v}" for k, v in sorted(self.law_masked.items())) or "none"
        lines.append(f"law text: {self.law_chars:,} characters, masked: {masked}")
        lines.append("")
        for goal, met in self.goals().items():
            lines.append(f"[{'x' if met else ' '}] {goal}")
        return "\n".join(lines)


def score(docs: list[EvalDoc], detections: list[list[Detection]]) -> Report:
    """Compare resolved detections with the injected spans."""
    report = Report()
    for doc, found in zip(docs, detections, strict=True):
        predicted = resolve(found)
        if doc.kind == "law":
            report.law_chars += len(doc.text)
            for p in predicted:
                report.law_masked[p.type.value] += 1
                report.false_positives[p.type.value].append(
                    f"{doc.id}: {doc.text[p.start : p.end]}"
                )
            continue
        gold = [s for s in doc.spans if not s.label.startswith(LOOKALIKE)]
        for s in doc.spans:
            hit = [p for p in predicted if p.start < s.end and s.start < p.end]
            if s.label.startswith(LOOKALIKE):
                kind = s.label.split(":", 1)[1]
                report.lookalikes[kind] += 1
                report.lookalikes_masked[kind] += bool(hit)
                for p in hit:
                    report.false_positives[s.label].append(
                        f"{doc.id}: {doc.text[p.start : p.end]!r} ({p.type.value}) over {doc.text[s.start : s.end]!r}"
                    )
                continue
            report.gold[s.label] += 1
            if any(p.type.value == s.label for p in hit):
                report.found[s.label] += 1
            else:
                report.misses[s.label].append(
                    f"{doc.id}: {doc.text[max(0, s.start - 12) : s.end + 6]!r}"
                )
        for p in predicted:
            report.predicted[p.type.value] += 1
            if any(g.label == p.type.value and g.start < p.end and p.start < g.end for g in gold):
                report.correct[p.type.value] += 1
            else:
                context = doc.text[max(0, p.start - 10) : p.end + 6]
                report.false_positives[p.type.value].append(
                    f"{doc.id}: {doc.text[p.start : p.end]!r} in {context!r}"
                )
    return report


def real_text_audit(texts: list[str], scrubber) -> tuple[int, Counter, list[str]]:
    """Detections (names on) in real text without injections: for review by hand.

    Nothing here is labeled, so these are neither counted as errors nor as hits; they
    show what the scrubber takes out of ordinary text (people in Tatoeba sentences,
    researchers cited in Wikipedia, and its false positives).
    """
    counts: Counter = Counter()
    examples: list[str] = []
    for text, found in zip(texts, scrubber.detect(texts, [True] * len(texts)), strict=True):
        for p in resolve(found):
            counts[p.type.value] += 1
            examples.append(
                f"{p.type.value}: {text[p.start : p.end]!r} in {text[max(0, p.start - 8) : p.end + 6]!r}"
            )
    return sum(len(t) for t in texts), counts, examples


def evaluate(docs: list[EvalDoc], scrubber) -> Report:
    """Run ``scrubber`` (a :class:`~corpus.pii.scrubber.PiiScrubber`) over ``docs`` and score."""
    detections = scrubber.detect([d.text for d in docs], [d.names for d in docs])
    return score(docs, detections)


# ---------------------------------------------------------------------------- command line


def shared_data_inputs(root: Path) -> tuple[list[Path], list[Path]]:
    """Carrier files and law files under a ``/work/shared/data``-style folder."""
    carriers = [root / "tatoeba" / "jpn-eng.manythings.shared.tsv", root / "jawiki" / "ai.ja.txt"]
    laws = sorted(Path(p) for p in glob.glob(str(root / "egov_laws" / "html_2013" / "*.html")))
    laws += sorted(Path(p) for p in glob.glob(str(root / "egov_laws" / "xml" / "*.xml")))
    return [p for p in carriers if p.exists()], laws


def sample_inputs(repo: Path) -> tuple[list[Path], list[Path]]:
    """Carrier and law files of the bundled sample (``pipelines/sample``)."""
    sample = repo / "pipelines" / "sample"
    carriers = [sample / "wikipedia" / "text" / "ai.ja.txt"]
    carriers += sorted(sample.glob("aozora/cards/*/files/*/*.txt"))
    laws = sorted(sample.glob("laws/html/*.html")) + sorted(sample.glob("laws/xml/*.xml"))
    return carriers, laws


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, help="shared data folder (default: the bundled sample)"
    )
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ner", action="store_true", help="add GiNZA NER persons")
    parser.add_argument(
        "--show", type=int, default=5, help="misses and false positives shown per type"
    )
    args = parser.parse_args(argv)

    from corpus.pii.scrubber import PiiScrubber, ScrubberConfig

    if args.data:
        carrier_paths, law_paths = shared_data_inputs(args.data)
    else:
        carrier_paths, law_paths = sample_inputs(Path(__file__).resolve().parents[2])
    carriers = load_carriers(carrier_paths)
    docs = generate(carriers, args.docs, seed=args.seed) + load_law_docs(law_paths)
    scrubber = PiiScrubber(ScrubberConfig(corporate_numbers=True, ner=args.ner))
    report = evaluate(docs, scrubber)
    print(
        f"{args.docs} web-like documents from {len(carriers):,} carrier sentences "
        f"({', '.join(p.name for p in carrier_paths[:3])}{', …' if len(carrier_paths) > 3 else ''}); "
        f"{len(law_paths)} law files; NER {'on' if args.ner else 'off'}; corporate numbers on\n"
    )
    print(report.table())
    for title, examples in (("misses", report.misses), ("false positives", report.false_positives)):
        for label, items in sorted(examples.items()):
            print(f"\n{title} {label}:")
            for item in items[: args.show]:
                print("  ", item)
    if args.ner:  # the audit reads 700 k characters: too slow with GiNZA
        return 0 if all(report.goals().values()) else 1
    chars, counts, found = real_text_audit(load_real_texts(carrier_paths[:2]), scrubber)
    per_100k = ", ".join(
        f"{k}={v} ({v * 100_000 / chars:.1f}/100k chars)" for k, v in counts.most_common()
    )
    print(
        f"\nreal text without injections ({chars:,} characters, names on): {per_100k or 'nothing'}"
    )
    for item in random.Random(args.seed).sample(found, min(len(found), 4 * args.show)):
        print("  ", item)
    return 0 if all(report.goals().values()) else 1


if __name__ == "__main__":
    sys.exit(main())

__all__ = [
    "EvalDoc",
    "Report",
    "Span",
    "evaluate",
    "generate",
    "load_carriers",
    "load_law_docs",
    "load_real_texts",
    "real_text_audit",
    "score",
]
