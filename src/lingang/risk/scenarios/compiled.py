"""A rule set compiled once: every rule checked against its dataset's schema, then evaluated
on one event (online) or on an Arrow table of events with their features (batch).

Scoring is the same in both paths: a scenario's score is the sum of the weights of its rules
that fired, plus ``weight × probability`` of its scorer when it has one, capped at 100; the
event's outcome is the most severe outcome of its scenarios.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from lingang.errors import Invalid
from lingang.lake.catalog import DATASETS
from lingang.risk.rules import ast
from lingang.risk.rules.evaluate import CompiledRule, Lists, compile_rule
from lingang.risk.rules.schema import schema_for
from lingang.risk.rules.types import RuleSchema, Type
from lingang.risk.scenarios.model import Outcome, RuleSetDocument, RuleSpec, ScenarioSpec
from lingang.risk.scenarios.templates import placeholders, render

SEVERITY = {Outcome.PASS: 0, Outcome.REVIEW: 1, Outcome.HOLD: 2}
BoundRule = Callable[[Mapping[str, Any], Mapping[str, Any] | None], Any]


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that fired, with the values it looked at and its filled-in reasons."""

    scenario: str
    rule: str
    weight: float
    values: dict[str, Any]
    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """One scenario's score and outcome for one event."""

    scenario: str
    score: float
    outcome: Outcome
    hits: tuple[Hit, ...]
    scorer_probability: float | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A rule set's verdict on one event: the most severe scenario decides."""

    dataset: str
    score: float
    outcome: Outcome
    scenarios: tuple[ScenarioResult, ...]

    @property
    def hits(self) -> tuple[Hit, ...]:
        """Every rule that fired, scenario by scenario."""
        return tuple(h for s in self.scenarios for h in s.hits)

    @property
    def top_scenario(self) -> str | None:
        """The scenario with the highest score, when any scored above zero."""
        best = max(self.scenarios, key=lambda s: s.score, default=None)
        return best.scenario if best is not None and best.score > 0 else None


@dataclass(frozen=True)
class CompiledRuleRef:
    """One rule compiled, with the names its reasons and values show."""

    scenario: ScenarioSpec
    spec: RuleSpec
    rule: CompiledRule
    shown: tuple[str, ...]


@dataclass(frozen=True)
class CompiledRuleSet:
    """A rule set ready to run: compiled rules per dataset, and which lists and features
    they need."""

    document: RuleSetDocument
    rules: dict[str, tuple[CompiledRuleRef, ...]]  # by dataset
    lists: frozenset[str]
    features: dict[str, frozenset[str]]  # by dataset
    _bound: dict[tuple[str, int], tuple[BoundRule, ...]] = field(default_factory=dict)

    def datasets(self) -> tuple[str, ...]:
        """The datasets this rule set has scenarios for."""
        return tuple(self.rules)

    def bind(self, dataset: str, lists: Lists, lists_version: int = 0) -> OnlineEvaluator:
        """An evaluator for events of ``dataset`` with ``lists`` normalised once."""
        refs = self.rules.get(dataset, ())
        key = (dataset, lists_version)
        bound = self._bound.get(key)
        if bound is None:
            bound = tuple(r.rule.bind(lists) for r in refs)
            if lists_version:
                self._bound.clear()
                self._bound[key] = bound
        return OnlineEvaluator(self.document, dataset, refs, bound)

    def evaluate(self, dataset: str, event: Mapping[str, Any], lists: Lists,
                 features: Mapping[str, Any] | None = None,
                 scores: Mapping[str, float] | None = None) -> Evaluation:  # fmt: skip
        """Assess one event (lists are normalised on every call: bind for many events)."""
        return self.bind(dataset, lists).evaluate(event, features, scores)

    def batch_hits(self, dataset: str, table: pa.Table, lists: Lists) -> pa.Table:
        """One boolean column per enabled rule (named by rule id), row order kept; null → false."""
        refs = [r for r in self.rules.get(dataset, ()) if r.spec.enabled]
        if not refs:
            return table.select([])
        params: dict[str, Any] = {}
        columns = []
        for ref in refs:
            _, rule_params = ref.rule.query(lists)
            params.update(rule_params)
            columns.append(f'coalesce({ref.rule.sql}, false) AS "{ref.spec.id}"')
        with duckdb.connect() as con:
            con.register("events", table)
            result = con.sql(f"SELECT {', '.join(columns)} FROM events", params=params)
            hits: pa.Table = result.to_arrow_table()
            return hits

    def batch_scores(self, dataset: str, hits: pa.Table,
                     scores: Mapping[str, np.ndarray[Any, Any]] | None = None
                     ) -> dict[str, np.ndarray[Any, Any]]:  # fmt: skip
        """Score per scenario (float arrays) from :meth:`batch_hits`' columns."""
        out: dict[str, np.ndarray[Any, Any]] = {}
        for scenario in self.document.for_dataset(dataset):
            total = np.zeros(hits.num_rows)
            for rule in scenario.rules:
                if rule.enabled and rule.id in hits.column_names:
                    fired = hits.column(rule.id).to_numpy(zero_copy_only=False)
                    total += np.where(fired, rule.weight, 0.0)
            if scenario.scorer is not None and scores and scenario.scorer.name in scores:
                total += scenario.scorer.weight * np.nan_to_num(scores[scenario.scorer.name])
            out[scenario.id] = np.minimum(total, 100.0)
        return out


