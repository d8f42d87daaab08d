"""Scenario library model: rules with weights and reasons, scenarios with thresholds.

A *rule set* is the whole library at one version: every scenario of every dataset. It is
plain data (a mapping read from YAML or JSON) and is validated here field by field; a bad
entry is refused with ``Invalid`` naming its path, e.g. ``scenarios[2].rules[0].weight``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lingang.errors import Invalid

IDENT = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
RULE_ID = re.compile(r"^[A-Z]{2,4}[0-9]{2,3}$")
DATASETS = ("declarations", "payments", "gate_events", "manifests", "registrations")
MAX_RULES = 500


class Outcome(StrEnum):
    """What a score decides: let through, send to an officer, or stop for inspection."""

    PASS = "pass"
    REVIEW = "review"
    HOLD = "hold"


OUTCOME_LABELS: dict[Outcome, tuple[str, str]] = {
    Outcome.PASS: ("放行", "pass"),
    Outcome.REVIEW: ("人工审核", "review"),
    Outcome.HOLD: ("布控查验", "hold"),
}


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule of a scenario: an expression, its weight, and why it fired (zh and en)."""

    id: str
    expression: str
    weight: float
    reason_zh: str
    reason_en: str
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ScorerTerm:
    """A learned scorer's share of a scenario score: ``weight × probability``."""

    name: str
    weight: float


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """A risk scenario over one dataset: rules whose weights add up to a 0–100 score."""

    id: str
    dataset: str
    title_zh: str
    title_en: str
    review: float
    hold: float
    rules: tuple[RuleSpec, ...]
    pattern: str | None = None  # the simulator's risk pattern it targets (for back-tests)
    scorer: ScorerTerm | None = None

    def outcome(self, score: float) -> Outcome:
        """The outcome of ``score`` under this scenario's thresholds."""
        if score >= self.hold:
            return Outcome.HOLD
        return Outcome.REVIEW if score >= self.review else Outcome.PASS


@dataclass(frozen=True, slots=True)
class RuleSetDocument:
    """The scenario library at one version."""

    scenarios: tuple[ScenarioSpec, ...]

    def for_dataset(self, dataset: str) -> tuple[ScenarioSpec, ...]:
        """The scenarios that assess events of ``dataset``."""
        return tuple(s for s in self.scenarios if s.dataset == dataset)

    def rule(self, rule_id: str) -> tuple[ScenarioSpec, RuleSpec]:
        """A rule and its scenario by rule id."""
        for scenario in self.scenarios:
            for rule in scenario.rules:
                if rule.id == rule_id:
                    return scenario, rule
        raise Invalid("rule", f"no rule {rule_id!r} in this rule set")

    def to_data(self) -> dict[str, Any]:
        """The plain-data form (what is stored and what :func:`load_document` reads)."""
        return {"scenarios": [_scenario_data(s) for s in self.scenarios]}


def _scenario_data(s: ScenarioSpec) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": s.id, "dataset": s.dataset, "title_zh": s.title_zh, "title_en": s.title_en,
        "thresholds": {"review": s.review, "hold": s.hold},
        "rules": [
            {"id": r.id, "expression": r.expression, "weight": r.weight,
             "reason_zh": r.reason_zh, "reason_en": r.reason_en, "enabled": r.enabled}
            for r in s.rules
        ],
    }  # fmt: skip
    if s.pattern:
        data["pattern"] = s.pattern
    if s.scorer:
        data["scorer"] = {"name": s.scorer.name, "weight": s.scorer.weight}
    return data


def load_document(data: Any) -> RuleSetDocument:
    """Validate plain data into a rule set; ``Invalid`` names the path of the first problem."""
    if not isinstance(data, Mapping):
        raise Invalid("rule_set", "must be a mapping with a 'scenarios' list")
    raw = data.get("scenarios")
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise Invalid("scenarios", "must be a non-empty list")
    scenarios = tuple(_scenario(item, f"scenarios[{i}]") for i, item in enumerate(raw))
    _unique([s.id for s in scenarios], "scenarios", "scenario id")
    rule_ids = [r.id for s in scenarios for r in s.rules]
    _unique(rule_ids, "rules", "rule id")
    if len(rule_ids) > MAX_RULES:
        raise Invalid("rules", f"at most {MAX_RULES} rules in a rule set")
    return RuleSetDocument(scenarios)


