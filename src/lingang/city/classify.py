"""Hotline (12345) text classification into the grid-management categories (issue #9).

A ticket's text is tokenised twice — jieba words (1–2 grams) and character 1–3 grams, both
TF-IDF weighted — and a linear SVM with calibrated probabilities ranks the categories of
``categories.yaml``. The operator sees the top 3 (:meth:`HotlineClassifier.suggest`) and may
choose another category; that choice becomes a labelled example (:class:`OverrideLog`) and the
model is retrained on the corpus plus the overrides (:func:`retrain`). The labelled corpus ships
as ``corpus/hotline-v1.csv`` (:func:`load_corpus`); docs/city.md gives the measured figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import tempfile
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, NamedTuple

import jieba  # type: ignore[import-untyped]  # ships no type information
import joblib  # type: ignore[import-untyped]
import sklearn  # type: ignore[import-untyped]
from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.pipeline import FeatureUnion, Pipeline  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

from lingang.city.categories import CategoryTree, load_categories
from lingang.errors import Invalid

MAX_TEXT = 2000
"""Longest ticket text accepted, in characters."""
ORIGINS = ("handwritten", "composed", "override")
MODEL_FORMAT = 1
OVERRIDE_WEIGHT = 5.0
"""How much an operator's override counts against one corpus example when retraining."""
PLACES = ("滴水湖", "环湖西一路", "环湖西二路", "环湖西三路", "环湖北路", "申港大道", "临港大道",
          "古棕路", "水芸路", "新元南路", "沪城环路", "海港大道", "同顺大道", "云鹃路", "芦茂路",
          "东大公路", "港城广场", "芦潮港", "泥城镇", "书院镇", "万祥镇", "春涟河", "夏涟河",
          "秋涟河")  # fmt: skip
"""Lingang place names taught to the tokenizer so that they stay one word."""


@dataclass(frozen=True, slots=True)
class LabelledText:
    """A ticket text and the category code it belongs to; ``origin`` says where it came from
    (``handwritten`` / ``composed`` corpus rows, ``override`` by an operator)."""

    text: str
    code: str
    origin: str = "handwritten"
    id: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked category for a text, with the model's probability."""

    code: str
    name_zh: str
    name_en: str
    probability: float


@dataclass(frozen=True, slots=True)
class CategoryScore:
    """How many test texts of one category there were and how many were ranked first."""

    n: int
    correct: int


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Held-out figures: top-1 and top-3 accuracy, macro-F1 over the test categories."""

    n: int
    accuracy: float
    top3_accuracy: float
    macro_f1: float
    per_category: dict[str, CategoryScore] = field(default_factory=dict)


class Corpus(NamedTuple):
    """The shipped corpus, split: ``train, test = load_corpus()``."""

    train: list[LabelledText]
    test: list[LabelledText]


# --- text -----------------------------------------------------------------------------------

_JIEBA_LOCK = threading.Lock()
_JIEBA: Any = None


def _tokenizer() -> Any:
    """A private jieba tokenizer (the global one is left alone), quiet, caching in the temp
    dir, taught the category keywords and Lingang place names."""
    global _JIEBA
    with _JIEBA_LOCK:
        if _JIEBA is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = tempfile.gettempdir()
            tokenizer.initialize()
            for word in {*PLACES, *(k for c in load_categories().all() for k in c.keywords)}:
                tokenizer.add_word(word)
            _JIEBA = tokenizer
        return _JIEBA


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits to half-width), lower case, trimmed."""
    return unicodedata.normalize("NFKC", text).lower().strip()


def words(text: str) -> list[str]:
    """jieba words of ``text``, without whitespace and punctuation."""
    return [w for w in _tokenizer().lcut(text) if w.strip() and not _is_punct(w)]


def _is_punct(word: str) -> bool:
    return all(unicodedata.category(ch).startswith(("P", "S")) for ch in word)


def check_text(text: object, field_name: str = "text") -> str:
    """``text`` trimmed; :class:`Invalid` when it is not a string, empty or too long."""
    if not isinstance(text, str) or not text.strip():
        raise Invalid(field_name, "must be a non-empty text")
    if len(text) > MAX_TEXT:
        raise Invalid(field_name, f"must be at most {MAX_TEXT} characters, got {len(text)}")
    return text.strip()


