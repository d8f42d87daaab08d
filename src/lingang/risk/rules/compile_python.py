"""Compile a checked syntax tree to a Python closure over one event (SQL null semantics)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from lingang.risk.rules import ast
from lingang.risk.rules.functions import FUNCTIONS, Context
from lingang.risk.rules.types import RuleSchema, Type

Event = Mapping[str, Any]
Evaluator = Callable[[Event, Context], Any]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}


def normalise(value: Any, type_: Type) -> Any:
    """An event's raw value as the language sees it: numbers as float, days as ``date``."""
    if value is None:
        return None
    if type_ is Type.NUMBER:
        return float(value) if isinstance(value, int | float | Decimal) else float(str(value))
    if type_ is Type.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return value


def _divide(a: float, b: float) -> float | None:
    return None if b == 0 else a / b


def _and(a: Any, b: Any) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a: Any, b: Any) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _binary(node: ast.Binary, schema: RuleSchema) -> Evaluator:
    left, right = compile_python(node.left, schema), compile_python(node.right, schema)
    if node.op in ast.LOGICAL:
        join = _and if node.op == "and" else _or
        return lambda e, c: join(left(e, c), right(e, c))
    op: Callable[[Any, Any], Any] = (
        _divide if node.op == "/" else _COMPARE.get(node.op) or _ARITH[node.op]
    )

    def evaluate(e: Event, c: Context) -> Any:
        a, b = left(e, c), right(e, c)
        return None if a is None or b is None else op(a, b)

    return evaluate


def _in_set(node: ast.InSet, schema: RuleSchema) -> Evaluator:
    needle = compile_python(node.needle, schema)
    items = [compile_python(item, schema) for item in node.items]

    def evaluate(e: Event, c: Context) -> bool | None:
        x = needle(e, c)
        if x is None:
            return None
        values = [item(e, c) for item in items]
        found: bool | None = True if x in values else (None if None in values else False)
        return (not found if found is not None else None) if node.negated else found

    return evaluate


def _unary(node: ast.Unary | ast.IsNull, schema: RuleSchema) -> Evaluator:
    inner = compile_python(node.operand, schema)
    if isinstance(node, ast.IsNull):
        negated = node.negated
        return lambda e, c: (inner(e, c) is None) != negated
    if node.op == "not":
        return lambda e, c: None if (v := inner(e, c)) is None else not v
    return lambda e, c: None if (v := inner(e, c)) is None else -v


def _call(node: ast.Call, schema: RuleSchema) -> Evaluator:
    function = FUNCTIONS.get(node.name)
    args = [compile_python(arg, schema) for arg in node.args]
    impl, strict = function.python, function.strict

    def evaluate(e: Event, c: Context) -> Any:
        values = [arg(e, c) for arg in args]
        return None if strict and None in values else impl(values, c)

    return evaluate


def compile_python(node: ast.Node, schema: RuleSchema) -> Evaluator:
    """A closure ``(event, context) -> value`` computing ``node`` (already type-checked)."""
    if isinstance(node, ast.Literal):
        value = node.value
        return lambda e, c: value
    if isinstance(node, ast.FieldRef):
        name, type_ = node.name, schema.fields[node.name]
        return lambda e, c: normalise(e.get(name), type_)
    if isinstance(node, ast.FeatureRef):
        name, type_ = node.name, schema.features[node.name]
        return lambda e, c: normalise(c.features.get(name), type_)
    if isinstance(node, ast.Binary):
        return _binary(node, schema)
    if isinstance(node, ast.InSet):
        return _in_set(node, schema)
    if isinstance(node, ast.Unary | ast.IsNull):
        return _unary(node, schema)
    return _call(node, schema)
