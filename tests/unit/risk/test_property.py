"""Online (generated Python, closures) and batch (DuckDB and polars) evaluation agree on
random rules over random events, one rule at a time and as a rule set, with the string
columns plain or dictionary-encoded."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lingang.risk.rules.evaluate import compile_expression, compile_rule
from lingang.risk.rules.functions import Context
from lingang.risk.rules.ruleset import compile_rule_set
from lingang.risk.rules.types import RuleSchema, Type

N, S, B, D = Type.NUMBER, Type.STRING, Type.BOOL, Type.DATE
SCHEMA = RuleSchema(
    fields={"n1": N, "n2": N, "i1": N, "s1": S, "s2": S, "d1": D, "d2": D, "b1": B},
    features={"f1": N},
    lists={"L": S, "M": N},
)
COLUMNS: dict[str, pa.DataType] = {
    **{"n1": pa.float64(), "n2": pa.float64(), "i1": pa.int32(), "s1": pa.string()},
    **{"s2": pa.string(), "d1": pa.date32(), "d2": pa.date32(), "b1": pa.bool_()},
    "f1": pa.float64(),
}
ARROW = pa.schema(COLUMNS)
LISTS: dict[str, list[Any]] = {"L": ["ab", "0", "A9", ""], "M": [0, 1.5, -2, 100]}

numbers = st.integers(-1_000_000, 1_000_000).map(lambda i: i / 100)
strings = st.text(alphabet="abAB09", max_size=5)
dates = st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31))
EVENT = st.fixed_dictionaries(
    {
        "n1": st.none() | numbers,
        "n2": st.none() | numbers | st.just(0.0),
        "i1": st.none() | st.integers(-1000, 1000),
        "s1": st.none() | strings,
        "s2": st.none() | strings,
        "d1": st.none() | dates,
        "d2": st.none() | dates,
        "b1": st.none() | st.booleans(),
        "f1": st.none() | numbers,
    }
)

LEAVES: dict[Type, st.SearchStrategy[str]] = {
    N: st.sampled_from(["n1", "n2", "i1", "feature('f1')", "null", "0", "2.5", "100"])
    | numbers.map(lambda x: repr(abs(x))),
    S: st.sampled_from(["s1", "s2", "null"]) | strings.map(lambda s: f"'{s}'"),
    D: st.sampled_from(["d1", "d2", "date('2024-02-29')", "null"]),
    B: st.sampled_from(["b1", "true", "false", "null"]),
}


ARITH = ["+", "-", "*", "/"]
ORDER = ["=", "!=", "<", "<=", ">", ">="]


def _number(draw: st.DrawFn, sub: Any) -> str:
    pick = draw(st.integers(0, 7))
    if pick == 0:
        return f"({sub(N)} {draw(st.sampled_from(ARITH))} {sub(N)})"
    if pick == 1:
        return f"-{sub(N)}"
    if pick == 2:
        return f"{draw(st.sampled_from(['abs', 'round']))}({sub(N)})"
    if pick == 3:
        return f"round({sub(N)}, {draw(st.integers(0, 3))})"
    if pick == 4:
        return f"{draw(st.sampled_from(['year', 'month', 'day_of_week']))}({sub(D)})"
    if pick == 5:
        return f"days_between({sub(D)}, {sub(D)})"
    return f"length({sub(S)})" if pick == 6 else f"coalesce({sub(N)}, {sub(N)})"


def _string(draw: st.DrawFn, sub: Any) -> str:
    if draw(st.booleans()):
        return f"coalesce({sub(S)}, {sub(S)})"
    return f"{draw(st.sampled_from(['lower', 'upper', 'hs_chapter', 'hs_heading']))}({sub(S)})"


def _bare_bool(draw: st.DrawFn, sub: Any) -> str:
    pick = draw(st.integers(0, 8))
    if pick == 0:
        t = draw(st.sampled_from([N, S, D, B]))
        op = draw(st.sampled_from(ORDER if t is not B else ["=", "!="]))
        return f"({sub(t)} {op} {sub(t)})"
    if pick == 1:
        return f"({sub(B)} {draw(st.sampled_from(['and', 'or']))} {sub(B)})"
    if pick == 2:
        return f"not {sub(B)}"
    if pick == 3:
        return f"{sub(N)} {draw(st.sampled_from(['in', 'not in']))} ({sub(N)}, {sub(N)})"
    if pick == 4:
        return f"{sub(S)} {draw(st.sampled_from(['is null', 'is not null']))}"
    if pick == 5:
        return f"is_null({sub(D)})"
    if pick == 6:
        return f"{draw(st.sampled_from(['starts_with', 'contains']))}({sub(S)}, {sub(S)})"
    return f"in_list('L', {sub(S)})" if pick == 7 else f"in_list('M', {sub(N)})"


def _bool(draw: st.DrawFn, sub: Any) -> str:
    return f"({_bare_bool(draw, sub)})"  # `not x`, `x is null` need brackets as operands


@st.composite
def expression(draw: st.DrawFn, type_: Type, depth: int) -> str:
    """Well-typed rule source of ``type_``, nested at most ``depth`` deep."""
    if depth == 0 or type_ is D or draw(st.integers(0, 3)) == 0:
        return draw(LEAVES[type_])

    def sub(t: Type) -> str:
        return draw(expression(t, depth - 1))

    build = {N: _number, S: _string, B: _bool}[type_]
    return build(draw, sub)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-12)
    return type(a) is type(b) and a == b if a is not None else b is None


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    type_=st.sampled_from([N, S, B, D]),
    data=st.data(),
    events=st.lists(EVENT, min_size=1, max_size=8),
)
def test_python_and_duckdb_agree_on_every_row(
    type_: Type, data: st.DataObject, events: list[dict[str, Any]]
) -> None:
    source = data.draw(expression(type_, 3), label="source")
    compiled = compile_expression(source, SCHEMA)
    table = pa.Table.from_pylist(events, schema=ARROW)
    batch = compiled.batch(table, LISTS).to_pylist()
    vectorised = compiled.batch_polars(table, LISTS).to_pylist()
    encoded = compiled.batch_polars(_dictionary_encoded(table), LISTS).to_pylist()
    bound = compiled.bind(LISTS)
    context_lists = {name: frozenset(LISTS_NORMALISED[name]) for name in compiled.lists}
    for event, from_sql in zip(events, batch, strict=True):
        features = {"f1": event["f1"]}
        online = compiled.evaluate(event, LISTS, features)
        closure = compiled.python(event, Context(context_lists, features))
        assert _same(online, from_sql), (source, event, online, from_sql)
        assert _same(online, vectorised.pop(0)), (source, event, online)
        assert _same(online, encoded.pop(0)), (source, event, online)
        assert _same(online, closure), (source, event, online, closure)
        assert _same(bound(event, features), online), (source, event)


def _dictionary_encoded(table: pa.Table) -> pa.Table:
    """``table`` with its string columns dictionary-encoded, as the lake's Parquet reads."""
    for name in ("s1", "s2"):
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, table.column(name).dictionary_encode())
    return table


