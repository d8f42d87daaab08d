"""The hotline classifier on the shipped corpus: the issue's example, held-out figures against
the baselines, the top-3 contract, validation, save/load and retraining on overrides.

The model is trained once for the module (about 3 s); the floors are the measured figures of
docs/city.md minus a margin.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lingang.city.classify import (
    Corpus,
    HotlineClassifier,
    KeywordBaseline,
    LabelledText,
    OverrideLog,
    load_corpus,
    majority_baseline,
    retrain,
    words,
)
from lingang.errors import Invalid

ACCURACY_FLOOR = 0.75  # measured 0.817 on the 164 held-out texts
TOP3_FLOOR = 0.88  # measured 0.939
MACRO_F1_FLOOR = 0.72  # measured 0.809


# one worker runs the whole module, so its module fixture is built once (make: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("city-classifier")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus()


@pytest.fixture(scope="module")
def classifier(corpus: Corpus) -> HotlineClassifier:
    return HotlineClassifier().train(corpus.train)


def test_loose_manhole_cover_is_a_manhole_cover_part(classifier: HotlineClassifier) -> None:
    top = classifier.suggest("井盖松动，有安全隐患")[0]
    assert top.code == "P0101"
    assert classifier.tree.get(top.code).path() == "部件 · 公用设施 · 井盖"
    assert (top.name_zh, top.name_en) == ("井盖", "Manhole cover")


def test_held_out_figures_beat_the_floor_and_the_baselines(classifier: HotlineClassifier,
                                                           corpus: Corpus) -> None:  # fmt: skip
    figures = classifier.evaluate(corpus.test)
    keyword = KeywordBaseline().train(corpus.train).evaluate(corpus.test)
    majority = majority_baseline(corpus.train, corpus.test)
    assert figures.n == len(corpus.test) >= 150
    assert figures.accuracy >= ACCURACY_FLOOR
    assert figures.top3_accuracy >= TOP3_FLOOR
    assert figures.macro_f1 >= MACRO_F1_FLOOR
    assert figures.accuracy > keyword.accuracy > majority.accuracy
    assert sum(s.n for s in figures.per_category.values()) == figures.n


def test_top3_has_three_distinct_codes_and_probabilities(classifier: HotlineClassifier) -> None:
    for text in ("申港大道路灯不亮", "楼下烧烤店油烟太大", "电梯困人了"):
        top = classifier.suggest(text)
        assert len(top) == 3 and len({s.code for s in top}) == 3
        assert all(0.0 <= s.probability <= 1.0 for s in top)
        assert sum(s.probability for s in top) <= 1.0 + 1e-6
        assert [s.probability for s in top] == sorted((s.probability for s in top), reverse=True)
    assert len(classifier.suggest("申港大道路灯不亮", k=5)) == 5


@pytest.mark.parametrize("text", ["", "   ", "井" * 2001])
def test_empty_or_overlong_text_is_invalid(classifier: HotlineClassifier, text: str) -> None:
    with pytest.raises(Invalid) as caught:
        classifier.suggest(text)
    assert caught.value.field == "text"


def test_untrained_and_bad_training_data_are_invalid() -> None:
    with pytest.raises(Invalid):
        HotlineClassifier().suggest("井盖松了")
    with pytest.raises(Invalid) as caught:
        HotlineClassifier().train([LabelledText("井盖松了", "P0101"), LabelledText("x", "Z1")])
    assert caught.value.field == "examples[1].code"


def test_save_load_round_trip(classifier: HotlineClassifier, corpus: Corpus,
                              tmp_path: Path) -> None:  # fmt: skip
    path = tmp_path / "models" / "hotline.joblib"
    classifier.save(path)
    loaded = HotlineClassifier.load(path)
    texts = [e.text for e in corpus.test[:40]]
    assert loaded.rank(texts) == classifier.rank(texts)
    with pytest.raises(Invalid) as caught:
        HotlineClassifier.load(tmp_path / "missing.joblib")
    assert caught.value.field == "model"


def test_tokenizer_keeps_category_words_and_places() -> None:
    tokens = words("环湖西二路的窨井盖松动了！")
    assert "环湖西二路" in tokens and "窨井盖" in tokens and "！" not in tokens


def test_override_changes_top1_after_retraining(classifier: HotlineClassifier,
                                                corpus: Corpus) -> None:  # fmt: skip
    text = "小区门口的快递柜坏了"
    before = classifier.suggest(text)[0].code
    assert before != "P0107"  # the model does not know parcel lockers
    log = OverrideLog()
    log.record("T-1", text, "P0107", suggested=before, at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    examples = log.examples()
    assert [(e.code, e.origin) for e in examples] == [("P0107", "override")]
    retrained = retrain(corpus.train, examples)
    assert retrained.suggest(text)[0].code == "P0107"


def test_override_log_validates_and_keeps_the_latest_per_ticket() -> None:
    log = OverrideLog()
    log.record("T-1", "井盖松了", "P0102")
    log.record("T-1", "井盖松了", "P0101")
    assert [e.code for e in log.examples()] == ["P0101"]
    assert len(log.overrides()) == 2
    with pytest.raises(Invalid) as caught:
        log.record("T-2", "井盖松了", "P9999")
    assert caught.value.field == "chosen"
    with pytest.raises(Invalid) as caught:
        log.record("T-2", "", "P0101")
    assert caught.value.field == "text"
