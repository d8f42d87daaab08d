"""The declaration scorer: LightGBM over leakage-safe features, explained per assessment.

A :class:`Scorer` is trained on labelled history (inspection outcomes), its number of trees
selected by early stopping on a later validation period, and saved under
``<data_dir>/risk/scorers/<name>-<version>/`` as LightGBM model text (``model.txt``), the
learned feature state (``features.json``) and metadata (``metadata.json``: feature list,
training-data hash, parameters, validation metrics). Every score can be explained by its top
feature contributions (TreeSHAP, ``pred_contrib=True``): the contributions plus the bias add
up to the raw (log-odds) score.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import polars as pl

from lingang.errors import Invalid, NotFound
from lingang.risk.scorers import features
from lingang.risk.scorers.evaluate import AtRate, at_rates
from lingang.risk.scorers.kcs import CATEGORICAL, DEFAULT_SCORER, LABEL, PRICE

DEFAULT_NAME = DEFAULT_SCORER
SEED = 7
THREADS = 2
MAX_ROUNDS = 3000
EARLY_STOPPING = 50

#: Shared by both models: deterministic, two threads, fixed seed.
COMMON: dict[str, Any] = {
    "objective": "binary",
    "num_threads": THREADS,
    "seed": SEED,
    "deterministic": True,
    "force_col_wise": True,
    "verbose": -1,
}
#: The plain baseline: LightGBM's default learning rate and leaves.
BASELINE_PARAMS: dict[str, Any] = {**COMMON, "learning_rate": 0.1, "num_leaves": 31}
#: The platform scorer: the same parameters over the engineered features.
PLATFORM_PARAMS: dict[str, Any] = {**COMMON, "learning_rate": 0.1, "num_leaves": 31}

Scores = npt.NDArray[np.float64]
_VERSIONED = re.compile(r"^(?P<name>.+)-(?P<version>\d+)$")


@dataclass(frozen=True)
class Contribution:
    """One feature's push on the raw (log-odds) score of one row."""

    feature: str
    value: float | None
    contribution: float


@dataclass(frozen=True)
class Explanation:
    """A row's score, its raw score and the top contributions (largest magnitude first)."""

    score: float
    raw_score: float
    bias: float
    top: list[Contribution]