# --- the model ------------------------------------------------------------------------------


def build_pipeline(c: float = 1.0) -> Any:
    """TF-IDF of jieba words (1–2 grams) and characters (1–3 grams) into a linear SVM whose
    scores are calibrated to probabilities (isotonic, 3-fold). On the validation split carved
    from train it beat a logistic regression (docs/city.md) and trains several times faster."""
    features = FeatureUnion([
        ("words", TfidfVectorizer(tokenizer=words, preprocessor=normalise, token_pattern=None,
                                  lowercase=False, ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char", preprocessor=normalise, ngram_range=(1, 3),
                                  sublinear_tf=True, min_df=1)),
    ])  # fmt: skip
    model = CalibratedClassifierCV(LinearSVC(C=c, random_state=0), cv=3, method="isotonic")
    return Pipeline([("features", features), ("model", model)])


class HotlineClassifier:
    """Ranks the categories of a hotline text; train, suggest, evaluate, save and load."""

    def __init__(self, tree: CategoryTree | None = None, *, c: float = 1.0,
                 override_weight: float = OVERRIDE_WEIGHT) -> None:  # fmt: skip
        self.tree = tree or load_categories()
        self.c = c
        self.override_weight = override_weight
        self._pipeline: Any = None

    @property
    def trained(self) -> bool:
        """Whether :meth:`train` or :meth:`load` has given it a model."""
        return self._pipeline is not None

    @property
    def codes(self) -> list[str]:
        """The category codes the model knows, in its column order."""
        return [str(code) for code in self._model().classes_]

    def train(self, examples: Sequence[LabelledText]) -> HotlineClassifier:
        """Fit on ``examples`` (overrides weigh ``override_weight`` each); returns ``self``."""
        checked = [self._checked(example, index) for index, example in enumerate(examples)]
        if len({e.code for e in checked}) < 2:
            raise Invalid("examples", "need examples of at least two categories")
        weights = [self.override_weight if e.origin == "override" else 1.0 for e in checked]
        pipeline = build_pipeline(self.c)
        pipeline.fit([e.text for e in checked], [e.code for e in checked],
                     model__sample_weight=weights)  # fmt: skip
        self._pipeline = pipeline
        return self

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        """The ``k`` most likely categories of ``text``, most likely first."""
        return self.rank([check_text(text)], k)[0]

    def rank(self, texts: Sequence[str], k: int = 3) -> list[list[Suggestion]]:
        """:meth:`suggest` for many texts at once (one matrix product)."""
        if k < 1:
            raise Invalid("k", "must be at least 1")
        checked = [check_text(text, f"texts[{i}]") for i, text in enumerate(texts)]
        probabilities = self._model_pipeline().predict_proba(checked)
        codes = self.codes
        return [self._top(row, codes, k) for row in probabilities]

    def evaluate(self, test: Sequence[LabelledText]) -> Evaluation:
        """Accuracy, top-3 accuracy and macro-F1 of the model on ``test``."""
        ranked = self.rank([example.text for example in test], 3)
        return score([[s.code for s in row] for row in ranked], [e.code for e in test])

    def save(self, path: Path) -> None:
        """Write the trained model to ``path`` (joblib; a file of the data dir, never shipped)."""
        payload = {"format": MODEL_FORMAT, "sklearn": sklearn.__version__,
                   "codes": self.tree.codes(), "pipeline": self._model_pipeline()}  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(payload, path)

    @classmethod
    def load(cls, path: Path, tree: CategoryTree | None = None) -> HotlineClassifier:
        """A classifier read back from :meth:`save`'s file. Joblib unpickles: load only files
        the platform wrote itself (its data dir)."""
        if not path.is_file():
            raise Invalid("model", f"no model file at {path}")
        payload = joblib.load(path)
        if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
            raise Invalid("model", f"{path} is not a hotline model of format {MODEL_FORMAT}")
        classifier = cls(tree)
        classifier._pipeline = payload["pipeline"]
        unknown = set(classifier.codes) - set(classifier.tree.codes())
        if unknown:
            raise Invalid("model", f"knows categories missing from the tree: {sorted(unknown)}")
        return classifier

    def _checked(self, example: LabelledText, index: int) -> LabelledText:
        check_text(example.text, f"examples[{index}].text")
        if example.code not in self.tree:
            raise Invalid(f"examples[{index}].code", f"unknown category {example.code!r}")
        return example

    def _top(self, row: Any, codes: list[str], k: int) -> list[Suggestion]:
        order = sorted(range(len(codes)), key=lambda i: (-float(row[i]), codes[i]))[:k]
        return [self._suggestion(codes[i], float(row[i])) for i in order]

    def _suggestion(self, code: str, probability: float) -> Suggestion:
        category = self.tree.get(code)
        return Suggestion(code, category.name_zh, category.name_en, round(probability, 6))

    def _model_pipeline(self) -> Any:
        if self._pipeline is None:
            raise Invalid("model", "the classifier is not trained")
        return self._pipeline

    def _model(self) -> Any:
        return self._model_pipeline().named_steps["model"]


