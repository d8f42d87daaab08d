"""Compile a checked syntax tree to one polars expression: the vectorised batch back end.

Same meaning as the DuckDB SQL compilation (and the generated Python): SQL null semantics,
Kleene ``and``/``or``, division by zero is null, ``x in (…)`` is null when ``x`` is null or
when nothing matches and an item is null, strict functions return null on a null argument.

Columns that arrive dictionary-encoded (polars ``Categorical``, as Arrow dictionary arrays
from the lake's Parquet become) are compared and looked up without decoding: ``=``, ``!=``,
``in (…)`` and ``in_list`` against literals work on the codes. Every other use decodes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from lingang.risk.rules import ast
from lingang.risk.rules.functions import list_name, round_half_away
from lingang.risk.rules.typecheck import infer
from lingang.risk.rules.types import RuleSchema, Type

POLARS_TYPES: dict[Type, Any] = {
    Type.NUMBER: pl.Float64,
    Type.STRING: pl.String,
    Type.BOOL: pl.Boolean,
    Type.DATE: pl.Date,
    Type.NULL: pl.Boolean,
}


@dataclass(frozen=True)
class Target:
    """What the compiled expression runs over: the schema, the bound lists, and which
    string columns are dictionary-encoded in the frame."""

    schema: RuleSchema
    lists: Mapping[str, frozenset[Any]]
    categorical: frozenset[str] = frozenset()


PolarsImpl = Callable[[Sequence[pl.Expr], ast.Call, Target], pl.Expr]


def _null(type_: Type) -> pl.Expr:
    return pl.lit(None, dtype=POLARS_TYPES[type_])


def _literal(node: ast.Literal, target: Target) -> pl.Expr:
    if node.value is None:
        return _null(Type.NULL)
    if isinstance(node.value, bool):
        return pl.lit(node.value, dtype=pl.Boolean)
    if isinstance(node.value, str):
        return pl.lit(node.value, dtype=pl.String)
    return pl.lit(float(node.value), dtype=pl.Float64)


def _column(name: str, type_: Type, target: Target) -> pl.Expr:
    column = pl.col(name)
    if type_ is Type.NUMBER:
        return column.cast(pl.Float64)
    if type_ is Type.DATE:
        return column.cast(pl.Date)
    if type_ is Type.STRING and name in target.categorical:
        return column.cast(pl.String)
    return column


def _raw_categorical(node: ast.Node, target: Target) -> str | None:
    """The column name when ``node`` is a dictionary-encoded string field read as is."""
    if isinstance(node, ast.FieldRef | ast.FeatureRef) and node.name in target.categorical:
        return node.name
    return None


def _string_literal(node: ast.Node) -> str | None:
    if isinstance(node, ast.Literal) and isinstance(node.value, str):
        return node.value
    return None


def _divide(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    return pl.when(right != 0).then(left / right).otherwise(_null(Type.NUMBER))


_OPERATORS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
}


def _equality_on_codes(node: ast.Binary, target: Target) -> pl.Expr | None:
    """``cat_column = 'x'`` (either side) compared on the dictionary, not decoded."""
    if node.op not in {"=", "!="}:
        return None
    for column_side, other in ((node.left, node.right), (node.right, node.left)):
        name, text = _raw_categorical(column_side, target), _string_literal(other)
        if name is not None and text is not None:
            column = pl.col(name)
            return column == text if node.op == "=" else column != text
    return None


def _binary(node: ast.Binary, target: Target) -> pl.Expr:
    fast = _equality_on_codes(node, target)
    if fast is not None:
        return fast
    if node.op not in ast.LOGICAL and Type.NULL in (
        infer(node.left, target.schema),
        infer(node.right, target.schema),
    ):
        # `null = x`, `null + x` are null whatever x is: folded here, as polars folds them to
        # a one-row column that does not broadcast
        return _null(infer(node, target.schema))
    left, right = compile_polars(node.left, target), compile_polars(node.right, target)
    if node.op in ast.COMPARISON:
        operand = _common(node, target)  # typed nulls on both sides: `null < 1` is null
    else:
        operand = Type.NUMBER if node.op in ast.ARITHMETIC else Type.BOOL
    dtype = POLARS_TYPES[operand]
    return _OPERATORS[node.op](left.cast(dtype), right.cast(dtype))


def _common(node: ast.Binary | ast.InSet, target: Target) -> Type:
    parts = (node.left, node.right) if isinstance(node, ast.Binary) else (node.needle, *node.items)
    for part in parts:
        type_ = infer(part, target.schema)
        if type_ is not Type.NULL:
            return type_
    return Type.NULL


def _is_in(
    needle: pl.Expr | ast.Value, values: Collection[Any], dtype: Any, constant: bool = False
) -> pl.Expr:
    """SQL ``needle IN (values)`` for non-null literal values: null when the needle is.

    A literal needle is looked up here, at compile time (polars' ``is_in`` of a literal
    gives a one-row column that does not broadcast)."""
    if not isinstance(needle, pl.Expr):
        return _null(Type.BOOL) if needle is None else pl.lit(needle in values)
    if not values:
        return pl.when(needle.is_null()).then(_null(Type.BOOL)).otherwise(pl.lit(False))
    series = pl.Series(values=sorted(values), dtype=dtype)
    found = needle.is_in(series.implode())  # null for a null needle, as in SQL
    return found.first() if constant else found  # polars would not broadcast a constant


def _as(type_: Type, value: ast.Value) -> ast.Value:
    return float(value) if type_ is Type.NUMBER and value is not None else value


def _in_set(node: ast.InSet, target: Target) -> pl.Expr:
    common = _common(node, target)
    literal_items = [item for item in node.items if isinstance(item, ast.Literal)]
    if len(literal_items) == len(node.items) and all(i.value is not None for i in literal_items):
        name = _raw_categorical(node.needle, target)
        needle = _needle(node.needle, common, target) if name is None else pl.col(name)
        dtype = POLARS_TYPES[common] if name is None else pl.String
        values = {_as(common, item.value) for item in literal_items}
        test = _is_in(needle, values, dtype, _constant(node.needle, target.schema))
    elif infer(node.needle, target.schema) is Type.NULL:
        return _null(Type.BOOL)  # `null in (…)` is null
    else:
        test = _kleene_any(_equalities(node, common, target))
    return ~test if node.negated else test


def _equalities(node: ast.InSet, common: Type, target: Target) -> list[pl.Expr]:
    """``needle = item`` per item; a null-typed item is a plain null term (folded: polars
    would make ``null = x`` a one-row column)."""
    dtype = POLARS_TYPES[common]
    needle = compile_polars(node.needle, target).cast(dtype)
    return [
        _null(Type.BOOL)
        if infer(item, target.schema) is Type.NULL
        else needle == compile_polars(item, target).cast(dtype)
        for item in node.items
    ]


def _kleene_any(terms: Sequence[pl.Expr]) -> pl.Expr:
    """OR with SQL null semantics (``any_horizontal`` skips nulls; Kleene ``|`` does not)."""
    result = terms[0]
    for term in terms[1:]:
        result = result | term
    return result


_NOT_STRICT = frozenset({"coalesce", "is_null"})


def _call(node: ast.Call, target: Target) -> pl.Expr:
    if node.name == "in_list":
        return _in_list(node, target)
    args = [compile_polars(arg, target) for arg in node.args]
    strict = node.name not in _NOT_STRICT
    if strict and any(infer(arg, target.schema) is Type.NULL for arg in node.args):
        return _null(infer(node, target.schema))
    return POLARS_FUNCTIONS[node.name](args, node, target)


def _in_list(node: ast.Call, target: Target) -> pl.Expr:
    if infer(node.args[1], target.schema) is Type.NULL:
        return _null(Type.BOOL)  # folded, as in SQL: the list is not even needed
    name = list_name(node)
    element = target.schema.lists[name]
    values = {v for v in target.lists[name] if v is not None}
    column = _raw_categorical(node.args[1], target)
    needle = _needle(node.args[1], element, target) if column is None else pl.col(column)
    return _is_in(needle, values, POLARS_TYPES[element], _constant(node.args[1], target.schema))


def _needle(node: ast.Node, type_: Type, target: Target) -> pl.Expr | ast.Value:
    """What ``_is_in`` looks up: a literal's value, or the compiled expression (made a
    constant, which :func:`_is_in` makes a scalar)."""
    if isinstance(node, ast.Literal):
        return _as(type_, node.value)
    return compile_polars(node, target)


def _constant(node: ast.Node, schema: RuleSchema) -> bool:
    """Whether ``node`` compiles to a constant: it reads no field or feature, or it is a
    strict call folded to null (``days_between(d1, null)``)."""
    if isinstance(node, ast.FieldRef | ast.FeatureRef):
        return False
    folded = isinstance(node, ast.Call) and node.name not in _NOT_STRICT
    if folded and any(infer(arg, schema) is Type.NULL for arg in ast.children(node)):
        return True
    return all(_constant(child, schema) for child in ast.children(node))


def compile_polars(node: ast.Node, target: Target) -> pl.Expr:
    """A polars expression computing ``node`` (already type-checked) over a frame."""
    if isinstance(node, ast.Literal):
        return _literal(node, target)
    if isinstance(node, ast.FieldRef):
        return _column(node.name, target.schema.fields[node.name], target)
    if isinstance(node, ast.FeatureRef):
        return _column(node.name, target.schema.features[node.name], target)
    if isinstance(node, ast.Binary):
        return _binary(node, target)
    if isinstance(node, ast.InSet):
        return _in_set(node, target)
    if isinstance(node, ast.IsNull):
        inner = compile_polars(node.operand, target)
        return inner.is_not_null() if node.negated else inner.is_null()
    if isinstance(node, ast.Unary):
        inner = compile_polars(node.operand, target)
        if node.op == "not":
            return ~inner.cast(pl.Boolean)
        return -inner.cast(pl.Float64)
    return _call(node, target)


# ---------------------------------------------------------------- the functions, in polars


def _round(args: Sequence[pl.Expr], node: ast.Call, target: Target) -> pl.Expr:
    if len(args) == 1:
        return args[0].round(0, mode="half_away_from_zero")
    digits = node.args[1]
    assert isinstance(digits, ast.Literal) and isinstance(digits.value, float)
    places = digits.value
    # exact decimal rounding of the binary value, as DuckDB and the online path do
    return args[0].map_elements(
        lambda x: round_half_away(x, places), return_dtype=pl.Float64, skip_nulls=True
    )


def _days_between(args: Sequence[pl.Expr], node: ast.Call, target: Target) -> pl.Expr:
    return (args[1] - args[0]).dt.total_days().cast(pl.Float64)


def _one(fn: Callable[[pl.Expr], pl.Expr]) -> PolarsImpl:
    return lambda args, _node, _target: fn(args[0])


def _two(fn: Callable[[pl.Expr, pl.Expr], pl.Expr]) -> PolarsImpl:
    return lambda args, _node, _target: fn(args[0], args[1])


def _date(args: Sequence[pl.Expr], node: ast.Call, target: Target) -> pl.Expr:
    text = node.args[0]
    assert isinstance(text, ast.Literal) and isinstance(text.value, str)
    return pl.lit(dt.date.fromisoformat(text.value), dtype=pl.Date)


def _coalesce(args: Sequence[pl.Expr], node: ast.Call, target: Target) -> pl.Expr:
    """``coalesce`` without its null-typed arguments, which add nothing (and polars 2.1
    fails to broadcast ``'' = lower(coalesce(s1, null))`` over an all-null column)."""
    type_ = infer(node, target.schema)
    kept = [arg for arg, node_arg in zip(args, node.args, strict=True)
            if infer(node_arg, target.schema) is not Type.NULL]  # fmt: skip
    if not kept:
        return _null(type_)
    dtype = POLARS_TYPES[type_]
    return kept[0].cast(dtype) if len(kept) == 1 else pl.coalesce([a.cast(dtype) for a in kept])


POLARS_FUNCTIONS: dict[str, PolarsImpl] = {
    "lower": _one(lambda s: s.str.to_lowercase()),
    "upper": _one(lambda s: s.str.to_uppercase()),
    "length": _one(lambda s: s.str.len_chars().cast(pl.Float64)),
    "starts_with": _two(lambda s, p: s.str.starts_with(p)),
    "contains": _two(lambda s, t: s.str.contains(t, literal=True)),
    "hs_chapter": _one(lambda s: s.str.slice(0, 2)),
    "hs_heading": _one(lambda s: s.str.slice(0, 4)),
    "hs_subheading": _one(lambda s: s.str.slice(0, 6)),
    "year": _one(lambda d: d.dt.year().cast(pl.Float64)),
    "month": _one(lambda d: d.dt.month().cast(pl.Float64)),
    "day_of_week": _one(lambda d: d.dt.weekday().cast(pl.Float64)),
    "days_between": _days_between,
    "abs": _one(lambda x: x.abs()),
    "round": _round,
    "coalesce": _coalesce,
    "is_null": _one(lambda x: x.is_null()),
    "date": _date,
}
