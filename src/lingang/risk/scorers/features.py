"""Leakage-safe features for the declaration scorer, computed from what is known at filing.

Three kinds of feature, all computed with polars and handed to LightGBM as one float matrix:

* **raw columns** — the KCS categoricals as integer codes over the training vocabulary (LightGBM
  treats them natively as categories; a value never seen in training becomes missing) and the
  numeric columns as filed;
* **history** — per importer, declarant, seller, courier, HS6/HS4/HS2, origin, office and a few
  pairs: the smoothed fraud rate of earlier inspections and how many there were. On the
  training rows this is *time-ordered target encoding*: a row sees only rows filed on strictly
  earlier dates (never its own day, so never its own label). Rows scored later (validation,
  production) see the training history only — their own period's outcomes are not yet known;
* **price** — log value, log mass, log unit price (value per kg) and its deviation from the
  training median of the same HS6 and HS6 × origin (medians of declared prices, not labels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from lingang.risk.scorers.kcs import CATEGORICAL, DATE, LABEL, MASS, NUMERIC, PRICE

Matrix = npt.NDArray[np.float64]

#: History keys: name → the columns whose values together form the key.
HISTORY_KEYS: dict[str, tuple[str, ...]] = {
    "importer": ("Importer ID",),
    "declarant": ("Declarant ID",),
    "seller": ("Seller ID",),
    "courier": ("Courier ID",),
    "hs6": ("HS6 Code",),
    "hs4": ("hs4",),
    "hs2": ("hs2",),
    "origin": ("Country of Origin",),
    "departure": ("Country of Departure",),
    "office": ("Office ID",),
    "importer_hs6": ("Importer ID", "HS6 Code"),
    "declarant_importer": ("Declarant ID", "Importer ID"),
    "importer_seller": ("Importer ID", "Seller ID"),
    "hs6_origin": ("HS6 Code", "Country of Origin"),
    "declarant_hs6": ("Declarant ID", "HS6 Code"),
}
#: Prior strength of the global fraud rate in the expanding history (rows).
GLOBAL_PRIOR_ROWS = 100.0
GLOBAL_PRIOR_RATE = 0.2
#: High-cardinality identifiers enter the platform scorer through their history only: as raw
#: categories (12,000+ importers) trees split on them by memorising the training labels.
HISTORY_ONLY: tuple[str, ...] = ("Importer ID", "Seller ID", "Declarant ID", "HS6 Code")
PLATFORM_CATEGORICAL: tuple[str, ...] = tuple(c for c in CATEGORICAL if c not in HISTORY_ONLY)


@dataclass
class FeatureState:
    """Everything learned from the training rows that scoring needs; JSON-serialisable."""

    vocab: dict[str, list[str]]
    history: dict[str, dict[str, list[float]]]  # key → value → [frauds, inspections]
    prior: float
    smoothing: float
    unit_price_median: dict[str, dict[str, float]] = field(default_factory=dict)
    categorical: list[str] = field(default_factory=lambda: list(PLATFORM_CATEGORICAL))

    def to_json(self) -> dict[str, Any]:
        return {"vocab": self.vocab, "history": self.history, "prior": self.prior,
                "smoothing": self.smoothing, "unit_price_median": self.unit_price_median,
                "categorical": self.categorical}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureState:
        return cls(vocab=data["vocab"], history=data["history"], prior=float(data["prior"]),
                   smoothing=float(data["smoothing"]),
                   unit_price_median=data["unit_price_median"],
                   categorical=list(data["categorical"]))  # fmt: skip


def feature_names(state: FeatureState) -> list[str]:
    """Column order of the matrices :func:`history_matrix` and :func:`matrix` return."""
    names = [*state.categorical, *NUMERIC, "log_price", "log_mass", "log_unit_price",
             "unit_price_vs_hs6", "unit_price_vs_hs6_origin", "origin_is_departure",
             "weekday"]  # fmt: skip
    for key in HISTORY_KEYS:
        names += [f"fraud_rate_{key}", f"inspections_{key}"]
    return names


def _prepared(rows: pl.DataFrame) -> pl.DataFrame:
    hs = pl.col("HS6 Code")
    log_unit = pl.col(PRICE).log1p() - pl.col(MASS).log1p()
    return rows.with_columns(hs4=hs.str.slice(0, 4), hs2=hs.str.slice(0, 2),
                             log_price=pl.col(PRICE).log1p(), log_mass=pl.col(MASS).log1p(),
                             log_unit_price=log_unit)  # fmt: skip


def _key(columns: tuple[str, ...]) -> pl.Expr:
    return pl.concat_str([pl.col(c) for c in columns], separator="|")


def vocabulary(train: pl.DataFrame) -> dict[str, list[str]]:
    """Every categorical column's training values, sorted; a value's code is its index."""
    return {c: sorted(set(train[c].to_list())) for c in CATEGORICAL}


def raw_names() -> list[str]:
    """Column order of :func:`raw_matrix`: the KCS columns as filed."""
    return [*CATEGORICAL, *NUMERIC]


def raw_matrix(rows: pl.DataFrame, vocab: dict[str, list[str]]) -> Matrix:
    """The plain baseline's input: categorical codes (unseen → missing) and raw numerics."""
    return _to_matrix([rows.select(*_codes(CATEGORICAL, vocab), *[pl.col(c) for c in NUMERIC])])


