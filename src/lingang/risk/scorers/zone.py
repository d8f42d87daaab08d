"""The zone scorer: LightGBM over the feature library's declaration features, trained on the
simulated zone's ground truth.

Rows are declaration lines of the lake; the label is whether the line is in any line-pattern
truth table of the simulator (undervaluation, HS misclassification, origin laundering, DG
misdeclaration). Features are the plain (non-network) declaration features of the feature
library, computed over the lake's history exactly as back-tests compute them, so the same
feature values reach the scorer online (:class:`ZoneScorer.probability`) and in batch
(:class:`ZoneScorer.probabilities`). The first three quarters of the zone's days train, the
last quarter (three months of a one-year zone) validates: it picks the number of trees by
early stopping and gives the reported precision.

:func:`fit_zone_labels` trains the same model on case-closure labels instead (``lingang risk
train --data zone --labels cases``): the labelled events' stored records, their features
recomputed over the lake like the truth-trained model's, the label 1 for a confirmed
violation and 0 for a false positive.

Saved as ``<data_dir>/risk/scorers/zone-gbdt-<version>/`` (``model.txt`` and
``metadata.json`` listing the feature names in order).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import lightgbm as lgb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lingang.errors import Invalid, NotFound
from lingang.lake.catalog import DECLARATIONS
from lingang.lake.store import LakeStore
from lingang.risk.features.batch import compute_batch
from lingang.risk.features.library import load_library
from lingang.risk.scorers.evaluate import AtRate, at_rates
from lingang.risk.scorers.model import COMMON, EARLY_STOPPING, MAX_ROUNDS, scorers_dir, versions

ZONE_NAME = "zone-gbdt"
KIND = "zone"
LINE_PATTERNS = ("undervaluation", "hs_misclassification", "origin_laundering",
                 "dg_misdeclaration")  # fmt: skip
RATES = (0.01, 0.02, 0.05)
VALID_SHARE = 0.25
PARAMS: dict[str, Any] = {**COMMON, "learning_rate": 0.05, "num_leaves": 31,
                          "min_data_in_leaf": 20}  # fmt: skip
#: case labels are few (tens to thousands of alerted events): smaller trees, smaller leaves
LABEL_PARAMS: dict[str, Any] = {**PARAMS, "num_leaves": 7, "min_data_in_leaf": 5}
#: alerted events are mostly violations already: rank within them at wider rates
LABEL_RATES = (0.1, 0.2, 0.5)
#: the fewest labels of each side (confirmed violations, false positives) training needs
MIN_LABELS = 20


def declaration_events(lake: LakeStore, start: dt.date, end: dt.date) -> pa.Table:
    """The declaration lines of ``start``–``end`` in key order."""
    query = (f"SELECT {', '.join(DECLARATIONS.field_names)} FROM declarations "
             "WHERE declared_on BETWEEN $a AND $b ORDER BY declaration_id, item_no")  # fmt: skip
    return lake.sql(query, {"a": start, "b": end})


def truth_labels(events: pa.Table, truth_dir: Path) -> np.ndarray[Any, Any]:
    """1 where the line is in any line-pattern truth table, else 0 (row order kept)."""
    tables = {p: truth_dir / f"{p}.parquet" for p in LINE_PATTERNS}
    present = {p: pq.read_table(path, columns=["declaration_id", "item_no"])
               for p, path in tables.items() if path.is_file()}  # fmt: skip
    if not present:
        raise NotFound(f"no line-pattern truth tables under {truth_dir}")
    keyed = events.select(["declaration_id", "item_no"]).append_column(
        "__row", pa.array(np.arange(events.num_rows, dtype=np.int64)))  # fmt: skip
    union = " UNION ".join(
        f"SELECT CAST(declaration_id AS VARCHAR) AS d, CAST(item_no AS BIGINT) AS i FROM truth_{p}"
        for p in present
    )
    query = (f"WITH t AS (SELECT DISTINCT d, i FROM ({union})) "
             "SELECT (t.d IS NOT NULL) AS y FROM events LEFT JOIN t "
             "ON t.d = CAST(events.declaration_id AS VARCHAR) "
             "AND t.i = CAST(events.item_no AS BIGINT) ORDER BY events.__row")  # fmt: skip
    with duckdb.connect() as con:
        con.register("events", keyed)
        for p, table in present.items():
            con.register(f"truth_{p}", table)
        flags = con.sql(query).to_arrow_table().column(0).to_numpy(zero_copy_only=False)
    return np.asarray(flags, dtype=np.int64)


def _matrix(table: pa.Table, names: list[str]) -> np.ndarray[Any, Any]:
    if table.num_rows == 0:
        return np.empty((0, len(names)))
    columns = []
    for name in names:
        if name in table.column_names:
            col = table.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False)
            columns.append(np.asarray(col, dtype=np.float64))
        else:
            columns.append(np.full(table.num_rows, np.nan))
    return np.column_stack(columns)


@dataclass
class ZoneScorer:
    """A trained zone scorer: booster plus its ordered feature names."""

    booster: lgb.Booster
    features: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)
    version: int | None = None
    name: str = ZONE_NAME

    @property
    def label(self) -> str:
        """``<name>-<version>`` as stored with assessments."""
        return f"{self.name}-{self.version}"

    def _row(self, features: Mapping[str, float | None]) -> np.ndarray[Any, Any]:
        values = [features.get(n) for n in self.features]
        return np.array([[np.nan if v is None else float(v) for v in values]], dtype=np.float64)

    def probability(self, features: Mapping[str, float | None]) -> float:
        """The probability of one event from its features (missing → null)."""
        return float(np.asarray(self.booster.predict(self._row(features)))[0])

    def probabilities(self, table: pa.Table) -> np.ndarray[Any, Any]:
        """Probabilities of every row of a table with one column per feature."""
        if table.num_rows == 0:
            return np.zeros(0)
        return np.asarray(self.booster.predict(_matrix(table, self.features)), dtype=np.float64)

    def contributions(self, features: Mapping[str, float | None], top: int = 5
                      ) -> list[tuple[str, float]]:  # fmt: skip
        """The ``top`` features pushing this event's log-odds most (largest magnitude)."""
        contrib = np.asarray(self.booster.predict(self._row(features), pred_contrib=True))[0]
        order = np.argsort(-np.abs(contrib[:-1]), kind="stable")[:top]
        return [(self.features[i], round(float(contrib[i]), 6)) for i in order]

    def save(self, data_dir: Path) -> Path:
        """Write the next version under ``<data_dir>/risk/scorers/``; returns its folder."""
        root = scorers_dir(data_dir)
        root.mkdir(parents=True, exist_ok=True)
        self.version = max(versions(data_dir, self.name), default=0) + 1
        folder = root / f"{self.name}-{self.version}"
        folder.mkdir()
        self.booster.save_model(str(folder / "model.txt"))
        self.metadata = {**self.metadata, "kind": KIND, "name": self.name, "version": self.version,
                         "features": self.features}  # fmt: skip
        (folder / "metadata.json").write_text(json.dumps(self.metadata, indent=2),
                                              encoding="utf-8")  # fmt: skip
        return folder

    @classmethod
    def load(cls, data_dir: Path, name: str = ZONE_NAME, version: int | None = None
             ) -> ZoneScorer:  # fmt: skip
        """A saved zone scorer: the given version, or the newest."""
        found = versions(data_dir, name)
        if not found:
            raise NotFound(f"no saved scorer named {name!r} under {scorers_dir(data_dir)}")
        chosen = max(found) if version is None else version
        if chosen not in found:
            raise NotFound(f"scorer {name!r} has no version {chosen} (has {sorted(found)})")
        folder = scorers_dir(data_dir) / f"{name}-{chosen}"
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        booster = lgb.Booster(model_file=str(folder / "model.txt"))
        return cls(booster=booster, features=list(meta["features"]), metadata=meta,
                   version=chosen, name=name)  # fmt: skip


