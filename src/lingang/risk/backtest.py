"""Back-tests: run a rule-set version over a date range of the lake, in batch, and measure it.

The same compiled rules as online (DuckDB SQL of the same syntax trees, with the same
features computed over the lake) give per-row hits; the same weights give scores and
outcomes. Measured: hits per rule, overlap between rules, alerts per day, and — where the
zone is simulated — precision and recall against the simulator's ground truth. Threshold
tuning finds the review threshold that keeps alerts within an inspection capacity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lingang.errors import Invalid
from lingang.lake.catalog import DATASETS
from lingang.lake.store import LakeStore
from lingang.risk.scenarios.compiled import CompiledRuleSet
from lingang.risk.scenarios.model import ScenarioSpec

MAX_DAYS = 731

LINE_PATTERNS = ("undervaluation", "hs_misclassification", "origin_laundering",
                 "dg_misdeclaration")  # fmt: skip
#: a scenario over any line-level pattern (the zone scorer's label) has this pattern
ANY_LINE_PATTERN = "line_patterns"

# For each pattern, which rows of which dataset are ground truth, as SQL over ``events``.
TRUTH_SQL: dict[str, dict[str, str]] = {
    "declarations": {
        ANY_LINE_PATTERN: "(declaration_id || '/' || item_no) IN ("
        + " UNION ".join(
            f"SELECT declaration_id || '/' || item_no FROM truth_{p}" for p in LINE_PATTERNS
        )
        + ")",
        **{
            p: "(declaration_id || '/' || item_no) IN "
            f"(SELECT declaration_id || '/' || item_no FROM truth_{p})"
            for p in LINE_PATTERNS
        },
        "circular_flow": "declaration_id IN (SELECT export_declaration_id FROM truth_circular_flow"
        " UNION SELECT import_declaration_id FROM truth_circular_flow)",
    },
    "payments": {
        "payment_mismatch": "payment_id IN (SELECT payment_id FROM truth_payment_mismatch)",
        "circular_flow": "payment_id IN (SELECT receipt_payment_id FROM truth_circular_flow"
        " UNION SELECT payment_payment_id FROM truth_circular_flow)",
        "shell_company": "enterprise_uscc IN (SELECT uscc FROM truth_shell_company)",
    },
    "gate_events": {
        "bonded_leakage": "event_id IN (SELECT event_id FROM truth_bonded_leakage)",
    },
}


class BatchFeatures(Protocol):
    """Features of many events at once, computed over the lake's history."""

    def compute(
        self, dataset: str, events: pa.Table, needed: frozenset[str] | None = None
    ) -> pa.Table:
        """One column per feature of ``dataset``'s events (at least those ``needed``), rows
        in the same order."""


class BatchScorer(Protocol):
    """A saved scorer as back-tests use it."""

    def probabilities(self, table: pa.Table) -> np.ndarray[Any, Any]:
        """One probability per row of a table of events and their features."""


#: The saved scorer of a name, or None when there is none (injected by the bootstrap).
BatchScorerLookup = Callable[[str], BatchScorer | None]


@dataclass(frozen=True, slots=True)
class RuleStats:
    """One rule's hits over the range."""

    rule: str
    scenario: str
    dataset: str
    hits: int
    hit_rate: float
    true_hits: int | None  # hits on rows of the scenario's pattern (simulated zones)
    precision: float | None


@dataclass(frozen=True, slots=True)
class ScenarioStats:
    """One scenario's alerts and, where known, detection against the ground truth."""

    scenario: str
    dataset: str
    pattern: str | None
    rows: int
    review: int
    hold: int
    truth_rows: int | None
    true_alerts: int | None
    precision: float | None
    recall: float | None


@dataclass(frozen=True, slots=True)
class DayStats:
    """Alerts of one day (all datasets)."""

    day: dt.date
    rows: int
    review: int
    hold: int


@dataclass(frozen=True, slots=True)
class Tuning:
    """The review threshold that keeps alerts within a capacity, and what it gives."""

    dataset: str
    capacity: float
    threshold: float
    alerts: int
    alert_rate: float
    true_alerts: int | None
    precision: float | None