def _unique(values: list[str], path: str, what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise Invalid(path, f"{what} {value!r} appears twice")
        seen.add(value)


def _scenario(item: Any, path: str) -> ScenarioSpec:
    if not isinstance(item, Mapping):
        raise Invalid(path, "must be a mapping")
    ident = _text(item, "id", path)
    if not IDENT.match(ident):
        raise Invalid(f"{path}.id", "3–64 characters of a–z, 0–9 and '_', starting with a letter")
    dataset = _text(item, "dataset", path)
    if dataset not in DATASETS:
        raise Invalid(f"{path}.dataset", f"must be one of {', '.join(DATASETS)}")
    thresholds = item.get("thresholds")
    if not isinstance(thresholds, Mapping):
        raise Invalid(f"{path}.thresholds", "must give 'review' and 'hold'")
    review = _number(thresholds, "review", f"{path}.thresholds", 0, 100)
    hold = _number(thresholds, "hold", f"{path}.thresholds", 0, 100)
    if hold < review:
        raise Invalid(f"{path}.thresholds.hold", "must not be below the review threshold")
    scorer = _scorer(item.get("scorer"), f"{path}.scorer")
    rules_raw = item.get("rules", [] if scorer else None)
    if not isinstance(rules_raw, Sequence) or isinstance(rules_raw, str):
        raise Invalid(f"{path}.rules", "must be a list")
    if not rules_raw and scorer is None:
        raise Invalid(f"{path}.rules", "must not be empty unless the scenario names a scorer")
    rules = tuple(_rule(r, f"{path}.rules[{i}]") for i, r in enumerate(rules_raw))
    pattern = item.get("pattern")
    if pattern is not None and not isinstance(pattern, str):
        raise Invalid(f"{path}.pattern", "must be a text")
    return ScenarioSpec(
        id=ident, dataset=dataset, title_zh=_text(item, "title_zh", path),
        title_en=_text(item, "title_en", path), review=review, hold=hold, rules=rules,
        pattern=pattern, scorer=scorer,
    )  # fmt: skip


def _scorer(item: Any, path: str) -> ScorerTerm | None:
    if item is None:
        return None
    if not isinstance(item, Mapping):
        raise Invalid(path, "must be a mapping with 'name' and 'weight'")
    return ScorerTerm(_text(item, "name", path), _number(item, "weight", path, 0, 100))


def _rule(item: Any, path: str) -> RuleSpec:
    if not isinstance(item, Mapping):
        raise Invalid(path, "must be a mapping")
    ident = _text(item, "id", path)
    if not RULE_ID.match(ident):
        raise Invalid(f"{path}.id", "2–4 capital letters then 2–3 digits, e.g. UV01")
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise Invalid(f"{path}.enabled", "must be true or false")
    return RuleSpec(
        id=ident, expression=_text(item, "expression", path, limit=4000),
        weight=_number(item, "weight", path, 0, 100), reason_zh=_text(item, "reason_zh", path),
        reason_en=_text(item, "reason_en", path), enabled=enabled,
    )  # fmt: skip


def _text(item: Mapping[str, Any], key: str, path: str, *, limit: int = 300) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{path}.{key}", "is required and must be a non-empty text")
    if len(value) > limit:
        raise Invalid(f"{path}.{key}", f"at most {limit} characters")
    return value.strip()


def _number(item: Mapping[str, Any], key: str, path: str, low: float, high: float) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{path}.{key}", "is required and must be a number")
    if not low <= value <= high:
        raise Invalid(f"{path}.{key}", f"must be between {low:g} and {high:g}")
    return float(value)