@dataclass
class Scorer:
    """A trained LightGBM scorer with its feature state and metadata."""

    name: str
    booster: lgb.Booster
    state: features.FeatureState
    metadata: dict[str, Any] = field(default_factory=dict)
    version: int | None = None

    @property
    def feature_names(self) -> list[str]:
        return features.feature_names(self.state)

    @classmethod
    def fit(
        cls,
        train: pl.DataFrame,
        valid: pl.DataFrame,
        *,
        name: str = DEFAULT_NAME,
        params: dict[str, Any] | None = None,
        max_rounds: int = MAX_ROUNDS,
    ) -> Scorer:
        """Train on ``train``; pick the number of trees by early stopping on ``valid``."""
        started = time.perf_counter()
        state = features.fit_state(train)
        names = features.feature_names(state)
        x_train = features.history_matrix(train, state)
        x_valid = features.matrix(valid, state)
        chosen = {**PLATFORM_PARAMS, **(params or {})}
        booster = _train(x_train, train, x_valid, valid, names, state.categorical, chosen,
                         max_rounds)  # fmt: skip
        metadata = {
            "name": name,
            "label": LABEL,
            "features": names,
            "categorical_features": state.categorical,
            "params": chosen,
            "best_iteration": booster.current_iteration(),
            "train_rows": train.height,
            "valid_rows": valid.height,
            "train_sha256": frame_sha256(train),
            "valid_sha256": frame_sha256(valid),
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "train_seconds": round(time.perf_counter() - started, 2),
        }
        scorer = cls(name=name, booster=booster, state=state, metadata=metadata)
        scorer.metadata["valid_metrics"] = [asdict(m) for m in scorer.evaluate(valid)]
        return scorer

    def _matrix(self, rows: pl.DataFrame) -> features.Matrix:
        return features.matrix(rows, self.state)

    def score(self, rows: pl.DataFrame) -> Scores:
        """Fraud probabilities of ``rows`` (features from the training history only)."""
        return _predict(self.booster, self._matrix(rows))

    def raw_score(self, rows: pl.DataFrame) -> Scores:
        """Log-odds scores of ``rows``."""
        return _predict(self.booster, self._matrix(rows), raw_score=True)

    def contributions(self, rows: pl.DataFrame) -> Scores:
        """TreeSHAP contributions: one column per feature, then the bias column."""
        return _predict(self.booster, self._matrix(rows), pred_contrib=True)

    def explain(self, rows: pl.DataFrame, *, top: int = 5) -> list[Explanation]:
        """Each row's score with its ``top`` feature contributions, largest magnitude first."""
        x = self._matrix(rows)
        contrib = _predict(self.booster, x, pred_contrib=True)
        names = self.feature_names
        out = []
        for row, values in zip(contrib, x, strict=True):
            raw = float(row.sum())
            order = np.argsort(-np.abs(row[:-1]), kind="stable")[:top]
            out.append(Explanation(
                score=float(1.0 / (1.0 + np.exp(-raw))), raw_score=raw, bias=float(row[-1]),
                top=[Contribution(feature=names[i],
                                  value=float(values[i]) if np.isfinite(values[i]) else None,
                                  contribution=float(row[i])) for i in order],
            ))  # fmt: skip
        return out

    def evaluate(self, rows: pl.DataFrame) -> list[AtRate]:
        """Precision, recall and recovered value at 1, 2, 5 and 10 % on labelled rows."""
        return at_rates(self.score(rows), rows[LABEL].to_numpy(), rows[PRICE].to_numpy())

    def save(self, data_dir: Path) -> Path:
        """Write the next version under ``<data_dir>/risk/scorers/``; returns its folder."""
        root = scorers_dir(data_dir)
        root.mkdir(parents=True, exist_ok=True)
        self.version = max(versions(data_dir, self.name), default=0) + 1
        folder = root / f"{self.name}-{self.version}"
        folder.mkdir()
        self.booster.save_model(str(folder / "model.txt"))
        (folder / "features.json").write_text(json.dumps(self.state.to_json()), encoding="utf-8")
        meta = {**self.metadata, "version": self.version}
        (folder / "metadata.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        self.metadata = meta
        return folder

    @classmethod
    def load(cls, data_dir: Path, name: str = DEFAULT_NAME, version: int | None = None) -> Scorer:
        """A saved scorer: the given version, or the newest."""
        found = versions(data_dir, name)
        if not found:
            raise NotFound(f"no saved scorer named {name!r} under {scorers_dir(data_dir)}")
        chosen = max(found) if version is None else version
        if chosen not in found:
            raise NotFound(f"scorer {name!r} has no version {chosen} (has {sorted(found)})")
        folder = scorers_dir(data_dir) / f"{name}-{chosen}"
        booster = lgb.Booster(model_file=str(folder / "model.txt"))
        state = features.FeatureState.from_json(
            json.loads((folder / "features.json").read_text(encoding="utf-8"))
        )
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        return cls(name=name, booster=booster, state=state, metadata=meta, version=chosen)


@dataclass(frozen=True)
class Baseline:
    """The plain LightGBM: raw KCS columns, native categoricals, default-ish parameters."""

    booster: lgb.Booster
    vocab: dict[str, list[str]]
    seconds: float

    @classmethod
    def fit(cls, train: pl.DataFrame, valid: pl.DataFrame, *,
            max_rounds: int = MAX_ROUNDS) -> Baseline:  # fmt: skip
        started = time.perf_counter()
        vocab = features.vocabulary(train)
        booster = _train(features.raw_matrix(train, vocab), train,
                         features.raw_matrix(valid, vocab), valid, features.raw_names(),
                         list(CATEGORICAL), BASELINE_PARAMS, max_rounds)  # fmt: skip
        return cls(booster=booster, vocab=vocab, seconds=time.perf_counter() - started)

    def score(self, rows: pl.DataFrame) -> Scores:
        return _predict(self.booster, features.raw_matrix(rows, self.vocab))

    def evaluate(self, rows: pl.DataFrame) -> list[AtRate]:
        return at_rates(self.score(rows), rows[LABEL].to_numpy(), rows[PRICE].to_numpy())


def _train(
    x_train: features.Matrix,
    train: pl.DataFrame,
    x_valid: features.Matrix,
    valid: pl.DataFrame,
    names: list[str],
    categorical: list[str],
    params: dict[str, Any],
    max_rounds: int,
) -> lgb.Booster:
    if train.height == 0 or valid.height == 0:
        raise Invalid("rows", "training needs labelled train and valid rows")
    cats = [names.index(c) for c in categorical]
    d_train = lgb.Dataset(x_train, train[LABEL].to_numpy(), feature_name=names,
                          categorical_feature=cats, free_raw_data=False)  # fmt: skip
    d_valid = lgb.Dataset(x_valid, valid[LABEL].to_numpy(), reference=d_train)
    booster = lgb.train(params, d_train, num_boost_round=max_rounds, valid_sets=[d_valid],
                        callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)])  # fmt: skip
    # keep only the selected trees, so saved, loaded and in-memory models agree exactly
    return lgb.Booster(model_str=booster.model_to_string(num_iteration=booster.best_iteration))


def _predict(booster: lgb.Booster, x: features.Matrix, **kwargs: Any) -> Scores:
    return np.asarray(booster.predict(x, **kwargs), dtype=np.float64)


def frame_sha256(rows: pl.DataFrame) -> str:
    """A content hash of a training frame (its CSV serialisation)."""
    return hashlib.sha256(rows.write_csv().encode("utf-8")).hexdigest()


def scorers_dir(data_dir: Path) -> Path:
    return data_dir / "risk" / "scorers"


def versions(data_dir: Path, name: str) -> list[int]:
    """Saved versions of scorer ``name``."""
    root = scorers_dir(data_dir)
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        match = _VERSIONED.match(child.name)
        if match and match["name"] == name and (child / "model.txt").is_file():
            found.append(int(match["version"]))
    return found
