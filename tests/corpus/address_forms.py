"""Japanese street addresses in every common written form, and look-alikes that must stay.

Shared by ``tests/corpus/test_pii_addresses.py`` and ``bench/pii_address_eval.py``.

Prefectures, municipalities and towns come from the gimei address list
(``shared/data/pii_resources/gimei/addresses.yml``, MIT; it stops at town level, so
the house numbers, buildings and rooms are generated and no address is a real
residence). Kyoto street names and Sapporo's grid are the real naming systems.
Each case is ``(form, text, gold)``: ``gold`` is the one span that must be masked —
the whole address from prefecture (or municipality) to the room number — or ``None``
for a look-alike, of which nothing may be masked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus.pii.replace import resolve
from corpus.pii.scrubber import PiiScrubber

SHARED_ADDRESSES = Path("/work/shared/data/pii_resources/gimei/addresses.yml")
BUNDLED_ADDRESSES = (
    Path(__file__).parents[2] / "corpus" / "pii" / "data" / "gimei" / "addresses.yaml"
)

_FW = str.maketrans("0123456789-", "０１２３４５６７８９－")
_KANJI = "〇一二三四五六七八九"

#: real north–south / east–west streets of central Kyoto (the 通 of a Kyoto address)
KYOTO_STREETS = [
    "河原町通", "烏丸通", "堀川通", "寺町通", "室町通", "新町通", "西洞院通", "東洞院通",
    "御池通", "四条通", "三条通", "丸太町通", "今出川通", "五条通", "七条通", "高倉通",
]  # fmt: skip
KYOTO_CROSS = [
    "三条",
    "四条",
    "御池",
    "丸太町",
    "今出川",
    "五条",
    "七条",
    "蛸薬師",
    "錦小路",
    "六角",
]
KYOTO_WARDS = ["中京区", "下京区", "上京区", "東山区", "左京区"]
KYOTO_DIRECTIONS = ["上ル", "下ル", "西入ル", "東入ル", "上る", "下る", "西入る", "東入る"]
SAPPORO_WARDS = ["中央区", "北区", "東区", "白石区", "豊平区"]
BUILDINGS = [
    "サンハイツ", "グリーンコート", "メゾン桜", "コーポ松本", "パークマンション", "ライオンズマンション",
    "グランドメゾン", "第2山田ビル", "ハイツ青葉", "レジデンス東", "シャトー若葉", "ＭＫビル",
]  # fmt: skip
#: what often follows an address on a page and must not be taken into its span
FOLLOWERS = [
    "　TEL 03-1234-5678",
    " 午前7時集合",
    "（最寄り駅 JR京都駅）",
    " 営業時間10:00〜18:00",
    " 定休日 水曜",
    "にて開催します。",
    " 2024年4月1日移転",
    " MAP",
]
TEMPLATES = [
    "住所：{}",
    "{}に住んでいます。",
    "お届け先は{}です。",
    "実家は{}にあります。",
    "送付先 {}",
    "本社所在地　{}",
    "店舗：{}（営業時間 10:00〜19:00）",
    "〒060-0003 {}",
    "会場は{}です。お気軽にどうぞ。",
]


def kanji_number(n: int) -> str:
    """1–99 in kanji numerals: ``kanji_number(27) == '二十七'``."""
    tens, ones = divmod(n, 10)
    return (
        (_KANJI[tens] if tens > 1 else "") + ("十" if tens else "") + (_KANJI[ones] if ones else "")
    )


@dataclass(frozen=True)
class Case:
    form: str
    text: str
    gold: tuple[int, int] | None

    @property
    def address(self) -> str:
        return self.text[self.gold[0] : self.gold[1]] if self.gold else ""


class AddressForms:
    """Generates the cases from the gimei list with a seeded RNG."""

    def __init__(self, path: Path | None = None, seed: int = 0) -> None:
        path = path or (SHARED_ADDRESSES if SHARED_ADDRESSES.exists() else BUNDLED_ADDRESSES)
        data = yaml.safe_load(path.read_text("utf-8"))["addresses"]
        self.prefectures = [row[0] for row in data["prefecture"]]
        self.cities = [row[0] for row in data["city"]]
        self.towns = [row[0] for row in data["town"]]
        self.rng = random.Random(seed)

    # --- parts
    def _area(self, pref_share: float = 0.7) -> str:
        r = self.rng
        area = r.choice(self.cities) + r.choice(self.towns)
        return (r.choice(self.prefectures) + area) if r.random() < pref_share else area

    def _room(self) -> str:
        r = self.rng
        building = r.choice(BUILDINGS)
        room = r.choice(
            [f"{r.randint(1, 12)}0{r.randint(1, 9)}号室", f"{r.randint(1, 15)}0{r.randint(1, 9)}",
             f"{r.randint(2, 9)}F", f"{r.randint(2, 9)}階", f"B棟{r.randint(1, 3)}0{r.randint(1, 9)}"]
        )  # fmt: skip
        return r.choice(["", " ", "　"]) + building + r.choice(["", " "]) + room

    def _case(self, form: str, address: str, template: str | None = None) -> Case:
        template = template or self.rng.choice(TEMPLATES)
        start = template.index("{}")
        return Case(form, template.replace("{}", address, 1), (start, start + len(address)))

    # --- forms
    def forms(self) -> dict[str, callable]:
        r = self.rng

        def a() -> int:
            return r.randint(1, 9)

        def b() -> int:
            return r.randint(1, 40)

        def c() -> int:
            return r.randint(1, 30)

        return {
            "丁目番号 (1丁目2番3号)": lambda: self._area() + f"{a()}丁目{b()}番{c()}号",
            "丁目番 no 号 (3丁目5番)": lambda: self._area() + f"{a()}丁目{b()}番",
            "丁目-dash (2丁目3-4)": lambda: self._area() + f"{a()}丁目{b()}-{c()}",
            "丁目 + number (2丁目3)": lambda: self._area() + f"{a()}丁目{b()}",
            "dashes (1-2-3)": lambda: self._area() + f"{a()}-{b()}-{c()}",
            "番地 (123番地)": lambda: self._area() + f"{r.randint(1, 2000)}番地",
            "番地の枝番 (12番地の4 / 12番地4)": lambda: (
                self._area() + f"{r.randint(1, 999)}番地{r.choice(['の', ''])}{c()}"
            ),
            "丁目番地 (3丁目15番地)": lambda: self._area() + f"{a()}丁目{b()}番地",
            "番地-dash (45-6)": lambda: self._area() + f"{r.randint(1, 999)}-{c()}",
            "大字・字 番地": lambda: (
                r.choice(self.prefectures)
                + r.choice(
                    [c for c in self.cities if c.endswith("町") or c.endswith("村")] or self.cities
                )
                + f"大字{r.choice(self.towns).rstrip('町')}字{r.choice(['中村', '東原', '下川', '宮前'])}{r.randint(1, 3000)}番地"
            ),
            "full-width digits (１丁目２番３号)": lambda: (
                self._area() + f"{a()}丁目{b()}番{c()}号".translate(_FW)
            ),
            "full-width dashes (１－２－３)": lambda: (
                self._area() + f"{a()}-{b()}-{c()}".translate(_FW)
            ),
            "kanji numerals (一丁目二番三号)": lambda: (
                self._area(1.0) + f"{_KANJI[a()]}丁目{kanji_number(b())}番{kanji_number(c())}号"
            ),
            "kanji 丁目 + digits (二丁目3-4)": lambda: (
                self._area() + f"{_KANJI[a()]}丁目{b()}-{c()}"
            ),
            "building + room": lambda: (
                self._area()
                + r.choice(
                    [f"{a()}-{b()}-{c()}", f"{a()}丁目{b()}番{c()}号", f"{a()}丁目{b()}-{c()}"]
                )
                + self._room()
            ),
            "room by dash (1-2-3-405)": lambda: (
                self._area() + f"{a()}-{b()}-{c()}-{r.randint(1, 12)}0{r.randint(1, 9)}"
            ),
            "Sapporo 条丁目 (北3条西4丁目1-2)": lambda: (
                r.choice(["北海道", ""])
                + f"札幌市{r.choice(SAPPORO_WARDS)}{r.choice('北南')}{r.randint(1, 30)}条"
                + f"{r.choice('東西')}{r.randint(1, 20)}丁目{r.choice([f'{b()}-{c()}', f'{b()}番{c()}号', f'{b()}番地', f'{b()}'])}"
            ),
            "Sapporo 条丁目 kanji (北三条西四丁目1番地)": lambda: (
                f"札幌市{r.choice(SAPPORO_WARDS)}"
                + f"{r.choice('北南')}{kanji_number(r.randint(1, 30))}条{r.choice('東西')}{kanji_number(r.randint(1, 20))}丁目"
                + f"{b()}番地"
            ),
            "Hokkaido 条 (旭川 4条通8丁目, 白石区本郷通 / 東札幌3条)": lambda: r.choice(
                [
                    f"北海道旭川市{r.randint(1, 9)}条通{r.randint(1, 20)}丁目{b()}番地",
                    f"札幌市白石区東札幌{r.randint(1, 6)}条{r.randint(1, 6)}丁目{b()}-{c()}",
                    f"札幌市豊平区平岸{r.randint(1, 5)}条{r.randint(1, 18)}丁目{b()}番{c()}号",
                ]
            ),
            "Kyoto 通+上ル/下ル/入ル + town + number": lambda: (
                r.choice(["京都府", ""])
                + f"京都市{r.choice(KYOTO_WARDS)}{r.choice(KYOTO_STREETS)}{r.choice(KYOTO_CROSS)}"
                + f"{r.choice(KYOTO_DIRECTIONS)}{r.choice(self.towns)}{r.choice([str(r.randint(1, 999)), f'{r.randint(1, 999)}番地', f'{r.randint(1, 999)}-{c()}'])}"
            ),
            "Kyoto + building": lambda: (
                f"京都市{r.choice(KYOTO_WARDS)}{r.choice(KYOTO_STREETS)}"
                + f"{r.choice(KYOTO_CROSS)}{r.choice(KYOTO_DIRECTIONS)}{r.choice(self.towns)}{r.randint(1, 999)}"
                + self._room()
            ),
        }

    def cases(self, per_form: int = 50) -> list[Case]:
        out: list[Case] = []
        for form, make in self.forms().items():
            for _ in range(per_form):
                out.append(self._case(form, make()))
        plain = [make for form, make in self.forms().items() if "building" not in form]
        for _ in range(per_form):
            # what follows an address is not part of it
            address = self.rng.choice(plain)()
            tail = self.rng.choice(FOLLOWERS)
            out.append(self._case("address + other words after it", address, "{}" + tail))
        return out + self.lookalikes()

    def lookalikes(self) -> list[Case]:
        r = self.rng
        texts = {
            "law article (第3条)": [
                f"民法第{r.randint(1, 999)}条第{r.randint(1, 5)}項の規定による。" for _ in range(5)
            ]
            + [
                "同法第十二条第三号に掲げる者",
                "第3条の2第1項",
                "第二十三条の規定を準用する。",
                "憲法第9条第2項",
            ],
            "title (三丁目の夕日)": [
                "映画「ALWAYS 三丁目の夕日」を観た。",
                "『2丁目の夕日』は名作だ。",
                "四丁目の交差点を右に曲がる。",
                "北3条通りのイチョウ並木がきれいだった。",
                "四条河原町で買い物をした。",
                "河原町通を三条で西入ルと右手に見えます。",
                "札幌の大通公園から北1条西2丁目あたりまで歩いた。",
                "東京都千代田区丸の内に本社がある。",
                "北九州市小倉北区砂津二丁目",
            ],
            "date": [
                "2024年3月15日に開催",
                "令和6年5月1日から",
                "2024-03-15 10:30",
                "平成31年4月30日",
                "2023/12/24 のイベント",
                "3月1日〜3月31日",
            ],  # fmt: skip
            "price / quantity": [
                "税込3,300円",
                "1,234円（送料込み）",
                "1-2個お選びください",
                "定価２，５００円",
                "3-4人前",
                "10-20代の女性",
            ],  # fmt: skip
            "numbered things": [
                "階段を上る3人の姿",
                "川を下る5艘の舟",
                "1番線に電車が参ります。",
                "3番ホーム",
                "第2号議案",
                "1号機の点検",
                "2番目の問題",
                "1-2-3で勝利した。",
                "図1-2-3を参照",
                "平成十五年法律第五十七号",
                "品番 12-345-6",
            ],  # fmt: skip
        }
        return [Case(form, t, None) for form, items in texts.items() for t in items]


def judge(scrubber: PiiScrubber, cases: list[Case]) -> list[tuple[Case, str, list[str]]]:
    """``(case, verdict, masked spans)``; verdict: exact, found, split, partial, missed, kept, masked."""
    detections = scrubber.detect([c.text for c in cases], [True] * len(cases))
    out = []
    for case, found in zip(cases, detections, strict=True):
        spans = resolve(found)
        masked = [f"{d.type}:{case.text[d.start : d.end]}" for d in spans]
        if case.gold is None:
            out.append((case, "masked" if spans else "kept", masked))
            continue
        gs, ge = case.gold
        addr = [d for d in spans if str(d.type) == "ADDRESS" and d.start < ge and d.end > gs]
        if not addr:
            verdict = "missed"
        elif len(addr) > 1:
            verdict = "split"
        elif addr[0].start <= gs and addr[0].end >= ge:
            verdict = "exact" if (addr[0].start, addr[0].end) == (gs, ge) else "found"
        else:
            verdict = "partial"
        out.append((case, verdict, masked))
    return out