@dataclass
class BacktestReport:
    """What a rule-set version would have done over a date range."""

    version: str
    start: dt.date
    end: dt.date
    rows: dict[str, int]
    rules: list[RuleStats]
    overlap: dict[str, dict[str, int]]
    scenarios: list[ScenarioStats]
    days: list[DayStats]
    tuning: list[Tuning] = field(default_factory=list)
    seconds: float = 0.0
    truth: bool = False


@dataclass
class _Scored:
    dataset: str
    rows: int
    days: np.ndarray[Any, Any]
    hits: pa.Table
    scores: dict[str, np.ndarray[Any, Any]]
    truth: dict[str, np.ndarray[Any, Any]]


def load_truth(truth_dir: Path | None) -> dict[str, pa.Table]:
    """The simulator's truth tables by pattern (empty when the zone is not simulated)."""
    if truth_dir is None or not truth_dir.is_dir():
        return {}
    return {path.stem: pq.read_table(path) for path in sorted(truth_dir.glob("*.parquet"))}


class Backtester:
    """Runs compiled rule sets over the lake."""

    def __init__(self, lake: LakeStore, features: BatchFeatures, truth_dir: Path | None, *,
                 scorers: BatchScorerLookup | None = None) -> None:  # fmt: skip
        self._lake = lake
        self._scorers = scorers
        self._features = features
        self._truth_dir = truth_dir

    def run(self, compiled: CompiledRuleSet, lists: Mapping[str, frozenset[str]], *,
            version: str, start: dt.date, end: dt.date,
            capacity: float | None = None) -> BacktestReport:  # fmt: skip
        """Score every event of ``start``–``end`` and measure the rule set."""
        import time

        if end < start:
            raise Invalid("end", "must not be before start")
        if (end - start).days > MAX_DAYS:
            raise Invalid("end", f"a back-test covers at most {MAX_DAYS} days")
        if capacity is not None and not 0 < capacity < 1:
            raise Invalid("capacity", "must be a share between 0 and 1, e.g. 0.03")
        began = time.perf_counter()
        truth = load_truth(self._truth_dir)
        given = {n: lists.get(n, frozenset()) for n in compiled.lists}
        scored = [self._score(compiled, given, d, start, end, truth) for d in compiled.datasets()]
        report = _report(compiled, scored, version, start, end, truth_known=bool(truth))
        if capacity is not None:
            report.tuning = [_tune(compiled, s, capacity) for s in scored if s.rows]
        report.seconds = time.perf_counter() - began
        return report

    def events(self, dataset: str, start: dt.date, end: dt.date) -> pa.Table:
        """The dataset's rows of the range, in key order."""
        spec = DATASETS[dataset]
        day = f"CAST({spec.partition_by} AS DATE)"
        keys = ", ".join(spec.key)
        query = f"SELECT * FROM {dataset} WHERE {day} BETWEEN $start AND $end ORDER BY {keys}"
        try:
            return self._lake.sql(query, {"start": start, "end": end})
        except duckdb.Error:  # nothing imported into this dataset yet
            return spec.arrow_schema().empty_table()

    def _score(self, compiled: CompiledRuleSet, lists: Mapping[str, frozenset[str]],
               dataset: str, start: dt.date, end: dt.date,
               truth: Mapping[str, pa.Table]) -> _Scored:  # fmt: skip
        events = self.events(dataset, start, end)
        features = self._features.compute(dataset, events, compiled.features.get(dataset))
        table = events
        for name in features.column_names:
            if name not in table.column_names:
                table = table.append_column(name, features.column(name))
        hits = compiled.batch_hits(dataset, table, lists)
        spec = DATASETS[dataset]
        days = _days(events, spec.partition_by)
        flags = _truth_flags(dataset, events, truth)
        scores = compiled.batch_scores(dataset, hits, self._probabilities(compiled, dataset, table))
        return _Scored(dataset, events.num_rows, days, hits, scores, flags)

    def _probabilities(self, compiled: CompiledRuleSet, dataset: str, table: pa.Table
                       ) -> dict[str, np.ndarray[Any, Any]] | None:  # fmt: skip
        """Per named scorer that exists, the probabilities of the events with features."""
        if self._scorers is None:
            return None
        out: dict[str, np.ndarray[Any, Any]] = {}
        for scenario in compiled.document.for_dataset(dataset):
            if scenario.scorer is None or scenario.scorer.name in out:
                continue
            scorer = self._scorers(scenario.scorer.name)
            if scorer is not None:
                out[scenario.scorer.name] = scorer.probabilities(table)
        return out or None


