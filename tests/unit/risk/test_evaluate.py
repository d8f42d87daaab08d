"""Rules follow SQL's three-valued logic, and fire only when true, online and in batch."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from lingang.errors import Invalid
from lingang.lake.catalog import DECLARATIONS
from lingang.risk.rules.evaluate import compile_rule
from lingang.risk.rules.schema import schema_for
from lingang.risk.rules.types import RuleSchema, Type

SCHEMA = RuleSchema(
    {"a": Type.BOOL, "b": Type.BOOL, "x": Type.NUMBER, "y": Type.NUMBER},
    lists={"hot": Type.NUMBER},
)
KLEENE = [(a, b) for a in (True, False, None) for b in (True, False, None)]


def _both(source: str, event: dict[str, Any], lists: dict[str, Any] | None = None) -> Any:
    rule = compile_rule(source, SCHEMA)
    online = rule.evaluate(event, lists)
    table = pa.table(
        {k: pa.array([event.get(k)], pa.bool_() if k in "ab" else pa.float64()) for k in "abxy"}
    )
    [batch] = rule.batch(table, lists).to_pylist()
    assert online == batch, (source, event)
    return online


@pytest.mark.parametrize(("a", "b"), KLEENE)
def test_and_or_follow_kleene_logic(a: bool | None, b: bool | None) -> None:
    false_wins = False if False in (a, b) else (None if None in (a, b) else True)
    true_wins = True if True in (a, b) else (None if None in (a, b) else False)
    assert _both("a and b", {"a": a, "b": b}) == false_wins
    assert _both("a or b", {"a": a, "b": b}) == true_wins


def test_null_propagates_through_arithmetic_and_comparison() -> None:
    assert _both("x + 1 > 0", {"x": None}) is None
    assert _both("not (x > 0)", {"x": None}) is None
    assert _both("x in (1, y)", {"x": 2.0, "y": None}) is None
    assert _both("x in (2, y)", {"x": 2.0, "y": None}) is True


def test_division_by_zero_is_null() -> None:
    assert _both("x / y > 0", {"x": 1.0, "y": 0.0}) is None
    assert _both("is_null(x / y)", {"x": 1.0, "y": 0.0}) is True


def test_explicit_null_handling() -> None:
    assert _both("coalesce(x, 0) = 0", {"x": None}) is True
    assert _both("x is null", {"x": None}) is True
    assert _both("in_list('hot', x)", {"x": None}, {"hot": [1]}) is None


def test_rule_fires_only_when_true() -> None:
    rule = compile_rule("x > 1", SCHEMA)
    assert rule.fires({"x": 2})
    assert not rule.fires({"x": None})
    assert not rule.fires({})


def test_missing_list_is_refused_at_evaluation() -> None:
    rule = compile_rule("in_list('hot', x)", SCHEMA)
    with pytest.raises(Invalid) as caught:
        rule.evaluate({"x": 1.0})
    assert caught.value.field == "in_list"


def test_declaration_rule_over_a_duckdb_relation_and_one_event() -> None:
    schema = schema_for(
        DECLARATIONS,
        features={"importer_90d_value": Type.NUMBER},
        lists={"high_risk_origins": Type.STRING},
    )
    rule = compile_rule(
        "in_list('high_risk_origins', origin_country)\n"
        "  and hs_chapter(hs_code) in ('93', '36')\n"
        "  and declared_value > 0.5 * feature('importer_90d_value')\n"
        "  and declared_on >= date('2024-01-01')",
        schema,
    )
    lists = {"high_risk_origins": ["KP", "IR"]}
    event = {
        "origin_country": "KP",
        "hs_code": "9301100000",
        "declared_value": 80_000.0,
        "declared_on": dt.date(2024, 5, 1),
    }
    assert rule.evaluate(event, lists, {"importer_90d_value": 100_000.0}) is True
    relation = duckdb.from_arrow(pa.Table.from_pylist([{**event, "importer_90d_value": 1e5}]))
    assert rule.batch(relation, lists).to_pylist() == [True]
    query, params = rule.query(lists, relation="t")
    assert query.startswith("SELECT ") and params == {"list_high_risk_origins": ["IR", "KP"]}


def test_a_bound_rule_gives_the_same_answers_with_lists_prepared_once() -> None:
    schema = schema_for(DECLARATIONS, lists={"high_risk_origins": Type.STRING})
    rule = compile_rule("in_list('high_risk_origins', origin_country) and quantity > 1", schema)
    lists = {"high_risk_origins": ["IR", "KP"]}
    bound = rule.bind(lists)
    events: list[dict[str, Any]] = [
        {"origin_country": "IR", "quantity": 2.0},
        {"origin_country": "CN", "quantity": 2.0},
        {"origin_country": None, "quantity": 2.0},
        {"origin_country": "KP", "quantity": None},
    ]
    assert [bound(e, None) for e in events] == [rule.evaluate(e, lists) for e in events]
    assert [bound(e, None) for e in events] == [True, False, None, None]
