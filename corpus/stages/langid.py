"""Language identification with fastText's lid.176 model, checked against the script.

The model file ships in the repository (``corpus/models/lid.176.ftz``, CC BY-SA 3.0,
see ``corpus/models/LICENSE-lid176.md``) and is loaded once per worker; nothing is
downloaded. Each document is read as NFKC text with its lines folded, in up to
``windows`` windows of ``window_chars`` characters spread over it.

fastText tells Japanese from Chinese mostly by kana, so the script decides where the
model cannot: a window that holds kana and which the model calls a CJK language is
Japanese (kanji-and-katakana laws in 旧法令 style, classical prose); a kanji-only window
that the model calls ``ja`` or ``zh`` has no say of its own and goes with the rest of
the document — Japanese when the document has kana elsewhere, Chinese when it has none.
The document's language is the label with the most probability mass over its windows
(weighted by length); ``lang_score`` is that mass.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from corpus.document import Document
from corpus.stages.base import Decision, DocumentStage, Drop, Keep, StageParams, register_stage
from corpus.text.chars import CharClass, char_class_counts
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
        spans: list[tuple[int, int]] = []
        windows: list[str] = []
        for text in texts:
            start = len(windows)
            windows += [
                w for w in sample_windows(text, self.window_chars, self.windows) if w.strip()
            ]
            spans.append((start, len(windows)))
        normalized = [normalize_for_classifier(w) for w in windows]
        labels, probs = self.model.predict(normalized, k=5) if normalized else ([], [])
        out = []
        for text, (a, b) in zip(texts, spans, strict=True):
            if a == b:
                out.append(("und", 0.0))
                continue
            preds = [
                ({lab[9:]: min(float(p), 1.0) for lab, p in zip(labels[i], probs[i], strict=True)})
                for i in range(a, b)
            ]
            out.append(self._combine(text, windows[a:b], preds))
        return out

    @staticmethod
    def _combine(text: str, windows: list[str], preds: list[dict[str, float]]) -> tuple[str, float]:
        mass: dict[str, float] = {}
        deferred = 0.0  # weight of kanji-only CJK windows, decided by the rest
        total = 0.0
        for window, pred in zip(windows, preds, strict=True):
            weight = float(len(window))
            total += weight
            top = max(pred, key=pred.get)
            if top in CJK_LABELS:
                counts = char_class_counts(window)
                han_kana = counts[CharClass.KANJI] + counts.kana
                cjk_mass = sum(p for lab, p in pred.items() if lab in CJK_LABELS)
                if counts.kana and counts.kana >= MIN_KANA_SHARE * han_kana:
                    mass["ja"] = mass.get("ja", 0.0) + weight * cjk_mass
                    continue
                if counts.kana == 0:
                    deferred += weight * cjk_mass
                    continue
            for lab, p in pred.items():
                mass[lab] = mass.get(lab, 0.0) + weight * p
        if deferred:
            has_kana = char_class_counts(text).kana > 0
            rest = max((lab for lab in mass if lab in CJK_LABELS), key=mass.get, default=None) or (
                "ja" if has_kana else "zh"
            )
            if rest == "ja" and not has_kana:
                rest = "zh"
            mass[rest] = mass.get(rest, 0.0) + deferred
        label = max(mass, key=mass.get)
        return label, round(mass[label] / total, 4)


@register_stage
class LangId(DocumentStage):
    """Record ``lang`` and ``lang_score``; drop documents not in ``languages`` with enough score.

    Drop reasons: ``lang=<label>`` (another language won) and ``lang_score<<min_score>``.

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
        results = self.identifier.identify_many([d.text for d in docs])
        decisions: list[Decision] = []
        for doc, (label, score) in zip(docs, results, strict=True):
            doc.metadata["lang"] = label
            doc.metadata["lang_score"] = score
            if label not in self.params.languages:
                decisions.append(Drop(f"lang={label}", f"{label}:{score}"))
            elif score < self.params.min_score:
                decisions.append(Drop(f"lang_score<{self.params.min_score:g}", f"{label}:{score}"))
            else:
                decisions.append(Keep())
        return decisions