def _days(events: pa.Table, column: str) -> np.ndarray[Any, Any]:
    if events.num_rows == 0:
        return np.array([], dtype="datetime64[D]")
    values = events.column(column)
    if pa.types.is_timestamp(values.type):
        values = values.cast(pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
        return values.to_numpy().astype("datetime64[D]")
    return values.to_numpy().astype("datetime64[D]")


def _truth_flags(dataset: str, events: pa.Table,
                 truth: Mapping[str, pa.Table]) -> dict[str, np.ndarray[Any, Any]]:  # fmt: skip
    wanted = {p: sql for p, sql in TRUTH_SQL.get(dataset, {}).items()
              if all(t in truth for t in _truth_tables(p))}  # fmt: skip
    if not wanted or events.num_rows == 0:
        return {}
    with duckdb.connect() as con:
        con.register("events", events)
        for table in {t for pattern in wanted for t in _truth_tables(pattern)}:
            con.register(f"truth_{table}", truth[table])
        columns = ", ".join(f'coalesce({sql}, false) AS "{p}"' for p, sql in wanted.items())
        flags = con.sql(f"SELECT {columns} FROM events").to_arrow_table()
    return {p: flags.column(p).to_numpy(zero_copy_only=False) for p in wanted}


def _truth_tables(pattern: str) -> tuple[str, ...]:
    """The simulator's truth tables a pattern's ground truth reads."""
    return LINE_PATTERNS if pattern == ANY_LINE_PATTERN else (pattern,)


def _fired(hits: pa.Table, rule: str) -> np.ndarray[Any, Any]:
    return np.asarray(hits.column(rule).to_numpy(zero_copy_only=False), dtype=bool)


def _report(compiled: CompiledRuleSet, scored: list[_Scored], version: str, start: dt.date,
            end: dt.date, *, truth_known: bool) -> BacktestReport:  # fmt: skip
    rules: list[RuleStats] = []
    scenarios: list[ScenarioStats] = []
    overlap: dict[str, dict[str, int]] = {}
    for part in scored:
        for scenario in compiled.document.for_dataset(part.dataset):
            truth = part.truth.get(scenario.pattern or "") if truth_known else None
            rules += [_rule_stats(part, scenario, r.id, truth) for r in scenario.rules
                      if r.enabled and r.id in part.hits.column_names]  # fmt: skip
            scenarios.append(_scenario_stats(part, scenario, truth))
        overlap.update(_overlap(part.hits))
    rows = {p.dataset: p.rows for p in scored}
    days = _per_day(compiled, scored)
    return BacktestReport(version, start, end, rows, rules, overlap, scenarios, days,
                          truth=truth_known)  # fmt: skip


def _rule_stats(part: _Scored, scenario: ScenarioSpec, rule: str,
                truth: np.ndarray[Any, Any] | None) -> RuleStats:  # fmt: skip
    fired = _fired(part.hits, rule)
    hits = int(fired.sum())
    true_hits = int((fired & truth).sum()) if truth is not None else None
    precision = true_hits / hits if true_hits is not None and hits else None
    return RuleStats(rule, scenario.id, part.dataset, hits, hits / part.rows if part.rows else 0.0,
                     true_hits, precision)  # fmt: skip


def _scenario_stats(part: _Scored, scenario: ScenarioSpec,
                    truth: np.ndarray[Any, Any] | None) -> ScenarioStats:  # fmt: skip
    score = part.scores.get(scenario.id, np.zeros(part.rows))
    alert = score >= scenario.review
    hold = score >= scenario.hold
    truth_rows = true_alerts = None
    precision = recall = None
    if truth is not None:
        truth_rows, true_alerts = int(truth.sum()), int((alert & truth).sum())
        precision = true_alerts / int(alert.sum()) if alert.any() else None
        recall = true_alerts / truth_rows if truth_rows else None
    return ScenarioStats(scenario.id, part.dataset, scenario.pattern, part.rows,
                         int((alert & ~hold).sum()), int(hold.sum()), truth_rows, true_alerts,
                         precision, recall)  # fmt: skip


def _overlap(hits: pa.Table) -> dict[str, dict[str, int]]:
    """Rows hit by both rules, for every pair of rules that hit anything."""
    names = [n for n in hits.column_names if _fired(hits, n).any()]
    matrix = {n: _fired(hits, n) for n in names}
    return {a: {b: int((matrix[a] & matrix[b]).sum()) for b in names} for a in names}


def _outcomes(compiled: CompiledRuleSet, part: _Scored) -> tuple[np.ndarray[Any, Any], ...]:
    review = np.zeros(part.rows, dtype=bool)
    hold = np.zeros(part.rows, dtype=bool)
    for scenario in compiled.document.for_dataset(part.dataset):
        score = part.scores.get(scenario.id, np.zeros(part.rows))
        hold |= score >= scenario.hold
        review |= score >= scenario.review
    return review & ~hold, hold


def _per_day(compiled: CompiledRuleSet, scored: list[_Scored]) -> list[DayStats]:
    totals: dict[dt.date, list[int]] = {}
    for part in scored:
        if not part.rows:
            continue
        review, hold = _outcomes(compiled, part)
        days, index = np.unique(part.days, return_inverse=True)
        rows = np.bincount(index, minlength=len(days))
        reviews = np.bincount(index, weights=review, minlength=len(days))
        holds = np.bincount(index, weights=hold, minlength=len(days))
        for i, day in enumerate(days.astype(dt.date)):
            slot = totals.setdefault(day, [0, 0, 0])
            slot[0] += int(rows[i])
            slot[1] += int(reviews[i])
            slot[2] += int(holds[i])
    return [DayStats(d, *v) for d, v in sorted(totals.items())]


def _tune(compiled: CompiledRuleSet, part: _Scored, capacity: float) -> Tuning:
    """The lowest review threshold (shared by the dataset's scenarios) whose alerts fit."""
    combined = np.zeros(part.rows)
    for scenario in compiled.document.for_dataset(part.dataset):
        combined = np.maximum(combined, part.scores.get(scenario.id, np.zeros(part.rows)))
    allowed = int(np.floor(capacity * part.rows))
    candidates = np.unique(combined[combined > 0])[::-1]  # highest first
    threshold = 100.0 + 1e-9
    for value in candidates:
        if int((combined >= value).sum()) > allowed:
            break
        threshold = float(value)
    alert = combined >= threshold
    truth = _any_truth(compiled, part)
    true_alerts = int((alert & truth).sum()) if truth is not None else None
    alerts = int(alert.sum())
    precision = true_alerts / alerts if true_alerts is not None and alerts else None
    return Tuning(part.dataset, capacity, min(threshold, 100.0), alerts,
                  alerts / part.rows if part.rows else 0.0, true_alerts, precision)  # fmt: skip


def _any_truth(compiled: CompiledRuleSet, part: _Scored) -> np.ndarray[Any, Any] | None:
    patterns = {s.pattern for s in compiled.document.for_dataset(part.dataset) if s.pattern}
    flags = [part.truth[p] for p in patterns if p in part.truth]
    if not flags:
        return None
    result = np.zeros(part.rows, dtype=bool)
    for flag in flags:
        result |= flag
    return result
