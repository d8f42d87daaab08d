"""Pure parts of case management: disposal records, routing, SLA policy, alert intake form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from lingang.cases.model import (
    DEFAULT_ROUTING,
    UNCLASSIFIED,
    AlertSource,
    CaseRouting,
    Disposal,
    SlaPolicy,
)
from lingang.cases.service import AlertInput
from lingang.errors import Invalid
from lingang.risk.assessments.events import AlertRaised


def test_a_disposal_keeps_amounts_to_the_fen() -> None:
    record = Disposal.from_data(
        {"penalty_rmb": "1200.5", "duty_recovered_rmb": 30, "goods_seized": "  冻品 2 吨 "}
    )
    assert record.penalty_rmb == Decimal("1200.50")
    assert record.to_data() == {
        "penalty_rmb": "1200.50",
        "duty_recovered_rmb": "30.00",
        "goods_seized": "冻品 2 吨",
    }
    assert Disposal.from_data({}) == Disposal()
    assert Disposal.from_data(record.to_data()) == record


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({"penalty_rmb": -0.01}, "disposal.penalty_rmb", "negative"),
        ({"penalty_rmb": "NaN"}, "disposal.penalty_rmb", "finite"),
        ({"penalty_rmb": "Infinity"}, "disposal.penalty_rmb", "finite"),
        ({"duty_recovered_rmb": True}, "disposal.duty_recovered_rmb", "number"),
        ({"duty_recovered_rmb": "1,000"}, "disposal.duty_recovered_rmb", "not a number"),
        ({"duty_recovered_rmb": 0.001}, "disposal.duty_recovered_rmb", "two decimal"),
        ({"goods_seized": ["x"]}, "disposal.goods_seized", "text"),
        ({"goods_seized": "x" * 501}, "disposal.goods_seized", "500"),
        ({"penalty": 1}, "disposal.penalty", "unknown field"),
    ],
)
def test_a_bad_disposal_names_the_field(data: dict[str, Any], field: str, reason: str) -> None:
    with pytest.raises(Invalid) as refused:
        Disposal.from_data(data)
    assert refused.value.field == field
    assert reason in refused.value.reason


def test_routing_sends_scenarios_to_departments_with_a_default() -> None:
    routing = CaseRouting(default="核查一处", by_scenario={"dg_misdeclaration": "查验一处"})
    assert routing.department_for("dg_misdeclaration") == "查验一处"
    assert routing.department_for("anything_else") == "核查一处"
    assert DEFAULT_ROUTING.department_for(UNCLASSIFIED) == DEFAULT_ROUTING.default
    with pytest.raises(Invalid) as no_default:
        CaseRouting(default=" ")
    assert no_default.value.field == "routing.default"
    with pytest.raises(Invalid) as blank:
        CaseRouting(default="a", by_scenario={"x": ""})
    assert blank.value.field == "routing.by_scenario.x"


def test_sla_policy_gives_limits_per_scenario() -> None:
    policy = SlaPolicy(default_working_days=15, by_scenario={"dg_misdeclaration": 5})
    assert policy.limit_for("dg_misdeclaration") == 5
    assert policy.limit_for("undervaluation") == 15
    for bad in (0, -1, True):
        with pytest.raises(Invalid) as refused:
            SlaPolicy(default_working_days=bad)
        assert refused.value.field == "sla.default_working_days"
    with pytest.raises(Invalid) as per_scenario:
        SlaPolicy(by_scenario={"x": 0})
    assert per_scenario.value.field == "sla.by_scenario.x"


def test_an_alert_without_scenario_is_grouped_as_unclassified() -> None:
    event = AlertRaised(
        assessment_id="a-1", dataset="declarations", record_key="k", enterprise_uscc=None,
        outcome="review", score=55.0, scenario=None, rules=["R1", "R2"], rule_set_version=3,
        occurred_at=dt.datetime(2026, 2, 13, 2, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    alert = AlertInput.from_event(event)
    assert alert.source is AlertSource.RISK and alert.reference == "a-1"
    assert alert.scenario == UNCLASSIFIED and alert.rules == ("R1", "R2")
    assert alert.raised_at == event.occurred_at and alert.rule_set_version == 3
