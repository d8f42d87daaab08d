"""Spec validation: every error names the feature and the field."""

from __future__ import annotations

from typing import Any

import pytest

from lingang.errors import Invalid
from lingang.risk.features import FeatureCatalog
from lingang.risk.rules.types import Type

BASE: dict[str, Any] = {
    "name": "ent_value_90d",
    "kind": "window",
    "dataset": "declarations",
    "key": ["enterprise_code"],
    "event_key": {"declarations": ["enterprise_code"], "payments": ["enterprise_uscc"]},
    "agg": "sum",
    "value": "declared_value",
    "where": "direction = 'import'",
    "days": 90,
}


def refused(*specs: dict[str, Any]) -> Invalid:
    with pytest.raises(Invalid) as caught:
        FeatureCatalog.load(list(specs))
    return caught.value


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"name": "X"}, "features[0].name", "must match"),
        ({"kind": "rolling"}, "ent_value_90d.kind", "window"),
        ({"colour": "red"}, "ent_value_90d.colour", "unknown field"),
        ({"dataset": "ships"}, "ent_value_90d.dataset", "must be one of"),
        ({"key": []}, "ent_value_90d.key", "non-empty"),
        ({"key": ["no_such"]}, "ent_value_90d.key", "no_such: unknown field"),
        ({"event_key": {"ships": ["x"]}}, "ent_value_90d.event_key.ships", "unknown dataset"),
        ({"event_key": {"payments": ["enterprise_uscc", "currency"]}},
         "ent_value_90d.event_key.payments", "must have 1 part"),
        ({"event_key": {"payments": ["amount"]}},
         "ent_value_90d.event_key.payments", "is number but the key part is string"),
        ({"agg": "sumsq"}, "ent_value_90d.agg", "must be one of"),
        ({"value": None}, "ent_value_90d.value", "non-empty"),
        ({"value": "hs_code"}, "ent_value_90d.value", "sum needs a number, not string"),
        ({"value": "declared_value +"}, "ent_value_90d.value", "line 1"),
        ({"agg": "count"}, "ent_value_90d.value", "takes no value"),
        ({"where": "declared_value"}, "ent_value_90d.where", "must be true or false"),
        ({"where": "in_list('x', hs_code)"}, "ent_value_90d.where", "unknown list"),
        ({"days": 0}, "ent_value_90d.days", "from 1 to"),
        ({"days": "90"}, "ent_value_90d.days", "whole number"),
        ({"q": 0.5}, "ent_value_90d.q", "only a percentile"),
        ({"agg": "percentile"}, "ent_value_90d.q", "between 0 and 1"),
        ({"agg": "percentile", "q": 1.5}, "ent_value_90d.q", "between 0 and 1"),
        ({"same_day": "yes"}, "ent_value_90d.same_day", "true or false"),
        ({"same_day": True}, "ent_value_90d.same_day", "cannot serve declarations events"),
        ({"label_zh": 3}, "ent_value_90d.label_zh", "text"),
    ],
)  # fmt: skip
def test_a_bad_window_spec_names_its_feature_and_field(
    change: dict[str, Any], field: str, reason: str
) -> None:
    error = refused(BASE | change)
    assert error.field == field
    assert reason in error.reason


def test_same_day_needs_a_source_replayed_earlier_in_the_day() -> None:
    late = BASE | {
        "dataset": "payments", "key": ["enterprise_uscc"], "value": "amount", "where": None,
        "event_key": {"declarations": ["enterprise_code"]}, "same_day": True,
    }  # fmt: skip
    error = refused(late)
    assert error.field == "ent_value_90d.same_day" and "replayed after" in error.reason
    early = BASE | {"event_key": {"gate_events": ["enterprise_uscc"]}, "same_day": True}
    assert FeatureCatalog.load([early]).for_event("gate_events") == ["ent_value_90d"]


def test_names_are_unique_and_not_fields() -> None:
    assert refused(BASE, BASE).field == "ent_value_90d.name"
    assert refused(BASE | {"name": "declared_value"}).field == "declared_value.name"


def derived(name: str, expression: str) -> dict[str, Any]:
    return {"name": name, "kind": "derived", "expression": expression}


def test_derived_cycles_are_refused() -> None:
    error = refused(
        BASE,
        derived("aaa", "feature('bbb') + 1"),
        derived("bbb", "feature('ccc') * 2"),
        derived("ccc", "feature('aaa') - feature('ent_value_90d')"),
    )
    assert error.field.endswith(".expression")
    assert "cycle" in error.reason and "aaa" in error.reason
    assert refused(derived("selfish", "feature('selfish')")).reason == "refers to itself"


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("feature('nope') * 2", "nope: unknown feature"),
        ("feature('ent_value_90d') > 2", "must be a number, not bool"),
        ("no_such_field * feature('ent_value_90d')", "no_such_field: unknown field"),
        ("", "non-empty"),
    ],
)
def test_a_bad_derived_spec_names_its_expression(expression: str, reason: str) -> None:
    error = refused(BASE, derived("ratio", expression))
    assert error.field == "ratio.expression"
    assert reason in error.reason


def test_applicability_follows_event_keys_fields_and_inputs() -> None:
    catalog = FeatureCatalog.load(
        [
            BASE,
            derived("half", "feature('ent_value_90d') / 2"),
            derived("per_unit", "feature('half') / quantity"),  # declarations' field
            derived("per_amount", "feature('half') / amount"),  # payments' field
        ]
    )
    assert catalog.for_event("declarations") == ["ent_value_90d", "half", "per_unit"]
    assert catalog.for_event("payments") == ["ent_value_90d", "half", "per_amount"]
    assert catalog.for_event("manifests") == []
    assert catalog.types() == dict.fromkeys(catalog.names, Type.NUMBER)
    assert [f.exact for f in catalog] == [False, False, False, False]
    with pytest.raises(Invalid):
        catalog.for_event("ships")


def test_specs_must_be_a_list_of_mappings() -> None:
    with pytest.raises(Invalid) as caught:
        FeatureCatalog.load("name: x")  # type: ignore[arg-type]
    assert caught.value.field == "features"
    assert refused(["x"]).field == "features[0]"  # type: ignore[arg-type]