class SavedScorers:
    """Saved zone scorers by name, loaded once and reloaded when a newer version is saved
    (the folder is looked at most every ``refresh_s`` seconds). Scorers of another kind (the
    KCS scorer) are not zone scorers: ``None``."""

    def __init__(self, data_dir: Path, *, refresh_s: float = 2.0) -> None:
        self._data_dir = data_dir
        self._refresh_s = refresh_s
        self._cache: dict[str, tuple[float, ZoneScorer | None]] = {}

    def __call__(self, name: str) -> ZoneScorer | None:
        now = time.monotonic()
        cached = self._cache.get(name)
        if cached is not None and now - cached[0] < self._refresh_s:
            return cached[1]
        found = versions(self._data_dir, name)
        scorer = cached[1] if cached is not None else None
        if not found:
            scorer = None
        elif scorer is None or scorer.version != max(found):
            scorer = self._load(name)
        self._cache[name] = (now, scorer)
        return scorer

    def _load(self, name: str) -> ZoneScorer | None:
        folder = scorers_dir(self._data_dir) / f"{name}-{max(versions(self._data_dir, name))}"
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        if meta.get("kind") != KIND:
            return None
        return ZoneScorer.load(self._data_dir, name)


@dataclass(frozen=True)
class ZoneTrainReport:
    """What ``lingang risk train --data zone`` prints."""

    scorer: str
    version: int | None
    folder: str
    train_start: str
    split: str
    valid_end: str
    train_rows: int
    valid_rows: int
    train_positives: int
    valid_positives: int
    base_rate: float
    trees: int
    features: int
    seconds: float
    valid: list[AtRate]
    labels: str = "truth"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def fit_zone(lake: LakeStore, truth_dir: Path, *, name: str = ZONE_NAME,
             max_rounds: int = MAX_ROUNDS) -> tuple[ZoneScorer, ZoneTrainReport]:  # fmt: skip
    """Train on the first three quarters of the zone's days, validate on the last quarter."""
    started = time.perf_counter()
    try:
        bounds = lake.sql("SELECT min(declared_on) AS a, max(declared_on) AS b FROM declarations")
    except duckdb.Error as exc:
        raise NotFound("the lake holds no declarations") from exc
    first, last = bounds.column(0)[0].as_py(), bounds.column(1)[0].as_py()
    if first is None or last is None or (last - first).days < 8:
        raise Invalid("data", "training needs declarations over at least 8 days")
    split = last - dt.timedelta(days=max(1, round((last - first).days * VALID_SHARE)))
    catalog = load_library(network=False)
    names = catalog.for_event("declarations")
    events = declaration_events(lake, first, last)
    table = compute_batch(catalog, lake, "declarations", events)
    x = _matrix(table, names)
    y = truth_labels(events, truth_dir)
    days = np.asarray(events.column("declared_on").to_numpy(zero_copy_only=False),
                      dtype="datetime64[D]")  # fmt: skip
    is_valid = days > np.datetime64(split)
    x_train, y_train, x_valid, y_valid = x[~is_valid], y[~is_valid], x[is_valid], y[is_valid]
    if not (y_train.any() and y_valid.any()):
        raise Invalid("data", "both periods need at least one truth line")
    d_train = lgb.Dataset(x_train, y_train, feature_name=names, free_raw_data=False)
    d_valid = lgb.Dataset(x_valid, y_valid, reference=d_train)
    trained = lgb.train(PARAMS, d_train, num_boost_round=max_rounds, valid_sets=[d_valid],
                        callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)])  # fmt: skip
    booster = lgb.Booster(model_str=trained.model_to_string(num_iteration=trained.best_iteration))
    scorer = ZoneScorer(booster=booster, features=list(names), name=name)
    values = np.asarray(events.column("declared_value").to_numpy(zero_copy_only=False),
                        dtype=np.float64)[is_valid]  # fmt: skip
    metrics = at_rates(scorer.probabilities(table.filter(pa.array(is_valid))), y_valid,
                       np.nan_to_num(values), RATES)  # fmt: skip
    seconds = round(time.perf_counter() - started, 2)
    scorer.metadata = {
        "label": "any line-pattern truth: " + ", ".join(LINE_PATTERNS),
        "params": PARAMS, "best_iteration": booster.current_iteration(),
        "train": [first.isoformat(), split.isoformat()],
        "valid": [(split + dt.timedelta(days=1)).isoformat(), last.isoformat()],
        "train_rows": len(y_train), "valid_rows": len(y_valid),
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "train_seconds": seconds, "valid_metrics": [asdict(m) for m in metrics],
    }  # fmt: skip
    report = ZoneTrainReport(
        scorer=name, version=None, folder="", train_start=first.isoformat(),
        split=split.isoformat(), valid_end=last.isoformat(), train_rows=len(y_train),
        valid_rows=len(y_valid), train_positives=int(y_train.sum()),
        valid_positives=int(y_valid.sum()), base_rate=round(float(y_valid.mean()), 6),
        trees=booster.current_iteration(), features=len(names), seconds=seconds, valid=metrics,
    )  # fmt: skip
    return scorer, report


