"""Language identification with fastText's lid.176 model, checked against the script.

The model file ships in the repository (``corpus/models/lid.176.ftz``, CC BY-SA 3.0,
see ``corpus/models/LICENSE-lid176.md``) and is loaded once per worker; nothing is
downloaded. Each document is read as NFKC text with its lines folded, in up to
``windows`` windows of ``window_chars`` characters spread over it.

The script decides where it can: no other language writes kana, so a window whose
letters are mostly Han and kana with kana among them is Japanese without asking the
model (kanji-and-katakana laws in 旧法令 style and classical poetry are where fastText
errs: it calls a waka line Belarusian); such windows count as certain. A kanji-only
window that the model calls ``ja`` or ``zh`` has no say of its own and goes with the
rest of the document — Japanese when the document has kana elsewhere. A document with no kana
at all keeps the model's label, but Japanese prose always has kana: the stage drops a
``ja`` document without any (``ja_without_kana``) unless ``require_kana`` is off.
The document's language is the label with the most probability mass over its windows
(weighted by length); ``lang_score`` is that mass (1.0 when the script settles every
window).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from corpus.document import Document
from corpus.stages.base import Decision, DocumentStage, Drop, Keep, StageParams, register_stage
from corpus.text.chars import CharClass, char_class_counts, has_kana
from corpus.text.normalize import normalize_for_classifier, sample_windows

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "lid.176.ftz"

#: Labels the model uses for Han-script languages; kana settles which one it is.
CJK_LABELS = frozenset({"ja", "zh", "wuu", "yue", "gan", "lzh"})

#: Kana share of the Han + kana characters from which a window is taken as Japanese.
#: Japanese prose runs at 40–70 %, 旧法令 katakana style at 20–40 %; Chinese has none.
MIN_KANA_SHARE = 0.05


class LangIdParams(StageParams):
    languages: list[str] = Field(default_factory=lambda: ["ja"])
    """Languages to keep (lid.176 labels). Default: Japanese only."""
    min_score: float = Field(0.65, ge=0.0, le=1.0)
    """Minimum probability of the kept language. 0.65 is datatrove's ``LanguageFilter``
    default, used for FineWeb; HojiChar's fastText filter uses 0.5."""
    window_chars: int = Field(1000, gt=0)
    """Characters per window read by the model."""
    windows: int = Field(3, gt=0)
    """Windows read per long document (start, middle, end for 3)."""
    require_kana: bool = True
    """Drop a ``ja`` document that has no kana at all (a kanji-only list or title, or
    Chinese the model took for Japanese): Japanese prose always has kana."""
    model_path: str | None = None
    """A local lid.176 model (``.bin`` or ``.ftz``); default: the bundled ``lid.176.ftz``."""


class LanguageIdentifier:
    """fastText lid.176 over sampled windows, with the kana check for CJK labels.

    >>> lid = LanguageIdentifier()
    >>> lid.identify("吾輩は猫である。名前はまだ無い。")[0]
    'ja'
    >>> lid.identify("第一条　私権ノ享有ハ出生ニ始マル")[0]
    'ja'
    >>> lid.identify("中华人民共和国是位于东亚的社会主义国家。")[0]
    'zh'
    """

    def __init__(
        self, model_path: str | Path | None = None, window_chars: int = 1000, windows: int = 3
    ):
        from fasttext.FastText import _FastText  # _FastText avoids load_model's stderr notice

        path = Path(model_path) if model_path else MODEL_PATH
        if not path.is_file():
            raise FileNotFoundError(f"language ID model not found: {path}")
        self.model = _FastText(model_path=str(path))
        self.window_chars = window_chars
        self.windows = windows

    def identify(self, text: str) -> tuple[str, float]:
        return self.identify_many([text])[0]

    def identify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        """``(label, score)`` for each text, one model call for all their windows."""
        out = []
        pending: list[tuple[int, list[Window]]] = []
        to_predict: list[str] = []
        for i, text in enumerate(texts):
            windows = [
                Window(w, script_says_japanese(w))
                for w in sample_windows(text, self.window_chars, self.windows)
                if w.strip()
            ]
            for w in windows:
                if not w.japanese_by_script:
                    w.index = len(to_predict)
                    to_predict.append(normalize_for_classifier(w.text))
            pending.append((i, windows))
            out.append(("und", 0.0))
        labels, probs = self.model.predict(to_predict, k=5) if to_predict else ([], [])
        for i, windows in pending:
            for w in windows:
                if w.index is not None:
                    w.pred = {
                        lab[9:]: min(float(p), 1.0)
                        for lab, p in zip(labels[w.index], probs[w.index], strict=True)
                    }
            if windows:
                out[i] = combine_windows(texts[i], windows)
        return out