def _codes(columns: tuple[str, ...] | list[str], vocab: dict[str, list[str]]) -> list[pl.Expr]:
    out = []
    for c in columns:
        codes = {v: i for i, v in enumerate(vocab[c])}
        out.append(pl.col(c).replace_strict(codes, default=None, return_dtype=pl.Float64))
    return out


def fit_state(train: pl.DataFrame, *, smoothing: float = 20.0) -> FeatureState:
    """Learn vocabularies, per-key fraud history and price medians from the training rows."""
    rows = _prepared(train)
    vocab = {c: v for c, v in vocabulary(rows).items() if c in PLATFORM_CATEGORICAL}
    history: dict[str, dict[str, list[float]]] = {}
    for name, columns in HISTORY_KEYS.items():
        grouped = rows.group_by(_key(columns).alias("k")).agg(
            pos=pl.col(LABEL).sum().cast(pl.Float64), n=pl.len().cast(pl.Float64)
        )
        history[name] = {k: [p, n] for k, p, n in grouped.sort("k").iter_rows()}
    medians: dict[str, dict[str, float]] = {}
    for name, columns in {
        "hs6": ("HS6 Code",),
        "hs6_origin": ("HS6 Code", "Country of Origin"),
    }.items():
        grouped = rows.group_by(_key(columns).alias("k")).agg(m=pl.col("log_unit_price").median())
        medians[name] = {k: float(m) for k, m in grouped.sort("k").iter_rows()}
    labels = rows[LABEL].cast(pl.Float64).to_numpy()
    prior = float(labels.mean()) if len(labels) else GLOBAL_PRIOR_RATE
    return FeatureState(vocab=vocab, history=history, prior=prior, smoothing=smoothing,
                        unit_price_median=medians)  # fmt: skip


def _base(rows: pl.DataFrame, state: FeatureState) -> pl.DataFrame:
    """Raw codes, numerics and price features (no labels involved)."""
    out = _codes(state.categorical, state.vocab)
    out += [pl.col(c).cast(pl.Float64) for c in NUMERIC]
    out += [pl.col("log_price"), pl.col("log_mass"), pl.col("log_unit_price")]
    for name, columns in {
        "hs6": ("HS6 Code",),
        "hs6_origin": ("HS6 Code", "Country of Origin"),
    }.items():
        med = _key(columns).replace_strict(state.unit_price_median[name], default=None,
                                           return_dtype=pl.Float64)  # fmt: skip
        out.append((pl.col("log_unit_price") - med).alias(f"unit_price_vs_{name}"))
    out.append((pl.col("Country of Origin") == pl.col("Country of Departure")).cast(pl.Float64)
               .alias("origin_is_departure"))  # fmt: skip
    out.append(pl.col(DATE).dt.weekday().cast(pl.Float64).alias("weekday"))
    return rows.select(out)