def fit_zone_labels(
    lake: LakeStore, records: Sequence[Mapping[str, Any]], labels: Sequence[int], *,
    name: str = ZONE_NAME, min_per_side: int = MIN_LABELS, max_rounds: int = MAX_ROUNDS,
) -> tuple[ZoneScorer, ZoneTrainReport]:  # fmt: skip
    """Train on labelled declaration lines (case closures: 1 confirmed, 0 false positive).

    ``records`` are the declaration lines as assessments stored them; their features are
    recomputed over the lake's history (``compute_batch``), because an assessment keeps only
    the features its rule set used. Oldest three quarters of the lines (by declaration day)
    train, the newest quarter validates. Refused (``Invalid("labels")``) with fewer than
    ``min_per_side`` labels on either side, or a validation part without both.
    """
    from lingang.risk.assessments.record import check_record

    started = time.perf_counter()
    if len(records) != len(labels):
        raise Invalid("labels", "one label per record")
    y_all = np.asarray(labels, dtype=np.int64)
    positives, negatives = int((y_all == 1).sum()), int((y_all == 0).sum())
    if positives + negatives != len(y_all):
        raise Invalid("labels", "labels must be 0 or 1")
    if positives < min_per_side or negatives < min_per_side:
        raise Invalid("labels", f"training on case labels needs at least {min_per_side} "
                      f"confirmed violations and {min_per_side} false positives; found "
                      f"{positives} and {negatives} (close more cases first)")  # fmt: skip
    typed = [check_record(DECLARATIONS, record) for record in records]
    order = sorted(range(len(typed)), key=lambda i: typed[i]["declared_on"])
    schema = pa.schema([pa.field(f.name, f.type) for f in DECLARATIONS.fields])
    events = pa.Table.from_pylist([typed[i] for i in order], schema=schema)
    y = y_all[order]
    catalog = load_library(network=False)
    names = catalog.for_event("declarations")
    table = compute_batch(catalog, lake, "declarations", events)
    x = _matrix(table, names)
    n_valid = max(1, round(len(y) * VALID_SHARE))
    is_valid = np.arange(len(y)) >= len(y) - n_valid
    y_train, y_valid = y[~is_valid], y[is_valid]
    if len(set(y_train.tolist())) < 2 or len(set(y_valid.tolist())) < 2:
        raise Invalid("labels", "both the older three quarters (training) and the newest "
                      "quarter (validation) need violations and false positives")  # fmt: skip
    d_train = lgb.Dataset(x[~is_valid], y_train, feature_name=names, free_raw_data=False)
    d_valid = lgb.Dataset(x[is_valid], y_valid, reference=d_train)
    trained = lgb.train(LABEL_PARAMS, d_train, num_boost_round=max_rounds, valid_sets=[d_valid],
                        callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)])  # fmt: skip
    booster = lgb.Booster(model_str=trained.model_to_string(num_iteration=trained.best_iteration))
    scorer = ZoneScorer(booster=booster, features=list(names), name=name)
    values = np.asarray(events.column("declared_value").to_numpy(zero_copy_only=False),
                        dtype=np.float64)[is_valid]  # fmt: skip
    metrics = at_rates(scorer.probabilities(table.filter(pa.array(is_valid))), y_valid,
                       np.nan_to_num(values), LABEL_RATES)  # fmt: skip
    days = [row["declared_on"] for row in (typed[i] for i in order)]
    split_at = len(y) - n_valid
    seconds = round(time.perf_counter() - started, 2)
    scorer.metadata = {
        "label": "case closures: confirmed_violation = 1, false_positive = 0",
        "labels": "cases", "params": LABEL_PARAMS,
        "best_iteration": booster.current_iteration(),
        "train": [days[0].isoformat(), days[split_at - 1].isoformat()],
        "valid": [days[split_at].isoformat(), days[-1].isoformat()],
        "train_rows": len(y_train), "valid_rows": len(y_valid),
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "train_seconds": seconds, "valid_metrics": [asdict(m) for m in metrics],
    }  # fmt: skip
    report = ZoneTrainReport(
        scorer=name, version=None, folder="", train_start=days[0].isoformat(),
        split=days[split_at - 1].isoformat(), valid_end=days[-1].isoformat(),
        train_rows=len(y_train), valid_rows=len(y_valid),
        train_positives=int(y_train.sum()), valid_positives=int(y_valid.sum()),
        base_rate=round(float(y_valid.mean()), 6), trees=booster.current_iteration(),
        features=len(names), seconds=seconds, valid=metrics, labels="cases",
    )  # fmt: skip
    return scorer, report
