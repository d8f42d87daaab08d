"""Threshold and trend rules over sensor readings, in the risk engine's expression language.

A rule set is a YAML file (``rules-v1.yaml`` ships beside this module): a version, the repeat
interval of the debouncing, and rules of ``id``, ``name_zh``, ``name_en``, ``severity``
(``warning`` or ``critical``), ``category`` (a code of ``lingang/city/categories.yaml``) and
``when``, a boolean expression over :data:`SENSOR_SCHEMA`. Everything is checked on load; an
error is :class:`~lingang.errors.Invalid` naming the rule.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from lingang.city.categories import load_categories
from lingang.errors import Invalid
from lingang.risk.rules.evaluate import CompiledRule, compile_rule
from lingang.risk.rules.types import RuleSchema, Type
from lingang.yamltext import load_yaml

TREND_WINDOW = dt.timedelta(minutes=10)
"""The window the trend fields look back over."""

SENSOR_FIELDS: dict[str, Type] = {
    "kind": Type.STRING,  # one of contracts.SENSOR_KINDS
    "value": Type.NUMBER,  # the reading, in its kind's unit
    "hour": Type.NUMBER,  # local (Asia/Shanghai) hour of read_at, 0-23
    "battery": Type.NUMBER,  # percent, null when the sensor does not report it
    "readings_10m": Type.NUMBER,  # previous readings of this sensor in the last 10 min
    "mean_10m": Type.NUMBER,  # their mean (null when none)
    "min_10m": Type.NUMBER,  # their minimum (null when none)
    "max_10m": Type.NUMBER,  # their maximum (null when none)
    "delta_10m": Type.NUMBER,  # value minus the oldest of them (null when none)
    "rise_rate_per_h": Type.NUMBER,  # delta_10m per hour over their time span (null when none)
}
"""What a sensor rule may name: the reading and the trend the pipeline keeps per sensor."""

SENSOR_SCHEMA = RuleSchema(fields=SENSOR_FIELDS)

SEVERITIES = ("warning", "critical")
_RULE_ID = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")
_KEYS = frozenset({"id", "name_zh", "name_en", "severity", "category", "when"})


@dataclass(frozen=True)
class SensorRule:
    """One rule: what it is called, how grave, the category its events are filed under."""

    id: str
    name_zh: str
    name_en: str
    severity: str
    category: str
    when: str
    compiled: CompiledRule


@dataclass(frozen=True)
class SensorRules:
    """A checked rule set: the rules in file order and the debouncing interval."""

    version: str
    rules: tuple[SensorRule, ...]
    repeat: dt.timedelta

    def __post_init__(self) -> None:
        if not self.rules:
            raise Invalid("rules", "a rule set needs at least one rule")

    def by_id(self, rule_id: str) -> SensorRule:
        """The rule with ``rule_id``."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise Invalid("rule", f"no sensor rule {rule_id!r}")


def load_rules(path: Path | None = None) -> SensorRules:
    """The rule set at ``path``, or the shipped ``rules-v1.yaml``; checked."""
    if path is None:
        text = (files("lingang.city.sensors") / "rules-v1.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise Invalid("rules", f"not readable YAML: {exc}") from None
    return parse_rules(data)


def parse_rules(data: Any) -> SensorRules:
    """A rule set from the YAML document's data; :class:`Invalid` names the rule at fault."""
    if not isinstance(data, Mapping):
        raise Invalid("rules", "the rule set must be a mapping")
    items = data.get("rules")
    if not isinstance(items, list) or not items:
        raise Invalid("rules", "needs a non-empty list of rules")
    repeat = data.get("repeat_minutes", 30)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise Invalid("repeat_minutes", "must be a whole number of minutes, at least 1")
    rules = [parse_rule(item, index) for index, item in enumerate(items)]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise Invalid(f"rules.{rule.id}", "duplicate rule id")
        seen.add(rule.id)
    version = str(data.get("version", "sensor-rules"))
    return SensorRules(version, tuple(rules), dt.timedelta(minutes=repeat))


def parse_rule(item: Any, index: int) -> SensorRule:
    """One rule, its expression compiled over :data:`SENSOR_SCHEMA`."""
    if not isinstance(item, Mapping):
        raise Invalid(f"rules[{index}]", "a rule must be a mapping")
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.fullmatch(rule_id):
        raise Invalid(f"rules[{index}].id", f"rule id {rule_id!r} must look like WL-WARN")
    where = f"rules.{rule_id}"
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise Invalid(f"{where}.{unknown[0]}", "unknown key")
    texts = {key: _text(item, key, where) for key in ("name_zh", "name_en", "when")}
    severity = item.get("severity")
    if severity not in SEVERITIES:
        raise Invalid(f"{where}.severity", f"must be one of {', '.join(SEVERITIES)}")
    category = item.get("category")
    if not isinstance(category, str) or category not in load_categories():
        raise Invalid(f"{where}.category", f"{category!r} is not a city category code")
    try:
        compiled = compile_rule(texts["when"], SENSOR_SCHEMA)
    except Invalid as exc:
        raise Invalid(f"{where}.when", f"{exc.field}: {exc.reason}") from None
    return SensorRule(rule_id, texts["name_zh"], texts["name_en"], str(severity), category,
                      texts["when"], compiled)  # fmt: skip


def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{where}.{key}", "must be a non-empty string")
    return value.strip()


def rule_ids(rules: Sequence[SensorRule]) -> list[str]:
    """The ids of ``rules`` in order."""
    return [rule.id for rule in rules]