# --- figures and baselines ------------------------------------------------------------------


def score(ranked: Sequence[Sequence[str]], gold: Sequence[str]) -> Evaluation:
    """Evaluation of ranked predictions (best first) against the gold codes."""
    if not gold or len(ranked) != len(gold):
        raise Invalid("test", "need one ranking per gold label, and at least one")
    top1 = [row[0] if row else "" for row in ranked]
    hits = sum(p == g for p, g in zip(top1, gold, strict=True))
    top3 = sum(g in row[:3] for row, g in zip(ranked, gold, strict=True))
    per = {code: CategoryScore(n=sum(g == code for g in gold),
                               correct=sum(p == g == code for p, g in zip(top1, gold, strict=True)))
           for code in sorted(set(gold))}  # fmt: skip
    return Evaluation(n=len(gold), accuracy=hits / len(gold), top3_accuracy=top3 / len(gold),
                      macro_f1=macro_f1(top1, gold), per_category=per)  # fmt: skip


def macro_f1(predicted: Sequence[str], gold: Sequence[str]) -> float:
    """F1 averaged over the categories present in ``gold``."""
    scores = []
    for code in set(gold):
        tp = sum(p == g == code for p, g in zip(predicted, gold, strict=True))
        fp = sum(p == code != g for p, g in zip(predicted, gold, strict=True))
        fn = sum(g == code != p for p, g in zip(predicted, gold, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


class KeywordBaseline:
    """The named baseline: the categories whose ``categories.yaml`` keywords occur most in the
    text (longer keywords count more), ties and no-hit texts falling back to training-set
    frequency — what a keyword rule table in a dispatch desk would do."""

    def __init__(self, tree: CategoryTree | None = None) -> None:
        self.tree = tree or load_categories()
        self._prior: list[str] = self.tree.codes()

    def train(self, examples: Sequence[LabelledText]) -> KeywordBaseline:
        """Learn only the class frequencies (for ties); returns ``self``."""
        counts = Counter(e.code for e in examples)
        self._prior = sorted(self.tree.codes(), key=lambda code: -counts.get(code, 0))
        return self

    def rank(self, text: str, k: int = 3) -> list[str]:
        """The ``k`` best codes for ``text``."""
        norm = normalise(text)
        hits = {c.code: sum(len(kw) for kw in c.keywords if kw in norm) for c in self.tree.all()}
        prior = {code: index for index, code in enumerate(self._prior)}
        return sorted(self._prior, key=lambda code: (-hits.get(code, 0), prior[code]))[:k]

    def evaluate(self, test: Sequence[LabelledText]) -> Evaluation:
        """The same figures as :meth:`HotlineClassifier.evaluate`."""
        return score([self.rank(e.text) for e in test], [e.code for e in test])


def majority_baseline(train: Sequence[LabelledText], test: Sequence[LabelledText]) -> Evaluation:
    """Always the training set's most frequent categories (the floor of any classifier)."""
    order = [code for code, _ in Counter(e.code for e in train).most_common(3)]
    return score([order for _ in test], [e.code for e in test])


# --- the corpus -----------------------------------------------------------------------------


def load_corpus(tree: CategoryTree | None = None) -> Corpus:
    """The shipped corpus (``corpus/hotline-v1.csv``), every row validated, split."""
    tree = tree or load_categories()
    text = (files("lingang.city.corpus") / "hotline-v1.csv").read_text(encoding="utf-8")
    return parse_corpus(text, tree)


def parse_corpus(text: str, tree: CategoryTree) -> Corpus:
    """Rows of a corpus CSV; :class:`Invalid` names the row id (or line) at fault."""
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames != ["id", "text", "category", "split", "origin"]:
        raise Invalid("corpus", "columns must be id, text, category, split, origin")
    corpus = Corpus([], [])
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        example, split = _corpus_row(row, line, tree)
        if example.id in seen:
            raise Invalid(f"corpus[{example.id}]", "duplicate id")
        seen.add(example.id)
        (corpus.test if split == "test" else corpus.train).append(example)
    return corpus


def _corpus_row(row: dict[str, str], line: int, tree: CategoryTree) -> tuple[LabelledText, str]:
    row_id = (row.get("id") or "").strip()
    where = f"corpus[{row_id or f'line {line}'}]"
    check_text(row.get("text"), f"{where}.text")
    if row.get("category") not in tree:
        raise Invalid(f"{where}.category", f"unknown category {row.get('category')!r}")
    if row.get("split") not in ("train", "test"):
        raise Invalid(f"{where}.split", "must be train or test")
    if row.get("origin") not in ORIGINS[:2]:
        raise Invalid(f"{where}.origin", "must be handwritten or composed")
    if not row_id:
        raise Invalid(f"{where}.id", "must not be empty")
    return LabelledText(row["text"].strip(), row["category"], row["origin"], row_id), row["split"]


# --- overrides ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Override:
    """An operator chose ``chosen`` for a ticket's text (the model had ``suggested`` first)."""

    ticket_id: str
    text: str
    chosen: str
    suggested: str | None
    at: dt.datetime


class OverrideLog:
    """Operators' overrides, in memory; storage-agnostic — the caller persists
    :meth:`overrides` and rebuilds the log from them. A later override of the same ticket
    replaces the earlier one as training data."""

    def __init__(self, tree: CategoryTree | None = None,
                 overrides: Iterable[Override] = ()) -> None:  # fmt: skip
        self.tree = tree or load_categories()
        self._items: list[Override] = []
        for item in overrides:
            self._items.append(self._validated(item))

    def record(self, ticket_id: str, text: str, chosen: str, *, suggested: str | None = None,
               at: dt.datetime | None = None) -> Override:  # fmt: skip
        """Log that the operator filed ``ticket_id`` under ``chosen``."""
        when = at or dt.datetime.now(dt.UTC)
        item = self._validated(Override(ticket_id, text, chosen, suggested, when))
        self._items.append(item)
        return item

    def overrides(self) -> list[Override]:
        """Every override recorded, oldest first."""
        return list(self._items)

    def examples(self) -> list[LabelledText]:
        """The latest override of each ticket, as training examples (``origin="override"``)."""
        latest = {item.ticket_id: item for item in self._items}
        return [LabelledText(item.text.strip(), item.chosen, "override", f"o-{item.ticket_id}")
                for item in latest.values()]  # fmt: skip

    def _validated(self, item: Override) -> Override:
        if not item.ticket_id.strip():
            raise Invalid("ticket_id", "must not be empty")
        check_text(item.text)
        if item.chosen not in self.tree:
            raise Invalid("chosen", f"unknown category {item.chosen!r}")
        if item.at.tzinfo is None:
            raise Invalid("at", "must carry a time zone")
        return item


def retrain(corpus_train: Sequence[LabelledText], overrides: Iterable[LabelledText], *,
            tree: CategoryTree | None = None, c: float = 1.0,
            override_weight: float = OVERRIDE_WEIGHT) -> HotlineClassifier:  # fmt: skip
    """A classifier trained on the corpus plus the operators' overrides (weighted)."""
    extra = [LabelledText(e.text, e.code, "override", e.id) for e in overrides]
    classifier = HotlineClassifier(tree, c=c, override_weight=override_weight)
    return classifier.train([*corpus_train, *extra])
