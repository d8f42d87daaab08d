"""AMLSim typologies: account-level network measures, two scenarios in the rule language, and
their detection figures against the simulator's labels (docs/network.md).

A data set is a folder with ``nodes.csv`` (nodeid, isFraud, …) and ``transactions.csv``
(sourceNodeId, targetNodeId, value, time); steps play the part of days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from lingang.risk.network.graph import PaymentGraph, cycle_members, degree, max_fan_in, max_fan_out
from lingang.risk.rules.evaluate import CompiledRule, compile_rule
from lingang.risk.rules.schema import arrow_fields
from lingang.risk.rules.types import RuleSchema

DATA_SETS = ("20K_cycle200", "20K_fanin200", "20K_fanin200cycle200")
WINDOW_STEPS = 10  # fan and cycle windows, in simulation steps
CYCLE_STRIDE = 5
MAX_CYCLE_LENGTH = 6


@dataclass(frozen=True, slots=True)
class Scenario:
    """Weighted rules over the account measures; an account is flagged at ``threshold``."""

    name: str
    rules: tuple[tuple[str, str, int], ...]  # (rule name, rule source, weight)
    threshold: int


SCENARIOS = (
    Scenario(
        "aml_cycle",
        (
            ("on_cycle", "in_cycle_10d = 1", 50),
            ("small_transfers", "min_amount < 50", 50),
        ),
        threshold=50,
    ),
    Scenario(
        "aml_fan_in",
        (
            ("fan_in", "fan_in_10d >= 8", 50),
            ("small_receipts", "min_in_amount < 50", 50),
        ),
        threshold=50,
    ),
)


@dataclass(frozen=True, slots=True)
class Figures:
    """Detection figures of one alert set against the labels."""

    flagged: int
    true_positives: int
    positives: int

    @property
    def precision(self) -> float:
        """Share of flagged accounts that are laundering accounts."""
        return self.true_positives / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        """Share of laundering accounts flagged."""
        return self.true_positives / self.positives if self.positives else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        """The figures as plain numbers."""
        return {
            "flagged": self.flagged,
            "true_positives": self.true_positives,
            "positives": self.positives,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """A scenario's figures, each rule's hits, and the top-degree baseline's figures."""

    data_set: str
    scenario: str
    figures: Figures
    baseline: Figures
    rule_hits: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {
            "data_set": self.data_set,
            "scenario": self.scenario,
            **self.figures.to_json(),
            "baseline": self.baseline.to_json(),
            "rule_hits": self.rule_hits,
        }


def load(folder: Path, max_steps: int | None = None) -> tuple[PaymentGraph, dict[str, bool]]:
    """The transfer graph (steps ≤ ``max_steps``) and each account's ``isFraud`` label."""
    nodes = pacsv.read_csv(folder / "nodes.csv").to_pydict()
    labels = {str(n): bool(f) for n, f in zip(nodes["nodeid"], nodes["isFraud"], strict=True)}
    tx = pacsv.read_csv(folder / "transactions.csv").to_pydict()
    rows = zip(tx["sourceNodeId"], tx["targetNodeId"], tx["time"], tx["value"], strict=True)
    graph = PaymentGraph.from_edges(
        (str(s), str(t), int(step), float(v))
        for s, t, step, v in rows
        if max_steps is None or step <= max_steps
    )
    return graph, labels


def measures(graph: PaymentGraph) -> pa.Table:
    """One row per account that transferred: the measures the scenarios' rules read."""
    fan_in = max_fan_in(graph, WINDOW_STEPS)
    fan_out = max_fan_out(graph, WINDOW_STEPS)
    cycles = cycle_members(graph, MAX_CYCLE_LENGTH, WINDOW_STEPS, stride=CYCLE_STRIDE)
    smallest: dict[str, float] = defaultdict(lambda: float("inf"))
    smallest_in: dict[str, float] = defaultdict(lambda: float("inf"))
    for source, target, amount in zip(graph.source, graph.target, graph.amount, strict=True):
        smallest[source] = min(smallest[source], amount)
        smallest[target] = min(smallest[target], amount)
        smallest_in[target] = min(smallest_in[target], amount)
    accounts = sorted(graph.nodes(), key=lambda a: (len(a), a))
    degrees = degree(graph, accounts)
    return pa.table(
        {
            "account": pa.array(accounts, pa.string()),
            "fan_in_10d": pa.array([float(fan_in.get(a, 0)) for a in accounts]),
            "fan_out_10d": pa.array([float(fan_out.get(a, 0)) for a in accounts]),
            "in_cycle_10d": pa.array([1.0 if a in cycles else 0.0 for a in accounts]),
            "min_amount": pa.array([smallest[a] for a in accounts]),
            "min_in_amount": pa.array([smallest_in.get(a) for a in accounts], pa.float64()),
            "degree": pa.array([float(degrees[a]) for a in accounts]),
        }
    )


def compile_scenario(scenario: Scenario, schema: RuleSchema) -> list[tuple[str, CompiledRule, int]]:
    """The scenario's rules compiled (type-checked) against the measures' schema."""
    return [(name, compile_rule(source, schema), w) for name, source, w in scenario.rules]


def run_scenario(
    scenario: Scenario, table: pa.Table, labels: dict[str, bool], data_set: str
) -> ScenarioResult:
    """Score every account (sum of the weights of the rules that fire, 0–100), flag those at
    the threshold, and compare with the labels and with the same number of top-degree
    accounts."""
    schema = RuleSchema(fields=arrow_fields(table.schema), features={}, lists={})
    scores = [0] * table.num_rows
    hits: dict[str, int] = {}
    for name, rule, weight in compile_scenario(scenario, schema):
        fired = rule.batch(table).to_pylist()
        hits[name] = sum(1 for f in fired if f is True)
        scores = [s + (weight if f is True else 0) for s, f in zip(scores, fired, strict=True)]
    accounts = [str(a) for a in table.column("account").to_pylist()]
    flagged = [a for a, s in zip(accounts, scores, strict=True) if s >= scenario.threshold]
    degrees = [float(d or 0.0) for d in table.column("degree").to_pylist()]
    by_degree = sorted(zip(degrees, accounts, strict=True), key=lambda x: -x[0])
    baseline = [a for _, a in by_degree[: len(flagged)]]
    return ScenarioResult(
        data_set, scenario.name, _figures(flagged, labels), _figures(baseline, labels), hits
    )


def _figures(flagged: list[str], labels: dict[str, bool]) -> Figures:
    positives = sum(labels.values())
    return Figures(len(flagged), sum(1 for a in flagged if labels.get(a)), positives)


def evaluate(root: Path, max_steps: int | None = None) -> list[ScenarioResult]:
    """Every scenario on every AMLSim data set present under ``root``."""
    results: list[ScenarioResult] = []
    for data_set in DATA_SETS:
        folder = root / data_set
        if not (folder / "transactions.csv").exists():
            continue
        graph, labels = load(folder, max_steps)
        table = measures(graph)
        results += [run_scenario(s, table, labels, data_set) for s in SCENARIOS]
    return results
