"""The learned scorer on a stratified subsample of the public Korea Customs declarations.

The data is read from ``../shared`` beside the repository, never copied into it; the test
skips when it is missing, and fails instead under CI.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from environment import SHARED_DATA, require_shared
from lingang.risk.scorers import features
from lingang.risk.scorers.kcs import DATE, LABEL, read_kcs_csv
from lingang.risk.scorers.model import Baseline, Scorer

KCS = SHARED_DATA / "customs-kcs-synthetic"
TRAIN, VALID = KCS / "df_syn_train_eng.csv", KCS / "df_syn_valid_eng.csv"


def require(*paths: Path) -> None:
    """Skip when shared data is missing (fail under CI, where .ci provides ../shared)."""
    require_shared(*paths)


def stratified(rows: pl.DataFrame, per_label: int, seed: int) -> pl.DataFrame:
    parts = [rows.filter(pl.col(LABEL) == y).sample(n=per_label, seed=seed) for y in (0, 1)]
    return pl.concat(parts).sort([DATE, "Declaration ID"])


# one worker runs the whole module, so its module fixture is built once (make: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("kcs-scorer")


@pytest.fixture(scope="module")
def splits() -> tuple[pl.DataFrame, pl.DataFrame]:
    require(TRAIN, VALID)
    return (stratified(read_kcs_csv(TRAIN), 2500, 1),
            stratified(read_kcs_csv(VALID), 600, 2))  # fmt: skip


@pytest.fixture(scope="module")
def scorer(splits: tuple[pl.DataFrame, pl.DataFrame]) -> Scorer:
    train, valid = splits
    return Scorer.fit(train, valid, max_rounds=200)


def test_pipeline_trains_and_beats_chance(
    splits: tuple[pl.DataFrame, pl.DataFrame], scorer: Scorer
) -> None:
    _, valid = splits
    metrics = scorer.evaluate(valid)
    assert [m.rate for m in metrics] == [0.01, 0.02, 0.05, 0.10]
    base_rate = float(valid[LABEL].mean() or 0.0)  # type: ignore[arg-type]
    assert metrics[2].precision > base_rate
    assert all(0.0 <= m.recovered_value <= 1.0 for m in metrics)
    baseline = Baseline.fit(*splits, max_rounds=200)
    assert len(baseline.evaluate(valid)) == 4


def test_history_features_never_see_their_own_label(
    splits: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    train, _ = splits
    state = features.fit_state(train)
    before = features.history_matrix(train, state)
    row = train.height // 2
    flipped = train.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(1 - pl.col(LABEL)).otherwise(pl.col(LABEL))
        .alias(LABEL)
    )  # fmt: skip
    after = features.history_matrix(flipped, state)
    same_day = (train[DATE] == train[DATE][row]).to_numpy()
    # the row itself and every row filed the same day are unchanged ...
    np.testing.assert_array_equal(before[same_day], after[same_day])
    # ... while some later row's history does change (the test can see a leak)
    later = (train[DATE] > train[DATE][row]).to_numpy()
    assert not np.array_equal(before[later], after[later])


def test_explanations_add_up_to_the_raw_score(
    splits: tuple[pl.DataFrame, pl.DataFrame], scorer: Scorer
) -> None:
    _, valid = splits
    rows = valid.head(50)
    contributions = scorer.contributions(rows)
    np.testing.assert_allclose(contributions.sum(axis=1), scorer.raw_score(rows), atol=1e-9)
    explained = scorer.explain(rows, top=3)
    assert len(explained) == 50
    for item, probability in zip(explained, scorer.score(rows), strict=True):
        assert len(item.top) == 3
        magnitudes = [abs(c.contribution) for c in item.top]
        assert magnitudes == sorted(magnitudes, reverse=True)
        assert item.score == pytest.approx(float(probability))


def test_save_and_load_give_identical_scores(
    tmp_path: Path, splits: tuple[pl.DataFrame, pl.DataFrame], scorer: Scorer
) -> None:
    _, valid = splits
    folder = scorer.save(tmp_path)
    assert folder.name == "kcs-gbdt-1"
    assert {p.name for p in folder.iterdir()} == {"model.txt", "features.json", "metadata.json"}
    loaded = Scorer.load(tmp_path)
    assert loaded.version == 1
    assert loaded.metadata["features"] == scorer.feature_names
    assert len(loaded.metadata["train_sha256"]) == 64
    np.testing.assert_array_equal(loaded.score(valid), scorer.score(valid))
    assert scorer.save(tmp_path).name == "kcs-gbdt-2"