class Window:
    """One sampled window: its text, whether its script settles it, the model's guess."""

    __slots__ = ("text", "japanese_by_script", "index", "pred")

    def __init__(self, text: str, japanese_by_script: bool) -> None:
        self.text = text
        self.japanese_by_script = japanese_by_script
        self.index: int | None = None
        self.pred: dict[str, float] = {}


def script_says_japanese(text: str) -> bool:
    """Whether the script alone shows Japanese: kana within mostly Han-and-kana letters.

    No other language writes kana, and Japanese prose is never without it; kanji-only
    text is left to the model. Half-width katakana is not counted: it is what UTF-8
    read as Shift_JIS turns into.

    >>> script_says_japanese("かきくらす涙か雲かしらねども")
    True
    >>> script_says_japanese("第一条　私権ノ享有ハ出生ニ始マル")
    True
    >>> script_says_japanese("中华人民共和国是位于东亚的社会主义国家。")
    False
    >>> script_says_japanese("Tokyo (東京) is the capital of Japan; its name means eastern capital.")
    False
    """
    c = char_class_counts(text)
    kana = c[CharClass.HIRAGANA] + c[CharClass.KATAKANA]
    if not kana:
        return False
    han_kana = kana + c[CharClass.KANJI]
    letters = han_kana + c[CharClass.LATIN] + c[CharClass.HANGUL] + c[CharClass.OTHER]
    return kana >= MIN_KANA_SHARE * han_kana and han_kana >= 0.5 * letters


def combine_windows(text: str, windows: list[Window]) -> tuple[str, float]:
    """The document's label and score from its windows (weighted by length).

    A window whose script shows Japanese counts as certain ``ja``. A kanji-only window the
    model calls a CJK language is deferred: it joins ``ja`` when the document has kana
    elsewhere, else the model's best CJK label for those windows.
    """
    mass: dict[str, float] = {}
    deferred = 0.0
    deferred_votes: dict[str, float] = {}
    total = 0.0
    for w in windows:
        weight = float(len(w.text))
        total += weight
        if w.japanese_by_script:
            mass["ja"] = mass.get("ja", 0.0) + weight
            continue
        top = max(w.pred, key=w.pred.get)
        if top in CJK_LABELS and not char_class_counts(w.text).kana:
            deferred += weight * sum(p for lab, p in w.pred.items() if lab in CJK_LABELS)
            deferred_votes[top] = deferred_votes.get(top, 0.0) + weight * w.pred[top]
            continue
        for lab, p in w.pred.items():
            mass[lab] = mass.get(lab, 0.0) + weight * p
    if deferred:
        rest = "ja" if has_kana(text) else max(deferred_votes, key=deferred_votes.get)
        mass[rest] = mass.get(rest, 0.0) + deferred
    label = max(mass, key=mass.get)
    return label, round(mass[label] / total, 4)


@register_stage
class LangId(DocumentStage):
    """Record ``lang`` and ``lang_score``; drop documents not in ``languages`` with enough score.

    Drop reasons: ``lang=<label>`` (another language won), ``lang_score<<min_score>`` and
    ``ja_without_kana``.

    >>> from corpus.document import make_document
    >>> stage = LangId(); stage.setup()
    >>> doc = make_document(text="吾輩は猫である。名前はまだ無い。", source="t", source_id="1")
    >>> stage.process(doc), doc.metadata["lang"]
    (Keep(), 'ja')
    >>> stage.process(make_document(text="This is an English sentence.", source="t", source_id="2"))
    Drop('lang=en')
    """

    stage_name: ClassVar[str] = "langid"
    Params = LangIdParams
    batch_size: ClassVar[int] = 256

    def setup(self) -> None:
        p = self.params
        self.identifier = LanguageIdentifier(p.model_path, p.window_chars, p.windows)

    def process(self, doc: Document) -> Decision:
        return self.process_batch([doc])[0]

    def process_batch(self, docs: list[Document]) -> list[Decision]:
        if not self._ready:
            self.setup()
            self._ready = True
        results = self.identifier.identify_many([d.text for d in docs])
        decisions: list[Decision] = []
        for doc, (label, score) in zip(docs, results, strict=True):
            doc.metadata["lang"] = label
            doc.metadata["lang_score"] = score
            if label not in self.params.languages:
                decisions.append(Drop(f"lang={label}", f"{label}:{score}"))
            elif score < self.params.min_score:
                decisions.append(Drop(f"lang_score<{self.params.min_score:g}", f"{label}:{score}"))
            elif label == "ja" and self.params.require_kana and not has_kana(doc.text):
                decisions.append(Drop("ja_without_kana", f"{label}:{score}"))
            else:
                decisions.append(Keep())
        return decisions
