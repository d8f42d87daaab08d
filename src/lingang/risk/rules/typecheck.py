"""Infer a rule's type, refusing ill-typed rules with an ``Invalid`` that names the field."""

from __future__ import annotations

import math

from lingang.errors import Invalid
from lingang.risk.rules import ast
from lingang.risk.rules.functions import FUNCTIONS
from lingang.risk.rules.types import RuleSchema, Type, unify

_ORDERED = frozenset({Type.NUMBER, Type.STRING, Type.DATE, Type.NULL})


def literal_type(value: ast.Value) -> Type:
    """The type of a literal's value."""
    if value is None:
        return Type.NULL
    if isinstance(value, bool):
        return Type.BOOL
    return Type.STRING if isinstance(value, str) else Type.NUMBER


def _describe(node: ast.Node, type_: Type) -> str:
    if isinstance(node, ast.Literal) and node.value is not None:
        return f"{type_} {node.value!r}" if isinstance(node.value, str) else f"{type_} {node.value}"
    return str(type_)


def _fail(node: ast.Node, reason: str) -> Invalid:
    return Invalid(ast.first_name(node) or "rule", f"{reason} ({node.at})")


def _expect(node: ast.Node, got: Type, want: Type, what: str) -> None:
    if unify(want, got) is not want:
        raise _fail(node, f"{what} needs {want}, not {_describe(node, got)}")


def _binary(node: ast.Binary, schema: RuleSchema) -> Type:
    left, right = infer(node.left, schema), infer(node.right, schema)
    if node.op in ast.LOGICAL:
        _expect(node.left, left, Type.BOOL, f"'{node.op}'")
        _expect(node.right, right, Type.BOOL, f"'{node.op}'")
        return Type.BOOL
    if node.op in ast.ARITHMETIC:
        _expect(node.left, left, Type.NUMBER, f"'{node.op}'")
        _expect(node.right, right, Type.NUMBER, f"'{node.op}'")
        return Type.NUMBER
    common = unify(left, right)
    if common is None:
        l_text, r_text = _describe(node.left, left), _describe(node.right, right)
        raise _fail(node, f"cannot compare {l_text} with {r_text}")
    if node.op not in {"=", "!="} and common not in _ORDERED:
        raise _fail(node, f"cannot order {common} values with '{node.op}'")
    return Type.BOOL


def _in_set(node: ast.InSet, schema: RuleSchema) -> Type:
    common: Type | None = infer(node.needle, schema)
    for item in node.items:
        got = infer(item, schema)
        joined = unify(common, got) if common is not None else None
        if joined is None:
            raise _fail(node, f"cannot look for {common} among {_describe(item, got)}")
        common = joined
    return Type.BOOL


def _leaf(node: ast.Literal | ast.FieldRef | ast.FeatureRef, schema: RuleSchema) -> Type:
    if isinstance(node, ast.Literal):
        if isinstance(node.value, float) and not math.isfinite(node.value):
            raise Invalid("rule", f"number too large ({node.at})")
        return literal_type(node.value)
    known = schema.fields if isinstance(node, ast.FieldRef) else schema.features
    if node.name not in known:
        kind = "field" if isinstance(node, ast.FieldRef) else "feature"
        raise Invalid(node.name, f"unknown {kind} ({node.at})")
    return known[node.name]


def infer(node: ast.Node, schema: RuleSchema) -> Type:
    """The type of ``node`` under ``schema``; raise ``Invalid`` naming the offending field."""
    if isinstance(node, ast.Literal | ast.FieldRef | ast.FeatureRef):
        return _leaf(node, schema)
    if isinstance(node, ast.Binary):
        return _binary(node, schema)
    if isinstance(node, ast.InSet):
        return _in_set(node, schema)
    if isinstance(node, ast.IsNull):
        infer(node.operand, schema)
        return Type.BOOL
    if isinstance(node, ast.Unary):
        want = Type.BOOL if node.op == "not" else Type.NUMBER
        _expect(node.operand, infer(node.operand, schema), want, f"'{node.op}'")
        return want
    function = FUNCTIONS.get(node.name)
    return function.check(node, [infer(arg, schema) for arg in node.args], schema)
