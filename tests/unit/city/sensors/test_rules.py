"""The sensor rule set: the shipped one loads, and every mistake names the rule at fault."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lingang.city.categories import load_categories
from lingang.city.sensors.rules import SENSOR_SCHEMA, load_rules, parse_rules
from lingang.errors import Invalid

RULE: dict[str, Any] = {
    "id": "WL-TEST",
    "name_zh": "测试",
    "name_en": "Test",
    "severity": "warning",
    "category": "E0104",
    "when": "kind = 'water_level' and value >= 0.15",
}


def rule_set(**changes: Any) -> dict[str, Any]:
    rule = {**RULE, **changes}
    return {"version": "t", "repeat_minutes": 30, "rules": [rule]}


def test_the_shipped_rules_load_with_real_categories() -> None:
    rules = load_rules()
    assert len(rules.rules) >= 10
    assert rules.repeat.total_seconds() == 1800
    categories = load_categories()
    assert all(rule.category in categories for rule in rules.rules)
    kinds = {rule.when.split("'")[1] for rule in rules.rules}
    assert kinds == {"water_level", "air_quality", "manhole_tilt", "noise", "parking",
                     "traffic_flow"}  # fmt: skip


def test_a_rule_is_evaluated_over_the_sensor_schema() -> None:
    rule = load_rules().by_id("WL-RISE")
    assert rule.compiled.fires({"kind": "water_level", "value": 0.2, "delta_10m": 0.12})
    assert not rule.compiled.fires({"kind": "water_level", "value": 0.2, "delta_10m": None})
    assert set(SENSOR_SCHEMA.fields) >= {"kind", "value", "delta_10m", "mean_10m", "hour"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"when": "value >= "}, "rules.WL-TEST.when"),  # a syntax error
        ({"when": "depth >= 1"}, "rules.WL-TEST.when"),  # an unknown field
        ({"when": "value + 1"}, "rules.WL-TEST.when"),  # not true or false
        ({"when": "kind >= 1"}, "rules.WL-TEST.when"),  # a type error
        ({"category": "X9999"}, "rules.WL-TEST.category"),
        ({"severity": "urgent"}, "rules.WL-TEST.severity"),
        ({"name_en": ""}, "rules.WL-TEST.name_en"),
        ({"colour": "red"}, "rules.WL-TEST.colour"),
        ({"id": "wl test"}, "rules[0].id"),
    ],
)
def test_a_mistake_names_the_rule(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_rules(rule_set(**changes))
    assert caught.value.field == field


def test_rule_ids_are_unique_and_the_set_is_checked() -> None:
    doubled = rule_set()
    doubled["rules"].append(copy.deepcopy(doubled["rules"][0]))
    with pytest.raises(Invalid, match="duplicate"):
        parse_rules(doubled)
    with pytest.raises(Invalid):
        parse_rules({"rules": []})
    with pytest.raises(Invalid):
        parse_rules({**rule_set(), "repeat_minutes": 0})