LISTS_NORMALISED: dict[str, list[Any]] = {"L": LISTS["L"], "M": [float(x) for x in LISTS["M"]]}


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    sources=st.lists(expression(B, 3), min_size=1, max_size=6),
    events=st.lists(EVENT, min_size=1, max_size=8),
)
def test_a_rule_set_fires_what_each_rule_alone_fires(
    sources: list[str], events: list[dict[str, Any]]
) -> None:
    rules = [compile_rule(source, SCHEMA) for source in sources]
    rule_set = compile_rule_set(rules)
    run = rule_set.bind(LISTS)
    scores = [float(i + 1) for i in range(len(rules))]
    data = pa.Table.from_pylist(events, schema=ARROW)
    table = rule_set.batch(data, LISTS, scores, engine="duckdb")
    masks, totals = table.column("hits_0").to_pylist(), table.column("score").to_pylist()
    for frame in (data, _dictionary_encoded(data)):
        vectorised = rule_set.batch(frame, LISTS, scores)  # polars, the default
        assert vectorised.column("hits_0").to_pylist() == masks, sources
        assert vectorised.column("score").to_pylist() == totals, sources
    for event, mask, total in zip(events, masks, totals, strict=True):
        features = {"f1": event["f1"]}
        alone = [i for i, rule in enumerate(rules) if rule.evaluate(event, LISTS, features)]
        assert run(event, features) == alone, (sources, event)
        assert rule_set.fired(event, LISTS, features) == alone
        assert [i for i in range(len(rules)) if mask >> i & 1] == alone, (sources, event)
        assert total == sum(scores[i] for i in alone)
