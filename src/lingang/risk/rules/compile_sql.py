"""Compile a checked syntax tree to one DuckDB SQL expression over a relation of events.

Fields and features are columns of the relation; literals are inlined as escaped SQL
literals; each named list is a bound parameter ``$list_<name>`` supplied at run time.
"""

from __future__ import annotations

from lingang.risk.rules import ast
from lingang.risk.rules.functions import FUNCTIONS
from lingang.risk.rules.typecheck import infer
from lingang.risk.rules.types import RuleSchema, Type

SQL_TYPES = {
    Type.NUMBER: "DOUBLE",
    Type.STRING: "VARCHAR",
    Type.BOOL: "BOOLEAN",
    Type.DATE: "DATE",
}
_OPS = {"!=": "<>", "and": "AND", "or": "OR"}


def quote_identifier(name: str) -> str:
    """``name`` as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_string(text: str) -> str:
    """``text`` as a DuckDB string literal (standard quoting; backslashes are literal)."""
    return "'" + text.replace("'", "''") + "'"


def _literal(value: ast.Value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return quote_string(value)
    return f"CAST('{value!r}' AS DOUBLE)"


def _column(name: str, type_: Type) -> str:
    column = quote_identifier(name)
    if type_ in (Type.NUMBER, Type.DATE):
        return f"CAST({column} AS {SQL_TYPES[type_]})"
    return column


def _binary(node: ast.Binary, schema: RuleSchema) -> str:
    left, right = compile_sql(node.left, schema), compile_sql(node.right, schema)
    if node.op == "/":
        return f"({left} / NULLIF({right}, 0))"
    return f"({left} {_OPS.get(node.op, node.op)} {right})"


def _in_set(node: ast.InSet, schema: RuleSchema) -> str:
    needle = compile_sql(node.needle, schema)
    items = ", ".join(compile_sql(item, schema) for item in node.items)
    test = f"({needle} IN ({items}))"
    return f"(NOT {test})" if node.negated else test


def _call(node: ast.Call, schema: RuleSchema) -> str:
    function = FUNCTIONS.get(node.name)
    if function.strict and any(infer(arg, schema) is Type.NULL for arg in node.args):
        # DuckDB cannot bind an untyped null argument; the result is null anyway, typed so
        # that an enclosing call still binds (`contains('', lower(null))`)
        returns = infer(node, schema)
        return "NULL" if returns is Type.NULL else f"CAST(NULL AS {SQL_TYPES[returns]})"
    return function.sql([compile_sql(arg, schema) for arg in node.args], node)


def compile_sql(node: ast.Node, schema: RuleSchema) -> str:
    """A DuckDB SQL expression computing ``node`` (already type-checked)."""
    if isinstance(node, ast.Literal):
        return _literal(node.value)
    if isinstance(node, ast.FieldRef):
        return _column(node.name, schema.fields[node.name])
    if isinstance(node, ast.FeatureRef):
        return _column(node.name, schema.features[node.name])
    if isinstance(node, ast.Binary):
        return _binary(node, schema)
    if isinstance(node, ast.InSet):
        return _in_set(node, schema)
    if isinstance(node, ast.IsNull):
        inner = compile_sql(node.operand, schema)
        return f"({inner} IS {'NOT ' if node.negated else ''}NULL)"
    if isinstance(node, ast.Unary):
        inner = compile_sql(node.operand, schema)
        return f"(NOT {inner})" if node.op == "not" else f"(- {inner})"
    return _call(node, schema)


def list_names(node: ast.Node) -> set[str]:
    """The lists that ``node`` looks values up in."""
    names: set[str] = set()
    if isinstance(node, ast.Call) and node.name == "in_list":
        first = node.args[0]
        if isinstance(first, ast.Literal) and isinstance(first.value, str):
            names.add(first.value)
    for child in ast.children(node):
        names |= list_names(child)
    return names
