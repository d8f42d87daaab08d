"""Each function gives the same answer online and in DuckDB; the registry refuses duplicates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from lingang.risk.rules.evaluate import compile_expression
from lingang.risk.rules.functions import FUNCTIONS, Function, Registry, round_half_away
from lingang.risk.rules.types import RuleSchema, Type

SCHEMA = RuleSchema(
    {"s": Type.STRING, "x": Type.NUMBER, "d": Type.DATE, "e": Type.DATE},
    lists={"origins": Type.STRING},
)
ROW: dict[str, Any] = {
    "s": "8471300000",
    "x": -2.5,
    "d": dt.date(2024, 2, 29),
    "e": dt.date(2024, 3, 4),
}
TABLE = pa.table(
    {
        "s": pa.array([ROW["s"]]),
        "x": pa.array([ROW["x"]]),
        "d": pa.array([ROW["d"]], pa.date32()),
        "e": pa.array([ROW["e"]], pa.date32()),
    }
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("lower('AbC')", "abc"),
        ("upper('AbC')", "ABC"),
        ("length(s)", 10.0),
        ("starts_with(s, '8471')", True),
        ("contains(s, '300')", True),
        ("hs_chapter(s)", "84"),
        ("hs_heading(s)", "8471"),
        ("year(d)", 2024.0),
        ("month(d)", 2.0),
        ("day_of_week(d)", 4.0),
        ("days_between(d, e)", 4.0),
        ("abs(x)", 2.5),
        ("round(x)", -3.0),
        ("round(2.345, 2)", 2.35),
        ("coalesce(null, s)", "8471300000"),
        ("is_null(null)", True),
        ("in_list('origins', 'KP')", True),
        ("date('2024-02-29') = d", True),
        ("lower(null)", None),
    ],
)
def test_function_online_and_batch(source: str, expected: Any) -> None:
    compiled = compile_expression(source, SCHEMA)
    lists = {"origins": ["KP", "IR"]}
    assert compiled.evaluate(ROW, lists) == expected
    assert compiled.batch(TABLE, lists).to_pylist() == [expected]


def test_registry_refuses_a_duplicate_name() -> None:
    registry = Registry()
    lower = FUNCTIONS.get("lower")
    registry.register(lower)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Function("lower", lower.check, lower.python, lower.sql))


def test_round_takes_halves_away_from_zero_like_duckdb() -> None:
    assert [round_half_away(v) for v in (0.5, 1.5, 2.5, -0.5)] == [1.0, 2.0, 3.0, -1.0]
    assert round_half_away(8.45, 1) == 8.4  # 8.45 is 8.4499999… as a double
    assert round_half_away(1e300, 3) == 1e300