def _to_matrix(frames: list[pl.DataFrame]) -> Matrix:
    joined = pl.concat(frames, how="horizontal")
    matrix: Matrix = joined.cast(pl.Float64).to_numpy().astype(np.float64)
    return matrix


def matrix(rows: pl.DataFrame, state: FeatureState) -> Matrix:
    """Features of rows scored after training: history is the training history only."""
    prepared = _prepared(rows)
    history: list[pl.Expr] = []
    m = state.smoothing
    for name, columns in HISTORY_KEYS.items():
        table = state.history[name]
        pos = _key(columns).replace_strict({k: v[0] for k, v in table.items()}, default=0.0,
                                           return_dtype=pl.Float64)  # fmt: skip
        n = _key(columns).replace_strict({k: v[1] for k, v in table.items()}, default=0.0,
                                         return_dtype=pl.Float64)  # fmt: skip
        history += [((pos + m * state.prior) / (n + m)).alias(f"fraud_rate_{name}"),
                    n.log1p().alias(f"inspections_{name}")]  # fmt: skip
    return _to_matrix([_base(prepared, state), prepared.select(history)])


def history_matrix(train: pl.DataFrame, state: FeatureState) -> Matrix:
    """Features of the training rows: each row sees only rows filed on strictly earlier dates."""
    prepared = _prepared(train).with_row_index("_row")
    daily = prepared.group_by(DATE).agg(pos=pl.col(LABEL).sum().cast(pl.Float64),
                                        n=pl.len().cast(pl.Float64)).sort(DATE)  # fmt: skip
    daily = daily.with_columns(
        prior=((pl.col("pos").cum_sum() - pl.col("pos") + GLOBAL_PRIOR_ROWS * GLOBAL_PRIOR_RATE)
               / (pl.col("n").cum_sum() - pl.col("n") + GLOBAL_PRIOR_ROWS))
    ).select(DATE, "prior")  # fmt: skip
    frame = prepared.select("_row", DATE).join(daily, on=DATE, how="left")
    m = state.smoothing
    for name, columns in HISTORY_KEYS.items():
        keyed = prepared.select("_row", DATE, LABEL, _key(columns).alias("k"))
        per_day = (
            keyed.group_by("k", DATE)
            .agg(pos=pl.col(LABEL).sum().cast(pl.Float64), n=pl.len().cast(pl.Float64))
            .sort("k", DATE)
        )
        per_day = per_day.with_columns(
            before_pos=pl.col("pos").cum_sum().over("k") - pl.col("pos"),
            before_n=pl.col("n").cum_sum().over("k") - pl.col("n"),
        ).select("k", DATE, "before_pos", "before_n")  # fmt: skip
        seen = keyed.join(per_day, on=["k", DATE], how="left").select(
            "_row",
            pl.col("before_pos").alias(f"_p_{name}"),
            pl.col("before_n").alias(f"_n_{name}"),
        )
        frame = frame.join(seen, on="_row", how="left")
    frame = frame.sort("_row")
    history: list[pl.Expr] = []
    for name in HISTORY_KEYS:
        p, n = pl.col(f"_p_{name}"), pl.col(f"_n_{name}")
        history += [((p + m * pl.col("prior")) / (n + m)).alias(f"fraud_rate_{name}"),
                    n.log1p().alias(f"inspections_{name}")]  # fmt: skip
    return _to_matrix([_base(prepared, state), frame.select(history)])
