"""The train and evaluate runs behind ``lingang risk train`` / ``lingang risk evaluate``."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lingang.errors import Invalid
from lingang.lake.store import LakeStore
from lingang.risk.scorers.evaluate import AtRate
from lingang.risk.scorers.kcs import read_kcs_csv
from lingang.risk.scorers.model import DEFAULT_NAME, Baseline, Scorer
from lingang.risk.scorers.zone import ZoneTrainReport

DATA_SETS = ("kcs", "zone")


@dataclass(frozen=True)
class TrainReport:
    """Both models measured on the same validation rows in the same run."""

    scorer: str
    version: int | None
    folder: str
    train_rows: int
    valid_rows: int
    baseline: list[AtRate]
    platform: list[AtRate]
    baseline_trees: int
    platform_trees: int
    baseline_seconds: float
    platform_seconds: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _check(data: str) -> None:
    if data not in DATA_SETS:
        raise Invalid("data", f"unknown training data {data!r}; known: {', '.join(DATA_SETS)}")


def train_kcs(
    train_path: Path, valid_path: Path, data_dir: Path, *, name: str = DEFAULT_NAME,
    data: str = "kcs", save: bool = True,
) -> TrainReport:  # fmt: skip
    """Train the plain baseline and the platform scorer; save the scorer; compare on valid."""
    _check(data)
    if data != "kcs":
        raise Invalid("data", f"{data!r} is not a KCS data set")
    train, valid = read_kcs_csv(train_path), read_kcs_csv(valid_path)
    baseline = Baseline.fit(train, valid)
    started = time.perf_counter()
    scorer = Scorer.fit(train, valid, name=name)
    seconds = time.perf_counter() - started
    folder = scorer.save(data_dir) if save else Path()
    return TrainReport(
        scorer=name, version=scorer.version, folder=str(folder), train_rows=train.height,
        valid_rows=valid.height, baseline=baseline.evaluate(valid),
        platform=scorer.evaluate(valid), baseline_trees=baseline.booster.current_iteration(),
        platform_trees=scorer.booster.current_iteration(),
        baseline_seconds=round(baseline.seconds, 2), platform_seconds=round(seconds, 2),
    )  # fmt: skip


def train_zone(
    data_dir: Path, lake_store: LakeStore, *, save: bool = True,
    labels: Sequence[tuple[Mapping[str, Any], int]] | None = None,
    min_labels: int | None = None,
) -> ZoneTrainReport:  # fmt: skip
    """Train the zone scorer on the simulated zone's declarations and truth; save it.

    With ``labels`` (declaration records as assessed, each with its case-closure label 1/0)
    it trains on those instead of the truth, refusing fewer than ``min_labels`` per side.
    """
    from dataclasses import replace

    from lingang.risk.scorers.zone import MIN_LABELS, fit_zone, fit_zone_labels

    if labels is None:
        scorer, report = fit_zone(lake_store, data_dir / "simulation" / "truth")
    else:
        scorer, report = fit_zone_labels(
            lake_store,
            [record for record, _ in labels],
            [label for _, label in labels],
            min_per_side=MIN_LABELS if min_labels is None else min_labels,
        )
    if not save:
        return report
    folder = scorer.save(data_dir)
    return replace(report, version=scorer.version, folder=str(folder))


def evaluate_kcs(
    valid_path: Path, data_dir: Path, *, name: str = DEFAULT_NAME, version: int | None = None,
    data: str = "kcs",
) -> tuple[Scorer, list[AtRate]]:  # fmt: skip
    """A saved scorer's metrics on labelled rows."""
    _check(data)
    if data != "kcs":
        raise Invalid("data", f"{data!r} is not a KCS data set")
    scorer = Scorer.load(data_dir, name, version)
    return scorer, scorer.evaluate(read_kcs_csv(valid_path))


def metric_rows(models: dict[str, list[AtRate]]) -> list[list[str]]:
    """Table rows: one per model and inspection rate."""
    return [[model, f"{m.rate:.0%}", str(m.inspected), f"{m.precision:.3f}", f"{m.recall:.3f}",
             f"{m.recovered_value:.3f}"] for model, ms in models.items() for m in ms]  # fmt: skip


METRIC_HEADERS = ["model", "rate", "inspected", "precision", "recall", "recovered value"]
