"""Scenario library: validation names the path, reasons are safe, online and batch score alike."""

from __future__ import annotations

import copy
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lingang.errors import Invalid
from lingang.risk.features.library import load_library
from lingang.risk.rules.types import Type
from lingang.risk.scenarios.compiled import compile_rule_set
from lingang.risk.scenarios.library import shipped_document, standard_lists
from lingang.risk.scenarios.model import Outcome, load_document
from lingang.risk.scenarios.templates import render

DOC: dict[str, Any] = {
    "scenarios": [
        {
            "id": "valuation", "dataset": "declarations", "title_zh": "估价", "title_en": "Value",
            "thresholds": {"review": 40, "hold": 70},
            "rules": [
                {"id": "VA01", "expression": "declared_value > 1000", "weight": 30,
                 "reason_zh": "申报总价 {declared_value}", "reason_en": "value {declared_value}"},
                {"id": "VA02", "expression": "in_list('watch', origin_country)", "weight": 45,
                 "reason_zh": "原产国 {origin_country}", "reason_en": "origin {origin_country}"},
            ],
        },
        {
            "id": "flows", "dataset": "payments", "title_zh": "资金", "title_en": "Flows",
            "thresholds": {"review": 20, "hold": 50},
            "rules": [
                {"id": "FL01", "expression": "amount > 10", "weight": 25,
                 "reason_zh": "金额 {amount}", "reason_en": "amount {amount}"},
            ],
        },
    ]
}  # fmt: skip
LISTS = {"watch": frozenset({"KP", "IR"})}


def compiled(doc: dict[str, Any] = DOC) -> Any:
    return compile_rule_set(load_document(doc), list_types={"watch": Type.STRING})


def broken(path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DOC)
    target: Any = doc
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "field", "reason"),
    [
        ("scenarios.0.rules.0.weight", 120, "scenarios[0].rules[0].weight", "between 0 and 100"),
        ("scenarios.0.rules.0.weight", "high", "scenarios[0].rules[0].weight", "a number"),
        ("scenarios.0.rules.1.id", "VA01", "rules", "appears twice"),
        ("scenarios.0.rules.0.id", "bad id", "scenarios[0].rules[0].id", "capital letters"),
        ("scenarios.1.dataset", "tweets", "scenarios[1].dataset", "must be one of"),
        ("scenarios.0.thresholds", {"review": 80, "hold": 50}, "scenarios[0].thresholds.hold",
         "below the review"),
        ("scenarios.0.rules.0.reason_en", "", "scenarios[0].rules[0].reason_en", "required"),
        ("scenarios.0.rules", [], "scenarios[0].rules", "unless the scenario names a scorer"),
        ("scenarios.0.rules", "VA01", "scenarios[0].rules", "must be a list"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_refused_by_its_path(path: str, value: Any, field: str, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        load_document(broken(path, value))
    assert caught.value.field == field and reason in caught.value.reason


def test_a_scenario_of_a_scorer_alone_scores_its_probability() -> None:
    doc = copy.deepcopy(DOC)
    doc["scenarios"][0]["rules"] = []
    doc["scenarios"][0]["scorer"] = {"name": "zone-gbdt", "weight": 100}
    doc["scenarios"][1]["rules"][0]["id"] = "FL01"
    rule_set = compiled(doc)
    evaluator = rule_set.bind("declarations", {"watch": []})
    held = evaluator.evaluate({"declared_value": 5.0}, {}, {"zone-gbdt": 0.73})
    assert (held.score, held.outcome) == (73.0, Outcome.HOLD)
    assert held.scenarios[0].scorer_probability == 0.73 and not held.hits
    untrained = evaluator.evaluate({"declared_value": 5.0}, {}, None)
    assert (untrained.score, untrained.outcome) == (0.0, Outcome.PASS)


def test_a_rule_that_does_not_compile_is_named() -> None:
    doc = broken("scenarios.0.rules.1.expression", "declared_value > 'x'")
    with pytest.raises(Invalid) as caught:
        compiled(doc)
    assert caught.value.field == "scenarios[0].rules[1].expression"
    assert caught.value.reason.startswith("rule VA02: declared_value: cannot compare")


@pytest.mark.parametrize("template", ["{declared_value.__class__}", "{x}", "{0}", "{a:>10}", "}{"])
def test_templates_take_bare_known_names_only(template: str) -> None:
    with pytest.raises(Invalid) as caught:
        compiled(broken("scenarios.0.rules.0.reason_zh", template))
    assert caught.value.field == "scenarios[0].rules[0].reason_zh"


def test_reasons_are_filled_with_the_values_that_fired() -> None:
    result = compiled().evaluate("declarations", {"declared_value": 12345.678,
                                                  "origin_country": "KP"}, LISTS)  # fmt: skip
    assert result.outcome is Outcome.HOLD and result.score == 75
    assert [h.reason_zh for h in result.hits] == ["申报总价 12,345.68", "原产国 KP"]
    assert result.hits[0].values == {"declared_value": 12345.678}
    assert render("{a} / {b}", {"a": None, "b": 0.00012}, "en") == "null / 0.00012"


def test_scores_cap_at_100_and_thresholds_decide() -> None:
    rules = compiled()
    assert rules.evaluate("payments", {"amount": 11}, LISTS).outcome is Outcome.REVIEW
    assert rules.evaluate("payments", {"amount": 5}, LISTS).outcome is Outcome.PASS
    assert rules.evaluate("declarations", {"declared_value": None}, LISTS).score == 0


EVENTS = st.lists(
    st.fixed_dictionaries({
        "declared_value": st.none() | st.floats(0, 5000, allow_nan=False),
        "origin_country": st.none() | st.sampled_from(["KP", "IR", "CN", "US"]),
    }),
    min_size=1, max_size=30,
)  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EVENTS)
def test_batch_scores_equal_online_scores(events: list[dict[str, Any]]) -> None:
    rules = compiled()
    schema = pa.schema([("declared_value", pa.float64()), ("origin_country", pa.string())])
    table = pa.Table.from_pylist(events, schema=schema)
    scores = rules.batch_scores("declarations", rules.batch_hits("declarations", table, LISTS))
    online = rules.bind("declarations", LISTS)
    for index, event in enumerate(events):
        assert scores["valuation"][index] == online.evaluate(event).scenarios[0].score


def test_the_shipped_library_loads_with_its_lists() -> None:
    document = shipped_document()
    names = {item.name for item in standard_lists()}
    features = load_library()
    datasets = {s.dataset for s in document.scenarios}
    types = {d: dict.fromkeys(features.for_event(d), Type.NUMBER) for d in datasets}
    used = compile_rule_set(document, list_types=dict.fromkeys(names, Type.STRING),
                            feature_types=types).lists  # fmt: skip
    assert used <= names
    patterns = {s.pattern for s in document.scenarios if s.pattern}
    assert patterns >= {"undervaluation", "hs_misclassification", "origin_laundering",
                        "dg_misdeclaration", "bonded_leakage", "payment_mismatch",
                        "circular_flow", "shell_company"}  # fmt: skip