@dataclass(frozen=True)
class OnlineEvaluator:
    """Rules of one dataset bound to one version of the lists."""

    document: RuleSetDocument
    dataset: str
    refs: tuple[CompiledRuleRef, ...]
    bound: tuple[BoundRule, ...]

    def evaluate(self, event: Mapping[str, Any], features: Mapping[str, Any] | None = None,
                 scores: Mapping[str, float] | None = None) -> Evaluation:  # fmt: skip
        """Assess one event with its features and scorer probabilities."""
        features = features or {}
        fired: dict[str, Hit] = {}
        for ref, run in zip(self.refs, self.bound, strict=True):
            if ref.spec.enabled and run(event, features) is True:
                fired[ref.spec.id] = _hit(ref, event, features)
        results = tuple(
            _scenario_result(s, fired, scores) for s in self.document.for_dataset(self.dataset)
        )
        worst = max(results, key=lambda r: (SEVERITY[r.outcome], r.score), default=None)
        if worst is None:
            return Evaluation(self.dataset, 0.0, Outcome.PASS, ())
        return Evaluation(self.dataset, worst.score, worst.outcome, results)


def _hit(ref: CompiledRuleRef, event: Mapping[str, Any], features: Mapping[str, Any]) -> Hit:
    values = {n: _plain(event.get(n) if n in event else features.get(n)) for n in ref.shown}
    return Hit(ref.scenario.id, ref.spec.id, ref.spec.weight, values,
               render(ref.spec.reason_zh, values, "zh"),
               render(ref.spec.reason_en, values, "en"))  # fmt: skip


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _scenario_result(scenario: ScenarioSpec, fired: Mapping[str, Hit],
                     scores: Mapping[str, float] | None) -> ScenarioResult:  # fmt: skip
    hits = tuple(fired[r.id] for r in scenario.rules if r.id in fired)
    total = sum(h.weight for h in hits)
    probability = None
    if scenario.scorer is not None and scores and scenario.scorer.name in scores:
        probability = float(scores[scenario.scorer.name])
        total += scenario.scorer.weight * probability
    score = min(round(total, 6), 100.0)
    return ScenarioResult(scenario.id, score, scenario.outcome(score), hits, probability)


def compile_rule_set(
    document: RuleSetDocument,
    *,
    feature_types: Mapping[str, Mapping[str, Type]] | None = None,
    list_types: Mapping[str, Type] | None = None,
) -> CompiledRuleSet:
    """Compile every rule against its dataset's schema; ``Invalid`` names the rule and field.

    ``feature_types`` gives, per dataset, the features an event of that dataset has;
    ``list_types`` the element type of every list a rule may consult.
    """
    feature_types = feature_types or {}
    rules: dict[str, list[CompiledRuleRef]] = {}
    for index, scenario in enumerate(document.scenarios):
        schema = schema_for(DATASETS[scenario.dataset],
                            features=feature_types.get(scenario.dataset, {}),
                            lists=list_types or {})  # fmt: skip
        for rule_index, spec in enumerate(scenario.rules):
            path = f"scenarios[{index}].rules[{rule_index}]"
            rules.setdefault(scenario.dataset, []).append(_compile(scenario, spec, schema, path))
    return CompiledRuleSet(
        document=document,
        rules={k: tuple(v) for k, v in rules.items()},
        lists=frozenset(n for refs in rules.values() for r in refs for n in r.rule.lists),
        features={k: frozenset(n for r in v for n in _features(r.rule.tree))
                  for k, v in rules.items()},
    )  # fmt: skip


def _compile(scenario: ScenarioSpec, spec: RuleSpec, schema: RuleSchema, path: str
             ) -> CompiledRuleRef:  # fmt: skip
    try:
        rule = compile_rule(spec.expression, schema)
    except Invalid as exc:
        raise Invalid(f"{path}.expression", f"rule {spec.id}: {exc.field}: {exc.reason}") from exc
    shown = (
        *placeholders(spec.reason_zh, f"{path}.reason_zh", schema),
        *placeholders(spec.reason_en, f"{path}.reason_en", schema),
        *_names(rule.tree),
    )
    return CompiledRuleRef(scenario, spec, rule, tuple(dict.fromkeys(shown)))


def _names(node: ast.Node) -> list[str]:
    """Fields and features a rule reads, in order of appearance."""
    if isinstance(node, ast.FieldRef | ast.FeatureRef):
        return [node.name]
    return [n for child in ast.children(node) for n in _names(child)]


def _features(node: ast.Node) -> list[str]:
    if isinstance(node, ast.FeatureRef):
        return [node.name]
    return [n for child in ast.children(node) for n in _features(child)]
