"""The generated online code: guarded against anything the compiler did not write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lingang.errors import Invalid
from lingang.risk.rules.codegen import GeneratedCodeRefused, guard
from lingang.risk.rules.evaluate import compile_expression, compile_rule
from lingang.risk.rules.ruleset import compile_rule_set
from lingang.risk.rules.types import RuleSchema, Type

SCHEMA = RuleSchema(
    {"x": Type.NUMBER, "s": Type.STRING, "d": Type.DATE, "b": Type.BOOL},
    features={"g": Type.NUMBER},
    lists={"hot": Type.STRING},
)
BOUND = frozenset({"_make", "_lists", "_run", "e", "f", "_e0"})
SAFE = """def _make(_lists):
    def _run(e, f=None):
        _e0 = e.get('x')
        return _e0
"""


def test_the_guard_accepts_what_the_generator_writes() -> None:
    guard(SAFE, BOUND)
    rule = compile_rule("in_list('hot', s) and x / 2 > feature('g')", SCHEMA)
    assert "e.get('s')" in rule.online.source and "f.get('g')" in rule.online.source


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("return __import__('os')", "name '__import__'"),
        ("return e.__class__", "attribute '__class__'"),
        ("return (lambda: 1)()", "Lambda"),
        ("import os", "Import"),
        ("return [c for c in e]", "ListComp"),
        ("return e.get(key='x')", "keyword"),
        ("return open('/etc/passwd')", "name 'open'"),
        ("return b'x'", "constant b'x'"),
        ("global _e0", "Global"),
    ],
)
def test_the_guard_refuses_a_forbidden_construct(line: str, reason: str) -> None:
    source = SAFE.replace("return _e0", line)
    with pytest.raises(GeneratedCodeRefused, match=reason):
        guard(source, BOUND)


def test_field_names_and_strings_are_only_ever_constants() -> None:
    schema = RuleSchema({"x') or __import__('os": Type.STRING, "y": Type.STRING})
    rule = compile_rule("y = '\\'); import os; (\\''", schema)
    assert rule.evaluate({"y": "'); import os; ('"}) is True
    assert rule.evaluate({"y": "z"}) is False


def test_values_are_normalised_like_the_closures() -> None:
    rule = compile_rule("x > 1.5 and d >= date('2024-01-01')", SCHEMA)
    event = {"x": Decimal("2"), "d": dt.datetime(2024, 5, 1, 12, 0)}  # noqa: DTZ001
    assert rule.evaluate(event) is True
    assert rule.evaluate({"x": 2, "d": "2023-12-31"}) is False
    assert compile_expression("x", SCHEMA).evaluate({"x": 3}) == 3.0


def test_sql_nulls_division_and_sets() -> None:
    assert compile_expression("x / 0", SCHEMA).evaluate({"x": 1}) is None
    assert compile_rule("x in (1, null)", SCHEMA).evaluate({"x": 2.0}) is None
    assert compile_rule("x not in (1, null)", SCHEMA).evaluate({"x": 1.0}) is False
    assert compile_rule("b and x > 1", SCHEMA).evaluate({"b": False}) is False
    assert compile_rule("b or x > 1", SCHEMA).evaluate({"b": None, "x": 0}) is None
    assert compile_rule("lower(s) = 'a'", SCHEMA).evaluate({"s": None}) is None


def test_a_rule_set_returns_the_indexes_that_fire() -> None:
    rules = [
        compile_rule(source, SCHEMA)
        for source in ("x > 1", "in_list('hot', s)", "not b", "x / 0 > 1", "x is null")
    ]
    run = compile_rule_set(rules).bind({"hot": ["KP"]})
    assert run({"x": 2, "s": "KP", "b": False}) == [0, 1, 2]
    assert run({"s": "CN", "b": None}, None) == [4]
    with pytest.raises(Invalid):
        compile_rule_set(rules).bind({})


def test_a_rule_set_needs_one_schema() -> None:
    other = RuleSchema({"x": Type.STRING})
    with pytest.raises(Invalid):
        compile_rule_set([compile_rule("x > 1", SCHEMA), compile_rule("x = 'a'", other)])
    assert compile_rule_set([]).bind()({"x": 1}) == []
